//! Guests: B2B invitations (invite, redeem) and the article's "use existing directory" (a service
//! administrator asks to join a tenant; a Global Administrator of it approves). Both end with the account
//! as a redeemed guest of the tenant, so the tenant appears in the account's directory list.

use super::*;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};
use crate::rules::directory::validate_email;

/// Invites an email to a tenant (Global or User Administrators). The guest object exists, pending, until
/// whoever owns that email redeems. Inviting an email again returns the existing invitation.
pub fn invite(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    email: &str,
    now: Timestamp,
) -> Result<(Change, RequestId, ObjectId), DomainError> {
    invite_named(world, actor, tenant, email, None, now)
}

/// As [`invite`], naming the guest (Graph's `invitedUserDisplayName`); without a name, or when the
/// guest exists already, the guest is named as before (a new guest by its email).
pub fn invite_named(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    email: &str,
    display_name: Option<&str>,
    now: Timestamp,
) -> Result<(Change, RequestId, ObjectId), DomainError> {
    require_directory_role(world, actor, tenant, USER_MANAGERS, "invite guests")?;
    let part = require_tenant(world, tenant)?;
    validate_email(email)?;
    if let Some(name) = display_name {
        super::names::require_name("invitedUserDisplayName", name)?;
    }
    if is_member_email(world, tenant, email) {
        return Err(DomainError::conflict(
            "InvitedUserIsMember",
            format!("'{email}' is already a member of the directory '{}': members cannot be invited as guests.", part.tenant.display_name),
        )
        .with_arg("email", email.to_string())
        .with_arg("directory", part.tenant.display_name.to_string())
        .with_variant("invite-named")
        .with_remedy("Invite a different email; the member can sign in to the directory as they are."));
    }
    let existing_guest = part
        .users
        .values()
        .find(|u| !u.is_member() && u.mail().is_some_and(|m| m.eq_ignore_ascii_case(email)));
    if let Some(g) = existing_guest
        && let Some(inv) = part.invitations.values().find(|i| i.guest == g.id)
    {
        return Ok((Change::new(), inv.id, g.id));
    }
    let guest = match existing_guest {
        Some(g) => g.clone(),
        None => User {
            given_name: None,
            surname: None,
            id: ObjectId::new(),
            tenant,
            display_name: display_name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or(email.trim())
                .to_string(),
            enabled: true,
            kind: UserKind::Guest {
                email: email.trim().to_string(),
                upn: guest_upn(email, &part.tenant),
                home: None,
                state: GuestState::PendingAcceptance,
            },
            created: now,
        },
    };
    let invitation = Invitation {
        id: RequestId::new(),
        tenant,
        email: email.trim().to_string(),
        guest: guest.id,
        invited_by: actor.object_id(),
        status: if guest.is_present() {
            RequestStatus::Completed
        } else {
            RequestStatus::Pending
        },
        created: now,
    };
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "microsoft.directory/invitations/create",
            email.to_string(),
        )
        .tenant(tenant)
        .details(serde_json::json!({"invitation": invitation.id, "guest": guest.id})),
    );
    change.push(Mutation::PutUser(guest.clone()));
    change.push(Mutation::PutInvitation(invitation.clone()));
    Ok((change, invitation.id, guest.id))
}

/// The one refusal for an invitation link that names no invitation, and for one sent to someone else:
/// the link tells nobody but the invitee whom it invites, nor whether it exists.
pub fn invitation_not_found(invitation: RequestId) -> DomainError {
    DomainError::not_found(
        "InvitationNotFound",
        format!(
            "The invitation '{invitation}' does not exist, or it was sent to another account than the one you are signed in with."
        ),
    )
    .with_arg("invitation", invitation.to_string())
    .with_remedy("Check the link you were sent, and sign in with the account it was sent to (sign out first if needed).")
}

/// Whether `identity` is the person an invitation was sent to (one of its sign-in names is the email).
pub fn is_invitee(world: &World, identity: Identity, invitation: &Invitation) -> bool {
    world
        .identity_emails(identity)
        .iter()
        .any(|e| e.eq_ignore_ascii_case(&invitation.email))
}

/// An invitation of a tenant and the tenant, for the person it was sent to (signed in as `identity`);
/// [`invitation_not_found`] for anyone else and for an invitation that does not exist.
pub fn require_invitation(
    world: &World,
    identity: Identity,
    tenant: TenantId,
    invitation: RequestId,
) -> Result<(&TenantPart, &Invitation), DomainError> {
    world
        .tenant(tenant)
        .and_then(|part| Some((part, part.invitations.get(&invitation)?)))
        .filter(|(_, inv)| is_invitee(world, identity, inv))
        .ok_or_else(|| invitation_not_found(invitation))
}

