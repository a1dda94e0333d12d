//! HTTPS with a generated local CA.
//!
//! Azure tooling (the Azure CLI, azure-identity, MSAL) refuses plain HTTP for
//! sign-in and ARM endpoints, so tenantry always serves HTTPS. Instead of a
//! self-signed leaf, which clients would have to trust one certificate at a
//! time, we generate a small local CA once and issue the server certificate
//! from it: users trust `ca.pem` once, and the leaf can be re-issued (new names,
//! renewal) without touching any client configuration.
//!
//! Files kept in the data directory (`files`):
//! - `ca.pem`: the CA certificate (public, this is what clients trust);
//! - `ca-key.pem`: the CA private key (mode 0600);
//! - `server.pem`: the leaf certificate followed by the CA certificate;
//! - `server-key.pem`: the leaf private key (mode 0600);
//! - `server-names.txt`: the expiry and names the leaf was issued for, so that
//!   we can decide whether to re-issue it without parsing X.509.
//!
//! The CA and the leaf are made in `ca`, the names the leaf carries checked in `names`.

mod ca;
mod files;
mod names;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum_server::tls_rustls::RustlsConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use ca::{issue_leaf, load_or_create_ca, reusable_leaf};
use files::{CA_CERT_FILE, LEAF_CHAIN_FILE, LEAF_KEY_FILE, Paths, io_error};
use names::requested_names;

/// Everything needed to serve HTTPS and to tell users what to trust.
#[derive(Clone)]
pub struct TlsMaterial {
    /// Path of the CA certificate that clients must trust.
    pub ca_pem_path: PathBuf,
    /// The CA certificate, PEM.
    pub ca_cert_pem: String,
    /// The leaf certificate followed by the CA certificate, PEM.
    pub cert_chain_pem: String,
    /// The leaf private key, PEM (PKCS#8).
    pub key_pem: String,
}

// Written by hand so that logging the material never leaks the private key.
impl fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("ca_pem_path", &self.ca_pem_path)
            .field("ca_cert_pem", &self.ca_cert_pem)
            .field("cert_chain_pem", &self.cert_chain_pem)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

