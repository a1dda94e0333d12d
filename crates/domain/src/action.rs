//! Azure operation names (`Microsoft.Resources/subscriptions/resourceGroups/write`) and the wildcard
//! patterns role definitions grant them with (`*`, `*/read`, `Microsoft.Authorization/*/Write`).
//! Both compare case-insensitively; `*` matches any run of characters, slashes included, as in Azure.

use crate::model::Permission;

/// An operation name, lowercased once so that checks do not allocate; with its place among
/// [`KNOWN`] when it is one of tenantry's own, which a compiled role answers with one bit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Action {
    name: String,
    known: Option<u8>,
}

impl Action {
    pub fn new(name: &str) -> Self {
        let name = name.to_ascii_lowercase();
        let known = KNOWN
            .iter()
            .position(|k| k.len() == name.len() && k.eq_ignore_ascii_case(&name))
            .and_then(|i| u8::try_from(i).ok());
        Self { name, known }
    }
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

/// The operations tenantry authorizes its own requests with: what a compiled role knows ahead of time
/// (one bit each of [`CompiledRole`]'s mask, so at most 64).
const KNOWN: &[&str] = &[
    names::SUBSCRIPTION_READ,
    names::RESOURCE_GROUP_READ,
    names::RESOURCE_GROUP_WRITE,
    names::RESOURCE_GROUP_DELETE,
    names::ROLE_ASSIGNMENT_READ,
    names::ROLE_ASSIGNMENT_WRITE,
    names::ROLE_ASSIGNMENT_DELETE,
    names::ROLE_DEFINITION_READ,
    names::ROLE_DEFINITION_WRITE,
    names::ROLE_DEFINITION_DELETE,
    names::CLASSIC_ADMIN_READ,
    names::CLASSIC_ADMIN_WRITE,
    names::CLASSIC_ADMIN_DELETE,
    names::PERMISSIONS_READ,
    names::CHANGE_TENANT,
    names::TAGS_READ,
    names::TAGS_WRITE,
    names::TAGS_DELETE,
    names::TAG_NAMES_READ,
    names::MANAGEMENT_GROUP_READ,
    names::MANAGEMENT_GROUP_WRITE,
    names::MANAGEMENT_GROUP_DELETE,
    names::HIERARCHY_SETTINGS_READ,
    names::HIERARCHY_SETTINGS_WRITE,
    names::HIERARCHY_SETTINGS_DELETE,
    names::MANAGEMENT_GROUP_SUBSCRIPTION_WRITE,
];
const _: () = assert!(KNOWN.len() <= 64, "one bit of a u64 each");

/// A lowercased wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern(String);

impl ActionPattern {
    pub fn new(p: &str) -> Self {
        Self(p.trim().to_ascii_lowercase())
    }
    pub fn matches(&self, action: &Action) -> bool {
        glob_match(self.0.as_bytes(), action.name.as_bytes())
    }
}

/// Classic wildcard matching with one backtrack point: linear for the patterns roles use.
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// One permission block, compiled.
#[derive(Debug, Clone, Default)]
pub struct CompiledPermission {
    actions: Vec<ActionPattern>,
    not_actions: Vec<ActionPattern>,
}

impl CompiledPermission {
    pub fn new(p: &Permission) -> Self {
        Self {
            actions: p.actions.iter().map(|a| ActionPattern::new(a)).collect(),
            not_actions: p
                .not_actions
                .iter()
                .map(|a| ActionPattern::new(a))
                .collect(),
        }
    }
    /// Granted when an action matches and no notAction of the same block does. notActions are not denies:
    /// another role may still grant the operation.
    pub fn grants(&self, action: &Action) -> bool {
        self.actions.iter().any(|p| p.matches(action))
            && !self.not_actions.iter().any(|p| p.matches(action))
    }
}

/// A role definition's permissions, compiled for checks: the patterns, and what they say of each of
/// the [`KNOWN`] operations, so that a check of one of those matches no pattern.
#[derive(Debug, Clone, Default)]
pub struct CompiledRole {
    blocks: Vec<CompiledPermission>,
    /// Bit `i`: whether the role grants `KNOWN[i]`.
    known: u64,
}

impl CompiledRole {
    pub fn new(permissions: &[Permission]) -> Self {
        let mut role = Self {
            blocks: permissions.iter().map(CompiledPermission::new).collect(),
            known: 0,
        };
        for (i, name) in KNOWN.iter().enumerate() {
            if role.matches(&Action::new(name)) {
                role.known |= 1 << i;
            }
        }
        role
    }
    pub fn grants(&self, action: &Action) -> bool {
        match action.known {
            Some(i) => self.known >> i & 1 == 1,
            None => self.matches(action),
        }
    }
    fn matches(&self, action: &Action) -> bool {
        self.blocks.iter().any(|b| b.grants(action))
    }
}

/// Action names tenantry's own operations are authorized with, Azure's where Azure has them.
pub mod names {
    pub const SUBSCRIPTION_READ: &str = "Microsoft.Resources/subscriptions/read";
    pub const RESOURCE_GROUP_READ: &str = "Microsoft.Resources/subscriptions/resourceGroups/read";
    pub const RESOURCE_GROUP_WRITE: &str = "Microsoft.Resources/subscriptions/resourceGroups/write";
    pub const RESOURCE_GROUP_DELETE: &str =
        "Microsoft.Resources/subscriptions/resourceGroups/delete";
    pub const ROLE_ASSIGNMENT_READ: &str = "Microsoft.Authorization/roleAssignments/read";
    pub const ROLE_ASSIGNMENT_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";
    pub const ROLE_ASSIGNMENT_DELETE: &str = "Microsoft.Authorization/roleAssignments/delete";
    pub const ROLE_DEFINITION_READ: &str = "Microsoft.Authorization/roleDefinitions/read";
    pub const ROLE_DEFINITION_WRITE: &str = "Microsoft.Authorization/roleDefinitions/write";
    pub const ROLE_DEFINITION_DELETE: &str = "Microsoft.Authorization/roleDefinitions/delete";
    pub const CLASSIC_ADMIN_READ: &str = "Microsoft.Authorization/classicAdministrators/read";
    pub const CLASSIC_ADMIN_WRITE: &str = "Microsoft.Authorization/classicAdministrators/write";
    pub const CLASSIC_ADMIN_DELETE: &str = "Microsoft.Authorization/classicAdministrators/delete";
    pub const PERMISSIONS_READ: &str = "Microsoft.Authorization/permissions/read";
    pub const CHANGE_TENANT: &str = "Microsoft.Subscription/changeTenantRequest/action";
    /// The Tags API at any scope (Tag Contributor holds `Microsoft.Resources/tags/*`).
    pub const TAGS_READ: &str = "Microsoft.Resources/tags/read";
    pub const TAGS_WRITE: &str = "Microsoft.Resources/tags/write";
    pub const TAGS_DELETE: &str = "Microsoft.Resources/tags/delete";
    pub const TAG_NAMES_READ: &str = "Microsoft.Resources/subscriptions/tagNames/read";
    pub const MANAGEMENT_GROUP_READ: &str = "Microsoft.Management/managementGroups/read";
    pub const MANAGEMENT_GROUP_WRITE: &str = "Microsoft.Management/managementGroups/write";
    pub const MANAGEMENT_GROUP_DELETE: &str = "Microsoft.Management/managementGroups/delete";
    /// The hierarchy settings, at the tenant root group.
    pub const HIERARCHY_SETTINGS_READ: &str = "Microsoft.Management/managementGroups/settings/read";
    pub const HIERARCHY_SETTINGS_WRITE: &str =
        "Microsoft.Management/managementGroups/settings/write";
    pub const HIERARCHY_SETTINGS_DELETE: &str =
        "Microsoft.Management/managementGroups/settings/delete";
    /// Placing a subscription under a group (checked on the group, the old parent and the subscription).
    pub const MANAGEMENT_GROUP_SUBSCRIPTION_WRITE: &str =
        "Microsoft.Management/managementGroups/subscriptions/write";

