//! Directories: the list, "create new", and the article's "use existing directory" (step 1): the
//! service administrator asks and is signed out, a Global Administrator of the directory signs in and
//! continues, is told to sign out, and the service administrator signs in again to find the directory.
//! Built on the service's `request_link` / `approve_link` / `decline_link`.

use super::dashboard::{my_directories, subscription_row};
use super::i18n::key;
use super::pages::*;
use super::session::{CsrfForm, Flash, SignedIn};
use super::{FormRefusal, PortalResult, parse_id, paths};
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::domain::model::RequestStatus;
use tenantry_service::domain::rules::admins::ClassicRole;
use tenantry_service::domain::rules::names::typed;
use tenantry_service::domain::rules::{guests, reads};
use tenantry_service::domain::*;

pub async fn list(
    SignedIn {
        mut ctx,
        actor,
        identity,
    }: SignedIn,
) -> PortalResult {
    let now = ctx.now();
    let lang = ctx.lang;
    let (directories, my_requests) = ctx.state.svc.read(|w| {
        (
            my_directories(w, identity, actor.tenant(), lang),
            super::dashboard::my_requests_for(w, identity, now, lang),
        )
    });
    let page = Directories {
        chrome: ctx.chrome("directories", "/directories"),
        directories,
        my_requests,
    };
    ctx.render(&page).await
}

pub const DOMAIN_SUFFIX: &str = "onmicrosoft.com";

pub async fn new_page(SignedIn { mut ctx, .. }: SignedIn) -> PortalResult {
    let page = DirectoryNew {
        chrome: ctx.chrome("directories", "/directories/new"),
        suffix: DOMAIN_SUFFIX.into(),
    };
    ctx.render(&page).await
}

#[derive(Deserialize)]
pub struct NewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
}

pub async fn create(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    CsrfForm(f): CsrfForm<NewForm>,
) -> PortalResult {
    let result = ctx
        .state
        .svc
        .create_tenant(
            &actor,
            typed(&f.name),
            typed(&f.display_name),
            TenantOrigin::Azure,
            DOMAIN_SUFFIX,
        )
        .await;
    let form = FormRefusal {
        failed: super::i18n::key("failed-create-the-directory"),
        fields: &[
            (
                "name",
                &[
                    "InvalidTenantName",
                    "InvalidDomainName",
                    "TenantNameTaken",
                    "DomainTaken",
                ],
            ),
            ("display_name", &["InvalidCharacter"]),
        ],
        typed: vec![
            ("name", f.name.clone()),
            ("display_name", f.display_name.clone()),
        ],
    };
    match result {
        Ok(t) => {
            ctx.act_in(t);
            let name = ctx.state.svc.read(|w| reads::directory_name(w, t));
            let lang = ctx.lang;
            ctx.flash_ok(
                lang.t("directory-created-title"),
                lang.t_args("directory-created-message", &[("directory", name)]),
            );
            ctx.redirect(&paths::directory(t, "")).await
        }
        Err(e) => ctx.form_failed(e, "/directories/new", form).await,
    }
}

pub async fn use_existing_page(
    SignedIn {
        mut ctx, identity, ..
    }: SignedIn,
) -> PortalResult {
    let lang = ctx.lang;
    let (subscriptions, not_service_admin) = ctx.state.svc.read(|w| {
        let mut mine = Vec::new();
        let mut others = Vec::new();
        for p in reads::subscriptions_of(w, identity) {
            let row = subscription_row(&p, lang);
            if p.held.roles.contains(ClassicRole::ServiceAdministrator) {
                mine.push(Choice {
                    value: row.id,
                    label: lang.t_args(
                        "use-subscription-choice",
                        &[("subscription", row.name), ("directory", row.directory)],
                    ),
                    selected: false,
                });
            } else {
                others.push(format!("{} ({})", row.name, row.my_roles));
            }
        }
        (mine, others)
    });
    let page = UseExisting {
        chrome: ctx.chrome("directories", "/directories/use-existing"),
        subscriptions,
        not_service_admin,
    };
    ctx.render(&page).await
}

#[derive(Deserialize)]
pub struct UseExistingForm {
    #[serde(default)]
    subscription: String,
    #[serde(default)]
    directory: String,
    #[serde(default)]
    ready: Option<String>,
}

