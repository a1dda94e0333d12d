//! Errors in each interface's own wire format. Handlers return these; the rule that refused is in the
//! domain, and these only translate its kind and code.
//!
//! - ARM: `{"error":{"code","message"}}` (plus `details` for several blockers).
//! - Graph: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
//! - Entra: `{"error","error_description","error_codes","timestamp","trace_id","correlation_id"}`.
//! - Managed-identity endpoints: IMDS `{"error","error_description"}`, App Service
//!   `{"statusCode","message","correlationId"}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tenantry_domain::signin::managed_identity::IdentityEndpointRefusal;
use tenantry_domain::signin::{EntraCode, OAuthError, SignInError};
use tenantry_domain::{DomainError, ErrorKind};
use tenantry_service::ServiceError;
use tenantry_service::signin::managed_identity::ManagedIdentityFailure;

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::BAD_REQUEST,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
    }
}

/// What a face says of a failure that is not the caller's (after logging it): nothing of its internals.
const INTERNAL: &str = "The server could not complete the request. It has been logged.";

/// How many seconds a client is told to wait (`Retry-After`) when the database is out of reach: about
/// how long an instance takes to notice its return, so a retry then is likely to succeed.
pub const UNAVAILABLE_RETRY_AFTER_SECONDS: u64 = 2;

/// What each face says when the database is out of reach (503).
const UNAVAILABLE: &str = "The service is temporarily unavailable: its database cannot be reached. \
     Nothing was changed; retry after the number of seconds in the Retry-After header.";

/// What a service failure is to the caller.
enum Failure {
    /// A rule refused: its kind gives the status.
    Refused(DomainError),
    /// The database is out of reach: 503 with `Retry-After`.
    Unavailable,
    /// Not the caller's fault (logged here): a 500 saying [`INTERNAL`].
    Internal,
}

fn failure(e: ServiceError) -> Failure {
    match e {
        ServiceError::Domain(d) => Failure::Refused(d),
        // Logged once per outage by the service, not per request.
        ServiceError::Unavailable(_) => Failure::Unavailable,
        other => {
            tracing::error!(error = %other, "request failed");
            Failure::Internal
        }
    }
}

/// Adds `Retry-After`: the seconds a throttled answer names, else, on an answer that says the service
/// is unavailable, how long an outage is worth waiting before asking again.
pub fn with_retry_after(mut r: Response, seconds: Option<u64>) -> Response {
    let seconds = seconds.or_else(|| {
        (r.status() == StatusCode::SERVICE_UNAVAILABLE).then_some(UNAVAILABLE_RETRY_AFTER_SECONDS)
    });
    if let Some(s) = seconds {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    r
}

/// An ARM error response.
#[derive(Debug)]
pub struct ArmError {
    pub status: StatusCode,
    pub body: Value,
    pub www_authenticate: Option<String>,
    /// Seconds to wait before asking again (`Retry-After`), on a throttled request.
    pub retry_after: Option<u64>,
}

impl ArmError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: json!({"error": {"code": code, "message": message.into()}}),
            www_authenticate: None,
            retry_after: None,
        }
    }
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    /// A failure that is not the caller's (logged where it was seen).
    fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            INTERNAL,
        )
    }
    pub fn not_found(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }
    /// 401 with ARM's challenge.
    pub fn unauthorized(code: &str, message: impl Into<String>, authorization_uri: &str) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, code, message);
        e.www_authenticate = Some(format!(
            "Bearer authorization_uri=\"{authorization_uri}\", error=\"invalid_token\", error_description=\"{code}\""
        ));
        e
    }
    pub fn invalid_json(detail: impl std::fmt::Display) -> Self {
        Self::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{detail}'."),
        )
    }
}

impl From<DomainError> for ArmError {
    fn from(e: DomainError) -> Self {
        let mut error = json!({"code": e.code, "message": e.full_message()});
        if !e.details.is_empty() {
            error["details"] = Value::Array(
                e.details
                    .iter()
                    .map(|d| json!({"code": d.code, "message": d.full_message()}))
                    .collect(),
            );
        }
        Self {
            status: status_of(e.kind),
            body: json!({ "error": error }),
            www_authenticate: None,
            retry_after: None,
        }
    }
}

