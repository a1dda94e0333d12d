//! Directories: tenants, personal accounts, member users, applications, directory roles and the
//! subscription policy.

use super::names::{require_name, require_names, shown};
use super::*;
use crate::audit::AuditEvent;
use crate::certificates::{ApplicationCertificate, MAX_CERTIFICATES};
use crate::mutation::{Change, Mutation};

/// Tenant names become the first label of the initial domain.
pub fn validate_tenant_name(name: &str) -> Result<(), DomainError> {
    let ok = !name.is_empty()
        && name.len() <= 27
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "InvalidTenantName",
            format!(
                "'{}' cannot be a directory name: use 1 to 27 letters and digits, starting with a letter.",
                shown(name)
            ),
        )
        .with_arg("name", shown(name).to_string()))
    }
}

/// The longest domain name (RFC 1035): domains are keys of the stores' indexes.
pub const MAX_DOMAIN_CHARS: usize = 253;

pub fn validate_domain(domain: &str) -> Result<(), DomainError> {
    let labels: Vec<&str> = domain.split('.').collect();
    let ok = domain.len() <= MAX_DOMAIN_CHARS
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
        });
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "InvalidDomainName",
            format!("'{}' is not a valid domain name.", shown(domain)),
        )
        .with_arg("domain", shown(domain).to_string()))
    }
}

/// The longest email address (RFC 5321's path limit): UPNs and emails are keys of the stores' indexes.
pub const MAX_EMAIL_CHARS: usize = 254;

/// An email address or a UPN: a name (no control character), a local part without spaces, a domain.
pub fn validate_email(email: &str) -> Result<(), DomainError> {
    require_name("email", email)?;
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && email.len() <= MAX_EMAIL_CHARS
                && !local.contains(char::is_whitespace)
                && validate_domain(domain).is_ok() =>
        {
            Ok(())
        }
        _ => Err(DomainError::invalid(
            "InvalidEmail",
            format!("'{}' is not a valid email address.", shown(email)),
        )
        .with_arg("email", shown(email).to_string())),
    }
}

/// The fewest characters a password set in clear may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The password policy, for every password set in clear: a new personal account or user, a reset, a
/// world file's `password`. (The rules below receive only hashes, so the service and the world file call
/// this before hashing.)
pub fn validate_password(password: &str) -> Result<(), DomainError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(DomainError::invalid(
            "PasswordTooShort",
            format!("The password must be at least {MIN_PASSWORD_CHARS} characters long."),
        )
        .with_arg("min_password_chars", MIN_PASSWORD_CHARS.to_string()));
    }
    Ok(())
}

pub struct NewTenant {
    pub id: Option<TenantId>,
    pub name: String,
    pub display_name: String,
    pub origin: TenantOrigin,
    pub domain_suffix: String,
    pub domains: Vec<String>,
}

/// Creates a tenant. When a person creates it ("create new directory"), they become its Global
/// Administrator: a member's home stays where it is, so they join as a redeemed guest, as in Azure.
pub fn create_tenant(
    world: &World,
    actor: &Actor,
    req: NewTenant,
    now: Timestamp,
) -> Result<(Change, TenantId), DomainError> {
    validate_tenant_name(&req.name)?;
    require_name("displayName", &req.display_name)?;
    let initial_domain = format!(
        "{}.{}",
        req.name.to_lowercase(),
        req.domain_suffix.trim_start_matches('.')
    );
    validate_domain(&initial_domain)?;
    if world.tenant_by_name(&req.name).is_some()
        || world.tenant_by_domain(&initial_domain).is_some()
    {
        return Err(DomainError::conflict(
            "TenantNameTaken",
            format!("A directory named '{}' already exists.", req.name),
        )
        .with_arg("name", req.name.to_string())
        .with_remedy("Choose another name."));
    }
    let id = req.id.unwrap_or_default();
    if world.tenant(id).is_some() {
        return Err(DomainError::conflict(
            "TenantExists",
            format!("A directory with id '{id}' already exists."),
        )
        .with_arg("id", id.to_string()));
    }
    for d in &req.domains {
        validate_domain(d)?;
        if world.tenant_by_domain(d).is_some() {
            return Err(DomainError::conflict(
                "DomainTaken",
                format!("The domain '{d}' already belongs to another directory."),
            )
            .with_arg("domain", d.to_string())
            .with_variant("create-tenant"));
        }
    }
    let tenant = Tenant {
        id,
        name: req.name.clone(),
        display_name: if req.display_name.is_empty() {
            req.name.clone()
        } else {
            req.display_name
        },
        origin: req.origin,
        initial_domain,
        domains: req.domains,
        policy: SubscriptionPolicy::default(),
        created: now,
    };
    let mut change = Change::new();
    change.push(Mutation::PutTenant(tenant.clone()));
    if let Some(identity) = actor.identity() {
        let guest = new_guest(world, &tenant, identity, now);
        change.push(Mutation::PutUser(guest.clone()));
        change.push(Mutation::AddDirectoryRoleMember {
            tenant: id,
            role: DirectoryRole::GlobalAdministrator,
            principal: guest.id,
        });
    }
    change.audit(
        AuditEvent::new(actor, now, "tenantry/tenants/write", id.to_string())
            .tenant(id)
            .details(serde_json::json!({
                "name": tenant.name, "origin": tenant.origin.as_str(),
            })),
    );
    Ok((change, id))
}