pub async fn use_existing_submit(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    CsrfForm(f): CsrfForm<UseExistingForm>,
) -> PortalResult {
    let back = "/directories/use-existing";
    let form = FormRefusal {
        failed: super::i18n::key("failed-ask-to-use-the-directory"),
        fields: &[
            (
                "subscription",
                &[
                    "SubscriptionRequired",
                    "SubscriptionNotFound",
                    "NotServiceAdministrator",
                    "InvalidAuthenticationTokenTenant",
                ],
            ),
            (
                "directory",
                &[
                    "TenantNotFound",
                    "DirectoryAlreadyLinked",
                    "ServiceAdministratorIsMember",
                    "ServiceAdministratorIsGlobalAdministrator",
                    "InvalidCharacter",
                ],
            ),
            ("ready", &["NotReadyToSignOut"]),
        ],
        typed: vec![
            ("subscription", f.subscription.clone()),
            ("directory", f.directory.clone()),
            ("ready", f.ready.clone().unwrap_or_default()),
        ],
    };
    if f.ready.is_none() {
        ctx.refuse_form(
            &form,
            &DomainError::invalid("NotReadyToSignOut", "Adding an existing directory signs you out, so that a Global Administrator of that directory can sign in and approve.")
                .with_remedy("Tick 'I am ready to be signed out now' and select Complete."),
        );
        return ctx.redirect(back).await;
    }
    let Ok(sub) = f.subscription.trim().parse::<SubscriptionId>() else {
        ctx.refuse_form(
            &form,
            &DomainError::invalid("SubscriptionRequired", "Choose the subscription the directory is for.")
                .with_remedy("Only subscriptions of which you are the service administrator are listed; if none is, sign in as the service administrator."),
        );
        return ctx.redirect(back).await;
    };
    // Ask as a token for the subscription's directory, as the rule requires.
    let sub_tenant = ctx.state.svc.read(|w| reads::trusted_directory(w, sub));
    let actor = sub_tenant.and_then(|t| ctx.act_in(t)).unwrap_or(actor);
    let key = typed(&f.directory);
    let found = ctx.state.svc.read(|w| {
        guests::link_target(w, &actor, sub, guests::link_actions::WRITE, key)
            .map(|t| (t, reads::directory_shown(w, &actor, t)))
    });
    let (tenant, tname) = match found {
        Ok(found) => found,
        Err(e) => {
            ctx.refuse_form(&form, &e);
            return ctx.redirect(back).await;
        }
    };
    match ctx.state.svc.request_link(&actor, sub, tenant).await {
        Ok(request) => {
            let args = [("directory", tname), ("requester", actor.display())];
            ctx.session.data.after_sign_out = Some(Flash::ok(
                ctx.lang.t_args("use-signed-out-title", &args),
                ctx.lang.t_args("use-signed-out-message", &args),
            ));
            ctx.session.data.after_sign_out_return = Some(paths::link_request(tenant, request));
            ctx.sign_out();
            ctx.redirect("/signed-out").await
        }
        Err(e) => ctx.form_failed(e, back, form).await,
    }
}

pub async fn approve_page(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path((tenant, request)): Path<(String, String)>,
) -> PortalResult {
    let tenant: TenantId = parse_id(&tenant, "directory id")?;
    let request: RequestId = parse_id(&request, "request id")?;
    let here = paths::link_request(tenant, request);
    let actor = ctx.act_in(tenant).unwrap_or(actor);
    let now = ctx.now();
    let page_url = format!("{}{here}", ctx.state.base_url);
    let lang = ctx.lang;
    let shown = ctx.state.svc.read(|w| {
        let d = reads::read_link_request(w, &actor, tenant, request, now)?;
        let status = lang.t(link_status_key(&d));
        let approved = !d.expired && d.view.request.status == RequestStatus::Completed;
        Ok(LinkApprove {
            chrome: Chrome::bare(),
            tenant_id: tenant.to_string(),
            request_id: request.to_string(),
            directory: d.directory,
            domain: d.view.directory.initial_domain.clone(),
            status,
            approved,
            expires: lang.date_time(d.view.request.expires),
            requester: d.view.requester.with_email(),
            subscription: d.view.subscription,
            pending: d.waiting,
            can_decide: d.may_decide,
            is_requester: d.is_requester,
            can_cancel: d.may_cancel,
            signed_in_as: actor.display(),
            page_url,
        })
    });
    ctx.show("directories", &here, shown).await
}

/// Where a request stands: the catalogue key of the words its page uses.
fn link_status_key(d: &reads::LinkRequestDecision<'_>) -> &'static str {
    if d.expired {
        return key("link-status-expired");
    }
    match d.view.request.status {
        RequestStatus::Pending => key("link-status-pending"),
        RequestStatus::Completed => key("link-status-approved"),
        RequestStatus::Declined => key("link-status-declined"),
        RequestStatus::Cancelled => key("link-status-cancelled"),
        RequestStatus::Expired => key("link-status-expired"),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

/// The requester cancels her own request while it waits (`guests::cancel_link`).
pub async fn cancel(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path((tenant, request)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let tenant: TenantId = parse_id(&tenant, "directory id")?;
    let request: RequestId = parse_id(&request, "request id")?;
    let here = paths::link_request(tenant, request);
    let result = ctx.state.svc.cancel_link(&actor, tenant, request).await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-cancel-the-request"),
        result,
        &here,
        |_| {
            Flash::ok(
                lang.t("link-cancelled-title"),
                lang.t("link-cancelled-message"),
            )
        },
    )
    .await
}

pub async fn approve(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path((tenant, request)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let tenant: TenantId = parse_id(&tenant, "directory id")?;
    let request: RequestId = parse_id(&request, "request id")?;
    let here = paths::link_request(tenant, request);
    let actor = ctx.act_in(tenant).unwrap_or(actor);
    let result = ctx.state.svc.approve_link(&actor, tenant, request).await;
    if result.is_ok() {
        let (directory, requester) = ctx.state.svc.read(|w| {
            (
                reads::directory_name(w, tenant),
                reads::link_request(w, tenant, request)
                    .map(|d| d.requester.with_email())
                    .unwrap_or_default(),
            )
        });
        let args = [("directory", directory), ("requester", requester)];
        ctx.session.data.after_sign_out = Some(Flash::ok(
            ctx.lang.t_args("link-approved-next-title", &args),
            ctx.lang.t_args("link-approved-next-message", &args),
        ));
        ctx.session.data.after_sign_out_return = None;
    }
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-approve-the-request"),
        result,
        &here,
        |_| {
            Flash::ok(
                lang.t("link-approved-title"),
                lang.t("link-approved-message"),
            )
        },
    )
    .await
}

pub async fn decline(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path((tenant, request)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let tenant: TenantId = parse_id(&tenant, "directory id")?;
    let request: RequestId = parse_id(&request, "request id")?;
    let here = paths::link_request(tenant, request);
    let actor = ctx.act_in(tenant).unwrap_or(actor);
    let result = ctx.state.svc.decline_link(&actor, tenant, request).await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-decline-the-request"),
        result,
        &here,
        |_| {
            Flash::ok(
                lang.t("link-declined-title"),
                lang.t("link-declined-message"),
            )
        },
    )
    .await
}
