//! ARM paths are a grammar, not a fixed set of routes: `/subscriptions/{id}` followed by resource groups,
//! resources of any provider nested to any depth, and extension resources (`providers/Microsoft.
//! Authorization/…`) at any of those scopes. This parses one into what it names. Segment names compare
//! case-insensitively (the Azure CLI writes `resourcegroups`, the SDKs `resourceGroups`).

use crate::errors::ArmError;
use tenantry_domain::{RoleAssignmentId, RoleDefinitionId, Scope, SubscriptionId};

/// The `Microsoft.Authorization` collections tenantry serves at a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthzKind {
    RoleDefinitions,
    RoleAssignments,
    Permissions,
    ClassicAdministrators,
}

impl AuthzKind {
    fn parse(segment: &str) -> Option<Self> {
        [
            ("roleDefinitions", Self::RoleDefinitions),
            ("roleAssignments", Self::RoleAssignments),
            ("permissions", Self::Permissions),
            ("classicAdministrators", Self::ClassicAdministrators),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(segment))
        .map(|(_, kind)| kind)
    }
}

/// What a path under `/subscriptions/{id}` names.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Subscription,
    Locations,
    /// `providers` (None) or `providers/{namespace}`.
    Providers(Option<String>),
    /// `providers/{namespace}/register` (or `unregister`, `register: false`).
    ProviderRegistration {
        namespace: String,
        register: bool,
    },
    ResourceGroups,
    ResourceGroup(String),
    /// `resources` of the subscription (None) or of a group.
    Resources(Option<String>),
    OperationResult(String),
    Resource(Scope),
    /// `…/providers/{ns}/{type}[/{name}/{type}]…`: the resources of one type under a group or a resource.
    ResourceCollection {
        parent: Scope,
        resource_type: String,
    },
    /// `{scope}/providers/Microsoft.Authorization/{kind}[/{name}]`.
    Authorization {
        scope: Scope,
        kind: AuthzKind,
        name: Option<String>,
    },
    /// `{scope}/providers/Microsoft.Resources/tags/default`: the Tags API at a scope.
    Tags(Scope),
    /// `tagNames[/{name}[/tagValues/{value}]]` of the subscription.
    TagNames {
        name: Option<String>,
        value: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArmPath {
    pub subscription: SubscriptionId,
    pub target: Target,
}

/// Decodes `%XX` escapes (and `+` as a space in query strings). Invalid escapes are kept as written.
pub fn percent_decode(s: &str, plus_as_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_as_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The decoded, non-empty segments of a path.
pub fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode(s, false))
        .collect()
}

pub fn parse_subscription_id(s: &str) -> Result<SubscriptionId, ArmError> {
    s.parse().map_err(|_| {
        ArmError::bad_request(
            "InvalidSubscriptionId",
            format!("The provided subscription identifier '{s}' is malformed or invalid."),
        )
    })
}

pub fn parse_role_definition_id(s: &str) -> Result<RoleDefinitionId, ArmError> {
    s.parse().map_err(|_| {
        ArmError::bad_request(
            "InvalidRoleDefinitionId",
            format!(
                "The role definition ID '{s}' is not valid. The role definition ID must be a GUID."
            ),
        )
    })
}

pub fn parse_role_assignment_id(s: &str) -> Result<RoleAssignmentId, ArmError> {
    s.parse().map_err(|_| {
        ArmError::bad_request(
            "InvalidRoleAssignmentId",
            format!(
                "The role assignment ID '{s}' is not valid. The role assignment ID must be a GUID."
            ),
        )
    })
}

fn is(segment: &str, name: &str) -> bool {
    segment.eq_ignore_ascii_case(name)
}

/// Parses a path that starts with `/subscriptions/`.
pub fn parse(path: &str) -> Result<ArmPath, ArmError> {
    let segs = segments(path);
    if segs.len() < 2 || !is(&segs[0], "subscriptions") {
        return Err(unknown_path(path));
    }
    let subscription = parse_subscription_id(&segs[1])?;
    let rest = &segs[2..];
    let target = match authz_extension(rest) {
        Some((at, kind, name)) => Target::Authorization {
            scope: scope_of(subscription, &rest[..at])?,
            kind,
            name,
        },
        None => match tags_extension(rest) {
            Some(at) => Target::Tags(scope_of(subscription, &rest[..at])?),
            None => plain_target(subscription, rest, path)?,
        },
    };
    Ok(ArmPath {
        subscription,
        target,
    })
}

