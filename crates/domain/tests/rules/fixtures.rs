//! The article's world, built the way the operator (a world file) builds it: through the rule functions,
//! applying each change. Helpers to act as someone signed in to a tenant, and to read refusals.

use tenantry_domain::action::{Action, names};
use tenantry_domain::rules::access::{self, RoleAssignmentWrite, RoleDefinitionWrite};
use tenantry_domain::rules::admins::{self, NewSubscription};
use tenantry_domain::rules::directory::{
    self, NewApplication, NewPersonalAccount, NewTenant, NewUser,
};
use tenantry_domain::rules::groups::{self, NewGroup};
use tenantry_domain::rules::invariants::violations;
use tenantry_domain::rules::resources::{self, ResourceGroupWrite, ResourceWrite};
use tenantry_domain::*;

/// 16 February 2017, the article's date.
pub const NOW: Timestamp = 1_487_203_200;
pub const DAY: Timestamp = 24 * 3600;

pub const STORAGE_WRITE: &str = "Microsoft.Storage/storageAccounts/write";
pub const STORAGE_READ: &str = "Microsoft.Storage/storageAccounts/read";
pub const STORAGE_DELETE: &str = "Microsoft.Storage/storageAccounts/delete";

/// Applies a change the rules produced, and checks what must hold after every change: the world keeps its
/// invariants, and a change that writes something says so in the audit log.
pub fn apply(world: &mut World, change: &Change) {
    if !change.mutations.is_empty() {
        assert!(
            !change.audit.is_empty(),
            "a change without an audit event: {change:?}"
        );
    }
    world.apply(change);
    let v = violations(world);
    assert!(v.is_empty(), "invariants broken: {v:#?}");
}

/// Runs a rule on the world, unwraps its `Result<Change, _>`, applies the change and returns it.
#[track_caller]
pub fn ok(world: &mut World, rule: impl FnOnce(&World) -> Result<Change, DomainError>) -> Change {
    let change = rule(world).unwrap_or_else(|e| panic!("refused: {e} {:?}", e.details));
    apply(world, &change);
    change
}

/// Runs a rule on the world, unwraps its `Result<(Change, T), _>`, applies the change and returns `T`.
#[track_caller]
pub fn ok_with<T>(
    world: &mut World,
    rule: impl FnOnce(&World) -> Result<(Change, T), DomainError>,
) -> T {
    let (change, t) = rule(world).unwrap_or_else(|e| panic!("refused: {e} {:?}", e.details));
    apply(world, &change);
    t
}

/// The refusal's code; panics when the rule did not refuse.
#[track_caller]
pub fn code<T: std::fmt::Debug>(r: Result<T, DomainError>) -> String {
    match r {
        Ok(t) => panic!("expected a refusal, got {t:?}"),
        Err(e) => e.code,
    }
}

/// Every code of a refusal: the first and its details.
pub fn codes(e: &DomainError) -> Vec<String> {
    let mut v = vec![e.code.clone()];
    v.extend(e.details.iter().map(|d| d.code.clone()));
    v
}

#[track_caller]
pub fn refusal<T: std::fmt::Debug>(r: Result<T, DomainError>) -> DomainError {
    match r {
        Ok(t) => panic!("expected a refusal, got {t:?}"),
        Err(e) => e,
    }
}

/// Someone signed in to `tenant`: the token names their member or guest object there.
#[track_caller]
pub fn signed_in(world: &World, tenant: TenantId, identity: Identity) -> Actor {
    let object = world
        .presence(identity, tenant)
        .unwrap_or_else(|| panic!("{identity:?} is not present in {tenant}"));
    Actor::User {
        tenant,
        object,
        identity,
        name: world.identity_email(identity).unwrap_or_default(),
    }
}

/// A member signed in to its home tenant.
#[track_caller]
pub fn member(world: &World, object: ObjectId) -> Actor {
    let u = world.user(object).expect("user exists");
    assert!(u.is_member(), "{} is not a member", u.upn());
    signed_in(
        world,
        u.tenant,
        Identity::Organizational {
            tenant: u.tenant,
            user: object,
        },
    )
}

/// A member's identity.
pub fn org(world: &World, object: ObjectId) -> Identity {
    Identity::Organizational {
        tenant: world.tenant_of_object(object).expect("object exists"),
        user: object,
    }
}

/// A personal account signed in to the consumer realm (no tenant object).
pub fn personal(world: &World, identity: Identity) -> Actor {
    let Identity::Personal { account } = identity else {
        panic!("not a personal account")
    };
    Actor::Personal {
        account,
        email: world.account(account).expect("exists").email.clone(),
    }
}

