//! A directory's applications (app registrations): the list, and an application's page with its client
//! secrets (hints and dates, never a value), certificates (thumbprints, subjects, dates, expired ones
//! marked) and federated credentials, each removable by whoever the rules let remove it
//! (`rules::applications`, `rules::directory`, `rules::federated`, read by `rules::reads::applications`).

use super::pages::*;
use super::session::{CsrfForm, Flash, SignedIn};
use super::{PortalResult, parse_id, paths};
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::domain::rules::reads;
use tenantry_service::domain::*;

pub async fn list(
    SignedIn { ctx, identity, .. }: SignedIn,
    Path(tenant): Path<String>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let here = paths::directory(t, "applications");
    ctx.directory_page(
        identity,
        t,
        &here,
        |w, actor| -> Result<Applications, DomainError> {
            let d = reads::directory_applications(w, actor, t)?;
            Ok(Applications {
                chrome: Chrome::bare(),
                tabs: directory_tabs(t, "applications"),
                name: d.tenant.display_name.clone(),
                applications: d
                    .applications
                    .iter()
                    .map(|a| ApplicationRow {
                        href: paths::application(t, a.object_id.unwrap_or(a.id)),
                        name: a.display_name.clone(),
                        client_id: a.client_id.to_string(),
                        secrets: a.secrets.len(),
                        certificates: a.certificates.len(),
                        federated: a.federated_credentials.len(),
                    })
                    .collect(),
            })
        },
    )
    .await
}

/// The path's directory and application (its application object's id).
fn ids(tenant: &str, app: &str) -> Result<(TenantId, ObjectId), super::PortalError> {
    Ok((
        parse_id(tenant, "directory id")?,
        parse_id(app, "application object id")?,
    ))
}

pub async fn page(
    SignedIn { ctx, identity, .. }: SignedIn,
    Path((tenant, app)): Path<(String, String)>,
) -> PortalResult {
    let (t, object) = ids(&tenant, &app)?;
    let here = paths::application(t, object);
    let now = ctx.now();
    let lang = ctx.lang;
    ctx.directory_page(
        identity,
        t,
        &here,
        |w, actor| -> Result<ApplicationPage, DomainError> {
            let d = reads::directory_application(w, actor, t, object, now)?;
            let a = d.application;
            Ok(ApplicationPage {
                chrome: Chrome::bare(),
                tabs: directory_tabs(t, "applications"),
                directory: d.tenant.display_name.clone(),
                here: here.clone(),
                name: a.display_name.clone(),
                client_id: a.client_id.to_string(),
                object_id: object.to_string(),
                principal_id: a.id.to_string(),
                created: lang.date_time(a.created),
                secrets: d
                    .secrets
                    .iter()
                    .map(|(s, expired)| SecretRow {
                        key_id: s.id.to_string(),
                        hint: s.hint.clone(),
                        start: s
                            .start
                            .map(|t| lang.date_time(t))
                            .unwrap_or_else(|| lang.t("secret-start-unknown")),
                        end: s
                            .expires
                            .map(|t| lang.date_time(t))
                            .unwrap_or_else(|| lang.t("secret-never")),
                        expired: *expired,
                    })
                    .collect(),
                certificates: d
                    .certificates
                    .iter()
                    .map(|(c, expired)| CertificateRow {
                        key_id: c.key_id.to_string(),
                        thumbprint: c.thumbprint(),
                        subject: c.display_name.clone(),
                        start: lang.date_time(c.start),
                        end: lang.date_time(c.end),
                        expired: *expired,
                    })
                    .collect(),
                federated: a
                    .federated_credentials
                    .iter()
                    .map(|f| FederatedRow {
                        id: f.id.to_string(),
                        name: f.name.clone(),
                        issuer: f.issuer.clone(),
                        subject: f.subject.clone(),
                        audiences: f.audiences.join(", "),
                    })
                    .collect(),
                can_manage: d.may_manage,
            })
        },
    )
    .await
}

/// Which credential a form removes: its key id (a secret's or a certificate's), or a federated
/// credential's id.
#[derive(Deserialize)]
pub struct CredentialForm {
    #[serde(default)]
    key_id: String,
}

/// The kinds of credential the page removes.
#[derive(Clone, Copy)]
enum Credential {
    Secret,
    Certificate,
    Federated,
}

/// Removes one credential of the application with the service command Graph uses for it; the rule
/// decides whether the caller may. The application is named in the path by its object id, the
/// commands by its service principal's.
async fn remove(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    tenant: String,
    app: String,
    f: CredentialForm,
    kind: Credential,
) -> PortalResult {
    let (t, object) = ids(&tenant, &app)?;
    let back = paths::application(t, object);
    let actor = ctx.act_in(t).unwrap_or(actor);
    // How the message names the application and the credential (read for the message only).
    let (sp, name, what) = ctx
        .state
        .svc
        .read(|w| match reads::application(w, t, object) {
            Some(a) => (
                a.id,
                a.display_name.clone(),
                credential_words(a, kind, &f.key_id),
            ),
            None => (object, object.to_string(), f.key_id.clone()),
        });
    let lang = ctx.lang;
    let args = [("what", what), ("name", name)];
    let svc = &ctx.state.svc;
    let (result, done) = match kind {
        Credential::Secret => (
            svc.remove_application_secret(&actor, t, sp, parse_id(&f.key_id, "secret key id")?)
                .await,
            Flash::ok(
                lang.t("secret-removed-title"),
                lang.t_args("secret-removed-message", &args),
            ),
        ),
        Credential::Certificate => (
            svc.remove_application_certificate(
                &actor,
                t,
                sp,
                parse_id(&f.key_id, "certificate key id")?,
            )
            .await,
            Flash::ok(
                lang.t("certificate-removed-title"),
                lang.t_args("certificate-removed-message", &args),
            ),
        ),
        Credential::Federated => {
            let id: uuid::Uuid = parse_id(&f.key_id, "federated credential id")?;
            (
                svc.remove_federated_credential(&actor, t, sp, &id.to_string())
                    .await,
                Flash::ok(
                    lang.t("federated-removed-title"),
                    lang.t_args("federated-removed-message", &args),
                ),
            )
        }
    };
    ctx.done(
        super::i18n::key("failed-remove-the-credential"),
        result,
        &back,
        |_| done,
    )
    .await
}

/// How a message names a credential: a secret by its hint, a certificate by its thumbprint, a federated
/// credential by its name.
fn credential_words(a: &Application, kind: Credential, key: &str) -> String {
    let found = match kind {
        Credential::Secret => a
            .secrets
            .iter()
            .find(|s| s.id.to_string() == key)
            .map(|s| format!("{}…", s.hint)),
        Credential::Certificate => a
            .certificates
            .iter()
            .find(|c| c.key_id.to_string() == key)
            .map(|c| c.thumbprint()),
        Credential::Federated => a
            .federated_credentials
            .iter()
            .find(|c| c.id.to_string() == key)
            .map(|c| format!("'{}'", c.name)),
    };
    found.unwrap_or_else(|| key.to_string())
}

/// The handlers of the page's forms.
macro_rules! handlers {
    ($($handler:ident => $kind:expr,)*) => {
        $(pub async fn $handler(
            signed: SignedIn,
            Path((tenant, app)): Path<(String, String)>,
            CsrfForm(f): CsrfForm<CredentialForm>,
        ) -> PortalResult {
            remove(signed, tenant, app, f, $kind).await
        })*
    };
}

handlers! {
    remove_secret => Credential::Secret,
    remove_certificate => Credential::Certificate,
    remove_federated => Credential::Federated,
}
