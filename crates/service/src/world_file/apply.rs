//! Planning the application of a world file: every step goes through the domain's rules as the
//! operator, is applied to one scratch copy of the world so later steps see earlier ones, and all steps
//! concatenate into one [`Change`].
//!
//! Semantics:
//! - **Additive.** What the file names and the world lacks is created; what the world has and the file
//!   does not name is left alone. Lists of memberships (custom domains, directory roles, co-administrators)
//!   are additive too.
//! - **Idempotent.** An entity that exists with the content the file states is skipped, so applying the
//!   same file twice gives an empty second change. Only what the file states is compared: an omitted
//!   optional key (a display name, an origin, tags) is not a difference.
//! - **Conflicts are errors**: a name that exists with other stated content (another display name, id,
//!   location, password…), a reference to nothing, a broken rule of the world. Passwords and client
//!   secrets given in clear are compared with the `verify` function the caller passes (`verify(plain,
//!   hash)`); `password_hash` is compared as text.
//! - **All or nothing.** The first error returns `Err`; no change is returned.
//!
//! Each section of the file is planned in its own module, in this order: `accounts`, `tenants` (with
//! their users and applications), `guests`, `groups` (security groups, then their members and owners),
//! `roles`, `policies`, `subscriptions` (administrators, resource groups, resources), `access`
//! (custom roles, role assignments) and `hierarchy` (management groups, with the subscriptions placed
//! under them). What they share is here.

mod access;
mod accounts;
mod group_roles;
mod groups;
mod guests;
mod hierarchy;
mod policies;
mod roles;
mod subscriptions;
mod tenants;

pub(super) use subscriptions::resource_scope;

use super::WorldFileError;
use super::schema::*;
use std::collections::{HashMap, HashSet};
use tenantry_domain::audit::AuditEvent;
use tenantry_domain::rules::names::typed;
use tenantry_domain::rules::{self, admins, directory, federated, identities, resources};
use tenantry_domain::world::TenantPart;
use tenantry_domain::*;

/// A tenant that an earlier entry of the same file created or named. It is missing only if the planner
/// is wrong, and then the file is refused rather than the process stopped.
pub(super) fn planned_tenant(w: &World, id: TenantId) -> Result<&TenantPart, WorldFileError> {
    w.tenant(id).ok_or_else(|| {
        WorldFileError::new(
            None,
            "",
            format!("Tenant {id} was planned but is missing (a bug in tenantry)."),
        )
    })
}

/// A subscription that an earlier entry of the same file created or named (as `planned_tenant`).
pub(super) fn planned_subscription(
    w: &World,
    id: SubscriptionId,
) -> Result<&world::SubscriptionPart, WorldFileError> {
    w.subscription(id).ok_or_else(|| {
        WorldFileError::new(
            None,
            "",
            format!("Subscription {id} was planned but is missing (a bug in tenantry)."),
        )
    })
}

const OP: &Actor = &Actor::Operator;
const DEFAULT_SUFFIX: &str = "onmicrosoft.com";

/// Plans applying `file` to `world`: the change that creates everything missing, or the first error.
///
/// `hash_password` and `hash_secret` hash clear-text passwords and client secrets of entities that are
/// created; `verify(plain, hash)` checks a clear-text password or secret of the file against an existing
/// hash. `progress(done, total)` is called as entries are planned (`total` is
/// [`WorldFile::entry_count`]). `now` stamps what is created.
pub fn plan_apply(
    world: &World,
    file: &WorldFile,
    hash_password: &dyn Fn(&str) -> String,
    hash_secret: &dyn Fn(&str) -> String,
    verify: &dyn Fn(&str, &str) -> bool,
    now: i64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Change, WorldFileError> {
    let mut out = Change::new();
    plan_apply_in_pieces(
        world.clone(),
        file,
        &Hashers {
            hash_password,
            hash_secret,
            verify,
        },
        now,
        progress,
        usize::MAX,
        &mut |piece| out.extend(piece),
        &|| rules::invariants::violations(world),
        None,
    )?;
    Ok(coalesce(out))
}

/// How a plan hashes and checks the file's passwords and secrets (see [`plan_apply`]).
pub struct Hashers<'a> {
    pub hash_password: &'a dyn Fn(&str) -> String,
    pub hash_secret: &'a dyn Fn(&str) -> String,
    pub verify: &'a dyn Fn(&str, &str) -> bool,
}

