//! The whole world in memory, organised in partitions (accounts, tenants, subscriptions) with the indexes
//! the rules and the authorization engine look things up by. A partition is replaced as a whole when it is
//! reloaded from the database; mutations apply to it in place.

use crate::action::CompiledRole;
use crate::ids::*;
use crate::model::*;
use crate::mutation::Partition;
use crate::roles;
use crate::rules::names::typed;
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod apply;
mod assignments;
mod groups;
mod hierarchy;
mod hierarchy_index;
mod upn_index;

pub use assignments::Assignments;
pub(crate) use hierarchy_index::reaches;

pub use hierarchy::{MAX_MANAGEMENT_GROUP_DEPTH, MAX_MANAGEMENT_GROUPS, ROOT_GROUP_DISPLAY_NAME};

/// A tenant and everything that lives in it.
#[derive(Debug, Clone)]
pub struct TenantPart {
    pub tenant: Tenant,
    pub users: IdMap<ObjectId, User>,
    pub applications: IdMap<ObjectId, Application>,
    pub groups: IdMap<ObjectId, Group>,
    /// Direct memberships: (group, member).
    pub group_members: BTreeSet<(ObjectId, ObjectId)>,
    /// (group, owner).
    pub group_owners: BTreeSet<(ObjectId, ObjectId)>,
    pub role_members: BTreeSet<(DirectoryRole, ObjectId)>,
    pub invitations: BTreeMap<RequestId, Invitation>,
    pub link_requests: BTreeMap<RequestId, DirectoryLinkRequest>,
    /// Subscription aliases made in the tenant, by lowercase name.
    pub aliases: BTreeMap<String, SubscriptionAlias>,
    /// The tenant's management groups by lowercase name (the root group only once renamed). This and
    /// the next two are written only through their setters (`world/hierarchy.rs`), which keep the
    /// index authorization reads (`hierarchy`).
    management_groups: BTreeMap<String, ManagementGroup>,
    /// Each subscription placed under a management group other than the root, and that group's name.
    subscription_parents: BTreeMap<SubscriptionId, String>,
    /// Role assignments at management groups (and the root scope), by principal, each list sorted by id.
    group_assignments: BTreeMap<ObjectId, Vec<ManagementGroupRoleAssignment>>,
    /// Custom roles whose home is one of the tenant's management groups (`RoleDefinition::tenant`).
    pub custom_roles: BTreeMap<RoleDefinitionId, RoleDefinition>,
    /// Those roles compiled, for authorization (`World::inherits`) to look one up without allocating.
    compiled_custom: IdMap<RoleDefinitionId, CompiledRole>,
    /// The hierarchy settings, once written (Azure's defaults until then).
    pub hierarchy_settings: Option<HierarchySettings>,
    /// Transitive membership and group names, derived from the fields above (`world/groups.rs`).
    memberships: groups::Memberships,
    /// The hierarchy as authorization reads it, derived from the three fields above
    /// (`world/hierarchy_index.rs`).
    hierarchy: hierarchy_index::HierarchyIndex,
}

impl PartialEq for TenantPart {
    /// Parts are equal when their data is; the index follows from the data.
    fn eq(&self, o: &Self) -> bool {
        self.tenant == o.tenant
            && self.users == o.users
            && self.applications == o.applications
            && self.groups == o.groups
            && self.group_members == o.group_members
            && self.group_owners == o.group_owners
            && self.role_members == o.role_members
            && self.invitations == o.invitations
            && self.link_requests == o.link_requests
            && self.aliases == o.aliases
            && self.management_groups == o.management_groups
            && self.subscription_parents == o.subscription_parents
            && self.group_assignments == o.group_assignments
            && self.custom_roles == o.custom_roles
            && self.hierarchy_settings == o.hierarchy_settings
    }
}

impl TenantPart {
    pub fn new(tenant: Tenant) -> Self {
        Self {
            tenant,
            users: IdMap::default(),
            applications: IdMap::default(),
            groups: IdMap::default(),
            group_members: BTreeSet::new(),
            group_owners: BTreeSet::new(),
            role_members: BTreeSet::new(),
            invitations: BTreeMap::new(),
            link_requests: BTreeMap::new(),
            aliases: BTreeMap::new(),
            management_groups: BTreeMap::new(),
            subscription_parents: BTreeMap::new(),
            group_assignments: BTreeMap::new(),
            custom_roles: BTreeMap::new(),
            compiled_custom: IdMap::default(),
            hierarchy_settings: None,
            memberships: Default::default(),
            hierarchy: Default::default(),
        }
    }
    pub fn has_role(&self, object: ObjectId, role: DirectoryRole) -> bool {
        self.role_members.contains(&(role, object))
    }
    pub fn role_holders(&self, role: DirectoryRole) -> impl Iterator<Item = ObjectId> + '_ {
        self.role_members
            .iter()
            .filter(move |(r, _)| *r == role)
            .map(|(_, o)| *o)
    }
    pub fn put_custom_role(&mut self, d: RoleDefinition) {
        put_custom(&mut self.custom_roles, &mut self.compiled_custom, d);
    }

    pub fn remove_custom_role(&mut self, id: RoleDefinitionId) {
        self.custom_roles.remove(&id);
        self.compiled_custom.remove(&id);
    }

    /// A custom role of the tenant's management groups, compiled.
    pub fn compiled_custom(&self, id: RoleDefinitionId) -> Option<&CompiledRole> {
        self.compiled_custom.get(&id)
    }

    /// The tenant's custom roles at home in a group above a subscription of the tenant.
    pub fn custom_roles_reaching_subscription(
        &self,
        subscription: SubscriptionId,
    ) -> impl Iterator<Item = &RoleDefinition> + '_ {
        self.custom_roles.values().filter(move |d| {
            d.home_group()
                .is_some_and(|h| self.assignment_reaches_subscription(h, subscription))
        })
    }

    pub fn roles_of(&self, object: ObjectId) -> Vec<DirectoryRole> {
        self.role_members
            .iter()
            .filter(|(_, o)| *o == object)
            .map(|(r, _)| *r)
            .collect()
    }
}

