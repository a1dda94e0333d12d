//! A person across directories: where they are present and who they are there, the subscriptions they
//! see in each, and what waits for them (invitations, directory link requests to approve). What the
//! portal shows a signed-in person on every page.

use crate::rules::admins::ClassicRoles;
use crate::rules::reads::{directory_shown, require_tenant_admin_read, visible_subscriptions};
use crate::rules::*;
use crate::signin::{Authority, subject};

/// The sign-in name of a person: a personal account's email, a member's UPN.
pub fn email(world: &World, identity: Identity) -> Option<String> {
    world.identity_email(identity)
}

/// A person as pages name them: the display name, the email beside it, and which kind of account is
/// signed in when that email is both a personal and a work or school account (where the two would
/// otherwise look alike).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonName {
    pub display_name: String,
    pub email: String,
    /// `personal account` or `work or school account`, only when the email is both.
    pub kind: Option<&'static str>,
}

impl PersonName {
    /// The display name, with the kind of account when the email is both (e.g. "Liam (personal account)").
    pub fn label(&self) -> String {
        match self.kind {
            Some(kind) => format!("{} ({kind})", self.display_name),
            None => self.display_name.clone(),
        }
    }
    /// The label with the email beside it, as lists name people ("Alice Smith (alice@example.com)"); the
    /// email alone when it stands in for a missing display name.
    pub fn with_email(&self) -> String {
        if self.display_name == self.email {
            return self.email.clone();
        }
        format!("{} ({})", self.label(), self.email)
    }
}

/// How pages name `identity` ([`PersonName`]); its email stands in for a display name it lacks.
pub fn person_name(world: &World, identity: Identity) -> Option<PersonName> {
    let (display_name, email, kind) = match identity {
        Identity::Personal { account } => {
            let a = world.account(account)?;
            (a.display_name.clone(), a.email.clone(), "personal account")
        }
        Identity::Organizational { user, .. } => {
            let u = world.user(user)?;
            (
                u.display_name.clone(),
                u.upn().to_string(),
                "work or school account",
            )
        }
    };
    // A member is known by its UPN and its mail: either may be a personal account's email too.
    let dual = world
        .identity_emails(identity)
        .iter()
        .any(|e| world.email_matches(e).is_dual());
    Some(PersonName {
        display_name: if display_name.trim().is_empty() {
            email.clone()
        } else {
            display_name
        },
        email,
        kind: dual.then_some(kind),
    })
}

/// A directory a person is present in, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonsDirectory<'w> {
    pub tenant: &'w Tenant,
    /// Their object there: their member user, or their redeemed guest.
    pub object: ObjectId,
    /// Its home directory (a member), rather than a directory it is a guest of.
    pub member: bool,
    pub roles: Vec<DirectoryRole>,
}

/// Every directory the person is present in (its home, and those where it is a redeemed guest).
pub fn directories_of(world: &World, identity: Identity) -> Vec<PersonsDirectory<'_>> {
    world
        .tenants_of_identity(identity)
        .into_iter()
        .filter_map(|(t, object)| {
            let part = world.tenant(t)?;
            Some(PersonsDirectory {
                tenant: &part.tenant,
                object,
                member: matches!(identity, Identity::Organizational { tenant, .. } if tenant == t),
                roles: part.roles_of(object),
            })
        })
        .collect()
}

/// Who the person is in `tenant`, as a token for that directory would say; `None` when they cannot act
/// there (not present, or disabled there).
pub fn actor_in(world: &World, identity: Identity, tenant: TenantId) -> Option<Actor> {
    subject(world, identity, Authority::Tenant(tenant))
        .ok()
        .map(|s| s.actor())
}

/// [`actor_in`], or the refusal a page of that directory shows.
pub fn require_actor_in(
    world: &World,
    identity: Identity,
    tenant: TenantId,
) -> Result<Actor, DomainError> {
    actor_in(world, identity, tenant).ok_or_else(|| {
        // Named by its id: a directory's name is for its own people, and a missing one has none.
        DomainError::forbidden(
            "NotInDirectory",
            format!("You are not a member or a guest of the directory {tenant}."),
        )
        .with_arg("tenant", tenant.to_string())
        .with_variant("require-actor-in")
        .with_remedy("Switch to one of your directories, or ask a Global Administrator of that directory to invite you.")
    })
}