/// Redeems an invitation as the signed-in identity, whose email must be the invited one.
pub fn redeem(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    invitation: RequestId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let identity = actor.identity().ok_or_else(|| {
        DomainError::forbidden(
            "SignInRequired",
            "An invitation is redeemed by the person it was sent to.",
        )
        .with_variant("redeem")
        .with_remedy("Sign in with the invited account.")
    })?;
    let (part, inv) = require_invitation(world, identity, tenant, invitation)?;
    if let Identity::Organizational { tenant: home, .. } = identity
        && home == tenant
    {
        return Err(DomainError::conflict(
            "InvitedUserIsMember",
            "You are a member of this directory already.",
        )
        .with_variant("redeem"));
    }
    if inv.status != RequestStatus::Pending {
        return Err(DomainError::conflict(
            "InvitationAlreadyRedeemed",
            format!("The invitation for '{}' was already redeemed.", inv.email),
        )
        .with_arg("email", inv.email.to_string())
        .with_arg("directory", part.tenant.display_name.to_string())
        .with_remedy(format!(
            "Sign in to '{}' directly.",
            part.tenant.display_name
        )));
    }
    if let Some(existing) = world.presence(identity, tenant) {
        return Err(DomainError::conflict(
            "AlreadyGuest",
            format!(
                "You are already present in '{}' (object {existing}).",
                part.tenant.display_name
            ),
        )
        .with_arg("directory", part.tenant.display_name.to_string())
        .with_arg("existing", existing.to_string()));
    }
    let mut guest = part
        .users
        .get(&inv.guest)
        .cloned()
        .ok_or_else(|| crate::rules::directory::user_not_found(inv.guest))?;
    if let UserKind::Guest { home, state, .. } = &mut guest.kind {
        *home = Some(identity);
        *state = GuestState::Accepted;
    }
    if let Some(name) = match identity {
        Identity::Personal { account } => world.account(account).map(|a| a.display_name.clone()),
        Identity::Organizational { user, .. } => world.user(user).map(|u| u.display_name.clone()),
    } {
        guest.display_name = name;
    }
    let mut inv = inv.clone();
    inv.status = RequestStatus::Completed;
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "microsoft.directory/invitations/redeem",
            inv.email.clone(),
        )
        .tenant(tenant)
        .details(serde_json::json!({"invitation": inv.id, "guest": guest.id})),
    );
    change.push(Mutation::PutUser(guest));
    change.push(Mutation::PutInvitation(inv));
    Ok(change)
}

/// Why the service administrator's account cannot join `tenant` (the article's prerequisites).
fn link_blockers(world: &World, sub: &Subscription, tenant: &TenantPart) -> Vec<DomainError> {
    let mut blockers = Vec::new();
    let sa = sub.service_admin;
    let sa_email = email_of(world, sa);
    let tname = &tenant.tenant.display_name;
    if world.presence(sa, tenant.tenant.id).is_some() {
        blockers.push(
            DomainError::conflict("DirectoryAlreadyLinked", format!("'{sa_email}' is already present in '{tname}': the directory is in your list already."))
                .with_arg("email", sa_email.to_string())
                .with_arg("directory", tname.to_string())
                .with_remedy("Go on to change the subscription's directory."),
        );
        return blockers;
    }
    if world.email_matches(&sa_email).is_dual() {
        blockers.push(
            dual_identity_error(&sa_email)
                .with_remedy("Temporarily make another personal account the subscription's service administrator, then link the directory with it."),
        );
    }
    let members_with_email: Vec<&User> = world
        .email_matches(&sa_email)
        .organizational
        .iter()
        .filter(|(t, _)| *t == tenant.tenant.id)
        .filter_map(|(_, o)| tenant.users.get(o))
        .collect();
    for m in members_with_email {
        let is_ga = tenant.has_role(m.id, DirectoryRole::GlobalAdministrator);
        // Each code with the values its wording names, so that the portal can say it in another language.
        let refusal = if is_ga {
            DomainError::conflict(
                "ServiceAdministratorIsGlobalAdministrator",
                format!(
                    "The service administrator's email '{sa_email}' is a Global Administrator of '{tname}' ({}).",
                    m.upn()
                ),
            )
            .with_arg("email", sa_email.to_string())
            .with_arg("directory", tname.to_string())
            .with_arg("member", m.upn().to_string())
        } else {
            DomainError::conflict(
                "ServiceAdministratorIsMember",
                format!(
                    "The service administrator's email '{sa_email}' is a member of '{tname}' ({}).",
                    m.upn()
                ),
            )
            .with_arg("email", sa_email.to_string())
            .with_arg("directory", tname.to_string())
            .with_arg("member", m.upn().to_string())
        };
        blockers.push(
            refusal
                .with_remedy("Make a personal account whose email is not in that directory the service administrator first."),
        );
    }
    blockers
}

