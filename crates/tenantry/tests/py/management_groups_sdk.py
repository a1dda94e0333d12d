"""azure-mgmt-managementgroups against tenantry's management groups (driven by
crates/tenantry/tests/it/management_groups.rs).

azure-identity's ClientSecretCredential signs in as the demo's "ci" application, which the Rust side made
Global Administrator and Owner of Pay-As-You-Go. It creates a group under the tenant root group and
nests another in it (long-running PUTs the SDK polls to their end), reads the tree with
`expand=children, recurse=True` and its descendants, moves the subscription into the nested group and out again, renames
the nested group and moves it under the root (PATCH), and deletes both (a group with children refused).

Environment: TENANTRY_URL, REQUESTS_CA_BUNDLE, TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID,
TENANTRY_CLIENT_SECRET.
"""

from armsdk import KW, SUB, TENANT, credential, step
from azure.core.exceptions import HttpResponseError
from azure.mgmt.managementgroups import ManagementGroupsMgmtClient
from azure.mgmt.managementgroups.models import (
    CreateManagementGroupDetails,
    CreateManagementGroupProperties,
    CreateManagementGroupRequest,
    CreateParentGroupInfo,
    PatchManagementGroupRequest,
)

PREFIX = "/providers/Microsoft.Management/managementGroups/"


def create(client, name, display_name, parent):
    request = CreateManagementGroupRequest(
        properties=CreateManagementGroupProperties(
            display_name=display_name,
            details=CreateManagementGroupDetails(parent=CreateParentGroupInfo(id=PREFIX + parent)),
        )
    )
    return client.management_groups.begin_create_or_update(name, request).result()


def main():
    client = ManagementGroupsMgmtClient(credential(), **KW)

    step("create a group under the root, nest another in it")
    platform = create(client, "platform", "Platform", TENANT)
    assert platform.name == "platform" and platform.properties.display_name == "Platform", platform
    assert platform.properties.details.parent.id == PREFIX + TENANT, platform
    prod = create(client, "prod", "Prod", "platform")
    assert prod.properties.details.parent.name == "platform", prod

    step("move the subscription into the nested group")
    client.management_group_subscriptions.create("prod", SUB)
    placed = client.management_group_subscriptions.get_subscription("prod", SUB)
    assert placed.properties.parent.id == PREFIX + "prod", placed

    step("the tree from the root, with expand=children and recurse")
    tree = client.management_groups.get(TENANT, expand="children", recurse=True)
    (p,) = tree.properties.children
    assert p.name == "platform" and p.children[0].name == "prod", tree
    (s,) = p.children[0].children
    assert s.id == f"/subscriptions/{SUB}" and s.type == "/subscriptions", s
    below = [(d.name, d.type, d.properties.parent.id) for d in client.management_groups.get_descendants("platform")]
    assert below == [
        ("prod", "Microsoft.Management/managementGroups", PREFIX + "platform"),
        (SUB, "/subscriptions", PREFIX + "prod"),
    ], below
    shallow = client.management_groups.get("platform", expand="children")
    assert [c.name for c in shallow.properties.children] == ["prod"], shallow
    assert not shallow.properties.children[0].children, shallow

    step("delete is refused while the group has children")
    try:
        client.management_groups.begin_delete("platform").result()
        raise AssertionError("deleting a group with children must fail")
    except HttpResponseError as e:
        assert e.error.code == "ManagementGroupHasChildren", e

    step("move the subscription out again")
    client.management_group_subscriptions.delete("prod", SUB)
    assert list(client.management_groups.get_descendants("prod")) == []

    step("update: rename and move under the root")
    updated = client.management_groups.update(
        "prod", PatchManagementGroupRequest(display_name="Production", parent_group_id=PREFIX + TENANT)
    )
    assert updated.properties.display_name == "Production", updated
    assert updated.properties.details.parent.id == PREFIX + TENANT, updated

    step("delete both")
    client.management_groups.begin_delete("prod").result()
    client.management_groups.begin_delete("platform").result()
    try:
        client.management_groups.get("prod")
        raise AssertionError("a deleted group must be gone")
    except HttpResponseError as e:
        # As in Azure: a group that is not there reads as one the caller may not read.
        assert e.status_code == 403 and e.error.code == "AuthorizationFailed", e
    assert [g.name for g in client.management_groups.list()] == [TENANT]
    print("azure-mgmt-managementgroups: ok")


main()
