//! Changing a subscription's directory ("edit directory", `changeTenantRequest`). Planning is a pure
//! function of the world: the preview lists everything that will go (every co-administrator, every role
//! assignment, every custom role — the 2017 portal warned only about co-administrators) and everything
//! that blocks it, each blocker with its remedy. Applying writes the plan in one transaction. An optional
//! principal map re-grants what was removed to principals of the destination, in the same transaction;
//! it may map a group to a group of the destination (`group:NAME`, its object id or display name), and
//! the preview says how many people and applications each group-held assignment reaches.

use super::*;
use crate::audit::AuditEvent;
use crate::error::ErrorKind;
use crate::mutation::{Change, Mutation};
use crate::rules::admins::ClassicRole;
use serde::Serialize;
use std::collections::BTreeSet;

/// Blocker codes. `InitiatorNotInDestination` is the one that a request waiting for acceptance resolves.
pub mod codes {
    pub const NOT_ADMINISTRATOR: &str = "NotServiceOrAccountAdministrator";
    pub const INITIATOR_NOT_IN_DESTINATION: &str = "InitiatorNotInDestination";
    /// Azure's code for a token of another tenant than the subscription's.
    pub const WRONG_TOKEN_TENANT: &str = "InvalidAuthenticationTokenTenant";
    pub const ASSIGNMENT_LIMIT: &str = "RoleAssignmentLimitExceeded";
    pub const CO_ADMIN_LIMIT: &str = "CoAdministratorLimitExceeded";
    pub const ENTERING_BLOCKED: &str = "SubscriptionEnteringBlocked";
    pub const LEAVING_BLOCKED: &str = "SubscriptionLeavingBlocked";
    pub const SA_IS_MEMBER: &str = "ServiceAdministratorIsMemberOfDestination";
    pub const SA_AMBIGUOUS: &str = "ServiceAdministratorEmailAmbiguous";
    pub const SA_NOT_PRESENT: &str = "ServiceAdministratorNotInDestination";
    pub const SAME_TENANT: &str = "SameDirectory";
    pub const REQUEST_PENDING: &str = "ChangeRequestPending";
    pub const SUBSCRIPTION_NOT_ACTIVE: &str = "SubscriptionNotActive";
    pub const MAP_SOURCE: &str = "PrincipalMapSourceNotFound";
    pub const MAP_TARGET: &str = "PrincipalMapTargetNotFound";
}

/// The actions a refusal names when the caller may not learn of the subscription.
pub mod actions {
    pub const WRITE: &str = "Microsoft.Subscription/changeTenantRequest/write";
    pub const ACCEPT: &str = "Microsoft.Subscription/changeTenantRequest/accept/action";
    pub const DELETE: &str = "Microsoft.Subscription/changeTenantRequest/delete";
}

/// Whether the caller may accept (or cancel) the waiting request `r`: the destination owner it names,
/// signed in to the destination and present there, or else a Global Administrator of the destination.
/// Whether `actor` may start a change of `sub`'s directory: its service administrator or account
/// administrator (as in the article: co-administrators cannot), or the operator. What else blocks a
/// change (the signed-in directory, the destination) the review lists.
pub fn may_initiate(actor: &Actor, sub: &Subscription) -> bool {
    actor.is_operator()
        || actor
            .identity()
            .is_some_and(|i| i == sub.service_admin || i == sub.account_admin)
}

/// [`may_initiate`] for a subscription by id (`false` when there is none): what the portal asks
/// before it offers the Change directory wizard.
pub fn may_change_directory(world: &World, actor: &Actor, subscription: SubscriptionId) -> bool {
    world
        .subscription(subscription)
        .is_some_and(|p| may_initiate(actor, &p.subscription))
}

pub fn may_accept(world: &World, actor: &Actor, r: &ChangeTenantRequest) -> bool {
    match r.destination_owner {
        Some(owner) => {
            actor.tenant() == Some(r.destination)
                && actor.object_id() == Some(owner)
                && world
                    .principal(r.destination, owner)
                    .is_some_and(|p| p.is_present())
        }
        None => holds_directory_role(world, actor, r.destination, DIRECTORY_ADMINISTRATORS),
    }
}

/// The destination a change of `subscription` names (a GUID, one of its domains or its name) and the
/// destination owner (an object id, UPN or email there), resolved only for a caller who may learn of the
/// subscription: anyone else is refused as for a subscription that does not exist, whatever they name.
pub fn named_destination(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    destination: &str,
    owner: Option<&str>,
) -> Result<(TenantId, Option<ObjectId>), DomainError> {
    crate::rules::reads::known_subscription(world, actor, subscription, actions::WRITE)?;
    let dest = require_tenant_by_key(world, destination)?.tenant.id;
    let owner = owner
        .map(|key| {
            world
                .find_principal(dest, key)
                .map(|p| p.id())
                .ok_or_else(|| {
                    DomainError::invalid(
                        "PrincipalNotFound",
                        format!("The principal '{key}' does not exist in the directory '{dest}'."),
                    )
                    .with_arg("name", key.to_string())
                    .with_arg("destination", dest.to_string())
                    .with_variant("named-destination")
                })
        })
        .transpose()?;
    Ok((dest, owner))
}

/// A role assignment as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignmentImpact {
    pub assignment: RoleAssignment,
    pub principal_name: String,
    pub role_name: String,
    /// For an assignment to a group: how many users and service principals the group reaches, directly
    /// or through nested groups (who gains or loses what it grants).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_reach: Option<usize>,
}

