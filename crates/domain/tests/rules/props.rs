//! Property tests: random sequences of operations by many actors (the operator, service and account
//! administrators, co-administrators, Global Administrators of different tenants, ordinary users, guests,
//! personal accounts in the consumer realm, applications) against the article's world with three
//! subscriptions. After every operation:
//!
//! 1. the invariants of DESIGN.md hold (`violations` is empty);
//! 2. a refused operation left the world as it was, and a change that writes something carries its audit
//!    event; applying a change twice (a replay) gives the world applying it once gives;
//! 3. no actor changed what its token does not reach (see [`check_partitions`]);
//! 4. `authorize` never grants anything in a subscription to a token of another tenant (nor to a personal
//!    account of the consumer realm), and agrees with the explaining path (`authorize_principal`);
//! 5. a preview of a change of directory is never shown to a token of another tenant;
//! 6. the world's indexes, maintained change by change, equal those rebuilt from the data, and each
//!    principal's groups equal those found by walking the memberships;
//! 7. authorization equals a recomputation from the data alone (assignments to the principal or to any
//!    group it is in through nesting, classic administrators), without the engine's indexes.
//!
//! A second, smaller simulation (`random_membership_changes_…`) runs many membership changes in one
//! directory and also checks the path every grant through a group reports, and directory roles held
//! through groups.

use crate::fixtures::*;
use proptest::prelude::*;
use std::collections::BTreeSet;
use tenantry_domain::action::{Action, names};
use tenantry_domain::rules::access::{self, RoleAssignmentWrite, RoleDefinitionWrite};
use tenantry_domain::rules::admins::{self, NewSubscription};
use tenantry_domain::rules::change_directory::{self, Approval};
use tenantry_domain::rules::directory::{self, NewTenant, NewUser};
use tenantry_domain::rules::groups::{self, NewGroup};
use tenantry_domain::rules::identities::IdentityWrite;
use tenantry_domain::rules::invariants::violations;
use tenantry_domain::rules::resources::{self, ResourceGroupWrite, ResourceWrite};
use tenantry_domain::rules::{AccountType, guests};
use tenantry_domain::world::{SubscriptionPart, TenantPart};
use tenantry_domain::*;

/// An object id nobody has.
const UNKNOWN: ObjectId = ObjectId(uuid::uuid!("0badc0de-0000-4000-8000-000000000000"));

const GROUP_NAMES: [&str; 4] = ["rg1", "RG2", "web", "data"];
const LOCATIONS: [&str; 2] = ["westeurope", "eastus"];
const RESOURCE_NAMES: [&str; 3] = ["st1", "st2", "logs"];
const USER_NAMES: [&str; 3] = ["u0", "u1", "pat"];
const ROLE_NAMES: [&str; 3] = ["Log Reader", "Storage Writer", "Ops"];
const TENANT_NAMES: [&str; 2] = ["newco", "contoso"];
const SECURITY_GROUP_NAMES: [&str; 3] = ["Platform", "Engineering", "Ops"];
const ACTION_SETS: [(&[&str], &[&str]); 4] = [
    (
        &["Microsoft.Resources/subscriptions/resourceGroups/read"],
        &[],
    ),
    (&[STORAGE_WRITE], &[]),
    (&["*"], &["Microsoft.Authorization/*/Write"]),
    (&["Microsoft.Authorization/*"], &[]),
];

/// Who performs an operation: anyone (an index into every actor), or, more often, someone strong where
/// the operation aims (an administrator of the subscription, a Global or User Administrator of the tenant).
#[derive(Debug, Clone, Copy)]
enum Who {
    Anyone(u8),
    Strong(u8),
}

/// One operation, its arguments as indexes into what exists when it runs (so that most name something).
#[derive(Debug, Clone)]
enum Op {
    AddCoAdmin {
        actor: Who,
        sub: u8,
        email: u8,
        kind: u8,
    },
    RemoveCoAdmin {
        actor: Who,
        sub: u8,
        email: u8,
    },
    ChangeServiceAdmin {
        actor: Who,
        sub: u8,
        email: u8,
        kind: u8,
    },
    Invite {
        actor: Who,
        tenant: u8,
        email: u8,
    },
    Redeem {
        actor: Option<u8>,
        invitation: u8,
    },
    RequestLink {
        actor: Who,
        sub: u8,
        tenant: u8,
    },
    DecideLink {
        actor: Option<u8>,
        request: u8,
        approve: bool,
    },
    PutGroup {
        actor: Who,
        sub: u8,
        name: u8,
        location: u8,
    },
    DeleteGroup {
        actor: Who,
        sub: u8,
        group: u8,
    },
    PutResource {
        actor: Who,
        sub: u8,
        group: u8,
        name: u8,
    },
    DeleteResource {
        actor: Who,
        sub: u8,
        resource: u8,
    },
    CreateAssignment {
        actor: Who,
        sub: u8,
        scope: u8,
        role: u8,
        principal: u8,
        reuse: Option<u8>,
    },
    DeleteAssignment {
        actor: Who,
        sub: u8,
        assignment: u8,
    },
    PutCustomRole {
        actor: Who,
        sub: u8,
        name: u8,
        actions: u8,
    },
    DeleteCustomRole {
        actor: Who,
        sub: u8,
        role: u8,
    },
    Preview {
        actor: Who,
        sub: u8,
        tenant: u8,
        map: Vec<(u8, u8)>,
    },
    Initiate {
        actor: Who,
        sub: u8,
        tenant: u8,
        owner: Option<u8>,
        map: Vec<(u8, u8)>,
    },
    Accept {
        actor: Option<u8>,
        sub: u8,
    },
    Cancel {
        actor: Who,
        sub: u8,
    },
    DeleteUser {
        actor: Who,
        tenant: u8,
        user: u8,
    },
    SetPolicy {
        actor: Who,
        tenant: u8,
        leaving: bool,
        entering: bool,
        exempt: Option<u8>,
    },
    CreateUser {
        actor: Who,
        tenant: u8,
        name: u8,
        mail: Option<u8>,
    },
    AddRole {
        actor: Who,
        tenant: u8,
        role: u8,
        principal: u8,
    },
    RemoveRole {
        actor: Who,
        tenant: u8,
        role: u8,
        principal: u8,
    },
    CreateTenant {
        actor: Who,
        name: u8,
    },
    CreateSecurityGroup {
        actor: Who,
        tenant: u8,
        name: u8,
        role_assignable: bool,
    },
    AddGroupMember {
        actor: Who,
        tenant: u8,
        group: u8,
        member: u8,
    },
    RemoveGroupMember {
        actor: Who,
        tenant: u8,
        group: u8,
        member: u8,
    },
    DeleteSecurityGroup {
        actor: Who,
        tenant: u8,
        group: u8,
    },
    Wait {
        seconds: u32,
    },
}

/// Two picks in three go to someone strong where the operation aims.
fn who() -> impl Strategy<Value = Who> {
    prop_oneof![2 => any::<u8>().prop_map(Who::Strong), 1 => any::<u8>().prop_map(Who::Anyone)]
}

/// For the operations whose actor, when not given, is the one who should act (the invitee, a Global
/// Administrator of the destination): an index into every actor.
fn actor() -> impl Strategy<Value = u8> {
    any::<u8>()
}

