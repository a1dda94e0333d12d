//! Changing the subscription's directory (the article's step 2): the preview, every blocker with its code,
//! a request that waits for the destination's acceptance, the atomic apply, and the principal map.

use crate::fixtures::*;
use std::collections::BTreeSet;
use tenantry_domain::action::names;
use tenantry_domain::rules::admins::ClassicRole;
use tenantry_domain::rules::change_directory::{
    self, Approval, ChangeDirectoryPlan, Initiated, codes,
};
use tenantry_domain::rules::invariants::violations;
use tenantry_domain::rules::{AccountType, admins, guests, tags};
use tenantry_domain::*;

/// Step 1 of the article: Alice links Contoso; its Global Administrator approves.
fn link_contoso(fx: &mut Fx) -> ObjectId {
    let id = fx.ok_with(|fx| {
        guests::request_link(&fx.world, &fx.alice_home(), fx.sub, fx.contoso, fx.now)
    });
    let admin = fx.member(fx.contoso_admin);
    fx.ok(|fx| guests::approve_link(&fx.world, &admin, fx.contoso, id, fx.now));
    fx.world.presence(fx.alice, fx.contoso).unwrap()
}

fn preview(
    fx: &Fx,
    actor: &Actor,
    destination: TenantId,
    map: &[PrincipalMapEntry],
) -> ChangeDirectoryPlan {
    change_directory::plan(
        &fx.world,
        actor,
        fx.sub,
        destination,
        map,
        Approval::Initiator,
        fx.now,
    )
    .expect("a preview")
}

fn blocker_codes(plan: &ChangeDirectoryPlan) -> Vec<&str> {
    plan.blockers.iter().map(|b| b.code.as_str()).collect()
}

fn entry(from: &str, to: &str) -> PrincipalMapEntry {
    PrincipalMapEntry {
        from: from.into(),
        to: to.into(),
    }
}

/// Initiates as `actor` and expects the change to be applied at once.
fn move_now(
    fx: &mut Fx,
    actor: &Actor,
    destination: TenantId,
    map: Vec<PrincipalMapEntry>,
) -> ChangeDirectoryPlan {
    let initiated = fx.ok_with(|fx| {
        change_directory::initiate(&fx.world, actor, fx.sub, destination, None, map, fx.now)
    });
    match initiated {
        Initiated::Completed(plan) => *plan,
        Initiated::Waiting(r) => panic!("expected the change to apply, it waits: {r:?}"),
    }
}

/// Initiates as `actor` and expects a request waiting for acceptance.
fn move_later(fx: &mut Fx, actor: &Actor, destination: TenantId) -> ChangeTenantRequest {
    let initiated = fx.ok_with(|fx| {
        change_directory::initiate(&fx.world, actor, fx.sub, destination, None, vec![], fx.now)
    });
    match initiated {
        Initiated::Waiting(r) => r,
        Initiated::Completed(_) => panic!("expected a waiting request"),
    }
}

// ----- the preview -----

#[test]
fn the_preview_lists_every_co_administrator_every_assignment_every_custom_role_and_who_keeps_access()
 {
    let mut fx = Fx::article();
    fx.ok_with(|fx| {
        admins::add_co_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "erin@alicedefault.onmicrosoft.com",
            None,
            fx.now,
        )
    });
    let dave_object = fx.world.presence(fx.dave, fx.alicedefault).unwrap();
    fx.assign(fx.storage.clone(), roles::OWNER, dave_object);
    fx.custom_role("Unused", &["Microsoft.Storage/*/read"], &[]);
    let before = fx.world.clone();
    let plan = preview(&fx, &fx.alice_home(), fx.contoso, &[]);
    // Planning is pure.
    assert_eq!(fx.world, before);
    let co: BTreeSet<Identity> = plan.removed_co_admins.iter().map(|(i, _)| *i).collect();
    assert_eq!(co, BTreeSet::from([fx.dave, org(&fx.world, fx.erin)]));
    let emails: BTreeSet<&str> = plan
        .removed_co_admins
        .iter()
        .map(|(_, e)| e.as_str())
        .collect();
    assert_eq!(
        emails,
        BTreeSet::from(["dave@outlook.com", "erin@alicedefault.onmicrosoft.com"])
    );
    let s = fx.world.subscription(fx.sub).unwrap();
    let removed: BTreeSet<RoleAssignmentId> = plan
        .removed_assignments
        .iter()
        .map(|a| a.assignment.id)
        .collect();
    let all: BTreeSet<RoleAssignmentId> = s.assignments.keys().copied().collect();
    assert_eq!(removed, all);
    assert_eq!(removed.len(), 3);
    let erin_reader = plan
        .removed_assignments
        .iter()
        .find(|a| a.assignment.id == fx.erin_reader)
        .unwrap();
    assert_eq!(
        erin_reader.principal_name,
        "erin@alicedefault.onmicrosoft.com"
    );
    assert_eq!(erin_reader.role_name, "Reader");
    let custom: BTreeSet<&str> = plan
        .removed_custom_roles
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(custom, BTreeSet::from(["Log Reader", "Unused"]));
    assert_eq!(
        plan.retained_admins,
        vec![(
            fx.alice,
            "alice@outlook.com".to_string(),
            ClassicRole::ServiceAdministrator
        )]
    );
    assert!(plan.regranted_assignments.is_empty() && plan.regranted_co_admins.is_empty());
    // Alice is not in Contoso yet: the one blocker, which a waiting request resolves.
    assert_eq!(
        blocker_codes(&plan),
        vec![codes::INITIATOR_NOT_IN_DESTINATION]
    );
    assert!(plan.needs_acceptance_only());
    assert_eq!(plan.review_step(), change_directory::ReviewStep::Request);
    assert_eq!(
        plan.checked_on_acceptance().count(),
        0,
        "nothing else to check"
    );
    // Her own request to use Contoso, while it waits, is what the review points her to.
    assert!(
        change_directory::waiting_link_request(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            fx.contoso,
            fx.now
        )
        .is_none()
    );
    let link = fx.ok_with(|fx| {
        guests::request_link(&fx.world, &fx.alice_home(), fx.sub, fx.contoso, fx.now)
    });
    let waiting = change_directory::waiting_link_request(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.contoso,
        fx.now,
    )
    .expect("her request waits");
    assert_eq!(waiting.id, link);
    assert!(
        change_directory::waiting_link_request(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            fx.contoso,
            fx.now + 30 * DAY
        )
        .is_none(),
        "not once it expired"
    );
    assert!(
        change_directory::waiting_link_request(
            &fx.world,
            &fx.member(fx.contoso_admin),
            fx.sub,
            fx.contoso,
            fx.now
        )
        .is_none(),
        "nobody else's"
    );
}

