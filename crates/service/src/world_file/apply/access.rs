//! Custom role definitions and role assignments of subscriptions.

use super::*;

/// A custom role's permission blocks: the top-level actions (one block) or `permissions`, not both.
pub(super) fn permissions_of(
    e: &RoleDefinitionEntry,
    at: &At,
) -> Result<Vec<Permission>, WorldFileError> {
    let top_level = !(e.actions.is_empty()
        && e.not_actions.is_empty()
        && e.data_actions.is_empty()
        && e.not_data_actions.is_empty());
    if top_level && !e.permissions.is_empty() {
        return Err(at.err(
                "give the actions either at the top level (one permission block) or in permissions, not both",
            ));
    }
    Ok(if e.permissions.is_empty() {
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
    })
}

/// A custom role the world holds already must be the one the file states.
pub(super) fn same_definition(
    d: &RoleDefinition,
    e: &RoleDefinitionEntry,
    permissions: &[Permission],
    stated: &[String],
    at: &At,
) -> Result<(), WorldFileError> {
    if !d.is_custom() {
        return Err(at.err(format!(
            "{:?} is a built-in role: custom roles need another name and id",
            d.name
        )));
    }
    if !d.name.eq_ignore_ascii_case(typed(&e.name)) {
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
    Ok(())
}

impl Planner<'_> {
    pub(super) fn role_definition(
        &mut self,
        sub: SubscriptionId,
        e: &RoleDefinitionEntry,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let permissions = permissions_of(e, at)?;
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
            let stated = if scopes.is_empty() {
                vec![Scope::subscription(sub).to_string()]
            } else {
                scopes
            };
            return same_definition(d, e, &permissions, &stated, at);
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
        let (change, _) = rules::access::put_role_definition(
            &self.w,
            OP,
            rules::access::RoleDefinitionWrite {
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
    pub(super) fn role_assignment(
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
        let principal = match identities::identity_key(&e.principal) {
            Some((group, name)) => identities::identity_scope(sub, group, name)
                .ok()
                .and_then(|scope| self.w.managed_identity(&scope))
                .map(|p| p.id)
                .ok_or_else(|| {
                    format!(
                        "no user-assigned identity of the subscription is named {name:?} in the resource group {group:?} (identities: [[subscriptions.identities]])"
                    )
                })?,
            None => self.principal(tenant, &e.principal)?,
        };
        let same_description = |x: &RoleAssignment| match &e.description {
            Some(d) if Some(d) != x.description.as_ref() => {
                Err(differs("description", &x.description, d))
            }
            _ => Ok(()),
        };
        if let Some(id) = e.id {
            let part = planned_subscription(&self.w, sub).map_err(|e| e.message)?;
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
        // Decided by the rule ARM's PUT runs; told by one audit event for the subscription's
        // assignments (`assignments_done`) rather than one each.
        let decided = rules::access::decide_role_assignment(
            &self.w,
            OP,
            rules::access::RoleAssignmentWrite {
                id: e.id.unwrap_or_default(),
                scope: scope.clone(),
                role_definition: role,
                principal,
                description: e.description.clone(),
                principal_type: None,
            },
            self.now,
        );
        match decided {
            Ok(put) => {
                let change = self.created_assignments.entry(sub).or_default().create(put);
                self.commit(change);
                Ok(())
            }
            Err(x) if x.code == "RoleAssignmentExists" => {
                let part = planned_subscription(&self.w, sub).map_err(|e| e.message)?;
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

impl Planner<'_> {
    /// The one audit event for the role assignments the file created in subscription `sub`, after
    /// its last one (why one: `rules::access::BulkAssignments`).
    pub(super) fn assignments_done(&mut self, sub: SubscriptionId) {
        if let Some(created) = self.created_assignments.remove(&sub) {
            let change = created.told(&self.w, OP, sub, self.file_digest, self.now);
            self.commit(change);
        }
    }
}
