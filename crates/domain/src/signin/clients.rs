//! The clients that need no registration (Microsoft's first-party public clients) and the redirect URIs
//! a native client may use without registering them; which registered applications are confidential.

use crate::model::Application;

/// Microsoft's first-party public clients, which exist in every tenant without registration: the Azure
/// CLI (also azure-identity's default), Azure PowerShell, Visual Studio Code and the Azure portal.
pub const FIRST_PARTY_CLIENTS: [(&str, &str); 4] = [
    (
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "Microsoft Azure CLI",
    ),
    (
        "1950a258-227b-4e31-a9cf-717495945fc2",
        "Microsoft Azure PowerShell",
    ),
    ("aebc6443-996d-45c2-90f0-388ff96faa56", "Visual Studio Code"),
    ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"),
];

pub fn first_party_client(client_id: uuid::Uuid) -> Option<&'static str> {
    FIRST_PARTY_CLIENTS
        .iter()
        .find(|(id, _)| id.parse::<uuid::Uuid>().is_ok_and(|u| u == client_id))
        .map(|(_, name)| *name)
}

/// A confidential client: an application with credentials of its own (client secrets or certificates), which it must
/// present in every grant that issues tokens (code, password, refresh token, device code). Without
/// any it is a public client (a native app, a SPA), which has nothing to prove and must use PKCE.
pub fn is_confidential(app: &Application) -> bool {
    !app.secrets.is_empty() || !app.certificates.is_empty() || !app.federated_credentials.is_empty()
}

/// A native client's redirect URI on the loopback interface: any port is allowed (RFC 8252 §7.3), as
/// Entra allows it for the first-party clients.
pub fn is_loopback_redirect(uri: &str) -> bool {
    let rest = match uri.strip_prefix("http://") {
        Some(r) => r,
        None => return false,
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host_port,
    };
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects() {
        assert!(is_loopback_redirect("http://localhost:8400"));
        assert!(is_loopback_redirect("http://127.0.0.1:51234/callback"));
        assert!(!is_loopback_redirect("https://localhost:8400"));
        assert!(!is_loopback_redirect("http://localhost.evil.example/"));
        assert!(!is_loopback_redirect("http://evil.example/?localhost"));
    }
}