/// Everything a change of directory does, computed before anything is written.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeDirectoryPlan {
    pub subscription: SubscriptionId,
    pub source: TenantId,
    pub destination: TenantId,
    pub blockers: Vec<DomainError>,
    pub removed_co_admins: Vec<(Identity, String)>,
    pub removed_assignments: Vec<AssignmentImpact>,
    pub removed_custom_roles: Vec<RoleDefinition>,
    /// Administrators who keep access: the service administrator and the account administrator.
    pub retained_admins: Vec<(Identity, String, ClassicRole)>,
    /// Re-granted through the principal map.
    pub regranted_assignments: Vec<AssignmentImpact>,
    pub regranted_co_admins: Vec<(Identity, String)>,
    /// Custom roles kept because a re-granted assignment uses them.
    pub kept_custom_roles: Vec<RoleDefinition>,
    /// The service administrator's guest object to create in the destination, when absent.
    #[serde(skip)]
    pub service_admin_guest: Option<User>,
    /// The managed identities of the subscription's resources: Azure breaks them; tenantry re-creates
    /// each in the destination with new ids, re-grants its role assignments in the subscription to the new
    /// principal, and removes the old principal with its assignments elsewhere.
    pub managed_identities: Vec<IdentityMove>,
    /// Applications of the source that lose their access to the subscription and sign in without a
    /// secret (certificates, federated credentials): their credentials stay in the source directory and
    /// keep working there; the preview says so, so that nobody re-creates a trust that is not broken.
    pub kept_credentials: Vec<CredentialsKept>,
    /// The management group of the source the subscription leaves (the source's root group unless it
    /// was placed elsewhere): it lands under the destination's default group (its root unless its
    /// hierarchy settings name another).
    pub leaves_management_group: Option<ManagementGroup>,
    /// Role assignments at the groups above it (and at the root scope) of the source, which stop
    /// applying to it: each with the group it comes from.
    pub inherited_assignments_lost: Vec<InheritedAssignmentLost>,
    /// Role assignments in the subscription that name a custom role at home in a management group of
    /// the source: the role stays with the source, so they stop applying and are not re-granted, as in
    /// Azure. Removed with the others (they are among `removed_assignments` too).
    pub assignments_losing_role: Vec<AssignmentImpact>,
}

/// An assignment at a management group above the subscription that stops applying when it leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InheritedAssignmentLost {
    pub assignment: ManagementGroupRoleAssignment,
    pub principal_name: String,
    pub role_name: String,
    /// The group's display name (`/` for the root scope).
    pub management_group: String,
}

/// An application whose secretless credentials a change of directory leaves as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsKept {
    pub application_id: uuid::Uuid,
    pub display_name: String,
    pub certificates: usize,
    pub federated_credentials: usize,
}

/// A managed identity re-created in the destination.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityMove {
    pub resource: Scope,
    pub kind: ManagedIdentityKind,
    pub old_principal_id: ObjectId,
    pub old_client_id: uuid::Uuid,
    pub new_principal_id: ObjectId,
    pub new_client_id: uuid::Uuid,
    /// The new service principal.
    #[serde(skip)]
    pub principal: Application,
}

/// What the review of a change offers: the one action that can succeed now, so that a page never shows a
/// refusal beside a button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStep {
    /// Nothing stops it: the change applies at once.
    Apply,
    /// Only the initiator's absence from the destination stands in the way (and what the acceptance
    /// decides): the change can be requested, and waits for a Global Administrator of the destination.
    Request,
    /// A change of this subscription already waits for acceptance: it can be cancelled, not asked again.
    AlreadyRequested,
    /// Something else stops it: the blockers say what.
    Blocked,
}

impl ChangeDirectoryPlan {
    /// The step the review offers ([`ReviewStep`]).
    pub fn review_step(&self) -> ReviewStep {
        if self.blockers.is_empty() {
            ReviewStep::Apply
        } else if self
            .blockers
            .iter()
            .any(|b| b.code == codes::REQUEST_PENDING)
        {
            ReviewStep::AlreadyRequested
        } else if self.needs_acceptance_only() {
            ReviewStep::Request
        } else {
            ReviewStep::Blocked
        }
    }

    /// With a request ([`ReviewStep::Request`]): what its acceptance will check (the destination's
    /// entering policy), the blockers other than the initiator's absence that the request is for.
    pub fn checked_on_acceptance(&self) -> impl Iterator<Item = &DomainError> {
        let requesting = self.review_step() == ReviewStep::Request;
        self.blockers
            .iter()
            .filter(move |b| requesting && b.code != codes::INITIATOR_NOT_IN_DESTINATION)
    }

    /// True when the initiator's absence from the destination blocks, and nothing else but what the
    /// acceptance decides (the destination's entering policy, checked against whoever accepts): a request
    /// can wait for acceptance.
    pub fn needs_acceptance_only(&self) -> bool {
        self.blockers
            .iter()
            .any(|b| b.code == codes::INITIATOR_NOT_IN_DESTINATION)
            && self.blockers.iter().all(|b| {
                b.code == codes::INITIATOR_NOT_IN_DESTINATION || b.code == codes::ENTERING_BLOCKED
            })
    }
    /// The refusal to return when applying now is not possible: 403 for permissions, 409 for conflicts.
    pub fn refusal(&self) -> Option<DomainError> {
        let first = self.blockers.first()?;
        let kind = if self.blockers.iter().any(|b| b.kind == ErrorKind::Forbidden) {
            ErrorKind::Forbidden
        } else if self.blockers.iter().any(|b| b.kind == ErrorKind::Invalid) {
            ErrorKind::Invalid
        } else {
            ErrorKind::Conflict
        };
        let mut e = DomainError::new(kind, first.code.clone(), first.message.clone())
            .with_details(self.blockers.clone());
        e.remedy = first.remedy.clone();
        e.args = first.args.clone();
        Some(e)
    }
}

/// Who starts the change: the initiator is the service or account administrator, acting at `now`.
#[derive(Debug, Clone, Copy)]
pub enum Approval {
    /// The initiator applies it at once (they must be present in the destination).
    Initiator,
    /// A principal of the destination accepted a waiting request.
    AcceptedBy(ObjectId),
}

