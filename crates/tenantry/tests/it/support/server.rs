//! A tenantry server in this process, over HTTPS with its own local CA.

use super::{TestStore, demo_service};
use std::path::PathBuf;
use tenantry_service::Service;

/// A tenantry server running in this process on a free port, over HTTPS with its own local CA.
pub struct TestServer {
    pub svc: Service,
    /// `https://127.0.0.1:PORT`
    pub base_url: String,
    /// The CA that signed the server certificate (what clients set `REQUESTS_CA_BUNDLE` to).
    pub ca_path: PathBuf,
    /// A client that trusts only that CA.
    pub client: reqwest::Client,
    /// The server's sign-in service (its signing keys).
    pub signin: tenantry_service::signin::SignIn,
    handle: axum_server::Handle<std::net::SocketAddr>,
    _dir: tenantry_store::testing::TempDir,
}

impl TestServer {
    /// Serves `svc` on 127.0.0.1 at a free port (`port` = 0) or the given one.
    pub async fn start_on(svc: Service, port: u16) -> TestServer {
        Self::start(svc, port, None, Default::default()).await
    }

    /// Serves `svc` on a free port, throttling callers as `settings` say.
    pub async fn throttled(
        svc: Service,
        settings: tenantry_server::throttle::ThrottleSettings,
    ) -> TestServer {
        Self::start_with(svc, 0, None, Default::default(), Some(settings)).await
    }

    /// [`TestServer::behind`] `first`, throttling callers as `settings` say.
    pub async fn throttled_behind(
        svc: Service,
        first: &TestServer,
        settings: tenantry_server::throttle::ThrottleSettings,
    ) -> TestServer {
        let public_url = Some(first.signin.base_url().to_string());
        Self::start_with(svc, 0, public_url, Default::default(), Some(settings)).await
    }

    /// Serves `svc` believing `X-Forwarded-For` from `trusted` (as behind a reverse proxy).
    pub async fn behind_proxy(svc: Service, trusted: &[&str]) -> TestServer {
        let trusted = tenantry_server::client_addr::TrustedProxies::parse(trusted).unwrap();
        Self::start(svc, 0, None, trusted).await
    }

    /// Another instance behind the same public URL as `first` (as behind a balancer): it issues and
    /// accepts tokens for that URL, while tests reach it at its own port.
    pub async fn behind(svc: Service, first: &TestServer) -> TestServer {
        Self::start(
            svc,
            0,
            Some(first.signin.base_url().to_string()),
            Default::default(),
        )
        .await
    }

    async fn start(
        svc: Service,
        port: u16,
        public_url: Option<String>,
        trusted: tenantry_server::client_addr::TrustedProxies,
    ) -> TestServer {
        Self::start_with(svc, port, public_url, trusted, None).await
    }

    async fn start_with(
        svc: Service,
        port: u16,
        public_url: Option<String>,
        trusted: tenantry_server::client_addr::TrustedProxies,
        throttle: Option<tenantry_server::throttle::ThrottleSettings>,
    ) -> TestServer {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let dir = tenantry_store::testing::TempDir::new("tenantry-server").unwrap();
        let material = tenantry_server::tls::ensure_local_ca(dir.path(), &[]).unwrap();
        let config = tenantry_server::tls::rustls_config(&material)
            .await
            .unwrap();
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let base_url = tenantry_server::app::base_url_for(addr);
        let public_url = public_url.unwrap_or_else(|| base_url.clone());
        let mut state =
            tenantry_server::AppState::new(svc.clone(), public_url).with_trusted_proxies(trusted);
        if let Some(settings) = throttle {
            state = state.with_throttle(settings);
            // As `serve` does: instances on PostgreSQL exchange what they charged.
            let postgres = svc.store().backend() == tenantry_store::Backend::Postgres;
            if let Some(throttle) = state.throttle.as_ref().filter(|_| postgres) {
                throttle.spawn_exchange(svc.store().clone());
            }
        }
        let signin = state.signin.clone();
        let app = tenantry_server::router(state);
        let handle = axum_server::Handle::new();
        let server = tenantry_server::tls::server_on(listener, config)
            .unwrap()
            .handle(handle.clone());
        tokio::spawn(async move {
            let _ = server
                .serve(app.into_make_service_with_connect_info::<std::net::SocketAddr>())
                .await;
        });
        handle.listening().await;
        let cert = reqwest::Certificate::from_pem(material.ca_cert_pem.as_bytes()).unwrap();
        let client = reqwest::Client::builder()
            .tls_certs_only([cert])
            .build()
            .unwrap();
        TestServer {
            svc,
            base_url,
            ca_path: material.ca_pem_path.clone(),
            client,
            signin,
            handle,
            _dir: dir,
        }
    }

    /// The demo world on `store`, served on a free port.
    pub async fn demo(store: &TestStore) -> TestServer {
        Self::start_on(demo_service(store).await, 0).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}