impl From<ServiceError> for ArmError {
    fn from(e: ServiceError) -> Self {
        match failure(e) {
            Failure::Refused(d) => Self::from(d),
            Failure::Unavailable => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                UNAVAILABLE,
            ),
            Failure::Internal => Self::internal(),
        }
    }
}

impl IntoResponse for ArmError {
    fn into_response(self) -> Response {
        let mut r = with_retry_after(
            (self.status, Json(self.body)).into_response(),
            self.retry_after,
        );
        if let Some(challenge) = self
            .www_authenticate
            .and_then(|c| HeaderValue::from_str(&c).ok())
        {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
        }
        r
    }
}

/// A Microsoft Graph error response.
#[derive(Debug)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Seconds to wait before asking again (`Retry-After`), on a throttled request.
    pub retry_after: Option<u64>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }
    /// A failure that is not the caller's (logged where it was seen).
    fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            INTERNAL,
        )
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Request_ResourceNotFound", message)
    }
}

impl From<DomainError> for GraphError {
    fn from(e: DomainError) -> Self {
        let code = match (e.kind, e.code.as_str()) {
            (_, c) if c.starts_with("Request_") || c.starts_with("Authorization_") => c.to_string(),
            (ErrorKind::Forbidden, _) => "Authorization_RequestDenied".into(),
            (ErrorKind::NotFound, _) => "Request_ResourceNotFound".into(),
            _ => "Request_BadRequest".into(),
        };
        Self {
            status: status_of(e.kind),
            code,
            message: e.full_message(),
            retry_after: None,
        }
    }
}

impl From<ServiceError> for GraphError {
    fn from(e: ServiceError) -> Self {
        match failure(e) {
            Failure::Refused(d) => Self::from(d),
            // Graph's code for a 503.
            Failure::Unavailable => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                UNAVAILABLE,
            ),
            Failure::Internal => Self::internal(),
        }
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let now = time_now_rfc3339();
        // The same ids as the answer's `request-id` and `client-request-id` headers.
        let ids = crate::request_id::current();
        let body = json!({"error": {
            "code": self.code,
            "message": self.message,
            "innerError": {"date": now, "request-id": ids.request, "client-request-id": ids.graph_client()},
        }});
        with_retry_after((self.status, Json(body)).into_response(), self.retry_after)
    }
}

/// An Entra (login) error response: the refusal's OAuth error, its AADSTS number and its message, from
/// the domain's table of codes (`EntraCode`).
#[derive(Debug)]
pub struct EntraError {
    pub status: StatusCode,
    pub error: SignInError,
    /// Seconds to wait before asking again (`Retry-After`), on a throttled request.
    pub retry_after: Option<u64>,
}

