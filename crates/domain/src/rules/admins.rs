//! Subscriptions and their classic administrators: the service administrator (one), the account
//! administrator (the billing owner) and up to 200 co-administrators.

use super::*;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};

pub struct NewSubscription {
    pub id: Option<SubscriptionId>,
    pub display_name: String,
    pub tenant: TenantId,
    pub service_admin: Identity,
    pub account_admin: Option<Identity>,
}

/// Creates a subscription (operator only: buying one is outside tenantry). A personal-account service
/// administrator who is not yet present becomes a guest of the tenant, so they can sign in to it.
pub fn create_subscription(
    world: &World,
    actor: &Actor,
    req: NewSubscription,
    now: Timestamp,
) -> Result<(Change, SubscriptionId), DomainError> {
    crate::rules::directory::require_operator(actor, "create subscriptions")?;
    let t = require_tenant(world, req.tenant)?;
    let id = req.id.unwrap_or_default();
    if world.subscription(id).is_some() {
        return Err(DomainError::conflict(
            "SubscriptionExists",
            format!("A subscription with id '{id}' already exists."),
        )
        .with_arg("id", id.to_string()));
    }
    if req.display_name.trim().is_empty() {
        return Err(DomainError::invalid(
            "InvalidDisplayName",
            "A subscription needs a display name.",
        )
        .with_variant("create-subscription"));
    }
    super::names::require_name("displayName", &req.display_name)?;
    let mut change = Change::new();
    ensure_present(world, &t.tenant, req.service_admin, now, &mut change)?;
    let account_admin = req.account_admin.unwrap_or(req.service_admin);
    if !world.identity_exists(account_admin) {
        return Err(DomainError::not_found(
            "AccountNotFound",
            "The account administrator does not exist.",
        )
        .with_variant("create-subscription"));
    }
    let sub = Subscription {
        id,
        display_name: req.display_name,
        state: SubscriptionState::Enabled,
        tenant: req.tenant,
        account_admin,
        service_admin: req.service_admin,
        co_admins: vec![],
        tags: Default::default(),
        tag_names: Default::default(),
        created: now,
    };
    change.audit(AuditEvent::new(actor, now, "tenantry/subscriptions/write", id.to_string()).subscription(id).tenant(req.tenant).details(serde_json::json!({
        "displayName": sub.display_name, "serviceAdministrator": email_of(world, sub.service_admin),
    })));
    change.push(Mutation::PutSubscription(sub));
    // Under the directory's default group when its hierarchy settings name one.
    if let Some(m) = crate::rules::hierarchy_settings::land_new_subscription(world, req.tenant, id)
    {
        change.push(m);
    }
    Ok((change, id))
}

/// Makes sure `identity` can act in `tenant`: personal accounts become redeemed guests when absent;
/// another tenant's user must have been invited first.
pub(crate) fn ensure_present(
    world: &World,
    tenant: &Tenant,
    identity: Identity,
    now: Timestamp,
    change: &mut Change,
) -> Result<(), DomainError> {
    if !world.identity_exists(identity) {
        return Err(
            DomainError::not_found("AccountNotFound", "The account does not exist.")
                .with_variant("ensure-present"),
        );
    }
    if world.presence(identity, tenant.id).is_some() {
        return Ok(());
    }
    // A guest object made earlier in this same change counts.
    let made_here = change.mutations.iter().any(|m| matches!(m, Mutation::PutUser(u) if u.tenant == tenant.id && u.identity() == Some(identity) && u.is_present()));
    if made_here {
        return Ok(());
    }
    match identity {
        Identity::Personal { .. } => {
            change.push(Mutation::PutUser(new_guest(world, tenant, identity, now)));
            Ok(())
        }
        Identity::Organizational { .. } => {
            Err(not_in_directory(&email_of(world, identity), tenant))
        }
    }
}

