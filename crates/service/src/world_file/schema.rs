//! The world file's shape: the TOML contract of DESIGN.md ("The world file (contract)"), plus what
//! [`export`](super::export) writes so that a round trip is exact (ids, hashes, `enabled = false`, tags,
//! resources, …). Unknown keys are errors, so a typo never passes silently.

use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut, Range};
use tenantry_domain::rules::AccountType;
use tenantry_domain::{
    AccountId, GroupMembershipClaims, ObjectId, RoleAssignmentId, RoleDefinitionId, SubscriptionId,
    SubscriptionState, TenantId, TenantOrigin,
};

/// A value with where it was written: the byte span and the 1-based line of its start (the `[[header]]`
/// of an array-of-tables entry, the `{` of an inline table, the string of an array element). Both are
/// `None` for values built in memory (e.g. by [`export`](super::export)). Equality ignores the location.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub span: Option<Range<usize>>,
    pub line: Option<usize>,
}

impl<T> Located<T> {
    /// A value with no location.
    pub fn new(value: T) -> Self {
        Self {
            value,
            span: None,
            line: None,
        }
    }
}

impl<T> From<T> for Located<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T> Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Located<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: PartialEq> PartialEq for Located<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // `toml::Spanned` asks the TOML deserializer for the span; lines are filled in by `parse`.
        let s = toml::Spanned::<T>::deserialize(d)?;
        let span = s.span();
        Ok(Self {
            value: s.into_inner(),
            span: Some(span),
            line: None,
        })
    }
}

/// A whole world.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldFile {
    /// A tenant's initial domain is `<name>.<domain_suffix>`; `onmicrosoft.com` when absent.
    #[serde(default)]
    pub domain_suffix: Option<String>,
    #[serde(default)]
    pub personal_accounts: Vec<Located<PersonalAccountEntry>>,
    #[serde(default)]
    pub tenants: Vec<Located<TenantEntry>>,
    #[serde(default)]
    pub subscriptions: Vec<Located<SubscriptionEntry>>,
    #[serde(default)]
    pub management_group_role_assignments: Vec<Located<ManagementGroupAssignmentEntry>>,
}

/// A role assignment at a management group's scope.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementGroupAssignmentEntry {
    /// The directory, by name, domain or id.
    pub tenant: String,
    /// The group's name; `""` for the tenant root group.
    #[serde(default)]
    pub management_group: String,
    /// `"/"`: the root scope above every group instead (a Global Administrator's elevated access, User
    /// Access Administrator only); absent for a group.
    #[serde(default)]
    pub scope: Option<String>,
    /// As principals are named anywhere in the file (`group:NAME`, a UPN, a client id…).
    pub principal: String,
    /// A built-in role's name, or one of the tenant's `custom_roles`.
    pub role: String,
    #[serde(default)]
    pub id: Option<RoleAssignmentId>,
}

/// A personal (Microsoft) account, in the consumer realm.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalAccountEntry {
    pub email: String,
    /// Hashed when applied. Give this or `password_hash`.
    #[serde(default)]
    pub password: Option<String>,
    /// What export writes.
    #[serde(default)]
    pub password_hash: Option<String>,
    /// Defaults to the email's local part.
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub id: Option<AccountId>,
    /// `false` for a disabled account; absent means enabled.
    #[serde(default)]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantEntry {
    /// Unique; the initial domain is `<name>.<domain_suffix>`.
    pub name: String,
    /// Defaults to the name.
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub id: Option<TenantId>,
    /// `azure` (default) or `office365`.
    #[serde(default)]
    pub origin: Option<TenantOrigin>,
    /// Verified custom domains.
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub users: Vec<Located<UserEntry>>,
    #[serde(default)]
    pub guests: Vec<Located<GuestEntry>>,
    #[serde(default)]
    pub applications: Vec<Located<ApplicationEntry>>,
    #[serde(default)]
    pub groups: Vec<Located<GroupEntry>>,
    #[serde(default)]
    pub policy: Option<Located<PolicyEntry>>,
    /// The hierarchy below the tenant root group (which always exists and is not listed).
    #[serde(default)]
    pub management_groups: Vec<Located<ManagementGroupEntry>>,
    /// Custom roles at home in one of the tenant's management groups: `assignable_scopes` names that
    /// group (by name, or by its id `/providers/Microsoft.Management/managementGroups/{name}`), and may
    /// add subscriptions and resource groups of the tenant (absolute scopes).
    #[serde(default)]
    pub custom_roles: Vec<Located<RoleDefinitionEntry>>,
    /// The tenant root group's display name, once renamed ("Tenant Root Group" when absent).
    #[serde(default)]
    pub root_group_display_name: Option<String>,
    /// The hierarchy settings, kept at the tenant root group.
    #[serde(default)]
    pub hierarchy_settings: Option<Located<HierarchySettingsEntry>>,
}

