//! Federated identity credentials of an application (workload identity federation): which external
//! tokens sign it in instead of a secret. The rules that add, change and remove them (who may, Entra's
//! limits and name rules), and the match of a verified external token against them, with Entra's
//! refusals. Verifying the token itself (the issuer's keys) is the service's.

use super::names::{require_name, require_text};
use super::{DIRECTORY_ADMINISTRATORS, require_directory_role, require_tenant};
use crate::actor::Actor;
use crate::audit::AuditEvent;
use crate::error::DomainError;
use crate::ids::*;
use crate::model::{Application, FederatedCredential, Timestamp};
use crate::mutation::{Change, Mutation};
use crate::signin::refusals::{self, SignInError};
use crate::world::World;

/// At most this many federated identity credentials per application, as in Entra.
pub const MAX_FEDERATED_CREDENTIALS: usize = 20;

/// The audience Entra expects in an external token, and a credential's default.
pub const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

/// Entra's limit on an issuer, a subject, an audience and a description.
pub const MAX_FIELD_CHARS: usize = 600;

/// Entra's limits on a credential's name.
const NAME_CHARS: std::ops::RangeInclusive<usize> = 3..=120;

/// A credential as asked for (Graph's POST body, a world file's table).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewFederatedCredential {
    /// Graph's `id`, when the caller names it (world files); else a new one.
    pub id: Option<uuid::Uuid>,
    pub name: String,
    pub issuer: String,
    pub subject: String,
    /// `None`: the default, [`TOKEN_EXCHANGE_AUDIENCE`].
    pub audiences: Option<Vec<String>>,
    pub description: Option<String>,
}

/// What a PATCH changes; `None` leaves a property as it is. The name cannot change (Entra's rule).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FederatedCredentialPatch {
    pub name: Option<String>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub audiences: Option<Vec<String>>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
}

impl FederatedCredentialPatch {
    /// A new credential of what the patch names (Graph's POST body has the PATCH body's shape); what
    /// it leaves out is missing, which the rules refuse, except the audiences and the description.
    pub fn into_new(self) -> NewFederatedCredential {
        NewFederatedCredential {
            id: None,
            name: self.name.unwrap_or_default(),
            issuer: self.issuer.unwrap_or_default(),
            subject: self.subject.unwrap_or_default(),
            audiences: self.audiences,
            description: self.description.flatten(),
        }
    }
}

/// `Ok` when `ok`, else the refusal `refused` makes (of an invalid value, with what to do about it).
fn require(ok: bool, refused: impl FnOnce() -> DomainError) -> Result<(), DomainError> {
    if ok { Ok(()) } else { Err(refused()) }
}

/// Entra's name rule: 3 to 120 characters, letters, digits, `-` and `_`, the first a letter or digit.
pub fn require_credential_name(name: &str) -> Result<(), DomainError> {
    let mut chars = name.chars();
    require(
        NAME_CHARS.contains(&name.chars().count())
            && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        || {
            DomainError::invalid(
                "InvalidFederatedCredentialName",
                format!(
                    "Federated Identity Credential name '{}' is invalid.",
                    super::names::shown(name)
                ),
            )
            .with_arg("name", super::names::shown(name))
            .with_remedy(
                "Use 3 to 120 letters, digits, '-' or '_', starting with a letter or a digit.",
            )
        },
    )
}

/// An issuer is an https URL with a host, without spaces, of at most 600 characters (Entra compares it
/// exactly with the token's `iss`, so a space around it would never match).
pub fn require_issuer(issuer: &str) -> Result<(), DomainError> {
    let host = issuer
        .strip_prefix("https://")
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    require(
        host.is_some_and(|h| !h.is_empty() && !h.starts_with(':'))
            && issuer.chars().count() <= MAX_FIELD_CHARS
            && !issuer.chars().any(|c| c.is_whitespace() || c.is_control()),
        || {
            DomainError::invalid(
                "InvalidFederatedCredentialIssuer",
                format!(
                    "Invalid value specified for property 'issuer': '{}' is not an https URL.",
                    super::names::shown(issuer)
                ),
            )
            .with_arg("issuer", super::names::shown(issuer))
            .with_remedy("Use the issuer's URL exactly as its tokens' 'iss' claim writes it (https://…, at most 600 characters, no spaces).")
        },
    )
}

