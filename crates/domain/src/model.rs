//! The entities of the world: personal accounts, tenants and what lives in them, subscriptions and what
//! lives in them. Plain data; the rules are in `rules/` and the indexes in `world`.

use crate::ids::*;
use crate::scope::Scope;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Unix seconds.
pub type Timestamp = i64;

/// Who someone is, wherever they sign in: the home of an account. Classic administrators are held by
/// identity (the 2017 portal listed them by email), guests point back to theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Identity {
    /// A personal (Microsoft) account.
    Personal { account: AccountId },
    /// A member user of a tenant (work or school account).
    Organizational { tenant: TenantId, user: ObjectId },
}

/// A personal (Microsoft) account, in the consumer realm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalAccount {
    pub id: AccountId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub enabled: bool,
    pub created: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TenantOrigin {
    /// Created in Azure (a default directory made at sign-up, or "create new").
    #[default]
    Azure,
    /// An Office 365 tenant.
    Office365,
}

impl TenantOrigin {
    pub fn as_str(&self) -> &'static str {
        match self {
            TenantOrigin::Azure => "azure",
            TenantOrigin::Office365 => "office365",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "azure" => Some(Self::Azure),
            "office365" => Some(Self::Office365),
            _ => None,
        }
    }
}

/// A tenant's rule for subscriptions moving out of or into it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubscriptionPolicy {
    pub block_subscriptions_leaving: bool,
    pub block_subscriptions_entering: bool,
    /// Principals (object ids in this tenant) allowed to move subscriptions despite the blocks.
    pub exempted: Vec<ObjectId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: TenantId,
    /// Unique short name; the initial domain is `<name>.<domain suffix>`.
    pub name: String,
    pub display_name: String,
    pub origin: TenantOrigin,
    /// `<name>.onmicrosoft.com` (or the world's suffix).
    pub initial_domain: String,
    /// Verified custom domains.
    pub domains: Vec<String>,
    pub policy: SubscriptionPolicy,
    pub created: Timestamp,
}

impl Tenant {
    /// Every domain of the tenant, the initial one first.
    pub fn all_domains(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.initial_domain.as_str()).chain(self.domains.iter().map(|d| d.as_str()))
    }
    pub fn has_domain(&self, domain: &str) -> bool {
        self.all_domains().any(|d| d.eq_ignore_ascii_case(domain))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GuestState {
    /// Invited, not yet redeemed: not present in the tenant.
    PendingAcceptance,
    /// Redeemed: present in the tenant.
    Accepted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "userType", rename_all = "camelCase")]
pub enum UserKind {
    /// An organizational account whose home is this tenant.
    Member {
        upn: String,
        mail: Option<String>,
        password_hash: String,
    },
    /// Someone from elsewhere: a personal account or another tenant's user.
    Guest {
        /// The invited email.
        email: String,
        /// `alice_outlook.com#EXT#@contoso.onmicrosoft.com`, as Entra names guests.
        upn: String,
        /// Known once redeemed (whoever redeems with that email becomes the guest).
        home: Option<Identity>,
        state: GuestState,
    },
}

/// A user object in a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: ObjectId,
    pub tenant: TenantId,
    pub display_name: String,
    /// Graph's `givenName` and `surname` (OpenID Connect's `given_name` and `family_name`): optional,
    /// as in Entra; users written before these existed have none.
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    pub enabled: bool,
    pub kind: UserKind,
    pub created: Timestamp,
}

