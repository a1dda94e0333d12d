//! Client assertions (RFC 7523, Entra's certificate credentials): a confidential client proves itself
//! with a JWT it signed with the private key of a certificate on its application, instead of a secret.
//! What the header and the claims must say is decided here; the signature is checked by the caller with
//! the certificate this module picks.
//!
//! As in Entra, the same assertion may be presented again by the same client while it is valid: msal
//! signs one and reuses it for several resources for up to ten minutes, so there is no replay cache.

use super::refusals::{EntraCode, SignInError, malformed_request};
use crate::certificates::ApplicationCertificate;
use crate::model::{Application, Timestamp};
use crate::timestamps::format_timestamp;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;

/// The one `client_assertion_type` there is (RFC 7523 §2.2).
pub const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Clocks of the client and the server may differ by this much (seconds), as Entra allows.
pub const ASSERTION_CLOCK_SKEW: i64 = 300;

/// An assertion may be valid for at most this long (`exp` − `nbf`, or − `iat`): Entra's guidance is
/// 5–10 minutes; a day-long bearer credential is refused.
pub const MAX_ASSERTION_LIFETIME: i64 = 3600;

/// The signature algorithms Entra accepts for certificate credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssertionAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (with `x5t`, as msal signed until 2024).
    Rs256,
    /// RSASSA-PSS with SHA-256 (with `x5t#S256`, what Entra's documentation asks for now).
    Ps256,
}

/// A client assertion read from its compact form, not yet verified.
#[derive(Debug)]
pub struct ClientAssertion<'a> {
    pub algorithm: AssertionAlgorithm,
    header: Header,
    pub claims: AssertionClaims,
    /// `header.payload`: what the signature is over.
    pub signed: &'a str,
    pub signature: Vec<u8>,
}

/// Which credential a client assertion presents: a certificate of the application (its header names
/// one by `x5t`, `x5t#S256` or `x5c`, as every client that signs with a certificate writes it, or it is
/// issued by the client itself, `iss` = the client id, as RFC 7523 has it), or a federated credential (a
/// token of an external issuer, whose header names its key by `kid` alone). An assertion that cannot be
/// read is taken as a certificate's, whose check says what is wrong with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssertionKind {
    Certificate,
    Federated,
}

pub fn assertion_kind(jwt: &str, client_id: uuid::Uuid) -> AssertionKind {
    #[derive(Deserialize)]
    struct Issuer {
        #[serde(default)]
        iss: Option<String>,
    }
    let mut parts = jwt.trim().split('.');
    let decode = |part: Option<&str>| {
        part.and_then(|p| URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok())
    };
    let header = decode(parts.next()).and_then(|h| serde_json::from_slice::<Header>(&h).ok());
    let issuer = decode(parts.next()).and_then(|p| serde_json::from_slice::<Issuer>(&p).ok());
    match (header, issuer) {
        (Some(h), Some(Issuer { iss: Some(iss) }))
            if h.x5t.is_none()
                && h.x5t_s256.is_none()
                && h.x5c.is_none()
                && !iss.eq_ignore_ascii_case(&client_id.to_string()) =>
        {
            AssertionKind::Federated
        }
        _ => AssertionKind::Certificate,
    }
}

#[derive(Debug, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    x5t: Option<String>,
    #[serde(default, rename = "x5t#S256")]
    x5t_s256: Option<String>,
    /// The certificate chain, leaf first, base64 (not url) DER; msal breaks its lines.
    #[serde(default)]
    x5c: Option<Vec<String>>,
}

/// The claims Entra checks.
#[derive(Debug, Deserialize)]
pub struct AssertionClaims {
    #[serde(default)]
    aud: Audience,
    #[serde(default)]
    pub iss: Option<String>,
    #[serde(default)]
    pub sub: Option<String>,
    /// NumericDates may have fractions (RFC 7519 §2): msal writes `time.time()` as it is.
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(default)]
    iat: Option<f64>,
}

/// The `aud` of Graph's proof of possession (`addKey`/`removeKey`): the Azure AD Graph application id,
/// as Entra's documentation asks (its newer pages name Microsoft Graph's, which Entra takes too).
pub const PROOF_AUDIENCES: [&str; 2] = [
    "00000002-0000-0000-c000-000000000000",
    "00000003-0000-0000-c000-000000000000",
];

/// A proof of possession may be valid for at most this long (`exp` − `nbf`): Entra's 10 minutes.
pub const MAX_PROOF_LIFETIME: i64 = 600;

