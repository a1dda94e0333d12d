//! The invariants of DESIGN.md, checked over a whole world. The rules keep them; this check proves it in
//! tests (after every operation of the property tests) and guards world files before they are written.

use crate::ids::*;
use crate::model::*;
use crate::world::{PrincipalRef, TenantPart, World};
use std::collections::HashSet;

/// Every broken invariant, in words. Empty when the world is sound.
pub fn violations(world: &World) -> Vec<String> {
    let mut v = Vec::new();
    for t in world.tenants() {
        for u in t.users.values() {
            if u.tenant != t.tenant.id {
                v.push(format!("user {} is filed under the wrong tenant", u.id));
            }
            if let UserKind::Guest {
                home: Some(Identity::Organizational { tenant, .. }),
                ..
            } = &u.kind
                && *tenant == t.tenant.id
            {
                v.push(format!(
                    "guest {} of '{}' is a member of it",
                    u.upn(),
                    t.tenant.name
                ));
            }
        }
        for (role, o) in &t.role_members {
            match world.principal(t.tenant.id, *o) {
                None => v.push(format!(
                    "{} of '{}' names {o}, which is not in the tenant",
                    role.display_name(),
                    t.tenant.name
                )),
                Some(PrincipalRef::Group(g)) if !g.role_assignable => v.push(format!(
                    "the group '{}' of '{}' holds {} but cannot hold directory roles",
                    g.display_name,
                    t.tenant.name,
                    role.display_name()
                )),
                Some(_) => {}
            }
        }
        group_violations(world, t, &mut v);
        hierarchy_violations(world, t, &mut v);
        identity_violations(world, t, &mut v);
        for a in t.applications.values() {
            certificate_violations(a, &mut v);
            federated_violations(a, &mut v);
        }
        for p in &t.tenant.policy.exempted {
            if world.principal(t.tenant.id, *p).is_none() {
                v.push(format!(
                    "the policy of '{}' exempts {p}, which is not in the tenant",
                    t.tenant.name
                ));
            }
        }
    }
    for s in world.subscriptions() {
        subscription_violations(world, s, &mut v);
    }
    v
}

/// Managed identities: each service principal that is one belongs to a resource that exists, in a
/// subscription of the same directory, and is the one the world finds for it.
fn identity_violations(world: &World, t: &TenantPart, v: &mut Vec<String>) {
    for a in t.applications.values() {
        let Some(m) = &a.managed_identity else {
            continue;
        };
        let resource = world
            .subscription(m.resource.subscription_id())
            .filter(|s| s.subscription.tenant == t.tenant.id)
            .and_then(|s| s.resources.get(m.resource.key()));
        if resource.is_none() {
            v.push(format!(
                "the managed identity {} of '{}' belongs to '{}', which is not a resource of its directory",
                a.id, t.tenant.name, m.resource
            ));
        }
        if world.managed_identity(&m.resource).map(|p| p.id) != Some(a.id) {
            v.push(format!(
                "the managed identity {} is not the one found for '{}'",
                a.id, m.resource
            ));
        }
    }
}

/// Certificates of an application: at most [`MAX_CERTIFICATES`](crate::certificates::MAX_CERTIFICATES),
/// each once (by key id and by thumbprint), so that an assertion's header names one certificate.
fn certificate_violations(a: &Application, v: &mut Vec<String>) {
    if a.certificates.len() > crate::certificates::MAX_CERTIFICATES {
        v.push(format!(
            "the application '{}' has {} certificates",
            a.display_name,
            a.certificates.len()
        ));
    }
    let (mut keys, mut thumbprints) = (HashSet::new(), HashSet::new());
    for c in &a.certificates {
        if !keys.insert(c.key_id) || !thumbprints.insert(c.sha1) {
            v.push(format!(
                "the application '{}' has the certificate {} twice",
                a.display_name,
                c.thumbprint()
            ));
        }
    }
}

/// At most 20 federated credentials per application, names and (issuer, subject) pairs unique in it.
fn federated_violations(a: &Application, v: &mut Vec<String>) {
    let creds = &a.federated_credentials;
    if creds.len() > crate::rules::federated::MAX_FEDERATED_CREDENTIALS {
        v.push(format!(
            "the application '{}' has {} federated credentials",
            a.display_name,
            creds.len()
        ));
    }
    let mut names = HashSet::new();
    let mut pairs = HashSet::new();
    for c in creds {
        if !names.insert(c.name.to_ascii_lowercase()) {
            v.push(format!(
                "the application '{}' has two federated credentials named '{}'",
                a.display_name, c.name
            ));
        }
        if !pairs.insert((c.issuer.as_str(), c.subject.as_str())) {
            v.push(format!(
                "the application '{}' trusts '{}' of '{}' twice",
                a.display_name, c.subject, c.issuer
            ));
        }
    }
}

