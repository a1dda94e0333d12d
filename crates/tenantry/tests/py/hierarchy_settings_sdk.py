"""azure-mgmt-managementgroups' `hierarchy_settings` operations against tenantry (driven by
crates/tenantry/tests/it/hierarchy_settings.rs).

azure-identity's ClientSecretCredential signs in as the demo's "ci" application, which the Rust side made
Global Administrator and Owner of Pay-As-You-Go and, after elevating, Owner at the tenant root group. It
creates a group, makes it the default group with `create_or_update`, reads the settings with `get` and
`list`, changes one value with `update` (the other stays), sees a new group under the root refused to
nobody (the caller may write there), and deletes the settings.

Environment: TENANTRY_URL, REQUESTS_CA_BUNDLE, TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID,
TENANTRY_CLIENT_SECRET.
"""

from armsdk import KW, TENANT, credential, step
from azure.core.exceptions import HttpResponseError
from azure.mgmt.managementgroups import ManagementGroupsMgmtClient
from azure.mgmt.managementgroups.models import (
    CreateManagementGroupProperties,
    CreateManagementGroupRequest,
    CreateOrUpdateSettingsRequest,
)

PREFIX = "/providers/Microsoft.Management/managementGroups/"


def main():
    client = ManagementGroupsMgmtClient(credential(), **KW)
    request = CreateManagementGroupRequest(properties=CreateManagementGroupProperties(display_name="Landing"))
    client.management_groups.begin_create_or_update("landing", request).result()

    step("no settings yet")
    assert list(client.hierarchy_settings.list(TENANT).value or []) == []
    try:
        client.hierarchy_settings.get(TENANT)
        raise AssertionError("no settings are written yet")
    except HttpResponseError as e:
        assert e.status_code == 404 and e.error.code == "HierarchySettingsNotFound", e

    step("create_or_update, get, list")
    made = client.hierarchy_settings.create_or_update(
        TENANT,
        CreateOrUpdateSettingsRequest(require_authorization_for_group_creation=True, default_management_group="landing"),
    )
    assert made.default_management_group == PREFIX + "landing", made
    assert made.require_authorization_for_group_creation is True and made.tenant_id == TENANT, made
    got = client.hierarchy_settings.get(TENANT)
    assert got.id == PREFIX + TENANT + "/settings/default" and got.name == "default", got
    (listed,) = client.hierarchy_settings.list(TENANT).value
    assert listed.default_management_group == PREFIX + "landing", listed

    step("update changes only what it names")
    updated = client.hierarchy_settings.update(
        TENANT, CreateOrUpdateSettingsRequest(require_authorization_for_group_creation=False)
    )
    assert updated.require_authorization_for_group_creation is False, updated
    assert updated.default_management_group == PREFIX + "landing", updated

    step("delete")
    client.hierarchy_settings.delete(TENANT)
    assert list(client.hierarchy_settings.list(TENANT).value or []) == []
    client.management_groups.begin_delete("landing").result()
    print("azure-mgmt-managementgroups hierarchy_settings: ok")


main()
