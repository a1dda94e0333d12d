//! Help + support: a signed-in person files a support request (subject, description, severity); it is
//! kept with its audit event; the requester sees their own, the operator sees all (`tenantry support list`).

use crate::{Service, ServiceError};
use tenantry_domain::audit::AuditEvent;
use tenantry_domain::rules::{names, reads};
use tenantry_domain::*;
use tenantry_store::support::SupportRequestRow;

/// Azure's severities: how badly the problem hurts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// A: critical impact, the business cannot work.
    Critical,
    /// B: moderate impact.
    Moderate,
    /// C: minimal impact.
    Minimal,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Critical, Severity::Moderate, Severity::Minimal];
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Critical => "A",
            Severity::Moderate => "B",
            Severity::Minimal => "C",
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            Severity::Critical => "A – Critical impact: work cannot go on",
            Severity::Moderate => "B – Moderate impact: work goes on with difficulty",
            Severity::Minimal => "C – Minimal impact: a question or an inconvenience",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| {
            v.as_str().eq_ignore_ascii_case(s.trim())
                || format!("{v:?}").eq_ignore_ascii_case(s.trim())
        })
    }
}

/// A support request as shown to people: the stored row and who asked, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportRequest {
    pub row: SupportRequestRow,
    pub requester_name: String,
}

pub const MAX_SUBJECT: usize = 200;
pub const MAX_DESCRIPTION: usize = 10_000;

/// How a requester is kept: the identity behind the caller (so a request stays theirs whichever
/// directory they act in), `operator`, or the application.
fn requester_key(actor: &Actor) -> Result<String, ServiceError> {
    match actor {
        Actor::Operator => Ok("operator".into()),
        Actor::Application { client_id, .. } => Ok(format!("application:{client_id}")),
        _ => {
            let identity = actor.identity().ok_or_else(|| {
                ServiceError::Domain(
                    DomainError::forbidden("SignInRequired", "Sign in to file a support request.")
                        .with_variant("requester-key"),
                )
            })?;
            serde_json::to_string(&identity)
                .map_err(|e| ServiceError::Internal(format!("cannot encode the requester: {e}")))
        }
    }
}

impl Service {
    fn requester_name(&self, key: &str) -> String {
        match serde_json::from_str::<Identity>(key) {
            Ok(identity) => self
                .read(|w| w.identity_email(identity))
                .unwrap_or_else(|| "(a deleted account)".into()),
            Err(_) => key.to_string(),
        }
    }

    fn named(&self, rows: Vec<SupportRequestRow>) -> Vec<SupportRequest> {
        rows.into_iter()
            .map(|row| SupportRequest {
                requester_name: self.requester_name(&row.requester),
                row,
            })
            .collect()
    }

    /// Files a support request. The subscription, when named, must be one the caller sees.
    pub async fn file_support_request(
        &self,
        actor: &Actor,
        subject: &str,
        description: &str,
        severity: &str,
        subscription: Option<SubscriptionId>,
    ) -> Result<SupportRequest, ServiceError> {
        let requester = requester_key(actor)?;
        let subject = names::typed(subject);
        let description = description.trim();
        let mut problems = Vec::new();
        if subject.is_empty() || subject.chars().count() > MAX_SUBJECT {
            problems.push(
                DomainError::invalid(
                    "InvalidSubject",
                    format!(
                        "The subject must say in 1 to {MAX_SUBJECT} characters what the problem is."
                    ),
                )
                .with_arg("max_subject", MAX_SUBJECT.to_string()),
            );
        }
        if description.is_empty() || description.chars().count() > MAX_DESCRIPTION {
            problems.push(DomainError::invalid(
                "InvalidDescription",
                format!("The description must say in 1 to {MAX_DESCRIPTION} characters what happened and what you expected."),
            )
            .with_arg("max_description", MAX_DESCRIPTION.to_string()));
        }
        problems.extend(names::require_name("subject", subject).err());
        problems.extend(names::require_text("description", description).err());
        let severity = Severity::parse(severity);
        if severity.is_none() {
            problems.push(DomainError::invalid(
                "InvalidSeverity",
                "Choose a severity: A (critical), B (moderate) or C (minimal).",
            ));
        }
        // Every refusal above pushed a problem, so a severity is here exactly when there are none.
        let Some(severity) = severity.filter(|_| problems.is_empty()) else {
            let first = problems.remove(0);
            return Err(first
                .with_remedy("Correct the form and send it again.")
                .with_details(problems)
                .into());
        };
        if let Some(s) = subscription {
            self.read(|w| reads::get_subscription(w, actor, s).map(|_| ()))?;
        }
        let now = self.now();
        let row = SupportRequestRow {
            id: RequestId::new(),
            requester,
            tenant: actor.tenant(),
            subscription,
            subject: subject.to_string(),
            description: description.to_string(),
            severity: severity.as_str().to_string(),
            status: "Open".into(),
            created: now,
        };
        let mut event = AuditEvent::new(
            actor,
            now,
            "Microsoft.Support/supportTickets/write",
            row.id.to_string(),
        )
        .details(serde_json::json!({"subject": row.subject, "severity": row.severity}));
        event.tenant = row.tenant;
        event.subscription = row.subscription;
        self.store().insert_support_request(&row, &event).await?;
        Ok(SupportRequest {
            requester_name: self.requester_name(&row.requester),
            row,
        })
    }

    /// The caller's own requests, newest first.
    pub async fn my_support_requests(
        &self,
        actor: &Actor,
    ) -> Result<Vec<SupportRequest>, ServiceError> {
        let key = requester_key(actor)?;
        Ok(self.named(self.store().support_requests(Some(&key)).await?))
    }

    /// Every request, newest first: the operator only.
    pub async fn all_support_requests(
        &self,
        actor: &Actor,
    ) -> Result<Vec<SupportRequest>, ServiceError> {
        if !actor.is_operator() {
            return Err(DomainError::forbidden(
                "OperatorOnly",
                "Only the operator may list every support request.",
            )
            .with_variant("all-support-requests")
            .with_remedy("Use `tenantry support list` on the server.")
            .into());
        }
        Ok(self.named(self.store().support_requests(None).await?))
    }
}