#[test]
fn a_preview_is_refused_to_whoever_cannot_read_the_subscriptions_access() {
    let fx = Fx::article();
    // Contoso's Global Administrator must not learn who has access to a subscription of alicedefault.
    for actor in [
        fx.member(fx.contoso_admin),
        fx.member(fx.erin),
        application(&fx.world, fx.app),
    ] {
        let r = change_directory::plan(
            &fx.world,
            &actor,
            fx.sub,
            fx.contoso,
            &[],
            Approval::Initiator,
            fx.now,
        );
        let e = refusal(r);
        assert_eq!(e.kind, ErrorKind::Forbidden, "{}", actor.display());
    }
}

// ----- blockers -----

#[test]
fn a_co_administrator_cannot_change_the_directory() {
    let mut fx = Fx::article();
    fx.guest(fx.contoso, fx.dave);
    let plan = preview(&fx, &fx.dave_home(), fx.contoso, &[]);
    assert_eq!(blocker_codes(&plan), vec![codes::NOT_ADMINISTRATOR]);
    assert!(plan.blockers[0].message.contains("co-administrator"));
    let e = refusal(change_directory::initiate(
        &fx.world,
        &fx.dave_home(),
        fx.sub,
        fx.contoso,
        None,
        vec![],
        fx.now,
    ));
    assert_eq!(e.code, "NotServiceOrAccountAdministrator");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert!(e.remedy.unwrap().contains("alice@outlook.com"));
}

#[test]
fn the_service_administrator_signed_in_to_another_directory_cannot_change_it() {
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    let in_contoso = fx.as_user(fx.contoso, fx.alice);
    let r = change_directory::initiate(
        &fx.world,
        &in_contoso,
        fx.sub,
        fx.contoso,
        None,
        vec![],
        fx.now,
    );
    assert_eq!(code(r), "InvalidAuthenticationTokenTenant");
    let consumer = personal(&fx.world, fx.alice);
    let r = change_directory::initiate(
        &fx.world,
        &consumer,
        fx.sub,
        fx.contoso,
        None,
        vec![],
        fx.now,
    );
    assert_eq!(code(r), "InvalidAuthenticationTokenTenant");
    assert_eq!(fx.subscription().tenant, fx.alicedefault);
}

#[test]
fn a_change_to_the_same_directory_is_refused() {
    let fx = Fx::article();
    let r = change_directory::initiate(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.alicedefault,
        None,
        vec![],
        fx.now,
    );
    assert_eq!(code(r), codes::SAME_TENANT);
}

#[test]
fn an_initiator_absent_from_the_destination_makes_a_request_that_waits_seven_days() {
    let mut fx = Fx::article();
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    let r = move_later(&mut fx, &actor, destination);
    assert_eq!(r.status, RequestStatus::Pending);
    assert_eq!(r.created, fx.now);
    assert_eq!(r.expires, fx.now + 7 * DAY);
    assert_eq!(r.initiator, fx.alice);
    assert_eq!((r.source, r.destination), (fx.alicedefault, fx.contoso));
    let s = fx.world.subscription(fx.sub).unwrap();
    assert_eq!(s.change_request.as_ref(), Some(&r));
    // Nothing moved yet.
    assert_eq!(s.subscription.tenant, fx.alicedefault);
    assert_eq!(s.subscription.co_admins, vec![fx.dave]);
    // The review offers to cancel it, not to ask again; a second request waits for the first.
    let plan = preview(&fx, &fx.alice_home(), fx.fabrikam, &[]);
    assert_eq!(
        plan.review_step(),
        change_directory::ReviewStep::AlreadyRequested
    );
    let e = refusal(change_directory::initiate(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.fabrikam,
        None,
        vec![],
        fx.now,
    ));
    assert!(codes(&e).contains(&codes::REQUEST_PENDING.to_string()));
    let r = change_directory::initiate(
        &fx.world,
        &Actor::Operator,
        fx.sub,
        fx.fabrikam,
        None,
        vec![],
        fx.now,
    );
    assert_eq!(code(r), codes::REQUEST_PENDING);
}

#[test]
fn only_a_global_administrator_of_the_destination_accepts_a_waiting_request() {
    let mut fx = Fx::article();
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    move_later(&mut fx, &actor, destination);
    let later = fx.now + DAY;
    // Who may learn of the subscription (its service administrator, its application) is told who may
    // accept; anyone else gets ARM's refusal alone, as for a subscription that does not exist.
    for (actor, expected) in [
        (fx.member(fx.carol), "AuthorizationFailed"),
        (fx.member(fx.contoso_useradmin), "AuthorizationFailed"),
        (fx.member(fx.fabrikam_admin), "AuthorizationFailed"),
        (fx.alice_home(), "NotDestinationOwner"),
        (application(&fx.world, fx.app), "NotDestinationOwner"),
    ] {
        let r = change_directory::accept(&fx.world, &actor, fx.sub, later);
        assert_eq!(code(r), expected, "{}", actor.display());
    }
    let admin = fx.member(fx.contoso_admin);
    let plan = fx.ok_with(|fx| change_directory::accept(&fx.world, &admin, fx.sub, later));
    assert!(plan.blockers.is_empty());
    let s = fx.world.subscription(fx.sub).unwrap();
    assert_eq!(s.subscription.tenant, fx.contoso);
    assert_eq!(
        s.change_request.as_ref().unwrap().status,
        RequestStatus::Completed
    );
    // The service administrator became a guest of Contoso and keeps full access there.
    let alice = fx.as_user(fx.contoso, fx.alice);
    assert!(fx.owns(&alice));
    let r = change_directory::accept(&fx.world, &alice, fx.sub, later);
    assert_eq!(code(r), "ChangeRequestNotFound");
    // The Global Administrator holds nothing in it now that nothing waits: nothing to learn.
    let r = change_directory::accept(&fx.world, &admin, fx.sub, later);
    assert_eq!(code(r), "AuthorizationFailed");
}

