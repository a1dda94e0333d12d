//! Writing a world back as a world file: deterministic (sorted by name, email or id), every id included,
//! password hashes instead of passwords, defaults left out. Applying the export to an empty world and
//! exporting again gives the same text.
//!
//! Not exported: pending (unredeemed) guests and their invitations, directory link requests, change
//! requests, timestamps and audit events; a resource property whose value is JSON `null` (TOML has none).

use super::apply::{Lookup, PrincipalIndex, resource_scope};
use super::schema::*;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use tenantry_domain::rules::{self, identities};
use tenantry_domain::world::{GROUP_PREFIX, PrincipalRef, SubscriptionPart, TenantPart};
use tenantry_domain::*;

const DEFAULT_SUFFIX: &str = "onmicrosoft.com";

/// The world as a world file.
pub fn export(world: &World) -> WorldFile {
    let mut file = WorldFile::default();
    export_each(world, &mut |entry| match entry {
        Entry::DomainSuffix(s) => file.domain_suffix = s,
        Entry::Account(a) => file.personal_accounts.push(Located::new(a)),
        Entry::Tenant(t) => file.tenants.push(Located::new(t)),
        Entry::Subscription(s) => file.subscriptions.push(Located::new(s)),
        Entry::GroupAssignment(a) => file.management_group_role_assignments.push(Located::new(a)),
    });
    file
}

/// The world as a world file's text, written to `out` as each entry is made: the same text as
/// [`to_toml`] of [`export`], without the whole file in memory (a subscription's entry at most).
pub fn write_export(world: &World, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut w = Writer::streaming();
    let mut result = Ok(());
    export_each(world, &mut |entry| {
        if result.is_err() {
            return;
        }
        match &entry {
            Entry::DomainSuffix(s) => suffix_toml(&mut w, s),
            Entry::Account(a) => account_toml(&mut w, a),
            Entry::Tenant(t) => tenant_toml(&mut w, t),
            Entry::Subscription(s) => subscription_toml(&mut w, s),
            Entry::GroupAssignment(a) => group_assignment_toml(&mut w, a),
        }
        result = w.spill(out);
    });
    result?;
    out.write_all(w.finish().as_bytes())
}

/// One top-level entry of a world file, in the file's order.
enum Entry {
    DomainSuffix(Option<String>),
    Account(PersonalAccountEntry),
    Tenant(TenantEntry),
    Subscription(SubscriptionEntry),
    GroupAssignment(ManagementGroupAssignmentEntry),
}

/// Makes the world's entries one at a time, in the file's order, and hands each to `each`.
fn export_each(world: &World, each: &mut dyn FnMut(Entry)) {
    let mut tenants: Vec<&TenantPart> = world.tenants().collect();
    tenants.sort_by_key(|t| (t.tenant.name.to_lowercase(), t.tenant.id));
    let indexes: HashMap<TenantId, PrincipalIndex> = tenants
        .iter()
        .map(|t| (t.tenant.id, PrincipalIndex::build(t)))
        .collect();
    let suffix = tenants.first().and_then(|t| {
        t.tenant
            .initial_domain
            .strip_prefix(&format!("{}.", t.tenant.name.to_lowercase()))
            .map(str::to_string)
    });
    each(Entry::DomainSuffix(suffix.filter(|s| s != DEFAULT_SUFFIX)));

    let mut accounts: Vec<&PersonalAccount> = world.accounts().collect();
    accounts.sort_by_key(|a| (a.email.to_lowercase(), a.id));
    for a in accounts {
        each(Entry::Account(PersonalAccountEntry {
            email: a.email.clone(),
            password: None,
            password_hash: Some(a.password_hash.clone()),
            display_name: (a.display_name != local_part(&a.email)).then(|| a.display_name.clone()),
            id: Some(a.id),
            enabled: (!a.enabled).then_some(false),
        }));
    }

    for t in &tenants {
        each(Entry::Tenant(tenant_entry(
            world,
            t,
            &indexes[&t.tenant.id],
        )));
    }

    let mut subs: Vec<&SubscriptionPart> = world.subscriptions().collect();
    subs.sort_by_key(|s| {
        (
            s.subscription.display_name.to_lowercase(),
            s.subscription.id,
        )
    });
    for s in subs {
        each(Entry::Subscription(subscription_entry(world, s, &indexes)));
    }

    for t in &tenants {
        for a in group_assignment_entries(world, t, &indexes[&t.tenant.id]) {
            each(Entry::GroupAssignment(a.value));
        }
    }
}

fn local_part(email: &str) -> &str {
    email.split('@').next().unwrap_or_default()
}

fn role_names(part: &TenantPart, object: ObjectId) -> Vec<Located<String>> {
    part.roles_of(object)
        .into_iter()
        .map(|r| Located::new(r.display_name().to_string()))
        .collect()
}

/// The display name of the account behind an identity.
fn home_display_name(world: &World, identity: Identity) -> Option<String> {
    match identity {
        Identity::Personal { account } => world.account(account).map(|a| a.display_name.clone()),
        Identity::Organizational { user, .. } => world.user(user).map(|u| u.display_name.clone()),
    }
}

