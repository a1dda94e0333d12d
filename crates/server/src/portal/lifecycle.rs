//! A subscription's lifecycle and tags in the portal: rename, cancel (after a confirmation that says it
//! becomes read-only), enable again; add, change and remove the tags of the subscription, its resource
//! groups and its resources. Each form runs the rule ARM's `Microsoft.Subscription` and Tags requests run
//! (`rules::subscriptions`, `rules::tags`); a tag refused is shown next to its form.

use super::pages::*;
use super::session::{CsrfForm, Flash, SignedIn};
use super::subscriptions::{Empty, act_for_subscription};
use super::{PortalResult, parse_id, paths};
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::ServiceError;
use tenantry_service::domain::rules::names::typed;
use tenantry_service::domain::rules::subscriptions as lifecycle;
use tenantry_service::domain::tags::{Tags, TagsOperation};
use tenantry_service::domain::*;

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    display_name: String,
}

pub async fn rename(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<RenameForm>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let back = paths::subscription(id, "");
    let actor = act_for_subscription(&mut ctx, id, actor);
    let result = ctx
        .state
        .svc
        .rename_subscription(&actor, id, &f.display_name)
        .await;
    let name = typed(&f.display_name).to_string();
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-rename-the-subscription"),
        result,
        &back,
        |_| {
            Flash::ok(
                lang.t("sub-renamed-title"),
                lang.t_args("sub-renamed-message", &[("name", name)]),
            )
        },
    )
    .await
}

/// The confirmation before cancelling: shown only when the rule would cancel it (its refusal otherwise).
pub async fn cancel_page(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let here = paths::subscription(id, "cancel");
    let actor = act_for_subscription(&mut ctx, id, actor);
    let now = ctx.now();
    let shown = ctx
        .state
        .svc
        .read(|w| -> Result<CancelSubscription, DomainError> {
            lifecycle::cancel_subscription(w, &actor, id, now)?;
            Ok(CancelSubscription {
                chrome: Chrome::bare(),
                tabs: subscription_tabs_for(w, &actor, id, "overview"),
                id: id.to_string(),
                name: tenantry_service::domain::rules::reads::subscription_name(w, id)
                    .unwrap_or_default(),
            })
        });
    ctx.show("home", &here, shown).await
}

pub async fn cancel(
    signed: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    set_state(signed, &sub, false).await
}

pub async fn enable(
    signed: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    set_state(signed, &sub, true).await
}

/// Cancels (Disabled, read-only) or enables the subscription, back on its overview.
async fn set_state(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    sub: &str,
    enable: bool,
) -> PortalResult {
    let id: SubscriptionId = parse_id(sub, "subscription id")?;
    let back = paths::subscription(id, "");
    let actor = act_for_subscription(&mut ctx, id, actor);
    let result = if enable {
        ctx.state.svc.enable_subscription(&actor, id).await
    } else {
        ctx.state.svc.cancel_subscription(&actor, id).await
    };
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-enable-the-subscription"),
        result,
        &back,
        |_| {
            if enable {
                Flash::ok(lang.t("sub-enabled-title"), lang.t("sub-enabled-message"))
            } else {
                Flash::ok(
                    lang.t("sub-cancelled-title"),
                    lang.t("sub-cancelled-message"),
                )
            }
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct TagForm {
    /// The scope below the subscription: `""`, `resourceGroups/{rg}` or a resource's.
    #[serde(default)]
    scope: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: String,
    /// Present: the tag `name` goes.
    #[serde(default)]
    remove: Option<String>,
}

/// Adds or changes one tag (the Tags API's PATCH with `Merge`), or removes one (`Delete`); back on the
/// page that shows the scope's tags, a refusal next to the form.
/// What failed when a tag form is refused.
const TAGS_FAILED: &str = super::i18n::key("failed-change-the-tags");

pub async fn tags(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<TagForm>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let scope = match Scope::parse_relative(id, &f.scope) {
        Ok(s) => s,
        Err(e) => {
            ctx.flash(Flash::form_error(ctx.lang, TAGS_FAILED, None, &e));
            return ctx.redirect(&paths::subscription(id, "")).await;
        }
    };
    // The page that lists these tags: the overview for the subscription's, the group's resources page
    // for a group's or a resource's (its name validated by the scope's parsing).
    let back = match scope.resource_group_name() {
        Some(g) => paths::resource_group_resources(id, g),
        None => paths::subscription(id, ""),
    };
    let actor = act_for_subscription(&mut ctx, id, actor);
    let (operation, given, done) = match f.remove {
        Some(_) => (
            TagsOperation::Delete,
            Tags::from([(f.name.clone(), String::new())]),
            ctx.lang.t("tag-removed-title"),
        ),
        None => (
            TagsOperation::Merge,
            Tags::from([(f.name.clone(), f.value.clone())]),
            ctx.lang.t("tag-saved-title"),
        ),
    };
    let result = ctx
        .state
        .svc
        .set_tags(&actor, &scope, operation, given)
        .await;
    match result {
        Ok(_) => ctx.flash_ok(
            done,
            ctx.lang
                .t_args("tags-updated", &[("scope", shown_scope(&scope))]),
        ),
        // A tag refused for what it is (its characters, its length, too many) is shown next to the
        // form; any other refusal at the top of the page.
        Err(ServiceError::Domain(e)) if e.kind == ErrorKind::Invalid => ctx.flash(
            Flash::form_error(ctx.lang, TAGS_FAILED, Some(scope.relative()), &e),
        ),
        Err(ServiceError::Domain(e)) => {
            ctx.flash(Flash::form_error(ctx.lang, TAGS_FAILED, None, &e))
        }
        Err(e) => return Err(e.into()),
    }
    ctx.redirect(&back).await
}

/// What a scope's tags are on, in words.
fn shown_scope(scope: &Scope) -> String {
    match (scope.resource_type(), scope.resource_group_name()) {
        (Some((_, name)), _) => name,
        (None, Some(g)) => format!("the resource group {g}"),
        (None, None) => "the subscription".into(),
    }
}