/// An application signed in with its client credentials.
pub fn application(world: &World, object: ObjectId) -> Actor {
    let a = world.application(object).expect("application exists");
    Actor::Application {
        tenant: a.tenant,
        object,
        client_id: a.client_id,
        name: a.display_name.clone(),
    }
}

pub fn action(name: &str) -> Action {
    Action::new(name)
}

/// An Owner-level action (only Owner, User Access Administrator and classic administrators have it).
pub fn owner_action() -> Action {
    Action::new(names::ROLE_ASSIGNMENT_WRITE)
}

/// The article's world and the ids to find one's way in it.
pub struct Fx {
    pub world: World,
    pub now: Timestamp,
    /// The Office 365 tenant.
    pub contoso: TenantId,
    /// Alice's default directory, which the subscription trusts.
    pub alicedefault: TenantId,
    /// A third, unrelated tenant.
    pub fabrikam: TenantId,
    /// Personal accounts.
    pub alice: Identity,
    pub dave: Identity,
    pub bob: Identity,
    /// Contoso: its Global Administrator, a User Administrator and an ordinary member.
    pub contoso_admin: ObjectId,
    pub contoso_useradmin: ObjectId,
    pub carol: ObjectId,
    /// alicedefault's member.
    pub erin: ObjectId,
    pub fabrikam_admin: ObjectId,
    pub sam: ObjectId,
    /// Pay-As-You-Go.
    pub sub: SubscriptionId,
    /// A storage account in rg1.
    pub storage: Scope,
    /// The custom role "Log Reader".
    pub log_reader: RoleDefinitionId,
    /// The application "ci" of alicedefault (its service principal).
    pub app: ObjectId,
    /// erin: Reader on rg1.
    pub erin_reader: RoleAssignmentId,
    /// ci: Log Reader on the subscription.
    pub app_log_reader: RoleAssignmentId,
}

impl Fx {
    /// Runs a rule against this world (the closure gets the fixture to read ids and build actors from),
    /// applies its change and returns it.
    #[track_caller]
    pub fn ok(&mut self, rule: impl FnOnce(&Fx) -> Result<Change, DomainError>) -> Change {
        let change = rule(self).unwrap_or_else(|e| panic!("refused: {e} {:?}", e.details));
        apply(&mut self.world, &change);
        change
    }

    /// Like [`Fx::ok`] for rules that return a value beside the change.
    #[track_caller]
    pub fn ok_with<T>(&mut self, rule: impl FnOnce(&Fx) -> Result<(Change, T), DomainError>) -> T {
        let (change, t) = rule(self).unwrap_or_else(|e| panic!("refused: {e} {:?}", e.details));
        apply(&mut self.world, &change);
        t
    }