impl AssertionClaims {
    /// What is wrong with these claims as Graph's proof of possession for the object `issuers` name
    /// (`iss`: the application object's id, or its service principal's), if anything: `aud` one of [`PROOF_AUDIENCES`], `nbf` and `exp` present, at
    /// most [`MAX_PROOF_LIFETIME`] apart, and `now` between them (with [`ASSERTION_CLOCK_SKEW`]).
    pub fn proof_problem(&self, issuers: &[String], now: Timestamp) -> Option<String> {
        let auds: Vec<&str> = match &self.aud {
            Audience::None => vec![],
            Audience::One(a) => vec![a.as_str()],
            Audience::Many(v) => v.iter().map(String::as_str).collect(),
        };
        if !auds.iter().any(|a| PROOF_AUDIENCES.contains(a)) {
            return Some(format!(
                "its aud must be '{}', not {auds:?}",
                PROOF_AUDIENCES[0]
            ));
        }
        if !self
            .iss
            .as_deref()
            .is_some_and(|i| issuers.iter().any(|o| i.eq_ignore_ascii_case(o)))
        {
            return Some(format!(
                "its iss must be the application's object id ({}), not {:?}",
                issuers.join(" or "),
                self.iss
            ));
        }
        let (Some(nbf), Some(exp)) = (Self::seconds(self.nbf), Self::seconds(self.exp)) else {
            return Some("it must have nbf and exp".into());
        };
        if exp - nbf > MAX_PROOF_LIFETIME {
            return Some(format!(
                "it is valid for {} seconds; at most {MAX_PROOF_LIFETIME} are allowed",
                exp - nbf
            ));
        }
        if now + ASSERTION_CLOCK_SKEW < nbf || now - ASSERTION_CLOCK_SKEW >= exp {
            return Some(format!(
                "it is valid from {} to {}, not now",
                format_timestamp(nbf),
                format_timestamp(exp)
            ));
        }
        None
    }

    fn seconds(v: Option<f64>) -> Option<Timestamp> {
        // Whole seconds; the fraction does not matter at this skew.
        v.filter(|v| v.is_finite()).map(|v| v.floor() as Timestamp)
    }
}