/// [`plan_apply`] for a large file: the change is handed to `sink` in pieces of about `piece`
/// mutations and audit events as it is planned (in order: their concatenation is the change), so that
/// they can be written while the rest is planned, and the world with all of it applied is returned.
/// `before()` gives the invariant violations of the world as it was (asked only when the planned
/// world has some). After an error, the pieces handed out must be thrown away.
#[allow(clippy::too_many_arguments)]
pub fn plan_apply_in_pieces(
    world: World,
    file: &WorldFile,
    hashers: &Hashers<'_>,
    now: i64,
    progress: &mut dyn FnMut(usize, usize),
    piece: usize,
    sink: &mut dyn FnMut(Change),
    before: &dyn Fn() -> Vec<String>,
    file_digest: Option<&str>,
) -> Result<World, WorldFileError> {
    let mut p = Planner {
        file,
        w: world,
        out: Change::new(),
        piece,
        sink,
        hash_password: hashers.hash_password,
        hash_secret: hashers.hash_secret,
        verify: hashers.verify,
        now,
        progress,
        done: 0,
        total: file.entry_count(),
        suffix: file
            .domain_suffix
            .as_deref()
            .map(|s| typed(s).trim_start_matches('.').to_string())
            .unwrap_or_else(|| DEFAULT_SUFFIX.to_string()),
        tenants: Vec::new(),
        indexes: HashMap::new(),
        cache_sub: None,
        scopes: HashMap::new(),
        roles: HashMap::new(),
        file_digest,
        created_assignments: HashMap::new(),
        created_users: HashMap::new(),
    };
    (p.progress)(0, p.total);
    p.personal_accounts()?;
    p.tenants()?;
    p.guests()?;
    p.groups()?;
    p.directory_roles()?;
    p.policies()?;
    p.subscriptions()?;
    p.management_groups()?;
    p.tenant_custom_roles()?;
    p.management_group_assignments()?;
    // The rules keep the invariants; this guards the whole plan (problems the world had before are not
    // the file's to answer for).
    let mut problems = rules::invariants::violations(&p.w);
    if !problems.is_empty() {
        let before = before();
        problems.retain(|v| !before.contains(v));
    }
    if !problems.is_empty() {
        return Err(WorldFileError::new(
            None,
            "",
            format!(
                "the resulting world would break its invariants: {}",
                problems.join("; ")
            ),
        ));
    }
    (p.progress)(p.total, p.total);
    let rest = std::mem::take(&mut p.out);
    if !rest.mutations.is_empty() || !rest.audit.is_empty() {
        (p.sink)(coalesce(rest));
    }
    Ok(p.w)
}

/// Merges consecutive role assignment inserts of one subscription, so the store writes them in batches.
fn coalesce(change: Change) -> Change {
    let mut mutations: Vec<Mutation> = Vec::with_capacity(change.mutations.len());
    for m in change.mutations {
        match (m, mutations.last_mut()) {
            (
                Mutation::InsertRoleAssignments {
                    subscription,
                    assignments,
                },
                Some(Mutation::InsertRoleAssignments {
                    subscription: prev,
                    assignments: prev_list,
                }),
            ) if *prev == subscription => prev_list.extend(assignments),
            (m, _) => mutations.push(m),
        }
    }
    Change {
        mutations,
        audit: change.audit,
    }
}

