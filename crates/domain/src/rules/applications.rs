//! The lifecycle of an application after it is registered: its properties change (Graph's
//! `PATCH /applications/{id}`), its secrets go (`removePassword`), and it is deleted with its service
//! principal (`DELETE /applications/{id}` or `/servicePrincipals/{id}`). Who may: as for adding its
//! secrets, the directory's administrators ([`directory::managed_application`]).

use super::directory::{
    self, credentials_updated, duplicate_certificate, managed_application, too_many_certificates,
};
use super::names::require_name;
use super::*;
use crate::audit::AuditEvent;
use crate::certificates::{ApplicationCertificate, MAX_CERTIFICATES};
use crate::mutation::{Change, Mutation};
use crate::signin::{ClientAssertion, MAX_PROOF_LIFETIME, PROOF_AUDIENCES};

/// The one `signInAudience` an application has: the accounts of its own directory.
pub const SIGN_IN_AUDIENCE: &str = "AzureADMyOrg";

/// What a `PATCH` of an application changes; `None` leaves a property as it is.
#[derive(Debug, Default)]
pub struct ApplicationUpdate {
    pub display_name: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub group_membership_claims: Option<GroupMembershipClaims>,
    /// Entra's `signInAudience`: tenantry's applications sign in their own directory's accounts only.
    pub sign_in_audience: Option<String>,
    /// Every certificate the application keeps (Graph's `keyCredentials`, the whole list): those not
    /// named go.
    pub certificates: Option<Vec<KeptCertificate>>,
}

/// One entry of a `keyCredentials` list sent back.
#[derive(Debug)]
pub enum KeptCertificate {
    /// A certificate the application has, by its key id: clients send the list they read back with
    /// `key: null` (the Azure CLI's `credential reset --append` does), so it stays as it is.
    Existing(uuid::Uuid),
    /// A certificate to add.
    New(ApplicationCertificate),
}

/// Changes an application's properties (Graph's `PATCH /applications/{id}`); `app` is its service
/// principal's id. The event lists what changed.
pub fn update_application(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    update: ApplicationUpdate,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let mut a = managed_application(world, actor, tenant, app, "update applications")?;
    let mut changed = serde_json::Map::new();
    if let Some(audience) = update.sign_in_audience
        && audience != SIGN_IN_AUDIENCE
    {
        return Err(DomainError::invalid(
            "UnsupportedSignInAudience",
            format!(
                "The signInAudience '{audience}' is not supported: applications sign in the accounts of their own directory only."
            ),
        )
        .with_arg("audience", audience.to_string())
        .with_arg("sign_in_audience", SIGN_IN_AUDIENCE.to_string())
        .with_remedy(format!("Leave signInAudience as '{SIGN_IN_AUDIENCE}'.")));
    }
    if let Some(name) = update.display_name {
        require_name("displayName", &name)?;
        changed.insert("displayName".into(), name.clone().into());
        a.display_name = name;
    }
    if let Some(uris) = update.redirect_uris {
        directory::require_redirect_uris(&uris)?;
        changed.insert("redirectUris".into(), serde_json::json!(uris));
        a.redirect_uris = uris;
    }
    if let Some(g) = update.group_membership_claims {
        changed.insert("groupMembershipClaims".into(), g.as_str().into());
        a.group_membership_claims = g;
    }
    if let Some(kept) = update.certificates {
        let certificates = kept_certificates(&a, kept)?;
        changed.insert(
            "keyCredentials".into(),
            serde_json::json!(certificates.iter().map(|c| c.key_id).collect::<Vec<_>>()),
        );
        a.certificates = certificates;
    }
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "microsoft.directory/applications/update",
            a.client_id.to_string(),
        )
        .tenant(tenant)
        .details(serde_json::Value::Object(changed)),
    );
    change.push(Mutation::PutApplication(a));
    Ok(change)
}

