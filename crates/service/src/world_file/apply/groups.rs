//! Security groups of tenants: every group of the file first, so that members may name groups defined
//! further down (`group:NAME`), then their members and owners, group by group, each group's new members
//! in one batch. A member the rules refuse (unknown, a cycle, a group in a role-assignable group) is
//! reported at its own line.

use super::*;
use tenantry_domain::rules::groups::{self as group_rules, NewGroup};

impl Planner<'_> {
    pub(super) fn groups(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        for (i, t) in file.tenants.iter().enumerate() {
            let tenant = self.tenants[i].id;
            for (j, g) in t.groups.iter().enumerate() {
                let at = at(
                    g,
                    format!(
                        "tenants[{i}].groups[{j}] (display_name {:?})",
                        g.display_name
                    ),
                );
                let id = self.group(tenant, g, &at)?;
                self.tenants[i].groups.push(id);
                self.tick();
            }
        }
        for (i, t) in file.tenants.iter().enumerate() {
            let tenant = self.tenants[i].id;
            for (j, g) in t.groups.iter().enumerate() {
                let group = self.tenants[i].groups[j];
                let entry = format!("tenants[{i}].groups[{j}]");
                self.group_members(tenant, group, g, &entry)?;
                self.group_owners(tenant, group, g, &entry)?;
            }
        }
        Ok(())
    }

    /// The group an entry names, created when missing; its stated properties must match otherwise.
    fn group(
        &mut self,
        tenant: TenantId,
        e: &GroupEntry,
        at: &At,
    ) -> Result<ObjectId, WorldFileError> {
        let part = planned_tenant(&self.w, tenant)?;
        let existing = match e.id.and_then(|id| part.group(id)) {
            Some(g) => Some(g),
            None => part.group_by_name(&e.display_name),
        };
        if let Some(g) = existing {
            if g.display_name != e.display_name.trim() {
                return Err(at.err(differs("display_name", &g.display_name, &e.display_name)));
            }
            if let Some(id) = e.id
                && id != g.id
            {
                return Err(at.err(differs("id", g.id.to_string(), id.to_string())));
            }
            if let Some(d) = &e.description
                && Some(d) != g.description.as_ref()
            {
                return Err(at.err(differs("description", &g.description, d)));
            }
            if let Some(n) = &e.mail_nickname
                && *n != g.mail_nickname
            {
                return Err(at.err(differs("mail_nickname", &g.mail_nickname, n)));
            }
            if let Some(s) = e.security_enabled
                && s != g.security_enabled
            {
                return Err(at.err(differs("security_enabled", g.security_enabled, s)));
            }
            if let Some(r) = e.role_assignable
                && r != g.role_assignable
            {
                return Err(at.err(differs("role_assignable", g.role_assignable, r)));
            }
            return Ok(g.id);
        }
        let (change, id) = group_rules::create_group(
            &self.w,
            OP,
            tenant,
            NewGroup {
                id: e.id,
                display_name: e.display_name.clone(),
                description: e.description.clone(),
                mail_nickname: e.mail_nickname.clone(),
                security_enabled: e.security_enabled.unwrap_or(true),
                role_assignable: e.role_assignable.unwrap_or(false),
                members: vec![],
                owners: vec![],
            },
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(id)
    }

    /// The principals a list of the entry names, each with where it is written.
    fn named(
        &mut self,
        tenant: TenantId,
        list: &[Located<String>],
        what: &str,
    ) -> Result<Vec<(ObjectId, At)>, WorldFileError> {
        let mut out = Vec::with_capacity(list.len());
        for (k, key) in list.iter().enumerate() {
            let at = at(key, format!("{what}[{k}] ({:?})", key.value));
            let object = self.principal(tenant, key).map_err(|x| at.err(x))?;
            out.push((object, at));
        }
        Ok(out)
    }

    /// The members the entry names and the group lacks, added in one change.
    fn group_members(
        &mut self,
        tenant: TenantId,
        group: ObjectId,
        e: &GroupEntry,
        entry: &str,
    ) -> Result<(), WorldFileError> {
        let named = self.named(tenant, &e.members, &format!("{entry}.members"))?;
        let part = planned_tenant(&self.w, tenant)?;
        let mut wanted: Vec<(ObjectId, At)> = Vec::with_capacity(named.len());
        let mut seen = HashSet::with_capacity(named.len());
        for (object, at) in named {
            if !part.is_group_member(group, object) && seen.insert(object) {
                wanted.push((object, at));
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let ids: Vec<ObjectId> = wanted.iter().map(|(o, _)| *o).collect();
        let now = self.now;
        let add = |w: &World, ids: &[ObjectId]| {
            group_rules::add_group_members(w, OP, tenant, group, ids, now)
        };
        match add(&self.w, &ids) {
            Ok(change) => {
                self.commit(change);
                Ok(())
            }
            // Refused as a whole: the first member refused alone is the one to name.
            Err(all) => Err(wanted
                .iter()
                .find_map(|(object, at)| add(&self.w, &[*object]).err().map(|x| at.domain(x)))
                .unwrap_or_else(|| WorldFileError::new(None, entry, all.to_string()))),
        }
    }

    fn group_owners(
        &mut self,
        tenant: TenantId,
        group: ObjectId,
        e: &GroupEntry,
        entry: &str,
    ) -> Result<(), WorldFileError> {
        for (object, at) in self.named(tenant, &e.owners, &format!("{entry}.owners"))? {
            if planned_tenant(&self.w, tenant)?.is_group_owner(group, object) {
                continue;
            }
            let change = group_rules::add_group_owner(&self.w, OP, tenant, group, object, self.now)
                .map_err(|x| at.domain(x))?;
            self.commit(change);
        }
        Ok(())
    }
}
