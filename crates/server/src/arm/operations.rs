//! Long-running operations (ARM's `Location` polling). tenantry deletes a resource group inside the
//! request, so by the time the client polls the operation is done: the `Location` it gets back only has
//! to answer 200. Nothing is stored for it, so any instance behind a balancer answers the poll.

use super::{ArmResult, Req};
use crate::errors::ArmError;
use crate::urls;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tenantry_domain::SubscriptionId;

/// `202 Accepted` with the `Location` to poll and `Retry-After: 1` (a missing or zero value makes
/// azure-core wait 30 s between polls).
pub fn accepted(req: &Req, sub: SubscriptionId, job: &str) -> Response {
    let opaque = URL_SAFE_NO_PAD.encode(format!(
        "{{\"jobId\":\"{}-{}\"}}",
        job,
        uuid::Uuid::new_v4().simple()
    ));
    let location = format!(
        "{}/subscriptions/{sub}/operationresults/{opaque}?api-version={}",
        req.base_url(),
        urls::encode(req.query.api_version())
    );
    let mut r = StatusCode::ACCEPTED.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// The poll: done. Only callers signed in to the subscription's tenant get an answer; an id we did not
/// make is `OperationNotFound`.
pub fn result(req: &Req, sub: SubscriptionId, opaque: &str) -> ArmResult {
    let ours = URL_SAFE_NO_PAD
        .decode(opaque)
        .ok()
        .is_some_and(|b| b.starts_with(b"{\"jobId\":"));
    let same_tenant = req.st.svc.read(|w| {
        w.subscription(sub).is_some_and(|p| {
            req.actor().is_operator() || req.actor().tenant() == Some(p.subscription.tenant)
        })
    });
    if !same_tenant {
        return Err(ArmError::not_found(
            "SubscriptionNotFound",
            format!("The subscription '{sub}' could not be found."),
        ));
    }
    if !ours {
        return Err(ArmError::not_found(
            "OperationNotFound",
            format!("The operation '{opaque}' could not be found."),
        ));
    }
    Ok(StatusCode::OK.into_response())
}
