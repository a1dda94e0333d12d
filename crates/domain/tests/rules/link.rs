//! "Use existing directory" (the article's step 1) and the B2B invitations underneath it.

use crate::fixtures::*;
use tenantry_domain::rules::AccountType;
use tenantry_domain::rules::admins;
use tenantry_domain::rules::guests;
use tenantry_domain::*;

/// Alice asks to link Contoso to Pay-As-You-Go.
fn request(fx: &mut Fx) -> RequestId {
    fx.ok_with(|fx| guests::request_link(&fx.world, &fx.alice_home(), fx.sub, fx.contoso, fx.now))
}

/// Makes an organizational account of Fabrikam (sam) the service administrator (the operator may), present
/// in alicedefault as a redeemed guest.
fn sam_service_admin(fx: &mut Fx) -> Actor {
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
    fx.as_user(fx.alicedefault, sam)
}

#[test]
fn the_service_administrator_links_an_existing_directory_with_a_global_administrators_approval() {
    let mut fx = Fx::article();
    assert_eq!(
        fx.world
            .tenants_of_identity(fx.alice)
            .iter()
            .map(|(t, _)| *t)
            .collect::<Vec<_>>(),
        vec![fx.alicedefault]
    );
    let id = request(&mut fx);
    // Nothing changes for Alice until the Global Administrator approves.
    assert!(fx.world.presence(fx.alice, fx.contoso).is_none());
    let admin = fx.member(fx.contoso_admin);
    fx.ok(|fx| guests::approve_link(&fx.world, &admin, fx.contoso, id, fx.now + 60));
    let guest = fx
        .world
        .presence(fx.alice, fx.contoso)
        .expect("a guest of Contoso now");
    let u = fx.world.user(guest).unwrap();
    assert!(u.is_present() && !u.is_member());
    assert_eq!(u.identity(), Some(fx.alice));
    let mut tenants: Vec<TenantId> = fx
        .world
        .tenants_of_identity(fx.alice)
        .iter()
        .map(|(t, _)| *t)
        .collect();
    tenants.sort();
    let mut expected = vec![fx.alicedefault, fx.contoso];
    expected.sort();
    assert_eq!(tenants, expected);
    let r = &fx.world.tenant(fx.contoso).unwrap().link_requests[&id];
    assert_eq!(r.status, RequestStatus::Completed);
    assert_eq!(r.decided_by, Some(fx.contoso_admin));
    // The subscription still trusts alicedefault: linking is not moving.
    assert_eq!(fx.subscription().tenant, fx.alicedefault);
}

#[test]
fn a_co_administrator_cannot_use_an_existing_directory() {
    let fx = Fx::article();
    let e = refusal(guests::request_link(
        &fx.world,
        &fx.dave_home(),
        fx.sub,
        fx.contoso,
        fx.now,
    ));
    assert_eq!(e.code, "NotServiceAdministrator");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert!(e.message.contains("co-administrators cannot"));
    assert!(e.remedy.is_some());
}

#[test]
fn the_account_administrator_who_is_not_service_administrator_cannot_use_an_existing_directory() {
    let mut fx = Fx::article();
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
    let r = guests::request_link(&fx.world, &fx.alice_home(), fx.sub, fx.contoso, fx.now);
    assert_eq!(code(r), "NotServiceAdministrator");
}

#[test]
fn the_service_administrator_must_sign_in_to_the_subscriptions_directory_to_link_another() {
    let mut fx = Fx::article();
    fx.guest(fx.fabrikam, fx.alice);
    let alice_in_fabrikam = fx.as_user(fx.fabrikam, fx.alice);
    let r = guests::request_link(&fx.world, &alice_in_fabrikam, fx.sub, fx.contoso, fx.now);
    assert_eq!(code(r), "InvalidAuthenticationTokenTenant");
    let r = guests::request_link(
        &fx.world,
        &personal(&fx.world, fx.alice),
        fx.sub,
        fx.contoso,
        fx.now,
    );
    assert_eq!(code(r), "InvalidAuthenticationTokenTenant");
}

