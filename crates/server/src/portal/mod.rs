//! The portal: server-rendered pages (askama) for every step of the article, on the same origin as the
//! APIs. It calls the same service commands and read rules as ARM and Graph: it decides nothing itself.
//! The directory a person acts in (the switcher) decides the actor they are, like a token for that
//! tenant. Every form is a POST carrying the session's CSRF token; GET never changes anything.

mod access;
mod activity;
mod applications;
mod dashboard;
mod device_login;
mod directories;
mod directory_admin;
mod group_access;
mod groups;
mod hierarchy;
pub mod i18n;
mod invitations;
mod lifecycle;
pub(crate) mod pages;
mod paths;
pub(crate) mod refusals;
mod resources;
pub mod session;
pub mod signin;
pub mod signin_pages;
mod subscriptions;
mod support;

use crate::app::AppState;
use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use session::{Ctx, Flash};
use tenantry_service::ServiceError;
use tenantry_service::domain::*;

/// The portal's routes as one table: each path with its methods and handlers. The router and [`PAGES`]
/// (what the tests walk, so that a new page is not left out of them) are both made from it.
macro_rules! portal_routes {
    ($($path:literal => $method:ident($handler:expr) $(.$more:ident($more_handler:expr))*,)*) => {
        pub fn routes() -> Router<AppState> {
            use access as a;
            use applications as app;
            use directories as d;
            use directory_admin as da;
            use groups as g;
            use subscriptions as s;
            Router::new()$(.route($path, $method($handler)$(.$more($more_handler))*))*
        }

        /// Every portal path, with the methods it answers (`get`, `post`).
        pub const PAGES: &[(&str, &[&str])] =
            &[$(($path, &[stringify!($method) $(, stringify!($more))*])),*];
    };
}

