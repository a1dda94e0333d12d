"""Custom roles at home in a management group with the Azure CLI (driven by
crates/tenantry/tests/it/group_roles.rs).

Signs in as the demo's "ci" application (made Global Administrator and Owner of Pay-As-You-Go by the Rust
side), makes groups `platform` > `prod` with Pay-As-You-Go under `prod`, then: `role definition create`
with the group as assignable scope (az PUTs it at the group) and with a subscription beside it (az PUTs
it at the subscription; `role definition delete` there deletes it), a PUT without a scope naming the
group (`az rest`), `role definition list --custom-role-only
--scope` at the group, below it and at the subscription, the refusals of two groups and of `/`, `role
assignment create --scope` the group with the custom role for a new service principal, which then signs
in and creates a resource group in the subscription below (and may not delete it: the role does not
say so); `role definition delete` refused while assigned, then everything removed.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

import json
import os
import uuid

from azrun import az, az_debug, sign_in_as_ci

TENANT = os.environ["TENANTRY_TENANT"]
URL = os.environ["TENANTRY_URL"].rstrip("/")
PAYG = "5b5c0000-0000-4000-8000-000000000001"
PREFIX = "/providers/Microsoft.Management/managementGroups/"
ROLE = "Platform Operator"


def mg(*args):
    return az("account", "management-group", *args, "--no-register")


def definition(scopes):
    return json.dumps({
        "Name": ROLE,
        "Description": "Creates resource groups below the platform group.",
        "Actions": [
            "Microsoft.Resources/subscriptions/read",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Resources/subscriptions/resourceGroups/write",
        ],
        "AssignableScopes": scopes,
    })


def custom_names(scope):
    return [r["roleName"] for r in az("role", "definition", "list", "--custom-role-only", "--scope", scope)]


def back_to_ci():
    az("login", "--service-principal", "-u", os.environ["TENANTRY_CLIENT_ID"],
       "-p", os.environ["TENANTRY_CLIENT_SECRET"], "--tenant", TENANT)


def main():
    sign_in_as_ci()
    mg("create", "--name", "platform", "--display-name", "Platform")
    mg("create", "--name", "prod", "--display-name", "Prod", "--parent", "platform")
    mg("create", "--name", "other", "--display-name", "Other")
    az("account", "management-group", "subscription", "add", "--name", "prod", "--subscription", PAYG)
    platform = PREFIX + "platform"

    # Made at the group it names: az PUTs at its first assignable scope.
    made, urls = az_debug("role", "definition", "create", "--role-definition", definition([platform]))
    assert made["roleType"] == "CustomRole" and made["assignableScopes"] == [platform], made
    assert any(u.startswith(URL + platform + "/providers/Microsoft.Authorization/roleDefinitions/")
               for u in urls), urls
    # Listed at the group, below it and in the subscription under it; not at a sibling.
    for scope in [platform, PREFIX + "prod", f"/subscriptions/{PAYG}"]:
        assert ROLE in custom_names(scope), scope
    assert ROLE not in custom_names(PREFIX + "other")

    # Made at the subscription with the group beside it (az PUTs at the subscription): the directory's
    # role too, at home in the group; `role definition delete` at the subscription deletes it.
    auditor = json.loads(definition([f"/subscriptions/{PAYG}", platform]))
    auditor["Name"] = "Platform Auditor"
    made2, urls = az_debug("role", "definition", "create", "--role-definition", json.dumps(auditor))
    assert any(u.startswith(f"{URL}/subscriptions/{PAYG}/providers/Microsoft.Authorization/roleDefinitions/")
               for u in urls), urls
    assert sorted(made2["assignableScopes"]) == sorted([f"/subscriptions/{PAYG}", platform]), made2
    assert "Platform Auditor" in custom_names(PREFIX + "prod")
    az("role", "definition", "delete", "--name", "Platform Auditor", "--scope", f"/subscriptions/{PAYG}")
    assert "Platform Auditor" not in custom_names(platform)

    # PUT without a scope (`az rest`), naming the group: the directory's too.
    root_put = f"{URL}/providers/Microsoft.Authorization/roleDefinitions/{uuid.uuid4()}?api-version=2022-04-01"
    body = {"properties": {"roleName": "Platform Watcher", "assignableScopes": [platform],
                           "permissions": [{"actions": ["*/read"]}]}}
    az("rest", "--method", "put", "--url", root_put, "--body", json.dumps(body))
    assert "Platform Watcher" in custom_names(PREFIX + "prod")
    az("role", "definition", "delete", "--name", "Platform Watcher", "--scope", platform)
    assert "Platform Watcher" not in custom_names(platform)

    # Azure's refusals: two management groups, and the root scope.
    err = az("role", "definition", "create", "--role-definition",
             definition([platform, PREFIX + "other"]), ok=False)
    assert "InvalidAssignableScope" in err, err
    err = az("role", "definition", "create", "--role-definition", definition([platform, "/"]), ok=False)
    assert "InvalidAssignableScope" in err, err

    # A new service principal gets the role at the group.
    app_id = az("ad", "app", "create", "--display-name", "platform-operator")["appId"]
    az("ad", "sp", "create", "--id", app_id)
    secret = az("ad", "sp", "credential", "reset", "--id", app_id)["password"]
    assigned = az("role", "assignment", "create", "--assignee", app_id, "--role", ROLE, "--scope", platform)
    assert assigned["scope"] == platform and assigned["roleDefinitionId"].endswith(made["name"]), assigned
    listed = az("role", "assignment", "list", "--scope", platform, "--assignee", app_id)
    assert [a["roleDefinitionName"] for a in listed] == [ROLE], listed

    # Still assigned: deleting the role is refused.
    err = az("role", "definition", "delete", "--name", ROLE, "--scope", platform, ok=False)
    assert "RoleDefinitionHasAssignments" in err, err

    # Signed in as that principal: the subscription below the group is visible, a resource group can be
    # made in it, not deleted.
    az("login", "--service-principal", "-u", app_id, "-p", secret, "--tenant", TENANT)
    subs = az("account", "list")
    assert [s["id"] for s in subs] == [PAYG], subs
    rg = az("group", "create", "-n", "from-platform", "-l", "westeurope", "--subscription", PAYG)
    assert rg["name"] == "from-platform", rg
    err = az("group", "delete", "-n", "from-platform", "--yes", "--subscription", PAYG, ok=False)
    assert "AuthorizationFailed" in err, err

    # Back as ci: everything goes.
    back_to_ci()
    az("group", "delete", "-n", "from-platform", "--yes", "--subscription", PAYG)
    az("role", "assignment", "delete", "--assignee", app_id, "--role", ROLE, "--scope", platform)
    az("role", "definition", "delete", "--name", ROLE, "--scope", platform)
    assert ROLE not in custom_names(platform)
    assert ROLE not in custom_names(f"/subscriptions/{PAYG}")
    az("ad", "sp", "delete", "--id", app_id)
    az("account", "management-group", "subscription", "remove", "--name", "prod", "--subscription", PAYG)
    for name in ["prod", "platform", "other"]:
        mg("delete", "--name", name)
    print("custom roles at management groups: ok")


main()