#[test]
fn an_ordinary_member_cannot_approve_a_directory_link() {
    let mut fx = Fx::article();
    let id = request(&mut fx);
    let e = refusal(guests::approve_link(
        &fx.world,
        &fx.member(fx.carol),
        fx.contoso,
        id,
        fx.now,
    ));
    assert_eq!(e.code, "ApproverNotGlobalAdministrator");
    assert!(e.remedy.unwrap().contains("Global Administrator"));
    // A User Administrator is not enough either.
    let r = guests::approve_link(
        &fx.world,
        &fx.member(fx.contoso_useradmin),
        fx.contoso,
        id,
        fx.now,
    );
    assert_eq!(code(r), "ApproverNotGlobalAdministrator");
    assert!(fx.world.presence(fx.alice, fx.contoso).is_none());
}

#[test]
fn a_global_administrator_of_another_tenant_cannot_approve_a_directory_link() {
    let mut fx = Fx::article();
    let id = request(&mut fx);
    // Alice is Global Administrator of alicedefault, not of Contoso.
    let r = guests::approve_link(&fx.world, &fx.alice_home(), fx.contoso, id, fx.now);
    assert_eq!(code(r), "ApproverNotGlobalAdministrator");
    let r = guests::approve_link(
        &fx.world,
        &fx.member(fx.fabrikam_admin),
        fx.contoso,
        id,
        fx.now,
    );
    assert_eq!(code(r), "ApproverNotGlobalAdministrator");
}

#[test]
fn a_service_administrator_whose_email_is_a_members_cannot_link() {
    let mut fx = Fx::article();
    let sam = sam_service_admin(&mut fx);
    // Contoso has a member whose mail is sam's address.
    fx.user(fx.contoso, "samuel", Some("sam@fabrikam.com"));
    let e = refusal(guests::request_link(
        &fx.world, &sam, fx.sub, fx.contoso, fx.now,
    ));
    assert_eq!(e.code, "ServiceAdministratorIsMember");
    assert!(e.remedy.is_some());
}

#[test]
fn a_service_administrator_whose_email_is_a_global_administrators_cannot_link() {
    let mut fx = Fx::article();
    let sam = sam_service_admin(&mut fx);
    let samuel = fx.user(fx.contoso, "samuel", Some("sam@fabrikam.com"));
    fx.grant_directory_role(fx.contoso, DirectoryRole::GlobalAdministrator, samuel);
    let r = guests::request_link(&fx.world, &sam, fx.sub, fx.contoso, fx.now);
    assert_eq!(code(r), "ServiceAdministratorIsGlobalAdministrator");
}

#[test]
fn a_personal_service_administrator_named_like_a_member_is_ambiguous_and_a_member() {
    let mut fx = Fx::article();
    // A personal account with carol's work address, made service administrator.
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
    let pc = fx.subscription().service_admin;
    let actor = fx.as_user(fx.alicedefault, pc);
    let e = refusal(guests::request_link(
        &fx.world, &actor, fx.sub, fx.contoso, fx.now,
    ));
    assert_eq!(
        codes(&e),
        vec![
            "AmbiguousAccount".to_string(),
            "ServiceAdministratorIsMember".to_string()
        ]
    );
    assert!(e.remedy.unwrap().contains("another personal account"));
}

#[test]
fn a_service_administrator_whose_email_is_both_personal_and_organizational_cannot_link() {
    let mut fx = Fx::article();
    // alice@outlook.com is also the mail of a Fabrikam member: ambiguous everywhere, Contoso included.
    fx.user(fx.fabrikam, "alice.f", Some("alice@outlook.com"));
    let e = refusal(guests::request_link(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.contoso,
        fx.now,
    ));
    assert_eq!(codes(&e), vec!["AmbiguousAccount".to_string()]);
    // The article's remedy: another personal account as service administrator, then link.
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
    let id = fx.ok_with(|fx| guests::request_link(&fx.world, &bob, fx.sub, fx.contoso, fx.now));
    let admin = fx.member(fx.contoso_admin);
    fx.ok(|fx| guests::approve_link(&fx.world, &admin, fx.contoso, id, fx.now));
    assert!(fx.world.presence(fx.bob, fx.contoso).is_some());
}