/// The one answer for an email that names no one who could be made an administrator of a subscription
/// trusting `tenant`: nobody at all, or a work account of another directory that is not a guest there.
/// Both get it, word for word, so that the answer does not tell which accounts exist elsewhere.
fn not_in_directory(email: &str, tenant: &Tenant) -> DomainError {
    DomainError::conflict(
        "PrincipalNotInDirectory",
        format!(
            "'{email}' is neither a personal account nor a member or guest of '{}'.",
            tenant.display_name
        ),
    )
    .with_arg("email", email.to_string())
    .with_arg("directory", tenant.display_name.to_string())
    .with_remedy(format!(
        "Check the address. Invite a work or school account of another directory to '{}' and have them redeem the invitation first; a personal account becomes a guest when it is added.",
        tenant.display_name
    ))
}

/// The person an email names, as a classic administrator of a subscription trusting `tenant` may be: a
/// personal account, a member of the directory, or another directory's user present there as a guest.
/// An unknown email and another directory's user who is not a guest get the same refusal.
fn administrator_identity(
    world: &World,
    tenant: &Tenant,
    email: &str,
    account_type: Option<AccountType>,
) -> Result<Identity, DomainError> {
    match resolve_identity(world, email, account_type) {
        Err(e) if e.kind == crate::error::ErrorKind::NotFound => {
            Err(not_in_directory(email.trim(), tenant))
        }
        Err(e) => Err(e),
        Ok(identity @ Identity::Organizational { .. })
            if world.presence(identity, tenant.id).is_none() =>
        {
            Err(not_in_directory(email.trim(), tenant))
        }
        Ok(identity) => Ok(identity),
    }
}

/// Whether the caller may manage the subscription's co-administrators: the operator, or its service
/// administrator or a co-administrator signed in to the subscription's directory. A token of another
/// directory is not enough, whoever holds it (as in Azure).
pub fn may_manage(actor: &Actor, sub: &Subscription) -> bool {
    if actor.is_operator() {
        return true;
    }
    match (actor.tenant(), actor.identity()) {
        (Some(t), Some(id)) => t == sub.tenant && ClassicRoles::of(sub, id).manages(),
        _ => false,
    }
}

/// Whether the caller may name another service administrator: the operator, or the account
/// administrator (signed in anywhere: it is the billing owner, not a principal of the directory).
pub fn may_change_service_admin(actor: &Actor, sub: &Subscription) -> bool {
    actor.is_operator() || actor.identity() == Some(sub.account_admin)
}

/// Classic administrator powers: the service administrator and co-administrators manage co-administrators.
/// A caller who may not learn of the subscription is told only that it may not perform `action` there.
fn require_classic_admin<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
    action: &str,
    what: &str,
) -> Result<&'w SubscriptionPart, DomainError> {
    let part = crate::rules::reads::known_subscription(world, actor, subscription, action)?;
    let sub = &part.subscription;
    if may_manage(actor, sub) {
        super::subscriptions::require_writable(actor, sub)?;
        return Ok(part);
    }
    // Whether the remedy may name the service administrator: a variant of its own.
    let (remedy, variant) = if crate::rules::reads::may_read_administrators(world, actor, sub) {
        let remedy = format!(
            "Sign in to the subscription's directory as the service administrator ({}).",
            email_of(world, sub.service_admin)
        );
        (remedy, "classic-administrators-named")
    } else {
        let remedy = "Sign in to the subscription's directory as its service administrator.";
        (remedy.to_string(), "classic-administrators")
    };
    Err(DomainError::forbidden(
        "AuthorizationFailed",
        format!("'{}' may not {what} in the subscription '{}': only its service administrator and co-administrators may.", actor.display(), sub.display_name),
    )
    .with_arg("principal", actor.display().to_string())
    .with_arg("what", what)
    .with_arg("subscription", sub.display_name.to_string())
    .with_arg("service_administrator", email_of(world, sub.service_admin))
    .with_variant(variant)
    .with_remedy(remedy))
}

/// The actions refusals name for classic administrators.
const CLASSIC_ADMIN_WRITE: &str = "Microsoft.Authorization/classicAdministrators/write";
const CLASSIC_ADMIN_DELETE: &str = "Microsoft.Authorization/classicAdministrators/delete";