fn first_blocker(mut blockers: Vec<DomainError>) -> Result<(), DomainError> {
    if blockers.is_empty() {
        return Ok(());
    }
    let first = blockers.remove(0);
    Err(first.with_details(blockers))
}

/// The actions a refusal names when the caller may not learn of the subscription.
pub mod link_actions {
    pub const WRITE: &str = "Microsoft.Subscription/directoryLinkRequests/write";
    pub const DELETE: &str = "Microsoft.Subscription/directoryLinkRequests/delete";
}

/// The directory a request to link names (a GUID, one of its domains or its name), resolved only for a
/// caller who may learn of the subscription: anyone else is refused as for a subscription that does not
/// exist, whatever directory they name.
pub fn link_target(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    action: &str,
    key: &str,
) -> Result<TenantId, DomainError> {
    crate::rules::reads::known_subscription(world, actor, subscription, action)?;
    Ok(require_tenant_by_key(world, key)?.tenant.id)
}

/// "Use existing directory", step 1: the service administrator asks to link `tenant`.
pub fn request_link(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    tenant: TenantId,
    now: Timestamp,
) -> Result<(Change, RequestId), DomainError> {
    let s =
        crate::rules::reads::known_subscription(world, actor, subscription, link_actions::WRITE)?;
    let t = require_tenant(world, tenant)?;
    let sub = &s.subscription;
    if !actor.is_operator() && actor.identity() != Some(sub.service_admin) {
        let who = if crate::rules::reads::may_read_administrators(world, actor, sub) {
            format!(" ({})", email_of(world, sub.service_admin))
        } else {
            String::new()
        };
        return Err(DomainError::forbidden(
            "NotServiceAdministrator",
            format!("Only the service administrator{who} can add a directory to the subscription '{}'; co-administrators cannot.", sub.display_name),
        )
        .with_arg("who", who.to_string())
        .with_arg("subscription", sub.display_name.to_string())
        .with_remedy("Sign in as the service administrator, or ask the account administrator to make you service administrator."));
    }
    if !actor.is_operator() && actor.tenant() != Some(sub.tenant) {
        let tname = world
            .tenant(sub.tenant)
            .map(|t| t.tenant.display_name.clone())
            .unwrap_or_default();
        return Err(DomainError::forbidden(
            "InvalidAuthenticationTokenTenant",
            format!(
                "'{}' is not signed in to '{tname}', the directory the subscription '{}' trusts.",
                actor.display(),
                sub.display_name
            ),
        )
        .with_arg("principal", actor.display().to_string())
        .with_arg("directory", tname.to_string())
        .with_arg("subscription", sub.display_name.to_string())
        .with_variant("request-link")
        .with_remedy(format!(
            "Sign in to '{tname}' as the service administrator and try again."
        )));
    }
    first_blocker(link_blockers(world, sub, t))?;
    let req = DirectoryLinkRequest {
        id: RequestId::new(),
        tenant,
        subscription,
        requester: sub.service_admin,
        status: RequestStatus::Pending,
        created: now,
        expires: now + LINK_REQUEST_LIFETIME,
        decided_by: None,
    };
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "tenantry/directoryLinkRequests/write",
            tenant.to_string(),
        )
        .subscription(subscription)
        .tenant(tenant)
        .details(serde_json::json!({"request": req.id})),
    );
    change.push(Mutation::PutLinkRequest(req.clone()));
    Ok((change, req.id))
}

fn find_link_request(
    world: &World,
    tenant: TenantId,
    id: RequestId,
    now: Timestamp,
) -> Result<&DirectoryLinkRequest, DomainError> {
    let r = require_tenant(world, tenant)?
        .link_requests
        .get(&id)
        .ok_or_else(|| {
            DomainError::not_found(
                "LinkRequestNotFound",
                format!("The directory link request '{id}' does not exist."),
            )
            .with_arg("id", id.to_string())
            .with_variant("find-link-request")
        })?;
    if r.status != RequestStatus::Pending {
        return Err(DomainError::conflict(
            "LinkRequestClosed",
            format!(
                "The directory link request is {}.",
                r.status.as_str().to_lowercase()
            ),
        )
        .with_arg("status", r.status.as_str().to_lowercase().to_string()));
    }
    if r.expires <= now {
        return Err(DomainError::conflict(
            "LinkRequestExpired",
            "The directory link request has expired.",
        )
        .with_remedy("The service administrator can start it again."));
    }
    Ok(r)
}

