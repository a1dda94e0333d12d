//! The application lifecycle: an application object has its own id beside its service principal's; its
//! properties change, its secrets go, and it is deleted with everything that names it, each audited.

use crate::fixtures::*;
use tenantry_domain::rules::applications::{self, ApplicationUpdate, KeptCertificate};
use tenantry_domain::rules::{directory, reads};
use tenantry_domain::*;

#[test]
fn an_application_is_updated_by_global_administrators_within_what_tenantry_holds() {
    let mut fx = Fx::article();
    let t = fx.contoso;
    let app = fx.register_app(t, "pipeline");
    let object = fx.world.application(app).unwrap().object_id.unwrap();
    assert_ne!(object, app, "the application object has its own id");
    assert_eq!(
        reads::application(&fx.world, t, object).map(|a| a.id),
        Some(app)
    );
    let (admin, useradmin) = (fx.member(fx.contoso_admin), fx.member(fx.contoso_useradmin));
    let update = |name: &str| ApplicationUpdate {
        display_name: Some(name.into()),
        redirect_uris: Some(vec!["https://pipeline.contoso.com/signin".into()]),
        group_membership_claims: Some(GroupMembershipClaims::SecurityGroup),
        ..Default::default()
    };
    assert_eq!(
        code(applications::update_application(
            &fx.world,
            &useradmin,
            t,
            app,
            update("x"),
            fx.now
        )),
        "Authorization_RequestDenied"
    );
    let change = fx.ok(|fx| {
        applications::update_application(&fx.world, &admin, t, app, update("pipeline-2"), fx.now)
    });
    assert_eq!(
        change.audit[0].operation,
        "microsoft.directory/applications/update"
    );
    assert_eq!(change.audit[0].details["displayName"], "pipeline-2");
    let a = fx.world.application(app).unwrap();
    assert_eq!(a.display_name, "pipeline-2");
    assert_eq!(
        a.group_membership_claims,
        GroupMembershipClaims::SecurityGroup
    );
    assert_eq!(a.object_id, Some(object), "its ids stay");
    // What tenantry does not hold, and a certificate named by a key id it does not have.
    let refused = |u: ApplicationUpdate| {
        code(applications::update_application(
            &fx.world, &admin, t, app, u, fx.now,
        ))
    };
    assert_eq!(
        refused(ApplicationUpdate {
            sign_in_audience: Some("AzureADMultipleOrgs".into()),
            ..Default::default()
        }),
        "UnsupportedSignInAudience"
    );
    assert_eq!(
        refused(ApplicationUpdate {
            certificates: Some(vec![KeptCertificate::Existing(uuid::Uuid::new_v4())]),
            ..Default::default()
        }),
        "KeyCredentialWithoutKey"
    );
    assert_eq!(
        refused(ApplicationUpdate {
            redirect_uris: Some(vec!["http://pipeline.contoso.com/".into()]),
            ..Default::default()
        }),
        "InvalidRedirectUri"
    );
}

#[test]
fn a_secret_is_removed_by_its_key_id() {
    let mut fx = Fx::article();
    let t = fx.contoso;
    let app = fx.register_app(t, "pipeline");
    let admin = fx.member(fx.contoso_admin);
    let secret = ClientSecret {
        id: RequestId::new(),
        hint: "abc".into(),
        hash: "$test$abc".into(),
        start: None,
        expires: None,
    };
    let id = secret.id;
    fx.ok(|fx| directory::add_client_secret(&fx.world, &admin, t, app, secret, fx.now));
    let change =
        fx.ok(|fx| applications::remove_client_secret(&fx.world, &admin, t, app, id, fx.now));
    assert_eq!(change.audit[0].details["removedSecret"], id.to_string());
    assert!(fx.world.application(app).unwrap().secrets.is_empty());
    assert_eq!(
        code(applications::remove_client_secret(
            &fx.world, &admin, t, app, id, fx.now
        )),
        "SecretNotFound"
    );
}

#[test]
fn deleting_an_application_takes_its_assignments_and_lists_them() {
    let mut fx = Fx::article();
    let (t, app) = (fx.alicedefault, fx.app);
    let object = fx.world.application(app).unwrap().object_id.unwrap();
    let erin = fx.member(fx.erin);
    assert_eq!(
        code(applications::delete_application(
            &fx.world, &erin, t, app, fx.now
        )),
        "Authorization_RequestDenied"
    );
    let change =
        fx.ok(|fx| applications::delete_application(&fx.world, &Actor::Operator, t, app, fx.now));
    let event = &change.audit[0];
    assert_eq!(event.operation, "microsoft.directory/applications/delete");
    assert_eq!(
        event.details["roleAssignments"],
        serde_json::json!([fx.app_log_reader])
    );
    assert_eq!(event.details["applicationObjectId"], object.to_string());
    assert!(fx.world.application(app).is_none());
    assert!(fx.world.application_by_object_id(object).is_none());
    let sub = fx.world.subscription(fx.sub).unwrap();
    assert_eq!(sub.assignments_of(app).count(), 0);
    assert_eq!(
        code(applications::delete_application(
            &fx.world,
            &Actor::Operator,
            t,
            app,
            fx.now
        )),
        "ApplicationNotFound"
    );
}