#[test]
fn a_directory_already_linked_cannot_be_linked_again() {
    let mut fx = Fx::article();
    let id = request(&mut fx);
    let second = request(&mut fx);
    let admin = fx.member(fx.contoso_admin);
    fx.ok(|fx| guests::approve_link(&fx.world, &admin, fx.contoso, id, fx.now));
    let r = guests::request_link(&fx.world, &fx.alice_home(), fx.sub, fx.contoso, fx.now);
    assert_eq!(code(r), "DirectoryAlreadyLinked");
    // A second request made before is refused at approval.
    let r = guests::approve_link(&fx.world, &admin, fx.contoso, second, fx.now);
    assert_eq!(code(r), "DirectoryAlreadyLinked");
    // And the subscription's own directory is linked by definition.
    let r = guests::request_link(&fx.world, &fx.alice_home(), fx.sub, fx.alicedefault, fx.now);
    assert_eq!(code(r), "DirectoryAlreadyLinked");
}

#[test]
fn the_prerequisites_are_checked_again_when_the_global_administrator_approves() {
    let mut fx = Fx::article();
    let sam = sam_service_admin(&mut fx);
    let id = fx.ok_with(|fx| guests::request_link(&fx.world, &sam, fx.sub, fx.contoso, fx.now));
    fx.user(fx.contoso, "samuel", Some("sam@fabrikam.com"));
    let r = guests::approve_link(
        &fx.world,
        &fx.member(fx.contoso_admin),
        fx.contoso,
        id,
        fx.now,
    );
    assert_eq!(code(r), "ServiceAdministratorIsMember");
}

#[test]
fn a_link_request_expires_after_a_day() {
    let mut fx = Fx::article();
    let id = request(&mut fx);
    let r = guests::approve_link(
        &fx.world,
        &fx.member(fx.contoso_admin),
        fx.contoso,
        id,
        fx.now + DAY,
    );
    assert_eq!(code(r), "LinkRequestExpired");
    let admin = fx.member(fx.contoso_admin);
    fx.ok(|fx| guests::approve_link(&fx.world, &admin, fx.contoso, id, fx.now + DAY - 1));
}

#[test]
fn a_link_request_is_void_once_the_service_administrator_changed() {
    let mut fx = Fx::article();
    let id = request(&mut fx);
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
    let r = guests::approve_link(
        &fx.world,
        &fx.member(fx.contoso_admin),
        fx.contoso,
        id,
        fx.now,
    );
    assert_eq!(code(r), "ServiceAdministratorChanged");
}

#[test]
fn the_global_administrator_declines_and_the_requester_withdraws() {
    let mut fx = Fx::article();
    let id = request(&mut fx);
    let r = guests::decline_link(&fx.world, &fx.member(fx.carol), fx.contoso, id, fx.now);
    assert_eq!(code(r), "ApproverNotGlobalAdministrator");
    let admin = fx.member(fx.contoso_admin);
    fx.ok(|fx| guests::decline_link(&fx.world, &admin, fx.contoso, id, fx.now));
    assert_eq!(
        fx.world.tenant(fx.contoso).unwrap().link_requests[&id].status,
        RequestStatus::Declined
    );
    let r = guests::approve_link(&fx.world, &admin, fx.contoso, id, fx.now);
    assert_eq!(code(r), "LinkRequestClosed");
    let id = request(&mut fx);
    fx.ok(|fx| guests::decline_link(&fx.world, &fx.alice_home(), fx.contoso, id, fx.now));
    assert_eq!(
        fx.world.tenant(fx.contoso).unwrap().link_requests[&id].status,
        RequestStatus::Cancelled
    );
    assert!(fx.world.presence(fx.alice, fx.contoso).is_none());
}

#[test]
fn only_the_requester_cancels_her_request() {
    let mut fx = Fx::article();
    let id = request(&mut fx);
    // The Global Administrator declines; cancelling is not hers to do.
    let admin = fx.member(fx.contoso_admin);
    let r = guests::cancel_link(&fx.world, &admin, fx.contoso, id, fx.now);
    assert_eq!(code(r), "NotTheRequester");
    let r = guests::cancel_link(&fx.world, &admin, fx.contoso, RequestId::new(), fx.now);
    assert_eq!(
        code(r),
        "NotTheRequester",
        "the same whether it exists or not"
    );
    fx.ok(|fx| guests::cancel_link(&fx.world, &fx.alice_home(), fx.contoso, id, fx.now));
    assert_eq!(
        fx.world.tenant(fx.contoso).unwrap().link_requests[&id].status,
        RequestStatus::Cancelled
    );
    let r = guests::cancel_link(&fx.world, &fx.alice_home(), fx.contoso, id, fx.now);
    assert_eq!(code(r), "LinkRequestClosed");
}