    /// Contoso (Office 365) with its admin, a User Administrator and carol; alicedefault with Alice as
    /// guest Global Administrator and erin; Pay-As-You-Go trusting alicedefault with Alice as service and
    /// account administrator and Dave as co-administrator; rg1 with a storage account; a custom role; an
    /// application; erin Reader on rg1; the application Log Reader on the subscription. Fabrikam beside.
    pub fn article() -> Self {
        let op = Actor::Operator;
        let now = NOW;
        let mut w = World::new();

        let account = |w: &mut World, email: &str, name: &str| -> Identity {
            let id = ok_with(w, |w| {
                directory::create_personal_account(
                    w,
                    &op,
                    NewPersonalAccount {
                        id: None,
                        email: email.into(),
                        display_name: name.into(),
                        password_hash: "$argon2id$test".into(),
                    },
                    now,
                )
            });
            Identity::Personal { account: id }
        };
        let alice = account(&mut w, "alice@outlook.com", "Alice");
        let dave = account(&mut w, "dave@outlook.com", "Dave");
        let bob = account(&mut w, "bob@outlook.com", "Bob");

        let contoso = new_tenant(
            &mut w,
            "contoso",
            "Contoso",
            TenantOrigin::Office365,
            &["contoso.com"],
        );
        let contoso_admin = new_user(&mut w, contoso, "admin", None);
        grant_directory_role(
            &mut w,
            contoso,
            DirectoryRole::GlobalAdministrator,
            contoso_admin,
        );
        let contoso_useradmin = new_user(&mut w, contoso, "useradmin", None);
        grant_directory_role(
            &mut w,
            contoso,
            DirectoryRole::UserAdministrator,
            contoso_useradmin,
        );
        let carol = new_user(
            &mut w,
            contoso,
            "carol@contoso.com",
            Some("carol@contoso.com"),
        );

        let alicedefault = new_tenant(
            &mut w,
            "alicedefault",
            "Default Directory",
            TenantOrigin::Azure,
            &[],
        );
        let sub = ok_with(&mut w, |w| {
            admins::create_subscription(
                w,
                &op,
                NewSubscription {
                    id: None,
                    display_name: "Pay-As-You-Go".into(),
                    tenant: alicedefault,
                    service_admin: alice,
                    account_admin: None,
                },
                now,
            )
        });
        let alice_guest = w
            .presence(alice, alicedefault)
            .expect("the service administrator became a guest");
        grant_directory_role(
            &mut w,
            alicedefault,
            DirectoryRole::GlobalAdministrator,
            alice_guest,
        );
        let erin = new_user(&mut w, alicedefault, "erin", None);
        ok_with(&mut w, |w| {
            admins::add_co_admin(w, &op, sub, "dave@outlook.com", None, now)
        });

        put_group(&mut w, sub, "rg1");
        let storage = put_storage(&mut w, sub, "rg1", "st1");
        let log_reader = ok_with(&mut w, |w| {
            access::put_role_definition(
                w,
                &op,
                RoleDefinitionWrite {
                    id: RoleDefinitionId::new(),
                    subscription: sub,
                    name: "Log Reader".into(),
                    description: "Reads resource groups.".into(),
                    permissions: vec![Permission {
                        actions: vec![names::RESOURCE_GROUP_READ.into()],
                        ..Default::default()
                    }],
                    assignable_scopes: vec![],
                },
                now,
            )
        })
        .id;
        let erin_reader = assign(
            &mut w,
            &op,
            Scope::resource_group(sub, "rg1"),
            roles::READER,
            erin,
        );
        let app = ok_with(&mut w, |w| {
            directory::create_application(
                w,
                &op,
                alicedefault,
                NewApplication {
                    id: None,
                    object_id: None,
                    client_id: None,
                    display_name: "ci".into(),
                    secret_hashes: vec![("ci-".into(), "$argon2id$secret".into())],
                    certificates: vec![],
                    redirect_uris: vec![],
                    group_membership_claims: Default::default(),
                },
                now,
            )
        });
        let app_log_reader = assign(&mut w, &op, Scope::subscription(sub), log_reader, app);

        let fabrikam = new_tenant(
            &mut w,
            "fabrikam",
            "Fabrikam",
            TenantOrigin::Azure,
            &["fabrikam.com"],
        );
        let fabrikam_admin = new_user(&mut w, fabrikam, "admin", None);
        grant_directory_role(
            &mut w,
            fabrikam,
            DirectoryRole::GlobalAdministrator,
            fabrikam_admin,
        );
        let sam = new_user(&mut w, fabrikam, "sam@fabrikam.com", None);

        assert!(violations(&w).is_empty());
        Fx {
            world: w,
            now,
            contoso,
            alicedefault,
            fabrikam,
            alice,
            dave,
            bob,
            contoso_admin,
            contoso_useradmin,
            carol,
            erin,
            fabrikam_admin,
            sam,
            sub,
            storage,
            log_reader,
            app,
            erin_reader,
            app_log_reader,
        }
    }