fn tenant_entry(world: &World, part: &TenantPart, index: &PrincipalIndex) -> TenantEntry {
    let t = &part.tenant;
    let mut members: Vec<&User> = part.users.values().filter(|u| u.is_member()).collect();
    members.sort_by_key(|u| (u.upn().to_lowercase(), u.id));
    let users = members
        .into_iter()
        .map(|u| {
            let UserKind::Member {
                upn,
                mail,
                password_hash,
            } = &u.kind
            else {
                unreachable!("members only")
            };
            let local = local_part(upn);
            let short = upn
                .split_once('@')
                .is_some_and(|(l, d)| d == t.initial_domain && l == l.to_lowercase());
            Located::new(UserEntry {
                user_name: if short {
                    local.to_string()
                } else {
                    upn.clone()
                },
                password: None,
                password_hash: Some(password_hash.clone()),
                display_name: (u.display_name != local).then(|| u.display_name.clone()),
                mail: mail.clone(),
                given_name: u.given_name.clone(),
                surname: u.surname.clone(),
                id: Some(u.id),
                enabled: (!u.enabled).then_some(false),
                directory_roles: role_names(part, u.id),
            })
        })
        .collect();

    let mut guest_users: Vec<(&User, &str, Identity)> = part
        .users
        .values()
        .filter_map(|u| match &u.kind {
            UserKind::Guest {
                email,
                home: Some(home),
                state: GuestState::Accepted,
                ..
            } => Some((u, email.as_str(), *home)),
            _ => None,
        })
        .collect();
    guest_users.sort_by_key(|(u, email, _)| (email.to_lowercase(), u.id));
    let guests = guest_users
        .into_iter()
        .map(|(u, email, home)| {
            let m = world.email_matches(email);
            let other_org = m.organizational.iter().any(|(tt, _)| *tt != t.id);
            let account_type = match home {
                Identity::Personal { .. } if other_org => Some(AccountKind::Personal),
                Identity::Organizational { .. } if m.personal.is_some() => {
                    Some(AccountKind::Organizational)
                }
                _ => None,
            };
            Located::new(GuestEntry {
                email: email.to_string(),
                account_type,
                display_name: (home_display_name(world, home).as_deref()
                    != Some(u.display_name.as_str()))
                .then(|| u.display_name.clone()),
                id: Some(u.id),
                enabled: (!u.enabled).then_some(false),
                directory_roles: role_names(part, u.id),
            })
        })
        .collect();

    // Managed identities are written with their resources.
    let mut apps: Vec<&Application> = part
        .applications
        .values()
        .filter(|a| a.is_registration())
        .collect();
    apps.sort_by_key(|a| (a.display_name.to_lowercase(), a.client_id));
    let applications = apps
        .into_iter()
        .map(|a| {
            let mut e = ApplicationEntry {
                display_name: a.display_name.clone(),
                client_id: Some(a.client_id),
                id: Some(a.id),
                application_object_id: a.object_id,
                certificates: a.certificates.iter().map(|c| c.pem().into()).collect(),
                redirect_uris: a.redirect_uris.clone(),
                // The default is left out, as a hand-written file leaves it out.
                group_membership_claims: Some(a.group_membership_claims)
                    .filter(|g| *g != GroupMembershipClaims::None),
                directory_roles: role_names(part, a.id),
                federated_credentials: a
                    .federated_credentials
                    .iter()
                    .map(|c| {
                        Located::new(FederatedCredentialEntry {
                            name: c.name.clone(),
                            issuer: c.issuer.clone(),
                            subject: c.subject.clone(),
                            // The default is left out, as a hand-written file leaves it out.
                            audiences: (c.audiences != [rules::federated::TOKEN_EXCHANGE_AUDIENCE])
                                .then(|| c.audiences.clone()),
                            description: c.description.clone(),
                            id: Some(c.id),
                        })
                    })
                    .collect(),
                ..Default::default()
            };
            match a.secrets.as_slice() {
                [] => {}
                [one] if one.expires.is_none() => {
                    e.client_secret_hash = Some(one.hash.clone());
                    e.client_secret_hint = (!one.hint.is_empty()).then(|| one.hint.clone());
                }
                many => {
                    e.secrets = many
                        .iter()
                        .map(|s| SecretEntry {
                            hash: s.hash.clone(),
                            hint: s.hint.clone(),
                            expires: s.expires,
                        })
                        .collect()
                }
            }
            Located::new(e)
        })
        .collect();

    let mut groups: Vec<&Group> = part.groups.values().collect();
    groups.sort_by_key(|g| (g.display_name.to_lowercase(), g.id));
    let keys = |objects: &mut dyn Iterator<Item = ObjectId>| -> Vec<Located<String>> {
        let mut v: Vec<String> = objects
            .map(|o| principal_key(world, index, t.id, o))
            .collect();
        v.sort_by_key(|k| k.to_lowercase());
        v.into_iter().map(Located::new).collect()
    };
    let groups = groups
        .into_iter()
        .map(|g| {
            Located::new(GroupEntry {
                display_name: g.display_name.clone(),
                id: Some(g.id),
                description: g.description.clone(),
                mail_nickname: (g.mail_nickname
                    != rules::groups::mail_nickname_of(&g.display_name))
                .then(|| g.mail_nickname.clone()),
                security_enabled: (!g.security_enabled).then_some(false),
                role_assignable: g.role_assignable.then_some(true),
                members: keys(&mut part.members_of(g.id)),
                owners: keys(&mut part.owners_of(g.id)),
                directory_roles: role_names(part, g.id),
            })
        })
        .collect();

    let policy = (t.policy != SubscriptionPolicy::default()).then(|| {
        Located::new(PolicyEntry {
            block_subscriptions_leaving: t.policy.block_subscriptions_leaving,
            block_subscriptions_entering: t.policy.block_subscriptions_entering,
            exempted: t
                .policy
                .exempted
                .iter()
                .map(|o| principal_key(world, index, t.id, *o))
                .collect(),
        })
    });

    TenantEntry {
        name: t.name.clone(),
        display_name: (t.display_name != t.name).then(|| t.display_name.clone()),
        id: Some(t.id),
        origin: (t.origin != TenantOrigin::Azure).then_some(t.origin),
        domains: t.domains.clone(),
        users,
        guests,
        applications,
        groups,
        policy,
        management_groups: management_group_entries(part),
        custom_roles: custom_role_entries(part),
        root_group_display_name: part
            .management_group(&part.root_group_name())
            .map(|g| g.display_name.clone())
            .filter(|d| d != tenantry_domain::world::ROOT_GROUP_DISPLAY_NAME),
        hierarchy_settings: part.hierarchy_settings.as_ref().map(|h| {
            Located::new(HierarchySettingsEntry {
                require_authorization_for_group_creation: h
                    .require_authorization_for_group_creation,
                default_management_group: h.default_management_group.clone(),
            })
        }),
    }
}