#[test]
fn a_waiting_request_cannot_be_accepted_after_it_expires() {
    let mut fx = Fx::article();
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    move_later(&mut fx, &actor, destination);
    let admin = fx.member(fx.contoso_admin);
    let e = refusal(change_directory::accept(
        &fx.world,
        &admin,
        fx.sub,
        fx.now + 7 * DAY,
    ));
    assert_eq!(e.code, "ChangeRequestExpired");
    assert!(e.remedy.is_some());
    // An expired request no longer blocks a new one.
    fx.now += 7 * DAY;
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    let r = move_later(&mut fx, &actor, destination);
    assert_eq!(r.expires, fx.now + 7 * DAY);
    fx.ok_with(|fx| change_directory::accept(&fx.world, &admin, fx.sub, fx.now + 7 * DAY - 1));
    assert_eq!(fx.subscription().tenant, fx.contoso);
}

#[test]
fn a_waiting_request_is_cancelled_by_the_initiator_or_the_destination_not_by_others() {
    let mut fx = Fx::article();
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    move_later(&mut fx, &actor, destination);
    for actor in [
        fx.member(fx.erin),
        fx.dave_home(),
        fx.member(fx.carol),
        fx.member(fx.fabrikam_admin),
    ] {
        let r = change_directory::cancel(&fx.world, &actor, fx.sub, fx.now);
        assert_eq!(code(r), "AuthorizationFailed", "{}", actor.display());
    }
    fx.ok(|fx| change_directory::cancel(&fx.world, &fx.alice_home(), fx.sub, fx.now));
    let s = fx.world.subscription(fx.sub).unwrap();
    assert_eq!(
        s.change_request.as_ref().unwrap().status,
        RequestStatus::Cancelled
    );
    let admin = fx.member(fx.contoso_admin);
    let r = change_directory::accept(&fx.world, &fx.alice_home(), fx.sub, fx.now);
    assert_eq!(code(r), "ChangeRequestNotFound");
    let r = change_directory::accept(&fx.world, &admin, fx.sub, fx.now);
    assert_eq!(code(r), "AuthorizationFailed", "nothing waits for them");
    // The destination's Global Administrator may decline one too.
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    move_later(&mut fx, &actor, destination);
    fx.ok(|fx| change_directory::cancel(&fx.world, &admin, fx.sub, fx.now));
    assert_eq!(fx.subscription().tenant, fx.alicedefault);
}

#[test]
fn a_named_destination_owner_is_the_only_one_who_accepts() {
    let mut fx = Fx::article();
    let carol = fx.carol;
    let alice = fx.alice_home();
    let initiated = fx.ok_with(|fx| {
        change_directory::initiate(
            &fx.world,
            &alice,
            fx.sub,
            fx.contoso,
            Some(carol),
            vec![],
            fx.now,
        )
    });
    assert!(matches!(initiated, Initiated::Waiting(ref r) if r.destination_owner == Some(carol)));
    // Another Global Administrator of the destination is not the one it waits for.
    let r = change_directory::accept(&fx.world, &fx.member(fx.contoso_admin), fx.sub, fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
    let r = change_directory::accept(&fx.world, &fx.alice_home(), fx.sub, fx.now);
    assert_eq!(code(r), "NotDestinationOwner");
    let carol_actor = fx.member(carol);
    fx.ok_with(|fx| change_directory::accept(&fx.world, &carol_actor, fx.sub, fx.now));
    assert_eq!(fx.subscription().tenant, fx.contoso);
    // A destination owner must be present in the destination.
    let mut fx = Fx::article();
    let r = change_directory::initiate(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.contoso,
        Some(fx.erin),
        vec![],
        fx.now,
    );
    assert_eq!(code(r), "DestinationOwnerNotFound");
    fx.now += 1;
}

#[test]
fn a_request_is_void_once_its_initiator_is_no_longer_an_administrator() {
    let mut fx = Fx::article();
    // Bob is made service administrator (Alice stays account administrator); Bob asks to move.
    fx.ok(|fx| {
        admins::change_service_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "bob@outlook.com",
            None,
            fx.now,
        )
    });
    let bob = fx.as_user(fx.alicedefault, fx.bob);
    let (actor, destination) = (bob, fx.contoso);
    move_later(&mut fx, &actor, destination);
    fx.ok(|fx| {
        admins::change_service_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "alice@outlook.com",
            None,
            fx.now,
        )
    });
    let r = change_directory::accept(&fx.world, &fx.member(fx.contoso_admin), fx.sub, fx.now);
    assert_eq!(code(r), "InitiatorNoLongerAdministrator");
}

#[test]
fn a_destination_that_blocks_entering_refuses_unless_the_initiator_is_exempted() {
    let mut fx = Fx::article();
    let alice_in_contoso = link_contoso(&mut fx);
    fx.policy(fx.contoso, false, true, vec![]);
    let e = refusal(change_directory::initiate(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.contoso,
        None,
        vec![],
        fx.now,
    ));
    assert_eq!(e.code, codes::ENTERING_BLOCKED);
    assert_eq!(e.kind, ErrorKind::Forbidden);
    fx.policy(fx.contoso, false, true, vec![alice_in_contoso]);
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    move_now(&mut fx, &actor, destination, vec![]);
    assert_eq!(fx.subscription().tenant, fx.contoso);
}