pub struct NewPersonalAccount {
    pub id: Option<AccountId>,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
}

/// Signs up a personal account (operator and world files only: sign-up itself is outside tenantry).
pub fn create_personal_account(
    world: &World,
    actor: &Actor,
    req: NewPersonalAccount,
    now: Timestamp,
) -> Result<(Change, AccountId), DomainError> {
    require_operator(actor, "create personal accounts")?;
    validate_email(&req.email)?;
    require_name("displayName", &req.display_name)?;
    if world.account_by_email(&req.email).is_some() {
        return Err(DomainError::conflict(
            "AccountExists",
            format!(
                "A personal account with the email '{}' already exists.",
                req.email
            ),
        )
        .with_arg("email", req.email.to_string())
        .with_variant("email"));
    }
    let id = req.id.unwrap_or_default();
    if world.account(id).is_some() {
        return Err(DomainError::conflict(
            "AccountExists",
            format!("A personal account with id '{id}' already exists."),
        )
        .with_arg("id", id.to_string())
        .with_variant("id"));
    }
    let account = PersonalAccount {
        id,
        display_name: if req.display_name.is_empty() {
            req.email.split('@').next().unwrap_or_default().to_string()
        } else {
            req.display_name
        },
        email: req.email.trim().to_string(),
        password_hash: req.password_hash,
        enabled: true,
        created: now,
    };
    let mut change = Change::new();
    change.push(Mutation::PutAccount(account.clone()));
    change.audit(AuditEvent::new(
        actor,
        now,
        "tenantry/personalAccounts/write",
        account.email.clone(),
    ));
    Ok((change, id))
}

pub(crate) fn require_operator(actor: &Actor, what: &str) -> Result<(), DomainError> {
    if actor.is_operator() {
        Ok(())
    } else {
        Err(
            DomainError::forbidden("OperatorOnly", format!("Only the operator may {what}."))
                .with_arg("what", what.to_string())
                .with_variant("require-operator"),
        )
    }
}

pub struct NewUser {
    pub id: Option<ObjectId>,
    /// A full UPN, or a bare name that gets the tenant's initial domain.
    pub user_name: String,
    pub display_name: String,
    /// Graph's `givenName` and `surname`.
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub mail: Option<String>,
    pub password_hash: String,
    pub enabled: bool,
}

/// The full UPN for a user name in a tenant; a full UPN must be on one of the tenant's domains.
pub fn user_principal_name(tenant: &Tenant, user_name: &str) -> Result<String, DomainError> {
    require_name("userPrincipalName", user_name)?;
    let name = user_name.trim();
    match name.split_once('@') {
        None => {
            let upn = format!("{}@{}", name.to_lowercase(), tenant.initial_domain);
            validate_email(&upn).map(|_| upn)
        }
        Some((_, domain)) => {
            validate_email(name)?;
            if !tenant.has_domain(domain) {
                return Err(DomainError::invalid(
                    "InvalidUserPrincipalName",
                    format!(
                        "The domain of '{name}' is not a domain of the directory '{}'.",
                        tenant.display_name
                    ),
                )
                .with_arg("name", name.to_string())
                .with_arg("directory", tenant.display_name.to_string())
                .with_arg(
                    "domains",
                    tenant
                        .all_domains()
                        .collect::<Vec<_>>()
                        .join(", ")
                        .to_string(),
                )
                .with_remedy(format!(
                    "Use one of: {}.",
                    tenant.all_domains().collect::<Vec<_>>().join(", ")
                )));
            }
            Ok(name.to_string())
        }
    }
}