portal_routes! {
    "/" => get(dashboard::home),
    "/static/portal.css" => get(css),
    "/signin" => get(signin::email_page).post(signin::email_submit),
    "/signin/account-type" => get(signin::picker_page).post(signin::picker_submit),
    "/signin/password" => get(signin::password_page).post(signin::password_submit),
    "/signout" => post(signin::sign_out),
    "/devicelogin" => get(device_login::page).post(device_login::enter),
    "/devicelogin/approve" => post(device_login::approve),
    "/devicelogin/decline" => post(device_login::decline),
    "/signed-out" => get(signin::signed_out),
    "/switch-directory" => post(dashboard::switch_directory),
    "/language" => post(i18n::switch),
    "/directories" => get(d::list),
    "/directories/new" => get(d::new_page).post(d::create),
    "/directories/use-existing" => get(d::use_existing_page).post(d::use_existing_submit),
    "/directories/{tenant}/link-requests/{request}" => get(d::approve_page),
    "/directories/{tenant}/link-requests/{request}/approve" => post(d::approve),
    "/directories/{tenant}/link-requests/{request}/decline" => post(d::decline),
    "/directories/{tenant}/link-requests/{request}/cancel" => post(d::cancel),
    "/directories/{tenant}" => get(da::overview),
    "/directories/{tenant}/users" => get(da::users).post(da::create_user),
    "/directories/{tenant}/users/{user}" => get(da::user_page),
    "/directories/{tenant}/users/{user}/enabled" => post(da::set_enabled),
    "/directories/{tenant}/users/{user}/password" => post(da::reset_password),
    "/directories/{tenant}/users/{user}/roles" => post(da::add_role),
    "/directories/{tenant}/users/{user}/roles/remove" => post(da::remove_role),
    "/directories/{tenant}/groups" => get(g::list).post(g::create),
    "/directories/{tenant}/groups/{group}" => get(g::page).post(g::update),
    "/directories/{tenant}/groups/{group}/delete" => post(g::delete),
    "/directories/{tenant}/groups/{group}/members" => post(g::add_member),
    "/directories/{tenant}/groups/{group}/members/remove" => post(g::remove_member),
    "/directories/{tenant}/groups/{group}/owners" => post(g::add_owner),
    "/directories/{tenant}/groups/{group}/owners/remove" => post(g::remove_owner),
    "/directories/{tenant}/groups/{group}/roles" => post(g::add_role),
    "/directories/{tenant}/groups/{group}/roles/remove" => post(g::remove_role),
    "/directories/{tenant}/applications" => get(app::list),
    "/directories/{tenant}/applications/{app}" => get(app::page),
    "/directories/{tenant}/applications/{app}/secrets/remove" => post(app::remove_secret),
    "/directories/{tenant}/applications/{app}/certificates/remove" => post(app::remove_certificate),
    "/directories/{tenant}/applications/{app}/federated-credentials/remove" => post(app::remove_federated),
    "/directories/{tenant}/guests" => get(da::guests).post(da::invite),
    "/directories/{tenant}/policy" => get(da::policy).post(da::set_policy),
    "/directories/{tenant}/incoming/{sub}/accept" => post(da::accept_incoming),
    "/redeem/{tenant}/{invitation}" => get(invitations::page),
    "/redeem/{tenant}/{invitation}/accept" => post(invitations::accept),
    "/hierarchy" => get(hierarchy::page),
    "/hierarchy/groups" => post(hierarchy::create_group),
    "/hierarchy/groups/{mg}" => post(hierarchy::update_group),
    "/hierarchy/groups/{mg}/delete" => post(hierarchy::delete_group),
    "/hierarchy/groups/{mg}/access" => get(group_access::page).post(group_access::add),
    "/hierarchy/groups/{mg}/access/remove" => post(group_access::remove),
    "/hierarchy/groups/{mg}/access/check" => post(group_access::check),
    "/hierarchy/elevate" => post(hierarchy::elevate),
    "/hierarchy/elevate/remove" => post(hierarchy::remove_elevation),
    "/hierarchy/subscriptions" => post(hierarchy::create_subscription),
    "/hierarchy/subscriptions/{sub}/move" => post(hierarchy::move_subscription),
    "/portal/subscriptions/{sub}" => get(s::overview),
    "/portal/subscriptions/{sub}/rename" => post(lifecycle::rename),
    "/portal/subscriptions/{sub}/cancel" => get(lifecycle::cancel_page).post(lifecycle::cancel),
    "/portal/subscriptions/{sub}/enable" => post(lifecycle::enable),
    "/portal/subscriptions/{sub}/tags" => post(lifecycle::tags),
    "/portal/subscriptions/{sub}/change-directory" => get(s::change_pick).post(s::change_review),
    "/portal/subscriptions/{sub}/change-directory/confirm" => post(s::change_apply),
    "/portal/subscriptions/{sub}/change-directory/cancel" => post(s::change_cancel),
    "/portal/subscriptions/{sub}/administrators" => get(s::admins),
    "/portal/subscriptions/{sub}/administrators/add" => post(s::add_co_admin),
    "/portal/subscriptions/{sub}/administrators/remove" => post(s::remove_co_admin),
    "/portal/subscriptions/{sub}/administrators/service-admin" => post(s::change_service_admin),
    "/portal/subscriptions/{sub}/resources" => get(resources::sub_page),
    "/portal/subscriptions/{sub}/resourceGroups/{rg}/resources" => get(resources::rg_page),
    "/portal/subscriptions/{sub}/access" => get(a::sub_page).post(a::sub_add),
    "/portal/subscriptions/{sub}/access/remove" => post(a::sub_remove),
    "/portal/subscriptions/{sub}/access/check" => post(a::sub_check),
    "/portal/subscriptions/{sub}/resourceGroups/{rg}/access" => get(a::rg_page).post(a::rg_add),
    "/portal/subscriptions/{sub}/resourceGroups/{rg}/access/remove" => post(a::rg_remove),
    "/portal/subscriptions/{sub}/resourceGroups/{rg}/access/check" => post(a::rg_check),
    "/activity" => get(activity::page).post(activity::filter),
    "/support" => get(support::page).post(support::submit),
}

const CSS: &str = include_str!("../../static/portal.css");

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