/// A subscription and everything that lives in it, with the per-principal index of its assignments.
#[derive(Debug, Clone)]
pub struct SubscriptionPart {
    pub subscription: Subscription,
    /// By lowercase name.
    pub resource_groups: BTreeMap<String, ResourceGroup>,
    /// By scope key (lowercase scope).
    pub resources: BTreeMap<String, Resource>,
    pub custom_roles: BTreeMap<RoleDefinitionId, RoleDefinition>,
    /// With the per-principal index and the filter of groups that hold some (authorization skips the
    /// others without a lookup).
    pub assignments: Assignments,
    pub change_request: Option<ChangeTenantRequest>,
    compiled_custom: IdMap<RoleDefinitionId, CompiledRole>,
}

/// Which groups hold role assignments at which scopes of a subscription, as a Bloom filter of (group,
/// scope) pairs, blocked by group (16 KiB, one word read per group, so it stays in the processor's
/// nearest caches). A principal is in some forty
/// groups, and few of them hold an assignment at one of the two or three scopes that contain the scope
/// checked: the filter answers "none" for most of them without a lookup, and never for one that holds
/// one. Bits are set as assignments to groups are added and all cleared when the last goes (or the part
/// is reloaded): in between, a removed assignment's bits may let a lookup through for nothing.
#[derive(Clone, Default)]
struct GroupFilter {
    /// Assignments to groups.
    count: usize,
    /// `None` while there are none.
    bits: Option<Box<[u64]>>,
}

impl GroupFilter {
    /// 2,048 words: each group's bits are in one of them, so a check reads one word per group.
    const WORDS: usize = 1 << 11;

    fn word(group: ObjectId) -> usize {
        let v = group.0.as_u128();
        let g = (v as u64) ^ ((v >> 64) as u64).rotate_left(32);
        (g.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 53) as usize
    }
    /// Two bits of the group's word for an assignment at the scope whose key hashes to `scope`.
    fn mask(group: ObjectId, scope: u64) -> u64 {
        let h = (group.0.as_u128() as u64 ^ scope).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        (1 << (h >> 58)) | (1 << ((h >> 52) & 63))
    }
    fn add(&mut self, group: ObjectId, scope_key: &str) {
        self.count += 1;
        let bits = self
            .bits
            .get_or_insert_with(|| vec![0u64; Self::WORDS].into_boxed_slice());
        bits[Self::word(group)] |= Self::mask(group, ScopePrefixes::hash(scope_key));
    }
    fn remove(&mut self) {
        self.count = self.count.saturating_sub(1);
        if self.count == 0 {
            self.bits = None;
        }
    }
    /// Whether `group` may hold an assignment at a scope that contains the one `at` describes.
    fn may_hold(&self, group: ObjectId, at: &ScopePrefixes) -> bool {
        let Some(bits) = &self.bits else {
            return false;
        };
        let word = bits[Self::word(group)];
        word != 0
            && (at.overflow
                || at.hashes[..at.len].iter().any(|h| {
                    let m = Self::mask(group, *h);
                    word & m == m
                }))
    }
}

impl std::fmt::Debug for GroupFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GroupFilter({} assignments to groups)", self.count)
    }
}

/// The hashes of a scope key and of each of its prefixes that ends before a `/`: among them are the keys
/// of every scope that contains it (a scope contains another when its key is such a prefix). Computed
/// once per check, on the stack.
pub(crate) struct ScopePrefixes {
    hashes: [u64; 24],
    len: usize,
    /// More prefixes than fit: the filter then lets everything through.
    overflow: bool,
}

impl ScopePrefixes {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    /// FNV-1a of a whole key.
    fn hash(key: &str) -> u64 {
        key.bytes().fold(Self::OFFSET, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(Self::PRIME)
        })
    }

    pub(crate) fn of(key: &str) -> Self {
        let mut p = ScopePrefixes {
            hashes: [0; 24],
            len: 0,
            overflow: false,
        };
        let mut h = Self::OFFSET;
        for b in key.bytes() {
            if b == b'/' && h != Self::OFFSET {
                p.push(h);
            }
            h = (h ^ u64::from(b)).wrapping_mul(Self::PRIME);
        }
        p.push(h);
        p
    }

    fn push(&mut self, h: u64) {
        if self.len == self.hashes.len() {
            self.overflow = true;
        } else {
            self.hashes[self.len] = h;
            self.len += 1;
        }
    }
}

/// Files a custom role with its compiled form (a subscription's or a directory's).
fn put_custom(
    defs: &mut BTreeMap<RoleDefinitionId, RoleDefinition>,
    compiled: &mut IdMap<RoleDefinitionId, CompiledRole>,
    d: RoleDefinition,
) {
    compiled.insert(d.id, CompiledRole::new(&d.permissions));
    defs.insert(d.id, d);
}

/// The compiled forms of custom roles, when a partition is loaded.
fn compile_all(
    defs: &BTreeMap<RoleDefinitionId, RoleDefinition>,
) -> IdMap<RoleDefinitionId, CompiledRole> {
    defs.values()
        .map(|d| (d.id, CompiledRole::new(&d.permissions)))
        .collect()
}

