//! Tenants' subscription policies, their exempted principals named as the file names them.

use super::*;

impl Planner<'_> {
    pub(super) fn policies(&mut self) -> Result<(), WorldFileError> {
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
            let current = &planned_tenant(&self.w, tenant)?.tenant.policy;
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
}
