//! What OpenID Connect's userinfo endpoint says of the person a token for Microsoft Graph was issued to
//! (Entra serves it from Graph's `/oidc/userinfo`): their name, given name and surname when known, and
//! their email when the token was granted `email`. It answers tokens granted `openid` only. The `sub`
//! is the token's own (pairwise, as the id token's for the same client).

use crate::actor::Actor;
use crate::error::DomainError;
use crate::world::World;

/// The person's claims, as userinfo gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    /// Members' `mail`, a guest's invited email, a personal account's email, when the token was
    /// granted `email`; none for a member without a mail (as Entra leaves the claim out).
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
}

/// The claims of the user (or personal account) that `actor` is, for a token whose `scp` is `scp`.
/// Refused unless the token was granted `openid`, which an application's token never is.
pub fn userinfo(world: &World, actor: &Actor, scp: Option<&str>) -> Result<UserInfo, DomainError> {
    if !granted(scp, "openid") {
        return Err(without_openid());
    }
    let email = granted(scp, "email");
    match actor {
        Actor::User { tenant, object, .. } => {
            let u = world
                .tenant(*tenant)
                .and_then(|p| p.users.get(object))
                .ok_or_else(without_openid)?;
            Ok(UserInfo {
                name: u.display_name.clone(),
                email: u.mail().filter(|_| email).map(str::to_string),
                given_name: u.given_name.clone(),
                family_name: u.surname.clone(),
            })
        }
        Actor::Personal { account, .. } => {
            let a = world.account(*account).ok_or_else(without_openid)?;
            Ok(UserInfo {
                name: a.display_name.clone(),
                email: Some(a.email.clone()).filter(|_| email),
                given_name: None,
                family_name: None,
            })
        }
        Actor::Application { .. } | Actor::Operator => Err(without_openid()),
    }
}

/// Whether a token's `scp` names the scope `name`.
pub fn granted(scp: Option<&str>, name: &str) -> bool {
    scp.is_some_and(|s| s.split(' ').any(|p| p.eq_ignore_ascii_case(name)))
}

fn without_openid() -> DomainError {
    DomainError::forbidden(
        "UserInfoNeedsOpenId",
        "The access token was not granted the 'openid' scope for a user, so the userinfo endpoint has nothing to say to it.",
    )
    .with_remedy(
        "Sign the user in with the scope 'openid' (and 'email' for their email), and send the access token for Microsoft Graph that comes with it.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ObjectId, TenantId};

    #[test]
    fn only_tokens_granted_openid_for_a_person_are_answered() {
        assert!(granted(Some("User.Read openid email"), "openid"));
        assert!(granted(Some("User.Read OpenID"), "openid"));
        assert!(!granted(Some("User.Read openidx"), "openid"));
        assert!(!granted(None, "openid"));
        let world = World::new();
        let app = Actor::Application {
            tenant: TenantId::new(),
            object: ObjectId::new(),
            client_id: uuid::Uuid::new_v4(),
            name: "ci".into(),
        };
        for (actor, scp) in [(&app, Some("openid")), (&Actor::Operator, None)] {
            let e = userinfo(&world, actor, scp).unwrap_err();
            assert_eq!(e.code, "UserInfoNeedsOpenId");
        }
    }
}
