//! Classic administrators (api-version 2015-07-01): the list, and tenantry's write operations on it:
//! `PUT …/classicAdministrators/{email}` with `{"properties":{"emailAddress","role"}}` adds a
//! co-administrator (`CoAdministrator`) or makes someone the service administrator
//! (`ServiceAdministrator`); `DELETE` removes a co-administrator. Who may is the domain's rule.

use super::{ArmResult, Req, method_not_allowed, wire};
use crate::errors::ArmError;
use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use tenantry_domain::rules::AccountType;
use tenantry_domain::rules::admins::ClassicAdministrator;
use tenantry_domain::rules::reads;
use tenantry_domain::scope::ScopeLevel;
use tenantry_domain::{Scope, SubscriptionId};

pub async fn handle(req: &Req, scope: &Scope, name: Option<&str>) -> ArmResult {
    if scope.level() != ScopeLevel::Subscription {
        return Err(ArmError::bad_request(
            "InvalidScope",
            "Classic administrators exist at subscription scope only.",
        ));
    }
    let sub = scope.subscription_id();
    match (&req.method, name) {
        (&Method::GET | &Method::HEAD, None) => list(req, sub),
        (&Method::GET | &Method::HEAD, Some(n)) => get(req, sub, n),
        (&Method::PUT, Some(n)) => put(req, sub, n).await,
        (&Method::DELETE, Some(n)) => delete(req, sub, n).await,
        (m, _) => Err(method_not_allowed(m)),
    }
}

fn admins(req: &Req, sub: SubscriptionId) -> Result<Vec<ClassicAdministrator>, ArmError> {
    Ok(req
        .st
        .svc
        .read(|w| reads::list_classic_administrators(w, req.actor(), sub))?)
}

fn list(req: &Req, sub: SubscriptionId) -> ArmResult {
    let items: Vec<Value> = admins(req, sub)?
        .iter()
        .map(|a| wire::classic_admin(sub, &a.email, &a.roles.to_string()))
        .collect();
    Ok(wire::list(items, None))
}

fn find(req: &Req, sub: SubscriptionId, email: &str) -> Result<Value, ArmError> {
    admins(req, sub)?
        .iter()
        .find(|a| a.email.eq_ignore_ascii_case(email.trim()))
        .map(|a| wire::classic_admin(sub, &a.email, &a.roles.to_string()))
        .ok_or_else(|| {
            ArmError::not_found(
                "ClassicAdministratorNotFound",
                format!("'{email}' is not a classic administrator of the subscription '{sub}'."),
            )
        })
}

fn get(req: &Req, sub: SubscriptionId, name: &str) -> ArmResult {
    Ok(wire::ok(&find(req, sub, name)?))
}

#[derive(Deserialize)]
struct AdminBody {
    properties: AdminProps,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdminProps {
    #[serde(default)]
    email_address: Option<String>,
    role: String,
    /// tenantry's extension for an email that is both a personal and a work account:
    /// `Personal` or `Organizational`.
    #[serde(default)]
    account_type: Option<String>,
}

async fn put(req: &Req, sub: SubscriptionId, name: &str) -> ArmResult {
    let b: AdminBody = wire::body(&req.body)?;
    let email = b
        .properties
        .email_address
        .unwrap_or_else(|| name.to_string());
    let account_type = match b.properties.account_type.as_deref() {
        None => None,
        Some(t) => Some(AccountType::parse(t).ok_or_else(|| {
            ArmError::bad_request(
                "InvalidAccountType",
                format!("The account type '{t}' is not valid: use 'Personal' or 'Organizational'."),
            )
        })?),
    };
    let svc = &req.st.svc;
    let status = match b.properties.role.as_str() {
        r if r.eq_ignore_ascii_case("CoAdministrator") => {
            svc.add_co_admin(req.actor(), sub, &email, account_type)
                .await?;
            StatusCode::CREATED
        }
        r if r.eq_ignore_ascii_case("ServiceAdministrator") => {
            svc.change_service_admin(req.actor(), sub, &email, account_type)
                .await?;
            StatusCode::OK
        }
        other => {
            return Err(ArmError::bad_request(
                "InvalidClassicAdministratorRole",
                format!(
                    "The role '{other}' is not valid: use 'CoAdministrator' or 'ServiceAdministrator'."
                ),
            ));
        }
    };
    // Changing the service administrator can end the caller's own access: then the answer is what
    // was asked for rather than a read the caller may no longer make.
    let body = find(req, sub, &email)
        .unwrap_or_else(|_| wire::classic_admin(sub, &email, &b.properties.role));
    Ok(wire::json(status, &body))
}

/// Removes a co-administrator; answers with what was removed.
async fn delete(req: &Req, sub: SubscriptionId, name: &str) -> ArmResult {
    let before = find(req, sub, name).ok();
    req.st.svc.remove_co_admin(req.actor(), sub, name).await?;
    Ok(match before {
        Some(v) => wire::ok(&v),
        None => wire::empty(StatusCode::OK),
    })
}