/// Entra's limit on a text property: at most 600 characters.
fn require_length(property: &str, value: &str) -> Result<(), DomainError> {
    require(value.chars().count() <= MAX_FIELD_CHARS, || {
        DomainError::invalid(
            "Request_BadRequest",
            format!("The value of '{property}' is longer than {MAX_FIELD_CHARS} characters."),
        )
        .with_arg("property", property)
        .with_arg("max_field_chars", MAX_FIELD_CHARS.to_string())
        .with_variant("too-long")
        .with_remedy("Shorten it.")
    })
}

/// A required text property (subject, audience): a name, not empty, of at most 600 characters.
fn require_field(property: &str, value: &str) -> Result<(), DomainError> {
    require_name(property, value)?;
    require(!value.trim().is_empty(), || {
        DomainError::invalid(
            "Request_BadRequest",
            format!(
                "Federated Identity Credential from HTTP body has empty property '{property}'."
            ),
        )
        .with_arg("property", property)
        .with_variant("empty-property")
        .with_remedy(format!("Give '{property}' a value."))
    })?;
    require_length(property, value)
}

fn require_audiences(audiences: &[String]) -> Result<(), DomainError> {
    require(audiences.len() == 1, || {
        DomainError::invalid(
            "Request_BadRequest",
            "Federated identity credentials must have exactly one audience.",
        )
        .with_arg("token_exchange_audience", TOKEN_EXCHANGE_AUDIENCE)
        .with_variant("one-audience")
        .with_remedy(format!("Use [\"{TOKEN_EXCHANGE_AUDIENCE}\"]."))
    })?;
    audiences
        .iter()
        .try_for_each(|a| require_field("audiences", a))
}

/// A credential's properties, each checked.
fn checked(c: FederatedCredential) -> Result<FederatedCredential, DomainError> {
    require_credential_name(&c.name)?;
    require_issuer(&c.issuer)?;
    require_field("subject", &c.subject)?;
    require_audiences(&c.audiences)?;
    if let Some(d) = &c.description {
        require_text("description", d)?;
        require_length("description", d)?;
    }
    Ok(c)
}

/// The credential of `app` that `key` names: its id, or its name in any case (Graph's
/// `federatedIdentityCredentials/{id or name}`).
pub fn credential<'a>(app: &'a Application, key: &str) -> Option<&'a FederatedCredential> {
    let key = super::names::typed(key);
    let id = key.parse::<uuid::Uuid>().ok();
    app.federated_credentials
        .iter()
        .find(|c| Some(c.id) == id || c.name.eq_ignore_ascii_case(key))
}

fn credential_not_found(app: &Application, key: &str) -> DomainError {
    DomainError::not_found(
        "Request_ResourceNotFound",
        format!(
            "Resource '{}' does not exist or one of its queried reference-property objects are not present.",
            super::names::shown(key)
        ),
    )
    .with_arg("name", super::names::shown(key).to_string())
    .with_arg("application", app.display_name.to_string())
    .with_variant("credential-not-found")
    .with_remedy(format!(
        "List the federated identity credentials of '{}' to find its id or name.",
        app.display_name
    ))
}

fn application_not_found(app: ObjectId) -> DomainError {
    DomainError::not_found(
        "ApplicationNotFound",
        format!("The application '{app}' does not exist in this directory."),
    )
    .with_arg("application", app.to_string())
    .with_variant("managed-application")
}

/// The application, for a caller that may change its credentials (as for its secrets: the directory's
/// Global Administrators and the operator).
fn writable(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
) -> Result<Application, DomainError> {
    require_directory_role(
        world,
        actor,
        tenant,
        DIRECTORY_ADMINISTRATORS,
        "change application credentials",
    )?;
    require_tenant(world, tenant)?;
    world
        .tenant(tenant)
        .and_then(|p| p.applications.get(&app))
        .cloned()
        .ok_or_else(|| application_not_found(app))
}

