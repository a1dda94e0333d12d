"""The Azure CLI against tenantry's ARM face (driven by crates/tenantry/tests/it/arm.rs).

Registers tenantry as a cloud, signs in as the demo's "ci" application, and runs the account, group,
role definition and role assignment commands, checking what each prints. `az login -u -p` needs port 443
(the contract's §1.4) and is tested by the sign-in tests, not here.

Then groups: a role assignment to the group Builders (Erin and the "builder" application), the
assignments of a member with and without its groups, and a resource group that the member creates and
an outsider (the "outsider" application, Reader on rg1) may not.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET, TENANTRY_ERIN_OID,
TENANTRY_GROUP_OID, TENANTRY_MEMBER_CLIENT_ID, TENANTRY_MEMBER_SECRET, TENANTRY_OUTSIDER_CLIENT_ID,
TENANTRY_OUTSIDER_SECRET.
"""

import json
import os
import time

from azrun import az, az_debug, sign_in_as_ci

TENANT = os.environ["TENANTRY_TENANT"]
SUB = os.environ["TENANTRY_SUBSCRIPTION"]
ERIN = os.environ["TENANTRY_ERIN_OID"]
ERIN_UPN = "erin@alicedefault.onmicrosoft.com"
SCOPE = f"/subscriptions/{SUB}"
OWNER_ID = f"{SCOPE}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR_ID = f"{SCOPE}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
GROUP = os.environ["TENANTRY_GROUP_OID"]


def login(client_id, secret):
    az("login", "--service-principal", "-u", client_id, "-p", secret, "--tenant", TENANT)


def groups():
    """Role assignments to a group with the real CLI, and their enforcement for members only."""
    created = az(
        "role", "assignment", "create",
        "--assignee-object-id", GROUP, "--assignee-principal-type", "Group",
        "--role", "Contributor", "--scope", SCOPE,
    )
    assert created["principalId"] == GROUP and created["principalType"] == "Group", created
    assert created["roleDefinitionId"] == CONTRIBUTOR_ID, created
    # A type that is not the principal's is refused as ARM refuses it.
    err = az(
        "role", "assignment", "create",
        "--assignee-object-id", GROUP, "--assignee-principal-type", "User",
        "--role", "Reader", "--scope", SCOPE, ok=False,
    )
    assert "UnmatchedPrincipalType" in err, err

    # Erin's own assignments at the subscription: none (her Reader is on rg1). With her groups: the
    # group's, named by Graph (getByIds) as the group.
    assert az("role", "assignment", "list", "--assignee", ERIN_UPN) == []
    mine, urls = az_debug("role", "assignment", "list", "--assignee", ERIN_UPN, "--include-groups")
    print("az sent: " + json.dumps([u for u in urls if "roleAssignments" in u]), flush=True)
    assert [(a["principalId"], a["principalType"], a["roleDefinitionName"]) for a in mine] == [
        (GROUP, "Group", "Contributor")
    ], mine
    assert mine[0]["principalName"] == "Builders", mine
    assert any(
        f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments?" in u
        and f"$filter=atScope() and assignedTo('{ERIN}')" in u
        for u in urls
    ), urls
    everywhere, urls = az_debug("role", "assignment", "list", "--assignee", ERIN_UPN, "--include-groups", "--all")
    print("az sent: " + json.dumps([u for u in urls if "roleAssignments" in u]), flush=True)
    assert sorted((a["principalId"], a["roleDefinitionName"]) for a in everywhere) == sorted(
        [(GROUP, "Contributor"), (ERIN, "Reader")]
    ), everywhere
    assert any(f"$filter=assignedTo('{ERIN}')" in u for u in urls), urls
    assert [a["principalId"] for a in az("role", "assignment", "list", "--assignee", ERIN_UPN, "--all")] == [ERIN]

    # A member of the group creates a resource group; an outsider, who sees the subscription as Reader
    # of rg1, may not.
    login(os.environ["TENANTRY_MEMBER_CLIENT_ID"], os.environ["TENANTRY_MEMBER_SECRET"])
    rg = az("group", "create", "-n", "builders-rg", "-l", "westeurope")
    assert rg["name"] == "builders-rg", rg
    login(os.environ["TENANTRY_OUTSIDER_CLIENT_ID"], os.environ["TENANTRY_OUTSIDER_SECRET"])
    assert [s["id"] for s in az("account", "list")] == [SUB]
    err = az("group", "create", "-n", "outsider-rg", "-l", "westeurope", ok=False)
    assert "AuthorizationFailed" in err, err
    assert [g["name"] for g in az("group", "list")] == ["rg1"]


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

    groups()
    print("azure cli flow passed", flush=True)


if __name__ == "__main__":
    main()
