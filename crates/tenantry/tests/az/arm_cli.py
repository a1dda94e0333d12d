"""The Azure CLI against tenantry's ARM face (driven by crates/tenantry/tests/it/arm.rs).

Registers tenantry as a cloud, signs in as the demo's "ci" application, and runs the account, group,
role definition and role assignment commands, checking what each prints. `az login -u -p` needs port 443
(the contract's §1.4) and is tested by the sign-in tests, not here.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET, TENANTRY_ERIN_OID.
"""

import os
import time

from azcli import az, sign_in_as_ci

TENANT = os.environ["TENANTRY_TENANT"]
SUB = os.environ["TENANTRY_SUBSCRIPTION"]
ERIN = os.environ["TENANTRY_ERIN_OID"]
ERIN_UPN = "erin@alicedefault.onmicrosoft.com"
SCOPE = f"/subscriptions/{SUB}"
OWNER_ID = f"{SCOPE}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"


def main():
    logged_in = sign_in_as_ci()
    assert [s["id"] for s in logged_in] == [SUB], logged_in

    accounts = az("account", "list")
    assert len(accounts) == 1 and accounts[0]["id"] == SUB, accounts
    assert accounts[0]["tenantId"] == TENANT and accounts[0]["name"] == "Pay-As-You-Go", accounts
    shown = az("account", "show")
    assert shown["id"] == SUB and shown["state"] == "Enabled", shown

    group = az("group", "create", "-n", "cli-rg", "-l", "westeurope", "--tags", "by=cli")
    assert group["name"] == "cli-rg" and group["location"] == "westeurope", group
    assert group["tags"] == {"by": "cli"}, group
    assert "cli-rg" in [g["name"] for g in az("group", "list")]
    assert az("group", "exists", "-n", "cli-rg") is True
    started = time.monotonic()
    az("group", "delete", "-n", "cli-rg", "--yes")
    assert time.monotonic() - started < 20, "the delete must not wait for the 30 s default poll"
    assert az("group", "exists", "-n", "cli-rg") is False
    err = az("group", "show", "-n", "cli-rg", ok=False)
    assert "ResourceGroupNotFound" in err, err

    # Terraform and `az provider register` register providers first: any namespace is registered.
    az("provider", "register", "-n", "Microsoft.Compute")
    shown = az("provider", "show", "-n", "Microsoft.Compute")
    assert shown["registrationState"] == "Registered", shown

    owner = az("role", "definition", "list", "--name", "Owner")
    assert len(owner) == 1 and owner[0]["id"] == OWNER_ID, owner
    assert owner[0]["roleName"] == "Owner", owner

    created = az(
        "role", "assignment", "create",
        "--assignee-object-id", ERIN, "--assignee-principal-type", "User",
        "--role", "Owner", "--scope", SCOPE,
    )
    assert created["principalId"] == ERIN and created["scope"] == SCOPE, created
    assert created["roleDefinitionId"] == OWNER_ID, created
    listed = az("role", "assignment", "list", "--all")
    mine = [a for a in listed if a["principalId"] == ERIN and a["scope"] == SCOPE]
    assert len(mine) == 1 and mine[0]["roleDefinitionName"] == "Owner", listed
    az(
        "role", "assignment", "delete",
        "--assignee-object-id", ERIN, "--role", "Owner", "--scope", SCOPE,
    )
    listed = az("role", "assignment", "list", "--all")
    assert not [a for a in listed if a["principalId"] == ERIN and a["scope"] == SCOPE], listed

    # GRAPH: assignment by UPN resolves the user through Graph (`/v1.0/users?$filter=...`), which the
    # Graph face serves; this step is the meeting point of the two faces.
    by_upn = az("role", "assignment", "create", "--assignee", ERIN_UPN, "--role", "Reader", "--scope", SCOPE)
    assert by_upn["principalId"] == ERIN, by_upn
    az("role", "assignment", "delete", "--assignee", ERIN_UPN, "--role", "Reader", "--scope", SCOPE)

    token = az("account", "get-access-token")
    assert token["accessToken"] and token["tenant"] == TENANT and token["subscription"] == SUB, token
    print("azure cli flow passed", flush=True)


if __name__ == "__main__":
    main()