#[test]
fn a_destination_that_blocks_entering_accepts_when_its_exempted_owner_accepts() {
    let mut fx = Fx::article();
    fx.policy(fx.contoso, false, true, vec![]);
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    move_later(&mut fx, &actor, destination);
    let admin = fx.member(fx.contoso_admin);
    let r = change_directory::accept(&fx.world, &admin, fx.sub, fx.now);
    assert_eq!(code(r), codes::ENTERING_BLOCKED);
    fx.policy(fx.contoso, false, true, vec![fx.contoso_admin]);
    fx.ok_with(|fx| change_directory::accept(&fx.world, &admin, fx.sub, fx.now));
    assert_eq!(fx.subscription().tenant, fx.contoso);
}

#[test]
fn a_source_that_blocks_leaving_refuses_unless_the_initiator_is_exempted() {
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    fx.policy(fx.alicedefault, true, false, vec![]);
    let r = change_directory::initiate(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.contoso,
        None,
        vec![],
        fx.now,
    );
    assert_eq!(code(r), codes::LEAVING_BLOCKED);
    let alice_home_object = fx.world.presence(fx.alice, fx.alicedefault).unwrap();
    fx.policy(fx.alicedefault, true, false, vec![alice_home_object]);
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    move_now(&mut fx, &actor, destination, vec![]);
}

#[test]
fn an_initiators_exemption_from_leaving_holds_when_the_destination_accepts() {
    let mut fx = Fx::article();
    let alice_home_object = fx.world.presence(fx.alice, fx.alicedefault).unwrap();
    fx.policy(fx.alicedefault, true, false, vec![alice_home_object]);
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    move_later(&mut fx, &actor, destination);
    let admin = fx.member(fx.contoso_admin);
    fx.ok_with(|fx| change_directory::accept(&fx.world, &admin, fx.sub, fx.now));
    assert_eq!(fx.subscription().tenant, fx.contoso);
}

#[test]
fn a_source_that_blocks_leaving_keeps_a_waiting_request_from_being_accepted() {
    let mut fx = Fx::article();
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    move_later(&mut fx, &actor, destination);
    fx.policy(fx.alicedefault, true, false, vec![]);
    let r = change_directory::accept(&fx.world, &fx.member(fx.contoso_admin), fx.sub, fx.now);
    assert_eq!(code(r), codes::LEAVING_BLOCKED);
}

#[test]
fn the_service_administrators_email_must_not_be_a_member_of_the_destination() {
    let mut fx = Fx::article();
    // sam of Fabrikam, present in alicedefault as a guest, made service administrator by the operator.
    let sam = org(&fx.world, fx.sam);
    fx.guest(fx.alicedefault, sam);
    fx.ok(|fx| {
        admins::change_service_admin(
            &fx.world,
            &Actor::Operator,
            fx.sub,
            "sam@fabrikam.com",
            None,
            fx.now,
        )
    });
    fx.guest(fx.contoso, sam);
    fx.user(fx.contoso, "samuel", Some("sam@fabrikam.com"));
    let actor = fx.as_user(fx.alicedefault, sam);
    let plan = preview(&fx, &actor, fx.contoso, &[]);
    assert_eq!(blocker_codes(&plan), vec![codes::SA_IS_MEMBER]);
    let e = refusal(change_directory::initiate(
        &fx.world,
        &actor,
        fx.sub,
        fx.contoso,
        None,
        vec![],
        fx.now,
    ));
    assert_eq!(e.code, "ServiceAdministratorIsMemberOfDestination");
    assert!(e.remedy.is_some());
    // The operator is held to it too.
    let r = change_directory::initiate(
        &fx.world,
        &Actor::Operator,
        fx.sub,
        fx.contoso,
        None,
        vec![],
        fx.now,
    );
    assert_eq!(code(r), codes::SA_IS_MEMBER);
}

#[test]
fn a_service_administrator_whose_email_is_personal_and_organizational_cannot_change_the_directory()
{
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    fx.user(fx.fabrikam, "alice.f", Some("alice@outlook.com"));
    let plan = preview(&fx, &fx.alice_home(), fx.contoso, &[]);
    assert_eq!(blocker_codes(&plan), vec![codes::SA_AMBIGUOUS]);
    let r = change_directory::initiate(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.contoso,
        None,
        vec![],
        fx.now,
    );
    assert_eq!(code(r), "ServiceAdministratorEmailAmbiguous");
}

#[test]
fn a_personal_service_administrator_named_like_a_destination_member_is_ambiguous_and_a_member() {
    let mut fx = Fx::article();
    fx.personal_account("carol@contoso.com");
    fx.ok(|fx| {
        admins::change_service_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "carol@contoso.com",
            Some(AccountType::Personal),
            fx.now,
        )
    });
    let r = change_directory::initiate(
        &fx.world,
        &Actor::Operator,
        fx.sub,
        fx.contoso,
        None,
        vec![],
        fx.now,
    );
    let e = refusal(r);
    assert_eq!(
        codes(&e)[1..],
        [
            codes::SA_AMBIGUOUS.to_string(),
            codes::SA_IS_MEMBER.to_string()
        ]
    );
}

// ----- applying -----

