//! What a command changes, as data. The rules produce mutations; the store writes them in one transaction
//! with the audit event; every instance then reloads the partitions they touched.

use crate::audit::AuditEvent;
use crate::ids::*;
use crate::model::*;

/// A slice of the world that is loaded and reloaded as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Partition {
    Account(AccountId),
    /// The tenant with its users, applications, groups (with their members and owners), directory role
    /// members, invitations, link requests and subscription aliases.
    Tenant(TenantId),
    /// The subscription with its groups, resources, custom roles, role assignments and change request.
    Subscription(SubscriptionId),
}

impl Partition {
    pub fn kind(&self) -> &'static str {
        match self {
            Partition::Account(_) => "account",
            Partition::Tenant(_) => "tenant",
            Partition::Subscription(_) => "subscription",
        }
    }
    pub fn id(&self) -> uuid::Uuid {
        match self {
            Partition::Account(id) => id.0,
            Partition::Tenant(id) => id.0,
            Partition::Subscription(id) => id.0,
        }
    }
    pub fn from_parts(kind: &str, id: uuid::Uuid) -> Option<Self> {
        match kind {
            "account" => Some(Partition::Account(AccountId(id))),
            "tenant" => Some(Partition::Tenant(TenantId(id))),
            "subscription" => Some(Partition::Subscription(SubscriptionId(id))),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Mutation {
    /// Insert or replace.
    PutAccount(PersonalAccount),
    DeleteAccount(AccountId),
    /// Insert or replace the tenant row (domains and policy included).
    PutTenant(Tenant),
    PutUser(User),
    /// Removes the user with its directory roles, group memberships and group ownerships.
    DeleteUser {
        tenant: TenantId,
        user: ObjectId,
    },
    PutApplication(Application),
    /// Removes the application with its directory roles, group memberships and group ownerships.
    DeleteApplication {
        tenant: TenantId,
        app: ObjectId,
    },
    AddDirectoryRoleMember {
        tenant: TenantId,
        role: DirectoryRole,
        principal: ObjectId,
    },
    RemoveDirectoryRoleMember {
        tenant: TenantId,
        role: DirectoryRole,
        principal: ObjectId,
    },
    /// Insert or replace a group's properties (never its members or owners).
    PutGroup(Group),
    /// Removes the group with its members and owners, its memberships in other groups and its directory
    /// roles (its role assignments are listed by the rules, as for a user).
    DeleteGroup {
        tenant: TenantId,
        group: ObjectId,
    },
    /// Batched: adding one member to a big group writes one row, adding many writes them together.
    AddGroupMembers {
        tenant: TenantId,
        group: ObjectId,
        members: Vec<ObjectId>,
    },
    RemoveGroupMembers {
        tenant: TenantId,
        group: ObjectId,
        members: Vec<ObjectId>,
    },
    AddGroupOwner {
        tenant: TenantId,
        group: ObjectId,
        owner: ObjectId,
    },
    RemoveGroupOwner {
        tenant: TenantId,
        group: ObjectId,
        owner: ObjectId,
    },
    /// Insert or replace a management group (the root group once renamed).
    PutManagementGroup(ManagementGroup),
    /// Removes a group that has no children (the rules refuse the others).
    DeleteManagementGroup {
        tenant: TenantId,
        name: String,
    },
    /// Places a subscription under a management group of its tenant; `None` returns it to the root.
    PlaceSubscription {
        tenant: TenantId,
        subscription: SubscriptionId,
        parent: Option<String>,
    },
    /// Insert or replace a role assignment at a management group (or the root scope).
    PutManagementGroupAssignment(ManagementGroupRoleAssignment),
    DeleteManagementGroupAssignments {
        tenant: TenantId,
        ids: Vec<RoleAssignmentId>,
    },
    /// Insert or replace a tenant's hierarchy settings.
    PutHierarchySettings(HierarchySettings),
    /// Back to Azure's defaults.
    DeleteHierarchySettings {
        tenant: TenantId,
    },
    PutInvitation(Invitation),
    PutLinkRequest(DirectoryLinkRequest),
    PutSubscriptionAlias(SubscriptionAlias),
    /// Removes the alias only: its subscription stays.
    DeleteSubscriptionAlias {
        tenant: TenantId,
        name: String,
    },
    /// Insert or replace the subscription row and its co-administrators.
    PutSubscription(Subscription),
    PutResourceGroup(ResourceGroup),
    /// Removes the group row only: the rules list its resources and assignments explicitly.
    DeleteResourceGroup {
        subscription: SubscriptionId,
        name: String,
    },
    PutResource(Resource),
    DeleteResources {
        subscription: SubscriptionId,
        scopes: Vec<String>,
    },
    /// A subscription's custom role, or (with `tenant`) one at home in a management group.
    PutRoleDefinition(RoleDefinition),
    /// Removes custom roles at home in the tenant's management groups.
    DeleteManagementGroupRoleDefinitions {
        tenant: TenantId,
        ids: Vec<RoleDefinitionId>,
    },
    DeleteRoleDefinitions {
        subscription: SubscriptionId,
        ids: Vec<RoleDefinitionId>,
    },
    /// Batched so that a change of directory writes 100k rows in a few statements.
    InsertRoleAssignments {
        subscription: SubscriptionId,
        assignments: Vec<RoleAssignment>,
    },
    DeleteRoleAssignments {
        subscription: SubscriptionId,
        ids: Vec<RoleAssignmentId>,
    },
    /// Every role assignment of the subscription (a change of directory that keeps none): one
    /// statement over the subscription's rows rather than a list of 4,000 ids to look up one by one.
    ClearRoleAssignments {
        subscription: SubscriptionId,
    },
    PutChangeRequest(ChangeTenantRequest),
    DeleteChangeRequest(SubscriptionId),
}

impl Mutation {
    /// The partition this mutation belongs to.
    pub fn partition(&self) -> Partition {
        use Mutation::*;
        match self {
            PutAccount(a) => Partition::Account(a.id),
            DeleteAccount(id) => Partition::Account(*id),
            PutTenant(t) => Partition::Tenant(t.id),
            PutUser(u) => Partition::Tenant(u.tenant),
            DeleteUser { tenant, .. }
            | DeleteApplication { tenant, .. }
            | AddDirectoryRoleMember { tenant, .. }
            | RemoveDirectoryRoleMember { tenant, .. }
            | DeleteGroup { tenant, .. }
            | AddGroupMembers { tenant, .. }
            | RemoveGroupMembers { tenant, .. }
            | AddGroupOwner { tenant, .. }
            | RemoveGroupOwner { tenant, .. }
            | DeleteSubscriptionAlias { tenant, .. }
            | DeleteManagementGroup { tenant, .. }
            | PlaceSubscription { tenant, .. }
            | DeleteManagementGroupAssignments { tenant, .. }
            | DeleteManagementGroupRoleDefinitions { tenant, .. }
            | DeleteHierarchySettings { tenant } => Partition::Tenant(*tenant),
            PutHierarchySettings(h) => Partition::Tenant(h.tenant),
            PutManagementGroupAssignment(a) => Partition::Tenant(a.tenant),
            PutManagementGroup(g) => Partition::Tenant(g.tenant),
            PutApplication(a) => Partition::Tenant(a.tenant),
            PutGroup(g) => Partition::Tenant(g.tenant),
            PutInvitation(i) => Partition::Tenant(i.tenant),
            PutLinkRequest(r) => Partition::Tenant(r.tenant),
            PutSubscriptionAlias(a) => Partition::Tenant(a.tenant),
            PutSubscription(s) => Partition::Subscription(s.id),
            PutResourceGroup(g) => Partition::Subscription(g.subscription),
            DeleteResourceGroup { subscription, .. }
            | DeleteResources { subscription, .. }
            | DeleteRoleDefinitions { subscription, .. }
            | InsertRoleAssignments { subscription, .. }
            | DeleteRoleAssignments { subscription, .. }
            | ClearRoleAssignments { subscription } => Partition::Subscription(*subscription),
            PutResource(r) => Partition::Subscription(r.scope.subscription_id()),
            PutRoleDefinition(d) => match (d.subscription, d.tenant) {
                (Some(s), _) => Partition::Subscription(s),
                (None, Some(t)) => Partition::Tenant(t),
                // Built-in roles are code, never stored; the rules refuse to write one.
                (None, None) => Partition::Subscription(SubscriptionId(uuid::Uuid::nil())),
            },
            PutChangeRequest(r) => Partition::Subscription(r.subscription),
            DeleteChangeRequest(s) => Partition::Subscription(*s),
        }
    }
}

/// The outcome of a rule: what to write, and the audit events that say so (written in the same transaction).
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub mutations: Vec<Mutation>,
    pub audit: Vec<AuditEvent>,
}

impl Change {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, m: Mutation) -> &mut Self {
        self.mutations.push(m);
        self
    }
    pub fn audit(&mut self, e: AuditEvent) -> &mut Self {
        self.audit.push(e);
        self
    }
    pub fn extend(&mut self, other: Change) {
        self.mutations.extend(other.mutations);
        self.audit.extend(other.audit);
    }
    /// Every partition touched, each once, in a stable order.
    pub fn partitions(&self) -> Vec<Partition> {
        let mut p: Vec<Partition> = self.mutations.iter().map(|m| m.partition()).collect();
        p.sort();
        p.dedup();
        p
    }
}