/// A tenant's hierarchy settings; absent, Azure's defaults.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HierarchySettingsEntry {
    /// Creating a group under the root needs write access there.
    #[serde(default)]
    pub require_authorization_for_group_creation: bool,
    /// The group new subscriptions land under instead of the root, by name.
    #[serde(default)]
    pub default_management_group: Option<String>,
}

/// A management group of the tenant.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementGroupEntry {
    /// The group's id in ARM paths; other entries name it by this as their parent.
    pub name: String,
    /// Defaults to the name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Another group's name; `""` or absent: the tenant root group.
    #[serde(default)]
    pub parent: Option<String>,
    /// Subscriptions of the tenant placed under it, by id or display name.
    #[serde(default)]
    pub subscriptions: Vec<Located<String>>,
}

/// A member: an organizational account whose home is the tenant.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    /// `admin` (UPN `admin@<initial domain>`) or a full UPN on one of the tenant's domains.
    pub user_name: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub password_hash: Option<String>,
    /// Defaults to the UPN's local part.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The `mail` property (optional).
    #[serde(default)]
    pub mail: Option<String>,
    /// Graph's `givenName` and `surname` (optional).
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    /// Object id.
    #[serde(default)]
    pub id: Option<ObjectId>,
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Directory role names, e.g. `Global Administrator`.
    #[serde(default)]
    pub directory_roles: Vec<Located<String>>,
}

/// Which kind of account an email means when it is both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountKind {
    Personal,
    Organizational,
}

impl AccountKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            AccountKind::Personal => "personal",
            AccountKind::Organizational => "organizational",
        }
    }
    pub fn to_domain(self) -> AccountType {
        match self {
            AccountKind::Personal => AccountType::Personal,
            AccountKind::Organizational => AccountType::Organizational,
        }
    }
}

/// A redeemed guest: the personal account, or another tenant's member, with that email.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuestEntry {
    pub email: String,
    /// Required when the email is both a personal and an organizational account.
    #[serde(default)]
    pub account_type: Option<AccountKind>,
    /// Defaults to the home account's display name.
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub id: Option<ObjectId>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub directory_roles: Vec<Located<String>>,
}

/// An app registration with its service principal.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationEntry {
    pub display_name: String,
    /// `appId`; generated when absent.
    #[serde(default)]
    pub client_id: Option<uuid::Uuid>,
    /// The service principal's object id.
    #[serde(default)]
    pub id: Option<ObjectId>,
    /// The application object's id (Graph's `/applications/{id}`), which is not the service
    /// principal's; generated when absent.
    #[serde(default)]
    pub application_object_id: Option<ObjectId>,
    /// One secret, hashed when applied (its first three characters become the hint).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// One secret, already hashed (what export writes), with its hint.
    #[serde(default)]
    pub client_secret_hash: Option<String>,
    #[serde(default)]
    pub client_secret_hint: Option<String>,
    /// Several secrets, or secrets that expire (what export writes for those).
    #[serde(default)]
    pub secrets: Vec<SecretEntry>,
    /// Public certificates (PEM), with which it signs client assertions; a bad one names its line.
    #[serde(default)]
    pub certificates: Vec<Located<String>>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Entra's `groupMembershipClaims`: `"None"` (the default), `"SecurityGroup"` or `"All"`.
    #[serde(default)]
    pub group_membership_claims: Option<GroupMembershipClaims>,
    #[serde(default)]
    pub directory_roles: Vec<Located<String>>,
    /// The external tokens that sign it in (`[[tenants.applications.federated_credentials]]`).
    #[serde(default)]
    pub federated_credentials: Vec<Located<FederatedCredentialEntry>>,
}