/// Why the local CA or the HTTPS configuration could not be prepared.
///
/// The messages include the underlying cause, so printing the error with `{}`
/// is enough to diagnose it.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot {action} {}: {error}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        error: io::Error,
    },
    #[error(
        "{} exists but {} is missing; restore the missing file, or delete {} to generate \
         a new local CA (clients will then have to trust the new {CA_CERT_FILE})",
        present.display(),
        missing.display(),
        present.display()
    )]
    IncompleteCa { present: PathBuf, missing: PathBuf },
    #[error("cannot read the private key in {}: {error}", path.display())]
    BadKey { path: PathBuf, error: rcgen::Error },
    #[error("cannot read PEM certificates from {}: {reason}", path.display())]
    BadPem { path: PathBuf, reason: String },
    #[error("invalid certificate name {name:?}: {reason}")]
    InvalidName { name: String, reason: &'static str },
    #[error("cannot generate the {what}: {error}")]
    Generate {
        what: &'static str,
        error: rcgen::Error,
    },
    #[error("the TLS configuration rejected the certificate chain or key: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Loads the local CA and server certificate from `data_dir`, creating or
/// re-issuing them as needed.
///
/// The CA is created once and then kept, since clients trust it. The leaf is
/// re-issued when it is missing or inconsistent, expires within 30 days, or
/// lacks one of `localhost`, `127.0.0.1`, `::1` and `extra_names` (each an IP
/// address or a DNS name).
pub fn ensure_local_ca(data_dir: &Path, extra_names: &[String]) -> Result<TlsMaterial, TlsError> {
    let names = requested_names(extra_names)?;
    fs::create_dir_all(data_dir).map_err(|error| io_error("create directory", data_dir, error))?;
    let paths = Paths::new(data_dir);
    let now = unix_now();

    let ca = load_or_create_ca(&paths, now)?;
    let leaf = match reusable_leaf(&paths, &ca, &names, now)? {
        Some(leaf) => leaf,
        None => issue_leaf(&paths, &ca, &names, now)?,
    };
    Ok(TlsMaterial {
        ca_pem_path: paths.ca_cert,
        ca_cert_pem: ca.cert_pem,
        cert_chain_pem: leaf.chain_pem,
        key_pem: leaf.key_pem,
    })
}

/// How connections are accepted: TLS, on sockets with `TCP_NODELAY` (a response is never held back
/// waiting for the client's ACK of the previous one).
pub type Acceptor = axum_server::tls_rustls::RustlsAcceptor<axum_server::accept::NoDelayAcceptor>;

pub fn acceptor(config: RustlsConfig) -> Acceptor {
    axum_server::tls_rustls::RustlsAcceptor::new(config)
        .acceptor(axum_server::accept::NoDelayAcceptor::new())
}

/// A server on `listener` (already bound), accepting as [`acceptor`] does.
pub fn server_on(
    listener: std::net::TcpListener,
    config: RustlsConfig,
) -> std::io::Result<axum_server::Server<std::net::SocketAddr, Acceptor>> {
    Ok(axum_server::from_tcp(listener)?.acceptor(acceptor(config)))
}

/// Builds the axum-server TLS configuration serving the leaf and CA chain.
///
/// ALPN offers `h2` and `http/1.1`: Python clients (requests) only speak
/// HTTP/1.1, browsers and Go/.NET clients benefit from HTTP/2.
pub async fn rustls_config(m: &TlsMaterial) -> Result<RustlsConfig, TlsError> {
    let config = server_config(m)?;
    Ok(RustlsConfig::from_config(Arc::new(config)))
}

/// Startup text telling users where the CA is and how to make clients trust it.
pub fn trust_hint(m: &TlsMaterial) -> String {
    let ca = shell_quote(&m.ca_pem_path.display().to_string());
    format!(
        "tenantry serves HTTPS with a local CA: {ca}\n\
         Trust it in your clients, for example:\n  \
         Azure CLI, azure-identity, MSAL (Python requests):\n    \
         export REQUESTS_CA_BUNDLE={ca}\n  \
         Microsoft Graph SDK and other httpx-based Python clients (they read only this one):\n    \
         export SSL_CERT_FILE={ca}\n  \
         Node.js SDKs:  export NODE_EXTRA_CA_CERTS={ca}\n  \
         curl:          curl --cacert {ca} https://localhost:<port>/\n\
         (REQUESTS_CA_BUNDLE and SSL_CERT_FILE replace the default bundle: to also reach real Azure, \
         point them at a copy of your CA bundle with {CA_CERT_FILE} appended. NODE_EXTRA_CA_CERTS adds \
         to Node's own roots.)\n"
    )
}

fn server_config(m: &TlsMaterial) -> Result<rustls::ServerConfig, TlsError> {
    // The material normally comes from ensure_local_ca, so errors name the
    // files it was read from.
    let chain_path = m.ca_pem_path.with_file_name(LEAF_CHAIN_FILE);
    let chain = parse_certificates(&chain_path, &m.cert_chain_pem)?;
    let key =
        PrivateKeyDer::from_pem_slice(m.key_pem.as_bytes()).map_err(|error| TlsError::BadPem {
            path: m.ca_pem_path.with_file_name(LEAF_KEY_FILE),
            reason: error.to_string(),
        })?;
    // An explicit provider, so that this works whether or not the process
    // installed a default rustls provider.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

fn parse_certificates(path: &Path, pem: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bad_pem = |reason: String| TlsError::BadPem {
        path: path.to_owned(),
        reason,
    };
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| bad_pem(error.to_string()))?;
    if certs.is_empty() {
        return Err(bad_pem("no CERTIFICATE block found".to_owned()));
    }
    Ok(certs)
}

fn unix_now() -> u64 {
    // A clock before 1970 is not worth an error path: treat it as the epoch.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Quotes a path for the POSIX shell snippets of `trust_hint` when needed.
fn shell_quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:,=@".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::ca::{DAY, LeafRecord};
    use super::files::CA_KEY_FILE;
    use super::*;

    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicU32, Ordering};

    use axum::{Router, routing::get};
    use axum_server::Handle;

    /// A unique directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(label: &str) -> Self {
            static COUNTER: AtomicU32 = AtomicU32::new(0);
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let unique = format!(
                "tenantry-tls-{label}-{}-{nanos}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            );
            let path = std::env::temp_dir().join(unique);
            fs::create_dir_all(&path).expect("create temp dir");
            Self(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn read(path: &Path) -> String {
        fs::read_to_string(path).expect("read file")
    }

    /// Serves `GET /healthz` over HTTPS on 127.0.0.1 with an OS-chosen port.
    async fn serve_healthz(m: &TlsMaterial) -> (SocketAddr, Handle<SocketAddr>) {
        let app = Router::new().route("/healthz", get(|| async { "ok" }));
        let config = rustls_config(m).await.expect("rustls config");
        let handle = Handle::new();
        let server = axum_server::bind_rustls(SocketAddr::from(([127, 0, 0, 1], 0)), config)
            .handle(handle.clone());
        tokio::spawn(async move { server.serve(app.into_make_service()).await });
        let addr = handle.listening().await.expect("server is listening");
        (addr, handle)
    }

    /// A client trusting only `ca_pem`, with `names` resolved to `addr` so
    /// that the name (not the address) is what TLS verifies.
    fn client_trusting(ca_pem: &str, addr: SocketAddr, names: &[&str]) -> reqwest::Client {
        let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("CA parses");
        let mut builder = reqwest::Client::builder().tls_certs_only([ca]);
        for name in names {
            builder = builder.resolve(name, addr);
        }
        builder.build().expect("client builds")
    }

    #[tokio::test]
    async fn serves_https_trusted_through_the_generated_ca() {
        let dir = TempDir::new("serve");
        let extra = vec!["tenantry.test".to_owned()];
        let m = ensure_local_ca(&dir.0, &extra).expect("local CA");
        let (addr, handle) = serve_healthz(&m).await;
        let client = client_trusting(&m.ca_cert_pem, addr, &["localhost", "tenantry.test"]);

        let port = addr.port();
        for host in ["localhost", "127.0.0.1", "tenantry.test"] {
            let url = format!("https://{host}:{port}/healthz");
            let response = client.get(&url).send().await.expect(&url);
            assert_eq!(response.status(), 200, "{url}");
            assert_eq!(response.text().await.expect("body"), "ok", "{url}");
        }
        handle.shutdown();
    }

    #[tokio::test]
    async fn client_not_trusting_the_ca_is_rejected() {
        let dir = TempDir::new("untrusted");
        let other_dir = TempDir::new("other-ca");
        let m = ensure_local_ca(&dir.0, &[]).expect("local CA");
        let other = ensure_local_ca(&other_dir.0, &[]).expect("other CA");
        let (addr, handle) = serve_healthz(&m).await;

        // Trusting another tenantry CA (same subject, different key) must fail,
        let client = client_trusting(&other.ca_cert_pem, addr, &["localhost"]);
        let url = format!("https://localhost:{}/healthz", addr.port());
        let error = client.get(&url).send().await.expect_err("untrusted CA");
        assert!(error.is_connect(), "{error:?}");

        // and so must the default client, with the system's roots.
        let default_client = reqwest::Client::builder()
            .resolve("localhost", addr)
            .build()
            .expect("client builds");
        assert!(default_client.get(&url).send().await.is_err());
        handle.shutdown();
    }

    #[test]
    fn reuses_the_ca_and_leaf_and_reissues_the_leaf_for_new_names() {
        let dir = TempDir::new("reuse");
        let paths = Paths::new(&dir.0);
        let first = ensure_local_ca(&dir.0, &[]).expect("first call");
        let ca_bytes = fs::read(&paths.ca_cert).expect("ca.pem");
        let ca_key = read(&paths.ca_key);

        let second = ensure_local_ca(&dir.0, &[]).expect("second call");
        assert_eq!(fs::read(&paths.ca_cert).expect("ca.pem"), ca_bytes);
        assert_eq!(second.cert_chain_pem, first.cert_chain_pem);
        assert_eq!(second.key_pem, first.key_pem);

        // Already covered names, spelled differently, keep the leaf.
        let spelled = vec!["LOCALHOST.".to_owned(), "[::1]".to_owned()];
        let third = ensure_local_ca(&dir.0, &spelled).expect("same names");
        assert_eq!(third.cert_chain_pem, first.cert_chain_pem);

        let extra = vec!["tenantry.test".to_owned(), "10.1.2.3".to_owned()];
        let reissued = ensure_local_ca(&dir.0, &extra).expect("new names");
        assert_ne!(reissued.cert_chain_pem, first.cert_chain_pem);
        assert_ne!(reissued.key_pem, first.key_pem);
        assert_eq!(fs::read(&paths.ca_cert).expect("ca.pem"), ca_bytes);
        assert_eq!(read(&paths.ca_key), ca_key);
        assert_eq!(reissued.ca_cert_pem.as_bytes(), ca_bytes.as_slice());
        assert_eq!(reissued.ca_pem_path, paths.ca_cert);

        let record = LeafRecord::parse(&read(&paths.leaf_record)).expect("record parses");
        let expected = ["localhost", "127.0.0.1", "::1", "tenantry.test", "10.1.2.3"];
        assert_eq!(record.names, expected);

        // The chain on disk is the leaf followed by the CA.
        let chain = parse_certificates(&paths.leaf_chain, &read(&paths.leaf_chain)).unwrap();
        let ca = parse_certificates(&paths.ca_cert, &first.ca_cert_pem).unwrap();
        assert_eq!(chain.len(), 2);
        assert_eq!(chain[1], ca[0]);
        assert_eq!(read(&paths.leaf_chain), reissued.cert_chain_pem);
        assert_eq!(read(&paths.leaf_key), reissued.key_pem);
    }

    #[test]
    fn reissues_a_leaf_expiring_within_30_days() {
        let dir = TempDir::new("expiry");
        let paths = Paths::new(&dir.0);
        let first = ensure_local_ca(&dir.0, &[]).expect("first call");
        let mut record = LeafRecord::parse(&read(&paths.leaf_record)).expect("record");
        record.not_after_unix = unix_now() + 29 * DAY.as_secs();
        fs::write(&paths.leaf_record, record.render()).expect("rewrite record");

        let renewed = ensure_local_ca(&dir.0, &[]).expect("renewal");
        assert_ne!(renewed.cert_chain_pem, first.cert_chain_pem);
        assert_eq!(renewed.ca_cert_pem, first.ca_cert_pem);
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_private() {
        use std::os::unix::fs::PermissionsExt;

        let dir = TempDir::new("modes");
        let paths = Paths::new(&dir.0);
        ensure_local_ca(&dir.0, &[]).expect("local CA");
        // Re-issuing replaces the key file: the new one must be private too.
        ensure_local_ca(&dir.0, &["tenantry.test".to_owned()]).expect("re-issue");
        for path in [&paths.ca_key, &paths.leaf_key] {
            let mode = fs::metadata(path).expect("metadata").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
        }
    }

    #[test]
    fn half_a_ca_is_an_error_naming_the_files() {
        let dir = TempDir::new("half-ca");
        let paths = Paths::new(&dir.0);
        ensure_local_ca(&dir.0, &[]).expect("local CA");
        fs::remove_file(&paths.ca_key).expect("remove CA key");

        let error = ensure_local_ca(&dir.0, &[]).expect_err("CA key missing");
        let message = error.to_string();
        assert!(matches!(error, TlsError::IncompleteCa { .. }), "{message}");
        assert!(message.contains(CA_KEY_FILE) && message.contains(CA_CERT_FILE));
    }

    #[tokio::test]
    async fn rustls_config_offers_http1_alpn() {
        let dir = TempDir::new("alpn");
        let m = ensure_local_ca(&dir.0, &[]).expect("local CA");
        let config = rustls_config(&m).await.expect("rustls config");
        let alpn = &config.get_inner().alpn_protocols;
        assert!(alpn.contains(&b"http/1.1".to_vec()), "{alpn:?}");
    }

    #[test]
    fn trust_hint_names_the_ca_path() {
        let m = TlsMaterial {
            ca_pem_path: PathBuf::from("data dir/ca.pem"),
            ca_cert_pem: String::new(),
            cert_chain_pem: String::new(),
            key_pem: "secret".to_owned(),
        };
        let hint = trust_hint(&m);
        assert!(
            hint.contains("export REQUESTS_CA_BUNDLE='data dir/ca.pem'"),
            "{hint}"
        );
        assert!(hint.contains("curl --cacert 'data dir/ca.pem'"), "{hint}");
        assert!(
            hint.contains("export SSL_CERT_FILE='data dir/ca.pem'"),
            "{hint}"
        );
        assert!(
            hint.contains("export NODE_EXTRA_CA_CERTS='data dir/ca.pem'"),
            "{hint}"
        );
        assert!(!format!("{m:?}").contains("secret"));
    }
}