impl EntraError {
    pub fn new(error: SignInError) -> Self {
        let status = match error.error {
            // RFC 6749 §5.2: a client that failed to authenticate is told so with 401.
            OAuthError::InvalidClient => StatusCode::UNAUTHORIZED,
            OAuthError::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        Self {
            status,
            error,
            retry_after: None,
        }
    }
}

impl From<SignInError> for EntraError {
    fn from(e: SignInError) -> Self {
        Self::new(e)
    }
}

impl IntoResponse for EntraError {
    fn into_response(self) -> Response {
        // Entra's trace id is its `x-ms-request-id`; its correlation id the client's
        // `client-request-id` when it sent one.
        let ids = crate::request_id::current();
        let (trace, correlation) = (ids.request, ids.correlation);
        let now = time_now_rfc3339();
        let description = format!(
            "{} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {now}",
            self.error.error_description()
        );
        let body = json!({
            "error": self.error.error.as_str(),
            "error_description": description,
            "error_codes": [self.error.code.number()],
            "timestamp": now,
            "trace_id": trace,
            "correlation_id": correlation,
        });
        with_retry_after((self.status, Json(body)).into_response(), self.retry_after)
    }
}

/// A managed-identity token refusal as IMDS answers it.
#[derive(Debug)]
pub struct ImdsError(pub ManagedIdentityFailure);

impl From<ManagedIdentityFailure> for ImdsError {
    fn from(e: ManagedIdentityFailure) -> Self {
        Self(e)
    }
}

impl From<IdentityEndpointRefusal> for ImdsError {
    fn from(e: IdentityEndpointRefusal) -> Self {
        Self(ManagedIdentityFailure::Refused(e))
    }
}

impl IntoResponse for ImdsError {
    fn into_response(self) -> Response {
        use IdentityEndpointRefusal as R;
        let (status, error, description) = match self.0 {
            ManagedIdentityFailure::Refused(r) => {
                let (status, error) = match &r {
                    R::UnknownSecret => (StatusCode::UNAUTHORIZED, "unknown_source"),
                    R::MissingMetadataHeader => (StatusCode::BAD_REQUEST, "bad_request_102"),
                    _ => (StatusCode::BAD_REQUEST, "invalid_request"),
                };
                (status, error, identity_message(&r))
            }
            ManagedIdentityFailure::SignIn(e) => (
                StatusCode::BAD_REQUEST,
                e.error.as_str(),
                e.error_description(),
            ),
            ManagedIdentityFailure::Internal(e) => {
                tracing::error!(error = %e, "managed identity token failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "unknown",
                    "Failed to retrieve token; try again.".to_string(),
                )
            }
        };
        let body = json!({ "error": error, "error_description": description });
        (status, Json(body)).into_response()
    }
}

/// A managed-identity token refusal as App Service's token service answers it.
#[derive(Debug)]
pub struct AppServiceIdentityError(pub ManagedIdentityFailure);

impl From<ManagedIdentityFailure> for AppServiceIdentityError {
    fn from(e: ManagedIdentityFailure) -> Self {
        Self(e)
    }
}

impl From<IdentityEndpointRefusal> for AppServiceIdentityError {
    fn from(e: IdentityEndpointRefusal) -> Self {
        Self(ManagedIdentityFailure::Refused(e))
    }
}

impl IntoResponse for AppServiceIdentityError {
    fn into_response(self) -> Response {
        use IdentityEndpointRefusal as R;
        let (status, message) = match self.0 {
            ManagedIdentityFailure::Refused(r) => {
                let status = match &r {
                    R::UnknownSecret => StatusCode::UNAUTHORIZED,
                    R::IdentityNotFound => StatusCode::NOT_FOUND,
                    _ => StatusCode::BAD_REQUEST,
                };
                (status, identity_message(&r))
            }
            ManagedIdentityFailure::SignIn(e) => (StatusCode::BAD_REQUEST, e.error_description()),
            ManagedIdentityFailure::Internal(e) => {
                tracing::error!(error = %e, "managed identity token failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Failed to retrieve token; try again.".to_string(),
                )
            }
        };
        let body = json!({
            "statusCode": status.as_u16(),
            "message": message,
            "correlationId": uuid::Uuid::new_v4(),
        });
        (status, Json(body)).into_response()
    }
}

/// A refusal's reason and remedy in one sentence pair (an unknown secret's says nothing of what exists).
fn identity_message(r: &IdentityEndpointRefusal) -> String {
    format!("{} {}", r.reason(), r.remedy())
}

/// `2026-11-27 08:40:00Z`, the format Entra uses in `timestamp`.
pub fn time_now_rfc3339() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    format_timestamp(now)
}

pub use tenantry_domain::timestamps::format_timestamp;

/// What is refused before a handler runs: no route, a method the route lacks, a body too large or of
/// the wrong media type, input an extractor could not read. axum answers these in plain text or with
/// an empty body; `edge` turns them into this and each face words it here, in its own format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeRefusal {
    /// No route has this path (404). `segment` is the part of the path that named nothing.
    NoRoute { segment: String },
    /// The route exists, not for this method (405).
    MethodNotAllowed { method: String },
    /// The body is larger than the server reads (413).
    TooLarge { limit_bytes: usize },
    /// The body's media type is not the one the route reads (415).
    UnsupportedMediaType,
    /// The body, query or path could not be read (400 or 422); `detail` is the reader's own words.
    Malformed { status: StatusCode, detail: String },
    /// Something broke below the faces and said so in plain text (500): answered without its words.
    Failed,
}

