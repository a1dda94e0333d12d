//! The `groups` claim of tokens: which groups an application's `groupMembershipClaims` names (security
//! groups or all, nested ones included), none when it asks for none, Entra's overage above 200, and
//! which application's setting an access token follows (the one it is for).

use crate::fixtures::*;
use tenantry_domain::rules::groups::{self, NewGroup};
use tenantry_domain::signin::{self, GroupsClaim, MAX_GROUPS_IN_JWT};
use tenantry_domain::*;

#[test]
fn the_groups_claim_follows_the_applications_setting() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let erin = fx.erin;
    let platform = fx.group(t, "Platform", &[erin]);
    let engineering = fx.group(t, "Engineering", &[platform]);
    // A group that is not a security group: named only by `All`.
    let mail_only = fx.ok_with(|fx| {
        groups::create_group(
            &fx.world,
            &Actor::Operator,
            t,
            NewGroup {
                security_enabled: false,
                members: vec![erin],
                ..NewGroup::named("Newsletter")
            },
            fx.now,
        )
    });
    let w = &fx.world;
    let claim = |setting| signin::groups_claim(w, t, erin, setting);
    assert_eq!(claim(GroupMembershipClaims::None), None);
    let mut security = vec![engineering, platform];
    security.sort();
    assert_eq!(
        claim(GroupMembershipClaims::SecurityGroup),
        Some(GroupsClaim::Groups(security.clone()))
    );
    let mut all = vec![engineering, platform, mail_only];
    all.sort();
    assert_eq!(
        claim(GroupMembershipClaims::All),
        Some(GroupsClaim::Groups(all))
    );
    // In no group: no claim at all, as Entra leaves it out.
    assert_eq!(
        signin::groups_claim(w, t, fx.app, GroupMembershipClaims::All),
        None
    );
    // Another tenant's token names none of these groups.
    assert_eq!(
        signin::groups_claim(w, fx.contoso, erin, GroupMembershipClaims::All),
        None
    );
}

#[test]
fn more_than_200_groups_are_an_overage() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let erin = fx.erin;
    // 199 groups of her own, and one that holds another: 201 with nesting.
    for i in 0..MAX_GROUPS_IN_JWT - 1 {
        fx.group(t, &format!("team-{i:03}"), &[erin]);
    }
    let inner = fx.group(t, "inner", &[erin]);
    let claim =
        |fx: &Fx| signin::groups_claim(&fx.world, t, erin, GroupMembershipClaims::SecurityGroup);
    match claim(&fx) {
        Some(GroupsClaim::Groups(g)) => assert_eq!(g.len(), MAX_GROUPS_IN_JWT),
        other => panic!("{other:?}"),
    }
    fx.group(t, "outer", &[inner]);
    assert_eq!(claim(&fx), Some(GroupsClaim::Overage));
}

#[test]
fn an_access_token_follows_the_application_it_is_for() {
    let fx = Fx::article();
    let w = &fx.world;
    let ci = w.application(fx.app).unwrap().client_id;
    let named =
        |resource: &str| signin::resource_application(w, fx.alicedefault, resource).map(|a| a.id);
    assert_eq!(named(&ci.to_string()), Some(fx.app));
    assert_eq!(named(&format!("api://{ci}")), Some(fx.app));
    assert_eq!(named(&format!("api://{ci}/")), Some(fx.app));
    assert_eq!(named("https://management.azure.com"), None);
    assert_eq!(named("https://graph.microsoft.com"), None);
    // Another tenant's token for it names nothing of this tenant.
    assert_eq!(
        signin::resource_application(w, fx.contoso, &ci.to_string()).map(|a| a.id),
        None
    );
}