fn op() -> impl Strategy<Value = Op> {
    let i = any::<u8>;
    let map = || prop::collection::vec((any::<u8>(), any::<u8>()), 0..3);
    prop_oneof![
        3 => (who(), i(), i(), 0u8..3).prop_map(|(actor, sub, email, kind)| Op::AddCoAdmin { actor, sub, email, kind }),
        2 => (who(), i(), i()).prop_map(|(actor, sub, email)| Op::RemoveCoAdmin { actor, sub, email }),
        2 => (who(), i(), i(), 0u8..3).prop_map(|(actor, sub, email, kind)| Op::ChangeServiceAdmin { actor, sub, email, kind }),
        3 => (who(), i(), i()).prop_map(|(actor, tenant, email)| Op::Invite { actor, tenant, email }),
        3 => (prop::option::weighted(0.3, actor()), i()).prop_map(|(actor, invitation)| Op::Redeem { actor, invitation }),
        2 => (who(), i(), i()).prop_map(|(actor, sub, tenant)| Op::RequestLink { actor, sub, tenant }),
        2 => (prop::option::weighted(0.3, actor()), i(), any::<bool>()).prop_map(|(actor, request, approve)| Op::DecideLink { actor, request, approve }),
        3 => (who(), i(), i(), i()).prop_map(|(actor, sub, name, location)| Op::PutGroup { actor, sub, name, location }),
        1 => (who(), i(), i()).prop_map(|(actor, sub, group)| Op::DeleteGroup { actor, sub, group }),
        3 => (who(), i(), i(), i()).prop_map(|(actor, sub, group, name)| Op::PutResource { actor, sub, group, name }),
        1 => (who(), i(), i()).prop_map(|(actor, sub, resource)| Op::DeleteResource { actor, sub, resource }),
        6 => (who(), i(), i(), i(), i(), prop::option::weighted(0.15, i())).prop_map(|(actor, sub, scope, role, principal, reuse)| Op::CreateAssignment { actor, sub, scope, role, principal, reuse }),
        2 => (who(), i(), i()).prop_map(|(actor, sub, assignment)| Op::DeleteAssignment { actor, sub, assignment }),
        2 => (who(), i(), i(), i()).prop_map(|(actor, sub, name, actions)| Op::PutCustomRole { actor, sub, name, actions }),
        1 => (who(), i(), i()).prop_map(|(actor, sub, role)| Op::DeleteCustomRole { actor, sub, role }),
        2 => (who(), i(), i(), map()).prop_map(|(actor, sub, tenant, map)| Op::Preview { actor, sub, tenant, map }),
        4 => (who(), i(), i(), prop::option::weighted(0.2, i()), map()).prop_map(|(actor, sub, tenant, owner, map)| Op::Initiate { actor, sub, tenant, owner, map }),
        3 => (prop::option::weighted(0.3, actor()), i()).prop_map(|(actor, sub)| Op::Accept { actor, sub }),
        1 => (who(), i()).prop_map(|(actor, sub)| Op::Cancel { actor, sub }),
        2 => (who(), i(), i()).prop_map(|(actor, tenant, user)| Op::DeleteUser { actor, tenant, user }),
        2 => (who(), i(), any::<bool>(), any::<bool>(), prop::option::of(i())).prop_map(|(actor, tenant, leaving, entering, exempt)| Op::SetPolicy { actor, tenant, leaving, entering, exempt }),
        2 => (who(), i(), i(), prop::option::weighted(0.3, i())).prop_map(|(actor, tenant, name, mail)| Op::CreateUser { actor, tenant, name, mail }),
        2 => (who(), i(), i(), i()).prop_map(|(actor, tenant, role, principal)| Op::AddRole { actor, tenant, role, principal }),
        1 => (who(), i(), i(), i()).prop_map(|(actor, tenant, role, principal)| Op::RemoveRole { actor, tenant, role, principal }),
        1 => (who(), i()).prop_map(|(actor, name)| Op::CreateTenant { actor, name }),
        3 => (who(), i(), i(), prop::bool::weighted(0.2)).prop_map(|(actor, tenant, name, role_assignable)| Op::CreateSecurityGroup { actor, tenant, name, role_assignable }),
        4 => (who(), i(), i(), i()).prop_map(|(actor, tenant, group, member)| Op::AddGroupMember { actor, tenant, group, member }),
        2 => (who(), i(), i(), i()).prop_map(|(actor, tenant, group, member)| Op::RemoveGroupMember { actor, tenant, group, member }),
        1 => (who(), i(), i()).prop_map(|(actor, tenant, group)| Op::DeleteSecurityGroup { actor, tenant, group }),
        2 => (0u32..4 * 24 * 3600).prop_map(|seconds| Op::Wait { seconds }),
    ]
}

fn pick<T: Clone>(v: &[T], i: u8) -> Option<T> {
    if v.is_empty() {
        None
    } else {
        Some(v[i as usize % v.len()].clone())
    }
}

/// Why a change may touch a partition outside the actor's token tenant (see [`check_partitions`]).
#[derive(Debug, Clone, PartialEq)]
enum CrossTenant {
    /// Redeeming an invitation of this tenant: the invitee signs in elsewhere (its home, or the consumer realm).
    Redeem(TenantId),
    /// A directory link request is filed with the target tenant, whose Global Administrator decides; the
    /// service administrator files it signed in to the subscription's tenant.
    LinkRequest {
        target: TenantId,
        sub: SubscriptionId,
    },
    /// The requester withdraws its link request, filed with that tenant.
    LinkWithdrawn {
        tenant: TenantId,
        requester: Identity,
    },
    /// A change of directory applied at once makes the service administrator a guest of the destination;
    /// the initiator acts signed in to the subscription's tenant.
    MoveInto {
        destination: TenantId,
        sub: SubscriptionId,
    },
    /// A principal of the destination accepts or declines the change of this subscription.
    Acceptor(SubscriptionId),
    /// The account administrator (the billing owner, who signs in to billing, not to a directory) changes
    /// the service administrator of this subscription; the new one may become a guest of its tenant.
    AccountAdministrator(SubscriptionId),
    /// A member leaving its home loses the co-administrator roles it held through guests elsewhere.
    MemberDeleted(Identity),
}

struct Sim {
    world: World,
    now: Timestamp,
    emails: Vec<String>,
}

