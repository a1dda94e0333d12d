//! What a person sees across directories (rules/reads/people.rs): where they are present and who they are
//! there, the subscriptions they see with what they hold, and what waits for them.

use crate::fixtures::*;
use tenantry_domain::rules::admins::ClassicRole;
use tenantry_domain::rules::{guests, reads};
use tenantry_domain::*;

#[test]
fn a_person_acts_in_the_directories_they_are_present_in() {
    let mut fx = Fx::article();
    let tenants = |fx: &Fx, i: Identity| -> Vec<(TenantId, bool)> {
        reads::directories_of(&fx.world, i)
            .iter()
            .map(|d| (d.tenant.id, d.member))
            .collect()
    };
    assert_eq!(tenants(&fx, fx.alice), [(fx.alicedefault, false)]);
    let erin = org(&fx.world, fx.erin);
    assert_eq!(tenants(&fx, erin), [(fx.alicedefault, true)]);
    let alice_there = reads::directories_of(&fx.world, fx.alice);
    assert_eq!(alice_there[0].roles, [DirectoryRole::GlobalAdministrator]);

    fx.guest(fx.contoso, fx.alice);
    let actor = reads::actor_in(&fx.world, fx.alice, fx.contoso).expect("a guest of Contoso");
    assert_eq!(actor.tenant(), Some(fx.contoso));
    assert_eq!(
        reads::acting_actor(&fx.world, fx.alice, Some(fx.contoso)),
        actor
    );
    // Not present in Fabrikam: refused there, and acting elsewhere by default.
    assert!(reads::actor_in(&fx.world, fx.alice, fx.fabrikam).is_none());
    let e = refusal(reads::require_actor_in(&fx.world, fx.alice, fx.fabrikam));
    assert_eq!(
        (e.code.as_str(), e.kind),
        ("NotInDirectory", ErrorKind::Forbidden)
    );
    // Named by its id: its display name is for its own people.
    assert!(e.message.contains(&fx.fabrikam.to_string()), "{e}");
    assert!(!e.full_message().contains("Fabrikam"), "{e}");
    assert_ne!(
        reads::acting_actor(&fx.world, fx.alice, Some(fx.fabrikam)).tenant(),
        Some(fx.fabrikam)
    );
    assert_eq!(
        reads::acting_actor(&fx.world, erin, None).tenant(),
        Some(fx.alicedefault)
    );
}

#[test]
fn a_person_sees_their_subscriptions_with_what_they_hold() {
    let fx = Fx::article();
    let held = |i: Identity| -> Vec<(String, String, Vec<String>)> {
        reads::subscriptions_of(&fx.world, i)
            .iter()
            .map(|p| {
                (
                    p.subscription.display_name.clone(),
                    p.held.roles.to_string(),
                    p.held
                        .assignments
                        .iter()
                        .map(|a| format!("{} {}", a.role.name, a.scope.relative()))
                        .collect(),
                )
            })
            .collect()
    };
    let payg = |roles: &str, assignments: &[&str]| {
        vec![(
            "Pay-As-You-Go".to_string(),
            roles.to_string(),
            assignments
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>(),
        )]
    };
    assert_eq!(
        held(fx.alice),
        payg("ServiceAdministrator;AccountAdministrator", &[])
    );
    assert_eq!(held(fx.dave), payg("CoAdministrator", &[]));
    assert_eq!(
        held(org(&fx.world, fx.erin)),
        payg("", &["Reader resourceGroups/rg1"])
    );
    assert!(held(fx.bob).is_empty());
    assert!(held(org(&fx.world, fx.carol)).is_empty());
    let alice = &reads::subscriptions_of(&fx.world, fx.alice)[0];
    assert!(alice.held.roles.contains(ClassicRole::ServiceAdministrator));
    assert_eq!(alice.directory.id, fx.alicedefault);
}