/// Creates a member user (Global or User Administrators).
pub fn create_user(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    req: NewUser,
    now: Timestamp,
) -> Result<(Change, ObjectId), DomainError> {
    let user = decide_user(world, actor, tenant, req, now)?;
    let (id, upn) = (user.id, user.upn().to_string());
    let mut change = Change::new();
    change.push(Mutation::PutUser(user));
    change.audit(
        AuditEvent::new(actor, now, "microsoft.directory/users/create", upn)
            .tenant(tenant)
            .details(serde_json::json!({"id": id})),
    );
    Ok((change, id))
}

/// Users a bulk writer (a world file) creates in one tenant: each decided by [`decide_user`], the rule
/// Graph's POST runs, and written by [`BulkUsers::create`]'s change; the set told by one audit event
/// ([`BulkUsers::told`]), for the reason `access::BulkAssignments` gives. Each user keeps its
/// `created` time, the event's.
#[derive(Debug, Default)]
pub struct BulkUsers {
    count: usize,
}

impl BulkUsers {
    /// The change that writes `user` (as [`decide_user`] decided it), counted for the event.
    pub fn create(&mut self, user: User) -> Change {
        self.count += 1;
        let mut change = Change::new();
        change.push(Mutation::PutUser(user));
        change
    }

    /// The one audit event for the users created in `tenant`: empty when none was. `world_file` is
    /// the file's digest (`sha256:…`).
    pub fn told(
        self,
        world: &World,
        actor: &Actor,
        tenant: TenantId,
        world_file: Option<&str>,
        now: Timestamp,
    ) -> Change {
        let mut change = Change::new();
        if self.count == 0 {
            return change;
        }
        let target = world
            .tenant(tenant)
            .map_or_else(|| tenant.to_string(), |t| t.tenant.initial_domain.clone());
        change.audit(
            AuditEvent::new(actor, now, "microsoft.directory/users/create", target)
                .tenant(tenant)
                .details(serde_json::json!({
                    "worldFile": world_file,
                    "usersCreated": self.count,
                })),
        );
        change
    }
}

/// The user [`create_user`] would create, without the change that tells it: for a bulk writer (a
/// world file) that records the users it creates in one audit event rather than one each.
pub fn decide_user(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    req: NewUser,
    now: Timestamp,
) -> Result<User, DomainError> {
    require_directory_role(world, actor, tenant, USER_MANAGERS, "create users")?;
    let part = require_tenant(world, tenant)?;
    let upn = user_principal_name(&part.tenant, &req.user_name)?;
    require_name("displayName", &req.display_name)?;
    if world.member_by_upn(&upn).is_some() {
        return Err(DomainError::conflict(
            "Request_BadRequest",
            format!(
                "Another object with the same value for property userPrincipalName already exists: '{upn}'."
            ),
        )
        .with_arg("upn", upn.to_string())
        .with_variant("create-user"));
    }
    if let Some(m) = &req.mail {
        validate_email(m)?;
    }
    let id = req.id.unwrap_or_default();
    if world.tenant_of_object(id).is_some() {
        return Err(DomainError::conflict(
            "ObjectExists",
            format!("An object with id '{id}' already exists."),
        )
        .with_arg("id", id.to_string())
        .with_variant("create-user"));
    }
    let user = User {
        id,
        tenant,
        display_name: if req.display_name.is_empty() {
            upn.split('@').next().unwrap_or_default().to_string()
        } else {
            req.display_name
        },
        given_name: optional_name("givenName", req.given_name)?,
        surname: optional_name("surname", req.surname)?,
        enabled: req.enabled,
        kind: UserKind::Member {
            upn,
            mail: req.mail,
            password_hash: req.password_hash,
        },
        created: now,
    };
    Ok(user)
}

