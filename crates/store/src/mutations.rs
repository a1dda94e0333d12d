//! Every mutation of the domain as the row operations that write it. Kept beside `World::apply_mutation`
//! in spirit: what the world does in memory, these rows do on disk, so a reload gives the same world.

use crate::batch::Op;
use crate::error::StoreResult;
use crate::{
    access, accounts, aliases, directory, groups, hierarchy, resources, subscriptions, tenants,
};
use tenantry_domain::Mutation;

/// About how many rows a mutation writes: its entities (for progress, not exact).
pub fn rows(m: &Mutation) -> usize {
    match m {
        Mutation::InsertRoleAssignments { assignments, .. } => assignments.len(),
        Mutation::AddGroupMembers { members, .. } => members.len(),
        _ => 1,
    }
}

pub(crate) fn ops(m: &Mutation, out: &mut Vec<Op>) -> StoreResult<()> {
    use Mutation::*;
    match m {
        PutAccount(a) => out.push(accounts::put(a)),
        DeleteAccount(id) => out.push(accounts::delete(*id)),
        PutTenant(t) => out.extend(tenants::put(t)?),
        PutUser(u) => out.push(directory::put_user(u)?),
        DeleteUser { tenant, user } => out.extend(directory::delete_user(*tenant, *user)),
        PutApplication(a) => out.push(directory::put_application(a)?),
        DeleteApplication { tenant, app } => {
            out.extend(directory::delete_application(*tenant, *app))
        }
        AddDirectoryRoleMember {
            tenant,
            role,
            principal,
        } => out.push(directory::add_role_member(*tenant, *role, *principal)),
        RemoveDirectoryRoleMember {
            tenant,
            role,
            principal,
        } => out.push(directory::remove_role_member(*tenant, *role, *principal)),
        PutGroup(g) => out.push(groups::put_group(g)),
        DeleteGroup { tenant, group } => out.extend(groups::delete_group(*tenant, *group)),
        AddGroupMembers {
            tenant,
            group,
            members,
        } => out.extend(groups::add_members(*tenant, *group, members)),
        RemoveGroupMembers {
            tenant,
            group,
            members,
        } => out.push(groups::remove_members(*tenant, *group, members)),
        AddGroupOwner {
            tenant,
            group,
            owner,
        } => out.push(groups::add_owner(*tenant, *group, *owner)),
        RemoveGroupOwner {
            tenant,
            group,
            owner,
        } => out.push(groups::remove_owner(*tenant, *group, *owner)),
        PutManagementGroup(g) => out.push(hierarchy::put_group(g)),
        DeleteManagementGroup { tenant, name } => out.push(hierarchy::delete_group(*tenant, name)),
        PlaceSubscription {
            tenant,
            subscription,
            parent,
        } => out.push(hierarchy::place(*tenant, *subscription, parent.as_deref())),
        PutManagementGroupAssignment(a) => out.push(hierarchy::put_assignment(a)),
        DeleteManagementGroupAssignments { tenant, ids } => {
            out.push(hierarchy::delete_assignments(*tenant, ids))
        }
        PutHierarchySettings(h) => out.push(hierarchy::put_settings(h)),
        DeleteHierarchySettings { tenant } => out.push(hierarchy::delete_settings(*tenant)),
        PutInvitation(i) => out.push(directory::put_invitation(i)),
        PutLinkRequest(r) => out.push(directory::put_link_request(r)?),
        PutSubscriptionAlias(a) => out.push(aliases::put(a)),
        DeleteSubscriptionAlias { tenant, name } => out.push(aliases::delete(*tenant, name)),
        PutSubscription(s) => out.push(subscriptions::put(s)?),
        PutResourceGroup(g) => out.push(resources::put_group(g)?),
        DeleteResourceGroup { subscription, name } => {
            out.push(resources::delete_group(*subscription, name))
        }
        PutResource(r) => out.push(resources::put_resource(r)?),
        DeleteResources {
            subscription,
            scopes,
        } => out.push(resources::delete_resources(*subscription, scopes)),
        PutRoleDefinition(d) => out.extend(access::put_role_definition(d)?),
        DeleteManagementGroupRoleDefinitions { tenant, ids } => {
            out.push(access::delete_group_role_definitions(*tenant, ids))
        }
        DeleteRoleDefinitions { subscription, ids } => {
            out.push(access::delete_role_definitions(*subscription, ids))
        }
        InsertRoleAssignments {
            subscription,
            assignments,
        } => {
            // In the primary key's order: the table is stored by that key (on SQLite without a
            // rowid), so rows inserted in its order are appended to the tree's pages instead of
            // splitting pages all over the subscription's range. Ids a client chose are random.
            let mut sorted: Vec<&tenantry_domain::RoleAssignment> = assignments.iter().collect();
            // An id's stored text (lowercase hex) sorts as the id does.
            sorted.sort_unstable_by_key(|a| a.id);
            out.extend(
                sorted
                    .into_iter()
                    .map(|a| access::put_role_assignment(*subscription, a)),
            )
        }
        DeleteRoleAssignments { subscription, ids } => {
            out.push(access::delete_role_assignments(*subscription, ids))
        }
        ClearRoleAssignments { subscription } => {
            out.push(access::clear_role_assignments(*subscription))
        }
        PutChangeRequest(r) => out.push(subscriptions::put_change_request(r)?),
        DeleteChangeRequest(s) => out.push(subscriptions::delete_change_request(*s)),
    }
    Ok(())
}