/// Where an entry is, for error messages.
struct At {
    line: Option<usize>,
    entry: String,
}

impl At {
    fn err(&self, message: impl Into<String>) -> WorldFileError {
        WorldFileError::new(self.line, self.entry.clone(), message)
    }
    fn domain(&self, e: DomainError) -> WorldFileError {
        self.err(e.to_string())
    }
}

fn at<T>(l: &Located<T>, entry: String) -> At {
    At {
        line: l.line,
        entry,
    }
}

/// "exists with `what` X, but the file says Y".
fn differs(what: &str, world: impl std::fmt::Debug, file: impl std::fmt::Debug) -> String {
    format!("exists with {what} {world:?}, but the file says {file:?}")
}

/// The objects a file tenant resolved to, by entry index.
struct TenantRefs {
    id: TenantId,
    users: Vec<ObjectId>,
    guests: Vec<ObjectId>,
    apps: Vec<ObjectId>,
    groups: Vec<ObjectId>,
}

/// Names of principals in a tenant, resolved as [`World::find_principal`] does (a UPN first, then a
/// mail or guest email), without its scan over every user, and deterministically: a name that two
/// objects share is ambiguous rather than whichever comes first.
pub(super) struct PrincipalIndex {
    /// `None`: ambiguous.
    by_upn: HashMap<String, Option<ObjectId>>,
    by_mail: HashMap<String, Option<ObjectId>>,
}

/// What a principal name resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lookup {
    Found(ObjectId),
    Ambiguous,
    Missing,
}

impl PrincipalIndex {
    pub(super) fn build(part: &TenantPart) -> Self {
        fn add(map: &mut HashMap<String, Option<ObjectId>>, key: &str, id: ObjectId) {
            map.entry(key.to_ascii_lowercase())
                .and_modify(|v| {
                    if *v != Some(id) {
                        *v = None
                    }
                })
                .or_insert(Some(id));
        }
        let mut by_upn = HashMap::with_capacity(part.users.len());
        let mut by_mail = HashMap::new();
        for u in part.users.values() {
            add(&mut by_upn, u.upn(), u.id);
            if let Some(m) = u.mail() {
                add(&mut by_mail, m, u.id);
            }
        }
        Self { by_upn, by_mail }
    }
    /// Non-GUID keys only.
    pub(super) fn lookup(&self, key: &str) -> Lookup {
        let k = typed(key).to_ascii_lowercase();
        match self.by_upn.get(&k).or_else(|| self.by_mail.get(&k)) {
            Some(Some(id)) => Lookup::Found(*id),
            Some(None) => Lookup::Ambiguous,
            None => Lookup::Missing,
        }
    }
}

struct Planner<'a> {
    file: &'a WorldFile,
    /// The scratch world: the input plus everything planned so far.
    w: World,
    /// What is planned and not yet handed to `sink`.
    out: Change,
    /// How many mutations and audit events `out` holds before it goes to `sink`.
    piece: usize,
    sink: &'a mut dyn FnMut(Change),
    hash_password: &'a dyn Fn(&str) -> String,
    hash_secret: &'a dyn Fn(&str) -> String,
    verify: &'a dyn Fn(&str, &str) -> bool,
    now: i64,
    progress: &'a mut dyn FnMut(usize, usize),
    done: usize,
    total: usize,
    suffix: String,
    tenants: Vec<TenantRefs>,
    /// Principal names per tenant, built when first needed, dropped when the tenant gains a user.
    indexes: HashMap<TenantId, PrincipalIndex>,
    /// Scopes and roles by the text the file gives, for the subscription `cache_sub`.
    cache_sub: Option<SubscriptionId>,
    scopes: HashMap<String, Scope>,
    roles: HashMap<String, RoleDefinitionId>,
    /// The file's SHA-256 (hex), named by the events that tell what it created.
    file_digest: Option<&'a str>,
    /// Role assignments created per subscription, told once its last one is planned.
    created_assignments: HashMap<SubscriptionId, rules::access::BulkAssignments>,
    /// Users created per tenant, told once its last one is planned.
    created_users: HashMap<TenantId, rules::directory::BulkUsers>,
}