/// Adds a co-administrator by email: a member or redeemed guest of the trusted tenant, or a personal
/// account (which becomes a guest of it).
pub fn add_co_admin(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    email: &str,
    account_type: Option<AccountType>,
    now: Timestamp,
) -> Result<(Change, Identity), DomainError> {
    let s = require_classic_admin(
        world,
        actor,
        subscription,
        CLASSIC_ADMIN_WRITE,
        "add co-administrators",
    )?;
    let sub = &s.subscription;
    let tenant = &require_tenant(world, sub.tenant)?.tenant;
    let identity = administrator_identity(world, tenant, email, account_type)?;
    if sub.service_admin == identity {
        return Err(DomainError::conflict(
            "AlreadyServiceAdministrator",
            format!(
                "'{email}' is the service administrator already, which includes everything a co-administrator may do."
            ),
        )
        .with_arg("email", email.to_string())
        .with_variant("add-co-admin"));
    }
    if sub.co_admins.contains(&identity) {
        return Err(DomainError::conflict(
            "CoAdministratorExists",
            format!(
                "'{email}' is a co-administrator of '{}' already.",
                sub.display_name
            ),
        )
        .with_arg("email", email.to_string())
        .with_arg("subscription", sub.display_name.to_string()));
    }
    if sub.co_admins.len() >= MAX_CO_ADMINS {
        return Err(DomainError::conflict(
            "CoAdministratorLimitExceeded",
            format!("The subscription '{}' has {MAX_CO_ADMINS} co-administrators, the most it may have.", sub.display_name),
        )
        .with_arg("subscription", sub.display_name.to_string())
        .with_arg("max_co_admins", MAX_CO_ADMINS.to_string())
        .with_variant("add-co-admin")
        .with_remedy("Remove a co-administrator, or grant access with a role assignment (Owner at subscription scope) instead."));
    }
    let mut change = Change::new();
    ensure_present(world, tenant, identity, now, &mut change)?;
    let mut updated = sub.clone();
    updated.co_admins.push(identity);
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "Microsoft.Authorization/classicAdministrators/write",
            email_of(world, identity),
        )
        .subscription(subscription)
        .tenant(sub.tenant)
        .details(serde_json::json!({"role": "CoAdministrator"})),
    );
    change.push(Mutation::PutSubscription(updated));
    Ok((change, identity))
}

pub fn remove_co_admin(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    email: &str,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let s = require_classic_admin(
        world,
        actor,
        subscription,
        CLASSIC_ADMIN_DELETE,
        "remove co-administrators",
    )?;
    let sub = &s.subscription;
    let found = sub.co_admins.iter().copied().find(|c| {
        world
            .identity_emails(*c)
            .iter()
            .any(|e| e.eq_ignore_ascii_case(super::names::typed(email)))
    });
    let Some(identity) = found else {
        if world
            .identity_emails(sub.service_admin)
            .iter()
            .any(|e| e.eq_ignore_ascii_case(super::names::typed(email)))
        {
            return Err(DomainError::conflict(
                "CannotRemoveServiceAdministrator",
                format!("'{email}' is the service administrator, not a co-administrator."),
            )
            .with_arg("email", email.to_string())
            .with_remedy(
                "Change the service administrator instead (account administrator only).",
            ));
        }
        return Err(DomainError::not_found(
            "CoAdministratorNotFound",
            format!(
                "'{email}' is not a co-administrator of '{}'.",
                sub.display_name
            ),
        )
        .with_arg("email", email.to_string())
        .with_arg("subscription", sub.display_name.to_string()));
    };
    let mut updated = sub.clone();
    updated.co_admins.retain(|c| *c != identity);
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "Microsoft.Authorization/classicAdministrators/delete",
            email_of(world, identity),
        )
        .subscription(subscription)
        .tenant(sub.tenant)
        .details(serde_json::json!({"role": "CoAdministrator"})),
    );
    change.push(Mutation::PutSubscription(updated));
    Ok(change)
}