// ----- invitations -----

fn invite(
    fx: &Fx,
    actor: &Actor,
    tenant: TenantId,
    email: &str,
) -> Result<(Change, RequestId, ObjectId), DomainError> {
    guests::invite(&fx.world, actor, tenant, email, fx.now)
}

#[test]
fn global_and_user_administrators_invite_guests() {
    let mut fx = Fx::article();
    for (who, email) in [
        (fx.contoso_admin, "one@example.com"),
        (fx.contoso_useradmin, "two@example.com"),
    ] {
        let actor = fx.member(who);
        let (inv, guest) =
            fx.ok_with(|fx| invite(fx, &actor, fx.contoso, email).map(|(c, i, g)| (c, (i, g))));
        let t = fx.world.tenant(fx.contoso).unwrap();
        assert_eq!(t.invitations[&inv].status, RequestStatus::Pending);
        assert_eq!(t.invitations[&inv].invited_by, Some(who));
        let u = &t.users[&guest];
        // The guest object exists from the start, pending: not present.
        assert!(!u.is_present());
        assert_eq!(u.mail(), Some(email));
    }
}

#[test]
fn ordinary_members_and_other_tenants_administrators_cannot_invite() {
    let fx = Fx::article();
    let r = invite(&fx, &fx.member(fx.carol), fx.contoso, "one@example.com");
    assert_eq!(code(r), "Authorization_RequestDenied");
    let r = invite(
        &fx,
        &fx.member(fx.fabrikam_admin),
        fx.contoso,
        "one@example.com",
    );
    assert_eq!(code(r), "Authorization_RequestDenied");
    let r = invite(
        &fx,
        &personal(&fx.world, fx.bob),
        fx.contoso,
        "one@example.com",
    );
    assert_eq!(code(r), "Authorization_RequestDenied");
}

#[test]
fn inviting_a_member_email_is_refused() {
    let fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    // By UPN and by mail.
    let r = invite(&fx, &admin, fx.contoso, "useradmin@contoso.onmicrosoft.com");
    assert_eq!(code(r), "InvitedUserIsMember");
    let r = invite(&fx, &admin, fx.contoso, "Carol@Contoso.com");
    assert_eq!(code(r), "InvitedUserIsMember");
    let r = invite(&fx, &admin, fx.contoso, "not an email");
    assert_eq!(code(r), "InvalidEmail");
}

#[test]
fn an_invitation_is_redeemed_only_by_the_invited_email() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let (inv, _) = fx.ok_with(|fx| {
        invite(fx, &admin, fx.contoso, "dave@outlook.com").map(|(c, i, g)| (c, (i, g)))
    });
    // Someone else is told what a link that names nothing tells: not whom it invites, nor that it exists.
    let bob = personal(&fx.world, fx.bob);
    let e = refusal(guests::redeem(&fx.world, &bob, fx.contoso, inv, fx.now));
    let missing = refusal(guests::redeem(
        &fx.world,
        &bob,
        fx.contoso,
        RequestId::new(),
        fx.now,
    ));
    assert_eq!(e.code, "InvitationNotFound");
    assert_eq!(
        (e.kind, e.code.as_str()),
        (missing.kind, missing.code.as_str())
    );
    assert!(!e.full_message().contains("dave@outlook.com"), "{e}");
    assert!(!e.full_message().contains("Contoso"), "{e}");
    // An application is nobody's email.
    let r = guests::redeem(
        &fx.world,
        &application(&fx.world, fx.app),
        fx.contoso,
        inv,
        fx.now,
    );
    assert_eq!(code(r), "SignInRequired");
    assert!(fx.world.presence(fx.bob, fx.contoso).is_none());
    assert!(fx.world.presence(fx.dave, fx.contoso).is_none());
}