/// Entra's uniqueness rules among the credentials of one application, for `c` next to the `others`:
/// the name (in any case), and the pair of issuer and subject.
fn require_unique<'a>(
    c: &FederatedCredential,
    mut others: impl Iterator<Item = &'a FederatedCredential>,
) -> Result<(), DomainError> {
    others.try_for_each(|o| {
        if o.name.eq_ignore_ascii_case(&c.name) {
            return Err(DomainError::invalid(
                "FederatedCredentialNameExists",
                format!(
                    "A federated identity credential named '{}' already exists on this application.",
                    o.name
                ),
            )
            .with_arg("name", o.name.to_string())
            .with_remedy("Choose another name, or update that credential."));
        }
        if o.issuer == c.issuer && o.subject == c.subject {
            return Err(DomainError::invalid(
                "FederatedCredentialExists",
                format!(
                    "The combination of issuer and subject must be unique for the application. Issuer {} and Subject: {} already exist.",
                    c.issuer, c.subject
                ),
            )
            .with_arg("issuer", c.issuer.to_string())
            .with_arg("subject", c.subject.to_string())
            .with_arg("name", o.name.to_string())
            .with_remedy(format!("The credential '{}' already trusts these tokens.", o.name)));
        }
        Ok(())
    })
}

fn audit(
    actor: &Actor,
    now: Timestamp,
    verb: &str,
    app: &Application,
    c: &FederatedCredential,
) -> AuditEvent {
    AuditEvent::new(
        actor,
        now,
        &format!("microsoft.directory/applications/federatedIdentityCredentials/{verb}"),
        app.client_id.to_string(),
    )
    .tenant(app.tenant)
    .details(serde_json::json!({
        "id": c.id,
        "name": c.name,
        "issuer": c.issuer,
        "subject": c.subject,
        "audiences": c.audiences,
    }))
}

/// Adds a federated identity credential to an application of `tenant` (Graph's POST). At most
/// [`MAX_FEDERATED_CREDENTIALS`]; the name and the (issuer, subject) pair unique in the application.
pub fn add_federated_credential(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    req: NewFederatedCredential,
    now: Timestamp,
) -> Result<(Change, FederatedCredential), DomainError> {
    let mut application = writable(world, actor, tenant, app)?;
    let c = checked(FederatedCredential {
        id: req.id.unwrap_or_else(uuid::Uuid::new_v4),
        name: req.name,
        issuer: req.issuer,
        subject: req.subject,
        audiences: req
            .audiences
            .unwrap_or_else(|| vec![TOKEN_EXCHANGE_AUDIENCE.to_string()]),
        description: req.description,
    })?;
    if application.federated_credentials.len() >= MAX_FEDERATED_CREDENTIALS {
        return Err(DomainError::invalid(
            "TooManyFederatedCredentials",
            format!(
                "The application '{}' has {MAX_FEDERATED_CREDENTIALS} federated identity credentials, the most an application may have.",
                application.display_name
            ),
        )
        .with_arg("application", application.display_name.to_string())
        .with_arg("max_federated_credentials", MAX_FEDERATED_CREDENTIALS.to_string())
        .with_remedy("Remove a credential it no longer uses first."));
    }
    require_unique(&c, application.federated_credentials.iter())?;
    if world.tenants().any(|t| {
        t.applications
            .values()
            .any(|a| a.federated_credentials.iter().any(|o| o.id == c.id))
    }) {
        return Err(DomainError::conflict(
            "ObjectExists",
            format!(
                "A federated identity credential with id '{}' already exists.",
                c.id
            ),
        )
        .with_arg("id", c.id.to_string())
        .with_variant("add-federated-credential"));
    }
    let mut change = Change::new();
    change.audit(audit(actor, now, "create", &application, &c));
    application.federated_credentials.push(c.clone());
    change.push(Mutation::PutApplication(application));
    Ok((change, c))
}