/// A tenant's role assignments at management groups and at the root scope `/` (elevated access), by
/// group, principal and role.
fn group_assignment_entries(
    world: &World,
    part: &TenantPart,
    index: &PrincipalIndex,
) -> Vec<Located<ManagementGroupAssignmentEntry>> {
    let t = &part.tenant;
    let mut entries: Vec<ManagementGroupAssignmentEntry> = part
        .all_group_assignments()
        .map(|a| ManagementGroupAssignmentEntry {
            tenant: t.name.clone(),
            management_group: if part.is_root_group(&a.management_group)
                || a.management_group == ROOT_SCOPE
            {
                String::new()
            } else {
                a.management_group.clone()
            },
            scope: (a.management_group == ROOT_SCOPE).then(|| ROOT_SCOPE.to_string()),
            principal: principal_key(world, index, t.id, a.principal),
            role: world
                .group_role_definition(part, a.role_definition)
                .map(|r| r.name.clone())
                .unwrap_or_else(|| a.role_definition.to_string()),
            id: Some(a.id),
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.scope, &a.management_group, &a.principal, &a.role).cmp(&(
            &b.scope,
            &b.management_group,
            &b.principal,
            &b.role,
        ))
    });
    entries.into_iter().map(Located::new).collect()
}

/// A custom role as the file writes it, with its assignable scopes as given.
fn definition_entry(r: &RoleDefinition, assignable_scopes: Vec<String>) -> RoleDefinitionEntry {
    let mut e = RoleDefinitionEntry {
        name: r.name.clone(),
        id: Some(r.id),
        description: (!r.description.is_empty()).then(|| r.description.clone()),
        assignable_scopes,
        ..Default::default()
    };
    match r.permissions.as_slice() {
        [one] => {
            e.actions = one.actions.clone();
            e.not_actions = one.not_actions.clone();
            e.data_actions = one.data_actions.clone();
            e.not_data_actions = one.not_data_actions.clone();
        }
        many => {
            e.permissions = many
                .iter()
                .map(|p| PermissionEntry {
                    actions: p.actions.clone(),
                    not_actions: p.not_actions.clone(),
                    data_actions: p.data_actions.clone(),
                    not_data_actions: p.not_data_actions.clone(),
                })
                .collect()
        }
    }
    e
}

/// The tenant's custom roles at home in its management groups, by name; a group in their assignable
/// scopes is written by its name.
fn custom_role_entries(part: &TenantPart) -> Vec<Located<RoleDefinitionEntry>> {
    let mut roles: Vec<&RoleDefinition> = part.custom_roles.values().collect();
    roles.sort_by_key(|r| (r.name.to_lowercase(), r.id));
    roles
        .into_iter()
        .map(|r| {
            let scopes = r
                .assignable_scopes
                .iter()
                .map(|a| management_group_of_scope(a).unwrap_or(a).to_string())
                .collect();
            Located::new(definition_entry(r, scopes))
        })
        .collect()
}

/// The tenant's groups below the root, parents before children, each with the subscriptions placed
/// under it (the root is not listed: its rename is the tenant's `root_group_display_name`).
fn management_group_entries(part: &TenantPart) -> Vec<Located<ManagementGroupEntry>> {
    let mut groups: Vec<(usize, &ManagementGroup)> = part
        .management_groups()
        .values()
        .filter(|g| !part.is_root_group(&g.name))
        .map(|g| (part.group_depth(&g.name), g))
        .collect();
    groups.sort_by_key(|(depth, g)| (*depth, g.name.to_lowercase()));
    groups
        .into_iter()
        .map(|(_, g)| {
            Located::new(ManagementGroupEntry {
                name: g.name.clone(),
                display_name: (g.display_name != g.name).then(|| g.display_name.clone()),
                parent: g.parent.clone(),
                subscriptions: part
                    .subscriptions_placed_under(&g.name)
                    .into_iter()
                    .map(|s| Located::new(s.to_string()))
                    .collect(),
            })
        })
        .collect()
}