/// Changes to a user; `None` keeps the current value.
#[derive(Default)]
pub struct UserUpdate {
    pub display_name: Option<String>,
    /// `Some(None)` clears a name, as Graph's `null` does.
    pub given_name: Option<Option<String>>,
    pub surname: Option<Option<String>>,
    pub enabled: Option<bool>,
    pub mail: Option<Option<String>>,
    pub password_hash: Option<String>,
}

pub fn update_user(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    user: ObjectId,
    upd: UserUpdate,
    now: Timestamp,
) -> Result<Change, DomainError> {
    // Users may change their own password and name; administrators anyone's.
    let is_self = actor.tenant() == Some(tenant) && actor.object_id() == Some(user);
    let only_self_fields = upd.enabled.is_none() && upd.mail.is_none();
    if !(is_self && only_self_fields) {
        require_directory_role(world, actor, tenant, USER_MANAGERS, "update users")?;
    }
    let part = require_tenant(world, tenant)?;
    let mut u = part
        .users
        .get(&user)
        .cloned()
        .ok_or_else(|| user_not_found(user))?;
    if let Some(n) = &upd.display_name {
        require_name("displayName", n)?;
    }
    if let Some(n) = upd.display_name {
        u.display_name = n;
    }
    for (property, value, kept) in [
        ("givenName", upd.given_name, &mut u.given_name),
        ("surname", upd.surname, &mut u.surname),
    ] {
        if let Some(v) = value {
            *kept = optional_name(property, v)?;
        }
    }
    if let Some(e) = upd.enabled {
        u.enabled = e;
    }
    if let UserKind::Member {
        mail,
        password_hash,
        ..
    } = &mut u.kind
    {
        if let Some(m) = upd.mail {
            if let Some(m) = &m {
                validate_email(m)?;
            }
            *mail = m;
        }
        if let Some(h) = upd.password_hash {
            *password_hash = h;
        }
    }
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "microsoft.directory/users/update",
            u.upn().to_string(),
        )
        .tenant(tenant)
        .details(serde_json::json!({"id": user})),
    );
    change.push(Mutation::PutUser(u));
    Ok(change)
}

/// A given name or surname as sent: blank is none (as the Azure portal clears it), otherwise a name.
fn optional_name(property: &str, value: Option<String>) -> Result<Option<String>, DomainError> {
    match value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        Some(v) => {
            require_name(property, &v)?;
            Ok(Some(v))
        }
        None => Ok(None),
    }
}

pub(crate) fn user_not_found(id: ObjectId) -> DomainError {
    DomainError::not_found(
        "Request_ResourceNotFound",
        format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
    .with_arg("id", id.to_string())
    .with_variant("user-not-found")
}

/// Deletes a user. Their role assignments and co-administrator roles in the subscriptions trusting the
/// tenant go with them, so no assignment names an absent principal, and so do their group memberships
/// and ownerships. A service administrator cannot be
/// deleted: the subscription would be orphaned.
pub fn delete_user(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    user: ObjectId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    require_directory_role(world, actor, tenant, USER_MANAGERS, "delete users")?;
    let part = require_tenant(world, tenant)?;
    let u = part.users.get(&user).ok_or_else(|| user_not_found(user))?;
    if part.has_role(user, DirectoryRole::GlobalAdministrator)
        && part
            .role_holders(DirectoryRole::GlobalAdministrator)
            .count()
            == 1
    {
        return Err(last_global_admin(&part.tenant));
    }
    let mut change = Change::new();
    let identity = u.identity();
    // A member leaving its home removes the identity everywhere it administers subscriptions.
    let affected: Vec<&SubscriptionPart> = if u.is_member() {
        world.subscriptions().collect()
    } else {
        world.subscriptions_of_tenant(tenant).collect()
    };
    for s in affected {
        let sub = &s.subscription;
        if let Some(id) = identity {
            // Only the identity's presence through *this* object matters for guests.
            let through_this = u.is_member() || world.presence(id, sub.tenant) == Some(user);
            if through_this && sub.service_admin == id {
                return Err(DomainError::conflict(
                    "UserIsServiceAdministrator",
                    format!(
                        "'{}' is the service administrator of the subscription '{}'.",
                        u.upn(),
                        sub.display_name
                    ),
                )
                .with_arg("principal", u.upn().to_string())
                .with_arg("subscription", sub.display_name.to_string())
                .with_remedy("Make someone else the service administrator first."));
            }
            if through_this && sub.co_admins.contains(&id) {
                let mut updated = sub.clone();
                updated.co_admins.retain(|c| *c != id);
                change.push(Mutation::PutSubscription(updated));
            }
        }
        if sub.tenant == tenant {
            let ids: Vec<RoleAssignmentId> = s.assignments_of(user).map(|a| a.id).collect();
            if !ids.is_empty() {
                change.push(Mutation::DeleteRoleAssignments {
                    subscription: sub.id,
                    ids,
                });
            }
        }
    }
    // Nor may the subscription policy exempt an absent principal.
    if part.tenant.policy.exempted.contains(&user) {
        let mut t = part.tenant.clone();
        t.policy.exempted.retain(|o| *o != user);
        change.push(Mutation::PutTenant(t));
    }
    change.push(Mutation::DeleteUser { tenant, user });
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "microsoft.directory/users/delete",
            u.upn().to_string(),
        )
        .tenant(tenant)
        // Its group memberships and ownerships go with it (the mutation removes them).
        .details(serde_json::json!({
            "id": user,
            "memberOf": part.direct_groups_of(user),
            "ownerOf": part.owned_groups(user).map(|g| g.id).collect::<Vec<_>>(),
        })),
    );
    Ok(change)
}

