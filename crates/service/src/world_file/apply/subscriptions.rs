//! Subscriptions: their trusted tenant, administrators, resource groups and resources.

use super::*;

impl Planner<'_> {
    pub(super) fn subscriptions(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        let mut names = HashSet::new();
        for (i, s) in file.subscriptions.iter().enumerate() {
            if s.id.is_none() && !names.insert(typed(&s.display_name).to_lowercase()) {
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
            }
            for (j, e) in s.identities.iter().enumerate() {
                let at_e = at(
                    e,
                    format!(
                        "subscriptions[{i}].identities[{j}] (name {:?}, resource_group {:?})",
                        e.name, e.resource_group
                    ),
                );
                self.managed_identity(sub, e, &at_e)?;
                self.tick();
            }
            // After the identities, which their identity blocks may name.
            for (j, g) in s.resource_groups.iter().enumerate() {
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
            self.assignments_done(sub);
        }
        Ok(())
    }

    pub(super) fn identity(&self, r: &AccountRef) -> Result<Identity, DomainError> {
        rules::resolve_identity(
            &self.w,
            r.email(),
            r.account_type().map(AccountKind::to_domain),
        )
    }

    pub(super) fn subscription(
        &mut self,
        e: &SubscriptionEntry,
        at: &At,
    ) -> Result<(SubscriptionId, TenantId), WorldFileError> {
        let tenant = self
            .w
            .find_tenant(typed(&e.tenant))
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
            if let Some(t) = &e.tags
                && *t != sub.tags
            {
                return Err(at.err(differs("tags", &sub.tags, t)));
            }
            if let Some(n) = &e.tag_names
                && *n != sub.tag_names
            {
                return Err(at.err(differs("tag_names", &sub.tag_names, n)));
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
        let tags = match &e.tags {
            Some(t) => Some(tenantry_domain::tags::validated(t.clone()).map_err(|x| at.domain(x))?),
            None => None,
        };
        let tag_names = match &e.tag_names {
            Some(n) => {
                Some(tenantry_domain::tags::validated_names(n.clone()).map_err(|x| at.domain(x))?)
            }
            None => None,
        };
        for m in &mut change.mutations {
            if let Mutation::PutSubscription(s) = m {
                if let Some(st) = e.state {
                    s.state = st;
                }
                if let Some(t) = &tags {
                    s.tags = t.clone();
                }
                if let Some(n) = &tag_names {
                    s.tag_names = n.clone();
                }
            }
        }
        // The file states where its subscriptions are (`[[tenants.management_groups]]`): one it makes
        // starts under the root, as on an empty world, not where the hierarchy settings land new ones.
        change
            .mutations
            .retain(|m| !matches!(m, Mutation::PlaceSubscription { .. }));
        self.commit(change);
        Ok((id, tenant))
    }

    pub(super) fn co_admin(
        &mut self,
        sub: SubscriptionId,
        c: &AccountRef,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let identity = self.identity(c).map_err(|x| at.domain(x))?;
        let s = &planned_subscription(&self.w, sub)?.subscription;
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

    pub(super) fn resource_group(
        &mut self,
        sub: SubscriptionId,
        e: &ResourceGroupEntry,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let part = planned_subscription(&self.w, sub)?;
        if let Some(g) = part.resource_group(&e.name) {
            let location = typed(&e.location).to_lowercase().replace(' ', "");
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
            typed(&e.name),
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

    pub(super) fn resource(
        &mut self,
        sub: SubscriptionId,
        group: &str,
        e: &ResourceEntry,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let scope =
            resource_scope(sub, typed(group), &e.resource_type, &e.name).map_err(|m| at.err(m))?;
        let properties = e
            .properties
            .clone()
            .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
        let location = e
            .location
            .as_ref()
            .map(|l| l.to_lowercase().replace(' ', ""));
        let identity = match &e.identity {
            Some(i) => Some(identity_write(sub, i).map_err(|m| at.err(m))?),
            None => None,
        };
        let part = planned_subscription(&self.w, sub)?;
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
            if let Some(i) = &e.identity {
                self.same_identity(r, i, &identity).map_err(|m| at.err(m))?;
            }
            return Ok(());
        }
        let (change, _) = resources::put_resource(
            &self.w,
            OP,
            &scope,
            resources::ResourceWrite {
                identity,
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
}

impl Planner<'_> {
    /// An existing resource's identities against what the file states: the same type, the same
    /// user-assigned identities, and the system-assigned principal's ids when given.
    fn same_identity(
        &self,
        r: &Resource,
        e: &ResourceIdentityEntry,
        stated: &Option<identities::IdentityWrite>,
    ) -> Result<(), String> {
        let has = r.identity.clone().unwrap_or_default();
        let words = |t: &str| {
            let mut w: Vec<String> = t
                .split(',')
                .map(|x| x.trim().to_lowercase())
                .filter(|x| !x.is_empty() && x != "none")
                .collect();
            w.sort();
            w
        };
        if words(has.type_name()) != words(&e.type_name) {
            return Err(differs("identity type", has.type_name(), &e.type_name));
        }
        let mut theirs: Vec<String> = has
            .user_assigned
            .iter()
            .map(|s| s.key().to_string())
            .collect();
        let mut ours: Vec<String> = stated
            .as_ref()
            .map(|i| i.user_assigned.iter().map(|s| s.to_lowercase()).collect())
            .unwrap_or_default();
        theirs.sort();
        ours.sort();
        if theirs != ours {
            return Err(differs("user-assigned identities", theirs, ours));
        }
        let p = self.w.managed_identity(&r.scope);
        if let Some(id) = e.principal_id
            && p.map(|p| p.id) != Some(id)
        {
            return Err(differs("identity principal_id", p.map(|p| p.id), id));
        }
        if let Some(c) = e.client_id
            && p.map(|p| p.client_id) != Some(c)
        {
            return Err(differs("identity client_id", p.map(|p| p.client_id), c));
        }
        Ok(())
    }

    /// A user-assigned identity: created with its service principal, or checked against the one that
    /// exists (location, tags, ids).
    pub(super) fn managed_identity(
        &mut self,
        sub: SubscriptionId,
        e: &IdentityEntry,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let part = planned_subscription(&self.w, sub)?;
        let group = part
            .resource_group(typed(&e.resource_group))
            .ok_or_else(|| {
                at.err(format!(
                    "no resource group of the subscription is named {:?}",
                    e.resource_group
                ))
            })?;
        let scope = identities::identity_scope(sub, &group.name, typed(&e.name))
            .map_err(|x| at.domain(x))?;
        let location = e
            .location
            .as_deref()
            .map(|l| typed(l).to_lowercase().replace(' ', ""))
            .unwrap_or_else(|| group.location.clone());
        if let Some(r) = part.resources.get(scope.key()) {
            if r.location.as_deref() != Some(location.as_str()) {
                return Err(at.err(differs("location", &r.location, &location)));
            }
            if let Some(t) = &e.tags
                && *t != r.tags
            {
                return Err(at.err(differs("tags", &r.tags, t)));
            }
            let p = self.w.managed_identity(&scope);
            if let Some(id) = e.principal_id
                && p.map(|p| p.id) != Some(id)
            {
                return Err(at.err(differs("principal_id", p.map(|p| p.id), id)));
            }
            if let Some(c) = e.client_id
                && p.map(|p| p.client_id) != Some(c)
            {
                return Err(at.err(differs("client_id", p.map(|p| p.client_id), c)));
            }
            return Ok(());
        }
        let (change, _) = identities::put_user_assigned_identity(
            &self.w,
            OP,
            &scope,
            identities::UserAssignedIdentityWrite {
                location: Some(location),
                tags: e.tags.clone().unwrap_or_default(),
                properties: serde_json::Value::Object(Default::default()),
                principal_id: e.principal_id,
                client_id: e.client_id,
            },
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(())
    }
}

/// A resource's identity block as the rules take it: `identity:RG/NAME` names a user-assigned identity
/// of the subscription.
fn identity_write(
    sub: SubscriptionId,
    e: &ResourceIdentityEntry,
) -> Result<identities::IdentityWrite, String> {
    let user_assigned = e
        .user_assigned
        .iter()
        .map(|u| match identities::identity_key(u) {
            Some((group, name)) => identities::identity_scope(sub, group, name)
                .map(|s| s.to_string())
                .map_err(|x| x.to_string()),
            None => Ok(typed(u).to_string()),
        })
        .collect::<Result<_, _>>()?;
    Ok(identities::IdentityWrite {
        type_name: e.type_name.clone(),
        user_assigned,
        principal_id: e.principal_id,
        client_id: e.client_id,
    })
}

/// A resource's scope from its group, full type and (for nested types, slash-separated) name.
pub(crate) fn resource_scope(
    sub: SubscriptionId,
    group: &str,
    resource_type: &str,
    name: &str,
) -> Result<Scope, String> {
    let mut types = typed(resource_type).split('/');
    let namespace = types.next().unwrap_or_default();
    let types: Vec<&str> = types.collect();
    let names: Vec<&str> = typed(name).split('/').collect();
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
