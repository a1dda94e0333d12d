"""The Azure CLI's `account management-group` commands against tenantry's ARM face (driven by
crates/tenantry/tests/it/management_groups.rs).

Signs in as the demo's "ci" application (made Global Administrator and Owner of Pay-As-You-Go by the Rust
side) and runs `account management-group create/list/show/update/delete` and `account management-group
subscription add/show-sub-under-mg/remove`, checking what each prints; then `role assignment
create/list/delete --scope` a management group for a user (by UPN), a group and a service principal (by
its application id), and the removal of the elevated assignment at `/` (after `elevateAccess`). Every command but one passes
`--no-register`: without it az registers Microsoft.Management and sleeps ten seconds before polling it,
which the one command without it proves works.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

import os

from azrun import az, az_debug, sign_in_as_ci

TENANT = os.environ["TENANTRY_TENANT"]
URL = os.environ["TENANTRY_URL"].rstrip("/")
CI_APP = os.environ["TENANTRY_CLIENT_ID"]
ERIN_UPN = "erin@alicedefault.onmicrosoft.com"
PAYG = "5b5c0000-0000-4000-8000-000000000001"
PREFIX = "/providers/Microsoft.Management/managementGroups/"


def mg(*args):
    return az("account", "management-group", *args)


def main():
    sign_in_as_ci()
    tenant = az("account", "show")["tenantId"]

    # The tenant root group, always there.
    groups = mg("list", "--no-register")
    assert [(g["name"], g["displayName"]) for g in groups] == [(tenant, "Tenant Root Group")], groups

    # create: under the root by default, under a parent by name; az waits on the long-running PUT.
    platform = mg("create", "--name", "platform", "--display-name", "Platform", "--no-register")
    assert platform["name"] == "platform" and platform["displayName"] == "Platform", platform
    assert platform["details"]["parent"]["id"] == PREFIX + tenant, platform
    prod = mg("create", "--name", "prod", "--display-name", "Prod", "--parent", "platform")
    assert prod["details"]["parent"]["name"] == "platform", prod
    assert sorted(g["name"] for g in mg("list", "--no-register")) == sorted([tenant, "platform", "prod"])

    # subscription add / show-sub-under-mg, and the tree from the root.
    mg("subscription", "add", "--name", "prod", "--subscription", PAYG)
    under = mg("subscription", "show-sub-under-mg", "--name", "prod")
    assert [s["name"] for s in under] == [PAYG], under
    tree = mg("show", "--name", tenant, "--expand", "--recurse", "--no-register")
    (p,) = tree["children"]
    assert p["name"] == "platform" and p["children"][0]["name"] == "prod", tree
    assert p["children"][0]["children"][0]["id"] == f"/subscriptions/{PAYG}", tree
    shown = mg("show", "--name", "prod", "--no-register")
    assert [e["name"] for e in shown["details"]["path"]] == [tenant, "platform", "prod"], shown

    # delete refuses a group with children.
    err = az("account", "management-group", "delete", "--name", "platform", "--no-register", ok=False)
    assert "ManagementGroupHasChildren" in err, err

    # update: rename and move under the root.
    updated = mg("update", "--name", "prod", "--display-name", "Production", "--parent", tenant)
    assert updated["displayName"] == "Production", updated
    assert updated["details"]["parent"]["id"] == PREFIX + tenant, updated

    # subscription remove: back under the root; then the empty groups go.
    mg("subscription", "remove", "--name", "prod", "--subscription", PAYG)
    assert mg("subscription", "show-sub-under-mg", "--name", "prod") == []
    mg("delete", "--name", "prod", "--no-register")
    mg("delete", "--name", "platform", "--no-register")
    assert [g["name"] for g in mg("list", "--no-register")] == [tenant]
    print("management groups: ok")


def role_assignments_at_groups():
    """`role assignment create/list/delete --scope` a group, with every kind of `--assignee`."""
    mg("create", "--name", "platform", "--display-name", "Platform", "--no-register")
    scope = PREFIX + "platform"
    builders = az("ad", "group", "create", "--display-name", "Builders", "--mail-nickname", "builders")["id"]
    for assignee, kind in [(ERIN_UPN, "User"), (builders, "Group"), (CI_APP, "ServicePrincipal")]:
        made, urls = az_debug("role", "assignment", "create", "--assignee", assignee, "--role", "Reader",
                              "--scope", scope)
        assert made["scope"] == scope and made["principalType"] == kind, made
        assert made["id"].startswith(scope + "/providers/Microsoft.Authorization/roleAssignments/"), made
        # The CLI names the role from the group's own role definitions, then PUTs at the group.
        assert any(u.startswith(URL + scope + "/providers/Microsoft.Authorization/roleDefinitions") for u in urls), urls
        assert any(u.startswith(URL + made["id"]) for u in urls), urls
    # Beside them, the Owner assignment its creator got with the group, as in Azure.
    listed = az("role", "assignment", "list", "--scope", scope)
    assert sorted((a["roleDefinitionName"], a["principalType"]) for a in listed) == [
        ("Owner", "ServicePrincipal"), ("Reader", "Group"), ("Reader", "ServicePrincipal"), ("Reader", "User"),
    ], listed
    assert [a["principalName"] for a in az("role", "assignment", "list", "--scope", scope,
                                            "--assignee", ERIN_UPN)] == [ERIN_UPN]
    for assignee in [ERIN_UPN, builders, CI_APP]:
        az("role", "assignment", "delete", "--assignee", assignee, "--role", "Reader", "--scope", scope)
    left = az("role", "assignment", "list", "--scope", scope)
    assert [(a["roleDefinitionName"], a["principalName"]) for a in left] == [("Owner", CI_APP)], left
    mg("delete", "--name", "platform", "--no-register")

    # The elevated assignment at `/`: listed there, then given up with `role assignment delete`.
    az("rest", "--method", "post", "--url",
       f"{URL}/providers/Microsoft.Authorization/elevateAccess?api-version=2015-07-01")
    at_root = az("role", "assignment", "list", "--scope", "/")
    assert [(a["scope"], a["roleDefinitionName"]) for a in at_root] == [("/", "User Access Administrator")], at_root
    _, urls = az_debug("role", "assignment", "delete", "--assignee", CI_APP, "--role", "User Access Administrator",
                       "--scope", "/")
    # What the CLI sends: the list at `/` (atScope()), then the DELETE at `/` by the assignment's name.
    deleted = URL + "/providers/Microsoft.Authorization/roleAssignments/" + at_root[0]["name"]
    assert any(u.startswith(deleted) for u in urls), urls
    assert az("role", "assignment", "list", "--scope", "/") == []
    print("role assignments at management groups: ok")


main()
role_assignments_at_groups()
