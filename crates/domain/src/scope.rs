//! Azure scopes: `/subscriptions/{id}`, `…/resourceGroups/{name}`, `…/providers/{namespace}/{type}/{name}`.
//! Names compare case-insensitively, as in ARM; the text keeps the case it was given.

use crate::error::DomainError;
use crate::ids::SubscriptionId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScopeLevel {
    Subscription,
    ResourceGroup,
    Resource,
}

/// The longest scope accepted. ARM refuses longer resource ids, and the stores index scopes (PostgreSQL's
/// btree entries stop at about 2.7 kB), so a longer one must be refused here rather than fail there.
pub const MAX_SCOPE_LEN: usize = 2048;

/// A parsed scope at or under a subscription. One pointer: its text lives once, shared by its clones, so
/// a million role assignments at a few thousand scopes keep a few thousand texts when the world
/// interns them (`SubscriptionPart::insert_assignment`).
#[derive(Clone)]
pub struct Scope(Arc<Parsed>);

struct Parsed {
    /// The text, then its lowercase form (what comparisons and indexes use) at `split`.
    both: Box<str>,
    split: usize,
    subscription: SubscriptionId,
    level: ScopeLevel,
}

impl PartialEq for Scope {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.key() == other.key()
    }
}
impl Eq for Scope {}
impl std::hash::Hash for Scope {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state)
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({})", self.as_str())
    }
}
impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Scope {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Scope::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn invalid_scope(text: &str, why: &str) -> DomainError {
    DomainError::invalid(
        "InvalidScope",
        format!("The scope '{text}' is not valid: {why}."),
    )
    .with_arg("text", text.to_string())
    .with_arg("why", why.to_string())
    .with_remedy("Use /subscriptions/{id}, /subscriptions/{id}/resourceGroups/{name} or /subscriptions/{id}/resourceGroups/{name}/providers/{namespace}/{type}/{name}.")
}

impl Scope {
    /// The scope of `text` (canonical already), with its lowercase key beside it.
    fn new(text: &str, subscription: SubscriptionId, level: ScopeLevel) -> Self {
        let mut both = String::with_capacity(2 * text.len());
        both.push_str(text);
        both.push_str(&text.to_lowercase());
        Self(Arc::new(Parsed {
            both: both.into_boxed_str(),
            split: text.len(),
            subscription,
            level,
        }))
    }

    pub fn subscription(id: SubscriptionId) -> Self {
        Self::new(
            &format!("/subscriptions/{id}"),
            id,
            ScopeLevel::Subscription,
        )
    }

    pub fn resource_group(id: SubscriptionId, name: &str) -> Self {
        Self::new(
            &format!("/subscriptions/{id}/resourceGroups/{name}"),
            id,
            ScopeLevel::ResourceGroup,
        )
    }

    /// How many values share this one's text: an interner lets it go when it and one other are left.
    pub(crate) fn holders(&self) -> usize {
        Arc::strong_count(&self.0)
    }

    /// A resource under a group: `namespace` like `Microsoft.Storage`, `type_path` like
    /// `storageAccounts/acct1` or `virtualNetworks/v1/subnets/s1`.
    pub fn resource(
        id: SubscriptionId,
        group: &str,
        namespace: &str,
        type_path: &str,
    ) -> Result<Self, DomainError> {
        Self::parse(&format!(
            "/subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type_path}"
        ))
    }

    /// Parses a scope as ARM writes it. Segment names (`subscriptions`, `resourceGroups`, `providers`) are
    /// case-insensitive; a trailing slash and spaces around are allowed. Its names are names: a control
    /// character anywhere is refused, never trimmed away.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        crate::rules::names::require_name("id", text)?;
        if text.len() > MAX_SCOPE_LEN {
            return Err(invalid_scope(
                &crate::rules::names::shown(text),
                &format!("it is longer than {MAX_SCOPE_LEN} characters"),
            ));
        }
        let trimmed = text.trim_matches(' ').trim_end_matches('/');
        let segments: Vec<&str> = trimmed.split('/').collect();
        if segments.first() != Some(&"") || segments.len() < 3 {
            return Err(invalid_scope(
                text,
                "it must start with /subscriptions/{id}",
            ));
        }
        if !segments[1].eq_ignore_ascii_case("subscriptions") {
            return Err(invalid_scope(
                text,
                "it must start with /subscriptions/{id}",
            ));
        }
        let subscription: SubscriptionId = segments[2]
            .parse()
            .map_err(|_| invalid_scope(text, "the subscription id is not a GUID"))?;
        let mut canonical = format!("/subscriptions/{subscription}");
        let level = match segments.len() {
            3 => ScopeLevel::Subscription,
            4 => return Err(invalid_scope(text, "a segment name has no value")),
            _ => {
                if !segments[3].eq_ignore_ascii_case("resourceGroups") {
                    return Err(invalid_scope(
                        text,
                        "only resource groups and their resources are scopes under a subscription",
                    ));
                }
                validate_resource_group_name(segments[4])
                    .map_err(|e| invalid_scope(text, &e.message))?;
                canonical.push_str("/resourceGroups/");
                canonical.push_str(segments[4]);
                if segments.len() == 5 {
                    ScopeLevel::ResourceGroup
                } else {
                    let rest = &segments[5..];
                    // providers/{namespace}/{type}/{name}[/{type}/{name}]…
                    if !rest[0].eq_ignore_ascii_case("providers")
                        || rest.len() < 4
                        || !rest.len().is_multiple_of(2)
                    {
                        return Err(invalid_scope(
                            text,
                            "a resource is providers/{namespace}/{type}/{name}",
                        ));
                    }
                    if rest[1..].iter().any(|s| s.is_empty()) {
                        return Err(invalid_scope(text, "a segment is empty"));
                    }
                    canonical.push_str("/providers");
                    for s in &rest[1..] {
                        canonical.push('/');
                        canonical.push_str(s);
                    }
                    ScopeLevel::Resource
                }
            }
        };
        Ok(Self::new(&canonical, subscription, level))
    }

    /// A scope relative to a subscription, as the world file writes it: `""` is the subscription itself,
    /// `resourceGroups/rg1`, `resourceGroups/rg1/providers/…`.
    pub fn parse_relative(
        subscription: SubscriptionId,
        relative: &str,
    ) -> Result<Self, DomainError> {
        let r = relative.trim_matches(' ').trim_matches('/');
        if r.is_empty() {
            Ok(Self::subscription(subscription))
        } else {
            Self::parse(&format!("/subscriptions/{subscription}/{r}"))
        }
    }

    /// The inverse of [`Scope::parse_relative`].
    pub fn relative(&self) -> &str {
        // `/subscriptions/` and a hyphenated GUID.
        let prefix = "/subscriptions/".len() + 36;
        self.as_str()[prefix..].trim_start_matches('/')
    }

    pub fn as_str(&self) -> &str {
        &self.0.both[..self.0.split]
    }
    /// Lowercase form for comparisons.
    pub fn key(&self) -> &str {
        &self.0.both[self.0.split..]
    }
    pub fn subscription_id(&self) -> SubscriptionId {
        self.0.subscription
    }
    pub fn level(&self) -> ScopeLevel {
        self.0.level
    }

    /// The resource group's name, for group and resource scopes.
    pub fn resource_group_name(&self) -> Option<&str> {
        self.group_segment(self.as_str())
    }

    /// The resource group's name as its key writes it (lowercase), for group and resource scopes.
    pub(crate) fn resource_group_key(&self) -> Option<&str> {
        self.group_segment(self.key())
    }

    /// The resource group's segment of `text`, this scope's text or its key, which both start
    /// `/subscriptions/{hyphenated guid}/resourceGroups/` (in the key's case) when it has one.
    fn group_segment<'a>(&self, text: &'a str) -> Option<&'a str> {
        if self.level() == ScopeLevel::Subscription {
            return None;
        }
        const START: usize = "/subscriptions/".len() + 36 + "/resourceGroups/".len();
        let rest = text.get(START..)?;
        Some(rest.split('/').next().unwrap_or(rest))
    }

    /// For a resource: its provider namespace, full type (`Microsoft.Network/virtualNetworks/subnets`) and
    /// name (the last segment).
    pub fn resource_type(&self) -> Option<(String, String)> {
        if self.level() != ScopeLevel::Resource {
            return None;
        }
        let segs: Vec<&str> = self.as_str().split('/').skip(6).collect();
        let mut ty = segs[0].to_string();
        for pair in segs[1..].chunks(2) {
            ty.push('/');
            ty.push_str(pair[0]);
        }
        let name = segs.last().copied().unwrap_or_default().to_string();
        Some((ty, name))
    }

    /// True when `self` is `other` or one of its ancestors: an assignment here applies there.
    pub fn contains(&self, other: &Scope) -> bool {
        contains_key(self.key(), other.key())
    }

    /// The enclosing scope, `None` at the subscription.
    pub fn parent(&self) -> Option<Scope> {
        match self.level() {
            ScopeLevel::Subscription => None,
            ScopeLevel::ResourceGroup => Some(Scope::subscription(self.subscription_id())),
            ScopeLevel::Resource => {
                let segs: Vec<&str> = self.as_str().split('/').collect();
                if segs.len() <= 9 {
                    Some(Scope::resource_group(self.subscription_id(), segs[4]))
                } else {
                    Scope::parse(&segs[..segs.len() - 2].join("/")).ok()
                }
            }
        }
    }
}

