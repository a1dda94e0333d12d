//! Endpoint secrets and the identity a managed-identity token request names: who may issue a secret
//! (whoever may write the resource), what it is bound to, what takes it away, and which identity each
//! selector picks (none: the system-assigned one, or the only user-assigned one).

use crate::fixtures::*;
use tenantry_domain::rules::identities::IdentityWrite;
use tenantry_domain::rules::identity_endpoint::{
    ISSUE_ENDPOINT_SECRET, issue_endpoint_secret, revoke_endpoint_secrets,
};
use tenantry_domain::rules::resources::{self, ResourceWrite};
use tenantry_domain::signin::managed_identity::{
    IdentityEndpointRefusal, IdentitySelector, endpoint_secret_resource, select_identity,
};
use tenantry_domain::*;

fn site(fx: &Fx, name: &str) -> Scope {
    Scope::resource(fx.sub, "rg1", "Microsoft.Web", &format!("sites/{name}")).unwrap()
}

fn write(type_name: Option<&str>, user_assigned: &[&Scope]) -> ResourceWrite {
    ResourceWrite {
        identity: type_name.map(|t| IdentityWrite {
            type_name: t.into(),
            user_assigned: user_assigned.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }),
        location: Some("westeurope".into()),
        kind: None,
        tags: Default::default(),
        properties: serde_json::json!({}),
    }
}

fn put(fx: &mut Fx, scope: &Scope, w: ResourceWrite) {
    let (change, _) =
        resources::put_resource(&fx.world, &Actor::Operator, scope, w, fx.now).unwrap();
    apply(&mut fx.world, &change);
}

fn user_assigned(fx: &mut Fx, name: &str) -> Scope {
    let scope = Scope::resource(
        fx.sub,
        "rg1",
        "Microsoft.ManagedIdentity",
        &format!("userAssignedIdentities/{name}"),
    )
    .unwrap();
    put(fx, &scope, write(None, &[]));
    scope
}

fn secret(hash: &str) -> IdentityEndpointSecret {
    IdentityEndpointSecret {
        id: RequestId::new(),
        hash: hash.into(),
        created: 0,
    }
}

fn resource<'w>(fx: &'w Fx, scope: &Scope) -> &'w Resource {
    &fx.world.subscription(fx.sub).unwrap().resources[scope.key()]
}

fn picked(
    fx: &Fx,
    scope: &Scope,
    sel: Option<IdentitySelector>,
) -> Result<ObjectId, IdentityEndpointRefusal> {
    select_identity(&fx.world, resource(fx, scope), sel.as_ref()).map(|a| a.id)
}

#[test]
fn each_selector_picks_one_of_the_resources_identities_and_no_selector_picks_as_azure_does() {
    let mut fx = Fx::article();
    let a = user_assigned(&mut fx, "id-a");
    let b = user_assigned(&mut fx, "id-b");
    let (site1, site2, site3, plain) = (
        site(&fx, "s1"),
        site(&fx, "s2"),
        site(&fx, "s3"),
        site(&fx, "plain"),
    );
    put(
        &mut fx,
        &site1,
        write(Some("SystemAssigned, UserAssigned"), &[&a]),
    );
    put(&mut fx, &site2, write(Some("UserAssigned"), &[&a, &b]));
    put(&mut fx, &site3, write(Some("UserAssigned"), &[&b]));
    put(&mut fx, &plain, write(None, &[]));
    let principal = |s: &Scope| fx.world.managed_identity(s).unwrap().clone();
    let (system, pa, pb) = (principal(&site1), principal(&a), principal(&b));

    assert_eq!(picked(&fx, &site1, None), Ok(system.id));
    assert_eq!(picked(&fx, &site3, None), Ok(pb.id));
    assert_eq!(
        picked(&fx, &site2, None),
        Err(IdentityEndpointRefusal::SeveralIdentities)
    );
    assert_eq!(
        picked(&fx, &plain, None),
        Err(IdentityEndpointRefusal::NoIdentity)
    );
    for sel in [
        IdentitySelector::ClientId(pa.client_id.to_string().to_uppercase()),
        IdentitySelector::ObjectId(pa.id.to_string()),
        IdentitySelector::ResourceId(a.to_string().to_lowercase()),
    ] {
        assert_eq!(picked(&fx, &site1, Some(sel.clone())), Ok(pa.id), "{sel:?}");
        assert_eq!(picked(&fx, &site2, Some(sel.clone())), Ok(pa.id), "{sel:?}");
        assert_eq!(
            picked(&fx, &site3, Some(sel.clone())),
            Err(IdentityEndpointRefusal::IdentityNotFound),
            "{sel:?}: not assigned there"
        );
    }
    assert_eq!(
        picked(
            &fx,
            &site1,
            Some(IdentitySelector::ClientId(system.client_id.to_string()))
        ),
        Ok(system.id)
    );
}