/// The friendliest name of a principal that resolves back to it: a guest's email, a UPN, an
/// application's client id, `group:NAME`; the object id when nothing else is unambiguous.
fn principal_key(
    world: &World,
    index: &PrincipalIndex,
    tenant: TenantId,
    object: ObjectId,
) -> String {
    match world.principal(tenant, object) {
        Some(PrincipalRef::User(u)) => {
            let mut candidates = Vec::with_capacity(2);
            if !u.is_member()
                && let Some(m) = u.mail()
            {
                candidates.push(m);
            }
            candidates.push(u.upn());
            candidates
                .into_iter()
                .find(|c| {
                    c.parse::<uuid::Uuid>().is_err() && index.lookup(c) == Lookup::Found(object)
                })
                .map(str::to_string)
                .unwrap_or_else(|| object.to_string())
        }
        Some(PrincipalRef::ServicePrincipal(a)) => {
            if world.principal(tenant, ObjectId(a.client_id)).is_some() {
                object.to_string()
            } else {
                a.client_id.to_string()
            }
        }
        Some(PrincipalRef::Group(g)) => format!("{GROUP_PREFIX}{}", g.display_name),
        None => object.to_string(),
    }
}

/// An account by email, typed when the email is both a personal and an organizational account.
fn account_ref(world: &World, identity: Identity) -> AccountRef {
    let email = world.identity_email(identity).unwrap_or_default();
    let m = world.email_matches(&email);
    let account_type = match identity {
        Identity::Personal { .. } if !m.organizational.is_empty() => Some(AccountKind::Personal),
        Identity::Organizational { .. } if m.personal.is_some() => {
            Some(AccountKind::Organizational)
        }
        _ => None,
    };
    match account_type {
        Some(account_type) => AccountRef::Typed(TypedAccountRef {
            email,
            account_type,
        }),
        None => AccountRef::Email(email),
    }
}

fn subscription_entry(
    world: &World,
    part: &SubscriptionPart,
    indexes: &HashMap<TenantId, PrincipalIndex>,
) -> SubscriptionEntry {
    let s = &part.subscription;
    let tenant = world.tenant(s.tenant);
    let mut co_admins: Vec<AccountRef> =
        s.co_admins.iter().map(|c| account_ref(world, *c)).collect();
    co_admins.sort_by_key(|c| c.email().to_lowercase());

    let resource_groups = part
        .resource_groups
        .values()
        .map(|g| {
            let resources = part
                .resources
                .values()
                .filter(|r| {
                    r.scope
                        .resource_group_name()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&g.name))
                        && !identities::is_user_assigned_identity(&r.scope)
                })
                .map(|r| Located::new(resource_entry(world, part, &g.name, r)))
                .collect();
            Located::new(ResourceGroupEntry {
                name: g.name.clone(),
                location: g.location.clone(),
                tags: (!g.tags.is_empty()).then(|| g.tags.clone()),
                managed_by: g.managed_by.clone(),
                resources,
            })
        })
        .collect();

    // User-assigned identities, and how role assignments name them (`identity:RG/NAME`).
    let mut identity_keys: HashMap<ObjectId, String> = HashMap::new();
    let identities: Vec<Located<IdentityEntry>> = part
        .resources
        .values()
        .filter(|r| identities::is_user_assigned_identity(&r.scope))
        .map(|r| {
            let group = part
                .resource_group(r.scope.resource_group_name().unwrap_or_default())
                .map(|g| (g.name.clone(), g.location.clone()))
                .unwrap_or_default();
            let name = r.scope.resource_type().map(|(_, n)| n).unwrap_or_default();
            let principal = world.managed_identity(&r.scope);
            if let Some(p) = principal {
                identity_keys.insert(
                    p.id,
                    format!("{}{}/{name}", identities::IDENTITY_PREFIX, group.0),
                );
            }
            Located::new(IdentityEntry {
                name,
                location: r.location.clone().filter(|l| *l != group.1),
                resource_group: group.0,
                principal_id: principal.map(|p| p.id),
                client_id: principal.map(|p| p.client_id),
                tags: (!r.tags.is_empty()).then(|| r.tags.clone()),
            })
        })
        .collect();

    let sub_scope = Scope::subscription(s.id).to_string();
    let mut roles: Vec<&RoleDefinition> = part.custom_roles.values().collect();
    roles.sort_by_key(|r| (r.name.to_lowercase(), r.id));
    let role_definitions = roles
        .into_iter()
        .map(|r| {
            let scopes = if r.assignable_scopes.len() == 1
                && r.assignable_scopes[0].eq_ignore_ascii_case(&sub_scope)
            {
                vec![]
            } else {
                r.assignable_scopes
                    .iter()
                    .map(|a| match Scope::parse(a) {
                        Ok(sc) if sc.subscription_id() == s.id => sc.relative().to_string(),
                        _ => a.clone(),
                    })
                    .collect()
            };
            Located::new(definition_entry(r, scopes))
        })
        .collect();

    let empty = indexes.get(&s.tenant);
    let mut keys: HashMap<ObjectId, String> = HashMap::new();
    let mut assignments: Vec<(
        String,
        String,
        String,
        RoleAssignmentId,
        RoleAssignmentEntry,
    )> = part
        .assignments
        .values()
        .map(|a| {
            let principal = keys
                .entry(a.principal)
                .or_insert_with(|| match (identity_keys.get(&a.principal), empty) {
                    (Some(key), _) => key.clone(),
                    (None, Some(index)) => principal_key(world, index, s.tenant, a.principal),
                    (None, None) => a.principal.to_string(),
                })
                .clone();
            let role = world
                .role_definition(s.id, a.role_definition)
                .map(|r| r.name.clone())
                .unwrap_or_else(|| a.role_definition.to_string());
            let entry = RoleAssignmentEntry {
                principal: principal.clone(),
                role: role.clone(),
                scope: a.scope.relative().to_string(),
                id: Some(a.id),
                description: a.description.clone(),
            };
            (
                a.scope.key().to_string(),
                role.to_lowercase(),
                principal.to_lowercase(),
                a.id,
                entry,
            )
        })
        .collect();
    assignments.sort_by(|x, y| (&x.0, &x.1, &x.2, x.3).cmp(&(&y.0, &y.1, &y.2, y.3)));

    SubscriptionEntry {
        display_name: s.display_name.clone(),
        id: Some(s.id),
        tenant: tenant
            .map(|t| t.tenant.name.clone())
            .unwrap_or_else(|| s.tenant.to_string()),
        service_admin: account_ref(world, s.service_admin),
        account_admin: (s.account_admin != s.service_admin)
            .then(|| account_ref(world, s.account_admin)),
        co_admins: co_admins.into_iter().map(Located::new).collect(),
        state: (s.state != SubscriptionState::Enabled).then_some(s.state),
        tags: (!s.tags.is_empty()).then(|| s.tags.clone()),
        tag_names: (!s.tag_names.is_empty()).then(|| s.tag_names.clone()),
        resource_groups,
        identities,
        role_definitions,
        role_assignments: assignments.into_iter().map(|x| Located::new(x.4)).collect(),
    }
}