/// Changes the service administrator. Only the account administrator may, and Azure's account-type matrix
/// applies: a personal account administrator may name personal accounts only; a work account
/// administrator may name personal accounts or accounts present in the subscription's directory.
pub fn change_service_admin(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    email: &str,
    account_type: Option<AccountType>,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let s =
        crate::rules::reads::known_subscription(world, actor, subscription, CLASSIC_ADMIN_WRITE)?;
    let sub = &s.subscription;
    if !may_change_service_admin(actor, sub) {
        let who = if crate::rules::reads::may_read_administrators(world, actor, sub) {
            format!(" ({})", email_of(world, sub.account_admin))
        } else {
            String::new()
        };
        return Err(DomainError::forbidden(
            "NotAccountAdministrator",
            format!(
                "Only the account administrator{who} can change the service administrator of '{}'.",
                sub.display_name
            ),
        )
        .with_arg("who", who.to_string())
        .with_arg("subscription", sub.display_name.to_string())
        .with_remedy("Sign in as the account administrator."));
    }
    super::subscriptions::require_writable(actor, sub)?;
    let tenant = &require_tenant(world, sub.tenant)?.tenant;
    let identity = administrator_identity(world, tenant, email, account_type)?;
    if identity == sub.service_admin {
        return Err(DomainError::conflict(
            "AlreadyServiceAdministrator",
            format!("'{email}' is the service administrator already."),
        )
        .with_arg("email", email.to_string())
        .with_variant("change-service-admin"));
    }
    if matches!(sub.account_admin, Identity::Personal { .. })
        && matches!(identity, Identity::Organizational { .. })
        && !actor.is_operator()
    {
        return Err(DomainError::forbidden(
            "ServiceAdministratorTypeNotAllowed",
            "An account administrator who is a personal account can make only personal accounts service administrator.",
        )
        .with_remedy("Choose a personal account, or have the account administrator changed first."));
    }
    let mut change = Change::new();
    ensure_present(world, tenant, identity, now, &mut change)?;
    let mut updated = sub.clone();
    updated.co_admins.retain(|c| *c != identity);
    updated.service_admin = identity;
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "Microsoft.Authorization/classicAdministrators/write",
            email_of(world, identity),
        )
        .subscription(subscription)
        .tenant(sub.tenant)
        .details(serde_json::json!({
            "role": "ServiceAdministrator", "previous": email_of(world, sub.service_admin),
        })),
    );
    change.push(Mutation::PutSubscription(updated));
    Ok(change)
}

/// A classic administrator role, as ARM names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClassicRole {
    /// One per subscription: full access; may change the directory.
    ServiceAdministrator,
    /// The billing owner: may change the service administrator.
    AccountAdministrator,
    /// Up to 200: full access, but neither the directory nor the service administrator.
    CoAdministrator,
}

impl ClassicRole {
    /// In ARM's order (`ServiceAdministrator;AccountAdministrator`).
    pub const ALL: [ClassicRole; 3] = [
        ClassicRole::ServiceAdministrator,
        ClassicRole::AccountAdministrator,
        ClassicRole::CoAdministrator,
    ];