#[test]
fn whoever_may_write_the_resource_issues_a_secret_bound_to_it_until_revoked_or_its_identities_go() {
    let mut fx = Fx::article();
    let site1 = site(&fx, "s1");
    put(&mut fx, &site1, write(Some("SystemAssigned"), &[]));

    // erin is Reader on rg1: not allowed; as Contributor she is.
    let erin = fx.member(fx.erin);
    let refused = refusal(issue_endpoint_secret(
        &fx.world,
        &erin,
        &site1,
        secret("h1"),
        fx.now,
    ));
    assert_eq!(refused.code, "AuthorizationFailed");
    fx.assign(fx.rg("rg1"), roles::CONTRIBUTOR, fx.erin);
    let erin = fx.member(fx.erin);
    let change = fx.ok(|fx| issue_endpoint_secret(&fx.world, &erin, &site1, secret("h1"), fx.now));
    assert_eq!(change.audit.len(), 1);
    assert_eq!(change.audit[0].operation, ISSUE_ENDPOINT_SECRET);
    assert!(
        !serde_json::to_string(&change.audit[0])
            .unwrap()
            .contains("h1"),
        "no hash in the audit log"
    );
    let found = |fx: &Fx, h: &str| {
        endpoint_secret_resource(&fx.world, |stored| stored == h).map(|r| r.scope.clone())
    };
    assert_eq!(found(&fx, "h1"), Some(site1.clone()));
    assert_eq!(found(&fx, "other"), None);

    // A resource without identities, or missing, gets none.
    let plain = site(&fx, "plain");
    put(&mut fx, &plain, write(None, &[]));
    assert_eq!(
        code(issue_endpoint_secret(
            &fx.world,
            &Actor::Operator,
            &plain,
            secret("h2"),
            fx.now
        )),
        "ResourceHasNoIdentity"
    );
    let missing = site(&fx, "missing");
    assert_eq!(
        code(issue_endpoint_secret(
            &fx.world,
            &Actor::Operator,
            &missing,
            secret("h2"),
            fx.now
        )),
        "ResourceNotFound"
    );

    // A PUT that leaves the identity block out, or repeats it, keeps the secret; revoking removes it.
    put(&mut fx, &site1, write(None, &[]));
    put(&mut fx, &site1, write(Some("SystemAssigned"), &[]));
    assert_eq!(found(&fx, "h1"), Some(site1.clone()));
    let n = fx.ok_with(|fx| revoke_endpoint_secrets(&fx.world, &Actor::Operator, &site1, fx.now));
    assert_eq!(n, 1);
    assert_eq!(found(&fx, "h1"), None);
    let (nothing, n) =
        revoke_endpoint_secrets(&fx.world, &Actor::Operator, &site1, fx.now).unwrap();
    assert!(nothing.mutations.is_empty() && n == 0);

    // Switching the identities off takes the secrets with them.
    fx.ok(|fx| issue_endpoint_secret(&fx.world, &Actor::Operator, &site1, secret("h3"), fx.now));
    put(&mut fx, &site1, write(Some("None"), &[]));
    assert_eq!(found(&fx, "h3"), None);
}