#[test]
fn invitations_and_link_requests_wait_for_whom_they_concern() {
    let mut fx = Fx::article();
    let (invitation, _) = fx.ok_with(|fx| {
        guests::invite(
            &fx.world,
            &Actor::Operator,
            fx.contoso,
            "bob@outlook.com",
            fx.now,
        )
        .map(|(c, i, g)| (c, (i, g)))
    });
    let waiting = reads::invitations_for(&fx.world, fx.bob);
    assert_eq!(waiting.len(), 1);
    assert_eq!((waiting[0].0.id, waiting[0].1.id), (fx.contoso, invitation));
    assert!(reads::invitations_for(&fx.world, fx.dave).is_empty());
    let (t, i) = reads::invitation(&fx.world, fx.bob, fx.contoso, invitation).unwrap();
    assert_eq!((t.id, i.email.as_str()), (fx.contoso, "bob@outlook.com"));
    assert_eq!(
        code(reads::invitation(
            &fx.world,
            fx.bob,
            fx.fabrikam,
            invitation
        )),
        "InvitationNotFound"
    );

    let id = fx.ok_with(|fx| {
        guests::request_link(&fx.world, &fx.alice_home(), fx.sub, fx.contoso, fx.now)
    });
    let admin = org(&fx.world, fx.contoso_admin);
    let awaiting = reads::link_requests_awaiting(&fx.world, admin, fx.now);
    assert_eq!(awaiting.len(), 1);
    assert_eq!(
        (
            awaiting[0].requester.with_email(),
            awaiting[0].subscription.as_str()
        ),
        ("Alice (alice@outlook.com)".to_string(), "Pay-As-You-Go")
    );
    let carol = org(&fx.world, fx.carol);
    assert!(reads::link_requests_awaiting(&fx.world, carol, fx.now).is_empty());

    // The requester reads it; a member without a role does not; a Global Administrator may decide.
    let mine =
        reads::read_link_request(&fx.world, &fx.alice_home(), fx.contoso, id, fx.now).unwrap();
    assert!(mine.waiting && !mine.may_decide && mine.is_requester && mine.may_cancel);
    // Her own requests, with the directory named as she typed it (she is not in it yet).
    let asked = reads::link_requests_asked_by(&fx.world, fx.alice, fx.now);
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].0.request.id, id);
    assert_eq!(asked[0].1, "contoso.onmicrosoft.com");
    assert!(reads::link_requests_asked_by(&fx.world, admin, fx.now).is_empty());
    assert!(reads::link_requests_asked_by(&fx.world, fx.alice, fx.now + 30 * DAY).is_empty());
    assert_eq!(
        code(reads::read_link_request(
            &fx.world,
            &fx.member(fx.carol),
            fx.contoso,
            id,
            fx.now
        )),
        "Authorization_RequestDenied"
    );
    let theirs = reads::read_link_request(
        &fx.world,
        &fx.member(fx.contoso_admin),
        fx.contoso,
        id,
        fx.now,
    )
    .unwrap();
    assert!(theirs.may_decide && !theirs.is_requester && !theirs.may_cancel);
    let later = fx.now + 30 * DAY;
    let expired = reads::read_link_request(
        &fx.world,
        &fx.member(fx.contoso_admin),
        fx.contoso,
        id,
        later,
    )
    .unwrap();
    assert!(expired.expired && !expired.waiting);
    assert!(reads::link_requests_awaiting(&fx.world, admin, later).is_empty());
    assert_eq!(
        code(reads::read_link_request(
            &fx.world,
            &fx.member(fx.contoso_admin),
            fx.contoso,
            RequestId::new(),
            fx.now
        )),
        "LinkRequestNotFound"
    );
}

#[test]
fn people_are_named_by_display_name_and_which_account_when_the_email_is_both() {
    let mut fx = Fx::article();
    let alice = reads::person_name(&fx.world, fx.alice).unwrap();
    assert_eq!(
        (
            alice.display_name.as_str(),
            alice.email.as_str(),
            alice.kind
        ),
        ("Alice", "alice@outlook.com", None)
    );
    assert_eq!(alice.label(), "Alice");
    // A member of Contoso whose UPN is also a personal account's email: each says which it is.
    let carol = org(&fx.world, fx.carol);
    let carol_email = reads::email(&fx.world, carol).unwrap();
    let personal = fx.personal_account(&carol_email);
    let work = reads::person_name(&fx.world, carol).unwrap();
    assert_eq!(work.kind, Some("work or school account"));
    assert!(
        work.label().ends_with("(work or school account)"),
        "{}",
        work.label()
    );
    let home = reads::person_name(&fx.world, personal).unwrap();
    assert_eq!(
        (home.email.as_str(), home.kind),
        (carol_email.as_str(), Some("personal account"))
    );
    assert_eq!(
        home.label(),
        format!("{} (personal account)", home.display_name)
    );
}