/// How a resource's identity block is written: user-assigned identities of the subscription as
/// `identity:RG/NAME`, the system-assigned principal with its ids.
fn resource_identity_entry(
    world: &World,
    part: &SubscriptionPart,
    r: &Resource,
) -> Option<ResourceIdentityEntry> {
    let i = r.identity.as_ref()?;
    let principal = world
        .managed_identity(&r.scope)
        .filter(|_| i.system_assigned);
    let user_assigned = i
        .user_assigned
        .iter()
        .map(|u| match part.resources.get(u.key()) {
            Some(found) => format!(
                "{}{}/{}",
                identities::IDENTITY_PREFIX,
                part.resource_group(found.scope.resource_group_name().unwrap_or_default())
                    .map(|g| g.name.as_str())
                    .unwrap_or_default(),
                found
                    .scope
                    .resource_type()
                    .map(|(_, n)| n)
                    .unwrap_or_default()
            ),
            None => u.to_string(),
        })
        .collect();
    Some(ResourceIdentityEntry {
        type_name: i.type_name().to_string(),
        user_assigned,
        principal_id: principal.map(|p| p.id),
        client_id: principal.map(|p| p.client_id),
    })
}

fn resource_entry(
    world: &World,
    part: &SubscriptionPart,
    group: &str,
    r: &Resource,
) -> ResourceEntry {
    let sub = part.subscription.id;
    // …/providers/{namespace}/{type}/{name}[/{type}/{name}]…
    let text = r.scope.as_str();
    let after = text
        .split_once("/providers/")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let segs: Vec<&str> = after.split('/').collect();
    let namespace = segs.first().copied().unwrap_or_default();
    let mut types = vec![namespace];
    let mut names = Vec::new();
    for pair in segs[1.min(segs.len())..].chunks(2) {
        types.push(pair[0]);
        names.push(pair.get(1).copied().unwrap_or_default());
    }
    let entry = ResourceEntry {
        resource_type: types.join("/"),
        name: names.join("/"),
        location: r.location.clone(),
        kind: r.kind.clone(),
        tags: (!r.tags.is_empty()).then(|| r.tags.clone()),
        properties: (r.properties != serde_json::Value::Object(Default::default()))
            .then(|| r.properties.clone()),
        identity: resource_identity_entry(world, part, r),
    };
    debug_assert!(
        resource_scope(sub, group, &entry.resource_type, &entry.name)
            .is_ok_and(|s| s.key() == r.scope.key())
    );
    entry
}

// ----- writing TOML -----

/// The file as TOML text: the layout of DESIGN.md (nested tables indented), role assignments one per
/// line as inline tables, defaults left out.
pub fn to_toml(file: &WorldFile) -> String {
    let mut w = Writer::default();
    suffix_toml(&mut w, &file.domain_suffix);
    for a in &file.personal_accounts {
        account_toml(&mut w, a);
    }
    for t in &file.tenants {
        tenant_toml(&mut w, t);
    }
    for s in &file.subscriptions {
        subscription_toml(&mut w, s);
    }
    for a in &file.management_group_role_assignments {
        group_assignment_toml(&mut w, a);
    }
    w.finish()
}

fn suffix_toml(w: &mut Writer, suffix: &Option<String>) {
    if let Some(s) = suffix {
        w.kv("", "domain_suffix", &q(s));
        w.blank();
    }
}

fn account_toml(w: &mut Writer, a: &PersonalAccountEntry) {
    w.header("", "[[personal_accounts]]");
    w.kv("", "email", &q(&a.email));
    opt(w, "", "password", &a.password);
    opt(w, "", "password_hash", &a.password_hash);
    opt(w, "", "display_name", &a.display_name);
    opt_id(w, "", "id", &a.id);
    if let Some(e) = a.enabled {
        w.kv("", "enabled", &e.to_string());
    }
    w.blank();
}