impl PartialEq for SubscriptionPart {
    fn eq(&self, o: &Self) -> bool {
        self.subscription == o.subscription
            && self.resource_groups == o.resource_groups
            && self.resources == o.resources
            && self.custom_roles == o.custom_roles
            && self.assignments == o.assignments
            && self.change_request == o.change_request
    }
}

impl SubscriptionPart {
    pub fn new(subscription: Subscription) -> Self {
        Self {
            subscription,
            resource_groups: BTreeMap::new(),
            resources: BTreeMap::new(),
            custom_roles: BTreeMap::new(),
            assignments: Assignments::default(),
            change_request: None,
            compiled_custom: IdMap::default(),
        }
    }

    /// Room for `more` assignments, when a load knows how many are coming.
    pub fn reserve_assignments(&mut self, more: usize) {
        self.assignments.reserve(more);
    }

    /// Adds an assignment (replacing the one with the same id), indexed.
    pub fn insert_assignment(&mut self, a: RoleAssignment) {
        self.assignments.insert(a);
    }

    /// Whether any role assignment of the subscription names a group.
    pub fn has_group_assignments(&self) -> bool {
        self.assignments.group_holders.count > 0
    }

    /// Whether `group` may hold a role assignment at a scope that contains the one `at` describes:
    /// `false` means it holds none there (see `GroupFilter`).
    pub(crate) fn may_hold_assignment(&self, group: ObjectId, at: &ScopePrefixes) -> bool {
        self.assignments.group_holders.may_hold(group, at)
    }

    pub fn remove_assignment(&mut self, id: RoleAssignmentId) -> Option<RoleAssignment> {
        self.assignments.remove(&id)
    }

    /// Removes every role assignment of the subscription.
    pub fn clear_assignments(&mut self) {
        self.assignments = Assignments::default();
    }

    pub fn put_custom_role(&mut self, d: RoleDefinition) {
        put_custom(&mut self.custom_roles, &mut self.compiled_custom, d);
    }

    pub fn remove_custom_role(&mut self, id: RoleDefinitionId) {
        self.custom_roles.remove(&id);
        self.compiled_custom.remove(&id);
    }

    /// The assignments of one principal in this subscription.
    pub fn assignments_of(&self, principal: ObjectId) -> impl Iterator<Item = &RoleAssignment> {
        self.assignments.of(principal)
    }

    pub fn compiled_custom(&self, id: RoleDefinitionId) -> Option<&CompiledRole> {
        self.compiled_custom.get(&id)
    }

    pub fn resource_group(&self, name: &str) -> Option<&ResourceGroup> {
        self.resource_groups.get(&name.to_lowercase())
    }
}

/// What an email is known as: a personal account, member users (by UPN or mail), or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmailMatches {
    pub personal: Option<AccountId>,
    pub organizational: Vec<(TenantId, ObjectId)>,
}

impl EmailMatches {
    pub fn is_dual(&self) -> bool {
        self.personal.is_some() && !self.organizational.is_empty()
    }
    pub fn is_empty(&self) -> bool {
        self.personal.is_none() && self.organizational.is_empty()
    }
}

