//! The HTTPS origin: one router serves the Entra-compatible sign-in, ARM, Graph and the portal (their
//! paths do not overlap), over TLS with a local CA generated on first start.

use crate::client_addr::TrustedProxies;
use crate::tls;
use axum::Router;
use axum::routing::get;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tenantry_service::Service;
use tenantry_service::crypto::KeyEncryptionKey;
use tenantry_service::signin::SignIn;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub svc: Service,
    /// The public base URL (`https://127.0.0.1:8443`): absolute URLs we return use it.
    pub base_url: String,
    /// The sign-in service: tokens, signing keys, verification of bearer tokens.
    pub signin: SignIn,
    /// What the ARM face renders once per revision of the world (big lists).
    pub arm: crate::arm::cache::ArmCache,
    /// Reverse proxies whose `X-Forwarded-For` names the client (per-address lockout).
    pub trusted_proxies: Arc<TrustedProxies>,
}

impl AppState {
    /// State for `svc` at `base_url`, with signing keys sealed by the process's key-encryption key
    /// (`TENANTRY_KEY_ENCRYPTION_KEY`, else one random key per process): what tests and benchmarks use.
    pub fn new(svc: Service, base_url: impl Into<String>) -> Self {
        Self::with_kek(
            svc,
            base_url,
            tenantry_service::signin::process_key_encryption_key(),
        )
    }

    /// State whose signing keys are sealed with `kek`.
    pub fn with_kek(svc: Service, base_url: impl Into<String>, kek: KeyEncryptionKey) -> Self {
        let base_url = base_url.into();
        let signin = SignIn::new(svc.clone(), &base_url, kek);
        Self {
            svc,
            base_url,
            signin,
            arm: Default::default(),
            trusted_proxies: Default::default(),
        }
    }

    /// The same state, believing `X-Forwarded-For` from these proxies.
    pub fn with_trusted_proxies(mut self, trusted: TrustedProxies) -> Self {
        self.trusted_proxies = Arc::new(trusted);
        self
    }
}

pub struct ServeConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Extra DNS names or addresses for the server certificate.
    pub extra_names: Vec<String>,
    /// Overrides the base URL derived from `listen`.
    pub public_url: Option<String>,
    /// Reverse proxies (addresses or networks) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<String>,
}

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(crate::oauth::routes())
        .merge(crate::arm::routes())
        .merge(crate::graph::routes())
        .merge(crate::portal::routes())
        .merge(crate::extensions::routes())
        // The portal's session is saved after whichever handler used it (portal pages, `/authorize`,
        // the invitation pages), so that none can forget to.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::portal::session::save_sessions,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state);
    // Paths are put in the routes' case before routing (ARM ignores the case of provider paths); a
    // layer on the routes themselves would run after routing, so the routes sit behind this one.
    let canonical = tower::ServiceBuilder::new()
        .map_request(canonical_request::<axum::body::Body>)
        .service(routes);
    Router::new()
        .fallback_service(canonical)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::edge::BODY_LIMIT,
        ))
        .layer(axum::middleware::from_fn(crate::edge::answer))
}

/// The path as the routes are written: repeated slashes as one (clients join a base URL that ends in
/// `/` with a path that starts with one: the Azure CLI asks for `//{tenant}/v2.0/.well-known/…` and
/// `//metadata/endpoints`, which Entra and ARM answer), and the extensions' provider paths in their
/// case (`extensions::canonical_path`). `None` when it is already so.
pub fn canonical_path(path: &str) -> Option<String> {
    let collapsed = path.contains("//").then(|| {
        let mut out = String::with_capacity(path.len());
        for c in path.chars() {
            if !(c == '/' && out.ends_with('/')) {
                out.push(c);
            }
        }
        out
    });
    let single = collapsed.as_deref().unwrap_or(path);
    crate::extensions::canonical_path(single).or(collapsed)
}

/// [`canonical_path`] applied to a request (its query kept).
fn canonical_request<B>(mut req: axum::http::Request<B>) -> axum::http::Request<B> {
    let Some(path) = canonical_path(req.uri().path()) else {
        return req;
    };
    let path_and_query = match req.uri().query() {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = path_and_query.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// The span of a request: method and path only. Never the query (authorize redirects and logouts carry
/// state and codes there), never headers (bearer tokens, Basic credentials), never bodies (passwords,
/// secrets, refresh tokens), and never the endpoint secret in a managed-identity IMDS path.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let path = crate::oauth::loggable_path(req.uri().path());
    tracing::debug_span!("request", method = %req.method(), path = %path)
}

/// The base URL clients should use for `listen`.
pub fn base_url_for(listen: SocketAddr) -> String {
    let host = if listen.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else if listen.is_ipv6() {
        format!("[{}]", listen.ip())
    } else {
        listen.ip().to_string()
    };
    if listen.port() == 443 {
        format!("https://{host}")
    } else {
        format!("https://{host}:{}", listen.port())
    }
}

/// Serves until the process is stopped.
pub async fn serve(svc: Service, cfg: ServeConfig) -> anyhow::Result<()> {
    let material = tls::ensure_local_ca(&cfg.data_dir, &cfg.extra_names)?;
    let rustls = tls::rustls_config(&material).await?;
    let base_url = cfg
        .public_url
        .clone()
        .unwrap_or_else(|| base_url_for(cfg.listen));
    let kek = tenantry_service::signin::key_encryption_key(&cfg.data_dir)?;
    let _follower = svc.spawn_follower();
    let trusted = TrustedProxies::parse(&cfg.trusted_proxies)
        .map_err(|e| anyhow::anyhow!("--trusted-proxy: {e}"))?;
    let state = AppState::with_kek(svc, base_url.clone(), kek).with_trusted_proxies(trusted);
    let kid = state.signin.ensure_signing_key().await?;
    tracing::info!(kid, "token signing key ready");
    let _housekeeping = state.signin.spawn_housekeeping();
    let app = router(state);
    println!("tenantry is listening on {base_url}");
    println!("{}", tls::trust_hint(&material));
    axum_server::bind(cfg.listen)
        .acceptor(tls::acceptor(rustls))
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::canonical_path;

    #[test]
    fn repeated_slashes_are_one() {
        assert_eq!(
            canonical_path("//contoso.com/v2.0/.well-known/openid-configuration").as_deref(),
            Some("/contoso.com/v2.0/.well-known/openid-configuration")
        );
        assert_eq!(
            canonical_path("//metadata/endpoints").as_deref(),
            Some("/metadata/endpoints")
        );
        assert_eq!(
            canonical_path("//providers/microsoft.subscription/policies/default").as_deref(),
            Some("/providers/Microsoft.Subscription/policies/default")
        );
        assert_eq!(canonical_path("/subscriptions"), None);
    }
}