/// `providers/Microsoft.Authorization/{kind}[/{name}]` at the end of the path: where it starts.
fn authz_extension(rest: &[String]) -> Option<(usize, AuthzKind, Option<String>)> {
    [3usize, 4].into_iter().find_map(|tail| {
        let at = rest.len().checked_sub(tail)?;
        let t = &rest[at..];
        if !is(&t[0], "providers") || !is(&t[1], "Microsoft.Authorization") {
            return None;
        }
        let kind = AuthzKind::parse(&t[2])?;
        Some((at, kind, t.get(3).cloned()))
    })
}

/// `providers/Microsoft.Resources/tags/default` at the end of the path: where it starts.
fn tags_extension(rest: &[String]) -> Option<usize> {
    let at = rest.len().checked_sub(4)?;
    let t = &rest[at..];
    (is(&t[0], "providers")
        && is(&t[1], "Microsoft.Resources")
        && is(&t[2], "tags")
        && is(&t[3], "default"))
    .then_some(at)
}

/// The scope named by the segments after the subscription id.
fn scope_of(subscription: SubscriptionId, rest: &[String]) -> Result<Scope, ArmError> {
    let mut text = format!("/subscriptions/{subscription}");
    for s in rest {
        text.push('/');
        text.push_str(s);
    }
    Scope::parse(&text).map_err(ArmError::from)
}

fn plain_target(
    subscription: SubscriptionId,
    rest: &[String],
    path: &str,
) -> Result<Target, ArmError> {
    let r: Vec<&str> = rest.iter().map(String::as_str).collect();
    Ok(match r.as_slice() {
        [] => Target::Subscription,
        [l] if is(l, "locations") => Target::Locations,
        [p] if is(p, "providers") => Target::Providers(None),
        [p, ns] if is(p, "providers") => Target::Providers(Some(ns.to_string())),
        [p, ns, action]
            if is(p, "providers") && (is(action, "register") || is(action, "unregister")) =>
        {
            Target::ProviderRegistration {
                namespace: ns.to_string(),
                register: is(action, "register"),
            }
        }
        // A provider's resources of one type in the whole subscription (`az identity list`).
        [p, ns, ty] if is(p, "providers") => Target::ResourceCollection {
            parent: Scope::subscription(subscription),
            resource_type: format!("{ns}/{ty}"),
        },
        [t] if is(t, "tagNames") => Target::TagNames {
            name: None,
            value: None,
        },
        [t, name] if is(t, "tagNames") => Target::TagNames {
            name: Some(name.to_string()),
            value: None,
        },
        [t, name, v, value] if is(t, "tagNames") && is(v, "tagValues") => Target::TagNames {
            name: Some(name.to_string()),
            value: Some(value.to_string()),
        },
        [g] if is(g, "resourceGroups") => Target::ResourceGroups,
        [r] if is(r, "resources") => Target::Resources(None),
        [o, id] if is(o, "operationresults") => Target::OperationResult(id.to_string()),
        [g, name] if is(g, "resourceGroups") => Target::ResourceGroup(name.to_string()),
        [g, name, r] if is(g, "resourceGroups") && is(r, "resources") => {
            Target::Resources(Some(name.to_string()))
        }
        [g, _, p, _, _, ..] if is(g, "resourceGroups") && is(p, "providers") => {
            resource_target(subscription, rest)?
        }
        _ => return Err(unknown_path(path)),
    })
}

/// `resourceGroups/{g}/providers/{ns}/{type}/{name}…`: a resource when types and names pair up, the
/// collection of the last type otherwise.
fn resource_target(subscription: SubscriptionId, rest: &[String]) -> Result<Target, ArmError> {
    let after_ns = rest.len() - 4;
    if after_ns.is_multiple_of(2) {
        return Ok(Target::Resource(scope_of(subscription, rest)?));
    }
    let (parent_segs, last_type) = rest.split_at(rest.len() - 1);
    let namespace = &rest[3];
    // The parent is the group (`…/providers/{ns}/{type}`) or the resource the type nests in.
    let parent = if parent_segs.len() == 4 {
        scope_of(subscription, &rest[..2])?
    } else {
        scope_of(subscription, parent_segs)?
    };
    let mut resource_type = match parent.resource_type() {
        Some((ty, _)) => ty,
        None => namespace.clone(),
    };
    resource_type.push('/');
    resource_type.push_str(&last_type[0]);
    Ok(Target::ResourceCollection {
        parent,
        resource_type,
    })
}