    /// `{namespace}/{type}/read|write|delete` for a generic resource.
    pub fn resource_action(resource_type: &str, verb: &str) -> String {
        format!("{resource_type}/{verb}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, a: &str) -> bool {
        ActionPattern::new(p).matches(&Action::new(a))
    }

    #[test]
    fn wildcards_as_azure_reads_them() {
        assert!(m(
            "*",
            "Microsoft.Resources/subscriptions/resourceGroups/write"
        ));
        assert!(m(
            "*/read",
            "Microsoft.Resources/subscriptions/resourceGroups/read"
        ));
        assert!(!m(
            "*/read",
            "Microsoft.Resources/subscriptions/resourceGroups/write"
        ));
        assert!(m(
            "Microsoft.Authorization/*",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(m(
            "Microsoft.Authorization/*/Write",
            "microsoft.authorization/roleassignments/write"
        ));
        assert!(!m(
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/roleAssignments/read"
        ));
        assert!(m(
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/roleDefinitions/delete"
        ));
        assert!(!m("Microsoft.Storage/*", "Microsoft.StorageSync/x/read"));
        assert!(m(
            "Microsoft.Storage/*/read",
            "Microsoft.Storage/storageAccounts/blobServices/read"
        ));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(!m("a*b*c", "axxbyy"));
    }

    #[test]
    fn not_actions_subtract_within_one_block() {
        let contributor = CompiledRole::new(&[Permission {
            actions: vec!["*".into()],
            not_actions: vec!["Microsoft.Authorization/*/Write".into()],
            ..Default::default()
        }]);
        assert!(contributor.grants(&Action::new(
            "Microsoft.Resources/subscriptions/resourceGroups/write"
        )));
        assert!(!contributor.grants(&Action::new(
            "Microsoft.Authorization/roleAssignments/write"
        )));
        assert!(contributor.grants(&Action::new("Microsoft.Authorization/roleAssignments/read")));
    }

    /// A role's bit for one of tenantry's operations says what its patterns say, for every built-in
    /// role and whatever the operation's case.
    #[test]
    fn the_known_operations_are_answered_as_the_patterns_answer() {
        for role in crate::roles::built_in_roles() {
            let compiled = CompiledRole::new(&role.permissions);
            for name in KNOWN {
                for written in [name.to_string(), name.to_uppercase()] {
                    let action = Action::new(&written);
                    assert!(action.known.is_some(), "{written}");
                    assert_eq!(
                        compiled.grants(&action),
                        compiled.matches(&action),
                        "{} and {written}",
                        role.name
                    );
                }
            }
        }
        let other = Action::new("Microsoft.Storage/storageAccounts/listKeys/action");
        assert_eq!(other.known, None);
    }
}
