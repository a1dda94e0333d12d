"""The Azure CLI's `az identity` against tenantry's ARM face (driven by crates/tenantry/tests/it/identities.rs).

Signs in as the demo's "ci" application (made Owner by the test), creates, shows, lists and deletes a
user-assigned identity, and assigns a role to its principal by object id as `az role assignment create
--assignee-object-id … --assignee-principal-type ServicePrincipal` does.

What the pinned CLI sends (recorded with --debug): PUT/GET/DELETE
/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name} and GET
…/resourceGroups/{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities and
/subscriptions/{s}/providers/Microsoft.ManagedIdentity/userAssignedIdentities, all at
api-version=2025-05-31-preview; the role assignment is a PUT at api-version=2022-04-01 after a role
definition lookup by name, and `role assignment list` resolves principals with Graph's
directoryObjects/getByIds.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

import os

from azrun import az, sign_in_as_ci

TENANT = os.environ["TENANTRY_TENANT"]
SUB = os.environ["TENANTRY_SUBSCRIPTION"]
GROUP = f"/subscriptions/{SUB}/resourceGroups/rg1"
READER_ID = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"


def main():
    sign_in_as_ci()

    created = az("identity", "create", "-n", "id-cli", "-g", "rg1", "-l", "westeurope", "--tags", "by=cli")
    assert created["name"] == "id-cli" and created["location"] == "westeurope", created
    assert created["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities", created
    assert created["id"] == f"{GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-cli", created
    assert created["tenantId"] == TENANT, created
    assert created["tags"] == {"by": "cli"}, created
    principal, client = created["principalId"], created["clientId"]
    assert principal and client and principal != client, created

    shown = az("identity", "show", "-n", "id-cli", "-g", "rg1")
    assert (shown["principalId"], shown["clientId"]) == (principal, client), shown
    updated = az("identity", "update", "-n", "id-cli", "-g", "rg1", "--tags", "by=update")
    assert updated["tags"] == {"by": "update"} and updated["principalId"] == principal, updated
    in_group = az("identity", "list", "-g", "rg1")
    assert [i["name"] for i in in_group] == ["id-cli"], in_group
    in_sub = az("identity", "list")
    assert [i["principalId"] for i in in_sub] == [principal], in_sub

    assigned = az(
        "role", "assignment", "create",
        "--assignee-object-id", principal, "--assignee-principal-type", "ServicePrincipal",
        "--role", "Reader", "--scope", GROUP,
    )
    assert assigned["principalId"] == principal and assigned["principalType"] == "ServicePrincipal", assigned
    assert assigned["roleDefinitionId"] == READER_ID and assigned["scope"] == GROUP, assigned
    listed = az("role", "assignment", "list", "--scope", GROUP)
    assert [a["principalId"] for a in listed if a["principalId"] == principal] == [principal], listed

    az("identity", "delete", "-n", "id-cli", "-g", "rg1")
    err = az("identity", "show", "-n", "id-cli", "-g", "rg1", ok=False)
    assert "ResourceNotFound" in err, err
    listed = az("role", "assignment", "list", "--scope", GROUP)
    assert not [a for a in listed if a["principalId"] == principal], listed
    assert az("identity", "list") == [], "the identity is gone"
    print("azure cli identity flow passed", flush=True)


if __name__ == "__main__":
    main()