    /// Alice signed in to her default directory: the subscription's service administrator at work.
    pub fn alice_home(&self) -> Actor {
        signed_in(&self.world, self.alicedefault, self.alice)
    }
    pub fn dave_home(&self) -> Actor {
        signed_in(&self.world, self.alicedefault, self.dave)
    }
    pub fn as_user(&self, tenant: TenantId, identity: Identity) -> Actor {
        signed_in(&self.world, tenant, identity)
    }
    pub fn member(&self, object: ObjectId) -> Actor {
        member(&self.world, object)
    }
    pub fn sub_scope(&self) -> Scope {
        Scope::subscription(self.sub)
    }
    pub fn rg(&self, name: &str) -> Scope {
        Scope::resource_group(self.sub, name)
    }
    /// A resource group of the article's subscription, which must exist.
    pub fn resource_group(&self, name: &str) -> &ResourceGroup {
        self.world
            .subscription(self.sub)
            .and_then(|s| s.resource_group(name))
            .expect("the group exists")
    }
    pub fn subscription(&self) -> &Subscription {
        &self
            .world
            .subscription(self.sub)
            .expect("exists")
            .subscription
    }
    /// Makes a personal account as the operator.
    pub fn personal_account(&mut self, email: &str) -> Identity {
        let id = ok_with(&mut self.world, |w| {
            directory::create_personal_account(
                w,
                &Actor::Operator,
                NewPersonalAccount {
                    id: None,
                    email: email.into(),
                    display_name: String::new(),
                    password_hash: "$argon2id$test".into(),
                },
                self.now,
            )
        });
        Identity::Personal { account: id }
    }
    /// Makes a member as the operator.
    pub fn user(&mut self, tenant: TenantId, name: &str, mail: Option<&str>) -> ObjectId {
        new_user(&mut self.world, tenant, name, mail)
    }
    /// Invites `email` to `tenant` as the operator, and redeems as `identity` (signed in to the consumer
    /// realm for a personal account, or to its home tenant). Returns the guest object.
    pub fn guest(&mut self, tenant: TenantId, identity: Identity) -> ObjectId {
        let email = self.world.identity_email(identity).expect("exists");
        let (inv, guest) = ok_with(&mut self.world, |w| {
            tenantry_domain::rules::guests::invite(w, &Actor::Operator, tenant, &email, self.now)
                .map(|(c, i, g)| (c, (i, g)))
        });
        let redeemer = match identity {
            Identity::Personal { .. } => personal(&self.world, identity),
            Identity::Organizational { tenant: home, .. } => signed_in(&self.world, home, identity),
        };
        ok(&mut self.world, |w| {
            tenantry_domain::rules::guests::redeem(w, &redeemer, tenant, inv, self.now)
        });
        assert_eq!(self.world.presence(identity, tenant), Some(guest));
        guest
    }
    pub fn grant_directory_role(
        &mut self,
        tenant: TenantId,
        role: DirectoryRole,
        principal: ObjectId,
    ) {
        grant_directory_role(&mut self.world, tenant, role, principal);
    }
    /// Assigns a role as the operator.
    pub fn assign(
        &mut self,
        scope: Scope,
        role: RoleDefinitionId,
        principal: ObjectId,
    ) -> RoleAssignmentId {
        assign(&mut self.world, &Actor::Operator, scope, role, principal)
    }
    pub fn put_group(&mut self, name: &str) -> Scope {
        put_group(&mut self.world, self.sub, name)
    }
    pub fn put_storage(&mut self, group: &str, name: &str) -> Scope {
        put_storage(&mut self.world, self.sub, group, name)
    }
    /// A custom role with these actions (and notActions), assignable in the whole subscription.
    pub fn custom_role(
        &mut self,
        name: &str,
        actions: &[&str],
        not_actions: &[&str],
    ) -> RoleDefinitionId {
        ok_with(&mut self.world, |w| {
            access::put_role_definition(
                w,
                &Actor::Operator,
                RoleDefinitionWrite {
                    id: RoleDefinitionId::new(),
                    subscription: self.sub,
                    name: name.into(),
                    description: String::new(),
                    permissions: vec![Permission {
                        actions: actions.iter().map(|s| s.to_string()).collect(),
                        not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
                        ..Default::default()
                    }],
                    assignable_scopes: vec![],
                },
                self.now,
            )
        })
        .id
    }
    /// An application of `tenant` without credentials, registered by the operator.
    pub fn register_app(&mut self, tenant: TenantId, name: &str) -> ObjectId {
        let req = directory::NewApplication {
            id: None,
            object_id: None,
            client_id: None,
            display_name: name.into(),
            secret_hashes: vec![],
            certificates: vec![],
            redirect_uris: vec![],
            group_membership_claims: Default::default(),
        };
        ok_with(&mut self.world, |w| {
            directory::create_application(w, &Actor::Operator, tenant, req, self.now)
        })
    }
    /// A security group of `tenant` with these direct members, made by the operator.
    pub fn group(&mut self, tenant: TenantId, name: &str, members: &[ObjectId]) -> ObjectId {
        let req = NewGroup {
            members: members.to_vec(),
            ..NewGroup::named(name)
        };
        ok_with(&mut self.world, |w| {
            groups::create_group(w, &Actor::Operator, tenant, req, self.now)
        })
    }
    /// A role-assignable group of `tenant` (it may hold directory roles), made by the operator.
    pub fn role_assignable_group(&mut self, tenant: TenantId, name: &str) -> ObjectId {
        let req = NewGroup {
            role_assignable: true,
            ..NewGroup::named(name)
        };
        ok_with(&mut self.world, |w| {
            groups::create_group(w, &Actor::Operator, tenant, req, self.now)
        })
    }
    /// Adds direct members to a group as the operator.
    pub fn add_members(&mut self, tenant: TenantId, group: ObjectId, members: &[ObjectId]) {
        ok(&mut self.world, |w| {
            groups::add_group_members(w, &Actor::Operator, tenant, group, members, self.now)
        });
    }
    /// Sets a tenant's subscription policy as the operator.
    pub fn policy(
        &mut self,
        tenant: TenantId,
        leaving: bool,
        entering: bool,
        exempted: Vec<ObjectId>,
    ) {
        ok(&mut self.world, |w| {
            directory::set_policy(
                w,
                &Actor::Operator,
                tenant,
                SubscriptionPolicy {
                    block_subscriptions_leaving: leaving,
                    block_subscriptions_entering: entering,
                    exempted,
                },
                self.now,
            )
        });
    }
    /// Whether the actor may perform `action` at `scope`.
    pub fn can(&self, actor: &Actor, action_name: &str, scope: &Scope) -> bool {
        self.world
            .authorize(actor, &Action::new(action_name), scope)
    }
    /// Whether the actor has Owner-level access on the subscription.
    pub fn owns(&self, actor: &Actor) -> bool {
        self.world
            .authorize(actor, &owner_action(), &self.sub_scope())
    }
}