pub fn unknown_path(path: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceType",
        format!("The resource type could not be found for the path '{path}'."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantry_domain::scope::ScopeLevel;

    const SUB: &str = "5b5c0000-0000-4000-8000-000000000001";

    fn target(p: &str) -> Target {
        parse(&format!("/subscriptions/{SUB}{p}")).unwrap().target
    }

    #[test]
    fn parses_the_grammar() {
        assert_eq!(target(""), Target::Subscription);
        assert_eq!(target("/resourcegroups"), Target::ResourceGroups);
        assert_eq!(
            target("/resourceGroups/rg%281%29"),
            Target::ResourceGroup("rg(1)".into())
        );
        assert_eq!(
            target("/resourcegroups/rg1/resources"),
            Target::Resources(Some("rg1".into()))
        );
        assert!(matches!(
            target("/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v1/subnets/s1"),
            Target::Resource(s) if s.resource_type().unwrap().0 == "Microsoft.Network/virtualNetworks/subnets"
        ));
        match target("/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v1/subnets") {
            Target::ResourceCollection {
                parent,
                resource_type,
            } => {
                assert!(parent.as_str().ends_with("virtualNetworks/v1"));
                assert_eq!(resource_type, "Microsoft.Network/virtualNetworks/subnets");
            }
            t => panic!("{t:?}"),
        }
        match target("/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts") {
            Target::ResourceCollection {
                parent,
                resource_type,
            } => {
                assert!(parent.as_str().ends_with("resourceGroups/rg1"));
                assert_eq!(resource_type, "Microsoft.Storage/storageAccounts");
            }
            t => panic!("{t:?}"),
        }
    }

    #[test]
    fn a_type_under_the_subscription_is_its_collection() {
        match target("/providers/Microsoft.ManagedIdentity/userAssignedIdentities") {
            Target::ResourceCollection {
                parent,
                resource_type,
            } => {
                assert_eq!(parent.as_str(), format!("/subscriptions/{SUB}"));
                assert_eq!(
                    resource_type,
                    "Microsoft.ManagedIdentity/userAssignedIdentities"
                );
            }
            t => panic!("{t:?}"),
        }
    }

    #[test]
    fn finds_authorization_extensions_at_any_scope() {
        match target("/providers/Microsoft.Authorization/roleAssignments/abc") {
            Target::Authorization { scope, kind, name } => {
                assert_eq!(scope.as_str(), format!("/subscriptions/{SUB}"));
                assert_eq!(kind, AuthzKind::RoleAssignments);
                assert_eq!(name.as_deref(), Some("abc"));
            }
            t => panic!("{t:?}"),
        }
        match target(
            "/resourcegroups/rg1/providers/Microsoft.Web/sites/w1/providers/microsoft.authorization/permissions",
        ) {
            Target::Authorization { scope, kind, name } => {
                assert!(scope.as_str().ends_with("Microsoft.Web/sites/w1"));
                assert_eq!(kind, AuthzKind::Permissions);
                assert_eq!(name, None);
            }
            t => panic!("{t:?}"),
        }
    }

    #[test]
    fn finds_the_tags_api_at_any_scope() {
        let tags = "/providers/Microsoft.Resources/tags/default";
        for (at, level) in [
            ("", ScopeLevel::Subscription),
            ("/resourcegroups/rg1", ScopeLevel::ResourceGroup),
            (
                "/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1",
                ScopeLevel::Resource,
            ),
        ] {
            match target(&format!("{at}{}", tags.to_lowercase())) {
                Target::Tags(scope) => assert_eq!(scope.level(), level, "{at}"),
                t => panic!("{at}: {t:?}"),
            }
        }
        assert_eq!(
            target("/tagNames/env/tagValues/prod"),
            Target::TagNames {
                name: Some("env".into()),
                value: Some("prod".into())
            }
        );
    }

    #[test]
    fn refuses_bad_paths_with_400s() {
        for bad in ["/subscriptions/nope", "/subscriptions/nope/resourcegroups"] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.status, 400, "{bad}");
        }
        let e = parse(&format!("/subscriptions/{SUB}/whatever/x/y")).unwrap_err();
        assert_eq!(e.status, 400);
    }

    #[test]
    fn decodes_percent_escapes_leniently() {
        assert_eq!(percent_decode("a%20b+c", true), "a b c");
        assert_eq!(percent_decode("a%2", false), "a%2");
        assert_eq!(percent_decode("%zz%", false), "%zz%");
    }
}