impl User {
    pub fn upn(&self) -> &str {
        match &self.kind {
            UserKind::Member { upn, .. } | UserKind::Guest { upn, .. } => upn,
        }
    }
    pub fn mail(&self) -> Option<&str> {
        match &self.kind {
            UserKind::Member { mail, .. } => mail.as_deref(),
            UserKind::Guest { email, .. } => Some(email),
        }
    }
    pub fn is_member(&self) -> bool {
        matches!(self.kind, UserKind::Member { .. })
    }
    /// Members are present; guests once redeemed.
    pub fn is_present(&self) -> bool {
        match &self.kind {
            UserKind::Member { .. } => true,
            UserKind::Guest { state, .. } => *state == GuestState::Accepted,
        }
    }
    /// The identity this user object stands for.
    pub fn identity(&self) -> Option<Identity> {
        match &self.kind {
            UserKind::Member { .. } => Some(Identity::Organizational {
                tenant: self.tenant,
                user: self.id,
            }),
            UserKind::Guest { home, .. } => *home,
        }
    }
}

/// A client secret of an application, stored hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSecret {
    pub id: RequestId,
    /// The first three characters, as Entra shows them (`hint`).
    pub hint: String,
    pub hash: String,
    /// When it was added (Entra's `startDateTime`); secrets kept before this was recorded have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Timestamp>,
    pub expires: Option<Timestamp>,
}

/// An app registration with its service principal (one tenant, client credentials).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// The service principal's object id: the principal that role assignments name.
    pub id: ObjectId,
    /// The application object's id (Graph's `/applications/{id}`), distinct from the service
    /// principal's as in Entra. A managed identity has no application object, so none. Applications
    /// registered before the two were told apart kept the shared id here.
    #[serde(default)]
    pub object_id: Option<ObjectId>,
    pub tenant: TenantId,
    /// `appId` / `client_id`.
    pub client_id: uuid::Uuid,
    pub display_name: String,
    pub secrets: Vec<ClientSecret>,
    /// Public certificates it proves itself with (client assertions), Entra's `keyCredentials`.
    #[serde(default)]
    pub certificates: Vec<crate::certificates::ApplicationCertificate>,
    /// Redirect URIs for the authorization code flow (exact match).
    pub redirect_uris: Vec<String>,
    /// Entra's `groupMembershipClaims`: which groups the tokens it asks for name.
    pub group_membership_claims: GroupMembershipClaims,
    /// Set when this service principal is a managed identity (Entra's `servicePrincipalType:
    /// ManagedIdentity`): it has no application object, no secret, and lives and dies with its resource.
    pub managed_identity: Option<ManagedIdentityOf>,
    /// The external tokens it may sign in with instead of a secret (workload identity federation).
    /// Applications written before these existed have none.
    #[serde(default)]
    pub federated_credentials: Vec<FederatedCredential>,
    pub created: Timestamp,
}

impl Application {
    /// An app registration: it has an application object, which holds credentials and redirect URIs.
    /// A managed identity is a service principal without one (as in Entra).
    pub fn is_registration(&self) -> bool {
        self.managed_identity.is_none()
    }

    /// Entra's `servicePrincipalType`.
    pub fn service_principal_type(&self) -> &'static str {
        if !self.is_registration() {
            "ManagedIdentity"
        } else {
            "Application"
        }
    }
}

/// A federated identity credential of an application: a token of `issuer` about `subject`, for one of
/// `audiences`, signs the application in (Entra's `federatedIdentityCredential`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FederatedCredential {
    /// Graph's `id`.
    pub id: uuid::Uuid,
    /// Unique in the application, in any case; immutable once created, as in Entra.
    pub name: String,
    /// The external issuer's URL, compared exactly with the token's `iss`.
    pub issuer: String,
    /// Compared exactly with the token's `sub`.
    pub subject: String,
    /// Exactly one, as Entra requires (`api://AzureADTokenExchange` unless named).
    pub audiences: Vec<String>,
    pub description: Option<String>,
}

/// Entra's `groupMembershipClaims` of an application: whether its tokens carry a `groups` claim, and of
/// which groups. Id tokens follow the client's setting, access tokens the setting of the application
/// they are for (the resource), as in Entra.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum GroupMembershipClaims {
    /// No `groups` claim (Entra's default).
    #[default]
    None,
    /// The security groups the principal is in, directly or through nesting; id tokens also carry the
    /// directory roles (`wids`), as Entra's "security groups and Microsoft Entra roles".
    SecurityGroup,
    /// Every group the principal is in (security groups or not), and the directory roles.
    All,
}

