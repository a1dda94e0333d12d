//! A subscription's lifecycle as ARM's `Microsoft.Subscription` provider offers it: created through an
//! alias in the caller's directory, renamed, cancelled (Disabled: read-only until enabled) and enabled
//! again. tenantry has no billing model, so who may create one is told by the directory (a Global
//! Administrator, or a principal that owns one of its subscriptions), and the tenant's subscription
//! policy may block new subscriptions from entering it as it blocks moved ones.

use super::*;
use crate::audit::AuditEvent;
use crate::authz::classic_role;
use crate::mutation::{Change, Mutation};
use crate::roles::OWNER;
use crate::scope::ScopeLevel;

/// The actions of the lifecycle, as Azure names them (audit events and refusals).
pub mod actions {
    pub const ALIAS_WRITE: &str = "Microsoft.Subscription/aliases/write";
    pub const ALIAS_DELETE: &str = "Microsoft.Subscription/aliases/delete";
    pub const RENAME: &str = "Microsoft.Subscription/rename/action";
    pub const CANCEL: &str = "Microsoft.Subscription/cancel/action";
    pub const ENABLE: &str = "Microsoft.Subscription/enable/action";
}

/// Azure's limit on a subscription's display name.
pub const MAX_DISPLAY_NAME: usize = 64;
/// The longest alias name tenantry keeps (an ARM resource name).
pub const MAX_ALIAS_NAME: usize = 128;

/// ARM's answer to a write under a Disabled subscription, word for word (no remedy: the message says it).
pub fn read_only_disabled(id: SubscriptionId) -> DomainError {
    DomainError::conflict(
        "ReadOnlyDisabledSubscription",
        format!(
            "The subscription '{id}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled."
        ),
    )
    .with_arg("id", id.to_string())
}

/// Refuses any write under a Disabled subscription. Reads never come here. The operator is not
/// refused: a world file states a Disabled subscription with what it holds, and applying it (or an
/// export of it) writes both.
pub fn require_writable(actor: &Actor, sub: &Subscription) -> Result<(), DomainError> {
    match sub.state {
        SubscriptionState::Disabled if !actor.is_operator() => Err(read_only_disabled(sub.id)),
        _ => Ok(()),
    }
}

/// Whether an action only reads (`…/read`): what a Disabled subscription still allows.
pub fn is_read_action(action: &str) -> bool {
    action
        .rsplit('/')
        .next()
        .is_some_and(|verb| verb.eq_ignore_ascii_case("read"))
}

/// Whether the caller owns `part`: signed in to its tenant and Owner at the subscription itself (by a
/// role assignment to it or to one of its groups), or its service administrator or a co-administrator
/// (Owners in Azure's terms).
pub fn owns(world: &World, actor: &Actor, part: &SubscriptionPart) -> bool {
    let (Some(tenant), Some(object)) = (actor.tenant(), actor.object_id()) else {
        return false;
    };
    if tenant != part.subscription.tenant {
        return false;
    }
    let by_assignment = world.assignments_reaching(part, object).any(|a| {
        a.role_definition == OWNER
            && a.scope.level() == ScopeLevel::Subscription
            && a.scope.subscription_id() == part.subscription.id
    });
    by_assignment
        || actor
            .identity()
            .is_some_and(|i| classic_role(&part.subscription, i).is_some())
}

/// Who may rename, cancel and enable: the operator, an Owner, and the account administrator (the
/// billing owner, as in the classic model, signed in anywhere).
pub fn may_run_lifecycle(world: &World, actor: &Actor, part: &SubscriptionPart) -> bool {
    actor.is_operator()
        || owns(world, actor, part)
        || actor.identity() == Some(part.subscription.account_admin)
}

fn require_lifecycle<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
    action: &str,
) -> Result<&'w SubscriptionPart, DomainError> {
    let part = reads::known_subscription(world, actor, subscription, action)?;
    if may_run_lifecycle(world, actor, part) {
        Ok(part)
    } else {
        Err(authorization_failed(
            actor,
            action,
            Scope::subscription(subscription).as_str(),
        ))
    }
}

