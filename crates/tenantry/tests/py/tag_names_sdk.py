"""azure-mgmt-resource's predefined tag names against tenantry (driven by
crates/tenantry/tests/it/tag_names.rs).

As the demo's "ci" application (Contributor on the subscription): ResourceManagementClient.tags
create_or_update (a name), create_or_update_value, list (the predefined name beside those in use, with
its counts), delete_value and delete refused with ARM's codes while a resource group uses them, then
accepted.

Environment: TENANTRY_URL, REQUESTS_CA_BUNDLE, TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID,
TENANTRY_CLIENT_SECRET.
"""

from azure.core.exceptions import HttpResponseError
from azure.mgmt.resource.resources import ResourceManagementClient

from armsdk import KW, SUB, credential, step


def refused(code, call, *args):
    try:
        call(*args)
    except HttpResponseError as e:
        assert e.error.code == code, e
        return e
    raise AssertionError(f"{call.__name__}{args} was accepted")


def main():
    rm = ResourceManagementClient(credential(), SUB, **KW)

    step("a predefined name and its values")
    t = rm.tags.create_or_update("costcenter")
    assert t.tag_name == "costcenter" and t.count.value == 0 and t.values_property == [], t
    assert rm.tags.create_or_update("CostCenter").tag_name == "costcenter"
    v = rm.tags.create_or_update_value("costcenter", "42")
    assert v.tag_value == "42" and v.count.value == 0, v
    rm.tags.create_or_update_value("costcenter", "43")
    refused("PredefinedTagNameNotFound", rm.tags.create_or_update_value, "nope", "x")
    refused("ReservedTagName", rm.tags.create_or_update, "windowsTeam")

    step("listed beside the names in use")
    rm.resource_groups.update("rg1", {"tags": {"costcenter": "42"}})
    names = {n.tag_name: n for n in rm.tags.list()}
    cc = names["costcenter"]
    assert cc.count.value == 1, cc
    assert [(x.tag_value, x.count.value) for x in cc.values_property] == [("42", 1), ("43", 0)], cc

    step("refused while in use, then deleted")
    refused("PredefinedTagValueInUse", rm.tags.delete_value, "costcenter", "42")
    refused("PredefinedTagNameInUse", rm.tags.delete, "costcenter")
    rm.tags.delete_value("costcenter", "43")
    rm.tags.delete_value("costcenter", "43")  # 204: not there
    rm.resource_groups.update("rg1", {"tags": {}})
    refused("PredefinedTagNameHasValues", rm.tags.delete, "costcenter")
    rm.tags.delete_value("costcenter", "42")
    rm.tags.delete("costcenter")
    rm.tags.delete("costcenter")  # 204: not there
    assert "costcenter" not in {n.tag_name for n in rm.tags.list()}
    print("ok", flush=True)


if __name__ == "__main__":
    main()
