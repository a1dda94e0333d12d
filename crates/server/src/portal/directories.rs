//! Directories: the list, "create new", and the article's "use existing directory" (step 1): the
//! service administrator asks and is signed out, a Global Administrator of the directory signs in and
//! continues, is told to sign out, and the service administrator signs in again to find the directory.
//! Built on the service's `request_link` / `approve_link` / `decline_link`.

use super::dashboard::{my_directories, my_subscriptions};
use super::pages::*;
use super::session::{CsrfForm, Ctx, Flash};
use super::{PortalResult, parse_id, tenant_name};
use crate::signed_in;
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::domain::rules::visibility;
use tenantry_service::domain::*;

pub async fn list(mut ctx: Ctx) -> PortalResult {
    let actor = signed_in!(ctx, "/directories");
    let identity = ctx.identity().expect("signed in");
    let directories = ctx
        .state
        .svc
        .read(|w| my_directories(w, identity, actor.tenant()));
    let page = Directories {
        chrome: ctx.chrome("directories", "/directories"),
        directories,
    };
    ctx.render(&page).await
}

pub const DOMAIN_SUFFIX: &str = "onmicrosoft.com";

pub async fn new_page(mut ctx: Ctx) -> PortalResult {
    let _ = signed_in!(ctx, "/directories/new");
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

pub async fn create(mut ctx: Ctx, CsrfForm(f): CsrfForm<NewForm>) -> PortalResult {
    let actor = signed_in!(ctx, "/directories/new");
    let result = ctx
        .state
        .svc
        .create_tenant(
            &actor,
            f.name.trim(),
            f.display_name.trim(),
            TenantOrigin::Azure,
            DOMAIN_SUFFIX,
        )
        .await;
    match result {
        Ok(t) => {
            ctx.act_in(t);
            let name = ctx.state.svc.read(|w| tenant_name(w, t));
            ctx.flash_ok(
                "Directory created",
                format!("{name} was created and you are its Global Administrator. You are now working in it."),
            );
            ctx.redirect(&format!("/directories/{t}")).await
        }
        Err(e) => {
            ctx.done::<()>(Err(e), "/directories/new", |_| unreachable!())
                .await
        }
    }
}

pub async fn use_existing_page(mut ctx: Ctx) -> PortalResult {
    let _ = signed_in!(ctx, "/directories/use-existing");
    let identity = ctx.identity().expect("signed in");
    let (subscriptions, not_service_admin) = ctx.state.svc.read(|w| {
        let mut mine = Vec::new();
        let mut others = Vec::new();
        for row in my_subscriptions(w, identity) {
            let is_sa = row
                .id
                .parse::<SubscriptionId>()
                .ok()
                .and_then(|id| w.subscription(id))
                .is_some_and(|p| p.subscription.service_admin == identity);
            if is_sa {
                mine.push(Choice {
                    value: row.id,
                    label: format!("{} (directory {})", row.name, row.directory),
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
    mut ctx: Ctx,
    CsrfForm(f): CsrfForm<UseExistingForm>,
) -> PortalResult {
    let actor = signed_in!(ctx, "/directories/use-existing");
    let back = "/directories/use-existing";
    if f.ready.is_none() {
        ctx.flash_error(
            &DomainError::invalid("NotReadyToSignOut", "Adding an existing directory signs you out, so that a Global Administrator of that directory can sign in and approve.")
                .with_remedy("Tick 'I am ready to be signed out now' and select Complete."),
        );
        return ctx.redirect(back).await;
    }
    let Ok(sub) = f.subscription.trim().parse::<SubscriptionId>() else {
        ctx.flash_error(
            &DomainError::invalid("SubscriptionRequired", "Choose the subscription the directory is for.")
                .with_remedy("Only subscriptions of which you are the service administrator are listed; if none is, sign in as the service administrator."),
        );
        return ctx.redirect(back).await;
    };
    let key = f.directory.trim().to_string();
    let found = ctx.state.svc.read(|w| {
        w.find_tenant(&key).map(|t| {
            (
                t.tenant.id,
                t.tenant.display_name.clone(),
                t.tenant.initial_domain.clone(),
            )
        })
    });
    let Some((tenant, tname, tdomain)) = found else {
        ctx.flash_error(&tenantry_service::domain::rules::tenant_not_found(&key));
        return ctx.redirect(back).await;
    };
    // Ask as a token for the subscription's directory, as the rule requires.
    let sub_tenant = ctx
        .state
        .svc
        .read(|w| w.subscription(sub).map(|s| s.subscription.tenant));
    let actor = sub_tenant.and_then(|t| ctx.act_in(t)).unwrap_or(actor);
    match ctx.state.svc.request_link(&actor, sub, tenant).await {
        Ok(request) => {
            let me = actor.display();
            ctx.session.data.after_sign_out = Some(Flash::ok(
                format!("Now sign in as a Global Administrator of {tname}"),
                format!(
                    "{me} asked to add the directory {tname} ({tdomain}). You were signed out: sign in with the credentials of a Global Administrator of {tname} to continue. Afterwards, sign in again as {me}."
                ),
            ));
            ctx.session.data.after_sign_out_return =
                Some(format!("/directories/{tenant}/link-requests/{request}"));
            ctx.sign_out();
            ctx.redirect("/signed-out").await
        }
        Err(e) => ctx.done::<()>(Err(e), back, |_| unreachable!()).await,
    }
}

/// The request with what the page shows about it.
fn describe(
    w: &World,
    tenant: TenantId,
    request: RequestId,
) -> Option<(DirectoryLinkRequest, String, String, String, String)> {
    let part = w.tenant(tenant)?;
    let r = part.link_requests.get(&request)?.clone();
    let requester = w.identity_email(r.requester).unwrap_or_default();
    let sub = w
        .subscription(r.subscription)
        .map(|s| s.subscription.display_name.clone())
        .unwrap_or_default();
    Some((
        r,
        part.tenant.display_name.clone(),
        part.tenant.initial_domain.clone(),
        requester,
        sub,
    ))
}

pub async fn approve_page(
    mut ctx: Ctx,
    Path((tenant, request)): Path<(String, String)>,
) -> PortalResult {
    let here = format!("/directories/{tenant}/link-requests/{request}");
    let _ = signed_in!(ctx, here);
    let tenant: TenantId = parse_id(&tenant, "directory id")?;
    let request: RequestId = parse_id(&request, "request id")?;
    let identity = ctx.identity().expect("signed in");
    let actor = ctx
        .act_in(tenant)
        .or_else(|| ctx.actor())
        .expect("signed in");
    let now = ctx.now();
    let shown = ctx.state.svc.read(|w| {
        let is_requester = w
            .tenant(tenant)
            .and_then(|p| p.link_requests.get(&request))
            .is_some_and(|r| r.requester == identity);
        if !is_requester {
            visibility::require_tenant_admin_read(
                w,
                &actor,
                tenant,
                "approve adding this directory",
            )?;
        }
        let can_decide =
            rules::holds_directory_role(w, &actor, tenant, rules::DIRECTORY_ADMINISTRATORS);
        describe(w, tenant, request)
            .map(|d| (d, can_decide))
            .ok_or_else(|| {
                DomainError::not_found(
                    "LinkRequestNotFound",
                    format!("The directory link request '{request}' does not exist."),
                )
            })
    });
    let ((r, directory, domain, requester, subscription), can_decide) = match shown {
        Ok(v) => v,
        Err(e) => return ctx.error_page(e).await,
    };
    let pending = r.status == RequestStatus::Pending && r.expires > now;
    let status = if r.status == RequestStatus::Pending && r.expires <= now {
        "Expired".to_string()
    } else {
        r.status.as_str().to_string()
    };
    let page = LinkApprove {
        chrome: ctx.chrome("directories", &here),
        tenant_id: tenant.to_string(),
        request_id: request.to_string(),
        directory,
        domain,
        requester,
        subscription,
        status,
        pending,
        can_decide,
        signed_in_as: actor.display(),
        expires: when(r.expires),
    };
    ctx.render(&page).await
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn approve(
    mut ctx: Ctx,
    Path((tenant, request)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let here = format!("/directories/{tenant}/link-requests/{request}");
    let actor = signed_in!(ctx, here);
    let tenant: TenantId = parse_id(&tenant, "directory id")?;
    let request: RequestId = parse_id(&request, "request id")?;
    let actor = ctx.act_in(tenant).unwrap_or(actor);
    let result = ctx.state.svc.approve_link(&actor, tenant, request).await;
    if result.is_ok() {
        let (directory, requester) = ctx.state.svc.read(|w| {
            let d = describe(w, tenant, request);
            (tenant_name(w, tenant), d.map(|d| d.3).unwrap_or_default())
        });
        ctx.session.data.after_sign_out = Some(Flash::ok(
            format!("{directory} was added for {requester}"),
            format!(
                "Sign in again as the service administrator, {requester}: {directory} is now in the directory list, ready for changing the subscription's directory."
            ),
        ));
        ctx.session.data.after_sign_out_return = None;
    }
    ctx.done(result, &here, |_| {
        Flash::ok("Approved", "The directory was added. Select 'Sign out now' so that the service administrator can sign in again.")
    })
    .await
}

pub async fn decline(
    mut ctx: Ctx,
    Path((tenant, request)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let here = format!("/directories/{tenant}/link-requests/{request}");
    let actor = signed_in!(ctx, here);
    let tenant: TenantId = parse_id(&tenant, "directory id")?;
    let request: RequestId = parse_id(&request, "request id")?;
    let actor = ctx.act_in(tenant).unwrap_or(actor);
    let result = ctx.state.svc.decline_link(&actor, tenant, request).await;
    ctx.done(result, &here, |_| {
        Flash::ok("Declined", "The request was declined; nothing was added.")
    })
    .await
}