fn require_display_name(name: &str) -> Result<&str, DomainError> {
    let name = name.trim();
    names::require_name("displayName", name)?;
    if name.is_empty() || name.chars().count() > MAX_DISPLAY_NAME {
        return Err(DomainError::invalid(
            "InvalidDisplayName",
            format!(
                "A subscription's display name must have between 1 and {MAX_DISPLAY_NAME} characters."
            ),
        )
        .with_arg("max_display_name", MAX_DISPLAY_NAME.to_string())
        .with_variant("require-display-name"));
    }
    Ok(name)
}

fn require_alias_name(name: &str) -> Result<(), DomainError> {
    names::require_name("aliasName", name)?;
    let ok = !name.trim().is_empty()
        && name.chars().count() <= MAX_ALIAS_NAME
        && !name.contains(['/', '\\', '?', '#', '%', '&', ':', '<', '>', '*']);
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "InvalidAliasName",
            format!(
                "The alias name '{}' is invalid: it needs 1 to {MAX_ALIAS_NAME} characters, none of / \\ ? # % & : < > *.",
                names::shown(name)
            ),
        )
        .with_arg("name", names::shown(name).to_string())
        .with_arg("max_alias_name", MAX_ALIAS_NAME.to_string()))
    }
}

pub fn alias_not_found(name: &str) -> DomainError {
    DomainError::not_found(
        "AliasNotFound",
        format!(
            "The subscription alias '{}' was not found.",
            names::shown(name)
        ),
    )
    .with_arg("name", names::shown(name).to_string())
}

/// What `PUT /providers/Microsoft.Subscription/aliases/{name}` asks for.
#[derive(Debug, Clone, Default)]
pub struct NewAlias {
    pub name: String,
    /// Required to create a subscription; ignored with `subscription`.
    pub display_name: Option<String>,
    /// `Production` (the default) or `DevTest`.
    pub workload: Option<String>,
    pub billing_scope: Option<String>,
    pub management_group: Option<String>,
    /// An alias for an existing subscription of the tenant, instead of a new one.
    pub subscription: Option<SubscriptionId>,
    /// The new subscription's id (tests and world files); a new one when absent.
    pub new_id: Option<SubscriptionId>,
    /// The directory the request names for the subscription (`subscriptionTenantId`), when it names
    /// one: only the caller's own is served.
    pub tenant: Option<String>,
}

/// What creating an alias did.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasOutcome {
    pub alias: SubscriptionAlias,
    /// False when the alias existed already (a replayed PUT): nothing was written.
    pub created: bool,
}

/// Whether the caller may create subscriptions in `tenant`: a Global Administrator of it, or a
/// principal of it (user or service principal) that owns one of its subscriptions.
pub fn may_create_subscription(world: &World, actor: &Actor, tenant: TenantId) -> bool {
    holds_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS)
        || world
            .subscriptions_of_tenant(tenant)
            .any(|part| owns(world, actor, part))
}

/// The classic administrator of a subscription made by `actor`: the person signed in, or for a service
/// principal (which cannot be one), the account administrator of a subscription it owns, which
/// tenantry takes as its billing owner.
fn classic_owner(world: &World, actor: &Actor, tenant: TenantId) -> Result<Identity, DomainError> {
    if let Some(identity) = actor.identity() {
        return Ok(identity);
    }
    world
        .subscriptions_of_tenant(tenant)
        .find(|part| owns(world, actor, part))
        .map(|part| part.subscription.account_admin)
        .ok_or_else(|| {
            DomainError::forbidden(
                "SubscriptionOwnerRequired",
                "A service principal creates subscriptions billed to the account administrator of a subscription it owns, and it owns none in this directory.",
            )
            .with_remedy("Make the service principal Owner of a subscription of the directory, or create the subscription signed in as a user.")
        })
}