/// Plans the change. `initiator` is the caller's identity (or `None` for the operator).
pub fn plan(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    destination: TenantId,
    principal_map: &[PrincipalMapEntry],
    approval: Approval,
    now: Timestamp,
) -> Result<ChangeDirectoryPlan, DomainError> {
    let s = crate::rules::reads::known_subscription(world, actor, subscription, actions::WRITE)?;
    let dest = require_tenant(world, destination)?;
    let sub = &s.subscription;
    let source = sub.tenant;
    let mut blockers = Vec::new();

    if destination == source {
        blockers.push(
            DomainError::invalid(
                codes::SAME_TENANT,
                format!(
                    "The subscription '{}' already trusts '{}'.",
                    sub.display_name, dest.tenant.display_name
                ),
            )
            .with_arg("subscription", sub.display_name.to_string())
            .with_arg("destination", dest.tenant.display_name.to_string()),
        );
    }
    if sub.state != SubscriptionState::Enabled {
        blockers.push(
            DomainError::conflict(
                codes::SUBSCRIPTION_NOT_ACTIVE,
                format!(
                    "The subscription is {}; only an active subscription can change its directory.",
                    sub.state.as_str()
                ),
            )
            .with_arg("state", sub.state.as_str().to_string())
            .with_remedy("Reactivate the subscription first."),
        );
    }
    initiator_blockers(world, actor, sub, dest, approval, &mut blockers);
    // The preview shows who has access: only to whoever may change the directory or read that access.
    if let Some(b) = blockers.iter().find(|b| b.kind == ErrorKind::Forbidden)
        && !world.authorize(
            actor,
            &crate::action::Action::new(crate::action::names::ROLE_ASSIGNMENT_READ),
            &Scope::subscription(subscription),
        )
    {
        return Err(b.clone());
    }
    if let Some(r) = &s.change_request
        && r.status == RequestStatus::Pending
        && r.expires > now
        && matches!(approval, Approval::Initiator)
    {
        blockers.push(
            DomainError::conflict(
                codes::REQUEST_PENDING,
                format!(
                    "A change to '{}' is waiting for acceptance until {}.",
                    world
                        .tenant(r.destination)
                        .map(|t| t.tenant.display_name.clone())
                        .unwrap_or_default(),
                    crate::timestamps::format_timestamp(r.expires)
                ),
            )
            .with_arg(
                "destination",
                world
                    .tenant(r.destination)
                    .map(|t| t.tenant.display_name.clone())
                    .unwrap_or_default()
                    .to_string(),
            )
            .with_arg(
                "expires",
                crate::timestamps::format_timestamp(r.expires).to_string(),
            )
            .with_remedy("Cancel that request first, or have it accepted."),
        );
    }
    // Who moves the subscription out: the caller, or the initiator of the request being accepted.
    let initiator = match approval {
        Approval::Initiator => actor.identity(),
        Approval::AcceptedBy(_) => s.change_request.as_ref().map(|r| r.initiator),
    };
    policy_blockers(world, actor, initiator, sub, dest, approval, &mut blockers);
    service_admin_blockers(world, sub, dest, &mut blockers);

    let mut plan = ChangeDirectoryPlan {
        subscription,
        source,
        destination,
        blockers: vec![],
        removed_co_admins: vec![],
        removed_assignments: vec![],
        removed_custom_roles: vec![],
        retained_admins: vec![],
        regranted_assignments: vec![],
        regranted_co_admins: vec![],
        kept_custom_roles: vec![],
        service_admin_guest: None,
        managed_identities: vec![],
        kept_credentials: vec![],
        assignments_losing_role: vec![],
        inherited_assignments_lost: crate::rules::hierarchy_access::inherited_by_subscription(
            world,
            subscription,
        )
        .into_iter()
        .map(|a| InheritedAssignmentLost {
            principal_name: world
                .principal(source, a.principal)
                .map(|p| p.name())
                .unwrap_or_else(|| a.principal.to_string()),
            role_name: world
                .tenant(source)
                .and_then(|t| world.group_role_definition(t, a.role_definition))
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            management_group: world
                .tenant(source)
                .and_then(|t| t.management_group(&a.management_group))
                .map_or_else(|| a.management_group.clone(), |g| g.display_name.clone()),
            assignment: a,
        })
        .collect(),
        leaves_management_group: world.tenant(source).and_then(|t| {
            t.management_group(&t.subscription_parent(subscription))
                .map(std::borrow::Cow::into_owned)
        }),
    };
    if destination != source {
        plan.managed_identities = identity_moves(world, s, destination);
    }
    plan.retained_admins.push((
        sub.service_admin,
        email_of(world, sub.service_admin),
        ClassicRole::ServiceAdministrator,
    ));
    if sub.account_admin != sub.service_admin {
        plan.retained_admins.push((
            sub.account_admin,
            email_of(world, sub.account_admin),
            ClassicRole::AccountAdministrator,
        ));
    }
    if world.presence(sub.service_admin, destination).is_none()
        && world.identity_exists(sub.service_admin)
    {
        plan.service_admin_guest = Some(new_guest(world, &dest.tenant, sub.service_admin, now));
    }
    let map = resolve_map(world, sub, dest, principal_map, &mut blockers);
    fill_removals(world, s, dest, &map, &mut plan);
    plan.kept_credentials = kept_credentials(world, source, &plan.removed_assignments);
    if plan.regranted_assignments.len() > MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION {
        blockers.push(
            DomainError::conflict(
                codes::ASSIGNMENT_LIMIT,
                format!(
                    "The principal map re-grants {} role assignments; a subscription may have {MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION}.",
                    plan.regranted_assignments.len()
                ),
            )
            .with_arg("count", plan.regranted_assignments.len().to_string())
            .with_arg("max_role_assignments_per_subscription", MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION.to_string())
            .with_variant("plan")
            .with_remedy("Map each old principal to fewer new ones, or to a group."),
        );
    }
    if plan.regranted_co_admins.len() > MAX_CO_ADMINS {
        blockers.push(
            DomainError::conflict(
                codes::CO_ADMIN_LIMIT,
                format!(
                    "The principal map makes {} co-administrators; a subscription may have {MAX_CO_ADMINS}.",
                    plan.regranted_co_admins.len()
                ),
            )
            .with_arg("count", plan.regranted_co_admins.len().to_string())
            .with_arg("max_co_admins", MAX_CO_ADMINS.to_string())
            .with_variant("plan")
            .with_remedy("Map the co-administrators to fewer principals, or re-grant Owner with role assignments."),
        );
    }
    plan.blockers = blockers;
    Ok(plan)
}

