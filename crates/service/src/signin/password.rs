//! Checking a username and password, for the password grant and the sign-in pages alike: lockout first,
//! then which account the name means (the domain's rules), then exactly one Argon2id hash per attempt
//! whether or not the account exists, then where the token may be for.

use super::lockout::Attempt;
use super::{SignIn, SignInFailure};
use std::net::IpAddr;
use tenantry_domain::Identity;
use tenantry_domain::signin::{
    AccountKind, Authority, EntraCode, Subject, all_identities, candidates_of_kind, credentials,
    disabled, identity_enabled, locked_out, subject, wrong_password,
};

/// One password sign-in attempt.
pub struct PasswordSignIn<'a> {
    pub authority: Authority,
    pub username: &'a str,
    pub password: &'a str,
    /// The account type picked on a page; `None` for the API.
    pub kind: Option<AccountKind>,
    /// The client's address, for the per-address lockout.
    pub client: Option<IpAddr>,
}

impl SignIn {
    /// Checks a password sign-in and returns the token subject: who signed in, and for which tenant.
    pub async fn check_password(&self, a: PasswordSignIn<'_>) -> Result<Subject, SignInFailure> {
        let attempt = Attempt::new(a.username, a.client);
        let before = self.lock_state(&attempt).await?;
        if before.locked {
            return Err(locked_out().into());
        }
        let resolved = self
            .service()
            .read(|w| candidates_of_kind(w, a.authority, a.username, a.kind));
        let (authority, identities) = match resolved {
            Ok(found) => found,
            // Unknown: still one hash and one counted failure, so the answer comes no faster than a
            // wrong password's and a spray across names is throttled like one across passwords.
            Err(refusal) if refusal.code == EntraCode::UnknownUser => {
                self.spend_dummy_hash(a.password).await;
                self.record_failure(&attempt).await?;
                return Err(refusal.into());
            }
            // Known but not present where asked: said only to whoever knows the password.
            Err(refusal) if refusal.code == EntraCode::UserNotInTenant => {
                let known: Vec<Identity> = self
                    .service()
                    .read(|w| all_identities(w, a.username))
                    .into_iter()
                    .filter(|i| a.kind.is_none_or(|k| kind_of(i) == k))
                    .collect();
                self.verify_any(&attempt, &known, a.password).await?;
                return Err(refusal.into());
            }
            Err(refusal) => return Err(refusal.into()),
        };
        let identity = self.verify_any(&attempt, &identities, a.password).await?;
        self.record_success(&attempt, &before).await?;
        let username = a.username;
        self.service().read(|w| {
            if !identity_enabled(w, identity) {
                return Err(disabled(username).into());
            }
            subject(w, identity, authority).map_err(SignInFailure::from)
        })
    }

    /// The identity among `identities` whose password this is; a failure is counted and answered 50126.
    /// With no identity at all, one dummy hash is spent so that timing does not tell.
    async fn verify_any(
        &self,
        attempt: &Attempt,
        identities: &[Identity],
        password: &str,
    ) -> Result<Identity, SignInFailure> {
        let hashes: Vec<(Identity, String)> = self.service().read(|w| {
            identities
                .iter()
                .filter_map(|i| credentials(w, *i).map(|(h, _)| (*i, h.to_string())))
                .collect()
        });
        if hashes.is_empty() {
            self.spend_dummy_hash(password).await;
        }
        for (identity, hash) in hashes {
            if self.passwords().verify(password, &hash).await {
                return Ok(identity);
            }
        }
        self.record_failure(attempt).await?;
        Err(wrong_password().into())
    }
}

impl SignIn {
    async fn spend_dummy_hash(&self, password: &str) {
        self.passwords().spend(password).await;
    }
}

fn kind_of(identity: &Identity) -> AccountKind {
    match identity {
        Identity::Personal { .. } => AccountKind::Personal,
        Identity::Organizational { .. } => AccountKind::Organizational,
    }
}
