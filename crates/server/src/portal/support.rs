//! Help + support: file a support request (subject, description, severity); see your own requests. The
//! operator lists all of them with `tenantry support list`.

use super::dashboard::my_subscriptions;
use super::i18n::key;
use super::pages::*;
use super::session::{CsrfForm, Flash, SignedIn};
use super::{FormRefusal, PortalResult};
use serde::Deserialize;
use tenantry_service::domain::rules::reads;
use tenantry_service::domain::*;
use tenantry_service::support::Severity;

pub async fn page(
    SignedIn {
        mut ctx,
        actor,
        identity,
    }: SignedIn,
) -> PortalResult {
    let mine = ctx.state.svc.my_support_requests(&actor).await?;
    let lang = ctx.lang;
    let (subscriptions, requests) = ctx.state.svc.read(|w| {
        let subs: Vec<Choice> = my_subscriptions(w, identity, lang)
            .into_iter()
            .map(|s| Choice {
                value: s.id,
                label: format!("{} ({})", s.name, s.directory),
                selected: false,
            })
            .collect();
        let reqs = mine
            .iter()
            .map(|r| SupportRow {
                id: r.row.id.to_string(),
                created: lang.date_time(r.row.created),
                subject: r.row.subject.clone(),
                severity: r.row.severity.clone(),
                status: r.row.status.clone(),
                subscription: r
                    .row
                    .subscription
                    .and_then(|s| reads::subscription_name(w, s))
                    .unwrap_or_else(|| "—".into()),
            })
            .collect();
        (subs, reqs)
    });
    let page = Support {
        chrome: ctx.chrome("support", "/support"),
        severities: Severity::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: ctx.lang.t(match s {
                    Severity::Critical => key("severity-critical"),
                    Severity::Moderate => key("severity-moderate"),
                    Severity::Minimal => key("severity-minimal"),
                }),
                selected: *s == Severity::Minimal,
            })
            .collect(),
        subscriptions,
        requests,
    };
    ctx.render(&page).await
}

#[derive(Deserialize)]
pub struct SupportForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    subscription: String,
}

pub async fn submit(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    CsrfForm(f): CsrfForm<SupportForm>,
) -> PortalResult {
    // Filed as the person in the subscription's directory when one is named (so its visibility counts).
    let subscription = f.subscription.trim().parse::<SubscriptionId>().ok();
    let actor = match subscription {
        Some(s) => super::subscriptions::act_for_subscription(&mut ctx, s, actor),
        None => actor,
    };
    let result = ctx
        .state
        .svc
        .file_support_request(
            &actor,
            &f.subject,
            &f.description,
            &f.severity,
            subscription,
        )
        .await;
    let lang = ctx.lang;
    let form = FormRefusal {
        failed: super::i18n::key("failed-send-the-support-request"),
        fields: &[
            ("subject", &["InvalidSubject"]),
            ("description", &["InvalidDescription"]),
            ("severity", &["InvalidSeverity"]),
            (
                "support-subscription",
                &["SubscriptionNotFound", "AuthorizationFailed"],
            ),
        ],
        typed: vec![
            ("subject", f.subject.clone()),
            ("description", f.description.clone()),
            ("severity", f.severity.clone()),
            ("support-subscription", f.subscription.clone()),
        ],
    };
    ctx.done_form(result, "/support", form, |r| {
        Flash::ok(
            lang.t("support-sent-title"),
            lang.t_args(
                "support-sent-message",
                &[
                    ("subject", r.row.subject.clone()),
                    ("reference", r.row.id.to_string()),
                ],
            ),
        )
    })
    .await
}