/// The applications of `source` among the principals that lose an assignment, with a certificate or a
/// federated credential, each once.
fn kept_credentials(
    world: &World,
    source: TenantId,
    removed: &[AssignmentImpact],
) -> Vec<CredentialsKept> {
    let Some(part) = world.tenant(source) else {
        return vec![];
    };
    let mut seen = std::collections::BTreeSet::new();
    removed
        .iter()
        .filter_map(|a| part.applications.get(&a.assignment.principal))
        .filter(|app| !app.certificates.is_empty() || !app.federated_credentials.is_empty())
        .filter(|app| seen.insert(app.id))
        .map(|app| CredentialsKept {
            application_id: app.client_id,
            display_name: app.display_name.clone(),
            certificates: app.certificates.len(),
            federated_credentials: app.federated_credentials.len(),
        })
        .collect()
}

fn initiator_blockers(
    world: &World,
    actor: &Actor,
    sub: &Subscription,
    dest: &TenantPart,
    approval: Approval,
    blockers: &mut Vec<DomainError>,
) {
    if actor.is_operator() {
        return;
    }
    if let Approval::AcceptedBy(_) = approval {
        return; // Checked when the request was made and again by `accept`.
    }
    let id = actor.identity();
    let is_admin = may_initiate(actor, sub);
    if is_admin && actor.tenant() != Some(sub.tenant) {
        let tname = world
            .tenant(sub.tenant)
            .map(|t| t.tenant.display_name.clone())
            .unwrap_or_default();
        blockers.push(
            DomainError::forbidden(
                codes::WRONG_TOKEN_TENANT,
                format!("'{}' is not signed in to '{tname}', the directory the subscription '{}' trusts.", actor.display(), sub.display_name),
            )
            .with_arg("principal", actor.display().to_string())
            .with_arg("directory", tname.to_string())
            .with_arg("subscription", sub.display_name.to_string())
            .with_variant("initiator-blockers")
            .with_remedy(format!("Sign in to '{tname}' and try again.")),
        );
        return;
    }
    if !is_admin {
        let co = id.is_some_and(|i| sub.co_admins.contains(&i));
        // The variant names both what the person is and whether the remedy names the administrators.
        let named = crate::rules::reads::may_read_administrators(world, actor, sub);
        let remedy = if named {
            format!(
                "Sign in as the service administrator ({}) or the account administrator ({}).",
                email_of(world, sub.service_admin),
                email_of(world, sub.account_admin)
            )
        } else {
            "Sign in as the service administrator or the account administrator.".to_string()
        };
        let variant = match (co, named) {
            (true, true) => "co-administrator-named",
            (true, false) => "co-administrator",
            (false, true) => "other-named",
            (false, false) => "other",
        };
        blockers.push(
            DomainError::forbidden(
                codes::NOT_ADMINISTRATOR,
                if co {
                    format!("'{}' is a co-administrator of '{}': co-administrators cannot change the subscription's directory.", actor.display(), sub.display_name)
                } else {
                    format!("'{}' is neither the service administrator nor the account administrator of '{}'.", actor.display(), sub.display_name)
                },
            )
            .with_arg("principal", actor.display().to_string())
            .with_arg("subscription", sub.display_name.to_string())
            .with_variant(variant)
            .with_arg("service_administrator", email_of(world, sub.service_admin))
            .with_arg("account_administrator", email_of(world, sub.account_admin))
            .with_remedy(remedy),
        );
        return;
    }
    if id.and_then(|i| world.presence(i, dest.tenant.id)).is_none() {
        blockers.push(
            DomainError::conflict(
                codes::INITIATOR_NOT_IN_DESTINATION,
                format!("'{}' is not present in '{}', so cannot move the subscription there directly.", actor.display(), dest.tenant.display_name),
            )
            .with_arg("principal", actor.display().to_string())
            .with_arg("destination", dest.tenant.display_name.to_string())
            .with_remedy(format!(
                "Create the request anyway and have a Global Administrator of '{}' accept it within 7 days, or get invited to '{}' (use existing directory) first.",
                dest.tenant.display_name, dest.tenant.display_name
            )),
        );
    }
}