/// Why a portal request failed, as a page.
#[derive(Debug)]
pub enum PortalError {
    /// The form's CSRF token is missing or wrong (403).
    Csrf,
    /// A rule refused (status from its kind).
    Domain(DomainError),
    /// The request itself is malformed (400).
    Invalid(String),
    /// Something broke on our side (500).
    Internal(String),
    /// The database is out of reach for now (503, with `Retry-After`).
    Unavailable,
    /// Refused before any portal handler ran: no such page, a wrong method, an unreadable form.
    Edge(crate::errors::EdgeRefusal),
}

impl From<ServiceError> for PortalError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Domain(d) => PortalError::Domain(d),
            // Logged once per outage by the service.
            ServiceError::Unavailable(_) => PortalError::Unavailable,
            other => {
                tracing::error!(error = %other, "portal request failed");
                PortalError::Internal(other.to_string())
            }
        }
    }
}

impl From<DomainError> for PortalError {
    fn from(e: DomainError) -> Self {
        PortalError::Domain(e)
    }
}

/// The title of a page that shows a rule's refusal: what kind of failure it is.
fn error_page_title(lang: i18n::Lang, kind: ErrorKind) -> String {
    match kind {
        ErrorKind::Forbidden => lang.t("refused-page-forbidden"),
        ErrorKind::NotFound => lang.t("refused-page-not-found"),
        ErrorKind::Conflict => lang.t("refused-page-conflict"),
        ErrorKind::Invalid => lang.t("refused-page-invalid"),
    }
}

impl PortalError {
    pub fn page(&self) -> Response {
        // In the language of the request being answered (no `Ctx` here).
        let lang = i18n::Lang::current();
        let (status, title, message, remedy, details) = match self {
            PortalError::Csrf => (
                StatusCode::FORBIDDEN,
                lang.t("csrf-title"),
                lang.t("csrf-message"),
                Some(lang.t("csrf-remedy")),
                vec![],
            ),
            PortalError::Domain(e) => (
                crate::errors::status_of(e.kind),
                error_page_title(lang, e.kind),
                refusals::message(lang, e),
                refusals::remedy(lang, e),
                refusals::details(lang, e),
            ),
            PortalError::Invalid(m) => (
                StatusCode::BAD_REQUEST,
                lang.t("invalid-title"),
                m.clone(),
                Some(lang.t("invalid-remedy")),
                vec![],
            ),
            PortalError::Edge(refusal) => (
                refusal.status(),
                lang.t(match refusal {
                    crate::errors::EdgeRefusal::NoRoute { .. } => i18n::key("no-page-title"),
                    crate::errors::EdgeRefusal::Failed => i18n::key("internal-title"),
                    _ => i18n::key("invalid-title"),
                }),
                match refusal {
                    crate::errors::EdgeRefusal::NoRoute { .. } => lang.t("no-page-message"),
                    // The edge's own words, as the APIs send them.
                    other => other.message(),
                },
                Some(lang.t("edge-remedy")),
                vec![],
            ),
            PortalError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                lang.t("unavailable-title"),
                lang.t("unavailable-message"),
                Some(lang.t_args(
                    "unavailable-remedy",
                    &[(
                        "seconds",
                        crate::errors::UNAVAILABLE_RETRY_AFTER_SECONDS.to_string(),
                    )],
                )),
                vec![],
            ),
            PortalError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                lang.t("internal-title"),
                lang.t("internal-message"),
                Some(lang.t("internal-remedy")),
                vec![],
            ),
        };
        let page = pages::ErrorPage {
            chrome: pages::Chrome::bare(),
            title,
            code: match self {
                PortalError::Domain(e) => Some(e.code.clone()),
                _ => None,
            },
            message,
            remedy,
            details,
            status: status.as_u16(),
        };
        let mut r = html(&page);
        *r.status_mut() = status;
        let mut r = crate::errors::with_retry_after(r, None);
        if matches!(self, PortalError::Csrf) {
            r.extensions_mut().insert(session::SaveNothing);
        }
        r
    }
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        self.page()
    }
}

pub type PortalResult = Result<Response, PortalError>;

/// Renders a page (its security headers are the edge's, `crate::edge`, as every HTML answer's).
pub fn html<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// A page drawn inside the portal's frame, which the handler fills in last (it takes the session's
/// pending messages).
pub trait Framed: Template {
    fn frame(&mut self, chrome: pages::Chrome);
}