/// Groups: each filed under its tenant with a unique name; every member and owner present in the tenant
/// (owners are no groups); role-assignable groups contain no groups; no group is in itself, directly or
/// through nesting (checked on the index, and the index against the data).
fn group_violations(world: &World, t: &TenantPart, v: &mut Vec<String>) {
    let tname = &t.tenant.name;
    let mut names = HashSet::new();
    for g in t.groups.values() {
        if g.tenant != t.tenant.id || world.tenant_of_object(g.id) != Some(t.tenant.id) {
            v.push(format!("group {} is filed under the wrong tenant", g.id));
        }
        if !names.insert(g.display_name.trim().to_lowercase()) {
            v.push(format!(
                "'{tname}' has two groups named '{}'",
                g.display_name
            ));
        }
        if t.groups_of(g.id).contains(&g.id) {
            v.push(format!(
                "the group '{}' of '{tname}' is in itself",
                g.display_name
            ));
        }
    }
    for (g, m) in &t.group_members {
        let Some(group) = t.group(*g) else {
            v.push(format!(
                "'{tname}' has members of {g}, which is not a group of it"
            ));
            continue;
        };
        match world.principal(t.tenant.id, *m) {
            Some(p) if p.is_present() => {
                if let PrincipalRef::Group(inner) = p
                    && group.role_assignable
                {
                    v.push(format!(
                        "the role-assignable group '{}' of '{tname}' contains the group '{}'",
                        group.display_name, inner.display_name
                    ));
                }
                if !t.groups_of(*m).contains(g) {
                    v.push(format!(
                        "the membership index of '{tname}' misses {m} in '{}'",
                        group.display_name
                    ));
                }
            }
            _ => v.push(format!(
                "the group '{}' of '{tname}' has the member {m}, absent from the tenant",
                group.display_name
            )),
        }
    }
    for (g, o) in &t.group_owners {
        match (t.group(*g), world.principal(t.tenant.id, *o)) {
            (None, _) => v.push(format!(
                "'{tname}' has owners of {g}, which is not a group of it"
            )),
            (Some(group), Some(p)) if !p.is_present() || matches!(p, PrincipalRef::Group(_)) => v
                .push(format!(
                    "the group '{}' of '{tname}' is owned by {o}, which cannot own it",
                    group.display_name
                )),
            (Some(group), None) => v.push(format!(
                "the group '{}' of '{tname}' has the owner {o}, absent from the tenant",
                group.display_name
            )),
            _ => {}
        }
    }
}

fn subscription_violations(world: &World, s: &crate::world::SubscriptionPart, v: &mut Vec<String>) {
    let sub = &s.subscription;
    let name = &sub.display_name;
    if world.tenant(sub.tenant).is_none() {
        v.push(format!(
            "subscription '{name}' trusts a tenant that does not exist"
        ));
        return;
    }
    // Predefined tag names are kept as validated: within the rules, one per name whatever its case.
    if crate::tags::validated_names(sub.tag_names.clone()).as_ref() != Ok(&sub.tag_names) {
        v.push(format!(
            "subscription '{name}' keeps predefined tag names outside Azure's rules"
        ));
    }
    let admin_ok = |i: Identity| match i {
        Identity::Personal { account } => world.account(account).is_some(),
        Identity::Organizational { .. } => world.presence(i, sub.tenant).is_some(),
    };
    if !admin_ok(sub.service_admin) {
        v.push(format!(
            "the service administrator of '{name}' is absent from its tenant"
        ));
    }
    if sub.co_admins.len() > MAX_CO_ADMINS {
        v.push(format!(
            "'{name}' has {} co-administrators",
            sub.co_admins.len()
        ));
    }
    let mut seen = HashSet::new();
    for c in &sub.co_admins {
        if !seen.insert(*c) || *c == sub.service_admin {
            v.push(format!(
                "'{name}' lists a co-administrator twice or also as service administrator"
            ));
        }
        if !admin_ok(*c) {
            v.push(format!(
                "a co-administrator of '{name}' is absent from its tenant"
            ));
        }
    }
    if s.assignments.len() > MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION {
        v.push(format!(
            "'{name}' has {} role assignments",
            s.assignments.len()
        ));
    }
    let mut triples = HashSet::new();
    for a in s.assignments.values() {
        if a.subscription != sub.id || a.scope.subscription_id() != sub.id {
            v.push(format!(
                "assignment {} of '{name}' points into another subscription",
                a.id
            ));
        }
        match world.principal(sub.tenant, a.principal) {
            // The type decides whether authorization looks through groups: it must be the principal's.
            Some(p) if p.is_present() && p.principal_type() != a.principal_type => v.push(format!(
                "assignment {} of '{name}' names {} as a {}, but it is a {}",
                a.id,
                a.principal,
                a.principal_type.as_str(),
                p.principal_type().as_str()
            )),
            Some(p) if p.is_present() => {}
            _ => v.push(format!(
                "assignment {} of '{name}' names {}, absent from the trusted tenant",
                a.id, a.principal
            )),
        }
        if world.role_definition(sub.id, a.role_definition).is_none() {
            v.push(format!(
                "assignment {} of '{name}' uses a role that does not exist",
                a.id
            ));
        }
        if crate::rules::access::require_scope_exists(world, &a.scope).is_err() {
            v.push(format!(
                "assignment {} of '{name}' is at '{}', which does not exist",
                a.id, a.scope
            ));
        }
        if !triples.insert((a.principal, a.role_definition, a.scope.key().to_string())) {
            v.push(format!(
                "assignment {} of '{name}' duplicates another",
                a.id
            ));
        }
    }
    for r in s.resources.values() {
        if s.resource_group(r.scope.resource_group_name().unwrap_or_default())
            .is_none()
        {
            v.push(format!(
                "resource '{}' lies in a group that does not exist",
                r.scope
            ));
        }
        let wants_principal = crate::rules::identities::is_user_assigned_identity(&r.scope)
            || r.identity.as_ref().is_some_and(|i| i.system_assigned);
        match world.managed_identity(&r.scope) {
            None if wants_principal => v.push(format!(
                "resource '{}' has a managed identity without its service principal",
                r.scope
            )),
            Some(p) if !wants_principal => v.push(format!(
                "the service principal {} is the managed identity of '{}', which has none",
                p.id, r.scope
            )),
            Some(p) if p.tenant != sub.tenant => v.push(format!(
                "the managed identity of '{}' is in another directory than its subscription's",
                r.scope
            )),
            _ => {}
        }
    }
    let _: Option<RoleAssignmentId> = None;
}

