//! The activity log: audit events filtered by directory, subscription, actor and time, showing only
//! what the signed-in person may read: a subscription's events when they may read its activity log, a
//! directory's when they are its Global Administrator or Global Reader, and their own actions.

use super::PortalResult;
use super::dashboard::{my_directories, my_subscriptions};
use super::pages::*;
use super::session::{CsrfForm, SignedIn};
use serde::Deserialize;
use tenantry_service::domain::audit::AuditFilter;
use tenantry_service::domain::rules::reads;
use tenantry_service::domain::*;

/// Events shown at most (the newest that match).
const SHOWN: u32 = 200;

#[derive(Deserialize, Default)]
pub struct FilterForm {
    #[serde(default)]
    tenant: String,
    #[serde(default)]
    subscription: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
}

fn day(s: &str) -> Option<i64> {
    let d = time::Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(d.midnight().assume_utc().unix_timestamp())
}

async fn render(
    SignedIn {
        mut ctx, identity, ..
    }: SignedIn,
    f: FilterForm,
) -> PortalResult {
    let tenant = f.tenant.trim().parse::<TenantId>().ok();
    let subscription = f.subscription.trim().parse::<SubscriptionId>().ok();
    let since = day(&f.since);
    let until = day(&f.until).map(|d| d + 86_399);
    // What the person may read goes into the query, so the newest readable events come back however
    // many others the log holds.
    let readable = ctx.state.svc.read(|w| reads::audit_readable(w, identity));
    let filter = AuditFilter {
        tenant,
        subscription,
        actor: Some(f.actor.trim().to_string()).filter(|a| !a.is_empty()),
        operation: None,
        since,
        until,
        limit: Some(SHOWN),
        readable_by: Some(readable),
        after: None,
    };
    let events = ctx.state.svc.audit_events(&filter).await?;
    let lang = ctx.lang;
    let (rows, tenants, subscriptions) = ctx.state.svc.read(|w| {
        let rows: Vec<EventRow> = events
            .iter()
            .map(|e| EventRow {
                time: lang.date_time(e.time),
                actor: e.actor.clone(),
                operation: e.operation.clone(),
                target: e.target.clone(),
                directory: e
                    .tenant
                    .map(|t| reads::directory_name(w, t))
                    .unwrap_or_default(),
                subscription: e
                    .subscription
                    .and_then(|s| reads::subscription_name(w, s))
                    .unwrap_or_default(),
            })
            .collect();
        let tenants: Vec<Choice> = my_directories(w, identity, None, lang)
            .into_iter()
            .map(|d| Choice {
                selected: Some(d.id.clone()) == tenant.map(|t| t.to_string()),
                value: d.id,
                label: d.name,
            })
            .collect();
        let subscriptions: Vec<Choice> = my_subscriptions(w, identity, lang)
            .into_iter()
            .map(|s| Choice {
                selected: Some(s.id.clone()) == subscription.map(|t| t.to_string()),
                value: s.id,
                label: s.name,
            })
            .collect();
        (rows, tenants, subscriptions)
    });
    let note = rows.is_empty().then(|| ctx.lang.t("activity-none"));
    let page = Activity {
        chrome: ctx.chrome("activity", "/activity"),
        tenants,
        subscriptions,
        actor: f.actor,
        since: f.since,
        until: f.until,
        events: rows,
        note,
    };
    ctx.render(&page).await
}

pub async fn page(signed: SignedIn) -> PortalResult {
    render(signed, FilterForm::default()).await
}

pub async fn filter(signed: SignedIn, CsrfForm(f): CsrfForm<FilterForm>) -> PortalResult {
    render(signed, f).await
}