/// Whether the lowercase scope `outer` is `inner` or an ancestor of it (segment-wise prefix). `/` contains
/// all. Both must be keys (lowercase): the check is on the hot path of every authorization.
pub fn contains_key(outer: &str, inner: &str) -> bool {
    if outer == "/" {
        return true;
    }
    inner.starts_with(outer)
        && (inner.len() == outer.len() || inner.as_bytes()[outer.len()] == b'/')
}

/// Azure's rule for resource group names: 1–90 letters, digits, underscores, parentheses, hyphens and
/// periods, not ending in a period.
pub fn validate_resource_group_name(name: &str) -> Result<(), DomainError> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '(' | ')' | '-' | '.'));
    let len = name.chars().count();
    if len == 0 || len > 90 || !ok_chars || name.ends_with('.') {
        return Err(DomainError::invalid(
            "InvalidResourceGroup",
            format!(
                "The provided resource group name '{}' has these invalid characters or length. A resource group name must be 1 to 90 characters of letters, digits, underscores, parentheses, hyphens and periods, and must not end in a period.",
                crate::rules::names::shown(name)
            ),
        )
        .with_arg("name", crate::rules::names::shown(name).to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "5b5c0000-0000-4000-8000-000000000001";

    #[test]
    fn parses_each_level_and_keeps_case() {
        let s = Scope::parse(&format!("/SUBSCRIPTIONS/{SUB}/resourcegroups/RG1/")).unwrap();
        assert_eq!(s.level(), ScopeLevel::ResourceGroup);
        assert_eq!(
            s.as_str(),
            format!("/subscriptions/{SUB}/resourceGroups/RG1")
        );
        assert_eq!(s.resource_group_name(), Some("RG1"));
        assert_eq!(s.resource_group_key(), Some("rg1"));
        let r = Scope::parse(&format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v1/subnets/s1")).unwrap();
        assert_eq!(r.level(), ScopeLevel::Resource);
        let cased = Scope::parse(&format!(
            "/subscriptions/{SUB}/resourceGroups/Rg1/providers/Microsoft.Storage/storageAccounts/a"
        ))
        .unwrap();
        assert_eq!(cased.resource_group_name(), Some("Rg1"));
        assert_eq!(cased.resource_group_key(), Some("rg1"));
        let sub = Scope::parse(&format!("/subscriptions/{SUB}")).unwrap();
        assert_eq!(sub.resource_group_name(), None);
        assert_eq!(sub.resource_group_key(), None);
        assert_eq!(
            r.resource_type().unwrap(),
            (
                "Microsoft.Network/virtualNetworks/subnets".into(),
                "s1".into()
            )
        );
        assert_eq!(
            r.parent().unwrap().as_str(),
            format!(
                "/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v1"
            )
        );
        assert_eq!(
            r.parent().unwrap().parent().unwrap().level(),
            ScopeLevel::ResourceGroup
        );
    }

    #[test]
    fn containment_is_segment_wise_and_case_insensitive() {
        let sub = Scope::parse(&format!("/subscriptions/{SUB}")).unwrap();
        let rg1 = Scope::parse(&format!("/subscriptions/{SUB}/resourceGroups/rg1")).unwrap();
        let rg10 = Scope::parse(&format!("/subscriptions/{SUB}/resourceGroups/RG10")).unwrap();
        let rg1_upper = Scope::parse(&format!("/subscriptions/{SUB}/resourceGroups/RG1")).unwrap();
        assert!(sub.contains(&rg1));
        assert!(rg1.contains(&rg1_upper));
        assert!(!rg1.contains(&rg10));
        assert!(!rg1.contains(&sub));
        assert!(contains_key("/", rg1.key()));
    }

    #[test]
    fn rejects_bad_scopes() {
        for bad in [
            "",
            "/",
            &format!("/subscriptions/{SUB}\n"),
            &format!("/subscriptions/{SUB}/resourceGroups/rg1\r"),
            &format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/A.B/c/d\n"),
            &format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/A.B/c\0/d"),
            "/subscriptions",
            "/subscriptions/not-a-guid",
            "/tenants/x",
            &format!("/subscriptions/{SUB}/resourceGroups"),
            &format!("/subscriptions/{SUB}/resourceGroups/bad."),
            &format!(
                "/subscriptions/{SUB}/resourceGroups/rg/providers/A.B/c/{}",
                "x".repeat(MAX_SCOPE_LEN)
            ),
        ] {
            assert!(Scope::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn relative_round_trip() {
        let id: SubscriptionId = SUB.parse().unwrap();
        for rel in [
            "",
            "resourceGroups/rg1",
            "resourceGroups/rg1/providers/Microsoft.Web/sites/w1",
        ] {
            assert_eq!(Scope::parse_relative(id, rel).unwrap().relative(), rel);
        }
    }

    #[test]
    fn resource_group_names_follow_azure() {
        assert!(validate_resource_group_name("rg-1_(x).y").is_ok());
        assert!(validate_resource_group_name(&"a".repeat(90)).is_ok());
        assert!(validate_resource_group_name(&"a".repeat(91)).is_err());
        assert!(validate_resource_group_name("a b").is_err());
        assert!(validate_resource_group_name("ab.").is_err());
    }
}