/// `password` / `password_hash`: exactly one.
enum Secret<'a> {
    Plain(&'a str),
    Hash(&'a str),
}

/// An entry's password: exactly one of `password` and `password_hash`, and a clear one meets the
/// domain's password policy.
fn password_of<'a>(
    plain: &'a Option<String>,
    hash: &'a Option<String>,
    at: &At,
) -> Result<Secret<'a>, WorldFileError> {
    match (plain, hash) {
        (Some(p), None) => {
            directory::validate_password(p).map_err(|x| at.domain(x))?;
            Ok(Secret::Plain(p))
        }
        (None, Some(h)) => {
            rules::names::require_name("password_hash", h).map_err(|x| at.domain(x))?;
            Ok(Secret::Hash(h))
        }
        (Some(_), Some(_)) => Err(at.err("give password or password_hash, not both")),
        (None, None) => Err(at.err("password (or password_hash) is required")),
    }
}

impl Planner<'_> {
    /// Applies a step to the scratch world and adds it to the plan.
    fn commit(&mut self, change: Change) {
        for m in &change.mutations {
            if let Mutation::PutUser(u) = m {
                self.indexes.remove(&u.tenant);
            }
        }
        self.w.apply(&change);
        self.out.extend(change);
        if self.out.mutations.len() + self.out.audit.len() >= self.piece {
            let piece = std::mem::take(&mut self.out);
            (self.sink)(coalesce(piece));
        }
    }

    fn tick(&mut self) {
        self.done += 1;
        (self.progress)(self.done, self.total);
    }

    fn secret_matches(&self, secret: &Secret<'_>, hash: &str) -> bool {
        match secret {
            Secret::Plain(p) => (self.verify)(p, hash),
            Secret::Hash(h) => *h == hash,
        }
    }

    fn hash_of(&self, secret: &Secret<'_>) -> String {
        match secret {
            Secret::Plain(p) => (self.hash_password)(p),
            Secret::Hash(h) => h.to_string(),
        }
    }

    /// A principal of `tenant` by UPN, email, object id, client id or `group:NAME` (as
    /// [`World::find_principal`]).
    fn principal(&mut self, tenant: TenantId, key: &str) -> Result<ObjectId, String> {
        if let Some(name) = world::group_key(key) {
            let part = planned_tenant(&self.w, tenant).map_err(|e| e.message)?;
            return part.group_by_name(name).map(|g| g.id).ok_or_else(|| {
                format!(
                    "no group of the directory {:?} is named {name:?}",
                    part.tenant.name
                )
            });
        }
        let found = if typed(key).parse::<uuid::Uuid>().is_ok() {
            match self.w.find_principal(tenant, key) {
                Some(p) => Lookup::Found(p.id()),
                None => Lookup::Missing,
            }
        } else {
            if !self.indexes.contains_key(&tenant)
                && let Some(part) = self.w.tenant(tenant)
            {
                self.indexes.insert(tenant, PrincipalIndex::build(part));
            }
            self.indexes
                .get(&tenant)
                .map_or(Lookup::Missing, |index| index.lookup(key))
        };
        let name = || {
            self.w
                .tenant(tenant)
                .map(|t| t.tenant.name.clone())
                .unwrap_or_default()
        };
        match found {
            Lookup::Found(id) => Ok(id),
            Lookup::Ambiguous => Err(format!(
                "several principals of the directory {:?} are named {key:?}: name it by its object id",
                name()
            )),
            Lookup::Missing => Err(format!(
                "{key:?} is not a principal of the directory {:?} (a UPN, a guest's email, an application's client id, group:NAME or an object id)",
                name()
            )),
        }
    }
}