pub(crate) fn last_global_admin(t: &Tenant) -> DomainError {
    DomainError::conflict(
        "LastGlobalAdministrator",
        format!("This is the last Global Administrator of '{}'; the directory would have no one to manage it.", t.display_name),
    )
    .with_arg("directory", t.display_name.to_string())
    .with_remedy("Make another user a Global Administrator first.")
}

pub struct NewApplication {
    /// The service principal's object id.
    pub id: Option<ObjectId>,
    /// The application object's id; made when absent. (An application registered before the two
    /// were told apart has its service principal's, so a world file may name that.)
    pub object_id: Option<ObjectId>,
    pub client_id: Option<uuid::Uuid>,
    pub display_name: String,
    /// Already hashed.
    pub secret_hashes: Vec<(String, String)>,
    /// Public certificates (client assertions), already read.
    pub certificates: Vec<ApplicationCertificate>,
    pub redirect_uris: Vec<String>,
    pub group_membership_claims: GroupMembershipClaims,
}

pub fn create_application(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    req: NewApplication,
    now: Timestamp,
) -> Result<(Change, ObjectId), DomainError> {
    require_directory_role(
        world,
        actor,
        tenant,
        DIRECTORY_ADMINISTRATORS,
        "register applications",
    )?;
    require_tenant(world, tenant)?;
    require_name("displayName", &req.display_name)?;
    let client_id = req.client_id.unwrap_or_else(uuid::Uuid::now_v7);
    if world.application_by_client_id(client_id).is_some() {
        return Err(DomainError::conflict(
            "ApplicationExists",
            format!("An application with client id '{client_id}' already exists."),
        )
        .with_arg("client_id", client_id.to_string()));
    }
    let id = req.id.unwrap_or_default();
    let object_id = req.object_id.unwrap_or_default();
    for taken in [id, object_id] {
        if world.tenant_of_object(taken).is_some()
            || world.application_by_object_id(taken).is_some()
        {
            return Err(DomainError::conflict(
                "ObjectExists",
                format!("An object with id '{taken}' already exists."),
            )
            .with_arg("id", taken.to_string())
            .with_variant("create-user"));
        }
    }
    require_redirect_uris(&req.redirect_uris)?;
    if req.certificates.len() > MAX_CERTIFICATES {
        return Err(too_many_certificates(&req.display_name));
    }
    for (i, c) in req.certificates.iter().enumerate() {
        if req.certificates[..i].iter().any(|o| o.sha1 == c.sha1) {
            return Err(duplicate_certificate(c, &req.display_name));
        }
    }
    let app = Application {
        managed_identity: None,
        id,
        object_id: Some(object_id),
        tenant,
        client_id,
        certificates: req.certificates,
        display_name: req.display_name,
        secrets: req
            .secret_hashes
            .into_iter()
            .map(|(hint, hash)| ClientSecret {
                id: RequestId::new(),
                hint,
                hash,
                start: Some(now),
                expires: None,
            })
            .collect(),
        redirect_uris: req.redirect_uris,
        group_membership_claims: req.group_membership_claims,
        federated_credentials: Vec::new(),
        created: now,
    };
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "microsoft.directory/applications/create",
            client_id.to_string(),
        )
        .tenant(tenant)
        .details(serde_json::json!({
            "displayName": app.display_name,
            "id": object_id,
            "servicePrincipalId": id,
        })),
    );
    change.push(Mutation::PutApplication(app));
    Ok((change, id))
}

