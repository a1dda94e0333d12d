"""The Azure CLI's `ad` commands against tenantry's Graph face (driven by crates/tenantry/tests/it/graph.rs).

Registers tenantry as a cloud (its metadata makes the server's base URL the Graph resource), signs in as
the demo's "ci" application (made User Administrator and Owner by the Rust side), and runs `ad user
create/list/show/update/delete`, `ad signed-in-user show` (refused for an application, as in Entra) and
`role assignment create/list/delete --assignee <UPN>` (which resolve the UPN through Graph's
`users?$filter=` and name principals through `directoryObjects/getByIds`), checking what each prints.

`ad signed-in-user show` as a user needs `az login -u -p`, hence port 443 (contract §1.4); that is left to
the single test that binds 443.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET, TENANTRY_ERIN_OID.
"""

import os

from azrun import az, use_cloud

BASE = os.environ["TENANTRY_URL"]
TENANT = os.environ["TENANTRY_TENANT"]
SUB = os.environ["TENANTRY_SUBSCRIPTION"]
ERIN = os.environ["TENANTRY_ERIN_OID"]
ERIN_UPN = "erin@alicedefault.onmicrosoft.com"
NINA_UPN = "nina@alicedefault.onmicrosoft.com"
SCOPE = f"/subscriptions/{SUB}"


def upns(users):
    return sorted(u["userPrincipalName"] for u in users)


def main():
    use_cloud("Tenantry", BASE)
    # The tenant by its domain name: az resolves it through `//{domain}/v2.0/.well-known/…` first.
    logged_in = az(
        "login", "--service-principal",
        "-u", os.environ["TENANTRY_CLIENT_ID"],
        "-p", os.environ["TENANTRY_CLIENT_SECRET"],
        "--tenant", "alicedefault.onmicrosoft.com",
    )
    assert logged_in and all(s["tenantId"] == TENANT for s in logged_in), logged_in

    # Lists show the token's directory only.
    users = az("ad", "user", "list")
    assert ERIN_UPN in upns(users), users
    assert not [u for u in upns(users) if u.endswith("@contoso.onmicrosoft.com")], users
    assert upns(az("ad", "user", "list", "--upn", ERIN_UPN)) == [ERIN_UPN]
    assert upns(az("ad", "user", "list", "--display-name", "Eri")) == [ERIN_UPN]
    assert az("ad", "user", "list", "--filter", "startswith(displayName,'Zz')") == []

    shown = az("ad", "user", "show", "--id", ERIN_UPN)
    assert shown["id"] == ERIN and shown["displayName"] == "Erin", shown
    assert az("ad", "user", "show", "--id", ERIN)["userPrincipalName"] == ERIN_UPN
    err = az("ad", "user", "show", "--id", "nobody@alicedefault.onmicrosoft.com", ok=False)
    assert "does not exist" in err, err

    created = az(
        "ad", "user", "create",
        "--display-name", "Nina", "--user-principal-name", NINA_UPN,
        "--password", "Nina-Default-1!",
    )
    assert created["userPrincipalName"] == NINA_UPN and created["id"], created
    az("ad", "user", "update", "--id", NINA_UPN, "--display-name", "Nina Zed")
    assert az("ad", "user", "show", "--id", created["id"])["displayName"] == "Nina Zed"
    err = az(
        "ad", "user", "create",
        "--display-name", "Nina", "--user-principal-name", NINA_UPN, "--password", "Nina-Default-1!",
        ok=False,
    )
    assert "already exists" in err, err
    az("ad", "user", "delete", "--id", NINA_UPN)
    assert NINA_UPN not in upns(az("ad", "user", "list"))

    # Entra refuses /me for an application; az prints Graph's message.
    err = az("ad", "signed-in-user", "show", ok=False)
    assert "/me request is only valid with delegated authentication flow." in err, err

    # --assignee <UPN>: the CLI finds the user with Graph, then names principals with getByIds.
    created = az("role", "assignment", "create", "--assignee", ERIN_UPN, "--role", "Reader", "--scope", SCOPE)
    assert created["principalId"] == ERIN and created["principalType"] == "User", created
    listed = az("role", "assignment", "list", "--assignee", ERIN_UPN, "--scope", SCOPE)
    readers = [a for a in listed if a["roleDefinitionName"] == "Reader" and a["scope"] == SCOPE]
    assert len(readers) == 1 and readers[0]["principalName"] == ERIN_UPN, listed
    everything = az("role", "assignment", "list", "--all")
    names = {a["principalName"] for a in everything}
    assert ERIN_UPN in names and os.environ["TENANTRY_CLIENT_ID"] in names, names
    az("role", "assignment", "delete", "--assignee", ERIN_UPN, "--role", "Reader", "--scope", SCOPE)

    # A service principal for automation, with a role (ci is a Global Administrator for this step).
    rbac = az("ad", "sp", "create-for-rbac", "--display-name", "deploy-bot", "--role", "Reader",
              "--scopes", SCOPE)
    assert rbac["tenant"] == TENANT and rbac["password"] and rbac["appId"], rbac
    sp = az("ad", "sp", "show", "--id", rbac["appId"])
    readers = az("role", "assignment", "list", "--assignee", sp["id"], "--scope", SCOPE)
    assert [a["roleDefinitionName"] for a in readers] == ["Reader"], readers
    # ...and it signs in with the secret it was given.
    az("login", "--service-principal", "-u", rbac["appId"], "-p", rbac["password"], "--tenant", TENANT)
    assert az("account", "show")["user"]["name"] == rbac["appId"]
    print("azure cli ad flow passed", flush=True)


if __name__ == "__main__":
    main()
