//! Directory role memberships (Global Administrator, …) of members, guests, applications and
//! role-assignable groups.

use super::*;

impl Planner<'_> {
    pub(super) fn directory_roles(&mut self) -> Result<(), WorldFileError> {
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
                )
                .chain(
                    t.groups
                        .iter()
                        .zip(&self.tenants[i].groups)
                        .map(|(g, o)| ("groups", &g.directory_roles, *o)),
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
                let part = planned_tenant(&self.w, tenant)?;
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
}
