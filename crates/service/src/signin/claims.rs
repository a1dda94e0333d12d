//! The claims of the tokens tenantry issues, in Entra's shapes: access tokens in the v1 shape (what ARM
//! and Graph tokens look like, `ver` "1.0"), id tokens in the v2 shape, and MSAL's `client_info`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tenantry_domain::signin::{ACCESS_TOKEN_LIFETIME, GroupsClaim, Subject};

/// An access token's claims (Entra v1 shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// The client that asked (v1 `appid`, v2 `azp`).
    pub appid: String,
    /// `0` public client, `1` client secret.
    pub appidacr: String,
    pub azp: String,
    /// Where a guest or a personal account comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp: Option<String>,
    /// `app` or `user`.
    pub idtyp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub oid: String,
    /// Delegated permissions (users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    /// Application permissions (apps): the directory roles its service principal holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    pub sub: String,
    pub tid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// A unique id of this token.
    pub uti: String,
    pub ver: String,
    /// Directory role template ids of the caller in `tid`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wids: Vec<String>,
    /// The groups, when the application the token is for asks for them.
    #[serde(flatten)]
    pub groups: GroupClaims,
    /// A managed identity's token: the identity's resource id (Entra's `xms_mirid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xms_mirid: Option<String>,
}

/// Entra's `groups` claim, or its overage: `_claim_names` `{"groups": "src1"}` and `_claim_sources`
/// `{"src1": {"endpoint": <Graph's getMemberObjects for the principal>}}`. All absent when the
/// application does not ask for groups or the principal is in none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    #[serde(
        rename = "_claim_names",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub claim_names: Option<BTreeMap<String, String>>,
    #[serde(
        rename = "_claim_sources",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub claim_sources: Option<BTreeMap<String, ClaimSource>>,
}

/// Where a distributed claim's values are (`_claim_sources`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimSource {
    pub endpoint: String,
}

/// The one claim source Entra names for the groups overage.
const GROUPS_SOURCE: &str = "src1";

impl GroupClaims {
    /// The claims for `claim`; on overage they point to `member_objects`, the URL of Graph's
    /// `getMemberObjects` for the principal.
    pub fn new(claim: Option<GroupsClaim>, member_objects: impl FnOnce() -> String) -> Self {
        match claim {
            None => Self::default(),
            Some(GroupsClaim::Groups(ids)) => Self {
                groups: Some(ids.iter().map(ToString::to_string).collect()),
                ..Self::default()
            },
            Some(GroupsClaim::Overage) => Self {
                groups: None,
                claim_names: Some(BTreeMap::from([(
                    "groups".to_string(),
                    GROUPS_SOURCE.to_string(),
                )])),
                claim_sources: Some(BTreeMap::from([(
                    GROUPS_SOURCE.to_string(),
                    ClaimSource {
                        endpoint: member_objects(),
                    },
                )])),
            },
        }
    }
}

/// Graph's `getMemberObjects` for a user or a service principal of this server: where an overage
/// claim sends its reader (tenantry's own Graph, at the same origin).
pub fn member_objects_url(base: &str, kind: &str, object: uuid::Uuid) -> String {
    format!("{base}/v1.0/{kind}/{object}/getMemberObjects")
}

impl AccessClaims {
    pub fn is_app(&self) -> bool {
        self.idtyp == "app"
    }
}

/// An id token's claims (v2 shape): what MSAL, azure-identity and az read (contract §3.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdClaims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub oid: String,
    pub preferred_username: String,
    pub sub: String,
    pub tid: String,
    pub ver: String,
    /// Directory role template ids, when the client asks for groups (Entra's "security groups and
    /// Microsoft Entra roles").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wids: Vec<String>,
    /// The groups, when the client asks for them.
    #[serde(flatten)]
    pub groups: GroupClaims,
}

/// The times of a token issued at `now`.
#[derive(Debug, Clone, Copy)]
pub struct Lifetime {
    pub iat: i64,
    pub exp: i64,
}

impl Lifetime {
    pub fn starting(now: i64) -> Self {
        Self {
            iat: now,
            exp: now + ACCESS_TOKEN_LIFETIME,
        }
    }
}

/// `{base}/{tid}/`: the access tokens' issuer (the contract's recommendation, so tokens of another
/// server are told apart by their issuer as well as by their keys).
pub fn access_issuer(base: &str, tid: uuid::Uuid) -> String {
    format!("{base}/{tid}/")
}

/// `{base}/{tid}/v2.0`: the id tokens' issuer and the discovery document's.
pub fn id_issuer(base: &str, tid: uuid::Uuid) -> String {
    format!("{base}/{tid}/v2.0")
}

/// Entra's `sub` is pairwise: stable for one principal and one client, different across clients.
pub fn pairwise_sub(object: uuid::Uuid, client_id: &str) -> String {
    crate::crypto::sha256_b64url(&format!("{object}:{}", client_id.to_ascii_lowercase()))
}

