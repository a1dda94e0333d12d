//! What tokens say of a principal's groups: the `groups` claim an application asks for with its
//! `groupMembershipClaims`, Entra's overage above 200 groups, and which application's setting applies
//! to which token (an id token: the client's; an access token: the application it is for). Entra's
//! `hasgroups` stands in for `groups` only in implicit-flow tokens, which tenantry does not issue (the
//! authorize endpoint answers `response_type=code` only).

use crate::ids::*;
use crate::model::{Application, GroupMembershipClaims};
use crate::world::World;

/// Entra names at most this many groups in a JWT (nested groups included); a principal in more gets a
/// token that says where to ask instead (the overage claim).
pub const MAX_GROUPS_IN_JWT: usize = 200;

/// The `groups` claim of one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupsClaim {
    /// The groups the principal is in, directly or through nesting: object ids, sorted, at most
    /// [`MAX_GROUPS_IN_JWT`].
    Groups(Vec<ObjectId>),
    /// More than [`MAX_GROUPS_IN_JWT`]: the token names none and points to Graph's `getMemberObjects`
    /// for the principal (`_claim_names` and `_claim_sources`).
    Overage,
}

/// The `groups` claim of a token for `object` (a user or a service principal) in `tenant`, when the
/// application's `setting` asks for one; `None` when it does not, or when the principal is in no group
/// the setting names (Entra leaves the claim out then).
pub fn groups_claim(
    world: &World,
    tenant: TenantId,
    object: ObjectId,
    setting: GroupMembershipClaims,
) -> Option<GroupsClaim> {
    if setting == GroupMembershipClaims::None {
        return None;
    }
    let part = world.tenant(tenant)?;
    let groups: Vec<ObjectId> = part
        .groups_of(object)
        .iter()
        .copied()
        .filter(|g| part.group(*g).is_some_and(|g| setting.includes(g)))
        .collect();
    match groups.len() {
        0 => None,
        n if n > MAX_GROUPS_IN_JWT => Some(GroupsClaim::Overage),
        _ => Some(GroupsClaim::Groups(groups)),
    }
}

/// The registered application of `tenant` that a token's resource names, by its client id (`{appId}`)
/// or the application id URI Entra gives it (`api://{appId}`): an access token for it carries what
/// that application asks for. Microsoft's resources (ARM, Graph) name none.
pub fn resource_application<'w>(
    world: &'w World,
    tenant: TenantId,
    resource: &str,
) -> Option<&'w Application> {
    let id = resource.trim_end_matches('/');
    let id = id.strip_prefix("api://").unwrap_or(id);
    let client_id: uuid::Uuid = id.parse().ok()?;
    world
        .application_by_client_id(client_id)
        .filter(|a| a.tenant == tenant)
}