impl Sim {
    /// The article's world, with two more subscriptions: Contoso Prod (trusting Contoso, its Global
    /// Administrator service administrator) and Fabrikam Dev (trusting Fabrikam, sam service administrator,
    /// Bob's personal account the account administrator); and pat@contoso.com, both a personal account and
    /// a member of Contoso.
    fn new() -> Self {
        let mut fx = Fx::article();
        let contoso_admin = org(&fx.world, fx.contoso_admin);
        let sam = org(&fx.world, fx.sam);
        let bob = fx.bob;
        for (name, tenant, sa, aa) in [
            ("Contoso Prod", fx.contoso, contoso_admin, None),
            ("Fabrikam Dev", fx.fabrikam, sam, Some(bob)),
        ] {
            fx.ok_with(|fx| {
                admins::create_subscription(
                    &fx.world,
                    &Actor::Operator,
                    NewSubscription {
                        id: None,
                        display_name: name.into(),
                        tenant,
                        service_admin: sa,
                        account_admin: aa,
                    },
                    fx.now,
                )
            });
        }
        fx.personal_account("pat@contoso.com");
        fx.user(fx.contoso, "pat@contoso.com", None);
        let emails = [
            "alice@outlook.com",
            "dave@outlook.com",
            "bob@outlook.com",
            "pat@contoso.com",
            "carol@contoso.com",
            "admin@contoso.onmicrosoft.com",
            "useradmin@contoso.onmicrosoft.com",
            "erin@alicedefault.onmicrosoft.com",
            "admin@fabrikam.onmicrosoft.com",
            "sam@fabrikam.com",
            "u0@contoso.onmicrosoft.com",
            "u1@alicedefault.onmicrosoft.com",
            "u0@fabrikam.onmicrosoft.com",
            "nobody@example.com",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        Sim {
            world: fx.world,
            now: fx.now,
            emails,
        }
    }

    fn tenants(&self) -> Vec<TenantId> {
        let mut v: Vec<&TenantPart> = self.world.tenants().collect();
        v.sort_by(|a, b| a.tenant.name.cmp(&b.tenant.name));
        v.iter().map(|t| t.tenant.id).collect()
    }

    fn subs(&self) -> Vec<SubscriptionId> {
        let mut v: Vec<&Subscription> = self
            .world
            .subscriptions()
            .map(|s| &s.subscription)
            .collect();
        v.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        v.iter().map(|s| s.id).collect()
    }

    /// Users of a tenant, in a stable order.
    fn users(&self, tenant: TenantId) -> Vec<&User> {
        let mut v: Vec<&User> = self
            .world
            .tenant(tenant)
            .map(|t| t.users.values().collect())
            .unwrap_or_default();
        v.sort_by(|a, b| (a.upn(), a.id).cmp(&(b.upn(), b.id)));
        v
    }

    /// A tenant's groups, by name.
    fn groups(&self, tenant: TenantId) -> Vec<ObjectId> {
        let mut v: Vec<&Group> = self
            .world
            .tenant(tenant)
            .map(|t| t.groups.values().collect())
            .unwrap_or_default();
        v.sort_by(|a, b| (&a.display_name, a.id).cmp(&(&b.display_name, b.id)));
        v.iter().map(|g| g.id).collect()
    }

    /// A tenant that has groups, when one has (any tenant otherwise).
    fn group_tenant(&self, i: u8) -> TenantId {
        let with_groups: Vec<TenantId> = self
            .tenants()
            .into_iter()
            .filter(|t| !self.groups(*t).is_empty())
            .collect();
        pick(&with_groups, i).unwrap_or_else(|| self.tenant(i))
    }

    /// Every principal of every tenant (pending guests and groups included), then an unknown id.
    fn principals(&self, tenant: Option<TenantId>) -> Vec<ObjectId> {
        let mut v = Vec::new();
        for t in self.tenants() {
            if tenant.is_some_and(|x| x != t) {
                continue;
            }
            v.extend(self.users(t).iter().map(|u| u.id));
            let mut apps: Vec<&Application> = self
                .world
                .tenant(t)
                .unwrap()
                .applications
                .values()
                .collect();
            apps.sort_by_key(|a| (a.display_name.clone(), a.id));
            v.extend(apps.iter().map(|a| a.id));
            v.extend(self.groups(t));
        }
        if tenant.is_none() {
            v.push(UNKNOWN);
        }
        v
    }

    /// Every identity: personal accounts by email, then members by tenant and UPN.
    fn identities(&self) -> Vec<Identity> {
        let mut accounts: Vec<&PersonalAccount> = self.world.accounts().collect();
        accounts.sort_by(|a, b| a.email.cmp(&b.email));
        let mut v: Vec<Identity> = accounts
            .iter()
            .map(|a| Identity::Personal { account: a.id })
            .collect();
        for t in self.tenants() {
            for u in self.users(t) {
                if u.is_member() {
                    v.push(Identity::Organizational {
                        tenant: t,
                        user: u.id,
                    });
                }
            }
        }
        v
    }

    /// Everyone who can call, the strongest first: the operator, each subscription's administrators signed
    /// in to its tenant, each tenant's Global Administrators; then everyone signed in everywhere they are
    /// present, personal accounts in the consumer realm, and applications.
    fn actors(&self) -> Vec<Actor> {
        let mut v = vec![Actor::Operator];
        let push = |v: &mut Vec<Actor>, a: Actor| {
            if !v.contains(&a) {
                v.push(a);
            }
        };
        for s in self.subs() {
            let sub = &self.world.subscription(s).unwrap().subscription;
            let mut admins = vec![sub.service_admin, sub.account_admin];
            admins.extend(sub.co_admins.iter().copied());
            for i in admins {
                if self.world.presence(i, sub.tenant).is_some() {
                    push(&mut v, signed_in(&self.world, sub.tenant, i));
                }
            }
        }
        for t in self.tenants() {
            let part = self.world.tenant(t).unwrap();
            let mut gas: Vec<ObjectId> = part
                .role_holders(DirectoryRole::GlobalAdministrator)
                .collect();
            gas.sort();
            for o in gas {
                if let Some(u) = part.users.get(&o)
                    && let Some(i) = u.identity()
                {
                    push(&mut v, signed_in(&self.world, t, i));
                }
            }
        }
        for i in self.identities() {
            let mut tenants: Vec<TenantId> = self
                .world
                .tenants_of_identity(i)
                .iter()
                .map(|(t, _)| *t)
                .collect();
            tenants.sort();
            for t in tenants {
                push(&mut v, signed_in(&self.world, t, i));
            }
            if let Identity::Personal { .. } = i {
                push(&mut v, personal(&self.world, i));
            }
        }
        for t in self.tenants() {
            let mut apps: Vec<ObjectId> = self
                .world
                .tenant(t)
                .unwrap()
                .applications
                .keys()
                .copied()
                .collect();
            apps.sort();
            for a in apps {
                push(&mut v, application(&self.world, a));
            }
        }
        v
    }

    fn actor(&self, i: u8) -> Actor {
        pick(&self.actors(), i).expect("the operator at least")
    }

    /// Names a principal map may use: UPNs and emails of every user, groups, then one nobody has.
    fn principal_names(&self) -> Vec<String> {
        let mut v = Vec::new();
        for t in self.tenants() {
            for u in self.users(t) {
                v.push(u.upn().to_string());
                if let Some(m) = u.mail() {
                    v.push(m.to_string());
                }
            }
            for g in self.groups(t) {
                v.push(format!(
                    "group:{}",
                    self.world.group(g).unwrap().display_name
                ));
            }
        }
        v.push("nobody@example.com".into());
        v
    }

    fn scopes(&self, sub: SubscriptionId) -> Vec<Scope> {
        let s = self.world.subscription(sub).unwrap();
        let mut v = vec![Scope::subscription(sub)];
        v.extend(
            s.resource_groups
                .values()
                .map(|g| Scope::resource_group(sub, &g.name)),
        );
        v.extend(s.resources.values().map(|r| r.scope.clone()));
        v.push(Scope::resource_group(sub, "ghost"));
        v
    }

    /// Custom roles first, then the built-in ones, then one that does not exist.
    fn roles(&self, sub: SubscriptionId) -> Vec<RoleDefinitionId> {
        let mut v: Vec<RoleDefinitionId> = self
            .world
            .subscription(sub)
            .unwrap()
            .custom_roles
            .keys()
            .copied()
            .collect();
        v.extend(self.world.built_in_roles().iter().map(|r| r.id));
        v.push(RoleDefinitionId(uuid::Uuid::nil()));
        v
    }

    /// A subscription with a change of directory waiting, when there is one.
    fn requested_sub(&self, i: u8) -> SubscriptionId {
        let waiting: Vec<SubscriptionId> = self
            .subs()
            .into_iter()
            .filter(|s| {
                self.world
                    .subscription(*s)
                    .and_then(|p| p.change_request.as_ref())
                    .is_some_and(|r| r.status == RequestStatus::Pending)
            })
            .collect();
        pick(&waiting, i).unwrap_or_else(|| self.sub(i))
    }

    /// The subscription's classic administrators signed in to its tenant, then the same people signed in
    /// anywhere else (other tenants where they are present, the consumer realm), which must not help them.
    fn sub_admins(&self, s: SubscriptionId) -> Vec<Actor> {
        let sub = &self.world.subscription(s).unwrap().subscription;
        let mut ids = vec![sub.service_admin, sub.account_admin];
        ids.extend(sub.co_admins.iter().copied());
        let mut right: Vec<Actor> = Vec::new();
        let mut wrong: Vec<Actor> = Vec::new();
        for i in ids {
            let mut tenants: Vec<TenantId> = self
                .world
                .tenants_of_identity(i)
                .iter()
                .map(|(t, _)| *t)
                .collect();
            tenants.sort();
            for t in tenants {
                let a = signed_in(&self.world, t, i);
                let list = if t == sub.tenant {
                    &mut right
                } else {
                    &mut wrong
                };
                if !list.contains(&a) {
                    list.push(a);
                }
            }
            if let Identity::Personal { .. } = i {
                let a = personal(&self.world, i);
                if !wrong.contains(&a) {
                    wrong.push(a);
                }
            }
        }
        // Two in three of the strong picks are the right ones.
        let mut v = right.clone();
        v.extend(right);
        v.extend(wrong);
        v
    }

    /// The account administrator, signed in to the subscription's tenant, at home, or as a personal account.
    fn account_admins(&self, s: SubscriptionId) -> Vec<Actor> {
        let sub = &self.world.subscription(s).unwrap().subscription;
        let aa = sub.account_admin;
        let mut v = Vec::new();
        if self.world.presence(aa, sub.tenant).is_some() {
            v.push(signed_in(&self.world, sub.tenant, aa));
        }
        match aa {
            Identity::Personal { .. } => v.push(personal(&self.world, aa)),
            Identity::Organizational { tenant, .. } => {
                if self.world.presence(aa, tenant).is_some() {
                    v.push(signed_in(&self.world, tenant, aa));
                }
            }
        }
        v
    }

    /// The tenant's Global and User Administrators, signed in there.
    fn tenant_admins(&self, t: TenantId) -> Vec<Actor> {
        let Some(part) = self.world.tenant(t) else {
            return vec![];
        };
        let mut holders: Vec<(DirectoryRole, ObjectId)> =
            part.role_members.iter().copied().collect();
        holders.sort();
        holders
            .into_iter()
            .filter(|(r, _)| *r != DirectoryRole::GlobalReader)
            .filter_map(|(_, o)| {
                if let Some(u) = part.users.get(&o) {
                    u.identity()
                        .filter(|_| u.is_present())
                        .map(|i| signed_in(&self.world, t, i))
                } else {
                    part.applications
                        .get(&o)
                        .map(|_| application(&self.world, o))
                }
            })
            .collect()
    }

    fn by(&self, who: Who, strong: Vec<Actor>) -> Actor {
        match who {
            Who::Strong(i) => pick(&strong, i).unwrap_or_else(|| self.actor(i)),
            Who::Anyone(i) => self.actor(i),
        }
    }

    fn sub(&self, i: u8) -> SubscriptionId {
        pick(&self.subs(), i).unwrap()
    }
    fn tenant(&self, i: u8) -> TenantId {
        pick(&self.tenants(), i).unwrap()
    }
    fn email(&self, i: u8) -> String {
        pick(&self.emails, i).unwrap()
    }

    /// Signs in as whoever owns `email`: a personal account in the consumer realm, or a member at home.
    fn owner_of(&self, email: &str) -> Option<Actor> {
        let m = self.world.email_matches(email);
        if let Some(account) = m.personal {
            return Some(personal(&self.world, Identity::Personal { account }));
        }
        let (t, o) = *m.organizational.first()?;
        Some(signed_in(
            &self.world,
            t,
            Identity::Organizational { tenant: t, user: o },
        ))
    }

    /// A Global Administrator of `tenant`, signed in there.
    fn global_admin(&self, tenant: TenantId, i: u8) -> Option<Actor> {
        let part = self.world.tenant(tenant)?;
        let mut gas: Vec<ObjectId> = part
            .role_holders(DirectoryRole::GlobalAdministrator)
            .collect();
        gas.sort();
        let o = pick(&gas, i)?;
        let identity = part.users.get(&o)?.identity()?;
        Some(signed_in(&self.world, tenant, identity))
    }

    /// Runs one operation: the actor, the rule's answer, and the cross-tenant cases that apply.
    fn run(&self, op: &Op) -> (Actor, Result<Change, DomainError>, Vec<CrossTenant>) {
        let w = &self.world;
        let now = self.now;
        match op {
            Op::AddCoAdmin {
                actor,
                sub,
                email,
                kind,
            } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let r = admins::add_co_admin(
                    w,
                    &a,
                    self.sub(*sub),
                    &self.email(*email),
                    account_type(*kind),
                    now,
                );
                (a, r.map(|(c, _)| c), vec![])
            }
            Op::RemoveCoAdmin { actor, sub, email } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                // Half of the time one of its co-administrators.
                let co: Vec<String> = self
                    .world
                    .subscription(self.sub(*sub))
                    .unwrap()
                    .subscription
                    .co_admins
                    .iter()
                    .filter_map(|i| self.world.identity_email(*i))
                    .collect();
                let email = match pick(&co, *email) {
                    Some(e) if *email % 2 == 0 => e,
                    _ => self.email(*email),
                };
                let r = admins::remove_co_admin(w, &a, self.sub(*sub), &email, now);
                (a, r, vec![])
            }
            Op::ChangeServiceAdmin {
                actor,
                sub,
                email,
                kind,
            } => {
                let a = self.by(*actor, self.account_admins(self.sub(*sub)));
                let s = self.sub(*sub);
                let r = admins::change_service_admin(
                    w,
                    &a,
                    s,
                    &self.email(*email),
                    account_type(*kind),
                    now,
                );
                (a, r, vec![CrossTenant::AccountAdministrator(s)])
            }
            Op::Invite {
                actor,
                tenant,
                email,
            } => {
                let a = self.by(*actor, self.tenant_admins(self.tenant(*tenant)));
                let r = guests::invite(w, &a, self.tenant(*tenant), &self.email(*email), now);
                (a, r.map(|(c, _, _)| c), vec![])
            }
            Op::Redeem { actor, invitation } => {
                let mut all: Vec<&Invitation> = Vec::new();
                for t in self.tenants() {
                    let mut v: Vec<&Invitation> =
                        w.tenant(t).unwrap().invitations.values().collect();
                    v.sort_by(|a, b| (&a.email, a.id).cmp(&(&b.email, b.id)));
                    all.extend(v);
                }
                let Some(inv) = pick(&all, *invitation) else {
                    return (Actor::Operator, Ok(Change::new()), vec![]);
                };
                let a = match actor {
                    Some(i) => self.actor(*i),
                    None => self.owner_of(&inv.email).unwrap_or(Actor::Operator),
                };
                let r = guests::redeem(w, &a, inv.tenant, inv.id, now);
                (a, r, vec![CrossTenant::Redeem(inv.tenant)])
            }
            Op::RequestLink { actor, sub, tenant } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let t = self.tenant(*tenant);
                let r = guests::request_link(w, &a, self.sub(*sub), t, now);
                let cross = CrossTenant::LinkRequest {
                    target: t,
                    sub: self.sub(*sub),
                };
                (a, r.map(|(c, _)| c), vec![cross])
            }
            Op::DecideLink {
                actor,
                request,
                approve,
            } => {
                let mut all: Vec<&DirectoryLinkRequest> = Vec::new();
                for t in self.tenants() {
                    let mut v: Vec<&DirectoryLinkRequest> =
                        w.tenant(t).unwrap().link_requests.values().collect();
                    v.sort_by_key(|r| r.id);
                    all.extend(v);
                }
                let Some(req) = pick(&all, *request) else {
                    return (Actor::Operator, Ok(Change::new()), vec![]);
                };
                let a = match actor {
                    Some(i) => self.actor(*i),
                    None => self
                        .global_admin(req.tenant, *request)
                        .unwrap_or(Actor::Operator),
                };
                let r = if *approve {
                    guests::approve_link(w, &a, req.tenant, req.id, now)
                } else {
                    guests::decline_link(w, &a, req.tenant, req.id, now)
                };
                let cross = CrossTenant::LinkWithdrawn {
                    tenant: req.tenant,
                    requester: req.requester,
                };
                (a, r, vec![cross])
            }
            Op::PutGroup {
                actor,
                sub,
                name,
                location,
            } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let r = resources::put_resource_group(
                    w,
                    &a,
                    self.sub(*sub),
                    pick(&GROUP_NAMES, *name).unwrap(),
                    ResourceGroupWrite {
                        location: pick(&LOCATIONS, *location).unwrap().into(),
                        tags: None,
                        managed_by: None,
                    },
                    now,
                );
                (a, r.map(|(c, _)| c), vec![])
            }
            Op::DeleteGroup { actor, sub, group } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let r = resources::delete_resource_group(
                    w,
                    &a,
                    self.sub(*sub),
                    pick(&GROUP_NAMES, *group).unwrap(),
                    now,
                );
                (a, r, vec![])
            }
            Op::PutResource {
                actor,
                sub,
                group,
                name,
            } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let group = pick(&GROUP_NAMES, *group).unwrap();
                let resource = pick(&RESOURCE_NAMES, *name).unwrap();
                // The name's other bits pick a kind: a user-assigned identity, or a storage account
                // with a system-assigned identity, with its identity switched off, or without a block.
                let kind = (*name / 4) % 4;
                let path = if kind == 0 {
                    format!("userAssignedIdentities/{resource}")
                } else {
                    format!("storageAccounts/{resource}")
                };
                let namespace = if kind == 0 {
                    "Microsoft.ManagedIdentity"
                } else {
                    "Microsoft.Storage"
                };
                let scope = Scope::resource(self.sub(*sub), group, namespace, &path).unwrap();
                let identity = match kind {
                    1 => Some(IdentityWrite {
                        type_name: "SystemAssigned".into(),
                        ..Default::default()
                    }),
                    2 => Some(IdentityWrite {
                        type_name: "None".into(),
                        ..Default::default()
                    }),
                    _ => None,
                };
                let r = resources::put_resource(
                    w,
                    &a,
                    &scope,
                    ResourceWrite {
                        identity,
                        location: Some("westeurope".into()),
                        kind: None,
                        tags: Default::default(),
                        properties: serde_json::Value::Null,
                    },
                    now,
                );
                (a, r.map(|(c, _)| c), vec![])
            }
            Op::DeleteResource {
                actor,
                sub,
                resource,
            } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let s = self.sub(*sub);
                let scopes: Vec<Scope> = self
                    .scopes(s)
                    .into_iter()
                    .filter(|x| x.resource_type().is_some())
                    .collect();
                let Some(scope) = pick(&scopes, *resource) else {
                    return (a, Ok(Change::new()), vec![]);
                };
                (
                    a.clone(),
                    resources::delete_resource(w, &a, &scope, now),
                    vec![],
                )
            }
            Op::CreateAssignment {
                actor,
                sub,
                scope,
                role,
                principal,
                reuse,
            } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let s = self.sub(*sub);
                let existing: Vec<RoleAssignmentId> = {
                    let mut v: Vec<RoleAssignmentId> = w
                        .subscription(s)
                        .unwrap()
                        .assignments
                        .keys()
                        .copied()
                        .collect();
                    v.sort();
                    v
                };
                let id = reuse.and_then(|i| pick(&existing, i)).unwrap_or_default();
                let r = access::create_role_assignment(
                    w,
                    &a,
                    RoleAssignmentWrite {
                        id,
                        scope: pick(&self.scopes(s), *scope).unwrap(),
                        role_definition: pick(&self.roles(s), *role).unwrap(),
                        principal: pick(&self.principals(None), *principal).unwrap(),
                        description: None,
                        principal_type: None,
                    },
                    now,
                );
                (a, r.map(|(c, _)| c), vec![])
            }
            Op::DeleteAssignment {
                actor,
                sub,
                assignment,
            } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let s = self.sub(*sub);
                let mut ids: Vec<RoleAssignmentId> = w
                    .subscription(s)
                    .unwrap()
                    .assignments
                    .keys()
                    .copied()
                    .collect();
                ids.sort();
                ids.push(RoleAssignmentId(uuid::Uuid::nil()));
                let id = pick(&ids, *assignment).unwrap();
                let r = access::delete_role_assignment(w, &a, s, id, now);
                (a, r.map(|o| o.map(|(c, _)| c).unwrap_or_default()), vec![])
            }
            Op::PutCustomRole {
                actor,
                sub,
                name,
                actions,
            } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let s = self.sub(*sub);
                let role_name = pick(&ROLE_NAMES, *name).unwrap();
                let id = w
                    .subscription(s)
                    .unwrap()
                    .custom_roles
                    .values()
                    .find(|d| d.name == role_name)
                    .map(|d| d.id)
                    .unwrap_or_default();
                let (acts, nots) = pick(&ACTION_SETS, *actions).unwrap();
                let r = access::put_role_definition(
                    w,
                    &a,
                    RoleDefinitionWrite {
                        id,
                        subscription: s,
                        name: role_name.into(),
                        description: String::new(),
                        permissions: vec![Permission {
                            actions: acts.iter().map(|x| x.to_string()).collect(),
                            not_actions: nots.iter().map(|x| x.to_string()).collect(),
                            ..Default::default()
                        }],
                        assignable_scopes: vec![],
                    },
                    now,
                );
                (a, r.map(|(c, _)| c), vec![])
            }
            Op::DeleteCustomRole { actor, sub, role } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let s = self.sub(*sub);
                // Mostly a custom role (built-in ones cannot be deleted).
                let custom = self.roles(s).len() - 6;
                let id = if *role % 4 == 0 || custom == 0 {
                    pick(&self.roles(s), *role).unwrap()
                } else {
                    pick(&self.roles(s)[..custom], *role).unwrap()
                };
                let r = access::delete_role_definition(w, &a, s, id, now);
                (a, r.map(|o| o.map(|(c, _)| c).unwrap_or_default()), vec![])
            }
            Op::Preview {
                actor,
                sub,
                tenant,
                map,
            } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let s = self.sub(*sub);
                let sub_tenant = w.subscription(s).unwrap().subscription.tenant;
                let r = change_directory::plan(
                    w,
                    &a,
                    s,
                    self.tenant(*tenant),
                    &self.map(map),
                    Approval::Initiator,
                    now,
                );
                // Property 5: a preview shows who has access in the subscription; never to another tenant.
                if r.is_ok() {
                    assert!(
                        a.is_operator() || a.tenant() == Some(sub_tenant),
                        "{} previewed a subscription of another tenant",
                        a.display()
                    );
                }
                (a, Ok(Change::new()), vec![])
            }
            Op::Initiate {
                actor,
                sub,
                tenant,
                owner,
                map,
            } => {
                let a = self.by(*actor, self.sub_admins(self.sub(*sub)));
                let t = self.tenant(*tenant);
                let owner = owner.and_then(|i| pick(&self.principals(Some(t)), i));
                let r =
                    change_directory::initiate(w, &a, self.sub(*sub), t, owner, self.map(map), now);
                let cross = CrossTenant::MoveInto {
                    destination: t,
                    sub: self.sub(*sub),
                };
                (a, r.map(|(c, _)| c), vec![cross])
            }
            Op::Accept { actor, sub } => {
                let s = self.requested_sub(*sub);
                let request = w.subscription(s).unwrap().change_request.clone();
                let a = match (actor, &request) {
                    (Some(i), _) => self.actor(*i),
                    (None, Some(r)) => match r.destination_owner {
                        Some(o) => w
                            .user(o)
                            .and_then(|u| u.identity())
                            .map(|i| signed_in(w, r.destination, i))
                            .unwrap_or(Actor::Operator),
                        None => self
                            .global_admin(r.destination, *sub)
                            .unwrap_or(Actor::Operator),
                    },
                    (None, None) => Actor::Operator,
                };
                let r = change_directory::accept(w, &a, s, now);
                (a, r.map(|(c, _)| c), vec![CrossTenant::Acceptor(s)])
            }
            Op::Cancel { actor, sub } => {
                let s = self.requested_sub(*sub);
                let a = self.by(*actor, self.sub_admins(s));
                (
                    a.clone(),
                    change_directory::cancel(w, &a, s, now),
                    vec![CrossTenant::Acceptor(s)],
                )
            }
            Op::DeleteUser {
                actor,
                tenant,
                user,
            } => {
                let a = self.by(*actor, self.tenant_admins(self.tenant(*tenant)));
                let t = self.tenant(*tenant);
                let users: Vec<ObjectId> = self.users(t).iter().map(|u| u.id).collect();
                let Some(u) = pick(&users, *user) else {
                    return (a, Ok(Change::new()), vec![]);
                };
                let deleted = w
                    .user(u)
                    .filter(|x| x.is_member())
                    .and_then(|x| x.identity());
                let r = directory::delete_user(w, &a, t, u, now);
                (
                    a,
                    r,
                    deleted
                        .map(CrossTenant::MemberDeleted)
                        .into_iter()
                        .collect(),
                )
            }
            Op::SetPolicy {
                actor,
                tenant,
                leaving,
                entering,
                exempt,
            } => {
                let a = self.by(*actor, self.tenant_admins(self.tenant(*tenant)));
                let t = self.tenant(*tenant);
                // Mostly principals of the tenant; sometimes anyone's.
                let exempted = exempt
                    .map(|i| {
                        if i % 4 == 0 {
                            pick(&self.principals(None), i).unwrap()
                        } else {
                            pick(&self.principals(Some(t)), i).unwrap_or(UNKNOWN)
                        }
                    })
                    .into_iter()
                    .collect();
                let policy = SubscriptionPolicy {
                    block_subscriptions_leaving: *leaving,
                    block_subscriptions_entering: *entering,
                    exempted,
                };
                (
                    a.clone(),
                    directory::set_policy(w, &a, t, policy, now),
                    vec![],
                )
            }
            Op::CreateUser {
                actor,
                tenant,
                name,
                mail,
            } => {
                let a = self.by(*actor, self.tenant_admins(self.tenant(*tenant)));
                let r = directory::create_user(
                    w,
                    &a,
                    self.tenant(*tenant),
                    NewUser {
                        given_name: None,
                        surname: None,
                        id: None,
                        user_name: pick(&USER_NAMES, *name).unwrap().into(),
                        display_name: String::new(),
                        mail: mail.map(|i| self.email(i)),
                        password_hash: "$argon2id$x".into(),
                        enabled: true,
                    },
                    now,
                );
                (a, r.map(|(c, _)| c), vec![])
            }
            Op::AddRole {
                actor,
                tenant,
                role,
                principal,
            }
            | Op::RemoveRole {
                actor,
                tenant,
                role,
                principal,
            } => {
                let a = self.by(*actor, self.tenant_admins(self.tenant(*tenant)));
                let t = self.tenant(*tenant);
                let role = pick(&DirectoryRole::ALL, *role).unwrap();
                let mut members: Vec<(DirectoryRole, ObjectId)> =
                    w.tenant(t).unwrap().role_members.iter().copied().collect();
                members.sort();
                let (role, p) = match pick(&members, *principal) {
                    // Half of the removals name a member of a role.
                    Some(m) if matches!(op, Op::RemoveRole { .. }) && *principal % 2 == 0 => m,
                    _ => (
                        role,
                        pick(&self.principals(Some(t)), *principal).unwrap_or(UNKNOWN),
                    ),
                };
                let r = if matches!(op, Op::AddRole { .. }) {
                    directory::add_directory_role_member(w, &a, t, role, p, now)
                } else {
                    directory::remove_directory_role_member(w, &a, t, role, p, now)
                };
                (a, r, vec![])
            }
            Op::CreateTenant { actor, name } => {
                let a = self.by(*actor, vec![]);
                let r = directory::create_tenant(
                    w,
                    &a,
                    NewTenant {
                        id: None,
                        name: pick(&TENANT_NAMES, *name).unwrap().into(),
                        display_name: String::new(),
                        origin: TenantOrigin::Azure,
                        domain_suffix: "onmicrosoft.com".into(),
                        domains: vec![],
                    },
                    now,
                );
                (a, r.map(|(c, _)| c), vec![])
            }
            Op::CreateSecurityGroup {
                actor,
                tenant,
                name,
                role_assignable,
            } => {
                let t = self.tenant(*tenant);
                let a = self.by(*actor, self.tenant_admins(t));
                let req = NewGroup {
                    role_assignable: *role_assignable,
                    ..NewGroup::named(pick(&SECURITY_GROUP_NAMES, *name).unwrap())
                };
                let r = groups::create_group(w, &a, t, req, now);
                (a, r.map(|(c, _)| c), vec![])
            }
            Op::AddGroupMember {
                actor,
                tenant,
                group,
                member,
            }
            | Op::RemoveGroupMember {
                actor,
                tenant,
                group,
                member,
            } => {
                let t = self.group_tenant(*tenant);
                let a = self.by(*actor, self.tenant_admins(t));
                let Some(g) = pick(&self.groups(t), *group) else {
                    return (a, Ok(Change::new()), vec![]);
                };
                let r = if matches!(op, Op::AddGroupMember { .. }) {
                    // Mostly principals of the tenant; sometimes anyone's.
                    let m = if *member % 5 == 0 {
                        pick(&self.principals(None), *member).unwrap()
                    } else {
                        pick(&self.principals(Some(t)), *member).unwrap_or(UNKNOWN)
                    };
                    groups::add_group_members(w, &a, t, g, &[m], now)
                } else {
                    let members: Vec<ObjectId> = w.tenant(t).unwrap().members_of(g).collect();
                    let m = pick(&members, *member).unwrap_or(UNKNOWN);
                    groups::remove_group_members(w, &a, t, g, &[m], now)
                };
                (a, r, vec![])
            }
            Op::DeleteSecurityGroup {
                actor,
                tenant,
                group,
            } => {
                let t = self.group_tenant(*tenant);
                let a = self.by(*actor, self.tenant_admins(t));
                let g = pick(&self.groups(t), *group).unwrap_or(UNKNOWN);
                (a.clone(), groups::delete_group(w, &a, t, g, now), vec![])
            }
            Op::Wait { .. } => (Actor::Operator, Ok(Change::new()), vec![]),
        }
    }

    fn map(&self, entries: &[(u8, u8)]) -> Vec<PrincipalMapEntry> {
        let names = self.principal_names();
        entries
            .iter()
            .map(|(f, t)| PrincipalMapEntry {
                from: pick(&names, *f).unwrap(),
                to: pick(&names, *t).unwrap(),
            })
            .collect()
    }

    /// Runs an operation and checks every property.
    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        if let Op::Wait { seconds } = op {
            self.now += *seconds as i64;
            return Ok(());
        }
        self.now += 60;
        let before = self.world.clone();
        let (actor, result, cross) = self.run(op);
        // The rules take the world by reference: whatever they answer, they changed nothing.
        prop_assert!(self.world == before, "a rule changed the world it read");
        match result {
            Err(e) => {
                prop_assert!(
                    !e.code.is_empty() && !e.message.is_empty(),
                    "a refusal without words: {e:?}"
                );
            }
            Ok(change) => {
                if !change.mutations.is_empty() {
                    prop_assert!(
                        !change.audit.is_empty(),
                        "{op:?} by {} wrote no audit event",
                        actor.display()
                    );
                }
                if let Err(why) = check_partitions(&before, &actor, &cross, &change) {
                    return Err(TestCaseError::fail(format!(
                        "{op:?} by {}: {why}",
                        actor.display()
                    )));
                }
                self.world.apply(&change);
                let mut replayed = self.world.clone();
                replayed.apply(&change);
                prop_assert!(
                    replayed == self.world,
                    "applying {op:?} twice differs from once"
                );
            }
        }
        let v = violations(&self.world);
        prop_assert!(v.is_empty(), "after {op:?} by {}: {v:#?}", actor.display());
        self.check_authorization()?;
        self.check_indexes()?;
        Ok(())
    }

    /// Property 4.
    fn check_authorization(&self) -> Result<(), TestCaseError> {
        let actions = [
            Action::new(names::SUBSCRIPTION_READ),
            Action::new(names::ROLE_ASSIGNMENT_WRITE),
            Action::new(STORAGE_WRITE),
        ];
        let actors = self.actors();
        for s in self.world.subscriptions() {
            let trusted = s.subscription.tenant;
            // The subscription, two of its groups and one resource: where grants are inherited or not.
            let mut scopes = vec![Scope::subscription(s.subscription.id)];
            scopes.extend(
                s.resource_groups
                    .values()
                    .take(2)
                    .map(|g| Scope::resource_group(s.subscription.id, &g.name)),
            );
            scopes.extend(s.resources.values().take(1).map(|r| r.scope.clone()));
            for a in &actors {
                for scope in &scopes {
                    for action in &actions {
                        let granted = self.world.authorize(a, action, scope);
                        match &a {
                            Actor::Operator => prop_assert!(granted),
                            Actor::Personal { .. } => {
                                prop_assert!(!granted, "a personal token got {action:?}")
                            }
                            Actor::User { tenant, object, .. }
                            | Actor::Application { tenant, object, .. } => {
                                if *tenant != trusted {
                                    prop_assert!(
                                        !granted,
                                        "{} (token of another tenant) got {action:?} on {scope}",
                                        a.display()
                                    );
                                } else {
                                    let explained =
                                        self.world.authorize_principal(*object, action, scope);
                                    prop_assert_eq!(
                                        granted,
                                        explained.is_some(),
                                        "fast and explaining paths disagree for {}",
                                        a.display()
                                    );
                                    prop_assert_eq!(
                                        granted,
                                        !self
                                            .world
                                            .explain_access(*object, action, scope)
                                            .is_empty()
                                    );
                                    prop_assert_eq!(
                                        granted,
                                        brute_allowed(&self.world, *object, action, scope),
                                        "the engine and a recomputation from the data disagree for {}",
                                        a.display()
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Property 6: the indexes kept by `apply` equal those of a world loaded from the same data.
    fn check_indexes(&self) -> Result<(), TestCaseError> {
        let w = &self.world;
        let mut rebuilt = World::new();
        for a in w.accounts() {
            rebuilt.replace_account(a.id, Some(a.clone()));
        }
        for t in w.tenants() {
            rebuilt.replace_tenant(t.tenant.id, Some(t.clone()));
        }
        for s in w.subscriptions() {
            rebuilt.replace_subscription(s.subscription.id, Some(s.clone()));
        }
        prop_assert!(rebuilt == *w);
        let identities = self.identities();
        for t in self.tenants() {
            for i in &identities {
                prop_assert_eq!(w.presence(*i, t), rebuilt.presence(*i, t));
            }
            let subs = |x: &World| {
                x.subscriptions_of_tenant(t)
                    .map(|s| s.subscription.id)
                    .collect::<BTreeSet<_>>()
            };
            prop_assert_eq!(subs(w), subs(&rebuilt));
            for u in self.users(t) {
                prop_assert_eq!(w.tenant_of_object(u.id), Some(t));
                prop_assert_eq!(w.user(u.id), Some(u));
                if u.is_member() {
                    prop_assert_eq!(w.member_by_upn(u.upn()).map(|x| x.id), Some(u.id));
                }
            }
            for a in w.tenant(t).unwrap().applications.values() {
                prop_assert_eq!(
                    w.application_by_client_id(a.client_id).map(|x| x.id),
                    Some(a.id)
                );
            }
        }
        for i in &identities {
            let tenants = |x: &World| {
                x.tenants_of_identity(*i)
                    .into_iter()
                    .collect::<BTreeSet<_>>()
            };
            prop_assert_eq!(tenants(w), tenants(&rebuilt));
        }
        for e in &self.emails {
            let m = |x: &World| {
                let m = x.email_matches(e);
                (
                    m.personal,
                    m.organizational.into_iter().collect::<BTreeSet<_>>(),
                )
            };
            prop_assert_eq!(m(w), m(&rebuilt));
        }
        for t in self.tenants() {
            let (kept, fresh) = (w.tenant(t).unwrap(), rebuilt.tenant(t).unwrap());
            for p in self.principals(Some(t)) {
                prop_assert_eq!(kept.groups_of(p), fresh.groups_of(p));
                let brute: Vec<ObjectId> = brute_groups(kept, p).into_iter().collect();
                prop_assert_eq!(kept.groups_of(p), brute.as_slice());
            }
            for g in kept.groups.values() {
                prop_assert_eq!(
                    kept.group_by_name(&g.display_name).map(|x| x.id),
                    Some(g.id)
                );
                prop_assert_eq!(w.tenant_of_object(g.id), Some(t));
            }
        }
        for s in w.subscriptions() {
            let r = rebuilt.subscription(s.subscription.id).unwrap();
            for p in self.principals(None) {
                let ids = |x: &SubscriptionPart| {
                    x.assignments_of(p).map(|a| a.id).collect::<BTreeSet<_>>()
                };
                prop_assert_eq!(ids(s), ids(r));
            }
        }
        Ok(())
    }
}

fn account_type(kind: u8) -> Option<AccountType> {
    match kind {
        1 => Some(AccountType::Personal),
        2 => Some(AccountType::Organizational),
        _ => None,
    }
}

/// Property 3: no actor whose token is for tenant A changes an object of tenant B, except in the cases the
/// rules document. Every mutation belongs to a partition (an account, a tenant with its users and requests,
/// a subscription with its groups, resources, roles and assignments). A successful change may touch:
///
/// * anything, when the operator makes it;
/// * a partition that did not exist before (creating a directory makes a new tenant; its creator, from
///   wherever they signed in, becomes its guest Global Administrator);
/// * `Tenant(A)`, the actor's own token tenant;
/// * `Subscription(S)` when S trusted A before the change (Azure: the token's tenant must be the
///   subscription's);
/// * and these documented cross-tenant writes, nothing else:
///   - redeeming an invitation writes the inviting tenant (the invitee signs in at home or as a personal
///     account);
///   - a directory link request is filed with the target tenant by the service administrator signed in
///     to the subscription's tenant (A must be the tenant S trusts); its requester may withdraw it there;
///   - a change of directory applied at once writes the destination (the service administrator's guest),
///     when the initiator is signed in to the tenant S trusts;
///   - accepting or declining a change of directory: a principal of the destination writes the
///     subscription that asked to come in (its `destination` must be the actor's tenant);
///   - the account administrator (the billing owner, who signs in to billing rather than to a directory)
///     changes the service administrator of its subscription, and may thereby make the new one a guest
///     of the subscription's tenant;
///   - deleting a member removes its co-administrator roles in subscriptions of other tenants where it
///     was present as a guest (it no longer exists to hold them).
///
/// Personal accounts signed in to the consumer realm have no token tenant: only the documented cases
/// (redeeming, the account administrator's change) let them write anything. Reads are property 5.
fn check_partitions(
    before: &World,
    actor: &Actor,
    cross: &[CrossTenant],
    change: &Change,
) -> Result<(), String> {
    if actor.is_operator() {
        return Ok(());
    }
    let token = actor.tenant();
    for p in change.partitions() {
        let existed = before.partitions().contains(&p);
        if !existed {
            continue;
        }
        let ok = match p {
            Partition::Account(_) => false,
            Partition::Tenant(t) => {
                token == Some(t)
                    || cross.iter().any(|c| match c {
                        CrossTenant::Redeem(x) => *x == t,
                        CrossTenant::LinkRequest { target: x, sub }
                        | CrossTenant::MoveInto {
                            destination: x,
                            sub,
                        } => *x == t && token.is_some() && token == trusted(before, *sub),
                        CrossTenant::LinkWithdrawn { tenant, requester } => {
                            *tenant == t && actor.identity() == Some(*requester)
                        }
                        CrossTenant::AccountAdministrator(s) => {
                            is_account_admin(before, actor, *s) && trusted(before, *s) == Some(t)
                        }
                        // Accepting a move takes the subscription's managed identities out of the
                        // directory it leaves (their principals go with their resources), as the source's
                        // service administrator asked when starting the change.
                        CrossTenant::Acceptor(s) => {
                            trusted(before, *s) == Some(t)
                                && before
                                    .subscription(*s)
                                    .and_then(|p| p.change_request.as_ref())
                                    .is_some_and(|r| token == Some(r.destination))
                        }
                        _ => false,
                    })
            }
            Partition::Subscription(s) => {
                token.is_some() && token == trusted(before, s)
                    || cross.iter().any(|c| match c {
                        CrossTenant::Acceptor(x) => {
                            *x == s
                                && before
                                    .subscription(s)
                                    .and_then(|p| p.change_request.as_ref())
                                    .is_some_and(|r| token == Some(r.destination))
                        }
                        CrossTenant::AccountAdministrator(x) => {
                            *x == s && is_account_admin(before, actor, s)
                        }
                        CrossTenant::MemberDeleted(i) => before
                            .subscription(s)
                            .is_some_and(|p| p.subscription.co_admins.contains(i)),
                        _ => false,
                    })
            }
        };
        if !ok {
            return Err(format!(
                "a token of {token:?} changed {p:?}, which it does not reach (cases: {cross:?})"
            ));
        }
    }
    Ok(())
}

fn trusted(w: &World, s: SubscriptionId) -> Option<TenantId> {
    w.subscription(s).map(|p| p.subscription.tenant)
}

fn is_account_admin(w: &World, actor: &Actor, s: SubscriptionId) -> bool {
    w.subscription(s)
        .is_some_and(|p| actor.identity() == Some(p.subscription.account_admin))
}

/// 256 cases of 30 to 60 operations; `PROPTEST_CASES` asks for more.
fn config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 256;
    }
    c.max_shrink_iters = 4096;
    c
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_operations_by_many_actors_keep_every_invariant(ops in prop::collection::vec(op(), 30..=60)) {
        let mut sim = Sim::new();
        for op in &ops {
            sim.step(op)?;
        }
    }
}

/// The simulation does reach the interesting places: a fixed walk through the article's flows, checked
/// with the same properties, so that a change to the simulation that made every operation fail would show.
#[test]
fn the_simulation_reaches_the_article_flows() {
    fn actor(sim: &Sim, email: &str, tenant: &str) -> u8 {
        let t = sim.world.tenant_by_name(tenant).unwrap().tenant.id;
        sim.actors()
            .iter()
            .position(|a| a.display() == email && a.tenant() == Some(t))
            .unwrap() as u8
    }
    fn tenant(sim: &Sim, name: &str) -> u8 {
        sim.tenants()
            .iter()
            .position(|t| sim.world.tenant(*t).unwrap().tenant.name == name)
            .unwrap() as u8
    }
    fn sub(sim: &Sim, name: &str) -> u8 {
        sim.subs()
            .iter()
            .position(|s| {
                sim.world
                    .subscription(*s)
                    .unwrap()
                    .subscription
                    .display_name
                    == name
            })
            .unwrap() as u8
    }
    type Step = fn(&Sim) -> Op;
    let steps: [Step; 5] = [
        // Alice, the service administrator of Pay-As-You-Go signed in to its directory, links Contoso;
        // a Global Administrator of Contoso approves.
        |s| Op::RequestLink {
            actor: Who::Anyone(actor(s, "alice@outlook.com", "alicedefault")),
            sub: sub(s, "Pay-As-You-Go"),
            tenant: tenant(s, "contoso"),
        },
        |_| Op::DecideLink {
            actor: None,
            request: 0,
            approve: true,
        },
        // The operator makes Dave co-administrator of Contoso Prod; Alice adds a group.
        |s| Op::AddCoAdmin {
            actor: Who::Anyone(0),
            sub: sub(s, "Contoso Prod"),
            email: s
                .emails
                .iter()
                .position(|e| e == "dave@outlook.com")
                .unwrap() as u8,
            kind: 0,
        },
        |s| Op::PutGroup {
            actor: Who::Anyone(actor(s, "alice@outlook.com", "alicedefault")),
            sub: sub(s, "Pay-As-You-Go"),
            name: 1,
            location: 0,
        },
        // Alice moves Pay-As-You-Go to Contoso.
        |s| Op::Initiate {
            actor: Who::Anyone(actor(s, "alice@outlook.com", "alicedefault")),
            sub: sub(s, "Pay-As-You-Go"),
            tenant: tenant(s, "contoso"),
            owner: None,
            map: vec![],
        },
    ];
    let mut sim = Sim::new();
    for step in steps {
        let op = step(&sim);
        let (actor, result, _) = sim.run(&op);
        if let Err(e) = result {
            panic!("{op:?} by {} refused: {e} {:?}", actor.display(), e.details);
        }
        sim.step(&op).unwrap();
    }
    let contoso = sim.world.tenant_by_name("contoso").unwrap().tenant.id;
    let payg = sim
        .world
        .subscriptions()
        .find(|s| s.subscription.display_name == "Pay-As-You-Go")
        .unwrap();
    assert_eq!(payg.subscription.tenant, contoso);
    assert!(payg.resource_group("RG2").is_some());
    let prod = sim
        .world
        .subscriptions()
        .find(|s| s.subscription.display_name == "Contoso Prod")
        .unwrap();
    assert_eq!(prod.subscription.co_admins.len(), 1);
}

/// The random operations do succeed, each kind of them, and not only fail: 200 sequences from a fixed
/// seed (enough for the rarer kinds, with the groups' operations among them), with the tally of outcomes
/// printed (`--nocapture`) and a success of every kind required.
#[test]
fn random_operations_succeed_often_enough_to_prove_something() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use std::collections::BTreeMap;
    let mut runner = TestRunner::deterministic();
    let ops = prop::collection::vec(op(), 30..=60);
    let mut ok: BTreeMap<String, usize> = BTreeMap::new();
    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..200 {
        let mut sim = Sim::new();
        for op in ops.new_tree(&mut runner).unwrap().current() {
            let kind = format!("{op:?}")
                .split([' ', '{'])
                .next()
                .unwrap()
                .to_string();
            let (_, result, _) = sim.run(&op);
            match result {
                Ok(c) if !c.mutations.is_empty() => *ok.entry(kind).or_default() += 1,
                Ok(_) => {}
                Err(e) => *refused.entry(format!("{kind} {}", e.code)).or_default() += 1,
            }
            sim.step(&op).unwrap();
        }
    }
    println!("changes: {ok:#?}\nrefusals: {refused:#?}");
    for kind in [
        "AddCoAdmin",
        "RemoveCoAdmin",
        "ChangeServiceAdmin",
        "Invite",
        "Redeem",
        "RequestLink",
        "DecideLink",
        "PutGroup",
        "DeleteGroup",
        "PutResource",
        "DeleteResource",
        "CreateAssignment",
        "DeleteAssignment",
        "PutCustomRole",
        "DeleteCustomRole",
        "Initiate",
        "Accept",
        "Cancel",
        "DeleteUser",
        "SetPolicy",
        "CreateUser",
        "AddRole",
        "RemoveRole",
        "CreateTenant",
        "CreateSecurityGroup",
        "AddGroupMember",
        "RemoveGroupMember",
        "DeleteSecurityGroup",
    ] {
        assert!(
            ok.get(kind).is_some_and(|n| *n > 0),
            "no {kind} ever succeeded"
        );
    }
}

/// Every group `principal` is in, found by walking the direct memberships until nothing changes.
fn brute_groups(t: &TenantPart, principal: ObjectId) -> BTreeSet<ObjectId> {
    let mut found = BTreeSet::new();
    let mut frontier = vec![principal];
    while let Some(x) = frontier.pop() {
        for (g, m) in &t.group_members {
            if *m == x && found.insert(*g) {
                frontier.push(*g);
            }
        }
    }
    found
}

/// Whether `principal` may perform `action` at `scope`, recomputed from the data alone: a classic
/// administrator role (present and enabled users), or an assignment at or above the scope to the
/// principal or to a group it is in, whose role grants the action.
fn brute_allowed(w: &World, principal: ObjectId, action: &Action, scope: &Scope) -> bool {
    let Some(part) = w.subscription(scope.subscription_id()) else {
        return false;
    };
    let sub = &part.subscription;
    let Some(t) = w.tenant(sub.tenant) else {
        return false;
    };
    if let Some(u) = t.users.get(&principal)
        && u.is_present()
        && u.enabled
        && u.identity()
            .is_some_and(|i| tenantry_domain::authz::classic_role(sub, i).is_some())
    {
        return true;
    }
    let mut holders = brute_groups(t, principal);
    holders.insert(principal);
    part.assignments.values().any(|a| {
        holders.contains(&a.principal)
            && a.scope.contains(scope)
            && w.role_definition(sub.id, a.role_definition)
                .is_some_and(|d| {
                    tenantry_domain::action::CompiledRole::new(&d.permissions).grants(action)
                })
    })
}

/// One operation of the membership simulation; indexes pick among what exists when it runs.
#[derive(Debug, Clone)]
enum GroupOp {
    Create { name: u8, role_assignable: bool },
    Add { by: u8, group: u8, member: u8 },
    Remove { by: u8, group: u8, member: u8 },
    Delete { by: u8, group: u8 },
    DeleteUser { user: u8 },
    Assign { scope: u8, role: u8, principal: u8 },
    Unassign { assignment: u8 },
    GrantDirectoryRole { group: u8, role: u8 },
}

fn group_op() -> impl Strategy<Value = GroupOp> {
    let i = any::<u8>;
    prop_oneof![
        2 => (i(), prop::bool::weighted(0.25)).prop_map(|(name, role_assignable)| GroupOp::Create { name, role_assignable }),
        8 => (i(), i(), i()).prop_map(|(by, group, member)| GroupOp::Add { by, group, member }),
        3 => (i(), i(), i()).prop_map(|(by, group, member)| GroupOp::Remove { by, group, member }),
        1 => (i(), i()).prop_map(|(by, group)| GroupOp::Delete { by, group }),
        1 => i().prop_map(|user| GroupOp::DeleteUser { user }),
        3 => (i(), i(), i()).prop_map(|(scope, role, principal)| GroupOp::Assign { scope, role, principal }),
        1 => i().prop_map(|assignment| GroupOp::Unassign { assignment }),
        1 => (i(), i()).prop_map(|(group, role)| GroupOp::GrantDirectoryRole { group, role }),
    ]
}

const MEMBERSHIP_GROUP_NAMES: [&str; 7] = ["G0", "G1", "G2", "G3", "G4", "G5", "G6"];

/// alicedefault of the article's world with four more members, changed by random group operations.
struct GroupSim {
    fx: Fx,
}

impl GroupSim {
    fn new() -> Self {
        let mut fx = Fx::article();
        for name in ["u0", "u1", "u2", "u3"] {
            fx.user(fx.alicedefault, name, None);
        }
        GroupSim { fx }
    }
    fn part(&self) -> &TenantPart {
        self.fx.world.tenant(self.fx.alicedefault).unwrap()
    }
    fn groups(&self) -> Vec<ObjectId> {
        let mut v: Vec<&Group> = self.part().groups.values().collect();
        v.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        v.iter().map(|g| g.id).collect()
    }
    /// Users and the application (who act and are authorized), sorted.
    fn callers(&self) -> Vec<ObjectId> {
        let p = self.part();
        let mut v: Vec<ObjectId> = p
            .users
            .keys()
            .chain(p.applications.keys())
            .copied()
            .collect();
        v.sort();
        v
    }
    fn principals(&self) -> Vec<ObjectId> {
        let mut v = self.callers();
        v.extend(self.groups());
        v
    }
    /// The operator three times in four; otherwise someone signed in to the directory (its Global
    /// Administrator, an owner or nobody in particular).
    fn actor(&self, by: u8) -> Actor {
        if !by.is_multiple_of(4) {
            return Actor::Operator;
        }
        let w = &self.fx.world;
        let callers = self.callers();
        let o = pick(&callers, by / 4).unwrap();
        match w.user(o) {
            Some(u) => signed_in(w, self.fx.alicedefault, u.identity().unwrap()),
            None => application(w, o),
        }
    }

    fn run(&self, op: &GroupOp) -> Result<Change, DomainError> {
        let (w, t, now) = (&self.fx.world, self.fx.alicedefault, self.fx.now);
        let none = || Ok(Change::new());
        match op {
            GroupOp::Create {
                name,
                role_assignable,
            } => {
                let req = NewGroup {
                    role_assignable: *role_assignable,
                    ..NewGroup::named(pick(&MEMBERSHIP_GROUP_NAMES, *name).unwrap())
                };
                groups::create_group(w, &Actor::Operator, t, req, now).map(|(c, _)| c)
            }
            GroupOp::Add { by, group, member } => {
                let Some(g) = pick(&self.groups(), *group) else {
                    return none();
                };
                let m = pick(&self.principals(), *member).unwrap();
                groups::add_group_members(w, &self.actor(*by), t, g, &[m], now)
            }
            GroupOp::Remove { by, group, member } => {
                let Some(g) = pick(&self.groups(), *group) else {
                    return none();
                };
                let members: Vec<ObjectId> = self.part().members_of(g).collect();
                let Some(m) = pick(&members, *member) else {
                    return none();
                };
                groups::remove_group_members(w, &self.actor(*by), t, g, &[m], now)
            }
            GroupOp::Delete { by, group } => {
                let Some(g) = pick(&self.groups(), *group) else {
                    return none();
                };
                groups::delete_group(w, &self.actor(*by), t, g, now)
            }
            GroupOp::DeleteUser { user } => {
                let mut users: Vec<ObjectId> = self
                    .part()
                    .users
                    .values()
                    .filter(|u| u.is_member())
                    .map(|u| u.id)
                    .collect();
                users.sort();
                let Some(u) = pick(&users, *user) else {
                    return none();
                };
                directory::delete_user(w, &Actor::Operator, t, u, now)
            }
            GroupOp::Assign {
                scope,
                role,
                principal,
            } => {
                let scopes = [
                    self.fx.sub_scope(),
                    self.fx.rg("rg1"),
                    self.fx.storage.clone(),
                ];
                let roles = [
                    roles::READER,
                    roles::CONTRIBUTOR,
                    roles::OWNER,
                    self.fx.log_reader,
                ];
                access::create_role_assignment(
                    w,
                    &Actor::Operator,
                    RoleAssignmentWrite {
                        id: RoleAssignmentId::new(),
                        scope: pick(&scopes, *scope).unwrap(),
                        role_definition: pick(&roles, *role).unwrap(),
                        principal: pick(&self.principals(), *principal).unwrap(),
                        description: None,
                        principal_type: None,
                    },
                    now,
                )
                .map(|(c, _)| c)
            }
            GroupOp::Unassign { assignment } => {
                let mut ids: Vec<RoleAssignmentId> = w
                    .subscription(self.fx.sub)
                    .unwrap()
                    .assignments
                    .keys()
                    .copied()
                    .collect();
                ids.sort();
                let Some(id) = pick(&ids, *assignment) else {
                    return none();
                };
                access::delete_role_assignment(w, &Actor::Operator, self.fx.sub, id, now)
                    .map(|o| o.map(|(c, _)| c).unwrap_or_default())
            }
            GroupOp::GrantDirectoryRole { group, role } => {
                let Some(g) = pick(&self.groups(), *group) else {
                    return none();
                };
                let role = pick(&DirectoryRole::ALL, *role).unwrap();
                directory::add_directory_role_member(w, &Actor::Operator, t, role, g, now)
            }
        }
    }

    fn step(&mut self, op: &GroupOp) -> Result<(), TestCaseError> {
        let before = self.fx.world.clone();
        let result = self.run(op);
        prop_assert!(self.fx.world == before, "a rule changed the world it read");
        if let Ok(change) = result {
            if !change.mutations.is_empty() {
                prop_assert!(!change.audit.is_empty(), "{op:?} wrote no audit event");
            }
            self.fx.world.apply(&change);
        }
        let v = violations(&self.fx.world);
        prop_assert!(v.is_empty(), "after {op:?}: {v:#?}");
        self.check()
    }

    /// The index against the data, authorization against a recomputation, every reported path, and
    /// directory roles through groups.
    fn check(&self) -> Result<(), TestCaseError> {
        let w = &self.fx.world;
        let t = self.part();
        let mut rebuilt = w.clone();
        rebuilt.replace_tenant(t.tenant.id, Some(t.clone()));
        let fresh = rebuilt.tenant(t.tenant.id).unwrap();
        for p in self.principals() {
            let brute: Vec<ObjectId> = brute_groups(t, p).into_iter().collect();
            prop_assert_eq!(t.groups_of(p), brute.as_slice());
            prop_assert_eq!(fresh.groups_of(p), brute.as_slice());
        }
        let actions = [
            Action::new(STORAGE_READ),
            Action::new(STORAGE_WRITE),
            Action::new(names::ROLE_ASSIGNMENT_WRITE),
            Action::new(names::RESOURCE_GROUP_READ),
        ];
        let scopes = [
            self.fx.sub_scope(),
            self.fx.rg("rg1"),
            self.fx.storage.clone(),
        ];
        for p in self.callers() {
            for scope in &scopes {
                for action in &actions {
                    let allowed = w.is_allowed(p, action, scope);
                    prop_assert_eq!(allowed, brute_allowed(w, p, action, scope));
                    let grants = w.explain_access(p, action, scope);
                    prop_assert_eq!(allowed, !grants.is_empty());
                    for grant in &grants {
                        if let tenantry_domain::authz::Grant::RoleAssignment {
                            assignment,
                            through,
                            ..
                        } = grant
                            && let Some((holder, _)) = through.split_first()
                        {
                            let a = &w.subscription(self.fx.sub).unwrap().assignments[assignment];
                            prop_assert_eq!(a.principal, holder.id);
                            for pair in through.windows(2) {
                                prop_assert!(
                                    t.is_group_member(pair[0].id, pair[1].id),
                                    "{grant:?}"
                                );
                            }
                            prop_assert!(t.is_group_member(through.last().unwrap().id, p));
                        }
                    }
                }
            }
            for role in DirectoryRole::ALL {
                let brute =
                    t.has_role(p, role) || brute_groups(t, p).iter().any(|g| t.has_role(*g, role));
                prop_assert_eq!(t.holds_role(p, role), brute);
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_membership_changes_keep_the_index_and_authorization_exact(ops in prop::collection::vec(group_op(), 20..=60)) {
        let mut sim = GroupSim::new();
        for op in &ops {
            sim.step(op)?;
        }
    }
}

/// The membership simulation does nest groups, grant through them and refuse cycles.
#[test]
fn the_membership_simulation_reaches_nesting_grants_and_cycles() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let ops = prop::collection::vec(group_op(), 40..=60);
    let (mut nested, mut through, mut cycles) = (0, 0, 0);
    for _ in 0..100 {
        let mut sim = GroupSim::new();
        for op in ops.new_tree(&mut runner).unwrap().current() {
            if let Err(e) = sim.run(&op)
                && e.code == "GroupMembershipCycle"
            {
                cycles += 1;
            }
            sim.step(&op).unwrap();
            let t = sim.part();
            nested += t
                .groups
                .keys()
                .filter(|g| !t.groups_of(**g).is_empty())
                .count();
            let fx = &sim.fx;
            through += sim
                .callers()
                .into_iter()
                .filter(|p| {
                    fx.world
                        .explain_access(*p, &Action::new(STORAGE_READ), &fx.storage)
                        .iter()
                        .any(|g| matches!(g, tenantry_domain::authz::Grant::RoleAssignment { through, .. } if through.len() > 1))
                })
                .count();
        }
    }
    println!(
        "nested groups seen {nested}, grants through nesting {through}, cycles refused {cycles}"
    );
    assert!(nested > 0 && through > 0 && cycles > 0);
}