/// Changes a credential's issuer, subject, audiences or description (Graph's PATCH); its name stays.
pub fn update_federated_credential(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    key: &str,
    patch: FederatedCredentialPatch,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let mut application = writable(world, actor, tenant, app)?;
    let old = credential(&application, key)
        .cloned()
        .ok_or_else(|| credential_not_found(&application, key))?;
    if let Some(name) = &patch.name
        && name != &old.name
    {
        return Err(DomainError::invalid(
            "Request_BadRequest",
            format!(
                "The name of the federated identity credential '{}' cannot be changed.",
                old.name
            ),
        )
        .with_arg("name", old.name.to_string())
        .with_variant("update-federated-credential")
        .with_remedy("Create a credential with the new name, then delete this one."));
    }
    let new = checked(FederatedCredential {
        issuer: patch.issuer.unwrap_or_else(|| old.issuer.clone()),
        subject: patch.subject.unwrap_or_else(|| old.subject.clone()),
        audiences: patch.audiences.unwrap_or_else(|| old.audiences.clone()),
        description: patch.description.unwrap_or_else(|| old.description.clone()),
        ..old.clone()
    })?;
    require_unique(
        &new,
        application
            .federated_credentials
            .iter()
            .filter(|c| c.id != old.id),
    )?;
    let mut change = Change::new();
    change.audit(audit(actor, now, "update", &application, &new));
    for c in &mut application.federated_credentials {
        if c.id == old.id {
            *c = new.clone();
        }
    }
    change.push(Mutation::PutApplication(application));
    Ok(change)
}

/// Removes a credential (Graph's DELETE): tokens it trusted sign the application in no more.
pub fn remove_federated_credential(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    key: &str,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let mut application = writable(world, actor, tenant, app)?;
    let old = credential(&application, key)
        .cloned()
        .ok_or_else(|| credential_not_found(&application, key))?;
    let mut change = Change::new();
    change.audit(audit(actor, now, "delete", &application, &old));
    application.federated_credentials.retain(|c| c.id != old.id);
    change.push(Mutation::PutApplication(application));
    Ok(change)
}

/// Which credential of `app` a verified external token matches, by its `iss`, `sub` and `aud`, compared
/// exactly (case-sensitive, as Entra compares them): else Entra's refusal, which says which claim
/// matched none (the issuer, then the audience, then the subject).
pub fn match_federated_credential<'a>(
    app: &'a Application,
    iss: &str,
    sub: &str,
    aud: &[String],
) -> Result<&'a FederatedCredential, SignInError> {
    let shown_aud = aud.join(", ");
    if app.federated_credentials.is_empty() {
        return Err(refusals::no_federated_credential(iss, sub, &shown_aud));
    }
    let of_issuer: Vec<&FederatedCredential> = app
        .federated_credentials
        .iter()
        .filter(|c| c.issuer == iss)
        .collect();
    if of_issuer.is_empty() {
        return Err(refusals::federated_issuer_mismatch(iss));
    }
    let for_audience: Vec<&FederatedCredential> = of_issuer
        .into_iter()
        .filter(|c| c.audiences.iter().any(|a| aud.contains(a)))
        .collect();
    if for_audience.is_empty() {
        return Err(refusals::federated_audience_mismatch(&shown_aud));
    }
    for_audience
        .into_iter()
        .find(|c| c.subject == sub)
        .ok_or_else(|| refusals::federated_subject_mismatch(sub))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_entras_rule() {
        for ok in ["main-branch", "a_b", "abc", "A1-", &"x".repeat(120)] {
            assert!(require_credential_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "-abc",
            "_abc",
            "a b c",
            "main.branch",
            "é-abc",
            &"x".repeat(121),
        ] {
            let e = require_credential_name(bad).unwrap_err();
            assert_eq!(e.code, "InvalidFederatedCredentialName", "{bad}");
        }
    }

    #[test]
    fn issuers_are_https_urls() {
        for ok in [
            "https://token.actions.githubusercontent.com",
            "https://login.example.com:8443/tenant/v2.0",
        ] {
            assert!(require_issuer(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://token.actions.githubusercontent.com",
            "https://",
            "https:///path",
            "token.actions.githubusercontent.com",
            " https://issuer.example",
            "https://issuer.example/ a",
            &format!("https://issuer.example/{}", "a".repeat(600)),
        ] {
            assert!(require_issuer(bad).is_err(), "{bad}");
        }
    }
}
