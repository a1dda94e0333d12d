"""The Azure CLI's `ad group` commands against tenantry's Graph face (driven by
crates/tenantry/tests/it/groups.rs).

Signs in as the demo's "ci" application (made Groups Administrator by the Rust side) and runs `ad group
create/list/show/delete`, `ad group member add/remove/list/check`, `ad group owner add/remove/list`,
`ad group get-member-groups` and `ad user get-member-groups`, checking what each prints. The Azure CLI has
no `ad group update`: a group is changed with `az rest --method patch` on Graph, as Microsoft's own
documentation does. It leaves erin an owner of "Platform", for `ad signed-in-user list-owned-objects`,
which the Rust side runs next as erin.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET, TENANTRY_ERIN_OID.
"""

import json
import os

from azrun import az, use_cloud

BASE = os.environ["TENANTRY_URL"]
TENANT = os.environ["TENANTRY_TENANT"]
ERIN = os.environ["TENANTRY_ERIN_OID"]
ERIN_UPN = "erin@alicedefault.onmicrosoft.com"


def names(objects):
    return sorted(o["displayName"] for o in objects)


def main():
    use_cloud("TenantryGroups", BASE)
    az(
        "login", "--service-principal",
        "-u", os.environ["TENANTRY_CLIENT_ID"],
        "-p", os.environ["TENANTRY_CLIENT_SECRET"],
        "--tenant", TENANT, "--allow-no-subscriptions",
    )

    # create: az first looks for a group of that name and nickname, then posts a security group.
    platform = az("ad", "group", "create", "--display-name", "Platform", "--mail-nickname", "platform",
                  "--description", "Platform team")
    assert platform["displayName"] == "Platform" and platform["mailNickname"] == "platform", platform
    assert platform["securityEnabled"] is True and platform["mailEnabled"] is False, platform
    assert platform["groupTypes"] == [] and platform["description"] == "Platform team", platform
    again = az("ad", "group", "create", "--display-name", "Platform", "--mail-nickname", "platform")
    assert again["id"] == platform["id"], "az finds the group it made rather than making another"
    engineering = az("ad", "group", "create", "--display-name", "Engineering", "--mail-nickname", "engineering")

    # list and show, by id and by name (az resolves a name with $filter=displayName eq '…').
    assert names(az("ad", "group", "list")) == ["Engineering", "Platform"]
    assert names(az("ad", "group", "list", "--display-name", "Pla")) == ["Platform"]
    assert names(az("ad", "group", "list", "--filter", "mailNickname eq 'engineering'")) == ["Engineering"]
    assert az("ad", "group", "show", "--group", "Platform")["id"] == platform["id"]
    assert az("ad", "group", "show", "--group", engineering["id"])["displayName"] == "Engineering"
    err = az("ad", "group", "show", "--group", "Nobody", ok=False)
    assert "No group matches the name of 'Nobody'" in err, err

    # update: az has no `ad group update`; Graph's PATCH through `az rest`, with a Graph token (the cloud's
    # Graph and ARM share one URL here, so az is told which resource it calls).
    graph = az("cloud", "show")["endpoints"]["microsoftGraphResourceId"]
    az("rest", "--method", "patch", "--url", f"{BASE}/v1.0/groups/{platform['id']}", "--resource", graph,
       "--body", json.dumps({"description": "Runs the platform"}))
    assert az("ad", "group", "show", "--group", "Platform")["description"] == "Runs the platform"

    # members, nested, checked transitively; a cycle refused with its path.
    az("ad", "group", "member", "add", "--group", "Engineering", "--member-id", ERIN)
    az("ad", "group", "member", "add", "--group", "Platform", "--member-id", engineering["id"])
    members = az("ad", "group", "member", "list", "--group", "Platform")
    assert [(m["@odata.type"], m["displayName"]) for m in members] == [("#microsoft.graph.group", "Engineering")]
    assert [m["userPrincipalName"] for m in az("ad", "group", "member", "list", "--group", "Engineering")] == [ERIN_UPN]
    assert az("ad", "group", "member", "check", "--group", "Platform", "--member-id", ERIN) == {"value": True}
    err = az("ad", "group", "member", "add", "--group", "Engineering", "--member-id", platform["id"], ok=False)
    assert "Engineering → Platform → Engineering" in err, err
    err = az("ad", "group", "member", "add", "--group", "Engineering", "--member-id", ERIN, ok=False)
    assert "already exist" in err, err

    # what a member is in.
    groups = az("ad", "user", "get-member-groups", "--id", ERIN_UPN)
    assert sorted((g["id"], g["displayName"]) for g in groups) == sorted(
        [(platform["id"], "Platform"), (engineering["id"], "Engineering")]), groups
    assert az("ad", "user", "get-member-groups", "--id", ERIN, "--security-enabled-only")
    assert az("ad", "group", "get-member-groups", "--group", "Engineering") == [platform["id"]]

    # owners: add (az lists them first, so adding twice is fine), list, remove.
    az("ad", "group", "owner", "add", "--group", "Engineering", "--owner-object-id", ERIN)
    az("ad", "group", "owner", "add", "--group", "Engineering", "--owner-object-id", ERIN)
    assert [o["id"] for o in az("ad", "group", "owner", "list", "--group", "Engineering")] == [ERIN]
    az("ad", "group", "owner", "remove", "--group", "Engineering", "--owner-object-id", ERIN)
    assert az("ad", "group", "owner", "list", "--group", "Engineering") == []
    az("ad", "group", "owner", "add", "--group", "Platform", "--owner-object-id", ERIN)

    # removing a member ends the nested membership too.
    az("ad", "group", "member", "remove", "--group", "Engineering", "--member-id", ERIN)
    assert az("ad", "group", "member", "check", "--group", "Platform", "--member-id", ERIN) == {"value": False}
    assert az("ad", "group", "member", "list", "--group", "Engineering") == []

    # delete: the group goes, and with it its membership in Platform.
    scratch = az("ad", "group", "create", "--display-name", "Scratch", "--mail-nickname", "scratch")
    az("ad", "group", "member", "add", "--group", "Platform", "--member-id", scratch["id"])
    az("ad", "group", "delete", "--group", scratch["id"])
    assert names(az("ad", "group", "list")) == ["Engineering", "Platform"]
    assert names(az("ad", "group", "member", "list", "--group", "Platform")) == ["Engineering"]
    print("azure cli ad group flow passed", flush=True)


if __name__ == "__main__":
    main()