/// Who the person acts as: in `tenant` when present there, otherwise in its default directory (its home
/// for a work account, its first directory for a personal account), otherwise as a personal account.
pub fn acting_actor(world: &World, identity: Identity, tenant: Option<TenantId>) -> Actor {
    if let Some(actor) = tenant.and_then(|t| actor_in(world, identity, t)) {
        return actor;
    }
    subject(world, identity, Authority::Organizations)
        .or_else(|_| subject(world, identity, Authority::Consumers))
        .map(|s| s.actor())
        .unwrap_or(match identity {
            Identity::Personal { account } => Actor::Personal {
                account,
                email: email(world, identity).unwrap_or_default(),
            },
            Identity::Organizational { tenant, user } => Actor::User {
                tenant,
                object: user,
                identity,
                name: email(world, identity).unwrap_or_default(),
            },
        })
}

/// What a person holds in a subscription: classic administrator roles and role assignments (its own and
/// its groups').
#[derive(Debug, Clone, PartialEq)]
pub struct HeldAccess<'w> {
    pub roles: ClassicRoles,
    pub assignments: Vec<HeldAssignment<'w>>,
}

/// A role assigned to the person, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldAssignment<'w> {
    pub role: &'w RoleDefinition,
    pub scope: &'w Scope,
    /// The group the assignment names, when the person holds it as one of its members (directly or
    /// through nested groups); `None` when it names the person.
    pub through: Option<&'w Group>,
}

/// The access `identity` (whose object in the subscription's directory is `object`) holds in `part`.
pub fn held_access<'w>(
    world: &'w World,
    part: &'w SubscriptionPart,
    identity: Option<Identity>,
    object: Option<ObjectId>,
) -> HeldAccess<'w> {
    let s = &part.subscription;
    HeldAccess {
        roles: identity.map(|i| ClassicRoles::of(s, i)).unwrap_or_default(),
        assignments: object
            .into_iter()
            .flat_map(|o| world.assignments_reaching(part, o).map(move |a| (o, a)))
            .filter_map(|(o, a)| {
                Some(HeldAssignment {
                    role: world.role_definition(s.id, a.role_definition)?,
                    scope: &a.scope,
                    through: (a.principal != o)
                        .then(|| world.tenant(s.tenant)?.group(a.principal))
                        .flatten(),
                })
            })
            .collect(),
    }
}

/// A subscription a person sees, with its directory and what the person holds in it.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonsSubscription<'w> {
    pub subscription: &'w Subscription,
    pub directory: &'w Tenant,
    pub held: HeldAccess<'w>,
}

/// The subscriptions a person sees, in every directory where they are present (as a token for each
/// would see them), by name then id, each once.
pub fn subscriptions_of(world: &World, identity: Identity) -> Vec<PersonsSubscription<'_>> {
    let mut out = Vec::new();
    for (t, object) in world.tenants_of_identity(identity) {
        let actor = acting_actor(world, identity, Some(t));
        out.extend(
            visible_subscriptions(world, &actor)
                .into_iter()
                .filter_map(|part| {
                    Some(PersonsSubscription {
                        subscription: &part.subscription,
                        // A subscription's trusted directory always exists (an invariant).
                        directory: &world.tenant(part.subscription.tenant)?.tenant,
                        held: held_access(world, part, Some(identity), Some(object)),
                    })
                }),
        );
    }
    out.sort_by(|a, b| {
        let (a, b) = (a.subscription, b.subscription);
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    out.dedup_by(|a, b| a.subscription.id == b.subscription.id);
    out
}

/// Invitations sent to one of the person's emails, not yet redeemed, with their directory.
pub fn invitations_for(world: &World, identity: Identity) -> Vec<(&Tenant, &Invitation)> {
    let emails = world.identity_emails(identity);
    world
        .tenants()
        .flat_map(|part| part.invitations.values().map(move |i| (&part.tenant, i)))
        .filter(|(_, i)| {
            i.status == RequestStatus::Pending
                && emails.iter().any(|e| e.eq_ignore_ascii_case(&i.email))
        })
        .collect()
}

/// A directory link request, with the names a page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRequestView<'w> {
    pub directory: &'w Tenant,
    pub request: &'w DirectoryLinkRequest,
    pub requester: PersonName,
    /// The subscription's display name.
    pub subscription: String,
}