/// `impl Framed` for page structs with a `chrome` field.
macro_rules! framed {
    ($($page:ty),* $(,)?) => {
        $(impl Framed for $page {
            fn frame(&mut self, chrome: pages::Chrome) {
                self.chrome = chrome;
            }
        })*
    };
}

framed!(
    pages::Users,
    pages::UserPage,
    pages::Groups,
    pages::GroupPage,
    pages::Applications,
    pages::ApplicationPage,
    pages::ResourcesPage,
    pages::Guests,
    pages::Policy,
    pages::DirectoryOverview,
    pages::SubscriptionOverview,
    pages::HierarchyPage,
    pages::CancelSubscription,
    pages::ChangePick,
    pages::Administrators,
    pages::LinkApprove,
);

impl Ctx {
    /// A page built from the world, in the frame of section `nav` at `here`; a refusal as its page.
    pub async fn show<P: Framed>(
        mut self,
        nav: &'static str,
        here: &str,
        shown: Result<P, DomainError>,
    ) -> PortalResult {
        match shown {
            Ok(mut page) => {
                page.frame(self.chrome(nav, here));
                self.render(&page).await
            }
            Err(e) => self.error_page(e).await,
        }
    }

    /// A page of directory `t` at `here`: the person enters the directory (acting as their object
    /// there; its refusal is the page otherwise), and `build` makes the page from the world as that actor.
    pub async fn directory_page<P: Framed>(
        mut self,
        identity: Identity,
        t: TenantId,
        here: &str,
        build: impl FnOnce(&World, &Actor) -> Result<P, DomainError>,
    ) -> PortalResult {
        let actor = match self.enter(identity, t) {
            Ok(a) => a,
            Err(e) => return self.error_page(e).await,
        };
        let shown = self.state.svc.read(|w| build(w, &actor));
        self.show("directories", here, shown).await
    }

    /// Renders a page (the session layer saves the session).
    pub async fn render<T: Template>(self, t: &T) -> PortalResult {
        Ok(html(t))
    }

    /// A 303 to `to` (after a form).
    pub async fn redirect(self, to: &str) -> PortalResult {
        Ok(Redirect::to(to).into_response())
    }

    /// A refusal as a page inside the portal's frame, with the rule's status, message and remedy.
    pub async fn error_page(mut self, e: DomainError) -> PortalResult {
        let status = crate::errors::status_of(e.kind);
        let lang = self.lang;
        let page = pages::ErrorPage {
            chrome: self.chrome("", "/"),
            title: error_page_title(lang, e.kind),
            code: Some(e.code.clone()),
            message: refusals::message(lang, &e),
            remedy: refusals::remedy(lang, &e),
            details: refusals::details(lang, &e),
            status: status.as_u16(),
        };
        let mut r = html(&page);
        *r.status_mut() = status;
        Ok(r)
    }

    /// After a command: a success message, or the refusal titled by what `failed` (a catalogue key:
    /// `failed-delete-the-group`, "Could not delete the group") with its remedy, then back to `to`.
    pub async fn done<T>(
        self,
        failed: &str,
        result: Result<T, ServiceError>,
        to: &str,
        ok: impl FnOnce(T) -> Flash,
    ) -> PortalResult {
        self.done_form(result, to, FormRefusal::titled(failed), ok)
            .await
    }
}

/// A form a command came from, for its refusal: what failed, which field each refusal is about, and what
/// was typed, so that the page shows the message next to its field and the form filled in again.
pub struct FormRefusal<'a> {
    /// The refusal's title: what failed, as a catalogue key (`failed-add-the-co-administrator`: "Could not
    /// add the co-administrator").
    pub failed: &'a str,
    /// Each field's id on the page and the codes of the refusals about it (the first match wins).
    pub fields: &'a [(&'a str, &'a [&'a str])],
    /// What was typed, by field id (never a secret).
    pub typed: Vec<(&'a str, String)>,
}