#[test]
fn after_the_change_the_subscription_trusts_the_destination_and_only_the_service_administrator_keeps_access()
 {
    let mut fx = Fx::article();
    let alice_in_contoso = link_contoso(&mut fx);
    // Everyone with access before, present in Contoso too, to prove access goes with the trust.
    fx.guest(fx.contoso, fx.dave);
    let erin = org(&fx.world, fx.erin);
    fx.guest(fx.contoso, erin);
    let dave_home = fx.dave_home();
    let erin_home = fx.member(fx.erin);
    let ci = application(&fx.world, fx.app);
    assert!(fx.owns(&dave_home));
    assert!(fx.can(&erin_home, names::RESOURCE_GROUP_READ, &fx.rg("rg1")));
    assert!(fx.can(&ci, names::RESOURCE_GROUP_READ, &fx.rg("rg1")));
    let alice_home = fx.alice_home();
    fx.ok_with(|fx| tags::create_tag_name(&fx.world, &alice_home, fx.sub, "env", fx.now));
    let before = fx.world.clone();
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    let plan = move_now(&mut fx, &actor, destination, vec![]);
    assert_eq!(plan.removed_assignments.len(), 2);
    assert!(violations(&fx.world).is_empty());
    let s = fx.world.subscription(fx.sub).unwrap();
    assert_eq!(s.subscription.tenant, fx.contoso);
    assert_eq!(s.subscription.service_admin, fx.alice);
    assert!(s.subscription.co_admins.is_empty());
    assert!(s.assignments.is_empty());
    assert!(s.custom_roles.is_empty());
    // Groups and resources stay.
    assert!(s.resource_group("rg1").is_some());
    assert!(s.resources.contains_key(fx.storage.key()));
    // Its predefined tag names belong to it and go with it.
    assert!(s.subscription.tag_names.contains_key("env"));
    // The service administrator keeps full access, through a token of the new directory.
    let alice = fx.as_user(fx.contoso, fx.alice);
    assert_eq!(alice.object_id(), Some(alice_in_contoso));
    assert!(fx.owns(&alice));
    assert!(fx.can(&alice, STORAGE_DELETE, &fx.storage));
    assert!(!fx.owns(&fx.alice_home()));
    // Everyone else lost access at once, whatever token they use.
    for actor in [
        dave_home,
        erin_home,
        ci,
        fx.as_user(fx.contoso, fx.dave),
        fx.as_user(fx.contoso, erin),
    ] {
        for a in [names::RESOURCE_GROUP_READ, names::ROLE_ASSIGNMENT_WRITE] {
            assert!(!fx.can(&actor, a, &fx.rg("rg1")), "{} {a}", actor.display());
        }
        if let Some(o) = actor.object_id() {
            assert!(!fx.world.has_any_access(o, fx.sub));
        }
    }
    // Contoso now lists the subscription; alicedefault no longer does.
    assert!(
        fx.world
            .subscriptions_of_tenant(fx.contoso)
            .any(|p| p.subscription.id == fx.sub)
    );
    assert!(
        !fx.world
            .subscriptions_of_tenant(fx.alicedefault)
            .any(|p| p.subscription.id == fx.sub)
    );
    // Only the subscription's partition changed: tenants keep their users.
    for t in [fx.contoso, fx.alicedefault, fx.fabrikam] {
        assert_eq!(fx.world.tenant(t), before.tenant(t));
    }
}

#[test]
fn the_change_is_one_atomic_change_with_one_audit_event() {
    let mut fx = Fx::article();
    let initiated = change_directory::initiate(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.contoso,
        None,
        vec![],
        fx.now,
    );
    // Waiting: nothing but the request is written.
    let (change, _) = initiated.unwrap();
    assert_eq!(change.partitions(), vec![Partition::Subscription(fx.sub)]);
    apply(&mut fx.world, &change);
    let admin = fx.member(fx.contoso_admin);
    let (change, plan) = change_directory::accept(&fx.world, &admin, fx.sub, fx.now).unwrap();
    // The service administrator's guest object in Contoso and the subscription, in one change.
    let mut expected = vec![
        Partition::Tenant(fx.contoso),
        Partition::Subscription(fx.sub),
    ];
    expected.sort();
    assert_eq!(change.partitions(), expected);
    assert_eq!(change.audit.len(), 1);
    let details = &change.audit[0].details;
    assert_eq!(details["removedRoleAssignmentCount"], 2);
    assert_eq!(details["removedCoAdministrators"][0], "dave@outlook.com");
    assert!(plan.service_admin_guest.is_some());
    // Applying the change twice (a replay after a crash) gives the same world.
    let mut once = fx.world.clone();
    once.apply(&change);
    let mut twice = once.clone();
    twice.apply(&change);
    assert_eq!(once, twice);
    assert!(violations(&once).is_empty());
}

#[test]
fn the_account_administrator_may_change_the_directory() {
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    fx.ok(|fx| {
        admins::change_service_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "bob@outlook.com",
            None,
            fx.now,
        )
    });
    // Alice is account administrator only: no access to resources, but she may move the subscription.
    assert!(!fx.owns(&fx.alice_home()));
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    let plan = move_now(&mut fx, &actor, destination, vec![]);
    assert_eq!(
        plan.retained_admins,
        vec![
            (
                fx.bob,
                "bob@outlook.com".to_string(),
                ClassicRole::ServiceAdministrator
            ),
            (
                fx.alice,
                "alice@outlook.com".to_string(),
                ClassicRole::AccountAdministrator
            ),
        ]
    );
    assert_eq!(fx.subscription().tenant, fx.contoso);
    // Bob, the service administrator, was made a guest of Contoso and keeps access.
    assert!(fx.owns(&fx.as_user(fx.contoso, fx.bob)));
}

#[test]
fn the_operator_changes_the_directory_without_presence_and_despite_policies() {
    let mut fx = Fx::article();
    fx.policy(fx.alicedefault, true, false, vec![]);
    fx.policy(fx.contoso, false, true, vec![]);
    let plan = preview(&fx, &Actor::Operator, fx.contoso, &[]);
    assert!(plan.blockers.is_empty());
    let (actor, destination) = (Actor::Operator, fx.contoso);
    move_now(&mut fx, &actor, destination, vec![]);
    assert_eq!(fx.subscription().tenant, fx.contoso);
    assert!(fx.owns(&fx.as_user(fx.contoso, fx.alice)));
}

