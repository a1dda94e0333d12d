//! The HTTPS origin: one router serves the Entra-compatible sign-in, ARM, Graph and the portal (their
//! paths do not overlap), over TLS with a local CA generated on first start.

use crate::tls;
use axum::Router;
use axum::routing::get;
use std::net::SocketAddr;
use std::path::PathBuf;
use tenantry_service::Service;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub svc: Service,
    /// The public base URL (`https://127.0.0.1:8443`): absolute URLs we return use it.
    pub base_url: String,
}

pub struct ServeConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Extra DNS names or addresses for the server certificate.
    pub extra_names: Vec<String>,
    /// Overrides the base URL derived from `listen`.
    pub public_url: Option<String>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(crate::oauth::routes())
        .merge(crate::arm::routes())
        .merge(crate::graph::routes())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
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
    let _follower = svc.spawn_follower();
    let app = router(AppState {
        svc,
        base_url: base_url.clone(),
    });
    println!("tenantry is listening on {base_url}");
    println!("{}", tls::trust_hint(&material));
    axum_server::bind_rustls(cfg.listen, rustls)
        .serve(app.into_make_service())
        .await?;
    Ok(())
}