impl GroupMembershipClaims {
    pub const ALL: [GroupMembershipClaims; 3] = [Self::None, Self::SecurityGroup, Self::All];

    /// Entra's spelling, which world files and the store use too.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::None => "None",
            Self::SecurityGroup => "SecurityGroup",
            Self::All => "All",
        }
    }

    /// By Entra's name, in any case.
    pub fn parse(s: &str) -> Option<Self> {
        let s = crate::rules::names::typed(s);
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }

    /// Whether a group of this kind is named in the claim.
    pub fn includes(&self, group: &Group) -> bool {
        match self {
            Self::None => false,
            Self::SecurityGroup => group.security_enabled,
            Self::All => true,
        }
    }
}

/// Whose managed identity a service principal is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedIdentityOf {
    /// A `Microsoft.ManagedIdentity/userAssignedIdentities` resource (user-assigned), or the resource
    /// whose system-assigned identity this is. Entra lists it in the principal's `alternativeNames`.
    pub resource: Scope,
    pub kind: ManagedIdentityKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ManagedIdentityKind {
    /// A resource of its own, assigned to any number of resources.
    UserAssigned,
    /// Created with its resource, deleted with it.
    SystemAssigned,
}

/// A security group of a tenant. Its members and owners are kept beside it in the tenant's part
/// ([`crate::world::TenantPart`]), so that changing them never rewrites the group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: ObjectId,
    pub tenant: TenantId,
    /// Unique in the tenant (case-insensitive): world files and the principal map refer to groups by it.
    pub display_name: String,
    pub description: Option<String>,
    /// Entra's `mailNickname`; a slug of the display name unless given.
    pub mail_nickname: String,
    pub security_enabled: bool,
    /// Entra's `isAssignableToRole`: the group may hold directory roles, and then cannot contain groups.
    /// Set when the group is created, never changed afterwards (as in Entra).
    pub role_assignable: bool,
    pub created: Timestamp,
}

/// A management group: a node of a tenant's hierarchy above its subscriptions. The tenant root group
/// (id = the tenant id, "Tenant Root Group") exists for every tenant without a row; it is stored only
/// once renamed. Access granted at a group applies to everything below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagementGroup {
    pub tenant: TenantId,
    /// The group's id in ARM paths (`/providers/Microsoft.Management/managementGroups/{name}`): unique in
    /// the tenant, compared without case as ARM does.
    pub name: String,
    pub display_name: String,
    /// The parent group's name; `None` directly under the tenant root group (and for the root itself).
    pub parent: Option<String>,
    /// When it was last written, and by whom (ARM's `details.updatedTime` and `updatedBy`).
    pub updated: Timestamp,
    pub updated_by: String,
}

/// A tenant's hierarchy settings (ARM's `…/managementGroups/{tenantId}/settings/default`), kept at the
/// tenant root group: whether creating a group under the root needs write access there, and the group
/// new subscriptions land under instead of the root. A tenant without them has Azure's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HierarchySettings {
    pub tenant: TenantId,
    /// On: a principal needs `Microsoft.Management/managementGroups/write` on the root group to create
    /// a group directly under it (off: any member of the directory may).
    pub require_authorization_for_group_creation: bool,
    /// The name of the group new subscriptions land under; `None` for the root.
    pub default_management_group: Option<String>,
    pub updated: Timestamp,
    pub updated_by: String,
}

/// A role assignment at a management group's scope, inherited by every group, subscription, resource
/// group and resource below it; or, with [`ROOT_SCOPE`], at the root scope `/` that a Global
/// Administrator's elevated access holds (User Access Administrator over the whole directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagementGroupRoleAssignment {
    pub id: RoleAssignmentId,
    pub tenant: TenantId,
    /// The group's name, or [`ROOT_SCOPE`].
    pub management_group: String,
    pub principal: ObjectId,
    pub principal_type: PrincipalType,
    /// A built-in role, or a custom role at home in this group or one above it.
    pub role_definition: RoleDefinitionId,
    pub created: Timestamp,
}