    /// ARM's name (`ServiceAdministrator`).
    pub fn as_str(self) -> &'static str {
        match self {
            ClassicRole::ServiceAdministrator => "ServiceAdministrator",
            ClassicRole::AccountAdministrator => "AccountAdministrator",
            ClassicRole::CoAdministrator => "CoAdministrator",
        }
    }

    /// The name in words (`Service administrator`).
    pub fn display_name(self) -> &'static str {
        match self {
            ClassicRole::ServiceAdministrator => "Service administrator",
            ClassicRole::AccountAdministrator => "Account administrator",
            ClassicRole::CoAdministrator => "Co-administrator",
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// As ARM names it, so that a plan shows `"role": "ServiceAdministrator"`.
impl serde::Serialize for ClassicRole {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The classic roles one person holds in a subscription (a set, in ARM's order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassicRoles(u8);

impl ClassicRoles {
    /// The roles `identity` holds in `sub`.
    pub fn of(sub: &Subscription, identity: Identity) -> Self {
        let mut roles = ClassicRoles::default();
        if sub.service_admin == identity {
            roles = roles.with(ClassicRole::ServiceAdministrator);
        }
        if sub.account_admin == identity {
            roles = roles.with(ClassicRole::AccountAdministrator);
        }
        if sub.co_admins.contains(&identity) {
            roles = roles.with(ClassicRole::CoAdministrator);
        }
        roles
    }

    pub fn with(self, role: ClassicRole) -> Self {
        ClassicRoles(self.0 | role.bit())
    }

    pub fn contains(self, role: ClassicRole) -> bool {
        self.0 & role.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The roles held, in ARM's order.
    pub fn iter(self) -> impl Iterator<Item = ClassicRole> {
        ClassicRole::ALL
            .into_iter()
            .filter(move |r| self.contains(*r))
    }

    /// Holds full access and manages co-administrators: the service administrator or a co-administrator.
    pub fn manages(self) -> bool {
        self.contains(ClassicRole::ServiceAdministrator)
            || self.contains(ClassicRole::CoAdministrator)
    }
}

/// ARM's wire form: the names joined with `;` (`ServiceAdministrator;AccountAdministrator`).
impl std::fmt::Display for ClassicRoles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, r) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(r.as_str())?;
        }
        Ok(())
    }
}

/// A classic administrator as Azure lists it: one entry per person, except that an account administrator
/// who is not the service administrator has an entry of its own, as do co-administrators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassicAdministrator {
    pub identity: Identity,
    pub email: String,
    /// `ServiceAdministrator;AccountAdministrator`, `ServiceAdministrator`, `AccountAdministrator` or
    /// `CoAdministrator`.
    pub roles: ClassicRoles,
}

pub fn classic_administrators(world: &World, sub: &Subscription) -> Vec<ClassicAdministrator> {
    let entry = |identity: Identity, roles: ClassicRoles| ClassicAdministrator {
        identity,
        email: email_of(world, identity),
        roles,
    };
    let service = ClassicRoles::default().with(ClassicRole::ServiceAdministrator);
    let account = ClassicRoles::default().with(ClassicRole::AccountAdministrator);
    let mut out = Vec::new();
    if sub.account_admin == sub.service_admin {
        out.push(entry(
            sub.service_admin,
            service.with(ClassicRole::AccountAdministrator),
        ));
    } else {
        out.push(entry(sub.service_admin, service));
        out.push(entry(sub.account_admin, account));
    }
    for c in &sub.co_admins {
        out.push(entry(
            *c,
            ClassicRoles::default().with(ClassicRole::CoAdministrator),
        ));
    }
    out
}

/// A person who could become a co-administrator, as a picker offers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoAdminCandidate {
    pub display_name: String,
    /// What the add form takes: the person's email (a guest's home email), else the UPN.
    pub email: String,
}

/// The people of the subscription's directory who could become co-administrators (present, enabled, not a
/// classic administrator yet). Empty when the caller may not list the directory's users: a picker shows
/// nothing the caller could not list otherwise.
pub fn co_admin_candidates(
    world: &World,
    actor: &Actor,
    sub: &Subscription,
) -> Vec<CoAdminCandidate> {
    if crate::rules::reads::require_directory_enumeration(world, actor, sub.tenant).is_err() {
        return vec![];
    }
    let Some(part) = world.tenant(sub.tenant) else {
        return vec![];
    };
    part.users
        .values()
        .filter(|u| u.is_present() && u.enabled)
        .filter_map(|u| {
            let identity = u.identity()?;
            if ClassicRoles::of(sub, identity).manages() {
                return None;
            }
            Some(CoAdminCandidate {
                display_name: u.display_name.clone(),
                email: world
                    .identity_email(identity)
                    .unwrap_or_else(|| u.upn().to_string()),
            })
        })
        .collect()
}
