//! Personal accounts: created with their password, or found as the file states them.

use super::*;

impl Planner<'_> {
    pub(super) fn personal_accounts(&mut self) -> Result<(), WorldFileError> {
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
}