/// Creates a subscription through an alias, in the caller's directory: the caller becomes its Owner
/// (and, for a person, its service and account administrator). With `subscription`, only records an
/// alias for a subscription the caller owns. A replayed PUT of an existing alias answers it unchanged.
pub fn create_alias(
    world: &World,
    actor: &Actor,
    req: NewAlias,
    now: Timestamp,
) -> Result<(Change, AliasOutcome), DomainError> {
    require_alias_name(&req.name)?;
    let (Some(tenant), Some(object)) = (actor.tenant(), actor.object_id()) else {
        return Err(DomainError::forbidden(
            "SubscriptionCreationNotAllowed",
            "Subscriptions are created in a directory: sign in to one.",
        )
        .with_variant("create-alias"));
    };
    let asked = req
        .tenant
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if let Some(asked) = asked.filter(|t| t.parse::<TenantId>().ok() != Some(tenant)) {
        return Err(DomainError::invalid(
            "SubscriptionTenantNotSupported",
            format!(
                "tenantry creates a subscription in the caller's directory only, not in '{}'.",
                names::shown(asked)
            ),
        )
        .with_arg("tenant", names::shown(asked).to_string())
        .with_remedy("Sign in to that directory to create the subscription there, or leave subscriptionTenantId out."));
    }
    let part = require_tenant(world, tenant)?;
    if let Some(existing) = part.aliases.get(&req.name.to_lowercase()) {
        if req.subscription.is_some_and(|s| s != existing.subscription) {
            return Err(DomainError::conflict(
                "AliasExists",
                format!(
                    "The alias '{}' already names the subscription '{}'.",
                    existing.name, existing.subscription
                ),
            )
            .with_arg("alias", existing.name.to_string())
            .with_arg("subscription", existing.subscription.to_string())
            .with_remedy("Choose another alias name."));
        }
        return Ok((
            Change::new(),
            AliasOutcome {
                alias: existing.clone(),
                created: false,
            },
        ));
    }
    let workload = match req.workload.as_deref().map(str::trim) {
        None | Some("") => Workload::Production,
        Some(w) => Workload::parse(w).ok_or_else(|| {
            DomainError::invalid(
                "InvalidWorkload",
                format!(
                    "The workload '{}' is invalid: it is Production or DevTest.",
                    names::shown(w)
                ),
            )
            .with_arg("workload", names::shown(w).to_string())
        })?,
    };
    for (property, value) in [
        ("billingScope", &req.billing_scope),
        ("managementGroupId", &req.management_group),
    ] {
        names::require_name(property, value.as_deref().unwrap_or_default())?;
    }
    let mut change = Change::new();
    let subscription = match req.subscription {
        Some(existing) => {
            let sub = reads::known_subscription(world, actor, existing, actions::ALIAS_WRITE)?;
            if !actor.is_operator() && !owns(world, actor, sub) {
                return Err(authorization_failed(
                    actor,
                    actions::ALIAS_WRITE,
                    Scope::subscription(existing).as_str(),
                ));
            }
            existing
        }
        None => {
            let id = new_subscription(world, actor, tenant, object, &req, now, &mut change)?;
            // A new subscription goes where the alias asks, as if moved there (an existing one stays
            // where it is: the alias only names it).
            if let Some(group) = req
                .management_group
                .as_deref()
                .map(str::trim)
                .filter(|g| !g.is_empty())
            {
                change.extend(hierarchy::place_new_subscription(
                    world, actor, tenant, id, group, now,
                )?);
            } else if let Some(m) =
                super::hierarchy_settings::land_new_subscription(world, tenant, id)
            {
                // No group asked for: where the directory's hierarchy settings land new ones.
                change.push(m);
            }
            id
        }
    };
    let alias = SubscriptionAlias {
        tenant,
        name: req.name.trim().to_string(),
        subscription,
        workload,
        billing_scope: req.billing_scope.filter(|s| !s.trim().is_empty()),
        // The group asked for, as the client named it (a new subscription was placed there above).
        management_group: req.management_group.filter(|s| !s.trim().is_empty()),
        created_by: Some(object),
        created: now,
    };
    change.audit(
        AuditEvent::new(
            actor,
            now,
            actions::ALIAS_WRITE,
            format!("/providers/Microsoft.Subscription/aliases/{}", alias.name),
        )
        .tenant(tenant)
        .subscription(subscription)
        .details(serde_json::json!({
            "subscriptionId": subscription,
            "workload": alias.workload.as_str(),
            "billingScope": alias.billing_scope,
            "managementGroupId": alias.management_group,
            "created": req.subscription.is_none(),
        })),
    );
    change.push(Mutation::PutSubscriptionAlias(alias.clone()));
    Ok((
        change,
        AliasOutcome {
            alias,
            created: true,
        },
    ))
}

