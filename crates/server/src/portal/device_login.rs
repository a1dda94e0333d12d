//! `/devicelogin`: the verification page of the device authorization grant (`az login
//! --use-device-code`). The person signs in to the portal first (or is signed in already), types the
//! code the device shows, sees which application will act as them, and continues or cancels. The code
//! travels in form posts only, never in a URL. The rules are the sign-in service's
//! (`SignIn::approve_device_code`).

use super::PortalResult;
use super::pages::Chrome;
use super::session::{CsrfForm, Ctx, SignedIn};
use askama::Template;
use serde::Deserialize;
use tenantry_service::domain::rules::reads;
use tenantry_service::signin::SignInFailure;

pub enum DeviceStep {
    Enter(Option<String>),
    Confirm {
        user_code: String,
        client_name: String,
        account: String,
        /// When the code stops working.
        expires: String,
    },
    Done {
        approved: bool,
        client_name: String,
    },
}

#[derive(Template)]
#[template(path = "portal/device_login.html")]
struct DeviceLogin {
    chrome: Chrome,
    step: DeviceStep,
}

const HERE: &str = "/devicelogin";

async fn show(mut ctx: Ctx, step: DeviceStep) -> PortalResult {
    let page = DeviceLogin {
        chrome: ctx.chrome("", HERE),
        step,
    };
    ctx.render(&page).await
}

/// The first step again, with the refusal of the code said in the person's language (with Entra's code).
async fn refused(ctx: Ctx, failure: SignInFailure) -> PortalResult {
    let said = super::refusals::sign_in_description(ctx.lang, &super::signin::refusal(failure));
    show(ctx, DeviceStep::Enter(Some(said))).await
}

pub async fn page(SignedIn { ctx, .. }: SignedIn) -> PortalResult {
    show(ctx, DeviceStep::Enter(None)).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// The code typed: which application asks, and as whom it would act.
pub async fn enter(
    SignedIn { ctx, identity, .. }: SignedIn,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> PortalResult {
    match ctx.state.signin.device_request(&f.code).await {
        Ok(request) => {
            let account = ctx
                .state
                .svc
                .read(|w| reads::email(w, identity))
                .unwrap_or_default();
            let step = DeviceStep::Confirm {
                user_code: request.user_code,
                client_name: request.client_name,
                account,
                expires: ctx.lang.date_time(request.expires),
            };
            show(ctx, step).await
        }
        Err(e) => refused(ctx, e).await,
    }
}

pub async fn approve(
    SignedIn { ctx, identity, .. }: SignedIn,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> PortalResult {
    let signin = ctx.state.signin.clone();
    let client_name = match signin.device_request(&f.code).await {
        Ok(r) => r.client_name,
        Err(e) => return refused(ctx, e).await,
    };
    match signin.approve_device_code(&f.code, identity).await {
        Ok(()) => {
            let step = DeviceStep::Done {
                approved: true,
                client_name,
            };
            show(ctx, step).await
        }
        Err(e) => refused(ctx, e).await,
    }
}

pub async fn decline(
    SignedIn { ctx, .. }: SignedIn,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> PortalResult {
    let signin = ctx.state.signin.clone();
    let client_name = match signin.device_request(&f.code).await {
        Ok(r) => r.client_name,
        Err(e) => return refused(ctx, e).await,
    };
    match signin.decline_device_code(&f.code).await {
        Ok(()) => {
            let step = DeviceStep::Done {
                approved: false,
                client_name,
            };
            show(ctx, step).await
        }
        Err(e) => refused(ctx, e).await,
    }
}
