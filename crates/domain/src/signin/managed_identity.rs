//! The managed-identity token endpoints' rules: which resource an endpoint secret speaks for, which of
//! its identities a request names, and each refusal (the server words it as the App Service or the
//! IMDS form answers it).

use crate::model::{Application, Resource};
use crate::world::World;

/// How a request names one of its resource's identities (none: the system-assigned one, or the only
/// user-assigned one). App Service calls the resource id `mi_res_id`, IMDS `msi_res_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySelector {
    ClientId(String),
    ObjectId(String),
    ResourceId(String),
}

impl IdentitySelector {
    fn matches(&self, a: &Application) -> bool {
        match self {
            IdentitySelector::ClientId(c) => {
                c.trim().eq_ignore_ascii_case(&a.client_id.to_string())
            }
            IdentitySelector::ObjectId(o) => o.trim().eq_ignore_ascii_case(&a.id.to_string()),
            IdentitySelector::ResourceId(r) => a
                .managed_identity
                .as_ref()
                .is_some_and(|m| m.resource.as_str().eq_ignore_ascii_case(r.trim())),
        }
    }
}

/// Why a managed-identity token request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityEndpointRefusal {
    /// No secret, or one tenantry did not issue (or revoked): says nothing of what exists.
    UnknownSecret,
    /// IMDS requires `Metadata: true` (a guard against request forgery).
    MissingMetadataHeader,
    MissingParameter(&'static str),
    /// The resource has no identity (any more).
    NoIdentity,
    /// Several user-assigned identities and no selector.
    SeveralIdentities,
    /// The selector names no identity of the resource.
    IdentityNotFound,
}

impl IdentityEndpointRefusal {
    /// What went wrong, as the endpoints word it.
    pub fn reason(&self) -> String {
        match self {
            IdentityEndpointRefusal::UnknownSecret => "Unknown source.".into(),
            IdentityEndpointRefusal::MissingMetadataHeader => {
                "Required metadata header not specified".into()
            }
            IdentityEndpointRefusal::MissingParameter(p) => {
                format!("Required query parameter {p} was not specified.")
            }
            IdentityEndpointRefusal::NoIdentity => {
                "No managed identity is assigned to this resource.".into()
            }
            IdentityEndpointRefusal::SeveralIdentities => {
                "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request".into()
            }
            IdentityEndpointRefusal::IdentityNotFound => "Identity not found".into(),
        }
    }

    /// What to do about it.
    pub fn remedy(&self) -> &'static str {
        match self {
            IdentityEndpointRefusal::UnknownSecret => {
                "Export the variables `tenantry identity env <resource-id>` prints, and use them as given."
            }
            IdentityEndpointRefusal::MissingMetadataHeader => "Send the header `Metadata: true`.",
            IdentityEndpointRefusal::MissingParameter(_) => {
                "Send `resource` (the App ID URI the token is for) and `api-version`."
            }
            IdentityEndpointRefusal::NoIdentity => {
                "Give the resource a system-assigned or user-assigned identity (its `identity` block)."
            }
            IdentityEndpointRefusal::SeveralIdentities => {
                "Name the identity by client_id, object_id or its resource id (mi_res_id or msi_res_id)."
            }
            IdentityEndpointRefusal::IdentityNotFound => {
                "Name one of the identities assigned to this resource."
            }
        }
    }
}

/// The resource one of whose endpoint secrets `matches` accepts (the caller compares hashes in
/// constant time; the loop visits every secret, so its time does not say which one matched).
pub fn endpoint_secret_resource(
    world: &World,
    matches: impl Fn(&str) -> bool,
) -> Option<&Resource> {
    let mut found = None;
    for part in world.subscriptions() {
        for r in part.resources.values() {
            let Some(identity) = &r.identity else {
                continue;
            };
            for s in &identity.endpoint_secrets {
                if matches(&s.hash) && found.is_none() {
                    found = Some(r);
                }
            }
        }
    }
    found
}

/// The identity of `resource` a request names: with no selector, the system-assigned one, or else the
/// only user-assigned one (as Azure chooses).
pub fn select_identity<'w>(
    world: &'w World,
    resource: &Resource,
    selector: Option<&IdentitySelector>,
) -> Result<&'w Application, IdentityEndpointRefusal> {
    let identity = resource
        .identity
        .as_ref()
        .ok_or(IdentityEndpointRefusal::NoIdentity)?;
    let system = identity
        .system_assigned
        .then(|| world.managed_identity(&resource.scope))
        .flatten();
    let users: Vec<&Application> = identity
        .user_assigned
        .iter()
        .filter_map(|s| world.managed_identity(s))
        .collect();
    match selector {
        Some(sel) => system
            .into_iter()
            .chain(users)
            .find(|a| sel.matches(a))
            .ok_or(IdentityEndpointRefusal::IdentityNotFound),
        None => match (system, users.as_slice()) {
            (Some(a), _) => Ok(a),
            (None, [only]) => Ok(only),
            (None, []) => Err(IdentityEndpointRefusal::NoIdentity),
            (None, _) => Err(IdentityEndpointRefusal::SeveralIdentities),
        },
    }
}