/// Step 1, continued: a Global Administrator of the tenant approves; the service administrator becomes a
/// redeemed guest there.
pub fn approve_link(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    id: RequestId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    if !holds_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS) {
        // Named only to who is in it; an outsider gets the same answer whether the request exists or not.
        let tname = crate::rules::reads::directory_label(world, actor, tenant);
        return Err(DomainError::forbidden(
            "ApproverNotGlobalAdministrator",
            format!("'{}' is not a Global Administrator of '{tname}', so cannot approve adding it to the subscription.", actor.display()),
        )
        .with_arg("principal", actor.display().to_string())
        .with_arg("directory", tname.to_string())
        .with_variant("approve-link")
        .with_remedy(format!("Sign in with a Global Administrator of '{tname}'.")));
    }
    let r = find_link_request(world, tenant, id, now)?.clone();
    let t = require_tenant(world, tenant)?;
    let s = require_subscription(world, r.subscription)?;
    if s.subscription.service_admin != r.requester {
        return Err(DomainError::conflict(
            "ServiceAdministratorChanged",
            "The subscription's service administrator changed since the request was made.",
        )
        .with_remedy("The current service administrator can start it again."));
    }
    first_blocker(link_blockers(world, &s.subscription, t))?;
    let guest = new_guest(world, &t.tenant, r.requester, now);
    let mut done = r.clone();
    done.status = RequestStatus::Completed;
    done.decided_by = actor.object_id();
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "tenantry/directoryLinkRequests/approve",
            email_of(world, r.requester),
        )
        .tenant(tenant)
        .subscription(r.subscription)
        .details(serde_json::json!({"request": id, "guest": guest.id})),
    );
    change.push(Mutation::PutUser(guest));
    change.push(Mutation::PutLinkRequest(done));
    Ok(change)
}

/// The service administrator withdraws the subscription's pending request to link the directory `key`
/// names (`DELETE …/directoryLinkRequests/{tenant}`): for a caller who may learn of the subscription,
/// [`decline_link`] on its newest pending request; anyone else is refused whatever exists.
pub fn withdraw_link(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    key: &str,
    now: Timestamp,
) -> Result<(Change, (TenantId, RequestId)), DomainError> {
    let tenant = link_target(world, actor, subscription, link_actions::DELETE, key)?;
    let pending = world
        .tenant(tenant)
        .into_iter()
        .flat_map(|t| t.link_requests.values())
        .filter(|r| r.subscription == subscription)
        .max_by_key(|r| (r.created, r.id))
        .filter(|r| r.status == RequestStatus::Pending)
        .ok_or_else(|| {
            DomainError::not_found(
                "LinkRequestNotFound",
                format!("The directory link request '{tenant}' does not exist."),
            )
            .with_arg("tenant", tenant.to_string())
            .with_variant("withdraw-link")
        })?;
    let change = decline_link(world, actor, tenant, pending.id, now)?;
    Ok((change, (tenant, pending.id)))
}

/// Whether `actor` asked for the link request `id` of `tenant` (false when there is none).
fn asked_by(world: &World, actor: &Actor, tenant: TenantId, id: RequestId) -> bool {
    world
        .tenant(tenant)
        .and_then(|t| t.link_requests.get(&id))
        .is_some_and(|r| actor.identity() == Some(r.requester))
}

/// The requester cancels her own request while it waits (the portal's "Cancel the request"): unlike
/// [`decline_link`], a Global Administrator of the directory cannot do this in her name. Anyone but the
/// requester is refused the same way whether the request exists or not.
pub fn cancel_link(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    id: RequestId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    if !asked_by(world, actor, tenant, id) {
        return Err(DomainError::forbidden(
            "NotTheRequester",
            "Only the person who asked to add the directory can cancel the request.",
        )
        .with_remedy("A Global Administrator of the directory declines it instead."));
    }
    decline_link(world, actor, tenant, id, now)
}

/// The Global Administrator (or the requester) declines or withdraws the request.
pub fn decline_link(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    id: RequestId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    // Whether the caller asked for it is known from the request; anyone else must administer the
    // directory, and is refused the same way whether the request exists or not.
    let is_requester = asked_by(world, actor, tenant, id);
    if !is_requester && !holds_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS) {
        return Err(DomainError::forbidden(
            "ApproverNotGlobalAdministrator",
            "Only a Global Administrator of the directory or the requester can decline this request.",
        )
        .with_variant("decline-link"));
    }
    let r = find_link_request(world, tenant, id, now)?.clone();
    let mut done = r;
    done.status = if is_requester {
        RequestStatus::Cancelled
    } else {
        RequestStatus::Declined
    };
    done.decided_by = actor.object_id();
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "tenantry/directoryLinkRequests/decline",
            id.to_string(),
        )
        .tenant(tenant)
        .subscription(done.subscription),
    );
    change.push(Mutation::PutLinkRequest(done));
    Ok(change)
}