#[test]
fn an_organizational_service_administrator_moving_home_keeps_its_member_object() {
    let mut fx = Fx::article();
    // A subscription of alicedefault whose service administrator is carol of Contoso (present as a guest).
    let carol = org(&fx.world, fx.carol);
    fx.guest(fx.alicedefault, carol);
    fx.ok(|fx| {
        admins::change_service_admin(
            &fx.world,
            &Actor::Operator,
            fx.sub,
            "carol@contoso.com",
            None,
            fx.now,
        )
    });
    let carol_there = fx.as_user(fx.alicedefault, carol);
    let (actor, destination) = (carol_there, fx.contoso);
    let plan = move_now(&mut fx, &actor, destination, vec![]);
    // No guest is made: she is a member of the destination.
    assert!(plan.service_admin_guest.is_none());
    assert!(fx.owns(&fx.member(fx.carol)));
}

// ----- the principal map -----

#[test]
fn a_principal_map_regrants_assignments_and_co_administrator_roles_in_the_same_change() {
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    let useradmin_upn = "useradmin@contoso.onmicrosoft.com";
    let map = vec![
        // erin (by UPN) → carol (by UPN): erin's Reader on rg1 goes to carol.
        entry("erin@alicedefault.onmicrosoft.com", "carol@contoso.com"),
        // The application (by client id) → the User Administrator (by object id): Log Reader on the subscription.
        entry(
            &fx.world.application(fx.app).unwrap().client_id.to_string(),
            &fx.contoso_useradmin.to_string(),
        ),
        // Dave, co-administrator (by email) → carol: she becomes co-administrator.
        entry("dave@outlook.com", "Carol@contoso.com"),
    ];
    let plan = preview(&fx, &fx.alice_home(), fx.contoso, &map);
    assert!(plan.blockers.is_empty(), "{:?}", plan.blockers);
    assert_eq!(plan.regranted_assignments.len(), 2);
    assert_eq!(
        plan.regranted_co_admins,
        vec![(org(&fx.world, fx.carol), "carol@contoso.com".to_string())]
    );
    assert_eq!(
        plan.kept_custom_roles
            .iter()
            .map(|d| d.id)
            .collect::<Vec<_>>(),
        vec![fx.log_reader]
    );
    assert!(plan.removed_custom_roles.is_empty());
    let initiated = fx.ok_with(|fx| {
        change_directory::initiate(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            fx.contoso,
            None,
            map.clone(),
            fx.now,
        )
    });
    assert!(matches!(initiated, Initiated::Completed(_)));
    let s = fx.world.subscription(fx.sub).unwrap();
    let mut got: Vec<(ObjectId, RoleDefinitionId, String, PrincipalType)> = s
        .assignments
        .values()
        .map(|a| {
            (
                a.principal,
                a.role_definition,
                a.scope.to_string(),
                a.principal_type,
            )
        })
        .collect();
    got.sort_by_key(|g| g.2.clone());
    let mut expected = vec![
        (
            fx.carol,
            roles::READER,
            fx.rg("rg1").to_string(),
            PrincipalType::User,
        ),
        (
            fx.contoso_useradmin,
            fx.log_reader,
            fx.sub_scope().to_string(),
            PrincipalType::User,
        ),
    ];
    expected.sort_by_key(|g| g.2.clone());
    assert_eq!(got, expected);
    // The old ids are gone; the new ones are fresh.
    assert!(!s.assignments.contains_key(&fx.erin_reader));
    assert_eq!(s.subscription.co_admins, vec![org(&fx.world, fx.carol)]);
    assert!(s.custom_roles.contains_key(&fx.log_reader));
    // The re-granted principals have their access, through Contoso tokens.
    let carol = fx.member(fx.carol);
    assert!(fx.owns(&carol));
    let useradmin = fx.member(fx.contoso_useradmin);
    assert!(fx.can(&useradmin, names::RESOURCE_GROUP_READ, &fx.rg("rg1")));
    assert!(!fx.can(&useradmin, STORAGE_READ, &fx.storage));
    // The request keeps the map it was made with.
    assert_eq!(s.change_request.as_ref().unwrap().principal_map, map);
    let _ = useradmin_upn;
}

#[test]
fn a_principal_map_carries_over_through_a_waiting_request() {
    let mut fx = Fx::article();
    let map = vec![entry(&fx.erin.to_string(), "carol@contoso.com")];
    let alice = fx.alice_home();
    let initiated = fx.ok_with(|fx| {
        change_directory::initiate(&fx.world, &alice, fx.sub, fx.contoso, None, map, fx.now)
    });
    assert!(matches!(initiated, Initiated::Waiting(_)));
    let admin = fx.member(fx.contoso_admin);
    fx.ok_with(|fx| change_directory::accept(&fx.world, &admin, fx.sub, fx.now));
    let carol = fx.member(fx.carol);
    assert!(fx.can(&carol, names::RESOURCE_GROUP_READ, &fx.rg("rg1")));
}

#[test]
fn a_principal_map_naming_an_unknown_source_or_target_is_refused() {
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    let admin = fx.member(fx.contoso_admin);
    let (_, pending) = fx.ok_with(|fx| {
        guests::invite(&fx.world, &admin, fx.contoso, "pending@example.com", fx.now)
            .map(|(c, i, g)| (c, (i, g)))
    });
    let cases = [
        (
            entry("nobody@example.com", "carol@contoso.com"),
            codes::MAP_SOURCE,
        ),
        // carol is a principal of Contoso, not of the current directory.
        (
            entry("carol@contoso.com", "carol@contoso.com"),
            codes::MAP_SOURCE,
        ),
        (
            entry("erin@alicedefault.onmicrosoft.com", "nobody@contoso.com"),
            codes::MAP_TARGET,
        ),
        // erin is not in Contoso.
        (
            entry("erin@alicedefault.onmicrosoft.com", &fx.erin.to_string()),
            codes::MAP_TARGET,
        ),
        // A pending guest is not present.
        (
            entry("erin@alicedefault.onmicrosoft.com", &pending.to_string()),
            codes::MAP_TARGET,
        ),
        (
            entry("erin@alicedefault.onmicrosoft.com", "pending@example.com"),
            codes::MAP_TARGET,
        ),
    ];
    for (e, expected) in cases {
        let plan = preview(&fx, &fx.alice_home(), fx.contoso, std::slice::from_ref(&e));
        assert_eq!(blocker_codes(&plan), vec![expected], "{e:?}");
        let r = change_directory::initiate(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            fx.contoso,
            None,
            vec![e.clone()],
            fx.now,
        );
        assert_eq!(code(r), expected, "{e:?}");
    }
    assert_eq!(fx.subscription().tenant, fx.alicedefault);
}