/// `aud`: one string or an array of them (RFC 7519 §4.1.3).
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum Audience {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl<'a> ClientAssertion<'a> {
    /// Reads the compact JWS: three base64url parts, a JSON header naming RS256 or PS256 and a
    /// certificate, JSON claims.
    pub fn parse(jwt: &'a str) -> Result<Self, SignInError> {
        let jwt = jwt.trim();
        let mut parts = jwt.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid_assertion(
                "The token is not a JWT: it must have three parts separated by dots.",
            ));
        };
        let decode = |part: &str, what: &str| {
            URL_SAFE_NO_PAD
                .decode(part.trim_end_matches('='))
                .map_err(|_| invalid_assertion(&format!("Its {what} is not base64url.")))
        };
        let header: Header = serde_json::from_slice(&decode(h, "header")?)
            .map_err(|_| invalid_assertion("Its header is not the JSON of a JWT header."))?;
        let claims: AssertionClaims = serde_json::from_slice(&decode(p, "payload")?)
            .map_err(|_| invalid_assertion("Its payload is not the JSON of JWT claims."))?;
        let algorithm = match header.alg.as_str() {
            "RS256" => AssertionAlgorithm::Rs256,
            "PS256" => AssertionAlgorithm::Ps256,
            other => {
                return Err(invalid_assertion(&format!(
                    "The algorithm '{other}' is not supported: sign it with RS256 or PS256."
                )));
            }
        };
        Ok(Self {
            algorithm,
            header,
            claims,
            signed: &jwt[..h.len() + 1 + p.len()],
            signature: decode(s, "signature")?,
        })
    }

    /// The certificate of `app` the header names: by `x5t` (SHA-1), `x5t#S256`, or the leaf of `x5c`.
    /// A certificate that is not (or no longer) on the application, or has expired, is refused as
    /// Entra refuses it (AADSTS700027), naming the thumbprint the client used.
    pub fn certificate<'c>(
        &self,
        app: &'c Application,
        now: Timestamp,
    ) -> Result<&'c ApplicationCertificate, SignInError> {
        let (x5t, s256) = (self.header.x5t.as_deref(), self.header.x5t_s256.as_deref());
        let leaf = self.leaf_certificate();
        let found = app.certificates.iter().find(|c| {
            c.matches(x5t, s256) || leaf.as_deref().is_some_and(|der| der == c.der.as_slice())
        });
        let used = x5t
            .map(|t| format!("x5t '{t}'"))
            .or_else(|| s256.map(|t| format!("x5t#S256 '{t}'")))
            .unwrap_or_else(|| "none (the header has no x5t, x5t#S256 or x5c)".into());
        let client_id = app.client_id;
        match found {
            None => Err(SignInError::new(
                EntraCode::InvalidAssertionSignature,
                format!(
                    "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: {used}.] Add the certificate to application '{client_id}' (its keyCredentials), or sign with one it has."
                ),
            )),
            Some(c) if !c.is_valid_at(now) => Err(SignInError::new(
                EntraCode::InvalidAssertionSignature,
                format!(
                    "Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '{}', valid from {} to {}.] Add a current certificate to application '{client_id}' and sign with it.",
                    c.thumbprint(),
                    format_timestamp(c.start),
                    format_timestamp(c.end)
                ),
            )),
            Some(c) => Ok(c),
        }
    }

    /// The leaf of `x5c`, DER: base64 with the line breaks msal puts in it.
    fn leaf_certificate(&self) -> Option<Vec<u8>> {
        let leaf = self.header.x5c.as_ref()?.first()?;
        let packed: String = leaf.split_whitespace().collect();
        STANDARD.decode(packed.as_bytes()).ok()
    }

    /// The claims Entra checks, in its order: `iss` and `sub` are the client id, `aud` the token
    /// endpoint (`is_token_endpoint` says whether a value is one of this tenant's), and the time range
    /// holds `now` within a small skew and is not too long.
    pub fn check_claims(
        &self,
        client_id: uuid::Uuid,
        is_token_endpoint: impl Fn(&str) -> bool,
        now: Timestamp,
    ) -> Result<(), SignInError> {
        let c = &self.claims;
        let names_client = |v: &Option<String>| {
            v.as_deref()
                .and_then(|v| v.trim().parse::<uuid::Uuid>().ok())
                .is_some_and(|v| v == client_id)
        };
        if !names_client(&c.iss) || !names_client(&c.sub) {
            return Err(SignInError::new(
                EntraCode::AssertionClientMismatch,
                format!(
                    "Client assertion application identifier doesn't match 'client_id' parameter. The assertion's iss and sub must both be the client id '{client_id}' (they are {:?} and {:?}).",
                    c.iss.as_deref().unwrap_or(""),
                    c.sub.as_deref().unwrap_or("")
                ),
            ));
        }
        let audiences: Vec<&str> = match &c.aud {
            Audience::None => vec![],
            Audience::One(a) => vec![a.as_str()],
            Audience::Many(v) => v.iter().map(String::as_str).collect(),
        };
        if !audiences.iter().any(|a| is_token_endpoint(a)) {
            return Err(SignInError::new(
                EntraCode::AssertionAudienceMismatch,
                format!(
                    "Client assertion audience claim does not match Realm issuer. The aud claim is {audiences:?}; it must be this tenant's token endpoint, the token_endpoint of its OpenID configuration."
                ),
            ));
        }
        let Some(exp) = AssertionClaims::seconds(c.exp) else {
            return Err(invalid_assertion(
                "The assertion has no exp claim: give it an expiry a few minutes ahead.",
            ));
        };
        let start = AssertionClaims::seconds(c.nbf)
            .or(AssertionClaims::seconds(c.iat))
            .unwrap_or(exp);
        let out_of_range = |why: &str| {
            SignInError::new(
                EntraCode::AssertionOutOfTime,
                format!(
                    "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. {why}",
                    format_timestamp(now),
                    format_timestamp(start),
                    format_timestamp(exp)
                ),
            )
        };
        if exp + ASSERTION_CLOCK_SKEW <= now {
            return Err(out_of_range(
                "It has expired: sign a new one (clients do so every few minutes).",
            ));
        }
        if start - ASSERTION_CLOCK_SKEW > now {
            return Err(out_of_range(
                "It is not valid yet: check the client's clock.",
            ));
        }
        if exp - start > MAX_ASSERTION_LIFETIME {
            return Err(out_of_range(&format!(
                "Its lifetime is longer than the {MAX_ASSERTION_LIFETIME} seconds allowed: give it an expiry 5 to 10 minutes after nbf."
            )));
        }
        Ok(())
    }
}

/// Whether `aud` is the token endpoint at `base` of a tenant segment: `{base}/{segment}/oauth2/v2.0/token`
/// or v1's `{base}/{segment}/oauth2/token` (a trailing slash and the scheme and host's case are forgiven).
/// Returns the segment, which the caller resolves to the application's tenant.
pub fn token_endpoint_segment<'a>(base: &str, aud: &'a str) -> Option<&'a str> {
    let base = base.trim_end_matches('/');
    let aud = aud.trim().trim_end_matches('/');
    let head = aud.get(..base.len())?;
    if !head.eq_ignore_ascii_case(base) {
        return None;
    }
    let rest = aud[base.len()..].strip_prefix('/')?;
    let (segment, path) = rest.split_once('/')?;
    let is_token_path =
        path.eq_ignore_ascii_case("oauth2/v2.0/token") || path.eq_ignore_ascii_case("oauth2/token");
    (is_token_path && !segment.is_empty()).then_some(segment)
}

