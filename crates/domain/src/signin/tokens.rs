//! Tokens: how long each kind lives, and who a verified access token speaks for as the world is now.

use super::authority::identity_enabled;
use crate::ids::*;
use crate::world::World;

/// How long access and id tokens live (Entra's default: one hour; `expires_in` says 3599).
pub const ACCESS_TOKEN_LIFETIME: i64 = 3600;
/// How long a refresh token lives without being used (Entra: 90 days, sliding).
pub const REFRESH_TOKEN_LIFETIME: i64 = 90 * 24 * 3600;
/// How long an authorization code may wait for redemption (Entra: 10 minutes).
pub const AUTH_CODE_LIFETIME: i64 = 600;

/// The principal an access token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPrincipal {
    App {
        tenant: uuid::Uuid,
        object: uuid::Uuid,
        client_id: uuid::Uuid,
    },
    User {
        tenant: uuid::Uuid,
        object: uuid::Uuid,
    },
}

/// The actor behind a token, as the world is now: `None` when the principal vanished, was disabled, or is
/// no longer present in the token's tenant (a token outlives none of these).
pub fn token_actor(world: &World, principal: TokenPrincipal) -> Option<crate::Actor> {
    match principal {
        TokenPrincipal::App {
            tenant,
            object,
            client_id,
        } => {
            let app = world
                .application_by_client_id(client_id)
                .filter(|a| a.tenant.0 == tenant && a.id.0 == object)?;
            Some(crate::Actor::Application {
                tenant: app.tenant,
                object: app.id,
                client_id,
                name: app.display_name.clone(),
            })
        }
        TokenPrincipal::User { tenant, object } if tenant == CONSUMERS_TENANT => {
            let account = world.account(AccountId(object)).filter(|a| a.enabled)?;
            Some(crate::Actor::Personal {
                account: account.id,
                email: account.email.clone(),
            })
        }
        TokenPrincipal::User { tenant, object } => {
            let user = world
                .user(ObjectId(object))
                .filter(|u| u.tenant.0 == tenant && u.enabled && u.is_present())?;
            let identity = user.identity().filter(|i| identity_enabled(world, *i))?;
            Some(crate::Actor::User {
                tenant: user.tenant,
                object: user.id,
                identity,
                name: world
                    .identity_email(identity)
                    .unwrap_or_else(|| user.upn().to_string()),
            })
        }
    }
}

/// The directory role template ids (`wids`) of an object in a tenant, its own and those it holds through
/// a role-assignable group.
pub fn directory_role_ids(world: &World, tenant: TenantId, object: ObjectId) -> Vec<String> {
    world
        .tenant(tenant)
        .map(|t| {
            t.effective_roles_of(object)
                .iter()
                .map(|r| r.template_id().to_string())
                .collect()
        })
        .unwrap_or_default()
}