impl<'a> FormRefusal<'a> {
    /// A refusal of a form without fields to point at (a button): only its title says what failed.
    pub fn titled(failed: &'a str) -> Self {
        FormRefusal {
            failed,
            fields: &[],
            typed: vec![],
        }
    }

    /// The field a refusal with `code` is about, if the form has one.
    fn field_of(&self, code: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(_, codes)| codes.contains(&code))
            .map(|(id, _)| *id)
    }
}

impl Ctx {
    /// After a form's command: a success message, or the refusal titled by what failed, next to its field,
    /// with what was typed kept for the form; then back to `to`.
    pub async fn done_form<T>(
        mut self,
        result: Result<T, ServiceError>,
        to: &str,
        form: FormRefusal<'_>,
        ok: impl FnOnce(T) -> Flash,
    ) -> PortalResult {
        match result {
            Ok(v) => {
                self.flash(ok(v));
                self.redirect(to).await
            }
            Err(e) => self.form_failed(e, to, form).await,
        }
    }

    /// A form's command refused: its refusal as [`Ctx::done_form`] shows it, then back to `to`.
    pub async fn form_failed(
        mut self,
        e: ServiceError,
        to: &str,
        form: FormRefusal<'_>,
    ) -> PortalResult {
        match e {
            ServiceError::Domain(e) => self.refuse_form(&form, &e),
            e => return Err(e.into()),
        }
        self.redirect(to).await
    }

    /// A form's refusal found before any command ran (a field left empty): the same as [`Ctx::done_form`]'s.
    pub fn refuse_form(&mut self, form: &FormRefusal<'_>, e: &DomainError) {
        let lang = self.lang;
        self.flash(Flash::form_error(
            lang,
            form.failed,
            form.field_of(&e.code),
            e,
        ));
        // Control characters a form cannot have typed (only a text area's line breaks and tabs) are
        // not shown again.
        let shown = |v: &str| -> String {
            v.chars()
                .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
                .collect()
        };
        self.session.data.kept = form
            .typed
            .iter()
            .map(|(id, v)| ((*id).to_string(), shown(v)))
            .collect();
    }
}

/// Parses an id from a path or a form's hidden field, as a 400 page when it is exactly not one (nothing
/// around it is trimmed away: `{id}%0A` is not the id).
pub(crate) fn parse_id<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, PortalError> {
    s.parse().map_err(|_| {
        PortalError::Invalid(format!(
            "'{}' is not a valid {what}.",
            rules::names::shown(s)
        ))
    })
}

#[cfg(test)]
mod tests {
    /// Every field a form's refusal may be shown next to has its place on some page: a refusal given a
    /// field no template shows would vanish instead of reaching the person.
    #[test]
    fn every_field_a_refusal_points_at_is_shown_by_a_template() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/portal");
        let templates = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/portal");
        let shown: String = std::fs::read_dir(templates)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        let mut fields = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let code: String = std::fs::read_to_string(entry.unwrap().path())
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect();
            // A message's arguments (`lang.t_args("key", &[…])`) are no form's fields.
            let code = code.replace("t_args(\"", "t_args(");
            // A field of a `FormRefusal`: `("id", &[codes…])` or `("id", SOME_CODES)`.
            let mut rest = code.as_str();
            while let Some(at) = rest.find("(\"") {
                rest = &rest[at + 2..];
                let Some(end) = rest.find('"') else { break };
                let (id, after) = (&rest[..end], rest[end + 1..].trim_start());
                let after = after.strip_prefix(',').unwrap_or("").trim_start();
                let is_field = after.starts_with("&[")
                    || after
                        .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
                        .next()
                        .is_some_and(|w| w.ends_with("_CODES"));
                if is_field {
                    fields.push(id.to_string());
                }
            }
        }
        assert!(
            fields.len() > 20,
            "the scan finds the forms' fields: {fields:?}"
        );
        let missing: Vec<_> = fields
            .iter()
            .filter(|id| !shown.contains(&format!("fields::error(chrome, \"{id}\")")))
            .collect();
        assert!(
            missing.is_empty(),
            "refusals with nowhere to be shown: {missing:?}"
        );
    }
}
