//! What a `scope` parameter asks for (one resource, the permissions on it, the OpenID Connect extras),
//! and the scope of a v1 request's `resource`.

use super::refusals::*;

/// The OpenID Connect scopes: they ask for an id token or a refresh token, not for a resource.
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

/// Microsoft Graph, the resource of unqualified scopes (`User.Read`) and of OIDC-only requests.
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";

/// What a `scope` parameter asks for: one resource, the permissions on it, and the OIDC extras.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedScope {
    /// The resource (the token's `aud`): the scope minus its last `/name`, kept as the client wrote it,
    /// so az's `https://management.core.windows.net//.default` names `https://management.core.windows.net/`.
    pub resource: String,
    /// The permission names on the resource (`.default`, `user_impersonation`, `User.Read`…).
    pub permissions: Vec<String>,
    pub openid: bool,
    pub offline_access: bool,
    /// `profile` and `email`: what Graph's userinfo may tell the client.
    pub profile: bool,
    pub email: bool,
    /// The requested resource scopes as written, for the response's `scope`.
    pub resource_scopes: Vec<String>,
}

impl RequestedScope {
    /// `.default` (or nothing but OIDC scopes): every permission the client has on the resource.
    pub fn is_default(&self) -> bool {
        self.permissions.is_empty() || self.permissions.iter().any(|p| p == ".default")
    }
    /// The `scp` of a user token: the permissions asked for, or `user_impersonation` for `.default`. A
    /// token for Microsoft Graph also carries the OpenID Connect scopes granted with it (`openid`,
    /// `profile`, `email`), as Entra's do: Graph's userinfo endpoint answers by them.
    pub fn delegated_scp(&self) -> String {
        let mut scp = if self.is_default() {
            "user_impersonation".to_string()
        } else {
            self.permissions.join(" ")
        };
        if is_graph(&self.resource) {
            for (granted, name) in [
                (self.openid, "openid"),
                (self.profile, "profile"),
                (self.email, "email"),
            ] {
                if granted {
                    scp.push(' ');
                    scp.push_str(name);
                }
            }
        }
        scp
    }
}

/// Whether a resource, as a client wrote it, is Microsoft Graph.
pub fn is_graph(resource: &str) -> bool {
    resource
        .trim_end_matches('/')
        .eq_ignore_ascii_case(GRAPH_RESOURCE)
}

/// Parses a space-separated `scope`. All resource scopes must name one resource (Entra refuses
/// several); a request of OIDC scopes alone is for Microsoft Graph.
pub fn parse_scope(scope: &str) -> Result<RequestedScope, SignInError> {
    let mut out = RequestedScope {
        resource: String::new(),
        permissions: vec![],
        openid: false,
        offline_access: false,
        profile: false,
        email: false,
        resource_scopes: vec![],
    };
    let mut any = false;
    for s in scope.split_ascii_whitespace() {
        any = true;
        match s.to_ascii_lowercase().as_str() {
            "openid" => out.openid = true,
            "offline_access" => out.offline_access = true,
            "profile" => out.profile = true,
            "email" => out.email = true,
            _ => add_resource_scope(&mut out, s)?,
        }
    }
    if !any {
        return Err(missing_parameter("scope"));
    }
    if out.resource.is_empty() {
        out.resource = GRAPH_RESOURCE.into();
    }
    Ok(out)
}

fn add_resource_scope(out: &mut RequestedScope, s: &str) -> Result<(), SignInError> {
    // `https://host/path/name` → resource `https://host/path`, permission `name`; a bare name is Graph's.
    let (resource, name) = match s.rsplit_once('/') {
        Some((r, n)) if !r.is_empty() && !n.is_empty() && r != "https:/" && r != "http:/" => (r, n),
        Some(_) => return Err(invalid_scope(s)),
        None => (GRAPH_RESOURCE, s),
    };
    if out.resource.is_empty() {
        out.resource = resource.to_string();
    } else if out.resource != resource {
        let first = out.resource_scopes.first().cloned().unwrap_or_default();
        return Err(scopes_for_several_resources(&first, s));
    }
    out.permissions.push(name.to_string());
    out.resource_scopes.push(s.to_string());
    Ok(())
}

/// The scope of a v1 request (`resource=`): the resource's `.default`.
pub fn scope_for_resource(resource: &str) -> String {
    format!("{resource}/.default")
}

/// The scope of a v1 request made for a user (`resource=` at the token, authorize or device code
/// endpoint): the resource's `.default`, and an id token and a refresh token, which v1 always gave.
pub fn user_scope_for_resource(resource: &str) -> String {
    format!("{} openid offline_access", scope_for_resource(resource))
}

/// Client credentials carry the application's own permissions only: `<resource>/.default`.
pub fn check_app_scope(scope: &RequestedScope) -> Result<(), SignInError> {
    if scope.resource_scopes.is_empty() || !scope.permissions.iter().all(|p| p == ".default") {
        return Err(app_scope_not_default());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_keep_the_clients_spelling() {
        let s = parse_scope(
            "https://management.core.windows.net//.default offline_access openid profile",
        )
        .unwrap();
        assert_eq!(s.resource, "https://management.core.windows.net/");
        assert!(s.openid && s.offline_access && s.is_default());
        assert_eq!(
            s.resource_scopes,
            ["https://management.core.windows.net//.default"]
        );
        let s = parse_scope("https://management.azure.com/.default").unwrap();
        assert_eq!(s.resource, "https://management.azure.com");
        assert_eq!(s.delegated_scp(), "user_impersonation");
        let s = parse_scope("User.Read openid").unwrap();
        assert_eq!(s.resource, GRAPH_RESOURCE);
        assert_eq!(s.delegated_scp(), "User.Read openid");
        let s = parse_scope("openid profile email").unwrap();
        assert_eq!(s.delegated_scp(), "user_impersonation openid profile email");
        let s = parse_scope("https://management.azure.com/.default openid email").unwrap();
        assert_eq!(
            s.delegated_scp(),
            "user_impersonation",
            "only Graph's tokens name them"
        );
        assert_eq!(
            parse_scope("openid profile").unwrap().resource,
            GRAPH_RESOURCE
        );
        assert_eq!(
            parse_scope("  ").unwrap_err().code,
            EntraCode::MissingParameter
        );
        assert_eq!(
            parse_scope("https://a.example/.default https://b.example/.default")
                .unwrap_err()
                .code,
            EntraCode::InvalidScope
        );
        let v1 = scope_for_resource("https://management.core.windows.net/");
        assert_eq!(
            parse_scope(&v1).unwrap().resource,
            "https://management.core.windows.net/"
        );
    }
}