/// Redirect URIs an application may have: names (no control characters) that use https, or http on
/// the local machine.
pub(crate) fn require_redirect_uris(uris: &[String]) -> Result<(), DomainError> {
    require_names("redirectUris", uris.iter().map(String::as_str))?;
    for uri in uris {
        if !(uri.starts_with("https://")
            || uri.starts_with("http://localhost")
            || uri.starts_with("http://127.0.0.1"))
        {
            return Err(DomainError::invalid(
                "InvalidRedirectUri",
                format!("The redirect URI '{uri}' must use https (or http on localhost)."),
            )
            .with_arg("uri", uri.to_string()));
        }
    }
    Ok(())
}

/// At most this many client secrets per application (Entra's limit on password credentials is similar).
pub const MAX_CLIENT_SECRETS: usize = 20;

/// Adds a client secret (stored hashed, made by the caller) to an application of `tenant`, as Graph's
/// `addPassword`. Global Administrators only, as for registering applications.
pub fn add_client_secret(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    secret: ClientSecret,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let mut application =
        managed_application(world, actor, tenant, app, "add application secrets")?;
    if application.secrets.len() >= MAX_CLIENT_SECRETS {
        return Err(DomainError::conflict(
            "TooManySecrets",
            format!(
                "The application '{}' has {MAX_CLIENT_SECRETS} secrets already.",
                application.display_name
            ),
        )
        .with_arg("application", application.display_name.to_string())
        .with_arg("max_client_secrets", MAX_CLIENT_SECRETS.to_string())
        .with_remedy("Remove a secret it no longer uses first."));
    }
    let details = serde_json::json!({"secret": secret.id, "hint": secret.hint});
    application.secrets.push(secret);
    Ok(credentials_updated(
        actor,
        tenant,
        application,
        details,
        now,
    ))
}

/// Adds a public certificate to an application of `tenant` (Graph's `keyCredentials`/`addKey`), with
/// which it then signs client assertions. Global Administrators only, as for secrets. The same
/// certificate twice is refused (Entra: one key credential per certificate).
pub fn add_certificate(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    certificate: ApplicationCertificate,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let mut application =
        managed_application(world, actor, tenant, app, "add application certificates")?;
    if application.certificates.len() >= MAX_CERTIFICATES {
        return Err(too_many_certificates(&application.display_name));
    }
    if application
        .certificates
        .iter()
        .any(|c| c.sha1 == certificate.sha1 || c.key_id == certificate.key_id)
    {
        return Err(duplicate_certificate(
            &certificate,
            &application.display_name,
        ));
    }
    let details = serde_json::json!({
        "certificate": certificate.key_id,
        "thumbprint": certificate.thumbprint(),
        "displayName": certificate.display_name,
    });
    application.certificates.push(certificate);
    Ok(credentials_updated(
        actor,
        tenant,
        application,
        details,
        now,
    ))
}

/// Removes a certificate of an application by its key id (Graph's `removeKey`); assertions signed with
/// its key are refused from then on. Global Administrators only.
pub fn remove_certificate(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    key_id: uuid::Uuid,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let mut application =
        managed_application(world, actor, tenant, app, "remove application certificates")?;
    let Some(at) = application
        .certificates
        .iter()
        .position(|c| c.key_id == key_id)
    else {
        return Err(DomainError::not_found(
            "CertificateNotFound",
            format!(
                "The application '{}' has no certificate with key id '{key_id}'.",
                application.display_name
            ),
        )
        .with_arg("application", application.display_name.to_string())
        .with_arg("key_id", key_id.to_string())
        .with_remedy("List the application's keyCredentials for the key ids it has."));
    };
    let removed = application.certificates.remove(at);
    Ok(credentials_updated(
        actor,
        tenant,
        application,
        serde_json::json!({
            "removedCertificate": removed.key_id,
            "thumbprint": removed.thumbprint(),
        }),
        now,
    ))
}