impl EdgeRefusal {
    pub fn status(&self) -> StatusCode {
        match self {
            EdgeRefusal::NoRoute { .. } => StatusCode::NOT_FOUND,
            EdgeRefusal::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            EdgeRefusal::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            EdgeRefusal::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            EdgeRefusal::Malformed { status, .. } => *status,
            EdgeRefusal::Failed => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// In words, for the faces that have one text field.
    pub fn message(&self) -> String {
        match self {
            EdgeRefusal::NoRoute { segment } => {
                format!("No resource was found that matches the request path (at '{segment}').")
            }
            EdgeRefusal::MethodNotAllowed { method } => {
                format!("The requested resource does not support http method '{method}'.")
            }
            EdgeRefusal::TooLarge { limit_bytes } => format!(
                "The request content is larger than {} bytes, the most this server accepts.",
                limit_bytes
            ),
            EdgeRefusal::UnsupportedMediaType => {
                "The request content's media type is not supported here: send JSON \
                 (Content-Type: application/json) to the APIs and forms \
                 (application/x-www-form-urlencoded) to the sign-in endpoints."
                    .into()
            }
            EdgeRefusal::Malformed { detail, .. } => {
                format!("The request could not be read: {detail}")
            }
            EdgeRefusal::Failed => {
                "The server could not complete the request. It has been logged.".into()
            }
        }
    }

    /// ARM: `{"error":{"code","message"}}` with ARM's codes.
    pub fn arm(&self) -> ArmError {
        let code = match self {
            EdgeRefusal::NoRoute { .. } => "NotFound",
            EdgeRefusal::MethodNotAllowed { .. } => "MethodNotAllowed",
            EdgeRefusal::TooLarge { .. } => "RequestContentTooLarge",
            EdgeRefusal::UnsupportedMediaType => "UnsupportedMediaType",
            EdgeRefusal::Malformed { .. } => "InvalidRequestContent",
            EdgeRefusal::Failed => "InternalServerError",
        };
        ArmError::new(self.status(), code, self.message())
    }

    /// Graph: the odata error, with Graph's codes (an unknown segment is Graph's `BadRequest`
    /// "Resource not found for the segment", answered 400 as Graph does).
    pub fn graph(&self) -> GraphError {
        match self {
            EdgeRefusal::NoRoute { segment } => GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("Resource not found for the segment '{segment}'."),
            ),
            EdgeRefusal::MethodNotAllowed { .. } => GraphError::new(
                self.status(),
                "Request_BadRequest",
                "Specified HTTP method is not allowed for the request target.",
            ),
            EdgeRefusal::TooLarge { .. } => {
                GraphError::new(self.status(), "Request_EntityTooLarge", self.message())
            }
            EdgeRefusal::UnsupportedMediaType => GraphError::new(
                self.status(),
                "Request_UnsupportedMediaType",
                self.message(),
            ),
            EdgeRefusal::Malformed { .. } => {
                GraphError::new(self.status(), "Request_BadRequest", self.message())
            }
            EdgeRefusal::Failed => {
                GraphError::new(self.status(), "InternalServerError", self.message())
            }
        }
    }

    /// Entra: `error`/`error_description` with an AADSTS code.
    pub fn entra(&self) -> EntraError {
        let error = match self {
            // Entra's own wording for a GET to the token endpoint.
            EdgeRefusal::MethodNotAllowed { method } => SignInError::new(
                EntraCode::MethodNotAllowed,
                format!(
                    "{} Received a {method} request.",
                    EntraCode::MethodNotAllowed.description()
                ),
            ),
            EdgeRefusal::Failed => SignInError::of(EntraCode::TemporarilyUnavailable),
            // What the token endpoint says of any request it cannot read.
            _ => SignInError::new(
                EntraCode::MalformedRequest,
                format!(
                    "{} {}",
                    EntraCode::MalformedRequest.description(),
                    self.message()
                ),
            ),
        };
        EntraError {
            status: self.status(),
            error,
            retry_after: None,
        }
    }
}

/// Whose bucket was empty (`throttle`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThrottledBucket {
    /// An ARM caller's, for the subscription the path names.
    Subscription {
        subscription: uuid::Uuid,
        actor: uuid::Uuid,
    },
    /// An ARM caller's, for a tenant-level path.
    Tenant {
        tenant: uuid::Uuid,
        actor: uuid::Uuid,
    },
    /// All of a tenant's ARM callers' together.
    Directory { tenant: uuid::Uuid },
    /// A Graph caller's.
    Graph,
    /// A client's at the token endpoint.
    Token,
}