/// `initiator`: who moves the subscription (the caller, or the initiator of an accepted request); the
/// leaving policy exempts them, the entering policy exempts the destination principal who brings it in.
fn policy_blockers(
    world: &World,
    actor: &Actor,
    initiator: Option<Identity>,
    sub: &Subscription,
    dest: &TenantPart,
    approval: Approval,
    blockers: &mut Vec<DomainError>,
) {
    if actor.is_operator() {
        return;
    }
    let id = initiator;
    // Exempted: the principal itself, or a group it is in (directly or through nesting).
    let exempt = |tenant: &TenantPart, object: Option<ObjectId>| {
        object.is_some_and(|o| {
            let exempted = &tenant.tenant.policy.exempted;
            exempted.contains(&o) || tenant.groups_of(o).iter().any(|g| exempted.contains(g))
        })
    };
    if let Some(src) = world.tenant(sub.tenant)
        && src.tenant.policy.block_subscriptions_leaving
        && !exempt(src, id.and_then(|i| world.presence(i, src.tenant.id)))
    {
        blockers.push(
            DomainError::forbidden(
                codes::LEAVING_BLOCKED,
                format!(
                    "The directory '{}' does not allow subscriptions to leave it.",
                    src.tenant.display_name
                ),
            )
            .with_arg("source", src.tenant.display_name.to_string())
            .with_remedy(format!(
                "Ask a Global Administrator of '{}' to exempt you or lift the policy.",
                src.tenant.display_name
            )),
        );
    }
    let dest_principal = match approval {
        Approval::AcceptedBy(o) => Some(o),
        Approval::Initiator => id.and_then(|i| world.presence(i, dest.tenant.id)),
    };
    if dest.tenant.policy.block_subscriptions_entering && !exempt(dest, dest_principal) {
        blockers.push(
            DomainError::forbidden(
                codes::ENTERING_BLOCKED,
                format!(
                    "The directory '{}' does not allow subscriptions to enter it.",
                    dest.tenant.display_name
                ),
            )
            .with_arg("destination", dest.tenant.display_name.to_string())
            .with_remedy(format!(
                "Ask a Global Administrator of '{}' to exempt you or lift the policy.",
                dest.tenant.display_name
            )),
        );
    }
}

fn service_admin_blockers(
    world: &World,
    sub: &Subscription,
    dest: &TenantPart,
    blockers: &mut Vec<DomainError>,
) {
    let sa_email = email_of(world, sub.service_admin);
    let remedy = "Make another personal account the service administrator first.";
    if world.email_matches(&sa_email).is_dual() {
        blockers.push(
            DomainError::conflict(codes::SA_AMBIGUOUS, format!("The service administrator's email '{sa_email}' is both a personal account and a work or school account."))
                .with_arg("email", sa_email.to_string()).with_remedy(remedy),
        );
    }
    let is_member_elsewhere = matches!(sub.service_admin, Identity::Organizational { tenant, .. } if tenant != dest.tenant.id);
    if is_member_email(world, dest.tenant.id, &sa_email)
        && (is_member_elsewhere || matches!(sub.service_admin, Identity::Personal { .. }))
    {
        blockers.push(
            DomainError::conflict(codes::SA_IS_MEMBER, format!("The service administrator's email '{sa_email}' is the name of a member of '{}'.", dest.tenant.display_name))
                .with_arg("email", sa_email.to_string())
                .with_arg("destination", dest.tenant.display_name.to_string()).with_remedy(remedy),
        );
    }
}

/// A map entry resolved: the old principal (object of the source) and the new one (of the destination).
struct Resolved<'a> {
    from: ObjectId,
    from_identity: Option<Identity>,
    to: crate::world::PrincipalRef<'a>,
}

fn resolve_map<'a>(
    world: &'a World,
    sub: &Subscription,
    dest: &TenantPart,
    entries: &[PrincipalMapEntry],
    blockers: &mut Vec<DomainError>,
) -> Vec<Resolved<'a>> {
    let mut out = Vec::new();
    for e in entries {
        // The map is kept with a waiting request: its names are names.
        if let Err(refused) =
            super::names::require_names("principalMap", [e.from.as_str(), e.to.as_str()])
        {
            blockers.push(refused);
            continue;
        }
        let from = world.find_principal(sub.tenant, &e.from);
        let from_co_admin = sub.co_admins.iter().copied().find(|c| {
            world
                .identity_emails(*c)
                .iter()
                .any(|m| m.eq_ignore_ascii_case(super::names::typed(&e.from)))
        });
        let (from_id, from_identity) = match (from, from_co_admin) {
            (Some(p), _) => (
                p.id(),
                match p {
                    crate::world::PrincipalRef::User(u) => u.identity(),
                    _ => None,
                },
            ),
            (None, Some(identity)) => (ObjectId(uuid::Uuid::nil()), Some(identity)),
            (None, None) => {
                blockers.push(DomainError::invalid(codes::MAP_SOURCE, format!("The principal map names '{}', which is not a principal of the current directory nor a co-administrator.", e.from))
                    .with_arg("from", e.from.to_string())
                    .with_remedy("Use an object id, UPN or email of the current directory."));
                continue;
            }
        };
        match world
            .find_principal(dest.tenant.id, &e.to)
            .filter(|p| p.is_present())
        {
            Some(to) => out.push(Resolved {
                from: from_id,
                from_identity,
                to,
            }),
            None => blockers.push(
                DomainError::invalid(
                    codes::MAP_TARGET,
                    format!(
                        "The principal map names '{}', which is not present in '{}'.",
                        e.to, dest.tenant.display_name
                    ),
                )
                .with_arg("to", e.to.to_string())
                .with_arg("destination", dest.tenant.display_name.to_string())
                .with_remedy(
                    "Map to a member, a redeemed guest, a service principal or a group of the destination.",
                ),
            ),
        }
    }
    out
}

/// The managed identities of the subscription's resources, each with its new principal in the destination.
fn identity_moves(world: &World, s: &SubscriptionPart, destination: TenantId) -> Vec<IdentityMove> {
    s.resources
        .values()
        .filter_map(|r| world.managed_identity(&r.scope))
        .filter(|p| p.tenant == s.subscription.tenant)
        .filter_map(|p| {
            let m = p.managed_identity.as_ref()?;
            let principal = Application {
                id: ObjectId::new(),
                tenant: destination,
                client_id: uuid::Uuid::new_v4(),
                ..p.clone()
            };
            Some(IdentityMove {
                resource: m.resource.clone(),
                kind: m.kind,
                old_principal_id: p.id,
                old_client_id: p.client_id,
                new_principal_id: principal.id,
                new_client_id: principal.client_id,
                principal,
            })
        })
        .collect()
}