/// A federated identity credential of an application: tokens of `issuer` about `subject` sign it in.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederatedCredentialEntry {
    /// Unique in the application; 3 to 120 letters, digits, `-` or `_`.
    pub name: String,
    /// An https URL, exactly as the tokens' `iss` writes it.
    pub issuer: String,
    pub subject: String,
    /// Exactly one; `["api://AzureADTokenExchange"]` when absent.
    #[serde(default)]
    pub audiences: Option<Vec<String>>,
    #[serde(default)]
    pub description: Option<String>,
    /// Graph's id (what export writes); generated when absent.
    #[serde(default)]
    pub id: Option<uuid::Uuid>,
}

/// A security group ("World file additions" of DESIGN.md). Members and owners are principals of the
/// tenant as the file names them anywhere: a UPN, a guest's email, an application's client id, an object
/// id, or `group:NAME` for another group of the tenant (members only).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupEntry {
    /// Unique in the tenant; other entries refer to the group as `group:<display_name>`.
    pub display_name: String,
    #[serde(default)]
    pub id: Option<ObjectId>,
    #[serde(default)]
    pub description: Option<String>,
    /// Defaults to a slug of the display name.
    #[serde(default)]
    pub mail_nickname: Option<String>,
    /// `false` for a group that is not security-enabled (what export writes for one); absent means true.
    #[serde(default)]
    pub security_enabled: Option<bool>,
    /// `true` lets the group hold directory roles (then it cannot contain groups); set at creation.
    #[serde(default)]
    pub role_assignable: Option<bool>,
    #[serde(default)]
    pub members: Vec<Located<String>>,
    #[serde(default)]
    pub owners: Vec<Located<String>>,
    /// Only for a role-assignable group.
    #[serde(default)]
    pub directory_roles: Vec<Located<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretEntry {
    pub hash: String,
    #[serde(default)]
    pub hint: String,
    /// Unix seconds.
    #[serde(default)]
    pub expires: Option<i64>,
}

/// The tenant's subscription policy.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyEntry {
    #[serde(default)]
    pub block_subscriptions_leaving: bool,
    #[serde(default)]
    pub block_subscriptions_entering: bool,
    /// Principals of the tenant (UPN, guest email, client id or `group:NAME`, whose members are then
    /// exempted) allowed to move subscriptions anyway.
    #[serde(default)]
    pub exempted: Vec<String>,
}

/// An account named by email: `"alice@outlook.com"`, or `{ email = "…", account_type = "personal" }`
/// when the email is both a personal and an organizational account.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum AccountRef {
    Email(String),
    Typed(TypedAccountRef),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypedAccountRef {
    pub email: String,
    pub account_type: AccountKind,
}

impl AccountRef {
    pub fn email(&self) -> &str {
        match self {
            AccountRef::Email(e) => e,
            AccountRef::Typed(t) => &t.email,
        }
    }
    pub fn account_type(&self) -> Option<AccountKind> {
        match self {
            AccountRef::Email(_) => None,
            AccountRef::Typed(t) => Some(t.account_type),
        }
    }
}