#[test]
fn a_principal_map_cannot_regrant_more_than_the_assignment_limit() {
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    // erin holds 1,400 assignments; mapping her to three principals would make 4,200.
    let roles = [
        roles::OWNER,
        roles::CONTRIBUTOR,
        roles::READER,
        roles::USER_ACCESS_ADMINISTRATOR,
        roles::RBAC_ADMINISTRATOR,
    ];
    for i in 0..280 {
        let name = format!("g{i}");
        fx.put_group(&name);
        for r in roles {
            let (change, _) = tenantry_domain::rules::access::create_role_assignment(
                &fx.world,
                &Actor::Operator,
                tenantry_domain::rules::access::RoleAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    scope: fx.rg(&name),
                    role_definition: r,
                    principal: fx.erin,
                    description: None,
                    principal_type: None,
                },
                fx.now,
            )
            .unwrap();
            fx.world.apply(&change);
        }
    }
    let map = vec![
        entry("erin@alicedefault.onmicrosoft.com", "carol@contoso.com"),
        entry(
            "erin@alicedefault.onmicrosoft.com",
            "admin@contoso.onmicrosoft.com",
        ),
        entry(
            "erin@alicedefault.onmicrosoft.com",
            "useradmin@contoso.onmicrosoft.com",
        ),
    ];
    let plan = preview(&fx, &fx.alice_home(), fx.contoso, &map);
    assert!(plan.regranted_assignments.len() > MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION);
    assert_eq!(blocker_codes(&plan), vec!["RoleAssignmentLimitExceeded"]);
    let r = change_directory::initiate(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.contoso,
        None,
        map,
        fx.now,
    );
    assert_eq!(code(r), "RoleAssignmentLimitExceeded");
}

#[test]
fn a_principal_map_never_makes_the_service_administrator_a_co_administrator() {
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    let map = vec![entry("dave@outlook.com", "alice@outlook.com")];
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    move_now(&mut fx, &actor, destination, map);
    assert!(fx.subscription().co_admins.is_empty());
}

#[test]
fn a_principal_map_cannot_regrant_more_than_200_co_administrators() {
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    // Dave, the one co-administrator, mapped to 201 members of Contoso.
    let mut map = Vec::new();
    for i in 0..201 {
        let name = format!("ops{i}");
        fx.user(fx.contoso, &name, None);
        map.push(entry(
            "dave@outlook.com",
            &format!("{name}@contoso.onmicrosoft.com"),
        ));
    }
    let plan = preview(&fx, &fx.alice_home(), fx.contoso, &map);
    assert_eq!(plan.regranted_co_admins.len(), 201);
    assert_eq!(blocker_codes(&plan), vec!["CoAdministratorLimitExceeded"]);
    let r = change_directory::initiate(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.contoso,
        None,
        map,
        fx.now,
    );
    assert_eq!(code(r), "CoAdministratorLimitExceeded");
}

#[test]
fn a_principal_map_names_the_present_guest_when_an_invitation_is_still_pending() {
    // Dave was invited to Contoso (pending) and later became present there by another way (here: the
    // operator made him co-administrator of a Contoso subscription). Mapping to his email must find the
    // present guest, whichever order the tenant's users are kept in.
    for _ in 0..20 {
        let mut fx = Fx::article();
        link_contoso(&mut fx);
        let admin = fx.member(fx.contoso_admin);
        let (_, pending) = fx.ok_with(|fx| {
            guests::invite(&fx.world, &admin, fx.contoso, "dave@outlook.com", fx.now)
                .map(|(c, i, g)| (c, (i, g)))
        });
        let contoso_admin = org(&fx.world, fx.contoso_admin);
        let other = fx.ok_with(|fx| {
            admins::create_subscription(
                &fx.world,
                &Actor::Operator,
                admins::NewSubscription {
                    id: None,
                    display_name: "Contoso Prod".into(),
                    tenant: fx.contoso,
                    service_admin: contoso_admin,
                    account_admin: None,
                },
                fx.now,
            )
        });
        fx.ok_with(|fx| {
            admins::add_co_admin(
                &fx.world,
                &Actor::Operator,
                other,
                "dave@outlook.com",
                None,
                fx.now,
            )
        });
        let present = fx.world.presence(fx.dave, fx.contoso).unwrap();
        assert_ne!(present, pending);
        let map = vec![entry(
            "erin@alicedefault.onmicrosoft.com",
            "dave@outlook.com",
        )];
        let plan = preview(&fx, &fx.alice_home(), fx.contoso, &map);
        assert!(plan.blockers.is_empty(), "{:?}", plan.blockers);
        assert_eq!(plan.regranted_assignments[0].assignment.principal, present);
    }
}