pub fn new_tenant(
    w: &mut World,
    name: &str,
    display: &str,
    origin: TenantOrigin,
    domains: &[&str],
) -> TenantId {
    ok_with(w, |w| {
        directory::create_tenant(
            w,
            &Actor::Operator,
            NewTenant {
                id: None,
                name: name.into(),
                display_name: display.into(),
                origin,
                domain_suffix: "onmicrosoft.com".into(),
                domains: domains.iter().map(|d| d.to_string()).collect(),
            },
            NOW,
        )
    })
}

pub fn new_user(w: &mut World, tenant: TenantId, name: &str, mail: Option<&str>) -> ObjectId {
    ok_with(w, |w| {
        directory::create_user(
            w,
            &Actor::Operator,
            tenant,
            NewUser {
                mail: mail.map(str::to_string),
                ..user_request(name)
            },
            NOW,
        )
    })
}

pub fn grant_directory_role(
    w: &mut World,
    tenant: TenantId,
    role: DirectoryRole,
    principal: ObjectId,
) {
    ok(w, |w| {
        directory::add_directory_role_member(w, &Actor::Operator, tenant, role, principal, NOW)
    });
}

/// A request for a member user named `name` (no mail), as a test asks it.
pub fn user_request(name: &str) -> NewUser {
    NewUser {
        given_name: None,
        surname: None,
        id: None,
        user_name: name.into(),
        display_name: String::new(),
        mail: None,
        password_hash: "$argon2id$x".into(),
        enabled: true,
    }
}

/// A request for a new role assignment (a fresh id, no description nor principal type).
pub fn assignment_request(
    scope: Scope,
    role: RoleDefinitionId,
    principal: ObjectId,
) -> RoleAssignmentWrite {
    RoleAssignmentWrite {
        id: RoleAssignmentId::new(),
        scope,
        role_definition: role,
        principal,
        description: None,
        principal_type: None,
    }
}

pub fn assign(
    w: &mut World,
    actor: &Actor,
    scope: Scope,
    role: RoleDefinitionId,
    principal: ObjectId,
) -> RoleAssignmentId {
    ok_with(w, |w| {
        access::create_role_assignment(w, actor, assignment_request(scope, role, principal), NOW)
    })
    .assignment
    .id
}

pub fn put_group(w: &mut World, sub: SubscriptionId, name: &str) -> Scope {
    ok_with(w, |w| {
        resources::put_resource_group(
            w,
            &Actor::Operator,
            sub,
            name,
            ResourceGroupWrite {
                location: "westeurope".into(),
                tags: None,
                managed_by: None,
            },
            NOW,
        )
    });
    Scope::resource_group(sub, name)
}

pub fn put_storage(w: &mut World, sub: SubscriptionId, group: &str, name: &str) -> Scope {
    let scope = Scope::resource(
        sub,
        group,
        "Microsoft.Storage",
        &format!("storageAccounts/{name}"),
    )
    .expect("valid scope");
    ok_with(w, |w| {
        resources::put_resource(
            w,
            &Actor::Operator,
            &scope,
            ResourceWrite {
                identity: None,
                location: Some("westeurope".into()),
                kind: Some("StorageV2".into()),
                tags: Default::default(),
                properties: serde_json::json!({}),
            },
            NOW,
        )
    });
    scope
}