impl Default for AccountRef {
    fn default() -> Self {
        AccountRef::Email(String::new())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionEntry {
    pub display_name: String,
    /// Without an id, a subscription is known by its display name (which must then be unique).
    #[serde(default)]
    pub id: Option<SubscriptionId>,
    /// The tenant it trusts, by name.
    pub tenant: String,
    pub service_admin: AccountRef,
    /// Defaults to the service administrator.
    #[serde(default)]
    pub account_admin: Option<AccountRef>,
    #[serde(default)]
    pub co_admins: Vec<Located<AccountRef>>,
    /// `Enabled` when absent.
    #[serde(default)]
    pub state: Option<SubscriptionState>,
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    /// Its predefined tag names with their predefined values (`tag_names = { env = ["prod", "dev"] }`).
    #[serde(default)]
    pub tag_names: Option<BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    pub resource_groups: Vec<Located<ResourceGroupEntry>>,
    /// User-assigned managed identities.
    #[serde(default)]
    pub identities: Vec<Located<IdentityEntry>>,
    #[serde(default)]
    pub role_definitions: Vec<Located<RoleDefinitionEntry>>,
    #[serde(default)]
    pub role_assignments: Vec<Located<RoleAssignmentEntry>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceGroupEntry {
    pub name: String,
    pub location: String,
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub managed_by: Option<String>,
    #[serde(default)]
    pub resources: Vec<Located<ResourceEntry>>,
}

/// A user-assigned managed identity (`Microsoft.ManagedIdentity/userAssignedIdentities`) in a group of
/// the subscription; role assignments name it `identity:RG/NAME`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityEntry {
    pub name: String,
    pub resource_group: String,
    /// The group's when absent.
    #[serde(default)]
    pub location: Option<String>,
    /// Its service principal's object id and client id; made when absent.
    #[serde(default)]
    pub principal_id: Option<ObjectId>,
    #[serde(default)]
    pub client_id: Option<uuid::Uuid>,
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
}

/// A generic resource in its group: `type = "Microsoft.Storage/storageAccounts"`, `name = "acct1"`;
/// nested types name every level (`Microsoft.Network/virtualNetworks/subnets`, `vnet1/subnet1`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceEntry {
    #[serde(rename = "type")]
    pub resource_type: String,
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    /// An inline table; `{}` when absent.
    #[serde(default)]
    pub properties: Option<serde_json::Value>,
    /// Its managed identities (ARM's `identity` block).
    #[serde(default)]
    pub identity: Option<ResourceIdentityEntry>,
}

/// A resource's managed identities: `identity = { type = "SystemAssigned, UserAssigned", user_assigned =
/// ["identity:rg1/id-web"], principal_id = "…", client_id = "…" }`. The ids are the system-assigned
/// principal's (made when absent); user-assigned identities are named `identity:RG/NAME` in this
/// subscription, or by resource id.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceIdentityEntry {
    #[serde(rename = "type")]
    pub type_name: String,
    #[serde(default)]
    pub user_assigned: Vec<String>,
    #[serde(default)]
    pub principal_id: Option<ObjectId>,
    #[serde(default)]
    pub client_id: Option<uuid::Uuid>,
}

/// A custom role. One permission block in `actions`/`not_actions`/`data_actions`/`not_data_actions`,
/// or several in `permissions`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDefinitionEntry {
    pub name: String,
    #[serde(default)]
    pub id: Option<RoleDefinitionId>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub not_actions: Vec<String>,
    #[serde(default)]
    pub data_actions: Vec<String>,
    #[serde(default)]
    pub not_data_actions: Vec<String>,
    #[serde(default)]
    pub permissions: Vec<PermissionEntry>,
    /// Relative to the subscription like assignment scopes; the subscription itself when empty.
    #[serde(default)]
    pub assignable_scopes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionEntry {
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub not_actions: Vec<String>,
    #[serde(default)]
    pub data_actions: Vec<String>,
    #[serde(default)]
    pub not_data_actions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleAssignmentEntry {
    /// A UPN, a guest's email, an application's client id or `group:NAME`, in the subscription's tenant.
    pub principal: String,
    /// A built-in or custom role name.
    pub role: String,
    /// Relative to the subscription: `""` is the subscription, `resourceGroups/rg1`, …
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub id: Option<RoleAssignmentId>,
    #[serde(default)]
    pub description: Option<String>,
}

// ----- filling in lines after parsing -----

/// Byte offset → 1-based line and column.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|s| *s <= offset)
    }
    pub(crate) fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let col = text
            .get(start..offset.min(text.len()))
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line, col)
    }
}