fn group_assignment_toml(w: &mut Writer, a: &ManagementGroupAssignmentEntry) {
    w.header("", "[[management_group_role_assignments]]");
    w.kv("", "tenant", &q(&a.tenant));
    match &a.scope {
        Some(scope) => w.kv("", "scope", &q(scope)),
        None => w.kv("", "management_group", &q(&a.management_group)),
    }
    w.kv("", "principal", &q(&a.principal));
    w.kv("", "role", &q(&a.role));
    opt_id(w, "", "id", &a.id);
    w.blank();
}

/// The text being written. When streaming, what is complete goes out after each entry
/// ([`Writer::spill`]); its trailing newlines stay, as the blank lines between entries depend on them.
#[derive(Default)]
struct Writer {
    out: String,
    /// Whether text has gone out already (`out` may then be empty while the file is not).
    spilled: bool,
}

impl Writer {
    fn streaming() -> Self {
        Self::default()
    }

    /// Writes what is complete to `sink`, keeping the trailing newlines.
    fn spill(&mut self, sink: &mut dyn std::io::Write) -> std::io::Result<()> {
        let end = self.out.trim_end_matches('\n').len();
        if end == 0 {
            return Ok(());
        }
        sink.write_all(&self.out.as_bytes()[..end])?;
        self.out.drain(..end);
        self.spilled = true;
        Ok(())
    }

    /// The rest of the text, ending in one newline.
    fn finish(mut self) -> String {
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
        self.out
    }

    fn header(&mut self, indent: &str, h: &str) {
        let _ = writeln!(self.out, "{indent}{h}");
    }
    fn kv(&mut self, indent: &str, k: &str, v: &str) {
        let _ = writeln!(self.out, "{indent}{} = {v}", key(k));
    }
    fn blank(&mut self) {
        if (self.spilled || !self.out.is_empty()) && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }
}

fn opt(w: &mut Writer, indent: &str, k: &str, v: &Option<String>) {
    if let Some(v) = v {
        w.kv(indent, k, &q(v));
    }
}

fn opt_id(w: &mut Writer, indent: &str, k: &str, v: &Option<impl std::fmt::Display>) {
    if let Some(v) = v {
        w.kv(indent, k, &q(&v.to_string()));
    }
}

fn list(w: &mut Writer, indent: &str, k: &str, v: &[String]) {
    if !v.is_empty() {
        w.kv(indent, k, &strings(v.iter().map(String::as_str)));
    }
}

fn roles(w: &mut Writer, indent: &str, v: &[Located<String>]) {
    if !v.is_empty() {
        w.kv(
            indent,
            "directory_roles",
            &strings(v.iter().map(|r| r.value.as_str())),
        );
    }
}

/// A TOML string.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn strings<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<String> = items.map(q).collect();
    format!("[{}]", v.join(", "))
}

/// A key, bare when it can be.
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        q(k)
    }
}

fn inline_map(m: &BTreeMap<String, String>) -> String {
    if m.is_empty() {
        return "{}".into();
    }
    let parts: Vec<String> = m
        .iter()
        .map(|(k, v)| format!("{} = {}", key(k), q(v)))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

/// A map of lists as an inline TOML table (`{ env = ["prod", "dev"] }`).
fn inline_lists(m: &BTreeMap<String, Vec<String>>) -> String {
    let parts: Vec<String> = m
        .iter()
        .map(|(k, vs)| {
            let items: Vec<String> = vs.iter().map(|v| q(v)).collect();
            format!("{} = [{}]", key(k), items.join(", "))
        })
        .collect();
    if parts.is_empty() {
        return "{}".into();
    }
    format!("{{ {} }}", parts.join(", "))
}

/// A JSON value as an inline TOML value (`null`s are left out: TOML has none).
fn json_inline(v: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match v {
        J::Null => "{}".into(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => toml::Value::Float(n.as_f64().unwrap_or_default()).to_string(),
        },
        J::String(s) => q(s),
        J::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter(|x| !x.is_null())
                .map(json_inline)
                .collect();
            format!("[{}]", parts.join(", "))
        }
        J::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| format!("{} = {}", key(k), json_inline(x)))
                .collect();
            if parts.is_empty() {
                "{}".into()
            } else {
                format!("{{ {} }}", parts.join(", "))
            }
        }
    }
}

fn account_ref_toml(r: &AccountRef) -> String {
    match r {
        AccountRef::Email(e) => q(e),
        AccountRef::Typed(t) => format!(
            "{{ email = {}, account_type = {} }}",
            q(&t.email),
            q(t.account_type.as_str())
        ),
    }
}

