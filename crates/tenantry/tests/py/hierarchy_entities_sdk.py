"""azure-mgmt-managementgroups' `entities.list` and `get_descendants` against tenantry (driven by
crates/tenantry/tests/it/hierarchy_entities.rs).

azure-identity's ClientSecretCredential signs in as the demo's "ci" application (Global Administrator,
elevated and made Owner at the tenant root group by the Rust side, the groups and the placement made by
the az script before). It lists the entities a page of two at a time (the SDK follows `nextLink`), only
the groups (`view`), and those below a group (`group_name`); then the root's descendants two to a page
(`get_descendants(top=2)`, following `nextLink`).

Environment: TENANTRY_URL, REQUESTS_CA_BUNDLE, TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID,
TENANTRY_CLIENT_SECRET.
"""

from armsdk import KW, SUB, TENANT, credential, step
from azure.mgmt.managementgroups import ManagementGroupsMgmtClient


def main():
    client = ManagementGroupsMgmtClient(credential(), **KW)

    step("every entity, two to a page")
    pages = list(client.entities.list(top=2).by_page())
    names = [[e.name for e in page] for page in pages]
    assert names == [[TENANT, "platform"], ["prod", SUB]], names

    step("groups only, and below a group")
    assert [e.name for e in client.entities.list(view="GroupsOnly")] == [TENANT, "platform", "prod"]
    below = list(client.entities.list(group_name="platform"))
    assert [(e.name, e.parent.id.rsplit("/", 1)[-1]) for e in below] == [
        ("platform", TENANT), ("prod", "platform"), (SUB, "prod"),
    ], below

    step("the root's descendants, two to a page")
    pages = list(client.management_groups.get_descendants(TENANT, top=2).by_page())
    names = [[d.name for d in page] for page in pages]
    assert names == [["platform", "prod"], [SUB]], names
    print("azure-mgmt-managementgroups entities and descendants: ok")


main()