/// Moves a span parsed from a piece of the text that starts at `offset`, and fills in its line.
fn set<T>(l: &mut Located<T>, idx: &LineIndex, offset: usize) {
    if let Some(s) = &mut l.span {
        *s = s.start + offset..s.end + offset;
    }
    l.line = l.span.as_ref().map(|s| idx.line(s.start));
}

impl WorldFile {
    pub(crate) fn fill_lines(&mut self, idx: &LineIndex) {
        self.fill_lines_at(idx, 0);
    }

    /// As [`WorldFile::fill_lines`], for a file parsed from the piece of the text that starts at
    /// `offset`.
    pub(crate) fn fill_lines_at(&mut self, idx: &LineIndex, offset: usize) {
        for a in &mut self.personal_accounts {
            set(a, idx, offset);
        }
        for a in &mut self.management_group_role_assignments {
            set(a, idx, offset);
        }
        for t in &mut self.tenants {
            set(t, idx, offset);
            for u in &mut t.value.users {
                set(u, idx, offset);
                u.value
                    .directory_roles
                    .iter_mut()
                    .for_each(|r| set(r, idx, offset));
            }
            for g in &mut t.value.guests {
                set(g, idx, offset);
                g.value
                    .directory_roles
                    .iter_mut()
                    .for_each(|r| set(r, idx, offset));
            }
            for a in &mut t.value.applications {
                set(a, idx, offset);
                let a = &mut a.value;
                for l in a.directory_roles.iter_mut().chain(&mut a.certificates) {
                    set(l, idx, offset);
                }
                a.federated_credentials
                    .iter_mut()
                    .for_each(|c| set(c, idx, offset));
            }
            for g in &mut t.value.groups {
                set(g, idx, offset);
                let g = &mut g.value;
                for l in g
                    .members
                    .iter_mut()
                    .chain(&mut g.owners)
                    .chain(&mut g.directory_roles)
                {
                    set(l, idx, offset);
                }
            }
            if let Some(p) = &mut t.value.policy {
                set(p, idx, offset);
            }
            if let Some(h) = &mut t.value.hierarchy_settings {
                set(h, idx, offset);
            }
            for g in &mut t.value.management_groups {
                set(g, idx, offset);
                g.value
                    .subscriptions
                    .iter_mut()
                    .for_each(|s| set(s, idx, offset));
            }
            t.value
                .custom_roles
                .iter_mut()
                .for_each(|r| set(r, idx, offset));
        }
        for s in &mut self.subscriptions {
            set(s, idx, offset);
            s.value
                .co_admins
                .iter_mut()
                .for_each(|c| set(c, idx, offset));
            for g in &mut s.value.resource_groups {
                set(g, idx, offset);
                g.value
                    .resources
                    .iter_mut()
                    .for_each(|r| set(r, idx, offset));
            }
            s.value
                .identities
                .iter_mut()
                .for_each(|r| set(r, idx, offset));
            s.value
                .role_definitions
                .iter_mut()
                .for_each(|r| set(r, idx, offset));
            s.value
                .role_assignments
                .iter_mut()
                .for_each(|r| set(r, idx, offset));
        }
    }

    /// How many entries [`plan_apply`](super::plan_apply) reports progress over.
    pub fn entry_count(&self) -> usize {
        let mut n = self.personal_accounts.len() + self.management_group_role_assignments.len();
        for t in &self.tenants {
            n += 1
                + t.users.len()
                + t.guests.len()
                + t.applications.len()
                + t.groups.len()
                + t.management_groups.len()
                + t.custom_roles.len()
                + usize::from(t.policy.is_some())
                + usize::from(t.hierarchy_settings.is_some());
        }
        for s in &self.subscriptions {
            n += 1
                + s.co_admins.len()
                + s.identities.len()
                + s.role_definitions.len()
                + s.role_assignments.len();
            for g in &s.resource_groups {
                n += 1 + g.resources.len();
            }
        }
        n
    }
}
