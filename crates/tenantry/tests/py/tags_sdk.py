"""azure-mgmt-resource's tags and paging against tenantry (driven by crates/tenantry/tests/it/tags.rs).

As the demo's "ci" application (Contributor on the subscription): ResourceManagementClient.tags at a
resource group, a resource and the subscription (create_or_update, update with Merge and Delete, get,
delete, list of tag names), a resource group PATCHed with update, and resources.list_by_resource_group
and resources.list paged with `top` and a tag filter (the SDK follows each nextLink).

Environment: TENANTRY_URL, REQUESTS_CA_BUNDLE, TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID,
TENANTRY_CLIENT_SECRET.
"""

from azure.core.exceptions import HttpResponseError
from azure.mgmt.resource.resources import ResourceManagementClient

from armsdk import KW, SUB, credential, step

STORAGE = "Microsoft.Storage/storageAccounts"


def main():
    rm = ResourceManagementClient(credential(), SUB, **KW)
    rg1 = f"/subscriptions/{SUB}/resourceGroups/rg1"

    step("tags at a resource group: create, merge, delete some, get, delete all")
    t = rm.tags.begin_create_or_update_at_scope(rg1, {"properties": {"tags": {"env": "prod", "team": "a"}}}).result()
    assert t.properties.tags == {"env": "prod", "team": "a"}, t
    t = rm.tags.begin_update_at_scope(rg1, {"operation": "Merge", "properties": {"tags": {"cost": "42"}}}).result()
    assert t.properties.tags == {"env": "prod", "team": "a", "cost": "42"}, t
    t = rm.tags.begin_update_at_scope(rg1, {"operation": "Delete", "properties": {"tags": {"team": ""}}}).result()
    assert t.properties.tags == {"env": "prod", "cost": "42"}, t
    assert rm.tags.get_at_scope(rg1).properties.tags == {"env": "prod", "cost": "42"}
    assert rm.resource_groups.get("rg1").tags == {"env": "prod", "cost": "42"}
    rm.tags.begin_delete_at_scope(rg1).result()
    assert rm.tags.get_at_scope(rg1).properties.tags == {}

    step("a refusal with ARM's code")
    try:
        rm.tags.begin_create_or_update_at_scope(rg1, {"properties": {"tags": {"a<b": "x"}}}).result()
        raise AssertionError("a name with '<' was accepted")
    except HttpResponseError as e:
        assert e.error.code == "InvalidTagNameCharacters", e

    step("resource groups PATCHed (update)")
    g = rm.resource_groups.update("rg1", {"tags": {"owner": "sdk"}})
    assert g.tags == {"owner": "sdk"} and g.location == "westeurope", g

    step("resources paged with top, by group and by tag")
    for i in range(5):
        rm.resources.begin_create_or_update(
            "rg1", "Microsoft.Storage", "", "storageAccounts", f"st{i}",
            {"location": "westeurope", "tags": {"env": "prod" if i % 2 == 0 else "dev"}},
            api_version="2023-01-01",
        ).result()
    rm.resources.begin_update(
        "rg1", "Microsoft.Storage", "", "storageAccounts", "st1", {"tags": {"env": "prod"}},
        api_version="2023-01-01",
    ).result()
    names = [r.name for r in rm.resources.list_by_resource_group("rg1", top=2)]
    assert names == [f"st{i}" for i in range(5)], names
    prod = [r.name for r in rm.resources.list(filter="tagName eq 'env' and tagValue eq 'prod'", top=1)]
    assert prod == ["st0", "st1", "st2", "st4"], prod
    typed = list(rm.resources.list_by_resource_group("rg1", filter=f"resourceType eq '{STORAGE}'", top=3))
    assert len(typed) == 5, typed

    step("the subscription's tags and tag names")
    sub = f"/subscriptions/{SUB}"
    rm.tags.begin_create_or_update_at_scope(sub, {"properties": {"tags": {"costcenter": "42"}}}).result()
    counts = {n.tag_name: n.count.value for n in rm.tags.list()}
    assert counts == {"costcenter": 1, "env": 5, "owner": 1}, counts
    print("ok", flush=True)


if __name__ == "__main__":
    main()