#[test]
fn a_redeemed_guest_is_present_and_an_invitation_cannot_be_redeemed_twice() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let (inv, guest) = fx.ok_with(|fx| {
        invite(fx, &admin, fx.contoso, "dave@outlook.com").map(|(c, i, g)| (c, (i, g)))
    });
    // Dave redeems signed in to the consumer realm, or to a directory where he is present: same person.
    let dave = fx.dave_home();
    fx.ok(|fx| guests::redeem(&fx.world, &dave, fx.contoso, inv, fx.now));
    assert_eq!(fx.world.presence(fx.dave, fx.contoso), Some(guest));
    let u = fx.world.user(guest).unwrap();
    assert!(u.is_present());
    assert_eq!(u.display_name, "Dave");
    assert_eq!(
        fx.world.tenant(fx.contoso).unwrap().invitations[&inv].status,
        RequestStatus::Completed
    );
    let r = guests::redeem(
        &fx.world,
        &personal(&fx.world, fx.dave),
        fx.contoso,
        inv,
        fx.now,
    );
    assert_eq!(code(r), "InvitationAlreadyRedeemed");
    // Inviting the same email again returns the same invitation and changes nothing.
    let (change, again, g) = invite(&fx, &admin, fx.contoso, "DAVE@outlook.com").unwrap();
    assert!(change.mutations.is_empty());
    assert_eq!((again, g), (inv, guest));
}

#[test]
fn another_tenants_user_redeems_as_a_guest_and_signs_in_there() {
    let mut fx = Fx::article();
    let carol = org(&fx.world, fx.carol);
    let guest = fx.guest(fx.fabrikam, carol);
    let actor = fx.as_user(fx.fabrikam, carol);
    assert_eq!(actor.object_id(), Some(guest));
    assert_eq!(fx.world.user(guest).unwrap().identity(), Some(carol));
}

#[test]
fn a_pending_guest_holds_no_directory_role() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let (_, guest) = fx.ok_with(|fx| {
        invite(fx, &admin, fx.contoso, "dave@outlook.com").map(|(c, i, g)| (c, (i, g)))
    });
    let r = tenantry_domain::rules::directory::add_directory_role_member(
        &fx.world,
        &admin,
        fx.contoso,
        DirectoryRole::GlobalAdministrator,
        guest,
        fx.now,
    );
    assert_eq!(code(r), "GuestNotRedeemed");
}

#[test]
fn a_member_cannot_redeem_an_invitation_into_its_own_tenant() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    // Invited while nobody had the address; then a member of Contoso got it as mail.
    let (inv, _) = fx.ok_with(|fx| {
        invite(fx, &admin, fx.contoso, "newhire@example.com").map(|(c, i, g)| (c, (i, g)))
    });
    let newhire = fx.user(fx.contoso, "newhire", Some("newhire@example.com"));
    let r = guests::redeem(&fx.world, &fx.member(newhire), fx.contoso, inv, fx.now);
    assert_eq!(code(r), "InvitedUserIsMember");
}

#[test]
fn someone_already_present_cannot_redeem_a_second_invitation() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let (inv, pending) = fx.ok_with(|fx| {
        invite(fx, &admin, fx.contoso, "dave@outlook.com").map(|(c, i, g)| (c, (i, g)))
    });
    // Dave became present in Contoso another way: he asked to link it as a service administrator.
    let dave_sub = fx.ok_with(|fx| {
        admins::create_subscription(
            &fx.world,
            &Actor::Operator,
            admins::NewSubscription {
                id: None,
                display_name: "Dave's".into(),
                tenant: fx.alicedefault,
                service_admin: fx.dave,
                account_admin: None,
            },
            fx.now,
        )
    });
    let dave = fx.dave_home();
    let id = fx.ok_with(|fx| guests::request_link(&fx.world, &dave, dave_sub, fx.contoso, fx.now));
    fx.ok(|fx| guests::approve_link(&fx.world, &admin, fx.contoso, id, fx.now));
    let present = fx.world.presence(fx.dave, fx.contoso).unwrap();
    assert_ne!(present, pending);
    let r = guests::redeem(
        &fx.world,
        &personal(&fx.world, fx.dave),
        fx.contoso,
        inv,
        fx.now,
    );
    assert_eq!(code(r), "AlreadyGuest");
}