/// A tenant's hierarchy: every group's parent exists, no group is its own ancestor, no group lies more
/// than six levels below the root, and every placed subscription is the tenant's, under one of its groups.
fn hierarchy_violations(world: &World, t: &TenantPart, v: &mut Vec<String>) {
    use crate::world::MAX_MANAGEMENT_GROUP_DEPTH;
    let name = &t.tenant.name;
    for (key, g) in t.management_groups() {
        if *key != g.name.trim().to_lowercase() || g.tenant != t.tenant.id {
            v.push(format!(
                "the management group '{}' of '{name}' is filed wrongly",
                g.name
            ));
        }
        if let Some(p) = &g.parent
            && (t.management_group(p).is_none() || t.is_root_group(&g.name) || t.is_root_group(p))
        {
            v.push(format!("the management group '{}' of '{name}' has the parent '{p}', which is not a group below the root", g.name));
        }
        let ancestors = t.group_ancestors(&g.name);
        if ancestors.iter().any(|a| a.eq_ignore_ascii_case(&g.name)) {
            v.push(format!(
                "the management group '{}' of '{name}' is its own ancestor",
                g.name
            ));
        } else if !t.is_root_group(&g.name) && ancestors.last().is_none_or(|r| !t.is_root_group(r))
        {
            v.push(format!(
                "the management group '{}' of '{name}' does not fold up to the root",
                g.name
            ));
        }
        if ancestors.len() > MAX_MANAGEMENT_GROUP_DEPTH {
            v.push(format!(
                "the management group '{}' of '{name}' lies {} levels below the root",
                g.name,
                ancestors.len()
            ));
        }
    }
    for a in t.all_group_assignments() {
        if world.principal(t.tenant.id, a.principal).is_none() {
            v.push(format!(
                "a role assignment at '{}' of '{name}' names {}, which is not in the tenant",
                a.management_group, a.principal
            ));
        }
        if world.group_role_definition(t, a.role_definition).is_none() {
            v.push(format!(
                "a role assignment at '{}' of '{name}' names the role {}, which is neither built in nor the tenant's",
                a.management_group, a.role_definition
            ));
        }
        if a.management_group != ROOT_SCOPE && t.management_group(&a.management_group).is_none() {
            v.push(format!(
                "a role assignment of '{name}' is at '{}', which is no management group",
                a.management_group
            ));
        }
    }
    if !t.hierarchy_index_agrees() {
        v.push(format!(
            "the hierarchy index of '{name}' does not say what its groups, placements and assignments say"
        ));
    }
    for d in t.custom_roles.values() {
        let groups = d
            .assignable_scopes
            .iter()
            .filter(|s| management_group_of_scope(s).is_some())
            .count();
        if d.tenant != Some(t.tenant.id) || d.subscription.is_some() || groups != 1 {
            v.push(format!(
                "the custom role '{}' of '{name}' is not at home in exactly one of its management groups",
                d.name
            ));
        }
    }
    if let Some(d) = t
        .hierarchy_settings
        .as_ref()
        .and_then(|h| h.default_management_group.as_deref())
        && (t.management_group(d).is_none() || t.is_root_group(d))
    {
        v.push(format!(
            "the hierarchy settings of '{name}' land new subscriptions under '{d}', which is not a group below its root"
        ));
    }
    for (s, p) in t.subscription_parents() {
        if world
            .subscription(*s)
            .is_none_or(|sp| sp.subscription.tenant != t.tenant.id)
        {
            v.push(format!(
                "the hierarchy of '{name}' places the subscription {s}, which does not trust it"
            ));
        }
        if t.management_group(p).is_none() || t.is_root_group(p) {
            v.push(format!("the subscription {s} is placed under '{p}', which is not a group below the root of '{name}'"));
        }
    }
}