fn fill_removals(
    world: &World,
    s: &SubscriptionPart,
    dest: &TenantPart,
    map: &[Resolved],
    plan: &mut ChangeDirectoryPlan,
) {
    let sub = &s.subscription;
    // Each role's and each principal's name, and each group's reach, found once: a subscription's
    // thousands of assignments name a few roles, and most principals hold several.
    let (mut role_names, mut principal_names, mut reaches) = Default::default();
    let mut role_name = |id: RoleDefinitionId| {
        once(&mut role_names, id, || {
            world
                .role_definition(sub.id, id)
                .map(|d| d.name.clone())
                .unwrap_or_default()
        })
    };
    let mut principal_name = |o: ObjectId| {
        once(&mut principal_names, o, || {
            world
                .principal(sub.tenant, o)
                .map(|p| p.name())
                .unwrap_or_else(|| o.to_string())
        })
    };
    let mut group_reach = |tenant: TenantId, a: &RoleAssignment| -> Option<usize> {
        if a.principal_type != PrincipalType::Group {
            return None;
        }
        let part = world.tenant(tenant)?;
        Some(once(&mut reaches, (tenant, a.principal), || {
            part.reach(a.principal)
        }))
    };

    for c in &sub.co_admins {
        plan.removed_co_admins.push((*c, email_of(world, *c)));
        for m in map.iter().filter(|m| m.from_identity == Some(*c)) {
            if let crate::world::PrincipalRef::User(u) = m.to
                && let Some(new_identity) = u.identity()
            {
                let dup = plan
                    .regranted_co_admins
                    .iter()
                    .any(|(i, _)| *i == new_identity);
                if !dup && new_identity != sub.service_admin {
                    plan.regranted_co_admins
                        .push((new_identity, email_of(world, new_identity)));
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut kept_roles = BTreeSet::new();
    // A moved identity's assignments go to its new principal, as if the map said so.
    let moved: std::collections::HashMap<ObjectId, (ObjectId, String)> = plan
        .managed_identities
        .iter()
        .map(|m| {
            (
                m.old_principal_id,
                (m.new_principal_id, m.principal.display_name.clone()),
            )
        })
        .collect();
    let mut ordered: Vec<&RoleAssignment> = s.assignments.values().collect();
    ordered.sort_unstable_by_key(|a| a.id);
    plan.removed_assignments.reserve_exact(ordered.len());
    let source_roles = world.tenant(sub.tenant).map(|t| &t.custom_roles);
    for a in ordered {
        let impact = AssignmentImpact {
            assignment: a.clone(),
            principal_name: principal_name(a.principal),
            role_name: role_name(a.role_definition),
            group_reach: group_reach(sub.tenant, a),
        };
        if source_roles.is_some_and(|r| r.contains_key(&a.role_definition)) {
            plan.assignments_losing_role.push(impact.clone());
            plan.removed_assignments.push(impact);
            continue;
        }
        plan.removed_assignments.push(impact);
        for m in map.iter().filter(|m| m.from == a.principal) {
            if !seen.insert((m.to.id(), a.role_definition, a.scope.key().to_string())) {
                continue;
            }
            if a.role_definition != RoleDefinitionId(uuid::Uuid::nil())
                && s.custom_roles.contains_key(&a.role_definition)
            {
                kept_roles.insert(a.role_definition);
            }
            let regranted = RoleAssignment {
                id: RoleAssignmentId::new(),
                principal: m.to.id(),
                principal_type: m.to.principal_type(),
                created_by: None,
                ..a.clone()
            };
            plan.regranted_assignments.push(AssignmentImpact {
                group_reach: group_reach(dest.tenant.id, &regranted),
                assignment: regranted,
                principal_name: m.to.name(),
                role_name: role_name(a.role_definition),
            });
        }
        if let Some((new, name)) = moved.get(&a.principal)
            && seen.insert((*new, a.role_definition, a.scope.key().to_string()))
        {
            if s.custom_roles.contains_key(&a.role_definition) {
                kept_roles.insert(a.role_definition);
            }
            plan.regranted_assignments.push(AssignmentImpact {
                assignment: RoleAssignment {
                    id: RoleAssignmentId::new(),
                    principal: *new,
                    principal_type: PrincipalType::ServicePrincipal,
                    created_by: None,
                    ..a.clone()
                },
                principal_name: name.clone(),
                role_name: role_name(a.role_definition),
                group_reach: None,
            });
        }
    }
    for d in s.custom_roles.values() {
        if kept_roles.contains(&d.id) {
            plan.kept_custom_roles.push(d.clone());
        } else {
            plan.removed_custom_roles.push(d.clone());
        }
    }
}

/// What `find` gives for `key`, found once per key and kept in `known`.
fn once<K: std::hash::Hash + Eq, V: Clone>(
    known: &mut IdMap<K, V>,
    key: K,
    find: impl FnOnce() -> V,
) -> V {
    known.entry(key).or_insert_with(find).clone()
}

/// The writes of a plan without blockers.
pub fn apply_plan(
    world: &World,
    actor: &Actor,
    plan: &ChangeDirectoryPlan,
    request: Option<&ChangeTenantRequest>,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let s = require_subscription(world, plan.subscription)?;
    let mut change = Change::new();
    if !plan.removed_assignments.is_empty() && plan.removed_assignments.len() == s.assignments.len()
    {
        change.push(Mutation::ClearRoleAssignments {
            subscription: plan.subscription,
        });
    } else if !plan.removed_assignments.is_empty() {
        change.push(Mutation::DeleteRoleAssignments {
            subscription: plan.subscription,
            ids: plan
                .removed_assignments
                .iter()
                .map(|a| a.assignment.id)
                .collect(),
        });
    }
    if !plan.removed_custom_roles.is_empty() {
        change.push(Mutation::DeleteRoleDefinitions {
            subscription: plan.subscription,
            ids: plan.removed_custom_roles.iter().map(|d| d.id).collect(),
        });
    }
    if let Some(g) = &plan.service_admin_guest {
        change.push(Mutation::PutUser(g.clone()));
    }
    for m in &plan.managed_identities {
        // The old principal goes with its assignments in the source's other subscriptions.
        if let Some(old) = world.application(m.old_principal_id) {
            crate::rules::identities::remove_principal_except(
                world,
                old,
                Some(plan.subscription),
                &mut change,
            );
        }
        change.push(Mutation::PutApplication(m.principal.clone()));
    }
    let mut moved = s.subscription.clone();
    moved.tenant = plan.destination;
    // Out of the source's hierarchy.
    if world
        .tenant(plan.source)
        .is_some_and(|t| t.subscription_parents().contains_key(&plan.subscription))
    {
        change.push(Mutation::PlaceSubscription {
            tenant: plan.source,
            subscription: plan.subscription,
            parent: None,
        });
    }
    moved.co_admins = plan.regranted_co_admins.iter().map(|(i, _)| *i).collect();
    change.push(Mutation::PutSubscription(moved));
    // Into the destination's hierarchy where its settings land new subscriptions (else its root).
    if let Some(m) = crate::rules::hierarchy_settings::land_new_subscription(
        world,
        plan.destination,
        plan.subscription,
    ) {
        change.push(m);
    }
    if !plan.regranted_assignments.is_empty() {
        change.push(Mutation::InsertRoleAssignments {
            subscription: plan.subscription,
            assignments: plan
                .regranted_assignments
                .iter()
                .map(|a| a.assignment.clone())
                .collect(),
        });
    }
    let mut done = request.cloned().unwrap_or_else(|| ChangeTenantRequest {
        subscription: plan.subscription,
        source: plan.source,
        destination: plan.destination,
        destination_owner: None,
        principal_map: vec![],
        initiator: actor.identity().unwrap_or(s.subscription.service_admin),
        status: RequestStatus::Completed,
        created: now,
        expires: now,
    });
    done.status = RequestStatus::Completed;
    change.push(Mutation::PutChangeRequest(done));
    // An audit line that a person can read; ids are capped so a huge change stays a modest row.
    const CAP: usize = 1000;
    change.audit(
        AuditEvent::new(actor, now, "Microsoft.Subscription/changeTenantRequest/action", plan.subscription.to_string())
            .subscription(plan.subscription)
            .tenant(plan.source)
            .details(serde_json::json!({
                "sourceTenantId": plan.source,
                "destinationTenantId": plan.destination,
                "removedCoAdministrators": plan.removed_co_admins.iter().map(|(_, e)| e).collect::<Vec<_>>(),
                "removedRoleAssignmentCount": plan.removed_assignments.len(),
                "removedRoleAssignments": plan.removed_assignments.iter().take(CAP).map(|a| a.assignment.id).collect::<Vec<_>>(),
                "removedCustomRoles": plan.removed_custom_roles.iter().map(|d| &d.name).collect::<Vec<_>>(),
                "regrantedRoleAssignmentCount": plan.regranted_assignments.len(),
                "regrantedCoAdministrators": plan.regranted_co_admins.iter().map(|(_, e)| e).collect::<Vec<_>>(),
                "managedIdentities": plan.managed_identities.iter().take(CAP).collect::<Vec<_>>(),
            })),
    );
    Ok(change)
}

/// What `initiate` did.
#[derive(Debug, Clone)]
pub enum Initiated {
    /// Applied at once.
    Completed(Box<ChangeDirectoryPlan>),
    /// Waiting for acceptance by a principal of the destination.
    Waiting(ChangeTenantRequest),
}

/// Initiates a change: applies at once when nothing blocks, creates a waiting request when only the
/// initiator's absence from the destination does, refuses otherwise.
pub fn initiate(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    destination: TenantId,
    destination_owner: Option<ObjectId>,
    principal_map: Vec<PrincipalMapEntry>,
    now: Timestamp,
) -> Result<(Change, Initiated), DomainError> {
    let plan = plan(
        world,
        actor,
        subscription,
        destination,
        &principal_map,
        Approval::Initiator,
        now,
    )?;
    // The owner accepts by signing in: a user or an application, never a group.
    if let Some(owner) = destination_owner
        && world
            .principal(destination, owner)
            .filter(|p| p.is_present() && p.principal_type() != PrincipalType::Group)
            .is_none()
    {
        return Err(DomainError::invalid(
            "DestinationOwnerNotFound",
            format!("The destination owner '{owner}' is not present in the destination directory."),
        )
        .with_arg("owner", owner.to_string()));
    }
    if plan.blockers.is_empty() {
        let mut request = None;
        let r;
        if destination_owner.is_some() || !principal_map.is_empty() {
            r = ChangeTenantRequest {
                subscription,
                source: plan.source,
                destination,
                destination_owner,
                principal_map,
                initiator: actor.identity().unwrap_or(
                    require_subscription(world, subscription)?
                        .subscription
                        .service_admin,
                ),
                status: RequestStatus::Completed,
                created: now,
                expires: now,
            };
            request = Some(&r);
        }
        let change = apply_plan(world, actor, &plan, request, now)?;
        return Ok((change, Initiated::Completed(Box::new(plan))));
    }
    // There are blockers here, so there is a refusal; it stands unless acceptance alone is missing.
    if !plan.needs_acceptance_only()
        && let Some(refusal) = plan.refusal()
    {
        return Err(refusal);
    }
    let initiator = actor.identity().ok_or_else(|| {
        DomainError::invalid(
            "AcceptanceNeedsAnInitiator",
            "This change must wait for acceptance by the destination, and only a person or an \
             application can wait for it.",
        )
        .with_remedy("Start the change as the subscription's service or account administrator.")
    })?;
    let request = ChangeTenantRequest {
        subscription,
        source: plan.source,
        destination,
        destination_owner,
        principal_map,
        initiator,
        status: RequestStatus::Pending,
        created: now,
        expires: now + CHANGE_REQUEST_LIFETIME,
    };
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "Microsoft.Subscription/changeTenantRequest/write",
            subscription.to_string(),
        )
        .subscription(subscription)
        .tenant(plan.source)
        .details(serde_json::json!({
            "destinationTenantId": destination, "status": "Initiated", "expiresOn": request.expires,
        })),
    );
    change.push(Mutation::PutChangeRequest(request.clone()));
    Ok((change, Initiated::Waiting(request)))
}

/// The subscription's waiting request, for a caller who may learn of the subscription (`action` names
/// what it asked for when it may not).
fn pending_request<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
    action: &str,
) -> Result<&'w ChangeTenantRequest, DomainError> {
    crate::rules::reads::known_subscription(world, actor, subscription, action)?
        .change_request
        .as_ref()
        .filter(|r| r.status == RequestStatus::Pending)
        .ok_or_else(|| {
            DomainError::not_found(
                "ChangeRequestNotFound",
                format!("No change of directory is waiting for the subscription '{subscription}'."),
            )
            .with_arg("subscription", subscription.to_string())
        })
}