/// The root scope `/`, above every management group of the directory.
pub const ROOT_SCOPE: &str = "/";

/// The group a management group's scope names (`/providers/Microsoft.Management/managementGroups/{g}`,
/// any case); `None` for any other scope.
pub fn management_group_of_scope(scope: &str) -> Option<&str> {
    const PREFIX: &str = "/providers/Microsoft.Management/managementGroups/";
    let s = scope.trim().trim_end_matches('/');
    let rest = s.get(PREFIX.len()..)?;
    (s[..PREFIX.len()].eq_ignore_ascii_case(PREFIX) && !rest.is_empty() && !rest.contains('/'))
        .then_some(rest)
}

/// The directory roles tenantry knows, with Entra's role template ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DirectoryRole {
    GlobalAdministrator,
    UserAdministrator,
    GlobalReader,
    GroupsAdministrator,
}

impl DirectoryRole {
    pub const ALL: [DirectoryRole; 4] = [
        DirectoryRole::GlobalAdministrator,
        DirectoryRole::UserAdministrator,
        DirectoryRole::GlobalReader,
        DirectoryRole::GroupsAdministrator,
    ];
    pub fn template_id(&self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "62e90394-69f5-4237-9190-012177145e10",
            DirectoryRole::UserAdministrator => "fe930be7-5e62-47db-91af-98c3a49a38b1",
            DirectoryRole::GlobalReader => "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
            DirectoryRole::GroupsAdministrator => "fdd7a751-b60b-444a-984c-02652fe8fa1c",
        }
    }
    pub fn display_name(&self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "Global Administrator",
            DirectoryRole::UserAdministrator => "User Administrator",
            DirectoryRole::GlobalReader => "Global Reader",
            DirectoryRole::GroupsAdministrator => "Groups Administrator",
        }
    }
    pub fn description(&self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => {
                "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities."
            }
            DirectoryRole::UserAdministrator => {
                "Can manage all aspects of users and groups, including resetting passwords for limited admins."
            }
            DirectoryRole::GlobalReader => {
                "Can read everything that a Global Administrator can, but not update anything."
            }
            DirectoryRole::GroupsAdministrator => {
                "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports."
            }
        }
    }
    /// By display name (case-insensitive) or template id.
    pub fn parse(s: &str) -> Option<Self> {
        let s = crate::rules::names::typed(s);
        Self::ALL
            .into_iter()
            .find(|r| r.display_name().eq_ignore_ascii_case(s) || r.template_id() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SubscriptionState {
    Enabled,
    Warned,
    PastDue,
    Disabled,
    Deleted,
}

impl SubscriptionState {
    pub fn as_str(&self) -> &'static str {
        match self {
            SubscriptionState::Enabled => "Enabled",
            SubscriptionState::Warned => "Warned",
            SubscriptionState::PastDue => "PastDue",
            SubscriptionState::Disabled => "Disabled",
            SubscriptionState::Deleted => "Deleted",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Enabled,
            Self::Warned,
            Self::PastDue,
            Self::Disabled,
            Self::Deleted,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub display_name: String,
    pub state: SubscriptionState,
    /// The one tenant it trusts.
    pub tenant: TenantId,
    /// The billing owner: may change the service administrator.
    pub account_admin: Identity,
    pub service_admin: Identity,
    /// At most 200.
    pub co_admins: Vec<Identity>,
    /// Subscriptions written before they had tags have none.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Its predefined tag names with their predefined values ([`crate::tags::TagNames`]); those
    /// written before there were any have none.
    #[serde(default)]
    pub tag_names: BTreeMap<String, Vec<String>>,
    pub created: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceGroup {
    pub subscription: SubscriptionId,
    pub name: String,
    pub location: String,
    pub tags: BTreeMap<String, String>,
    pub managed_by: Option<String>,
    pub created: Timestamp,
}

/// Any resource under a group (`providers/{namespace}/{type}/{name}`), its properties kept as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// The full scope of the resource.
    pub scope: Scope,
    pub location: Option<String>,
    pub kind: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub properties: serde_json::Value,
    /// The managed identities it asked for (ARM's `identity` block); the principals themselves are
    /// service principals of the subscription's directory ([`ManagedIdentityOf`]).
    pub identity: Option<ResourceIdentity>,
    pub created: Timestamp,
}

/// What a resource's `identity` block declares.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResourceIdentity {
    /// A system-assigned identity: a service principal created with the resource.
    pub system_assigned: bool,
    /// Resource ids of the user-assigned identities assigned to it.
    pub user_assigned: Vec<Scope>,
    /// Secrets that let a process act as this resource's identities at the managed-identity token
    /// endpoints (`tenantry identity env`). They live with the identity block: switching the resource's
    /// identities off, or deleting the resource, revokes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoint_secrets: Vec<IdentityEndpointSecret>,
}

/// A secret issued to a process so that it may ask for its resource's identities' tokens. Only its
/// hash is kept: a random 256-bit value needs no slow hash (nothing to guess), so a SHA-256 compared in
/// constant time is enough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityEndpointSecret {
    pub id: RequestId,
    pub hash: String,
    pub created: Timestamp,
}

impl ResourceIdentity {
    /// ARM's `identity.type`.
    pub fn type_name(&self) -> &'static str {
        match (self.system_assigned, !self.user_assigned.is_empty()) {
            (true, true) => "SystemAssigned, UserAssigned",
            (true, false) => "SystemAssigned",
            (false, true) => "UserAssigned",
            (false, false) => "None",
        }
    }
    pub fn is_none(&self) -> bool {
        !self.system_assigned && self.user_assigned.is_empty()
    }
}