/// A principal of a tenant: what a role assignment, a directory role or a group membership may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalRef<'a> {
    User(&'a User),
    ServicePrincipal(&'a Application),
    Group(&'a Group),
}

impl PrincipalRef<'_> {
    pub fn principal_type(&self) -> PrincipalType {
        match self {
            PrincipalRef::User(_) => PrincipalType::User,
            PrincipalRef::ServicePrincipal(_) => PrincipalType::ServicePrincipal,
            PrincipalRef::Group(_) => PrincipalType::Group,
        }
    }
    pub fn id(&self) -> ObjectId {
        match self {
            PrincipalRef::User(u) => u.id,
            PrincipalRef::ServicePrincipal(a) => a.id,
            PrincipalRef::Group(g) => g.id,
        }
    }
    /// UPN for users, the display name for service principals and groups.
    pub fn name(&self) -> String {
        match self {
            PrincipalRef::User(u) => u.upn().to_string(),
            PrincipalRef::ServicePrincipal(a) => a.display_name.clone(),
            PrincipalRef::Group(g) => g.display_name.clone(),
        }
    }
    /// Present: a member, a redeemed guest, a service principal or a group.
    pub fn is_present(&self) -> bool {
        match self {
            PrincipalRef::User(u) => u.is_present(),
            PrincipalRef::ServicePrincipal(_) | PrincipalRef::Group(_) => true,
        }
    }
}

/// How world files and the principal map name a group: `group:NAME`.
pub const GROUP_PREFIX: &str = "group:";

/// The group name in `group:NAME` (the prefix in any case), or `None` for another kind of key.
pub fn group_key(key: &str) -> Option<&str> {
    let key = typed(key);
    key.get(..GROUP_PREFIX.len())
        .filter(|p| p.eq_ignore_ascii_case(GROUP_PREFIX))
        .map(|_| typed(&key[GROUP_PREFIX.len()..]))
}

#[derive(Debug, Clone)]
pub struct World {
    accounts: HashMap<AccountId, PersonalAccount>,
    tenants: IdMap<TenantId, TenantPart>,
    subscriptions: IdMap<SubscriptionId, SubscriptionPart>,
    built_in: Vec<RoleDefinition>,
    built_in_compiled: IdMap<RoleDefinitionId, CompiledRole>,
    // Global indexes, all keys lowercase.
    account_by_email: HashMap<String, AccountId>,
    tenant_by_name: HashMap<String, TenantId>,
    tenant_by_domain: HashMap<String, TenantId>,
    object_tenant: IdMap<ObjectId, TenantId>,
    member_by_upn: upn_index::UpnIndex,
    members_by_mail: HashMap<String, Vec<(TenantId, ObjectId)>>,
    app_by_client_id: HashMap<uuid::Uuid, (TenantId, ObjectId)>,
    /// Application object id → its service principal (the key of `TenantPart::applications`).
    app_by_object_id: IdMap<ObjectId, (TenantId, ObjectId)>,
    /// Managed identities by the key of the resource they belong to.
    identity_by_resource: HashMap<String, (TenantId, ObjectId)>,
    guests_by_identity: HashMap<Identity, Vec<(TenantId, ObjectId)>>,
    subscriptions_by_tenant: HashMap<TenantId, BTreeSet<SubscriptionId>>,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for World {
    /// Worlds are equal when their data is; indexes follow from the data.
    fn eq(&self, o: &Self) -> bool {
        self.accounts == o.accounts
            && self.tenants == o.tenants
            && self.subscriptions == o.subscriptions
    }
}

impl World {
    pub fn new() -> Self {
        let built_in = roles::built_in_roles();
        let built_in_compiled = built_in
            .iter()
            .map(|r| (r.id, CompiledRole::new(&r.permissions)))
            .collect();
        Self {
            accounts: HashMap::new(),
            tenants: IdMap::default(),
            subscriptions: IdMap::default(),
            built_in,
            built_in_compiled,
            account_by_email: HashMap::new(),
            tenant_by_name: HashMap::new(),
            tenant_by_domain: HashMap::new(),
            object_tenant: IdMap::default(),
            member_by_upn: upn_index::UpnIndex::default(),
            members_by_mail: HashMap::new(),
            app_by_client_id: HashMap::new(),
            app_by_object_id: IdMap::default(),
            identity_by_resource: HashMap::new(),
            guests_by_identity: HashMap::new(),
            subscriptions_by_tenant: HashMap::new(),
        }
    }

    // ----- reading -----

    pub fn accounts(&self) -> impl Iterator<Item = &PersonalAccount> {
        self.accounts.values()
    }
    pub fn account(&self, id: AccountId) -> Option<&PersonalAccount> {
        self.accounts.get(&id)
    }
    pub fn account_by_email(&self, email: &str) -> Option<&PersonalAccount> {
        self.account_by_email
            .get(&typed(email).to_lowercase())
            .and_then(|id| self.accounts.get(id))
    }
    pub fn tenants(&self) -> impl Iterator<Item = &TenantPart> {
        self.tenants.values()
    }
    pub fn tenant(&self, id: TenantId) -> Option<&TenantPart> {
        self.tenants.get(&id)
    }
    pub fn tenant_by_name(&self, name: &str) -> Option<&TenantPart> {
        self.tenant_by_name
            .get(&typed(name).to_lowercase())
            .and_then(|id| self.tenants.get(id))
    }
    pub fn tenant_by_domain(&self, domain: &str) -> Option<&TenantPart> {
        self.tenant_by_domain
            .get(&typed(domain).to_lowercase())
            .and_then(|id| self.tenants.get(id))
    }
    /// A tenant by GUID, name or any of its domains.
    pub fn find_tenant(&self, key: &str) -> Option<&TenantPart> {
        if let Ok(id) = key.parse::<TenantId>() {
            return self.tenant(id);
        }
        self.tenant_by_domain(key)
            .or_else(|| self.tenant_by_name(key))
    }
    pub fn subscriptions(&self) -> impl Iterator<Item = &SubscriptionPart> {
        self.subscriptions.values()
    }
    pub fn subscription(&self, id: SubscriptionId) -> Option<&SubscriptionPart> {
        self.subscriptions.get(&id)
    }
    pub fn subscriptions_of_tenant(
        &self,
        tenant: TenantId,
    ) -> impl Iterator<Item = &SubscriptionPart> {
        self.subscriptions_by_tenant
            .get(&tenant)
            .into_iter()
            .flatten()
            .filter_map(|id| self.subscriptions.get(id))
    }

    /// The tenant an object (user, service principal or group) lives in.
    pub fn tenant_of_object(&self, object: ObjectId) -> Option<TenantId> {
        self.object_tenant.get(&object).copied()
    }
    pub fn user(&self, object: ObjectId) -> Option<&User> {
        let t = self.object_tenant.get(&object)?;
        self.tenants.get(t)?.users.get(&object)
    }
    pub fn application(&self, object: ObjectId) -> Option<&Application> {
        let t = self.object_tenant.get(&object)?;
        self.tenants.get(t)?.applications.get(&object)
    }
    pub fn group(&self, object: ObjectId) -> Option<&Group> {
        let t = self.object_tenant.get(&object)?;
        self.tenants.get(t)?.groups.get(&object)
    }
    /// Every group of `tenant` a principal is in, directly or through nesting (see
    /// [`TenantPart::groups_of`]).
    pub fn groups_of(&self, tenant: TenantId, principal: ObjectId) -> &[ObjectId] {
        self.tenants
            .get(&tenant)
            .map_or(&[], |t| t.groups_of(principal))
    }
    /// An application by the id of its application object (not its service principal's).
    pub fn application_by_object_id(&self, object: ObjectId) -> Option<&Application> {
        let (t, o) = self.app_by_object_id.get(&object)?;
        self.tenants.get(t)?.applications.get(o)
    }
    pub fn application_by_client_id(&self, client_id: uuid::Uuid) -> Option<&Application> {
        let (t, o) = self.app_by_client_id.get(&client_id)?;
        self.tenants.get(t)?.applications.get(o)
    }
    /// The managed identity (its service principal) of a resource: the identity a
    /// `userAssignedIdentities` resource is, or the system-assigned identity of any other resource.
    pub fn managed_identity(&self, resource: &crate::scope::Scope) -> Option<&Application> {
        let (t, o) = self.identity_by_resource.get(resource.key())?;
        self.tenants.get(t)?.applications.get(o)
    }
    pub fn member_by_upn(&self, upn: &str) -> Option<&User> {
        let (t, o) = self
            .member_by_upn
            .get(&typed(upn).to_lowercase(), |p| self.upn_of(p))?;
        self.tenants.get(&t)?.users.get(&o)
    }

    /// A principal of `tenant` by object id.
    pub fn principal(&self, tenant: TenantId, object: ObjectId) -> Option<PrincipalRef<'_>> {
        let part = self.tenants.get(&tenant)?;
        if let Some(u) = part.users.get(&object) {
            return Some(PrincipalRef::User(u));
        }
        if let Some(g) = part.groups.get(&object) {
            return Some(PrincipalRef::Group(g));
        }
        part.applications
            .get(&object)
            .map(PrincipalRef::ServicePrincipal)
    }

    /// A principal of `tenant` named by object id, UPN, email (members' mail or guests' email), an
    /// application's client id, or a group's display name (`group:NAME`, or the bare name when no user
    /// answers to it): how the world file and the APIs let people name principals.
    pub fn find_principal(&self, tenant: TenantId, key: &str) -> Option<PrincipalRef<'_>> {
        let key = typed(key);
        if let Some(name) = group_key(key) {
            return self
                .tenants
                .get(&tenant)?
                .group_by_name(name)
                .map(PrincipalRef::Group);
        }
        if let Ok(u) = key.parse::<uuid::Uuid>() {
            if let Some(p) = self.principal(tenant, ObjectId(u)) {
                return Some(p);
            }
            return self
                .application_by_client_id(u)
                .filter(|a| a.tenant == tenant)
                .map(PrincipalRef::ServicePrincipal);
        }
        let part = self.tenants.get(&tenant)?;
        // Several objects may answer to one name (a pending invitation beside the redeemed guest of the
        // same person): the present one wins, then the lowest id, whatever order the users are kept in.
        let pick = |matches: &dyn Fn(&User) -> bool| {
            part.users
                .values()
                .filter(|u| matches(u))
                .min_by_key(|u| (!u.is_present(), u.id))
        };
        pick(&|u| u.upn().eq_ignore_ascii_case(key))
            .or_else(|| pick(&|u| u.mail().is_some_and(|m| m.eq_ignore_ascii_case(key))))
            .map(PrincipalRef::User)
            .or_else(|| part.group_by_name(key).map(PrincipalRef::Group))
    }

    /// What an email is known as (members by UPN or mail; personal accounts by email).
    pub fn email_matches(&self, email: &str) -> EmailMatches {
        let key = typed(email).to_lowercase();
        let mut organizational: Vec<(TenantId, ObjectId)> = self
            .member_by_upn
            .get(&key, |p| self.upn_of(p))
            .into_iter()
            .collect();
        for m in self.members_by_mail.get(&key).into_iter().flatten() {
            if !organizational.contains(m) {
                organizational.push(*m);
            }
        }
        EmailMatches {
            personal: self.account_by_email.get(&key).copied(),
            organizational,
        }
    }

    /// The sign-in name of an identity: a personal account's email or a member's UPN.
    pub fn identity_email(&self, identity: Identity) -> Option<String> {
        match identity {
            Identity::Personal { account } => self.accounts.get(&account).map(|a| a.email.clone()),
            Identity::Organizational { tenant, user } => self
                .tenants
                .get(&tenant)?
                .users
                .get(&user)
                .map(|u| u.upn().to_string()),
        }
    }

    /// The emails an identity is known by (UPN and mail for members).
    pub fn identity_emails(&self, identity: Identity) -> Vec<String> {
        match identity {
            Identity::Personal { account } => self
                .accounts
                .get(&account)
                .map(|a| vec![a.email.clone()])
                .unwrap_or_default(),
            Identity::Organizational { tenant, user } => {
                match self.tenants.get(&tenant).and_then(|t| t.users.get(&user)) {
                    Some(u) => {
                        let mut v = vec![u.upn().to_string()];
                        if let Some(m) = u.mail()
                            && !m.eq_ignore_ascii_case(u.upn())
                        {
                            v.push(m.to_string());
                        }
                        v
                    }
                    None => vec![],
                }
            }
        }
    }

    pub fn identity_exists(&self, identity: Identity) -> bool {
        match identity {
            Identity::Personal { account } => self.accounts.contains_key(&account),
            Identity::Organizational { tenant, user } => self
                .tenants
                .get(&tenant)
                .and_then(|t| t.users.get(&user))
                .is_some_and(|u| u.is_member()),
        }
    }

    /// The object by which `identity` is present in `tenant`: its member user, or its redeemed guest.
    pub fn presence(&self, identity: Identity, tenant: TenantId) -> Option<ObjectId> {
        if let Identity::Organizational { tenant: home, user } = identity
            && home == tenant
        {
            return Some(user);
        }
        self.guests_by_identity
            .get(&identity)
            .into_iter()
            .flatten()
            .find(|(t, o)| {
                *t == tenant
                    && self
                        .tenants
                        .get(t)
                        .and_then(|p| p.users.get(o))
                        .is_some_and(|u| u.is_present())
            })
            .map(|(_, o)| *o)
    }

    /// The guest objects that stand for `identity`, redeemed or not: (their tenant, their object id).
    pub(crate) fn guests_by_identity(&self, identity: Identity) -> &[(TenantId, ObjectId)] {
        self.guests_by_identity.get(&identity).map_or(&[], |v| v)
    }

    /// Every tenant where `identity` is present: its home tenant and those where it is a redeemed guest.
    pub fn tenants_of_identity(&self, identity: Identity) -> Vec<(TenantId, ObjectId)> {
        let mut out = Vec::new();
        if let Identity::Organizational { tenant, user } = identity {
            out.push((tenant, user));
        }
        for (t, o) in self.guests_by_identity.get(&identity).into_iter().flatten() {
            if self
                .tenants
                .get(t)
                .and_then(|p| p.users.get(o))
                .is_some_and(|u| u.is_present())
            {
                out.push((*t, *o));
            }
        }
        out
    }

    /// All guest objects (pending or redeemed) of an identity.
    pub fn guest_objects(&self, identity: Identity) -> Vec<(TenantId, ObjectId)> {
        self.guests_by_identity
            .get(&identity)
            .cloned()
            .unwrap_or_default()
    }

    pub fn built_in_roles(&self) -> &[RoleDefinition] {
        &self.built_in
    }

    /// A role definition known in `subscription`: a built-in one, one of its custom roles, or one of
    /// its directory's management groups (what its assignments may name).
    pub fn role_definition(
        &self,
        subscription: SubscriptionId,
        id: RoleDefinitionId,
    ) -> Option<&RoleDefinition> {
        let part = self.subscriptions.get(&subscription);
        self.built_in
            .iter()
            .find(|r| r.id == id)
            .or_else(|| part?.custom_roles.get(&id))
            .or_else(|| {
                self.tenants
                    .get(&part?.subscription.tenant)?
                    .custom_roles
                    .get(&id)
            })
    }

    /// A role definition an assignment at a management group of `tenant` may name: a built-in one or
    /// one of the tenant's groups.
    pub fn group_role_definition<'a>(
        &'a self,
        tenant: &'a TenantPart,
        id: RoleDefinitionId,
    ) -> Option<&'a RoleDefinition> {
        self.built_in
            .iter()
            .find(|r| r.id == id)
            .or_else(|| tenant.custom_roles.get(&id))
    }

    /// Built-in and custom roles visible in a subscription: its own, and those at home in a management
    /// group above it.
    pub fn role_definitions(&self, subscription: SubscriptionId) -> Vec<&RoleDefinition> {
        let mut v: Vec<&RoleDefinition> = self.built_in.iter().collect();
        if let Some(s) = self.subscriptions.get(&subscription) {
            v.extend(s.custom_roles.values());
            if let Some(t) = self.tenants.get(&s.subscription.tenant) {
                v.extend(t.custom_roles_reaching_subscription(subscription));
            }
        }
        v
    }

    /// By role name (case-insensitive), built-in or custom.
    pub fn role_definition_by_name(
        &self,
        subscription: SubscriptionId,
        name: &str,
    ) -> Option<&RoleDefinition> {
        self.role_definitions(subscription)
            .into_iter()
            .find(|r| r.name.eq_ignore_ascii_case(typed(name)))
    }

    /// A role an assignment at a management group of `tenant` names, compiled: built-in or the
    /// tenant's.
    pub(crate) fn compiled_group_role<'a>(
        &'a self,
        tenant: &'a TenantPart,
        id: RoleDefinitionId,
    ) -> Option<&'a CompiledRole> {
        self.built_in_compiled
            .get(&id)
            .or_else(|| tenant.compiled_custom(id))
    }

    /// A role an assignment in a subscription names, compiled: built-in, the subscription's, or one at
    /// home in a management group of its directory (looked up last: the directory is one more lookup).
    pub(crate) fn compiled_role<'a>(
        &'a self,
        part: &'a SubscriptionPart,
        id: RoleDefinitionId,
    ) -> Option<&'a CompiledRole> {
        self.built_in_compiled
            .get(&id)
            .or_else(|| part.compiled_custom(id))
            .or_else(|| {
                self.tenants
                    .get(&part.subscription.tenant)?
                    .compiled_custom(id)
            })
    }

    // ----- replacing partitions (loading, reloading) -----

    /// Replaces (or with `None` removes) a personal account.
    pub fn replace_account(&mut self, id: AccountId, account: Option<PersonalAccount>) {
        if let Some(old) = self.accounts.remove(&id) {
            self.account_by_email.remove(&old.email.to_lowercase());
        }
        if let Some(a) = account {
            self.account_by_email.insert(a.email.to_lowercase(), a.id);
            self.accounts.insert(id, a);
        }
    }

    pub fn replace_tenant(&mut self, id: TenantId, part: Option<TenantPart>) {
        if let Some(old) = self.tenants.remove(&id) {
            self.unindex_tenant(&old);
        }
        if let Some(mut p) = part {
            // Sized to what they hold once loaded.
            p.users.shrink_to_fit();
            p.applications.shrink_to_fit();
            p.groups.shrink_to_fit();
            // The membership index and compiled roles follow from the data.
            p.rebuild_memberships();
            p.rebuild_hierarchy();
            p.compiled_custom = compile_all(&p.custom_roles);
            self.index_tenant(&p);
            self.tenants.insert(id, p);
        }
    }

    pub fn replace_subscription(&mut self, id: SubscriptionId, part: Option<SubscriptionPart>) {
        if let Some(old) = self.subscriptions.remove(&id)
            && let Some(set) = self
                .subscriptions_by_tenant
                .get_mut(&old.subscription.tenant)
        {
            set.remove(&id);
        }
        if let Some(mut p) = part {
            // The compiled roles follow from the data; the indexes are sized to what they hold.
            p.assignments.compact();
            p.compiled_custom = compile_all(&p.custom_roles);
            self.subscriptions_by_tenant
                .entry(p.subscription.tenant)
                .or_default()
                .insert(id);
            self.subscriptions.insert(id, p);
        }
    }

    /// Removes and returns a tenant partition (used to move a freshly loaded partition into the live world).
    pub fn take_tenant(&mut self, id: TenantId) -> Option<TenantPart> {
        let p = self.tenants.remove(&id)?;
        self.unindex_tenant(&p);
        Some(p)
    }

    pub fn take_subscription(&mut self, id: SubscriptionId) -> Option<SubscriptionPart> {
        let p = self.subscriptions.remove(&id)?;
        if let Some(set) = self.subscriptions_by_tenant.get_mut(&p.subscription.tenant) {
            set.remove(&id);
        }
        Some(p)
    }

    pub fn take_account(&mut self, id: AccountId) -> Option<PersonalAccount> {
        let a = self.accounts.remove(&id)?;
        self.account_by_email.remove(&a.email.to_lowercase());
        Some(a)
    }

    /// Moves partition `p` from `other` into this world, replacing what was here (absent there: removed here).
    pub fn adopt(&mut self, p: Partition, other: &mut World) {
        match p {
            Partition::Account(id) => self.replace_account(id, other.take_account(id)),
            Partition::Tenant(id) => self.replace_tenant(id, other.take_tenant(id)),
            Partition::Subscription(id) => {
                self.replace_subscription(id, other.take_subscription(id))
            }
        }
    }

    fn index_tenant(&mut self, p: &TenantPart) {
        let t = &p.tenant;
        self.tenant_by_name.insert(t.name.to_lowercase(), t.id);
        for d in t.all_domains() {
            self.tenant_by_domain.insert(d.to_lowercase(), t.id);
        }
        for u in p.users.values() {
            self.index_user(u, Some(p));
        }
        for a in p.applications.values() {
            self.index_application(a);
        }
        for g in p.groups.values() {
            self.object_tenant.insert(g.id, g.tenant);
        }
    }

    fn index_application(&mut self, a: &Application) {
        self.object_tenant.insert(a.id, a.tenant);
        self.app_by_client_id.insert(a.client_id, (a.tenant, a.id));
        if let Some(o) = a.object_id {
            self.app_by_object_id.insert(o, (a.tenant, a.id));
        }
        if let Some(m) = &a.managed_identity {
            self.identity_by_resource
                .insert(m.resource.key().to_string(), (a.tenant, a.id));
        }
    }

    fn unindex_application(&mut self, a: &Application) {
        self.object_tenant.remove(&a.id);
        self.app_by_client_id.remove(&a.client_id);
        if let Some(o) = a.object_id {
            self.app_by_object_id.remove(&o);
        }
        if let Some(m) = &a.managed_identity
            && self.identity_by_resource.get(m.resource.key()) == Some(&(a.tenant, a.id))
        {
            self.identity_by_resource.remove(m.resource.key());
        }
    }

    fn unindex_tenant(&mut self, p: &TenantPart) {
        let t = &p.tenant;
        if self.tenant_by_name.get(&t.name.to_lowercase()) == Some(&t.id) {
            self.tenant_by_name.remove(&t.name.to_lowercase());
        }
        for d in t.all_domains() {
            if self.tenant_by_domain.get(&d.to_lowercase()) == Some(&t.id) {
                self.tenant_by_domain.remove(&d.to_lowercase());
            }
        }
        for u in p.users.values() {
            self.unindex_user(u);
        }
        for a in p.applications.values() {
            self.unindex_application(a);
        }
        for g in p.groups.values() {
            self.object_tenant.remove(&g.id);
        }
    }

    /// The UPN of the member at `place`, as the UPN index reads it.
    fn upn_of(&self, (t, o): upn_index::Place) -> Option<&str> {
        Some(self.tenants.get(&t)?.users.get(&o)?.upn())
    }

    /// Indexes `u`, kept in the world or in `part` (a tenant partition on its way in).
    fn index_user(&mut self, u: &User, part: Option<&TenantPart>) {
        self.object_tenant.insert(u.id, u.tenant);
        match &u.kind {
            UserKind::Member { upn, mail, .. } => {
                let tenants = &self.tenants;
                self.member_by_upn.insert(upn, (u.tenant, u.id), |(t, o)| {
                    let p = match part {
                        Some(p) if p.tenant.id == t => p,
                        _ => tenants.get(&t)?,
                    };
                    Some(p.users.get(&o)?.upn())
                });
                if let Some(m) = mail {
                    self.members_by_mail
                        .entry(m.to_lowercase())
                        .or_default()
                        .push((u.tenant, u.id));
                }
            }
            UserKind::Guest { home: Some(h), .. } => {
                self.guests_by_identity
                    .entry(*h)
                    .or_default()
                    .push((u.tenant, u.id));
            }
            UserKind::Guest { home: None, .. } => {}
        }
    }

    fn unindex_user(&mut self, u: &User) {
        self.object_tenant.remove(&u.id);
        let key = (u.tenant, u.id);
        match &u.kind {
            UserKind::Member { upn, mail, .. } => {
                self.member_by_upn.remove(upn, key);
                if let Some(m) = mail {
                    remove_from_list(&mut self.members_by_mail, &m.to_lowercase(), key);
                }
            }
            UserKind::Guest { home: Some(h), .. } => {
                remove_from_list(&mut self.guests_by_identity, h, key)
            }
            UserKind::Guest { home: None, .. } => {}
        }
    }

    /// Which partitions exist, for tests comparing worlds and for exports.
    pub fn partitions(&self) -> Vec<Partition> {
        let mut v: Vec<Partition> = self
            .accounts
            .keys()
            .map(|id| Partition::Account(*id))
            .collect();
        v.extend(self.tenants.keys().map(|id| Partition::Tenant(*id)));
        v.extend(
            self.subscriptions
                .keys()
                .map(|id| Partition::Subscription(*id)),
        );
        v
    }
}