/// The certificates a `keyCredentials` list leaves `a` with: those it names by key id, and new ones.
fn kept_certificates(
    a: &Application,
    kept: Vec<KeptCertificate>,
) -> Result<Vec<ApplicationCertificate>, DomainError> {
    if kept.len() > MAX_CERTIFICATES {
        return Err(too_many_certificates(&a.display_name));
    }
    let mut out: Vec<ApplicationCertificate> = Vec::new();
    for k in kept {
        let c = match k {
            KeptCertificate::Existing(key_id) => a
                .certificates
                .iter()
                .find(|c| c.key_id == key_id)
                .cloned()
                .ok_or_else(|| {
                    DomainError::invalid(
                        "KeyCredentialWithoutKey",
                        format!(
                            "The key credential '{key_id}' has no key and the application '{}' has no certificate with that key id.",
                            a.display_name
                        ),
                    )
                    .with_arg("key_id", key_id.to_string())
                    .with_arg("application", a.display_name.to_string())
                    .with_remedy("Send the certificate's key (base64 DER), or the key id of a certificate it has.")
                })?,
            KeptCertificate::New(c) => c,
        };
        if out.iter().any(|o| o.sha1 == c.sha1 || o.key_id == c.key_id) {
            return Err(duplicate_certificate(&c, &a.display_name));
        }
        out.push(c);
    }
    Ok(out)
}

/// Removes a client secret by its key id (Graph's `removePassword`); it signs in no more.
pub fn remove_client_secret(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    key_id: RequestId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let mut a = managed_application(world, actor, tenant, app, "remove application secrets")?;
    let Some(at) = a.secrets.iter().position(|s| s.id == key_id) else {
        return Err(DomainError::not_found(
            "SecretNotFound",
            format!(
                "The application '{}' has no secret with key id '{key_id}'.",
                a.display_name
            ),
        )
        .with_arg("application", a.display_name.to_string())
        .with_arg("key_id", key_id.to_string())
        .with_remedy("List the application's passwordCredentials for the key ids it has."));
    };
    let removed = a.secrets.remove(at);
    Ok(credentials_updated(
        actor,
        tenant,
        a,
        serde_json::json!({"removedSecret": removed.id, "hint": removed.hint}),
        now,
    ))
}

/// Deletes an application and its service principal (Graph's `DELETE /applications/{id}` and
/// `/servicePrincipals/{id}`, which in tenantry are one): every role assignment to it in the
/// subscriptions of its directory, its directory roles and group memberships and ownerships go in the
/// same change, and the audit event lists them. A managed identity is deleted with its resource, not
/// here.
pub fn delete_application(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    // Whether it may, before what it is: an outsider learns nothing of the principal.
    require_directory_role(
        world,
        actor,
        tenant,
        DIRECTORY_ADMINISTRATORS,
        "delete applications",
    )?;
    if let Some(m) = world
        .tenant(tenant)
        .and_then(|p| p.applications.get(&app))
        .and_then(|a| a.managed_identity.as_ref())
    {
        return Err(DomainError::conflict(
            "ManagedIdentityGoesWithItsResource",
            format!(
                "The service principal '{app}' is the managed identity of '{}': it is deleted with its resource.",
                m.resource.as_str()
            ),
        )
        .with_arg("application", app.to_string())
        .with_arg("resource", m.resource.as_str().to_string())
        .with_remedy("Delete the resource, or turn its identity off (ARM), instead."));
    }
    let a = managed_application(world, actor, tenant, app, "delete applications")?;
    let part = require_tenant(world, tenant)?;
    let mut change = Change::new();
    let mut details = super::identities::remove_principal(world, &a, &mut change);
    details["applicationObjectId"] = serde_json::json!(a.object_id);
    details["displayName"] = a.display_name.clone().into();
    details["directoryRoles"] = serde_json::json!(part.roles_of(a.id));
    details["memberOf"] = serde_json::json!(part.direct_groups_of(a.id));
    details["ownerOf"] =
        serde_json::json!(part.owned_groups(a.id).map(|g| g.id).collect::<Vec<_>>());
    // Nor may the subscription policy exempt an absent principal.
    if part.tenant.policy.exempted.contains(&a.id) {
        let mut t = part.tenant.clone();
        t.policy.exempted.retain(|o| *o != a.id);
        change.push(Mutation::PutTenant(t));
    }
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "microsoft.directory/applications/delete",
            a.client_id.to_string(),
        )
        .tenant(tenant)
        .details(details),
    );
    Ok(change)
}