/// A principal of the destination accepts a waiting request: the designated owner if one was named,
/// otherwise any Global Administrator of the destination.
pub fn accept(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    now: Timestamp,
) -> Result<(Change, ChangeDirectoryPlan), DomainError> {
    let r = pending_request(world, actor, subscription, actions::ACCEPT)?.clone();
    if r.expires <= now {
        return Err(DomainError::conflict(
            "ChangeRequestExpired",
            "The change of directory request expired before it was accepted.",
        )
        .with_remedy("The service administrator can make a new request."));
    }
    let dest = require_tenant(world, r.destination)?;
    let acceptor = match (actor.tenant(), actor.object_id()) {
        (Some(t), Some(o))
            if t == r.destination && world.principal(t, o).is_some_and(|p| p.is_present()) =>
        {
            Some(o)
        }
        _ => None,
    };
    if !(actor.is_operator() || may_accept(world, actor, &r)) {
        // Who may accept: the owner the request names (a variant naming them), else any Global
        // Administrator of the destination.
        let (who, variant) = match r.destination_owner {
            Some(owner) => {
                let name = world
                    .principal(r.destination, owner)
                    .map(|p| p.name())
                    .unwrap_or_else(|| owner.to_string());
                (name, "owner")
            }
            None => (
                format!("a Global Administrator of '{}'", dest.tenant.display_name),
                "global-administrator",
            ),
        };
        return Err(DomainError::forbidden(
            "NotDestinationOwner",
            format!(
                "Only {who} can accept moving this subscription into '{}'.",
                dest.tenant.display_name
            ),
        )
        .with_arg("who", who.to_string())
        .with_arg("destination", dest.tenant.display_name.to_string())
        .with_variant(variant)
        .with_remedy(format!(
            "Sign in to '{}' as {who}.",
            dest.tenant.display_name
        )));
    }
    let sub = &require_subscription(world, subscription)?.subscription;
    if sub.service_admin != r.initiator && sub.account_admin != r.initiator {
        return Err(DomainError::conflict(
            "InitiatorNoLongerAdministrator",
            "Whoever requested the change is no longer the service or account administrator.",
        )
        .with_remedy("The current service administrator can make a new request."));
    }
    let plan = plan(
        world,
        actor,
        subscription,
        r.destination,
        &r.principal_map,
        Approval::AcceptedBy(acceptor.unwrap_or(ObjectId(uuid::Uuid::nil()))),
        now,
    )?;
    if let Some(refusal) = plan.refusal() {
        return Err(refusal);
    }
    Ok((apply_plan(world, actor, &plan, Some(&r), now)?, plan))
}

