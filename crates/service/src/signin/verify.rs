//! Verifying the access tokens ARM and Graph receive: our signature (by `kid`, against the published
//! keys), our issuer, the service's clock (so tests can move it), the audience of the face that was
//! called, and a principal that still exists, is enabled and is present in the token's tenant.

use super::SignIn;
use super::claims::{AccessClaims, access_issuer};
use jsonwebtoken::{Algorithm, Validation};
use tenantry_domain::Actor;
use tenantry_domain::signin::{GRAPH_RESOURCE, TokenPrincipal, token_actor};

/// Clock skew allowed on `exp` and `nbf`, as ARM allows it.
pub const CLOCK_SKEW: i64 = 300;

/// Which face a token is presented to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Azure Resource Manager: the SDKs' `https://management.azure.com`, az's
    /// `https://management.core.windows.net/`, and the server's own base URL.
    Arm,
    /// Microsoft Graph: `https://graph.microsoft.com`, its app id, and the server's base URL (az uses the
    /// cloud's `microsoftGraphResourceId`, which is `{base}/`).
    Graph,
}

/// Graph's well-known application id, also a valid audience for it.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

impl Audience {
    pub fn accepts(&self, aud: &str, base: &str) -> bool {
        let aud = aud.strip_suffix('/').unwrap_or(aud);
        let own = aud.eq_ignore_ascii_case(base.trim_end_matches('/'));
        own || match self {
            Audience::Arm => [
                "https://management.azure.com",
                "https://management.core.windows.net",
            ]
            .iter()
            .any(|a| aud.eq_ignore_ascii_case(a)),
            Audience::Graph => {
                aud.eq_ignore_ascii_case(GRAPH_RESOURCE) || aud.eq_ignore_ascii_case(GRAPH_APP_ID)
            }
        }
    }
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Not a token we issued, or tampered with: bad shape, signature, key, issuer or version.
    Invalid(String),
    /// Our token, for another resource.
    Audience(String),
    Expired {
        exp: i64,
    },
    /// Our valid token, but its principal is gone, disabled or no longer present in its tenant.
    PrincipalGone,
    /// The keys could not be read (database down): not the caller's fault.
    Unavailable(String),
}

/// A verified token and who it speaks for now.
#[derive(Debug, Clone)]
pub struct Verified {
    pub claims: AccessClaims,
    pub actor: Actor,
}

impl SignIn {
    /// Verifies a bearer token presented to `audience`.
    pub async fn verify_access_token(
        &self,
        token: &str,
        audience: Audience,
    ) -> Result<Verified, Rejection> {
        let claims = self.verify_signature(token).await?;
        let now = self.service().now();
        check_times(&claims, now)?;
        if claims.iss != access_issuer(self.base_url(), parse_uuid(&claims.tid)?)
            || claims.ver != "1.0"
        {
            return Err(Rejection::Invalid(
                "the token was not issued by this server".into(),
            ));
        }
        if !audience.accepts(&claims.aud, self.base_url()) {
            return Err(Rejection::Audience(claims.aud));
        }
        let principal = principal_of(&claims)?;
        let actor = self
            .service()
            .read(|w| token_actor(w, principal))
            .ok_or(Rejection::PrincipalGone)?;
        Ok(Verified { claims, actor })
    }

    /// The claims of a token signed by one of our published keys (times and audience not yet checked).
    async fn verify_signature(&self, token: &str) -> Result<AccessClaims, Rejection> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| Rejection::Invalid("the token is not a JWT".into()))?;
        if header.alg != Algorithm::RS256 {
            return Err(Rejection::Invalid(
                "the token's algorithm is not RS256".into(),
            ));
        }
        let kid = header
            .kid
            .ok_or_else(|| Rejection::Invalid("the token has no key id".into()))?;
        let key = self
            .keys()
            .verifier(self.service().store(), self.service().now(), &kid)
            .await
            .map_err(|e| Rejection::Unavailable(e.to_string()))?
            .ok_or_else(|| Rejection::Invalid("the token was signed with an unknown key".into()))?;
        // Times are checked against the service's clock below, not jsonwebtoken's wall clock.
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_exp = false;
        v.validate_nbf = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        jsonwebtoken::decode::<AccessClaims>(token, &key, &v)
            .map(|d| d.claims)
            .map_err(|e| Rejection::Invalid(format!("the token is not valid: {e}")))
    }
}

fn check_times(claims: &AccessClaims, now: i64) -> Result<(), Rejection> {
    if now > claims.exp + CLOCK_SKEW {
        return Err(Rejection::Expired { exp: claims.exp });
    }
    if claims.nbf > now + CLOCK_SKEW {
        return Err(Rejection::Invalid("the token is not valid yet".into()));
    }
    Ok(())
}

fn parse_uuid(s: &str) -> Result<uuid::Uuid, Rejection> {
    s.parse()
        .map_err(|_| Rejection::Invalid("the token's identifiers are not GUIDs".into()))
}

fn principal_of(claims: &AccessClaims) -> Result<TokenPrincipal, Rejection> {
    let tenant = parse_uuid(&claims.tid)?;
    let object = parse_uuid(&claims.oid)?;
    Ok(if claims.is_app() {
        TokenPrincipal::App {
            tenant,
            object,
            client_id: parse_uuid(&claims.appid)?,
        }
    } else {
        TokenPrincipal::User { tenant, object }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences() {
        let base = "https://127.0.0.1:8443";
        for a in [
            "https://management.azure.com",
            "https://management.azure.com/",
            "https://management.core.windows.net/",
            "https://127.0.0.1:8443",
            "https://127.0.0.1:8443/",
        ] {
            assert!(Audience::Arm.accepts(a, base), "{a}");
        }
        assert!(!Audience::Arm.accepts("https://graph.microsoft.com", base));
        for a in [
            "https://graph.microsoft.com",
            "https://graph.microsoft.com/",
            "https://127.0.0.1:8443/",
        ] {
            assert!(Audience::Graph.accepts(a, base), "{a}");
        }
        assert!(!Audience::Graph.accepts("https://management.azure.com", base));
        assert!(!Audience::Graph.accepts("https://127.0.0.1:9443/", base));
    }
}