/// `client_info`: base64url of `{"uid","utid"}`, the identity's home object and tenant. MSAL keys its
/// account on `uid.utid`, so it is the same whichever tenant the token is for.
pub fn client_info(subject: &Subject) -> String {
    let json = serde_json::json!({
        "uid": subject.home_object.to_string(),
        "utid": subject.home_tenant.to_string(),
    });
    URL_SAFE_NO_PAD.encode(json.to_string())
}

/// What a user granted a client: the delegated permissions, and how the client proved itself.
pub struct Delegation<'a> {
    pub client_id: &'a str,
    /// How the client proved itself: `0` public, `1` a secret, `2` a certificate (Entra's `appidacr`).
    pub appidacr: &'static str,
    pub scp: String,
    /// The user's directory role template ids in the token's tenant.
    pub wids: Vec<String>,
    /// The user's groups, as the application the token is for asks.
    pub groups: GroupClaims,
}

/// A user's access token for `resource`.
pub fn user_access(
    base: &str,
    subject: &Subject,
    resource: &str,
    d: Delegation<'_>,
    at: Lifetime,
) -> AccessClaims {
    let client_id = d.client_id;
    AccessClaims {
        aud: resource.to_string(),
        iss: access_issuer(base, subject.tenant),
        iat: at.iat,
        nbf: at.iat,
        exp: at.exp,
        acr: Some("1".into()),
        amr: vec!["pwd".into()],
        appid: client_id.to_string(),
        appidacr: d.appidacr.into(),
        azp: client_id.to_string(),
        idp: subject.idp.clone(),
        idtyp: "user".into(),
        name: Some(subject.display_name.clone()),
        oid: subject.object.to_string(),
        scp: Some(d.scp),
        roles: None,
        sub: pairwise_sub(subject.object, client_id),
        tid: subject.tenant.to_string(),
        unique_name: Some(subject.username.clone()),
        upn: Some(subject.username.clone()),
        uti: crate::crypto::random_token(16),
        ver: "1.0".into(),
        wids: d.wids,
        groups: d.groups,
        xms_mirid: None,
    }
}

/// An application's access token for `resource` (client credentials).
pub struct AppSubject<'a> {
    pub tenant: uuid::Uuid,
    pub object: uuid::Uuid,
    pub client_id: uuid::Uuid,
    pub roles: Vec<String>,
    pub wids: Vec<String>,
    /// The service principal's groups, as the application the token is for asks.
    pub groups: GroupClaims,
    pub display_name: &'a str,
    /// How it proved itself: `1` a client secret, `2` a certificate (Entra's `appidacr`).
    pub appidacr: &'static str,
}

pub fn app_access(base: &str, app: AppSubject<'_>, resource: &str, at: Lifetime) -> AccessClaims {
    let client_id = app.client_id.to_string();
    AccessClaims {
        aud: resource.to_string(),
        iss: access_issuer(base, app.tenant),
        iat: at.iat,
        nbf: at.iat,
        exp: at.exp,
        acr: None,
        amr: vec![],
        appid: client_id.clone(),
        appidacr: app.appidacr.into(),
        azp: client_id,
        idp: Some(access_issuer("https://sts.windows.net", app.tenant)),
        idtyp: "app".into(),
        name: Some(app.display_name.to_string()),
        oid: app.object.to_string(),
        scp: None,
        roles: Some(app.roles),
        // Entra's app tokens carry the service principal's object id as `sub`.
        sub: app.object.to_string(),
        tid: app.tenant.to_string(),
        unique_name: None,
        upn: None,
        uti: crate::crypto::random_token(16),
        ver: "1.0".into(),
        wids: app.wids,
        groups: app.groups,
        xms_mirid: None,
    }
}

/// What an id token says of the user's groups and directory roles, as its client asks.
#[derive(Debug, Clone, Default)]
pub struct IdMemberships {
    pub wids: Vec<String>,
    pub groups: GroupClaims,
}

/// The id token for a user and a client.
pub fn id_token(
    base: &str,
    subject: &Subject,
    client_id: &str,
    nonce: Option<String>,
    memberships: IdMemberships,
    at: Lifetime,
) -> IdClaims {
    IdClaims {
        aud: client_id.to_string(),
        iss: id_issuer(base, subject.tenant),
        iat: at.iat,
        nbf: at.iat,
        exp: at.exp,
        idp: subject.idp.clone(),
        name: subject.display_name.clone(),
        nonce,
        oid: subject.object.to_string(),
        preferred_username: subject.username.clone(),
        sub: pairwise_sub(subject.object, client_id),
        tid: subject.tenant.to_string(),
        ver: "2.0".into(),
        wids: memberships.wids,
        groups: memberships.groups,
    }
}