/// Cancels a waiting request: the service or account administrator, or whoever may accept it.
pub fn cancel(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let r = pending_request(world, actor, subscription, actions::DELETE)?.clone();
    let sub = &require_subscription(world, subscription)?.subscription;
    // The administrators act through a token of the subscription's directory, as for initiating.
    let by_admin = actor.tenant() == Some(sub.tenant)
        && actor
            .identity()
            .is_some_and(|i| i == sub.service_admin || i == sub.account_admin);
    if !(actor.is_operator() || by_admin || may_accept(world, actor, &r)) {
        return Err(DomainError::forbidden(
            "AuthorizationFailed",
            "Only the service or account administrator, or whoever may accept it, can cancel this request.",
        )
        .with_variant("cancel"));
    }
    let mut change = Change::new();
    let mut cancelled = r;
    cancelled.status = RequestStatus::Cancelled;
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "Microsoft.Subscription/changeTenantRequest/delete",
            subscription.to_string(),
        )
        .subscription(subscription)
        .tenant(sub.tenant),
    );
    change.push(Mutation::PutChangeRequest(cancelled));
    Ok(change)
}

/// The initiator's own request to use `destination` for `subscription` that waits for approval at `now`:
/// once a Global Administrator approves it, she is present there and the change applies at once.
pub fn waiting_link_request<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
    destination: TenantId,
    now: Timestamp,
) -> Option<&'w DirectoryLinkRequest> {
    let identity = actor.identity()?;
    world
        .tenant(destination)?
        .link_requests
        .values()
        .filter(|r| {
            r.requester == identity
                && r.subscription == subscription
                && r.status == RequestStatus::Pending
                && r.expires > now
        })
        .max_by_key(|r| (r.created, r.id))
}