/// The `client_assertion_type` must be the JWT bearer one.
pub fn check_assertion_type(assertion_type: &str) -> Result<(), SignInError> {
    if assertion_type == JWT_BEARER_ASSERTION {
        Ok(())
    } else {
        Err(malformed_request(&format!(
            "The client_assertion_type '{assertion_type}' is not supported: use '{JWT_BEARER_ASSERTION}'."
        )))
    }
}

fn invalid_assertion(why: &str) -> SignInError {
    SignInError::new(
        EntraCode::InvalidAssertion,
        format!("Invalid JWT token. The client assertion cannot be read. {why}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_named_in_the_header_or_the_client_issues_it_itself() {
        let client = uuid::Uuid::from_u128(7);
        let jwt = |header: serde_json::Value, claims: serde_json::Value| {
            format!(
                "{}.{}.c2ln",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            )
        };
        let external = serde_json::json!({"iss": "https://token.actions.githubusercontent.com"});
        let own = serde_json::json!({"iss": client.to_string().to_uppercase()});
        let kid = serde_json::json!({"alg": "RS256", "kid": "k1"});
        let x5t = serde_json::json!({"alg": "RS256", "x5t": "abc"});
        assert_eq!(
            assertion_kind(&jwt(kid.clone(), external.clone()), client),
            AssertionKind::Federated
        );
        assert_eq!(
            assertion_kind(&jwt(x5t, external), client),
            AssertionKind::Certificate
        );
        assert_eq!(
            assertion_kind(&jwt(kid, own), client),
            AssertionKind::Certificate
        );
        assert_eq!(
            assertion_kind("not-a-jwt", client),
            AssertionKind::Certificate
        );
    }

    #[test]
    fn token_endpoints_in_the_forms_clients_use() {
        fn seg(aud: &str) -> Option<&str> {
            token_endpoint_segment("https://login.example:8443", aud)
        }
        assert_eq!(
            seg("https://login.example:8443/contoso.onmicrosoft.com/oauth2/v2.0/token"),
            Some("contoso.onmicrosoft.com")
        );
        assert_eq!(
            seg("https://LOGIN.example:8443/t1/oauth2/token/"),
            Some("t1")
        );
        assert_eq!(
            seg("https://login.example:8443/t1/oauth2/v2.0/authorize"),
            None
        );
        assert_eq!(seg("https://login.example:8443//oauth2/token"), None);
        assert_eq!(seg("https://evil.example/t1/oauth2/token"), None);
        assert_eq!(seg("https://login.example:84430/t1/oauth2/token"), None);
    }

    #[test]
    fn malformed_assertions_say_what_is_wrong() {
        let e = ClientAssertion::parse("a.b").unwrap_err();
        assert_eq!(e.code, EntraCode::InvalidAssertion);
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let p = URL_SAFE_NO_PAD.encode(br#"{"aud":"x"}"#);
        let e = ClientAssertion::parse(&format!("{h}.{p}.c2ln")).unwrap_err();
        assert!(e.message.contains("'HS256' is not supported"), "{e}");
        assert!(
            check_assertion_type("urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
                .is_err()
        );
        assert!(check_assertion_type(JWT_BEARER_ASSERTION).is_ok());
    }

    #[test]
    fn times_with_fractions_as_msal_writes_them() {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","x5t":"abc="}"#);
        let id = uuid::Uuid::nil();
        let p = URL_SAFE_NO_PAD.encode(
            format!(r#"{{"aud":"https://h/t/oauth2/v2.0/token","iss":"{id}","sub":"{id}","exp":1600.5,"iat":1000.25}}"#)
                .as_bytes(),
        );
        let jwt = format!("{h}.{p}.c2ln");
        let a = ClientAssertion::parse(&jwt).unwrap();
        assert_eq!(a.signed, format!("{h}.{p}"));
        assert!(a.check_claims(id, |_| true, 1200).is_ok());
        let e = a
            .check_claims(id, |_| true, 1600 + ASSERTION_CLOCK_SKEW)
            .unwrap_err();
        assert_eq!(e.code, EntraCode::AssertionOutOfTime);
    }
}