/// The subscription an alias creates, with the caller as its Owner.
fn new_subscription(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    object: ObjectId,
    req: &NewAlias,
    now: Timestamp,
    change: &mut Change,
) -> Result<SubscriptionId, DomainError> {
    let t = require_tenant(world, tenant)?;
    if !may_create_subscription(world, actor, tenant) {
        return Err(DomainError::forbidden(
            "SubscriptionCreationNotAllowed",
            format!(
                "'{}' may not create subscriptions in the directory '{}': only its Global Administrators and the owners of its subscriptions may.",
                actor.display(),
                t.tenant.display_name
            ),
        )
        .with_arg("principal", actor.display().to_string())
        .with_arg("directory", t.tenant.display_name.to_string())
        .with_variant("new-subscription")
        .with_remedy("Ask a Global Administrator of the directory to create it, or to make you Owner of one of its subscriptions."));
    }
    let policy = &t.tenant.policy;
    let exempted = policy.exempted.contains(&object)
        || t.groups_of(object)
            .iter()
            .any(|g| policy.exempted.contains(g));
    if policy.block_subscriptions_entering && !exempted {
        return Err(DomainError::forbidden(
            "SubscriptionCreationBlocked",
            format!(
                "The directory '{}' does not allow subscriptions to enter it, new ones included.",
                t.tenant.display_name
            ),
        )
        .with_arg("directory", t.tenant.display_name.to_string())
        .with_remedy(format!(
            "Ask a Global Administrator of '{}' to exempt you or lift the policy.",
            t.tenant.display_name
        )));
    }
    let display_name = require_display_name(req.display_name.as_deref().unwrap_or_default())?;
    let id = req.new_id.unwrap_or_default();
    if world.subscription(id).is_some() {
        return Err(DomainError::conflict(
            "SubscriptionExists",
            format!("A subscription with id '{id}' already exists."),
        )
        .with_arg("id", id.to_string()));
    }
    let admin = classic_owner(world, actor, tenant)?;
    change.push(Mutation::PutSubscription(Subscription {
        id,
        display_name: display_name.to_string(),
        state: SubscriptionState::Enabled,
        tenant,
        account_admin: admin,
        service_admin: admin,
        co_admins: vec![],
        tags: Default::default(),
        tag_names: Default::default(),
        created: now,
    }));
    let principal_type = match actor {
        Actor::Application { .. } => PrincipalType::ServicePrincipal,
        _ => PrincipalType::User,
    };
    change.push(Mutation::InsertRoleAssignments {
        subscription: id,
        assignments: vec![RoleAssignment {
            id: RoleAssignmentId::new(),
            subscription: id,
            scope: Scope::subscription(id),
            principal: object,
            principal_type,
            role_definition: OWNER,
            description: Some("Owner of the subscription it created".into()),
            created: now,
            created_by: Some(object),
        }],
    });
    Ok(id)
}

/// Deletes an alias; its subscription stays. Who may: whoever made it, a Global Administrator, and an
/// Owner of its subscription. `None` when there is no such alias (ARM answers 204).
pub fn delete_alias(
    world: &World,
    actor: &Actor,
    name: &str,
    now: Timestamp,
) -> Result<Option<(Change, ())>, DomainError> {
    let Some(alias) = visible_alias(world, actor, name)? else {
        return Ok(None);
    };
    let tenant = alias.tenant;
    let may = actor.is_operator()
        || alias.created_by.is_some() && alias.created_by == actor.object_id()
        || holds_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS)
        || world
            .subscription(alias.subscription)
            .is_some_and(|p| owns(world, actor, p));
    if !may {
        return Err(authorization_failed(
            actor,
            actions::ALIAS_DELETE,
            &format!("/providers/Microsoft.Subscription/aliases/{}", alias.name),
        ));
    }
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            actions::ALIAS_DELETE,
            format!("/providers/Microsoft.Subscription/aliases/{}", alias.name),
        )
        .tenant(tenant)
        .subscription(alias.subscription),
    );
    change.push(Mutation::DeleteSubscriptionAlias {
        tenant,
        name: alias.name.clone(),
    });
    Ok(Some((change, ())))
}

/// Whether the caller may see an alias of its directory: whoever made it, a Global Administrator, and
/// whoever sees its subscription.
fn alias_visible(world: &World, actor: &Actor, alias: &SubscriptionAlias) -> bool {
    actor.is_operator()
        || alias.created_by.is_some() && alias.created_by == actor.object_id()
        || holds_directory_role(world, actor, alias.tenant, DIRECTORY_ADMINISTRATORS)
        || world
            .subscription(alias.subscription)
            .is_some_and(|p| reads::subscription_visible(world, actor, p))
}