fn tenant_toml(w: &mut Writer, t: &TenantEntry) {
    w.header("", "[[tenants]]");
    w.kv("", "name", &q(&t.name));
    opt(w, "", "display_name", &t.display_name);
    opt_id(w, "", "id", &t.id);
    if let Some(o) = t.origin {
        w.kv("", "origin", &q(o.as_str()));
    }
    list(w, "", "domains", &t.domains);
    opt(w, "", "root_group_display_name", &t.root_group_display_name);
    w.blank();
    const I: &str = "  ";
    for u in &t.users {
        w.header(I, "[[tenants.users]]");
        w.kv(I, "user_name", &q(&u.user_name));
        opt(w, I, "password", &u.password);
        opt(w, I, "password_hash", &u.password_hash);
        opt(w, I, "display_name", &u.display_name);
        opt(w, I, "mail", &u.mail);
        opt(w, I, "given_name", &u.given_name);
        opt(w, I, "surname", &u.surname);
        opt_id(w, I, "id", &u.id);
        if let Some(e) = u.enabled {
            w.kv(I, "enabled", &e.to_string());
        }
        roles(w, I, &u.directory_roles);
        w.blank();
    }
    for g in &t.guests {
        w.header(I, "[[tenants.guests]]");
        w.kv(I, "email", &q(&g.email));
        if let Some(a) = g.account_type {
            w.kv(I, "account_type", &q(a.as_str()));
        }
        opt(w, I, "display_name", &g.display_name);
        opt_id(w, I, "id", &g.id);
        if let Some(e) = g.enabled {
            w.kv(I, "enabled", &e.to_string());
        }
        roles(w, I, &g.directory_roles);
        w.blank();
    }
    for a in &t.applications {
        w.header(I, "[[tenants.applications]]");
        w.kv(I, "display_name", &q(&a.display_name));
        opt_id(w, I, "client_id", &a.client_id);
        opt_id(w, I, "id", &a.id);
        opt_id(w, I, "application_object_id", &a.application_object_id);
        opt(w, I, "client_secret", &a.client_secret);
        opt(w, I, "client_secret_hash", &a.client_secret_hash);
        opt(w, I, "client_secret_hint", &a.client_secret_hint);
        if !a.certificates.is_empty() {
            // One string per certificate, its line breaks escaped, as DESIGN.md writes them.
            let pems: Vec<String> = a
                .certificates
                .iter()
                .map(|c| format!("\"{}\"", c.value.trim_end().replace('\n', "\\n")))
                .collect();
            w.kv(I, "certificates", &format!("[{}]", pems.join(", ")));
        }
        if !a.secrets.is_empty() {
            let items: Vec<String> = a
                .secrets
                .iter()
                .map(|s| {
                    let mut parts = vec![format!("hash = {}", q(&s.hash))];
                    if !s.hint.is_empty() {
                        parts.push(format!("hint = {}", q(&s.hint)));
                    }
                    if let Some(e) = s.expires {
                        parts.push(format!("expires = {e}"));
                    }
                    format!("{{ {} }}", parts.join(", "))
                })
                .collect();
            w.kv(I, "secrets", &format!("[{}]", items.join(", ")));
        }
        list(w, I, "redirect_uris", &a.redirect_uris);
        if let Some(g) = a.group_membership_claims {
            w.kv(I, "group_membership_claims", &q(g.as_str()));
        }
        roles(w, I, &a.directory_roles);
        w.blank();
        // Sub-tables after every key of the application (TOML's rule).
        const J: &str = "    ";
        for c in &a.federated_credentials {
            w.header(J, "[[tenants.applications.federated_credentials]]");
            w.kv(J, "name", &q(&c.name));
            w.kv(J, "issuer", &q(&c.issuer));
            w.kv(J, "subject", &q(&c.subject));
            if let Some(a) = &c.audiences {
                list(w, J, "audiences", a);
            }
            opt(w, J, "description", &c.description);
            opt_id(w, J, "id", &c.id);
            w.blank();
        }
    }
    for g in &t.groups {
        w.header(I, "[[tenants.groups]]");
        w.kv(I, "display_name", &q(&g.display_name));
        opt_id(w, I, "id", &g.id);
        opt(w, I, "description", &g.description);
        opt(w, I, "mail_nickname", &g.mail_nickname);
        if let Some(s) = g.security_enabled {
            w.kv(I, "security_enabled", &s.to_string());
        }
        if let Some(r) = g.role_assignable {
            w.kv(I, "role_assignable", &r.to_string());
        }
        for (k, v) in [("members", &g.members), ("owners", &g.owners)] {
            if !v.is_empty() {
                w.kv(I, k, &strings(v.iter().map(|m| m.value.as_str())));
            }
        }
        roles(w, I, &g.directory_roles);
        w.blank();
    }
    for d in &t.custom_roles {
        role_definition_toml(w, I, "[[tenants.custom_roles]]", d);
    }
    for g in &t.management_groups {
        w.header(I, "[[tenants.management_groups]]");
        w.kv(I, "name", &q(&g.name));
        opt(w, I, "display_name", &g.display_name);
        opt(w, I, "parent", &g.parent);
        if !g.subscriptions.is_empty() {
            w.kv(
                I,
                "subscriptions",
                &strings(g.subscriptions.iter().map(|s| s.value.as_str())),
            );
        }
        w.blank();
    }
    if let Some(p) = &t.policy {
        w.header(I, "[tenants.policy]");
        w.kv(
            I,
            "block_subscriptions_leaving",
            &p.block_subscriptions_leaving.to_string(),
        );
        w.kv(
            I,
            "block_subscriptions_entering",
            &p.block_subscriptions_entering.to_string(),
        );
        list(w, I, "exempted", &p.exempted);
        w.blank();
    }
    if let Some(h) = &t.hierarchy_settings {
        w.header(I, "[tenants.hierarchy_settings]");
        w.kv(
            I,
            "require_authorization_for_group_creation",
            &h.require_authorization_for_group_creation.to_string(),
        );
        opt(
            w,
            I,
            "default_management_group",
            &h.default_management_group,
        );
        w.blank();
    }
}