/// The change of an application's credentials (secrets, certificates): the application as it is now,
/// and the audit event with `details` (never a secret).
pub(crate) fn credentials_updated(
    actor: &Actor,
    tenant: TenantId,
    application: Application,
    details: serde_json::Value,
    now: Timestamp,
) -> Change {
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "microsoft.directory/applications/credentials/update",
            application.client_id.to_string(),
        )
        .tenant(tenant)
        .details(details),
    );
    change.push(Mutation::PutApplication(application));
    change
}

/// The application `app` of `tenant`, for an actor who may manage its credentials (`what` says what
/// for, in the refusal).
pub(crate) fn managed_application(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    what: &str,
) -> Result<Application, DomainError> {
    require_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS, what)?;
    require_tenant(world, tenant)?;
    world
        .tenant(tenant)
        .and_then(|p| p.applications.get(&app))
        // A managed identity has no application object to hold a credential.
        .filter(|a| a.is_registration())
        .cloned()
        .ok_or_else(|| {
            DomainError::not_found(
                "ApplicationNotFound",
                format!("The application '{app}' does not exist in this directory."),
            )
            .with_arg("application", app.to_string())
            .with_variant("managed-application")
        })
}

pub(crate) fn too_many_certificates(app: &str) -> DomainError {
    DomainError::conflict(
        "TooManyCertificates",
        format!("The application '{app}' has {MAX_CERTIFICATES} certificates already."),
    )
    .with_arg("application", app.to_string())
    .with_arg("max_certificates", MAX_CERTIFICATES.to_string())
    .with_remedy("Remove a certificate it no longer uses first.")
}

pub(crate) fn duplicate_certificate(c: &ApplicationCertificate, app: &str) -> DomainError {
    DomainError::conflict(
        "DuplicateCertificate",
        format!(
            "The application '{app}' has the certificate '{}' (thumbprint {}) already.",
            c.display_name,
            c.thumbprint()
        ),
    )
    .with_arg("application", app.to_string())
    .with_arg("certificate", c.display_name.to_string())
    .with_arg("thumbprint", c.thumbprint().to_string())
    .with_remedy("Each certificate is added once; to replace it, remove it by its key id first.")
}

/// Adds a principal (a present user, a service principal or a role-assignable group, whose members then
/// hold the role) to a directory role. Global Administrators only.
pub fn add_directory_role_member(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    role: DirectoryRole,
    principal: ObjectId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    require_directory_role(
        world,
        actor,
        tenant,
        DIRECTORY_ADMINISTRATORS,
        "assign directory roles",
    )?;
    require_tenant(world, tenant)?;
    let p = world
        .principal(tenant, principal)
        .ok_or_else(|| user_not_found(principal))?;
    if !p.is_present() {
        return Err(DomainError::conflict(
            "GuestNotRedeemed",
            format!("'{}' has not redeemed the invitation yet.", p.name()),
        )
        .with_arg("principal", p.name().to_string())
        .with_variant("add-directory-role-member")
        .with_remedy("Wait for the invitation to be redeemed, then assign the role."));
    }
    if let crate::world::PrincipalRef::Group(g) = p
        && !g.role_assignable
    {
        return Err(DomainError::invalid(
            "GroupNotRoleAssignable",
            format!(
                "The group '{}' cannot hold directory roles: it was not created role-assignable.",
                g.display_name
            ),
        )
        .with_arg("group", g.display_name.to_string())
        .with_remedy("Create a group with isAssignableToRole (role_assignable) set, or assign the role to its members."));
    }
    if world
        .tenant(tenant)
        .is_some_and(|t| t.has_role(principal, role))
    {
        return Err(DomainError::conflict(
            "Request_BadRequest",
            format!(
                "One or more added object references already exist for the following modified properties: 'members' ({} in {}).",
                p.name(),
                role.display_name()
            ),
        )
        .with_arg("principal", p.name().to_string())
        .with_arg("role", role.display_name().to_string())
        .with_variant("add-directory-role-member"));
    }
    let mut change = Change::new();
    change.push(Mutation::AddDirectoryRoleMember {
        tenant,
        role,
        principal,
    });
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "microsoft.directory/directoryRoles/members/add",
            p.name(),
        )
        .tenant(tenant)
        .details(serde_json::json!({"role": role.display_name(), "principal": principal})),
    );
    Ok(change)
}

