//! A subscription's (or a resource group's) resources with their managed identities: each resource's
//! system-assigned principal and the user-assigned identities assigned to it (linked to the identity
//! they are), and the user-assigned identities themselves with their principal and client ids. What is
//! listed is what the caller may read (`rules::reads::identities`).

use super::pages::*;
use super::session::SignedIn;
use super::subscriptions::act_for_subscription;
use super::{PortalResult, parse_id, paths};
use axum::extract::Path;
use tenantry_service::domain::rules::identities::ResourceView;
use tenantry_service::domain::rules::{self, reads};
use tenantry_service::domain::*;

pub async fn sub_page(signed: SignedIn, Path(sub): Path<String>) -> PortalResult {
    show(signed, &sub, None).await
}

pub async fn rg_page(signed: SignedIn, Path((sub, rg)): Path<(String, String)>) -> PortalResult {
    show(signed, &sub, Some(&rg)).await
}

/// A resource's name and type, from its id.
fn named(scope: &Scope) -> (String, String) {
    scope
        .resource_type()
        .map(|(ty, name)| (name, ty))
        .unwrap_or_else(|| (scope.to_string(), String::new()))
}

/// Where the page lists a user-assigned identity (its row's anchor), when it lists it.
fn anchor(identities: &[ResourceView], scope: &Scope) -> Option<String> {
    identities
        .iter()
        .position(|i| i.resource.scope.key() == scope.key())
        .map(|n| format!("identity-{n}"))
}

async fn show(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    sub: &str,
    rg: Option<&str>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(sub, "subscription id")?;
    if let Some(g) = rg {
        scope::validate_resource_group_name(g)?;
    }
    let here = match rg {
        Some(g) => paths::resource_group_resources(id, g),
        None => paths::subscription(id, "resources"),
    };
    let actor = act_for_subscription(&mut ctx, id, actor);
    let shown = ctx
        .state
        .svc
        .read(|w| -> Result<ResourcesPage, DomainError> {
            let s = reads::subscription_identities(w, &actor, id, rg)?;
            let read_only = w
                .subscription(id)
                .is_some_and(|p| reads::subscription_actions(w, &actor, p).read_only);
            let mut tags = Vec::new();
            if let Some(g) = rg.and_then(|g| reads::get_resource_group(w, &actor, id, g).ok()) {
                let scope = Scope::resource_group(id, &g.name);
                tags.push(TagsBox::new(
                    id,
                    &scope,
                    "tags-0".into(),
                    g.name.clone(),
                    &g.tags,
                    rules::tags::may_write_tags(w, &actor, &scope),
                ));
            }
            for v in s.resources.iter().chain(&s.identities) {
                let (name, kind) = named(&v.resource.scope);
                tags.push(TagsBox::new(
                    id,
                    &v.resource.scope,
                    format!("tags-{}", tags.len()),
                    format!("{name} ({kind})"),
                    &v.resource.tags,
                    rules::tags::may_write_tags(w, &actor, &v.resource.scope),
                ));
            }
            let group_of =
                |scope: &Scope| scope.resource_group_name().unwrap_or_default().to_string();
            let resources = s
                .resources
                .iter()
                .map(|v| {
                    let (name, kind) = named(&v.resource.scope);
                    let identity = v.identity.as_ref();
                    ResourceRow {
                        name,
                        kind,
                        group: group_of(&v.resource.scope),
                        identity_type: identity.map_or("None", |i| i.type_name).to_string(),
                        system_assigned: identity
                            .and_then(|i| i.system_assigned.as_ref())
                            .map(|p| p.principal_id.to_string()),
                        user_assigned: identity
                            .map(|i| {
                                i.user_assigned
                                    .iter()
                                    .map(|(scope, principal)| AssignedIdentityRow {
                                        name: named(scope).0,
                                        href: anchor(&s.identities, scope).map(|a| format!("#{a}")),
                                        principal_id: principal
                                            .as_ref()
                                            .map(|p| p.principal_id.to_string()),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        tags: tags_line(&v.resource.tags),
                    }
                })
                .collect();
            let identities = s
                .identities
                .iter()
                .enumerate()
                .map(|(n, v)| UserAssignedIdentityRow {
                    anchor: format!("identity-{n}"),
                    name: named(&v.resource.scope).0,
                    group: group_of(&v.resource.scope),
                    principal_id: v
                        .own_principal
                        .as_ref()
                        .map(|p| p.principal_id.to_string())
                        .unwrap_or_default(),
                    client_id: v
                        .own_principal
                        .as_ref()
                        .map(|p| p.client_id.to_string())
                        .unwrap_or_default(),
                    assigned_to: s
                        .resources
                        .iter()
                        .filter(|r| {
                            r.identity.as_ref().is_some_and(|i| {
                                i.user_assigned
                                    .iter()
                                    .any(|(u, _)| u.key() == v.resource.scope.key())
                            })
                        })
                        .map(|r| named(&r.resource.scope).0)
                        .collect::<Vec<_>>()
                        .join(", "),
                })
                .collect();
            Ok(ResourcesPage {
                chrome: Chrome::bare(),
                tabs: subscription_tabs_for(w, &actor, id, "resources"),
                name: s.subscription.display_name.clone(),
                group: rg.map(str::to_string),
                resources,
                identities,
                read_only,
                tags,
            })
        });
    ctx.show("home", &here, shown).await
}