/// Adds a certificate to an application with Graph's `addKey`: as [`directory::add_certificate`],
/// once `proof` shows that the caller holds the private key of a current certificate of the
/// application ([`require_proof`]).
#[allow(clippy::too_many_arguments)] // The rule's inputs, and the signature check it is given.
pub fn add_key(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    certificate: ApplicationCertificate,
    proof: &str,
    verify: impl Fn(&ClientAssertion<'_>, &[u8]) -> bool,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let a = managed_application(world, actor, tenant, app, "add application keys")?;
    require_proof(&a, proof, verify, now)?;
    directory::add_certificate(world, actor, tenant, app, certificate, now)
}

/// Removes a certificate of an application with Graph's `removeKey`: as
/// [`directory::remove_certificate`], once `proof` shows possession of a current certificate's key.
#[allow(clippy::too_many_arguments)] // As `add_key`.
pub fn remove_key(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    app: ObjectId,
    key_id: uuid::Uuid,
    proof: &str,
    verify: impl Fn(&ClientAssertion<'_>, &[u8]) -> bool,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let a = managed_application(world, actor, tenant, app, "remove application keys")?;
    require_proof(&a, proof, verify, now)?;
    directory::remove_certificate(world, actor, tenant, app, key_id, now)
}

/// Entra's proof of possession for `addKey`/`removeKey`: a JWT signed (RS256 or PS256) with the private
/// key of a current certificate of the application, which its header names (`x5t`, `x5t#S256` or
/// `x5c`), with `aud` [`PROOF_AUDIENCES`], `iss` the application object's id and a lifetime of at most
/// ten minutes. `verify` checks a signature with a certificate's public key (the service's crypto).
pub fn require_proof(
    a: &Application,
    proof: &str,
    verify: impl Fn(&ClientAssertion<'_>, &[u8]) -> bool,
    now: Timestamp,
) -> Result<(), DomainError> {
    let assertion = ClientAssertion::parse(proof).map_err(|e| invalid_proof(&e.message))?;
    let certificate = assertion
        .certificate(a, now)
        .map_err(|e| invalid_proof(&e.message))?;
    if !verify(&assertion, &certificate.public_key) {
        return Err(invalid_proof(&format!(
            "its signature does not verify with the key of certificate '{}'",
            certificate.thumbprint()
        )));
    }
    // The object the call names: the application's, or (`/servicePrincipals/{id}/addKey`) its
    // service principal's.
    let issuers: Vec<String> = a
        .object_id
        .iter()
        .chain([&a.id])
        .map(|o| o.to_string())
        .collect();
    match assertion.claims.proof_problem(&issuers, now) {
        Some(why) => Err(invalid_proof(&why)),
        None => Ok(()),
    }
}

fn invalid_proof(why: &str) -> DomainError {
    DomainError::invalid(
        "InvalidProofOfPossession",
        format!("The proof of possession is not valid: {why}"),
    )
    .with_arg("why", why.to_string())
    .with_arg("audience", PROOF_AUDIENCES[0].to_string())
    .with_arg("minutes", (MAX_PROOF_LIFETIME / 60).to_string())
    .with_remedy(format!(
        "Sign a JWT with the private key of a current certificate of the application (named by x5t in its header), with aud '{}', iss the application's object id, and nbf and exp at most {} minutes apart. An application without a current certificate adds one with PATCH keyCredentials instead.",
        PROOF_AUDIENCES[0],
        MAX_PROOF_LIFETIME / 60
    ))
}