pub fn remove_directory_role_member(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    role: DirectoryRole,
    principal: ObjectId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    require_directory_role(
        world,
        actor,
        tenant,
        DIRECTORY_ADMINISTRATORS,
        "remove directory role members",
    )?;
    let part = require_tenant(world, tenant)?;
    if !part.has_role(principal, role) {
        return Err(DomainError::not_found(
            "Request_ResourceNotFound",
            format!("'{principal}' is not a member of {}.", role.display_name()),
        )
        .with_arg("principal", principal.to_string())
        .with_arg("role", role.display_name().to_string())
        .with_variant("remove-directory-role-member"));
    }
    if role == DirectoryRole::GlobalAdministrator && part.role_holders(role).count() == 1 {
        return Err(last_global_admin(&part.tenant));
    }
    let mut change = Change::new();
    change.push(Mutation::RemoveDirectoryRoleMember {
        tenant,
        role,
        principal,
    });
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "microsoft.directory/directoryRoles/members/remove",
            principal.to_string(),
        )
        .tenant(tenant)
        .details(serde_json::json!({"role": role.display_name()})),
    );
    Ok(change)
}

/// Who may change a directory's subscription policy, and name the principals it exempts: its Global
/// Administrators.
pub fn require_policy_administrator(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
) -> Result<(), DomainError> {
    require_directory_role(
        world,
        actor,
        tenant,
        DIRECTORY_ADMINISTRATORS,
        "change the subscription policy",
    )
}

/// Sets the tenant's subscription policy. Global Administrators only.
pub fn set_policy(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    policy: SubscriptionPolicy,
    now: Timestamp,
) -> Result<Change, DomainError> {
    require_policy_administrator(world, actor, tenant)?;
    let part = require_tenant(world, tenant)?;
    for p in &policy.exempted {
        if world.principal(tenant, *p).is_none() {
            return Err(DomainError::invalid(
                "InvalidExemptedPrincipal",
                format!(
                    "The exempted principal '{p}' is not in the directory '{}'.",
                    part.tenant.display_name
                ),
            )
            .with_arg("principal", p.to_string())
            .with_arg("directory", part.tenant.display_name.to_string())
            .with_variant("set-policy"));
        }
    }
    let mut t = part.tenant.clone();
    t.policy = policy;
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "Microsoft.Subscription/policies/write",
            tenant.to_string(),
        )
        .tenant(tenant)
        .details(serde_json::json!({
            "blockSubscriptionsLeavingTenant": t.policy.block_subscriptions_leaving,
            "blockSubscriptionsIntoTenant": t.policy.block_subscriptions_entering,
            "exemptedPrincipals": t.policy.exempted,
        })),
    );
    change.push(Mutation::PutTenant(t));
    Ok(change)
}

/// Adds a verified custom domain. Global Administrators only.
pub fn add_domain(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    domain: &str,
    now: Timestamp,
) -> Result<Change, DomainError> {
    require_directory_role(
        world,
        actor,
        tenant,
        DIRECTORY_ADMINISTRATORS,
        "add domains",
    )?;
    let part = require_tenant(world, tenant)?;
    validate_domain(domain)?;
    if world.tenant_by_domain(domain).is_some() {
        return Err(DomainError::conflict(
            "DomainTaken",
            format!("The domain '{domain}' already belongs to a directory."),
        )
        .with_arg("domain", domain.to_string())
        .with_variant("add-domain"));
    }
    let mut t = part.tenant.clone();
    t.domains.push(domain.to_lowercase());
    let mut change = Change::new();
    change.push(Mutation::PutTenant(t));
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "microsoft.directory/domains/create",
            domain.to_string(),
        )
        .tenant(tenant),
    );
    Ok(change)
}