/// The permission block of a role definition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Permission {
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub data_actions: Vec<String>,
    pub not_data_actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDefinition {
    pub id: RoleDefinitionId,
    /// `None` for built-in roles and for those whose home is a management group; a subscription's custom
    /// roles belong to the subscription they were made in.
    pub subscription: Option<SubscriptionId>,
    /// The directory of a custom role whose home is a management group: the one group its assignable
    /// scopes name (beside subscriptions and resource groups of the same directory). `None` otherwise.
    #[serde(default)]
    pub tenant: Option<TenantId>,
    pub name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
    /// Scopes where it may be assigned (`/` for built-ins).
    pub assignable_scopes: Vec<String>,
    pub created: Timestamp,
}

impl RoleDefinition {
    pub fn is_custom(&self) -> bool {
        self.subscription.is_some() || self.tenant.is_some()
    }
    /// The management group a role of a directory is at home in: the group its assignable scopes name.
    /// `None` for built-in roles and a subscription's.
    pub fn home_group(&self) -> Option<&str> {
        self.tenant?;
        self.assignable_scopes
            .iter()
            .find_map(|s| management_group_of_scope(s))
    }
    pub fn role_type(&self) -> &'static str {
        if self.is_custom() {
            "CustomRole"
        } else {
            "BuiltInRole"
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PrincipalType {
    User,
    ServicePrincipal,
    Group,
    ForeignGroup,
    Device,
}

impl PrincipalType {
    pub fn as_str(&self) -> &'static str {
        match self {
            PrincipalType::User => "User",
            PrincipalType::ServicePrincipal => "ServicePrincipal",
            PrincipalType::Group => "Group",
            PrincipalType::ForeignGroup => "ForeignGroup",
            PrincipalType::Device => "Device",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::User,
            Self::ServicePrincipal,
            Self::Group,
            Self::ForeignGroup,
            Self::Device,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub id: RoleAssignmentId,
    pub subscription: SubscriptionId,
    pub scope: Scope,
    pub principal: ObjectId,
    pub principal_type: PrincipalType,
    pub role_definition: RoleDefinitionId,
    pub description: Option<String>,
    pub created: Timestamp,
    /// Object id of who made it, when known.
    pub created_by: Option<ObjectId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestStatus {
    Pending,
    Completed,
    Declined,
    Cancelled,
    Expired,
}

impl RequestStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            RequestStatus::Pending => "Pending",
            RequestStatus::Completed => "Completed",
            RequestStatus::Declined => "Declined",
            RequestStatus::Cancelled => "Cancelled",
            RequestStatus::Expired => "Expired",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Completed,
            Self::Declined,
            Self::Cancelled,
            Self::Expired,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

/// "Use existing directory": a subscription's service administrator asks to become a guest of a tenant,
/// which a Global Administrator of that tenant approves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryLinkRequest {
    pub id: RequestId,
    /// The tenant to link (the target).
    pub tenant: TenantId,
    pub subscription: SubscriptionId,
    pub requester: Identity,
    pub status: RequestStatus,
    pub created: Timestamp,
    pub expires: Timestamp,
    /// Object id (in the target tenant) of who approved or declined.
    pub decided_by: Option<ObjectId>,
}

/// What a subscription created through an alias is for (ARM's `workload`): it changes nothing in
/// tenantry, which has no billing, and is kept to be answered as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Workload {
    Production,
    DevTest,
}

impl Workload {
    pub fn as_str(&self) -> &'static str {
        match self {
            Workload::Production => "Production",
            Workload::DevTest => "DevTest",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Production, Self::DevTest]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

/// A subscription alias (`Microsoft.Subscription/aliases/{name}`): the name under which a subscription
/// was asked for in a tenant. Deleting it leaves the subscription, as in Azure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionAlias {
    /// The tenant the alias was made in (the caller's).
    pub tenant: TenantId,
    /// As first given; unique in the tenant, compared without case.
    pub name: String,
    pub subscription: SubscriptionId,
    pub workload: Workload,
    /// Recorded, never checked: tenantry has no billing model.
    pub billing_scope: Option<String>,
    /// The management group asked for, recorded as given.
    pub management_group: Option<String>,
    /// Object id of who made it (in `tenant`), when a principal did.
    pub created_by: Option<ObjectId>,
    pub created: Timestamp,
}

/// A B2B invitation: its guest user object exists (pending) from the start, as in Entra.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: RequestId,
    pub tenant: TenantId,
    pub email: String,
    pub guest: ObjectId,
    pub invited_by: Option<ObjectId>,
    pub status: RequestStatus,
    pub created: Timestamp,
}

/// A mapping entry for re-granting access after a change of directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrincipalMapEntry {
    /// An old principal: object id, UPN or email in the source tenant.
    pub from: String,
    /// A principal of the destination: object id, UPN or email.
    pub to: String,
}

/// A change of directory waiting for acceptance by a principal of the destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeTenantRequest {
    pub subscription: SubscriptionId,
    pub source: TenantId,
    pub destination: TenantId,
    /// Who must accept; any Global Administrator of the destination when absent.
    pub destination_owner: Option<ObjectId>,
    pub principal_map: Vec<PrincipalMapEntry>,
    pub initiator: Identity,
    pub status: RequestStatus,
    pub created: Timestamp,
    pub expires: Timestamp,
}

/// How long a change-of-directory request waits for acceptance.
pub const CHANGE_REQUEST_LIFETIME: i64 = 7 * 24 * 3600;
/// How long a directory link request waits for approval.
pub const LINK_REQUEST_LIFETIME: i64 = 24 * 3600;
/// Azure's limits.
pub const MAX_CO_ADMINS: usize = 200;
pub const MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION: usize = 4000;
pub const MAX_CUSTOM_ROLES_PER_TENANT: usize = 5000;