/// A request refused because its caller sent too many (429): each face words it as Azure does, and
/// says in `Retry-After` when to ask again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttled {
    pub bucket: ThrottledBucket,
    pub operation: crate::throttle::Operation,
    /// Whole seconds until the bucket holds a request again.
    pub retry_after: u64,
    /// The ARM header that says none remain.
    pub remaining: Option<crate::throttle::Remaining>,
}

impl Throttled {
    /// ARM: `SubscriptionRequestsThrottled`, `TenantRequestsThrottled`, or `TooManyRequests` for a
    /// whole tenant, in ARM's words.
    pub fn arm(&self) -> ArmError {
        let (op, wait) = (self.operation.as_str(), self.retry_after);
        let after = format!(
            "Please try again after '{wait}' seconds after additional tokens are available. \
             Refer to https://aka.ms/arm-throttling for additional information."
        );
        let (code, message) = match &self.bucket {
            ThrottledBucket::Subscription {
                subscription,
                actor,
            } => (
                "SubscriptionRequestsThrottled",
                format!(
                    "Number of '{op}' requests for subscription '{subscription}' actor '{actor}' exceeded. {after}"
                ),
            ),
            ThrottledBucket::Tenant { tenant, actor } => (
                "TenantRequestsThrottled",
                format!(
                    "Number of '{op}' requests for tenant '{tenant}' actor '{actor}' exceeded. {after}"
                ),
            ),
            ThrottledBucket::Directory { tenant } => (
                "TooManyRequests",
                format!("Number of '{op}' requests for tenant '{tenant}' exceeded. {after}"),
            ),
            ThrottledBucket::Graph | ThrottledBucket::Token => {
                ("TooManyRequests", format!("Too many requests. {after}"))
            }
        };
        let mut e = ArmError::new(StatusCode::TOO_MANY_REQUESTS, code, message);
        e.retry_after = Some(wait);
        e
    }

    /// Graph: `TooManyRequests` in its odata error.
    pub fn graph(&self) -> GraphError {
        let mut e = GraphError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            format!(
                "Too many requests from this caller. Please try again after {} seconds.",
                self.retry_after
            ),
        );
        e.retry_after = Some(self.retry_after);
        e
    }

    /// Entra: `temporarily_unavailable` with AADSTS90055, 429.
    pub fn entra(&self) -> EntraError {
        let error = SignInError::new(
            EntraCode::Throttled,
            format!(
                "{} Retry after {} seconds.",
                EntraCode::Throttled.description(),
                self.retry_after
            ),
        );
        EntraError {
            status: StatusCode::TOO_MANY_REQUESTS,
            error,
            retry_after: Some(self.retry_after),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unavailable() -> ServiceError {
        ServiceError::Unavailable("the database has been out of reach for 1.0 s".into())
    }

    async fn json_of(r: Response) -> Value {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    fn retry_after(r: &Response) -> Option<&str> {
        r.headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
    }

    /// An outage is a 503 with Retry-After in each face's format, and says nothing of the database's
    /// own error.
    #[tokio::test]
    async fn an_unavailable_database_is_503_with_retry_after_in_each_face() {
        let arm = ArmError::from(unavailable()).into_response();
        assert_eq!(arm.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after(&arm), Some("2"));
        let body = json_of(arm).await;
        assert_eq!(body["error"]["code"], "ServiceUnavailable", "{body}");
        assert!(!body.to_string().contains("out of reach"), "{body}");

        let graph = GraphError::from(unavailable()).into_response();
        assert_eq!(graph.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after(&graph), Some("2"));
        let body = json_of(graph).await;
        assert_eq!(body["error"]["code"], "serviceNotAvailable", "{body}");
        assert!(
            body["error"]["innerError"]["request-id"].is_string(),
            "{body}"
        );

        let entra =
            EntraError::new(SignInError::of(EntraCode::TemporarilyUnavailable)).into_response();
        assert_eq!(entra.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after(&entra), Some("2"));
        let body = json_of(entra).await;
        assert_eq!(body["error"], "temporarily_unavailable", "{body}");

        // Any other failure stays a 500 without Retry-After.
        let internal = ArmError::from(ServiceError::Internal("boom".into())).into_response();
        assert_eq!(internal.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(retry_after(&internal), None);
    }
}