fn subscription_toml(w: &mut Writer, s: &SubscriptionEntry) {
    w.header("", "[[subscriptions]]");
    w.kv("", "display_name", &q(&s.display_name));
    opt_id(w, "", "id", &s.id);
    w.kv("", "tenant", &q(&s.tenant));
    w.kv("", "service_admin", &account_ref_toml(&s.service_admin));
    if let Some(a) = &s.account_admin {
        w.kv("", "account_admin", &account_ref_toml(a));
    }
    if !s.co_admins.is_empty() {
        let items: Vec<String> = s.co_admins.iter().map(|c| account_ref_toml(c)).collect();
        w.kv("", "co_admins", &format!("[{}]", items.join(", ")));
    }
    if let Some(st) = s.state {
        w.kv("", "state", &q(st.as_str()));
    }
    if let Some(t) = &s.tags {
        w.kv("", "tags", &inline_map(t));
    }
    if let Some(n) = &s.tag_names {
        w.kv("", "tag_names", &inline_lists(n));
    }
    if !s.role_assignments.is_empty() {
        w.out.push_str("role_assignments = [\n");
        for a in &s.role_assignments {
            let mut parts = vec![
                format!("principal = {}", q(&a.principal)),
                format!("role = {}", q(&a.role)),
            ];
            if !a.scope.is_empty() {
                parts.push(format!("scope = {}", q(&a.scope)));
            }
            if let Some(id) = a.id {
                parts.push(format!("id = {}", q(&id.to_string())));
            }
            if let Some(d) = &a.description {
                parts.push(format!("description = {}", q(d)));
            }
            let _ = writeln!(w.out, "  {{ {} }},", parts.join(", "));
        }
        w.out.push_str("]\n");
    }
    w.blank();
    const I: &str = "  ";
    const II: &str = "    ";
    for g in &s.resource_groups {
        w.header(I, "[[subscriptions.resource_groups]]");
        w.kv(I, "name", &q(&g.name));
        w.kv(I, "location", &q(&g.location));
        if let Some(t) = &g.tags {
            w.kv(I, "tags", &inline_map(t));
        }
        opt(w, I, "managed_by", &g.managed_by);
        w.blank();
        for r in &g.resources {
            w.header(II, "[[subscriptions.resource_groups.resources]]");
            w.kv(II, "type", &q(&r.resource_type));
            w.kv(II, "name", &q(&r.name));
            opt(w, II, "location", &r.location);
            opt(w, II, "kind", &r.kind);
            if let Some(t) = &r.tags {
                w.kv(II, "tags", &inline_map(t));
            }
            if let Some(p) = &r.properties {
                w.kv(II, "properties", &json_inline(p));
            }
            if let Some(i) = &r.identity {
                let mut parts = vec![format!("type = {}", q(&i.type_name))];
                if !i.user_assigned.is_empty() {
                    parts.push(format!(
                        "user_assigned = {}",
                        strings(i.user_assigned.iter().map(String::as_str))
                    ));
                }
                if let Some(p) = i.principal_id {
                    parts.push(format!("principal_id = {}", q(&p.to_string())));
                }
                if let Some(c) = i.client_id {
                    parts.push(format!("client_id = {}", q(&c.to_string())));
                }
                w.kv(II, "identity", &format!("{{ {} }}", parts.join(", ")));
            }
            w.blank();
        }
    }
    for e in &s.identities {
        w.header(I, "[[subscriptions.identities]]");
        w.kv(I, "name", &q(&e.name));
        w.kv(I, "resource_group", &q(&e.resource_group));
        opt(w, I, "location", &e.location);
        opt_id(w, I, "principal_id", &e.principal_id);
        opt_id(w, I, "client_id", &e.client_id);
        if let Some(t) = &e.tags {
            w.kv(I, "tags", &inline_map(t));
        }
        w.blank();
    }
    for d in &s.role_definitions {
        role_definition_toml(w, I, "[[subscriptions.role_definitions]]", d);
    }
}

/// A custom role under `header`, indented by `indent`.
fn role_definition_toml(w: &mut Writer, indent: &str, header: &str, d: &RoleDefinitionEntry) {
    w.header(indent, header);
    w.kv(indent, "name", &q(&d.name));
    opt_id(w, indent, "id", &d.id);
    opt(w, indent, "description", &d.description);
    list(w, indent, "actions", &d.actions);
    list(w, indent, "not_actions", &d.not_actions);
    list(w, indent, "data_actions", &d.data_actions);
    list(w, indent, "not_data_actions", &d.not_data_actions);
    if !d.permissions.is_empty() {
        let items: Vec<String> = d
            .permissions
            .iter()
            .map(|p| {
                let mut parts = Vec::new();
                for (k, v) in [
                    ("actions", &p.actions),
                    ("not_actions", &p.not_actions),
                    ("data_actions", &p.data_actions),
                    ("not_data_actions", &p.not_data_actions),
                ] {
                    if !v.is_empty() {
                        parts.push(format!("{k} = {}", strings(v.iter().map(String::as_str))));
                    }
                }
                format!("{{ {} }}", parts.join(", "))
            })
            .collect();
        w.kv(indent, "permissions", &format!("[{}]", items.join(", ")));
    }
    list(w, indent, "assignable_scopes", &d.assignable_scopes);
    w.blank();
}