fn remove_from_list<K: std::hash::Hash + Eq + Clone>(
    map: &mut HashMap<K, Vec<(TenantId, ObjectId)>>,
    key: &K,
    value: (TenantId, ObjectId),
) {
    if let Some(list) = map.get_mut(key) {
        list.retain(|v| *v != value);
        if list.is_empty() {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutation::Mutation;
    use crate::scope::Scope;

    #[test]
    fn a_scope_s_prefixes_hash_every_scope_that_contains_it() {
        let sub = SubscriptionId::new();
        let rg = Scope::resource_group(sub, "RG1");
        let Ok(vm) = Scope::resource(sub, "rg1", "Microsoft.Compute", "virtualMachines/vm1") else {
            panic!("a valid scope")
        };
        let at = ScopePrefixes::of(vm.key());
        for outer in [Scope::subscription(sub), rg.clone(), vm.clone()] {
            assert!(outer.contains(&vm));
            let h = ScopePrefixes::hash(outer.key());
            assert!(at.hashes[..at.len].contains(&h), "{outer}");
        }
        let other = ScopePrefixes::hash(Scope::resource_group(sub, "rg10").key());
        assert!(!at.hashes[..at.len].contains(&other));
    }

    fn member(tenant: TenantId, upn: &str) -> User {
        User {
            id: ObjectId::new(),
            tenant,
            display_name: upn.into(),
            given_name: None,
            surname: None,
            enabled: true,
            kind: UserKind::Member {
                upn: upn.into(),
                mail: None,
                password_hash: String::new(),
            },
            created: 0,
        }
    }

    fn tenant_part(name: &str) -> TenantPart {
        TenantPart::new(Tenant {
            id: TenantId::new(),
            name: name.into(),
            display_name: name.into(),
            origin: TenantOrigin::Azure,
            initial_domain: format!("{name}.onmicrosoft.com"),
            domains: vec![],
            policy: SubscriptionPolicy::default(),
            created: 0,
        })
    }

    #[test]
    fn members_are_found_by_upn_in_any_case_until_they_leave() {
        let mut world = World::new();
        let mut part = tenant_part("contoso");
        let tid = part.tenant.id;
        let users: Vec<User> = (0..1000)
            .map(|i| member(tid, &format!("User{i}@Contoso.onmicrosoft.com")))
            .collect();
        for u in &users {
            part.users.insert(u.id, u.clone());
        }
        world.replace_tenant(tid, Some(part));
        for u in &users {
            let found = world.member_by_upn(&u.upn().to_uppercase()).map(|f| f.id);
            assert_eq!(found, Some(u.id), "{}", u.upn());
        }
        assert!(
            world
                .member_by_upn("nobody@contoso.onmicrosoft.com")
                .is_none()
        );
        // A renamed member is found under the new UPN only; a deleted one no more.
        let mut renamed = users[0].clone();
        if let UserKind::Member { upn, .. } = &mut renamed.kind {
            *upn = "renamed@contoso.onmicrosoft.com".into();
        }
        world.apply_mutation(&Mutation::PutUser(renamed.clone()));
        assert!(world.member_by_upn(users[0].upn()).is_none());
        assert_eq!(
            world
                .member_by_upn("RENAMED@contoso.onmicrosoft.com")
                .map(|u| u.id),
            Some(renamed.id)
        );
        world.apply_mutation(&Mutation::DeleteUser {
            tenant: tid,
            user: users[1].id,
        });
        assert!(world.member_by_upn(users[1].upn()).is_none());
        assert!(world.member_by_upn(users[2].upn()).is_some());
        // The tenant reloaded: every member found again; removed: none.
        let again = world.take_tenant(tid);
        assert!(world.member_by_upn(users[2].upn()).is_none());
        world.replace_tenant(tid, again);
        assert!(world.member_by_upn(users[2].upn()).is_some());
        world.replace_tenant(tid, None);
        assert!(world.member_by_upn(users[2].upn()).is_none());
    }

    #[test]
    fn the_group_filter_never_forgets_a_group_that_holds_an_assignment() {
        let sub = SubscriptionId::new();
        let mut f = GroupFilter::default();
        let groups: Vec<ObjectId> = (0..3000).map(|_| ObjectId::new()).collect();
        let scopes = [
            Scope::subscription(sub),
            Scope::resource_group(sub, "a"),
            Scope::resource_group(sub, "b"),
        ];
        for (i, g) in groups.iter().enumerate() {
            f.add(*g, scopes[i % 3].key());
        }
        let at_a = ScopePrefixes::of(scopes[1].key());
        let mut passed = 0;
        for (i, g) in groups.iter().enumerate() {
            let holds_there = i % 3 != 2;
            let may = f.may_hold(*g, &at_a);
            assert!(may || !holds_there, "a false negative");
            passed += usize::from(may);
        }
        // Those at rg "b" mostly filtered out.
        assert!(passed < 2000 + 300, "{passed}");
        for _ in 0..3000 {
            f.remove();
        }
        assert!(
            !f.may_hold(groups[0], &at_a),
            "emptied with the last assignment"
        );
    }
}
