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

use super::WorldFileError;
use super::schema::*;
use std::collections::{HashMap, HashSet};
use tenantry_domain::audit::AuditEvent;
use tenantry_domain::rules::{self, access, admins, directory, resources};
use tenantry_domain::world::TenantPart;
use tenantry_domain::*;

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
    let mut p = Planner {
        file,
        w: world.clone(),
        out: Change::new(),
        hash_password,
        hash_secret,
        verify,
        now,
        progress,
        done: 0,
        total: file.entry_count(),
        suffix: file
            .domain_suffix
            .as_deref()
            .map(|s| s.trim().trim_start_matches('.').to_string())
            .unwrap_or_else(|| DEFAULT_SUFFIX.to_string()),
        tenants: Vec::new(),
        indexes: HashMap::new(),
        cache_sub: None,
        scopes: HashMap::new(),
        roles: HashMap::new(),
    };
    (p.progress)(0, p.total);
    p.personal_accounts()?;
    p.tenants()?;
    p.guests()?;
    p.directory_roles()?;
    p.policies()?;
    p.subscriptions()?;
    // The rules keep the invariants; this guards the whole plan (problems the world had before are not
    // the file's to answer for).
    let mut problems = rules::invariants::violations(&p.w);
    if !problems.is_empty() {
        let before = rules::invariants::violations(world);
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
    Ok(coalesce(p.out))
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
        let k = key.trim().to_ascii_lowercase();
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
    out: Change,
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
        (None, Some(h)) => Ok(Secret::Hash(h)),
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

    // ----- personal accounts -----

    fn personal_accounts(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        for (i, e) in file.personal_accounts.iter().enumerate() {
            let at = at(e, format!("personal_accounts[{i}] (email {:?})", e.email));
            let secret = password_of(&e.password, &e.password_hash, &at)?;
            if let Some(a) = self.w.account_by_email(&e.email) {
                if let Some(id) = e.id
                    && id != a.id
                {
                    return Err(at.err(differs("id", a.id.to_string(), id.to_string())));
                }
                if let Some(d) = &e.display_name
                    && !d.is_empty()
                    && *d != a.display_name
                {
                    return Err(at.err(differs("display_name", &a.display_name, d)));
                }
                if let Some(en) = e.enabled
                    && en != a.enabled
                {
                    return Err(at.err(differs("enabled", a.enabled, en)));
                }
                if !self.secret_matches(&secret, &a.password_hash) {
                    return Err(at.err("exists with another password"));
                }
            } else {
                let (mut change, _) = directory::create_personal_account(
                    &self.w,
                    OP,
                    directory::NewPersonalAccount {
                        id: e.id,
                        email: e.email.clone(),
                        display_name: e.display_name.clone().unwrap_or_default(),
                        password_hash: self.hash_of(&secret),
                    },
                    self.now,
                )
                .map_err(|x| at.domain(x))?;
                if e.enabled == Some(false) {
                    for m in &mut change.mutations {
                        if let Mutation::PutAccount(a) = m {
                            a.enabled = false;
                        }
                    }
                }
                self.commit(change);
            }
            self.tick();
        }
        Ok(())
    }

    // ----- tenants, their users and applications -----

    fn tenants(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        for (i, e) in file.tenants.iter().enumerate() {
            let at_t = at(e, format!("tenants[{i}] (name {:?})", e.name));
            let id = self.tenant(e, &at_t)?;
            self.tick();
            let mut refs = TenantRefs {
                id,
                users: Vec::with_capacity(e.users.len()),
                guests: Vec::with_capacity(e.guests.len()),
                apps: Vec::with_capacity(e.applications.len()),
            };
            for (j, u) in e.users.iter().enumerate() {
                let at_u = at(
                    u,
                    format!("tenants[{i}].users[{j}] (user_name {:?})", u.user_name),
                );
                refs.users.push(self.user(id, u, &at_u)?);
                self.tick();
            }
            for (j, a) in e.applications.iter().enumerate() {
                let at_a = at(
                    a,
                    format!(
                        "tenants[{i}].applications[{j}] (display_name {:?})",
                        a.display_name
                    ),
                );
                refs.apps.push(self.application(id, a, &at_a)?);
                self.tick();
            }
            self.tenants.push(refs);
        }
        Ok(())
    }

    fn tenant(&mut self, e: &TenantEntry, at: &At) -> Result<TenantId, WorldFileError> {
        let initial_domain = format!("{}.{}", e.name.trim().to_lowercase(), self.suffix);
        let Some(part) = self.w.tenant_by_name(&e.name) else {
            let (change, id) = directory::create_tenant(
                &self.w,
                OP,
                directory::NewTenant {
                    id: e.id,
                    name: e.name.trim().to_string(),
                    display_name: e.display_name.clone().unwrap_or_default(),
                    origin: e.origin.unwrap_or_default(),
                    domain_suffix: self.suffix.clone(),
                    domains: e.domains.iter().map(|d| d.trim().to_string()).collect(),
                },
                self.now,
            )
            .map_err(|x| at.domain(x))?;
            self.commit(change);
            return Ok(id);
        };
        let t = &part.tenant;
        if let Some(id) = e.id
            && id != t.id
        {
            return Err(at.err(differs("id", t.id.to_string(), id.to_string())));
        }
        if let Some(d) = &e.display_name
            && !d.is_empty()
            && *d != t.display_name
        {
            return Err(at.err(differs("display_name", &t.display_name, d)));
        }
        if let Some(o) = e.origin
            && o != t.origin
        {
            return Err(at.err(differs("origin", t.origin.as_str(), o.as_str())));
        }
        if !t.initial_domain.eq_ignore_ascii_case(&initial_domain) {
            return Err(at.err(format!(
                "exists with the initial domain {:?}, but the file's domain_suffix makes it {initial_domain:?}",
                t.initial_domain
            )));
        }
        let id = t.id;
        let missing: Vec<String> = e
            .domains
            .iter()
            .filter(|d| !t.has_domain(d.trim()))
            .map(|d| d.trim().to_string())
            .collect();
        for d in missing {
            let change =
                directory::add_domain(&self.w, OP, id, &d, self.now).map_err(|x| at.domain(x))?;
            self.commit(change);
        }
        Ok(id)
    }

    fn user(
        &mut self,
        tenant: TenantId,
        e: &UserEntry,
        at: &At,
    ) -> Result<ObjectId, WorldFileError> {
        let secret = password_of(&e.password, &e.password_hash, at)?;
        let part = self.w.tenant(tenant).expect("planned tenant");
        let upn =
            directory::user_principal_name(&part.tenant, &e.user_name).map_err(|x| at.domain(x))?;
        if let Some(u) = self.w.member_by_upn(&upn) {
            if u.tenant != tenant {
                return Err(at.err(format!("{upn:?} is a member of another directory")));
            }
            if let Some(id) = e.id
                && id != u.id
            {
                return Err(at.err(differs("id", u.id.to_string(), id.to_string())));
            }
            if let Some(d) = &e.display_name
                && !d.is_empty()
                && *d != u.display_name
            {
                return Err(at.err(differs("display_name", &u.display_name, d)));
            }
            if let Some(m) = &e.mail
                && Some(m.as_str()) != u.mail()
            {
                return Err(at.err(differs("mail", u.mail(), m)));
            }
            if let Some(en) = e.enabled
                && en != u.enabled
            {
                return Err(at.err(differs("enabled", u.enabled, en)));
            }
            if let UserKind::Member { password_hash, .. } = &u.kind
                && !self.secret_matches(&secret, password_hash)
            {
                return Err(at.err("exists with another password"));
            }
            return Ok(u.id);
        }
        let (change, id) = directory::create_user(
            &self.w,
            OP,
            tenant,
            directory::NewUser {
                id: e.id,
                user_name: e.user_name.clone(),
                display_name: e.display_name.clone().unwrap_or_default(),
                mail: e.mail.clone(),
                password_hash: self.hash_of(&secret),
                enabled: e.enabled.unwrap_or(true),
            },
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(id)
    }

    /// The application's secrets as (hint, hash, expires); `Err` on a malformed combination.
    fn app_secrets(
        &self,
        e: &ApplicationEntry,
        at: &At,
    ) -> Result<Vec<(String, String, Option<i64>)>, WorldFileError> {
        let forms = usize::from(e.client_secret.is_some())
            + usize::from(e.client_secret_hash.is_some())
            + usize::from(!e.secrets.is_empty());
        if forms > 1 {
            return Err(at.err(
                "give one of client_secret, client_secret_hash (with client_secret_hint) or secrets",
            ));
        }
        if e.client_secret_hint.is_some() && e.client_secret_hash.is_none() {
            return Err(at.err("client_secret_hint goes with client_secret_hash"));
        }
        Ok(if let Some(s) = &e.client_secret {
            vec![(s.chars().take(3).collect(), (self.hash_secret)(s), None)]
        } else if let Some(h) = &e.client_secret_hash {
            vec![(
                e.client_secret_hint.clone().unwrap_or_default(),
                h.clone(),
                None,
            )]
        } else {
            e.secrets
                .iter()
                .map(|s| (s.hint.clone(), s.hash.clone(), s.expires))
                .collect()
        })
    }

    fn application(
        &mut self,
        tenant: TenantId,
        e: &ApplicationEntry,
        at: &At,
    ) -> Result<ObjectId, WorldFileError> {
        let existing = match e.client_id {
            Some(cid) => self.w.application_by_client_id(cid),
            None => {
                let part = self.w.tenant(tenant).expect("planned tenant");
                let mut same_name = part
                    .applications
                    .values()
                    .filter(|a| a.display_name == e.display_name);
                let first = same_name.next();
                if first.is_some() && same_name.next().is_some() {
                    return Err(at.err(
                        "several applications of the directory have this display name: give its client_id",
                    ));
                }
                first
            }
        };
        if let Some(a) = existing {
            if a.tenant != tenant {
                return Err(at.err(format!(
                    "the client_id {} belongs to an application of another directory",
                    a.client_id
                )));
            }
            if a.display_name != e.display_name {
                return Err(at.err(differs("display_name", &a.display_name, &e.display_name)));
            }
            if let Some(id) = e.id
                && id != a.id
            {
                return Err(at.err(differs("id", a.id.to_string(), id.to_string())));
            }
            if !e.redirect_uris.is_empty() && e.redirect_uris != a.redirect_uris {
                return Err(at.err(differs("redirect_uris", &a.redirect_uris, &e.redirect_uris)));
            }
            if let Some(s) = &e.client_secret {
                if !a.secrets.iter().any(|x| (self.verify)(s, &x.hash)) {
                    return Err(at.err("exists without this client_secret"));
                }
            } else if let Some(h) = &e.client_secret_hash {
                if !a.secrets.iter().any(|x| x.hash == *h) {
                    return Err(at.err("exists without this client_secret_hash"));
                }
            } else {
                for s in &e.secrets {
                    if !a.secrets.iter().any(|x| x.hash == s.hash) {
                        return Err(at.err(format!(
                            "exists without the secret whose hint is {:?}",
                            s.hint
                        )));
                    }
                }
            }
            return Ok(a.id);
        }
        let secrets = self.app_secrets(e, at)?;
        let (mut change, id) = directory::create_application(
            &self.w,
            OP,
            tenant,
            directory::NewApplication {
                id: e.id,
                client_id: e.client_id,
                display_name: e.display_name.clone(),
                secret_hashes: secrets
                    .iter()
                    .map(|(hint, hash, _)| (hint.clone(), hash.clone()))
                    .collect(),
                redirect_uris: e.redirect_uris.clone(),
            },
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        for m in &mut change.mutations {
            if let Mutation::PutApplication(app) = m {
                for (s, (_, _, expires)) in app.secrets.iter_mut().zip(&secrets) {
                    s.expires = *expires;
                }
            }
        }
        self.commit(change);
        Ok(id)
    }

    // ----- guests -----

    fn guests(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        for (i, t) in file.tenants.iter().enumerate() {
            let tenant = self.tenants[i].id;
            for (j, g) in t.guests.iter().enumerate() {
                let at = at(g, format!("tenants[{i}].guests[{j}] (email {:?})", g.email));
                let id = self.guest(tenant, g, &at)?;
                self.tenants[i].guests.push(id);
                self.tick();
            }
        }
        Ok(())
    }

    /// The identity a guest entry's email names: the personal account or another tenant's member.
    fn guest_identity(&self, tenant: TenantId, e: &GuestEntry) -> Result<Identity, String> {
        let email = e.email.trim();
        let m = self.w.email_matches(email);
        if m.organizational.iter().any(|(t, _)| *t == tenant) {
            return Err(format!(
                "{email:?} is a member of this directory: members cannot be its guests"
            ));
        }
        let personal = m.personal.map(|account| Identity::Personal { account });
        let org: Vec<Identity> = m
            .organizational
            .iter()
            .map(|(t, u)| Identity::Organizational {
                tenant: *t,
                user: *u,
            })
            .collect();
        let one_org = || match org.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("no work or school account has the email {email:?}")),
            _ => Err(format!(
                "several work or school accounts have the email {email:?}: name the guest by its UPN"
            )),
        };
        match e.account_type {
            Some(AccountKind::Personal) => {
                personal.ok_or_else(|| format!("no personal account has the email {email:?}"))
            }
            Some(AccountKind::Organizational) => one_org(),
            None => match (personal, org.is_empty()) {
                (Some(p), true) => Ok(p),
                (None, false) => one_org(),
                (Some(_), false) => Err(format!(
                    "{email:?} is both a personal (Microsoft) account and a work or school account: say which with account_type = \"personal\" or \"organizational\""
                )),
                (None, true) => Err(format!(
                    "no personal account and no work or school account has the email {email:?}: define it in personal_accounts or in another tenant's users"
                )),
            },
        }
    }

    fn guest(
        &mut self,
        tenant: TenantId,
        e: &GuestEntry,
        at: &At,
    ) -> Result<ObjectId, WorldFileError> {
        let identity = self.guest_identity(tenant, e).map_err(|m| at.err(m))?;
        let part = self.w.tenant(tenant).expect("planned tenant");
        if let Some(object) = self.w.presence(identity, tenant) {
            let u = &part.users[&object];
            if let Some(id) = e.id
                && id != object
            {
                return Err(at.err(differs("id", object.to_string(), id.to_string())));
            }
            if let Some(d) = &e.display_name
                && !d.is_empty()
                && *d != u.display_name
            {
                return Err(at.err(differs("display_name", &u.display_name, d)));
            }
            if let Some(en) = e.enabled
                && en != u.enabled
            {
                return Err(at.err(differs("enabled", u.enabled, en)));
            }
            return Ok(object);
        }
        let change = redeemed_guest(&self.w, part, identity, e, self.now).map_err(|m| at.err(m))?;
        let id = change
            .mutations
            .iter()
            .find_map(|m| match m {
                Mutation::PutUser(u) => Some(u.id),
                _ => None,
            })
            .expect("a guest");
        self.commit(change);
        Ok(id)
    }

    // ----- directory roles -----

    fn directory_roles(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        for (i, t) in file.tenants.iter().enumerate() {
            let tenant = self.tenants[i].id;
            let lists = t
                .users
                .iter()
                .zip(&self.tenants[i].users)
                .map(|(u, o)| ("users", &u.directory_roles, *o))
                .chain(
                    t.guests
                        .iter()
                        .zip(&self.tenants[i].guests)
                        .map(|(g, o)| ("guests", &g.directory_roles, *o)),
                )
                .chain(
                    t.applications
                        .iter()
                        .zip(&self.tenants[i].apps)
                        .map(|(a, o)| ("applications", &a.directory_roles, *o)),
                );
            let mut counters: HashMap<&str, usize> = HashMap::new();
            let mut todo = Vec::new();
            for (kind, roles, object) in lists {
                let j = counters.entry(kind).or_default();
                for (k, r) in roles.iter().enumerate() {
                    todo.push((
                        format!(
                            "tenants[{i}].{kind}[{j}].directory_roles[{k}] ({:?})",
                            r.value
                        ),
                        r.line,
                        r.value.clone(),
                        object,
                    ));
                }
                *j += 1;
            }
            for (entry, line, name, object) in todo {
                let at = At { line, entry };
                let role = DirectoryRole::parse(&name).ok_or_else(|| {
                    at.err(format!(
                        "unknown directory role; known roles: {}",
                        DirectoryRole::ALL
                            .iter()
                            .map(|r| r.display_name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
                let part = self.w.tenant(tenant).expect("planned tenant");
                if part.has_role(object, role) {
                    continue;
                }
                let change = directory::add_directory_role_member(
                    &self.w, OP, tenant, role, object, self.now,
                )
                .map_err(|x| at.domain(x))?;
                self.commit(change);
            }
        }
        Ok(())
    }

    // ----- policies -----

    fn policies(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        for (i, t) in file.tenants.iter().enumerate() {
            let Some(p) = &t.policy else { continue };
            let at = at(p, format!("tenants[{i}].policy"));
            let tenant = self.tenants[i].id;
            let mut exempted = Vec::with_capacity(p.exempted.len());
            for key in &p.exempted {
                let object = self
                    .principal(tenant, key)
                    .map_err(|m| at.err(format!("exempted: {m}")))?;
                exempted.push(object);
            }
            let policy = SubscriptionPolicy {
                block_subscriptions_leaving: p.block_subscriptions_leaving,
                block_subscriptions_entering: p.block_subscriptions_entering,
                exempted,
            };
            let current = &self.w.tenant(tenant).expect("planned tenant").tenant.policy;
            if *current != policy {
                if *current != SubscriptionPolicy::default() {
                    return Err(at.err(format!(
                        "the directory has another subscription policy already (leaving blocked: {}, entering blocked: {}, {} exempted)",
                        current.block_subscriptions_leaving,
                        current.block_subscriptions_entering,
                        current.exempted.len()
                    )));
                }
                let change = directory::set_policy(&self.w, OP, tenant, policy, self.now)
                    .map_err(|x| at.domain(x))?;
                self.commit(change);
            }
            self.tick();
        }
        Ok(())
    }

    /// A principal of `tenant` by UPN, email, object id or client id (as [`World::find_principal`]).
    fn principal(&mut self, tenant: TenantId, key: &str) -> Result<ObjectId, String> {
        let found = if key.trim().parse::<uuid::Uuid>().is_ok() {
            match self.w.find_principal(tenant, key) {
                Some(p) => Lookup::Found(p.id()),
                None => Lookup::Missing,
            }
        } else {
            if !self.indexes.contains_key(&tenant) {
                let part = self.w.tenant(tenant).expect("planned tenant");
                self.indexes.insert(tenant, PrincipalIndex::build(part));
            }
            self.indexes[&tenant].lookup(key)
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
                "{key:?} is not a principal of the directory {:?} (a UPN, a guest's email, an application's client id or an object id)",
                name()
            )),
        }
    }

    // ----- subscriptions -----

    fn subscriptions(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        let mut names = HashSet::new();
        for (i, s) in file.subscriptions.iter().enumerate() {
            if s.id.is_none() && !names.insert(s.display_name.trim().to_lowercase()) {
                return Err(at(
                    s,
                    format!("subscriptions[{i}] (display_name {:?})", s.display_name),
                )
                .err("another subscription of the file has this display name: give each an id"));
            }
        }
        for (i, s) in file.subscriptions.iter().enumerate() {
            let at_s = at(
                s,
                format!("subscriptions[{i}] (display_name {:?})", s.display_name),
            );
            let (sub, tenant) = self.subscription(s, &at_s)?;
            self.tick();
            for (j, c) in s.co_admins.iter().enumerate() {
                let at_c = at(
                    c,
                    format!("subscriptions[{i}].co_admins[{j}] ({:?})", c.email()),
                );
                self.co_admin(sub, c, &at_c)?;
                self.tick();
            }
            for (j, g) in s.resource_groups.iter().enumerate() {
                let at_g = at(
                    g,
                    format!(
                        "subscriptions[{i}].resource_groups[{j}] (name {:?})",
                        g.name
                    ),
                );
                self.resource_group(sub, g, &at_g)?;
                self.tick();
                for (k, r) in g.resources.iter().enumerate() {
                    let at_r = at(
                        r,
                        format!(
                            "subscriptions[{i}].resource_groups[{j}].resources[{k}] (name {:?})",
                            r.name
                        ),
                    );
                    self.resource(sub, &g.name, r, &at_r)?;
                    self.tick();
                }
            }
            for (j, d) in s.role_definitions.iter().enumerate() {
                let at_d = at(
                    d,
                    format!(
                        "subscriptions[{i}].role_definitions[{j}] (name {:?})",
                        d.name
                    ),
                );
                self.role_definition(sub, d, &at_d)?;
                self.tick();
            }
            for (j, a) in s.role_assignments.iter().enumerate() {
                self.role_assignment(sub, tenant, a).map_err(|m| {
                    at(
                        a,
                        format!(
                            "subscriptions[{i}].role_assignments[{j}] (principal {:?}, role {:?})",
                            a.principal, a.role
                        ),
                    )
                    .err(m)
                })?;
                self.tick();
            }
        }
        Ok(())
    }

    fn identity(&self, r: &AccountRef) -> Result<Identity, DomainError> {
        rules::resolve_identity(
            &self.w,
            r.email(),
            r.account_type().map(AccountKind::to_domain),
        )
    }

    fn subscription(
        &mut self,
        e: &SubscriptionEntry,
        at: &At,
    ) -> Result<(SubscriptionId, TenantId), WorldFileError> {
        let tenant = self
            .w
            .find_tenant(e.tenant.trim())
            .map(|t| t.tenant.id)
            .ok_or_else(|| {
                at.err(format!(
                    "no directory is named {:?} (in the file or the world)",
                    e.tenant
                ))
            })?;
        let sa = self
            .identity(&e.service_admin)
            .map_err(|x| at.err(format!("service_admin: {x}")))?;
        let aa = match &e.account_admin {
            Some(r) => Some(
                self.identity(r)
                    .map_err(|x| at.err(format!("account_admin: {x}")))?,
            ),
            None => None,
        };
        let existing = match e.id {
            Some(id) => self.w.subscription(id),
            None => {
                let mut same = self
                    .w
                    .subscriptions()
                    .filter(|p| p.subscription.display_name == e.display_name);
                let first = same.next();
                if first.is_some() && same.next().is_some() {
                    return Err(at.err(
                        "several subscriptions of the world have this display name: give its id",
                    ));
                }
                first
            }
        };
        if let Some(p) = existing {
            let sub = &p.subscription;
            let email = |i: Identity| self.w.identity_email(i).unwrap_or_default();
            if sub.display_name != e.display_name {
                return Err(at.err(differs("display_name", &sub.display_name, &e.display_name)));
            }
            if sub.tenant != tenant {
                let name = self
                    .w
                    .tenant(sub.tenant)
                    .map(|t| t.tenant.name.clone())
                    .unwrap_or_default();
                return Err(at.err(format!(
                    "exists and trusts the directory {name:?}, but the file says {:?}",
                    e.tenant
                )));
            }
            if sub.service_admin != sa {
                return Err(at.err(differs(
                    "service_admin",
                    email(sub.service_admin),
                    email(sa),
                )));
            }
            if let Some(aa) = aa
                && aa != sub.account_admin
            {
                return Err(at.err(differs(
                    "account_admin",
                    email(sub.account_admin),
                    email(aa),
                )));
            }
            if let Some(st) = e.state
                && st != sub.state
            {
                return Err(at.err(differs("state", sub.state.as_str(), st.as_str())));
            }
            return Ok((sub.id, tenant));
        }
        let (mut change, id) = admins::create_subscription(
            &self.w,
            OP,
            admins::NewSubscription {
                id: e.id,
                display_name: e.display_name.clone(),
                tenant,
                service_admin: sa,
                account_admin: aa,
            },
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        if let Some(st) = e.state {
            for m in &mut change.mutations {
                if let Mutation::PutSubscription(s) = m {
                    s.state = st;
                }
            }
        }
        self.commit(change);
        Ok((id, tenant))
    }

    fn co_admin(
        &mut self,
        sub: SubscriptionId,
        c: &AccountRef,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let identity = self.identity(c).map_err(|x| at.domain(x))?;
        let s = &self
            .w
            .subscription(sub)
            .expect("planned subscription")
            .subscription;
        if s.co_admins.contains(&identity) {
            return Ok(());
        }
        let (change, _) = admins::add_co_admin(
            &self.w,
            OP,
            sub,
            c.email(),
            c.account_type().map(AccountKind::to_domain),
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(())
    }

    fn resource_group(
        &mut self,
        sub: SubscriptionId,
        e: &ResourceGroupEntry,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let part = self.w.subscription(sub).expect("planned subscription");
        if let Some(g) = part.resource_group(&e.name) {
            let location = e.location.trim().to_lowercase().replace(' ', "");
            if g.location != location {
                return Err(at.err(differs("location", &g.location, &e.location)));
            }
            if let Some(t) = &e.tags
                && *t != g.tags
            {
                return Err(at.err(differs("tags", &g.tags, t)));
            }
            if let Some(m) = &e.managed_by
                && Some(m) != g.managed_by.as_ref()
            {
                return Err(at.err(differs("managed_by", &g.managed_by, m)));
            }
            return Ok(());
        }
        let (change, _) = resources::put_resource_group(
            &self.w,
            OP,
            sub,
            e.name.trim(),
            resources::ResourceGroupWrite {
                location: e.location.clone(),
                tags: e.tags.clone(),
                managed_by: e.managed_by.clone(),
            },
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(())
    }

    fn resource(
        &mut self,
        sub: SubscriptionId,
        group: &str,
        e: &ResourceEntry,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let scope =
            resource_scope(sub, group.trim(), &e.resource_type, &e.name).map_err(|m| at.err(m))?;
        let properties = e
            .properties
            .clone()
            .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
        let location = e
            .location
            .as_ref()
            .map(|l| l.to_lowercase().replace(' ', ""));
        let part = self.w.subscription(sub).expect("planned subscription");
        if let Some(r) = part.resources.get(scope.key()) {
            if location.is_some() && r.location != location {
                return Err(at.err(differs("location", &r.location, &e.location)));
            }
            if e.kind.is_some() && r.kind != e.kind {
                return Err(at.err(differs("kind", &r.kind, &e.kind)));
            }
            if let Some(t) = &e.tags
                && *t != r.tags
            {
                return Err(at.err(differs("tags", &r.tags, t)));
            }
            if e.properties.is_some() && r.properties != properties {
                return Err(at.err(format!("exists with other properties: {}", r.properties)));
            }
            return Ok(());
        }
        let (change, _) = resources::put_resource(
            &self.w,
            OP,
            &scope,
            resources::ResourceWrite {
                location: e.location.clone(),
                kind: e.kind.clone(),
                tags: e.tags.clone().unwrap_or_default(),
                properties,
            },
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(())
    }

    fn role_definition(
        &mut self,
        sub: SubscriptionId,
        e: &RoleDefinitionEntry,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let top_level = !(e.actions.is_empty()
            && e.not_actions.is_empty()
            && e.data_actions.is_empty()
            && e.not_data_actions.is_empty());
        if top_level && !e.permissions.is_empty() {
            return Err(at.err(
                "give the actions either at the top level (one permission block) or in permissions, not both",
            ));
        }
        let permissions: Vec<Permission> = if e.permissions.is_empty() {
            vec![Permission {
                actions: e.actions.clone(),
                not_actions: e.not_actions.clone(),
                data_actions: e.data_actions.clone(),
                not_data_actions: e.not_data_actions.clone(),
            }]
        } else {
            e.permissions
                .iter()
                .map(|p| Permission {
                    actions: p.actions.clone(),
                    not_actions: p.not_actions.clone(),
                    data_actions: p.data_actions.clone(),
                    not_data_actions: p.not_data_actions.clone(),
                })
                .collect()
        };
        let mut scopes = Vec::new();
        for s in &e.assignable_scopes {
            let scope = Scope::parse_relative(sub, s).map_err(|x| at.domain(x))?;
            scopes.push(scope.to_string());
        }
        let existing = match e.id {
            Some(id) => self.w.role_definition(sub, id),
            None => self.w.role_definition_by_name(sub, &e.name),
        };
        if let Some(d) = existing {
            if !d.is_custom() {
                return Err(at.err(format!(
                    "{:?} is a built-in role: custom roles need another name and id",
                    d.name
                )));
            }
            if !d.name.eq_ignore_ascii_case(e.name.trim()) {
                return Err(at.err(differs("name", &d.name, &e.name)));
            }
            if d.permissions != permissions {
                return Err(at.err("exists with other actions"));
            }
            if let Some(desc) = &e.description
                && *desc != d.description
            {
                return Err(at.err(differs("description", &d.description, desc)));
            }
            let stated = if scopes.is_empty() {
                vec![Scope::subscription(sub).to_string()]
            } else {
                scopes.clone()
            };
            if !d
                .assignable_scopes
                .iter()
                .map(|s| s.to_lowercase())
                .eq(stated.iter().map(|s| s.to_lowercase()))
            {
                return Err(at.err(differs(
                    "assignable_scopes",
                    &d.assignable_scopes,
                    &e.assignable_scopes,
                )));
            }
            return Ok(());
        }
        if let Some(id) = e.id
            && self
                .w
                .subscriptions()
                .any(|p| p.custom_roles.contains_key(&id))
        {
            return Err(at.err(format!(
                "the role definition id {id} is used in another subscription"
            )));
        }
        let (change, _) = access::put_role_definition(
            &self.w,
            OP,
            access::RoleDefinitionWrite {
                id: e.id.unwrap_or_default(),
                subscription: sub,
                name: e.name.clone(),
                description: e.description.clone().unwrap_or_default(),
                permissions,
                assignable_scopes: scopes,
            },
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(())
    }

    /// One assignment; the error message only (the caller adds where). The rule finds duplicates
    /// through the principal index; only then is the existing assignment looked at.
    fn role_assignment(
        &mut self,
        sub: SubscriptionId,
        tenant: TenantId,
        e: &RoleAssignmentEntry,
    ) -> Result<(), String> {
        if self.cache_sub != Some(sub) {
            self.cache_sub = Some(sub);
            self.scopes.clear();
            self.roles.clear();
        }
        let scope = match self.scopes.get(e.scope.as_str()) {
            Some(s) => s.clone(),
            None => {
                let s = Scope::parse_relative(sub, &e.scope).map_err(|x| x.to_string())?;
                self.scopes.insert(e.scope.clone(), s.clone());
                s
            }
        };
        let role = match self.roles.get(e.role.as_str()) {
            Some(r) => *r,
            None => {
                let r = self
                    .w
                    .role_definition_by_name(sub, &e.role)
                    .map(|r| r.id)
                    .ok_or_else(|| {
                        format!(
                            "no role is named {:?} (built-in: {}; or a custom role of this subscription)",
                            e.role,
                            self.w
                                .built_in_roles()
                                .iter()
                                .map(|r| r.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })?;
                self.roles.insert(e.role.clone(), r);
                r
            }
        };
        let principal = self.principal(tenant, &e.principal)?;
        let same_description = |x: &RoleAssignment| match &e.description {
            Some(d) if Some(d) != x.description.as_ref() => {
                Err(differs("description", &x.description, d))
            }
            _ => Ok(()),
        };
        if let Some(id) = e.id {
            let part = self.w.subscription(sub).expect("planned subscription");
            if let Some(x) = part.assignments.get(&id) {
                if x.principal != principal || x.role_definition != role || x.scope != scope {
                    return Err(format!(
                        "the role assignment id {id} exists with another principal, role or scope"
                    ));
                }
                return same_description(x);
            }
            if self
                .w
                .subscriptions()
                .any(|p| p.assignments.contains_key(&id))
            {
                return Err(format!(
                    "the role assignment id {id} is used in another subscription"
                ));
            }
        }
        let created = access::create_role_assignment(
            &self.w,
            OP,
            access::RoleAssignmentWrite {
                id: e.id.unwrap_or_default(),
                scope: scope.clone(),
                role_definition: role,
                principal,
                description: e.description.clone(),
            },
            self.now,
        );
        match created {
            Ok((change, _)) => {
                self.commit(change);
                Ok(())
            }
            Err(x) if x.code == "RoleAssignmentExists" => {
                let part = self.w.subscription(sub).expect("planned subscription");
                let existing = part
                    .assignments_of(principal)
                    .find(|x| x.role_definition == role && x.scope == scope)
                    .ok_or_else(|| x.to_string())?;
                if let Some(id) = e.id {
                    return Err(format!(
                        "the same role assignment exists with the id {}, but the file says {id}",
                        existing.id
                    ));
                }
                same_description(existing)
            }
            Err(x) => Err(x.to_string()),
        }
    }
}

/// A resource's scope from its group, full type and (for nested types, slash-separated) name.
pub(super) fn resource_scope(
    sub: SubscriptionId,
    group: &str,
    resource_type: &str,
    name: &str,
) -> Result<Scope, String> {
    let mut types = resource_type.trim().split('/');
    let namespace = types.next().unwrap_or_default();
    let types: Vec<&str> = types.collect();
    let names: Vec<&str> = name.trim().split('/').collect();
    if namespace.is_empty() || types.is_empty() || types.len() != names.len() {
        return Err(format!(
            "type {resource_type:?} and name {name:?} do not fit: a type is Namespace/type[/subtype…] with one name per type (nested names are separated by '/')"
        ));
    }
    let path: Vec<String> = types
        .iter()
        .zip(&names)
        .map(|(t, n)| format!("{t}/{n}"))
        .collect();
    Scope::resource(sub, group, namespace, &path.join("/")).map_err(|e| e.to_string())
}

/// A redeemed guest of `part` for `identity`, as the world file describes it (the rule the article's
/// end state needs: no invitation round trip). A pending guest object with the same email is redeemed
/// in place, with its invitation.
fn redeemed_guest(
    world: &World,
    part: &TenantPart,
    identity: Identity,
    e: &GuestEntry,
    now: Timestamp,
) -> Result<Change, String> {
    let email = e.email.trim();
    let pending = part.users.values().find(|u| {
        matches!(&u.kind, UserKind::Guest { state: GuestState::PendingAcceptance, email: m, .. } if m.eq_ignore_ascii_case(email))
    });
    let id = match (pending, e.id) {
        (Some(p), Some(id)) if p.id != id => {
            return Err(format!(
                "a pending guest with this email exists with the id {}, but the file says {id}",
                p.id
            ));
        }
        (Some(p), _) => p.id,
        (None, Some(id)) => {
            if world.tenant_of_object(id).is_some() {
                return Err(format!("an object with the id {id} exists already"));
            }
            id
        }
        (None, None) => ObjectId::new(),
    };
    let home_name = match identity {
        Identity::Personal { account } => world.account(account).map(|a| a.display_name.clone()),
        Identity::Organizational { user, .. } => world.user(user).map(|u| u.display_name.clone()),
    };
    let display_name = e
        .display_name
        .clone()
        .filter(|d| !d.is_empty())
        .or(home_name)
        .unwrap_or_else(|| email.to_string());
    let guest = User {
        id,
        tenant: part.tenant.id,
        display_name,
        enabled: e.enabled.unwrap_or(true),
        kind: UserKind::Guest {
            email: email.to_string(),
            upn: pending
                .map(|p| p.upn().to_string())
                .unwrap_or_else(|| rules::guest_upn(email, &part.tenant)),
            home: Some(identity),
            state: GuestState::Accepted,
        },
        created: pending.map(|p| p.created).unwrap_or(now),
    };
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(OP, now, "microsoft.directory/users/create", guest.upn())
            .tenant(part.tenant.id)
            .details(serde_json::json!({"id": id, "userType": "Guest", "email": email, "redeemed": true})),
    );
    change.push(Mutation::PutUser(guest));
    for inv in part.invitations.values().filter(|i| i.guest == id) {
        let mut done = inv.clone();
        done.status = RequestStatus::Completed;
        change.push(Mutation::PutInvitation(done));
    }
    Ok(change)
}