/// One link request of `tenant`.
pub fn link_request(
    world: &World,
    tenant: TenantId,
    request: RequestId,
) -> Option<LinkRequestView<'_>> {
    let part = world.tenant(tenant)?;
    let r = part.link_requests.get(&request)?;
    Some(LinkRequestView {
        directory: &part.tenant,
        request: r,
        requester: person_name(world, r.requester).unwrap_or_default(),
        subscription: world
            .subscription(r.subscription)
            .map(|s| s.subscription.display_name.clone())
            .unwrap_or_default(),
    })
}

/// A link request as its page shows it, with where it stands at `now`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRequestDecision<'w> {
    pub view: LinkRequestView<'w>,
    /// The directory as the caller may name it ([`directory_shown`]: the requester, not yet in it, sees
    /// its domain).
    pub directory: String,
    /// Pending and not expired: it can still be approved or declined.
    pub waiting: bool,
    /// Pending, but past its expiry.
    pub expired: bool,
    /// The caller may approve or decline it (a Global Administrator signed in to the directory).
    pub may_decide: bool,
    /// The caller asked for it (and cannot decide it): the page shows where the request stands, not a
    /// decision. A Global Administrator who asked for it herself decides it.
    pub is_requester: bool,
    /// The caller may cancel it ([`crate::rules::guests::decline_link`] as the requester): while it waits.
    pub may_cancel: bool,
}

/// A link request, for its requester and for who reads the directory's administrative records.
pub fn read_link_request<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    request: RequestId,
    now: Timestamp,
) -> Result<LinkRequestDecision<'w>, DomainError> {
    let found = link_request(world, tenant, request);
    let is_requester = found
        .as_ref()
        .is_some_and(|v| actor.identity() == Some(v.request.requester));
    if !is_requester {
        require_tenant_admin_read(world, actor, tenant, "approve adding this directory")?;
    }
    let view = found.ok_or_else(|| {
        DomainError::not_found(
            "LinkRequestNotFound",
            format!("The directory link request '{request}' does not exist."),
        )
        .with_arg("request", request.to_string())
        .with_variant("read-link-request")
    })?;
    let pending = view.request.status == RequestStatus::Pending;
    let expired = view.request.expires <= now;
    let may_decide = holds_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS);
    Ok(LinkRequestDecision {
        directory: directory_shown(world, actor, tenant),
        waiting: pending && !expired,
        expired: pending && expired,
        is_requester: is_requester && !may_decide,
        may_decide,
        may_cancel: is_requester && pending && !expired,
        view,
    })
}

/// The person's own link requests that still wait (pending, not expired), newest first, each with the
/// directory named as the requester may name it (its domain, until she is in it).
pub fn link_requests_asked_by(
    world: &World,
    identity: Identity,
    now: Timestamp,
) -> Vec<(LinkRequestView<'_>, String)> {
    let actor = acting_actor(world, identity, None);
    let mut out: Vec<(LinkRequestView<'_>, String)> = world
        .tenants()
        .flat_map(|part| {
            part.link_requests
                .values()
                .filter(move |r| {
                    r.requester == identity && r.status == RequestStatus::Pending && r.expires > now
                })
                .filter_map(move |r| link_request(world, part.tenant.id, r.id))
        })
        .map(|v| {
            let shown = directory_shown(world, &actor, v.directory.id);
            (v, shown)
        })
        .collect();
    out.sort_by(|a, b| {
        (b.0.request.created, b.0.request.id).cmp(&(a.0.request.created, a.0.request.id))
    });
    out
}

/// Directory link requests waiting (pending, not expired) in the directories where the person reads the
/// administrative records (a Global Administrator or Global Reader there).
pub fn link_requests_awaiting(
    world: &World,
    identity: Identity,
    now: Timestamp,
) -> Vec<LinkRequestView<'_>> {
    let mut out = Vec::new();
    for (t, _) in world.tenants_of_identity(identity) {
        let actor = acting_actor(world, identity, Some(t));
        if require_tenant_admin_read(world, &actor, t, "read directory link requests").is_err() {
            continue;
        }
        let Some(part) = world.tenant(t) else {
            continue;
        };
        out.extend(
            part.link_requests
                .values()
                .filter(|r| r.status == RequestStatus::Pending && r.expires > now)
                .filter_map(|r| link_request(world, t, r.id)),
        );
    }
    out
}
