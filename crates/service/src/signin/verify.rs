//! Verifying the access tokens ARM and Graph receive: our signature (by `kid`, against the published
//! keys), our issuer, the service's clock (so tests can move it), the audience of the face that was
//! called, and a principal that still exists, is enabled and is present in the token's tenant.
//!
//! A token's RS256 signature is checked once: its claims are then kept under the SHA-256 of the whole
//! token ([`VerifiedTokens`], as Envoy's `jwt_authn` keeps verified tokens), so a client presenting the
//! same token again costs a hash and a lookup instead of an RSA verification and a JSON parse. Nothing
//! else is skipped on a hit: the signing key must still be published, and times, issuer, audience and
//! principal are checked on every request, so an expired token, a retired key or a disabled account is
//! refused at once.

use super::SignIn;
use super::claims::{AccessClaims, access_issuer};
use jsonwebtoken::{Algorithm, Validation};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
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
    pub claims: Arc<AccessClaims>,
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
            return Err(Rejection::Audience(claims.aud.clone()));
        }
        let principal = principal_of(&claims)?;
        let actor = self
            .service()
            .read(|w| token_actor(w, principal))
            .ok_or(Rejection::PrincipalGone)?;
        Ok(Verified { claims, actor })
    }

    /// The claims of a token signed by one of our published keys (times and audience not yet checked):
    /// from the cache of verified tokens when this token was verified before and its key is still
    /// published, else by verifying its signature (and then remembered).
    async fn verify_signature(&self, token: &str) -> Result<Arc<AccessClaims>, Rejection> {
        let digest = token_digest(token);
        if let Some(hit) = self.verified_tokens().get(&digest) {
            return match self.published_key(&hit.kid).await? {
                Some(_) => Ok(hit.claims.clone()),
                None => Err(unknown_key()),
            };
        }
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
        let key = self.published_key(&kid).await?.ok_or_else(unknown_key)?;
        // Times are checked against the service's clock by the caller, not jsonwebtoken's wall clock.
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_exp = false;
        v.validate_nbf = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &v)
            .map(|d| Arc::new(d.claims))
            .map_err(|e| Rejection::Invalid(format!("the token is not valid: {e}")))?;
        self.verified_tokens().insert(
            digest,
            VerifiedToken {
                kid,
                claims: claims.clone(),
            },
            self.service().now(),
        );
        Ok(claims)
    }

    async fn published_key(
        &self,
        kid: &str,
    ) -> Result<Option<Arc<jsonwebtoken::DecodingKey>>, Rejection> {
        self.keys()
            .verifier(self.service().store(), self.service().now(), kid)
            .await
            .map_err(|e| Rejection::Unavailable(e.to_string()))
    }
}

fn unknown_key() -> Rejection {
    Rejection::Invalid("the token was signed with an unknown key".into())
}

fn token_digest(token: &str) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// A token whose signature was verified: the key that signed it and its claims.
pub(super) struct VerifiedToken {
    kid: String,
    claims: Arc<AccessClaims>,
}

/// Tokens whose signature was verified, by the SHA-256 of the whole token (a second token with the same
/// digest cannot be made, so a hit is the very token verified). Bounded: when full, the expired ones go,
/// and if that is not enough, all of them (they are verified again on their next use).
pub(super) struct VerifiedTokens {
    map: RwLock<HashMap<[u8; 32], Arc<VerifiedToken>>>,
    capacity: usize,
}

/// At most some tens of MB (a token's claims take well under a kilobyte).
const VERIFIED_TOKENS: usize = 50_000;

impl Default for VerifiedTokens {
    fn default() -> Self {
        Self {
            map: RwLock::default(),
            capacity: VERIFIED_TOKENS,
        }
    }
}

impl VerifiedTokens {
    fn get(&self, digest: &[u8; 32]) -> Option<Arc<VerifiedToken>> {
        self.map.read().ok()?.get(digest).cloned()
    }

    fn insert(&self, digest: [u8; 32], token: VerifiedToken, now: i64) {
        let Ok(mut map) = self.map.write() else {
            return;
        };
        if map.len() >= self.capacity {
            map.retain(|_, t| t.claims.exp.saturating_add(CLOCK_SKEW) >= now);
            if map.len() >= self.capacity {
                map.clear();
            }
        }
        map.insert(digest, Arc::new(token));
    }
}

fn check_times(claims: &AccessClaims, now: i64) -> Result<(), Rejection> {
    // Saturating: the claims are ours, but a time at the end of i64 must not panic the check.
    if now > claims.exp.saturating_add(CLOCK_SKEW) {
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

    fn claims(exp: i64) -> Arc<AccessClaims> {
        Arc::new(AccessClaims {
            aud: "a".into(),
            iss: "i".into(),
            iat: 0,
            nbf: 0,
            exp,
            acr: None,
            amr: vec![],
            appid: String::new(),
            appidacr: String::new(),
            azp: String::new(),
            idp: None,
            idtyp: "app".into(),
            name: None,
            oid: String::new(),
            scp: None,
            roles: None,
            sub: String::new(),
            tid: String::new(),
            unique_name: None,
            upn: None,
            uti: String::new(),
            ver: "1.0".into(),
            wids: vec![],
            groups: Default::default(),
            xms_mirid: None,
        })
    }

    #[test]
    fn verified_tokens_stay_bounded_dropping_expired_ones_first() {
        let cache = VerifiedTokens {
            map: RwLock::default(),
            capacity: 3,
        };
        let put = |n: u8, exp: i64, now: i64| {
            let t = VerifiedToken {
                kid: "k".into(),
                claims: claims(exp),
            };
            cache.insert([n; 32], t, now);
        };
        put(1, 100, 0);
        put(2, 10_000, 0);
        put(3, 10_000, 0);
        assert!(cache.get(&[1; 32]).is_some());
        // Full: the one expired (past its skew) goes, the live ones stay.
        put(4, 10_000, 100 + CLOCK_SKEW + 1);
        assert!(cache.get(&[1; 32]).is_none());
        assert!(cache.get(&[2; 32]).is_some() && cache.get(&[4; 32]).is_some());
        // Full of live tokens: all go, and are verified again on their next use.
        put(5, 10_000, 500);
        assert!(cache.get(&[2; 32]).is_none());
        assert_eq!(cache.get(&[5; 32]).map(|t| t.claims.exp), Some(10_000));
        assert_eq!(token_digest("a.b.c"), token_digest("a.b.c"));
        assert_ne!(token_digest("a.b.c"), token_digest("a.b.d"));
    }

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
