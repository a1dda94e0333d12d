//! `[[tenants.custom_roles]]`: custom roles at home in a management group of the tenant, after its
//! groups exist and before the assignments at groups that may name them. One that exists must be as
//! the file states it.

use super::access::{permissions_of, same_definition};
use super::*;
use tenantry_domain::rules::group_roles::{self, GroupRoleDefinitionWrite};
use tenantry_domain::rules::hierarchy::group_id;

/// An assignable scope as the file writes it: a group by name, or an absolute scope.
fn absolute(scope: &str) -> String {
    let scope = typed(scope);
    if scope.starts_with('/') {
        scope.to_string()
    } else {
        group_id(scope)
    }
}

impl Planner<'_> {
    pub(super) fn tenant_custom_roles(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        for (i, t) in file.tenants.iter().enumerate() {
            let tenant = self.tenants[i].id;
            for (j, e) in t.custom_roles.iter().enumerate() {
                let at = at(
                    e,
                    format!("tenants[{i}].custom_roles[{j}] (name {:?})", e.name),
                );
                self.tenant_custom_role(tenant, e, &at)?;
                self.tick();
            }
        }
        Ok(())
    }

    fn tenant_custom_role(
        &mut self,
        tenant: TenantId,
        e: &RoleDefinitionEntry,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let permissions = permissions_of(e, at)?;
        let scopes: Vec<String> = e.assignable_scopes.iter().map(|s| absolute(s)).collect();
        let part = planned_tenant(&self.w, tenant)?;
        let existing = match e.id {
            Some(id) => part.custom_roles.get(&id),
            None => part
                .custom_roles
                .values()
                .find(|d| d.name.eq_ignore_ascii_case(typed(&e.name))),
        };
        if let Some(d) = existing {
            // The world writes the group by its name as stored; compare the file's as the rule would.
            let stated: Vec<String> = scopes
                .iter()
                .map(|s| match management_group_of_scope(s) {
                    Some(g) => part
                        .management_group(g)
                        .map_or_else(|| s.clone(), |found| group_id(&found.name)),
                    None => Scope::parse(s).map_or_else(|_| s.clone(), |p| p.to_string()),
                })
                .collect();
            return same_definition(d, e, &permissions, &stated, at);
        }
        let write = GroupRoleDefinitionWrite {
            id: e.id.unwrap_or_default(),
            tenant: Some(tenant),
            at_group: None,
            name: e.name.clone(),
            description: e.description.clone().unwrap_or_default(),
            permissions,
            assignable_scopes: scopes,
        };
        let (change, _) = group_roles::put_group_role_definition(&self.w, OP, write, self.now)
            .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(())
    }
}