#[test]
fn managed_identities_are_re_created_in_the_destination_with_their_assignments_in_the_subscription()
{
    use tenantry_domain::rules::identities::{self, IdentityWrite};
    use tenantry_domain::rules::resources::{self, ResourceWrite};
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    let write = |identity| ResourceWrite {
        identity,
        location: Some("westeurope".into()),
        kind: None,
        tags: Default::default(),
        properties: serde_json::json!({}),
    };
    let uai = identities::identity_scope(fx.sub, "rg1", "id-web").unwrap();
    fx.ok_with(|fx| {
        resources::put_resource(&fx.world, &Actor::Operator, &uai, write(None), fx.now)
    });
    let site = Scope::resource(fx.sub, "rg1", "Microsoft.Web", "sites/web1").unwrap();
    let system = Some(IdentityWrite {
        type_name: "SystemAssigned".into(),
        user_assigned: vec![],
        ..Default::default()
    });
    fx.ok_with(|fx| {
        resources::put_resource(&fx.world, &Actor::Operator, &site, write(system), fx.now)
    });
    let old_user = fx.world.managed_identity(&uai).unwrap().id;
    let old_system = fx.world.managed_identity(&site).unwrap().id;
    fx.assign(fx.storage.clone(), roles::CONTRIBUTOR, old_user);
    fx.assign(fx.rg("rg1"), roles::READER, old_system);

    let (actor, destination) = (fx.alice_home(), fx.contoso);
    let preview = preview(&fx, &actor, destination, &[]);
    assert_eq!(preview.managed_identities.len(), 2);
    let plan = move_now(&mut fx, &actor, destination, vec![]);
    assert_eq!(fx.subscription().tenant, fx.contoso);
    assert!(violations(&fx.world).is_empty());
    for (scope, old) in [(&uai, old_user), (&site, old_system)] {
        let new = fx.world.managed_identity(scope).unwrap();
        assert_eq!(new.tenant, fx.contoso);
        assert_ne!(new.id, old);
        assert!(fx.world.application(old).is_none());
        let m = plan
            .managed_identities
            .iter()
            .find(|m| &m.resource == scope)
            .unwrap();
        assert_eq!((m.old_principal_id, m.new_principal_id), (old, new.id));
    }
    // Their assignments in the subscription now name the new principals.
    let new_user = fx.world.managed_identity(&uai).unwrap().id;
    let new_system = fx.world.managed_identity(&site).unwrap().id;
    let mi = application(&fx.world, new_user);
    assert!(fx.can(&mi, STORAGE_WRITE, &fx.storage));
    let mi = application(&fx.world, new_system);
    assert!(fx.can(&mi, STORAGE_READ, &fx.rg("rg1")));
    assert!(!fx.can(&mi, STORAGE_WRITE, &fx.rg("rg1")));
}

/// The application "ci" loses its Log Reader in the move; it signs in with a federated credential, which
/// stays in Alice's directory and keeps working there: the preview says so. An application without such
/// credentials is not listed.
#[test]
fn the_preview_says_which_applications_keep_their_certificates_and_federated_credentials() {
    use tenantry_domain::rules::federated::{self, NewFederatedCredential};
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    let plan = preview(&fx, &fx.alice_home(), fx.contoso, &[]);
    assert!(
        plan.kept_credentials.is_empty(),
        "{:?}",
        plan.kept_credentials
    );

    let (t, app) = (fx.alicedefault, fx.app);
    fx.ok_with(|fx| {
        federated::add_federated_credential(
            &fx.world,
            &Actor::Operator,
            t,
            app,
            NewFederatedCredential {
                name: "main-branch".into(),
                issuer: "https://token.actions.githubusercontent.com".into(),
                subject: "repo:alice/app:ref:refs/heads/main".into(),
                ..Default::default()
            },
            fx.now,
        )
    });
    let plan = preview(&fx, &fx.alice_home(), fx.contoso, &[]);
    let ci = &fx.world.tenant(t).unwrap().applications[&app];
    assert_eq!(
        plan.kept_credentials,
        [change_directory::CredentialsKept {
            application_id: ci.client_id,
            display_name: ci.display_name.clone(),
            certificates: 0,
            federated_credentials: 1,
        }]
    );
    assert!(
        plan.removed_assignments
            .iter()
            .any(|a| a.assignment.principal == app),
        "the application loses its assignment"
    );
}

#[test]
fn a_subscription_that_changes_directory_leaves_its_group_for_the_destinations_root() {
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    let (actor, source) = (fx.alice_home(), fx.alicedefault);
    let write = tenantry_domain::rules::hierarchy::ManagementGroupWrite::default();
    fx.ok_with(|fx| {
        tenantry_domain::rules::hierarchy::put_management_group(
            &fx.world, &actor, source, "platform", write, fx.now,
        )
    });
    fx.ok(|fx| {
        tenantry_domain::rules::hierarchy::move_subscription(
            &fx.world, &actor, source, "platform", fx.sub, fx.now,
        )
    });
    let plan = preview(&fx, &actor, fx.contoso, &[]);
    assert_eq!(plan.leaves_management_group.unwrap().name, "platform");
    let destination = fx.contoso;
    move_now(&mut fx, &actor, destination, vec![]);
    assert!(violations(&fx.world).is_empty());
    assert!(
        fx.world
            .tenant(source)
            .unwrap()
            .subscription_parents()
            .is_empty()
    );
    assert_eq!(
        fx.world
            .subscriptions_under_group(destination, &destination.to_string()),
        vec![fx.sub]
    );
}

#[test]
fn a_subscription_that_changes_directory_lands_under_the_destinations_default_group() {
    let mut fx = Fx::article();
    link_contoso(&mut fx);
    let (actor, destination) = (fx.alice_home(), fx.contoso);
    let op = Actor::Operator;
    fx.ok_with(|fx| {
        tenantry_domain::rules::hierarchy::put_management_group(
            &fx.world,
            &op,
            destination,
            "arrivals",
            Default::default(),
            fx.now,
        )
    });
    let settings = tenantry_domain::rules::hierarchy_settings::HierarchySettingsWrite {
        require_authorization_for_group_creation: None,
        default_management_group: Some("arrivals".into()),
    };
    fx.ok(|fx| {
        tenantry_domain::rules::hierarchy_settings::put_hierarchy_settings(
            &fx.world,
            &op,
            destination,
            &destination.to_string(),
            settings,
            true,
            fx.now,
        )
    });
    move_now(&mut fx, &actor, destination, vec![]);
    assert!(violations(&fx.world).is_empty());
    assert_eq!(
        fx.world.subscriptions_under_group(destination, "arrivals"),
        vec![fx.sub]
    );
}
