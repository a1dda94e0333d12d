"""The Python SDKs against tenantry's ARM face (driven by crates/tenantry/tests/it/arm.rs).

azure-identity's ClientSecretCredential signs in as the demo's "ci" application; azure-mgmt-subscription,
azure-mgmt-resource-subscriptions, azure-mgmt-resource (ResourceManagementClient from
azure.mgmt.resource.resources, see the contract's pitfalls) and azure-mgmt-authorization then list
subscriptions and tenants, create, list and delete a resource group (a long-running delete), list the
classic administrators, find a role by name, and create, list and delete a role assignment.
Then groups: Contributor for the group Builders (principal_type "Group"), the assignments of a member
application with assignedTo() (its group's among them), and a resource group that the member creates with
its own ClientSecretCredential and that an outsider (Reader on rg1, in no group) may not.

Environment: TENANTRY_URL, REQUESTS_CA_BUNDLE, TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID,
TENANTRY_CLIENT_SECRET, TENANTRY_ERIN_OID (a principal to assign a role to), TENANTRY_GROUP_OID,
TENANTRY_MEMBER_OID, TENANTRY_MEMBER_CLIENT_ID, TENANTRY_MEMBER_SECRET, TENANTRY_OUTSIDER_CLIENT_ID,
TENANTRY_OUTSIDER_SECRET.
"""

import os
import time
import uuid

from azure.core.exceptions import HttpResponseError
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.models import RoleAssignmentCreateParameters
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.subscriptions import SubscriptionClient as ResourceSubscriptionClient
from azure.mgmt.subscription import SubscriptionClient

from armsdk import KW, SUB, TENANT, credential, step

ERIN = os.environ["TENANTRY_ERIN_OID"]
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"


def main():
    cred = credential()
    kw = KW

    step("subscriptions and tenants (azure-mgmt-subscription, api 2016-06-01)")
    subs = list(SubscriptionClient(cred, **kw).subscriptions.list())
    assert [s.subscription_id for s in subs] == [SUB], subs
    assert subs[0].display_name == "Pay-As-You-Go" and subs[0].state == "Enabled", subs[0]
    tenants = list(SubscriptionClient(cred, **kw).tenants.list())
    assert [t.tenant_id for t in tenants] == [TENANT], tenants

    step("subscriptions and tenants (azure-mgmt-resource-subscriptions, api 2022-12-01)")
    rsc = ResourceSubscriptionClient(cred, **kw)
    subs = list(rsc.subscriptions.list())
    assert subs[0].id == f"/subscriptions/{SUB}" and subs[0].tenant_id == TENANT, subs[0]
    one = rsc.subscriptions.get(SUB)
    assert one.display_name == "Pay-As-You-Go", one
    tenants = list(rsc.tenants.list())
    assert tenants[0].tenant_id == TENANT and tenants[0].display_name == "Default Directory", tenants[0]

    step("resource groups: create, exists, list, long-running delete")
    rm = ResourceManagementClient(cred, SUB, **kw)
    rg = rm.resource_groups.create_or_update("sdk-rg", {"location": "westeurope", "tags": {"by": "sdk"}})
    assert rg.name == "sdk-rg" and rg.location == "westeurope" and rg.tags == {"by": "sdk"}, rg
    assert rm.resource_groups.check_existence("sdk-rg") is True
    names = [g.name for g in rm.resource_groups.list()]
    assert "sdk-rg" in names and "rg1" in names, names
    started = time.monotonic()
    rm.resource_groups.begin_delete("sdk-rg").result()
    assert time.monotonic() - started < 10, "the delete must not wait for the 30 s default poll"
    assert rm.resource_groups.check_existence("sdk-rg") is False
    assert "sdk-rg" not in [g.name for g in rm.resource_groups.list()]

    step("classic administrators (api 2015-07-01)")
    auth = AuthorizationManagementClient(cred, SUB, **kw)
    admins = {a.email_address: a.role for a in auth.classic_administrators.list()}
    assert admins["alice@outlook.com"] == "ServiceAdministrator;AccountAdministrator", admins
    assert admins["dave@outlook.com"] == "CoAdministrator", admins

    step("role definitions with a filter")
    scope = f"/subscriptions/{SUB}"
    owner = list(auth.role_definitions.list(scope, filter="roleName eq 'Owner'"))
    assert len(owner) == 1, owner
    assert owner[0].id == f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}", owner[0].id

    step("role assignments: create, conflict, list, delete")
    name = str(uuid.uuid4())
    created = auth.role_assignments.create(
        scope,
        name,
        RoleAssignmentCreateParameters(role_definition_id=owner[0].id, principal_id=ERIN, principal_type="User"),
    )
    assert created.name == name and created.scope == scope, created
    assert created.role_definition_id == owner[0].id, created
    try:
        auth.role_assignments.create(
            scope,
            str(uuid.uuid4()),
            RoleAssignmentCreateParameters(role_definition_id=owner[0].id, principal_id=ERIN),
        )
        raise AssertionError("a duplicate assignment was accepted")
    except HttpResponseError as e:
        assert e.status_code == 409 and e.error.code == "RoleAssignmentExists", e
    listed = [a for a in auth.role_assignments.list_for_subscription() if a.name == name]
    assert len(listed) == 1 and listed[0].scope == scope, listed
    mine = list(auth.role_assignments.list_for_subscription(filter=f"principalId eq '{ERIN}'"))
    assert {a.role_definition_id.rsplit("/", 1)[1] for a in mine} >= {OWNER}, mine
    deleted = auth.role_assignments.delete(scope, name)
    assert deleted is not None and deleted.name == name, deleted
    assert name not in [a.name for a in auth.role_assignments.list_for_subscription()]

    groups(auth, scope, kw)
    print("python SDK flow passed", flush=True)


