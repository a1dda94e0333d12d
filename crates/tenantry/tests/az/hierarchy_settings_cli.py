"""The Azure CLI's `account management-group hierarchy-settings` commands against tenantry's ARM face
(driven by crates/tenantry/tests/it/hierarchy_settings.rs).

Signs in as the demo's "ci" application (made Global Administrator and Owner of Pay-As-You-Go by the Rust
side), which holds nothing at the tenant root group until it elevates (`elevateAccess`) and assigns itself
Owner there; then `hierarchy-settings create/list/update/delete`, checking what each prints: the default
group answered as its full id, an update that changes only what it names, the default group that cannot
be deleted, and the list empty again after the delete.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

import os

from azrun import az, sign_in_as_ci

URL = os.environ["TENANTRY_URL"].rstrip("/")
CI_APP = os.environ["TENANTRY_CLIENT_ID"]
PREFIX = "/providers/Microsoft.Management/managementGroups/"


def settings(*args, ok=True):
    return az("account", "management-group", "hierarchy-settings", *args, ok=ok)


def main():
    sign_in_as_ci()
    tenant = az("account", "show")["tenantId"]

    # A Global Administrator holds nothing at the root group before elevating.
    err = settings("list", "--name", tenant, ok=False)
    assert "AuthorizationFailed" in err, err
    az("rest", "--method", "post", "--url",
       f"{URL}/providers/Microsoft.Authorization/elevateAccess?api-version=2015-07-01")
    az("role", "assignment", "create", "--assignee", CI_APP, "--role", "Owner", "--scope", PREFIX + tenant)
    # The list is one object (`value`, never paged), as the SDK returns it.
    assert settings("list", "--name", tenant)["value"] == []

    az("account", "management-group", "create", "--name", "landing", "--no-register")
    made = settings("create", "--name", tenant, "--default-management-group", "landing",
                    "--require-authorization-for-group-creation", "true")
    assert made["defaultManagementGroup"] == PREFIX + "landing", made
    assert made["requireAuthorizationForGroupCreation"] is True, made
    assert made["tenantId"] == tenant and made["name"] == "default", made
    (listed,) = settings("list", "--name", tenant)["value"]
    assert listed["id"] == PREFIX + tenant + "/settings/default", listed

    # update (a PATCH) changes what it names only. (Not `-r false`: the CLI takes the flag's value as a
    # string, which its serializer sends as true.)
    az("account", "management-group", "create", "--name", "other", "--no-register")
    updated = settings("update", "--name", tenant, "--default-management-group", PREFIX + "other")
    assert updated["defaultManagementGroup"] == PREFIX + "other", updated
    assert updated["requireAuthorizationForGroupCreation"] is True, updated

    err = az("account", "management-group", "delete", "--name", "other", "--no-register", ok=False)
    assert "ManagementGroupIsDefault" in err, err
    settings("delete", "--name", tenant, "--yes")
    assert settings("list", "--name", tenant)["value"] == []
    for name in ["other", "landing"]:
        az("account", "management-group", "delete", "--name", name, "--no-register")
    print("hierarchy settings: ok")


main()