/// An alias of the caller's directory, when it exists and the caller may see it.
fn visible_alias<'w>(
    world: &'w World,
    actor: &Actor,
    name: &str,
) -> Result<Option<&'w SubscriptionAlias>, DomainError> {
    let Some(tenant) = actor.tenant() else {
        return Ok(None);
    };
    Ok(require_tenant(world, tenant)?
        .aliases
        .get(&name.trim().to_lowercase())
        .filter(|a| alias_visible(world, actor, a)))
}

/// `GET …/aliases/{name}`: `AliasNotFound` when it does not exist or the caller may not see it.
pub fn get_alias<'w>(
    world: &'w World,
    actor: &Actor,
    name: &str,
) -> Result<&'w SubscriptionAlias, DomainError> {
    visible_alias(world, actor, name)?.ok_or_else(|| alias_not_found(name))
}

/// `GET …/aliases`: the aliases of the caller's directory it may see, by name.
pub fn list_aliases<'w>(world: &'w World, actor: &Actor) -> Vec<&'w SubscriptionAlias> {
    let Some(part) = actor.tenant().and_then(|t| world.tenant(t)) else {
        return vec![];
    };
    part.aliases
        .values()
        .filter(|a| alias_visible(world, actor, a))
        .collect()
}

/// Renames a subscription (`POST …/providers/Microsoft.Subscription/rename`).
pub fn rename_subscription(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    display_name: &str,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let part = require_lifecycle(world, actor, subscription, actions::RENAME)?;
    require_writable(actor, &part.subscription)?;
    let display_name = require_display_name(display_name)?;
    let mut sub = part.subscription.clone();
    let before = std::mem::replace(&mut sub.display_name, display_name.to_string());
    lifecycle_change(
        actor,
        sub,
        actions::RENAME,
        now,
        serde_json::json!({
            "displayName": { "before": before, "after": display_name },
        }),
    )
}

/// Cancels a subscription (`POST …/cancel`): it becomes Disabled, its resources and access stay and can
/// be read, and every write under it is refused until it is enabled.
pub fn cancel_subscription(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let part = require_lifecycle(world, actor, subscription, actions::CANCEL)?;
    if part.subscription.state == SubscriptionState::Disabled {
        return Err(DomainError::conflict(
            "SubscriptionAlreadyCanceled",
            format!("The subscription '{subscription}' is already cancelled (Disabled)."),
        )
        .with_arg("subscription", subscription.to_string())
        .with_remedy("Enable it to use it again."));
    }
    set_state(
        actor,
        part,
        SubscriptionState::Disabled,
        actions::CANCEL,
        now,
    )
}

/// Enables a cancelled subscription again (`POST …/enable`).
pub fn enable_subscription(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let part = require_lifecycle(world, actor, subscription, actions::ENABLE)?;
    if part.subscription.state != SubscriptionState::Disabled {
        return Err(DomainError::conflict(
            "SubscriptionNotDisabled",
            format!(
                "The subscription '{subscription}' is {}: only a Disabled subscription can be enabled.",
                part.subscription.state.as_str()
            ),
        )
        .with_arg("subscription", subscription.to_string())
        .with_arg("state", part.subscription.state.as_str().to_string()));
    }
    set_state(
        actor,
        part,
        SubscriptionState::Enabled,
        actions::ENABLE,
        now,
    )
}

fn set_state(
    actor: &Actor,
    part: &SubscriptionPart,
    state: SubscriptionState,
    action: &str,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let mut sub = part.subscription.clone();
    let before = std::mem::replace(&mut sub.state, state);
    lifecycle_change(
        actor,
        sub,
        action,
        now,
        serde_json::json!({
            "state": { "before": before.as_str(), "after": state.as_str() },
        }),
    )
}

fn lifecycle_change(
    actor: &Actor,
    sub: Subscription,
    action: &str,
    now: Timestamp,
    details: serde_json::Value,
) -> Result<Change, DomainError> {
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(actor, now, action, Scope::subscription(sub.id).to_string())
            .subscription(sub.id)
            .tenant(sub.tenant)
            .details(details),
    );
    change.push(Mutation::PutSubscription(sub));
    Ok(change)
}