def groups(auth, scope, kw):
    step("a role assignment to a group, found through a member with assignedTo()")
    group = os.environ["TENANTRY_GROUP_OID"]
    member = os.environ["TENANTRY_MEMBER_OID"]
    contributor = list(auth.role_definitions.list(scope, filter="roleName eq 'Contributor'"))[0]
    name = str(uuid.uuid4())
    created = auth.role_assignments.create(
        scope,
        name,
        RoleAssignmentCreateParameters(
            role_definition_id=contributor.id, principal_id=group, principal_type="Group"
        ),
    )
    assert created.principal_id == group and created.principal_type == "Group", created
    try:
        auth.role_assignments.create(
            scope,
            str(uuid.uuid4()),
            RoleAssignmentCreateParameters(
                role_definition_id=contributor.id, principal_id=group, principal_type="User"
            ),
        )
        raise AssertionError("a group was accepted as a User")
    except HttpResponseError as e:
        assert e.status_code == 400 and e.error.code == "UnmatchedPrincipalType", e
    own = list(auth.role_assignments.list_for_subscription(filter=f"principalId eq '{member}'"))
    assert name not in [a.name for a in own], own
    through = list(auth.role_assignments.list_for_subscription(filter=f"assignedTo('{member}')"))
    assert name in [a.name for a in through], through

    step("a member creates a resource group; an outsider may not")
    rm = ResourceManagementClient(
        credential(os.environ["TENANTRY_MEMBER_CLIENT_ID"], os.environ["TENANTRY_MEMBER_SECRET"]), SUB, **kw
    )
    rg = rm.resource_groups.create_or_update("builders-sdk-rg", {"location": "westeurope"})
    assert rg.name == "builders-sdk-rg", rg
    outsider = ResourceManagementClient(
        credential(os.environ["TENANTRY_OUTSIDER_CLIENT_ID"], os.environ["TENANTRY_OUTSIDER_SECRET"]), SUB, **kw
    )
    try:
        outsider.resource_groups.create_or_update("outsider-sdk-rg", {"location": "westeurope"})
        raise AssertionError("an outsider created a resource group")
    except HttpResponseError as e:
        assert e.status_code == 403 and e.error.code == "AuthorizationFailed", e
    assert [g.name for g in outsider.resource_groups.list()] == ["rg1"]

    step("the group's assignment removed: the member may no longer write")
    auth.role_assignments.delete(scope, name)
    try:
        rm.resource_groups.create_or_update("builders-sdk-rg2", {"location": "westeurope"})
        raise AssertionError("a former grant still allowed a write")
    except HttpResponseError as e:
        assert e.status_code == 403 and e.error.code == "AuthorizationFailed", e


if __name__ == "__main__":
    main()
