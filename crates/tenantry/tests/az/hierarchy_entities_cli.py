"""The Azure CLI's `account management-group entities list` against tenantry's ARM face (driven by
crates/tenantry/tests/it/hierarchy_entities.rs).

Signs in as the demo's "ci" application (Global Administrator, elevated and made Owner at the tenant root
group by the Rust side), makes a group with a group below it and places the subscription there, and lists
the entities: each with its parent and the chain of groups above it.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

from azrun import az, sign_in_as_ci

SUB = "5b5c0000-0000-4000-8000-000000000001"
GROUPS = "/providers/Microsoft.Management/managementGroups/"


def main():
    sign_in_as_ci()
    tenant = az("account", "show")["tenantId"]
    group = ["account", "management-group"]
    az(*group, "create", "-n", "platform", "--display-name", "Platform", "--no-register")
    az(*group, "create", "-n", "prod", "--display-name", "Prod", "--parent", "platform", "--no-register")
    az(*group, "subscription", "add", "-n", "prod", "--subscription", SUB)

    listed = az(*group, "entities", "list")
    assert [e["name"] for e in listed] == [tenant, "platform", "prod", SUB], listed
    sub = listed[-1]
    assert sub["type"] == "/subscriptions" and sub["parent"]["id"] == GROUPS + "prod", sub
    assert sub["parentNameChain"] == [tenant, "platform", "prod"], sub
    assert listed[0]["numberOfDescendants"] == 3 and listed[0]["permissions"] == "delete", listed[0]
    print("management group entities: ok")


main()
