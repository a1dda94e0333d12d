//! Certificate credentials of applications: read from PEM, added and removed by Global Administrators,
//! each change audited; what the token endpoint matches an assertion's header against.

use crate::fixtures::*;
use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use tenantry_domain::certificates::MAX_CERTIFICATES;
use tenantry_domain::rules::directory;
use tenantry_domain::*;

/// A self-signed RSA certificate as PEM, valid from 2017 to 2040 (the fixtures' clock is 2017).
fn rsa_pem(cn: &str) -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec![]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    params.not_before = rcgen::date_time_ymd(2017, 1, 1);
    params.not_after = rcgen::date_time_ymd(2040, 1, 1);
    params.self_signed(&key).unwrap().pem()
}

fn cert(cn: &str) -> ApplicationCertificate {
    ApplicationCertificate::from_pem(uuid::Uuid::new_v4(), &rsa_pem(cn)).unwrap()
}

fn new_app(fx: &mut Fx) -> ObjectId {
    let t = fx.contoso;
    fx.register_app(t, "pipeline")
}

#[test]
fn a_certificate_is_read_with_its_thumbprints_subject_and_dates() {
    let pem = rsa_pem("pipeline");
    let c = ApplicationCertificate::from_pem(uuid::Uuid::nil(), &pem).unwrap();
    assert_eq!(c.display_name, "CN=pipeline");
    assert_eq!(c.start, 1_483_228_800, "2017-01-01");
    assert_eq!(c.end, 2_208_988_800, "2040-01-01");
    assert_eq!(c.thumbprint().len(), 40);
    assert!(c.is_valid_at(NOW) && !c.is_valid_at(c.end));
    // Its PEM reads back to the same certificate, with or without line breaks.
    assert_eq!(
        ApplicationCertificate::from_pem(c.key_id, &c.pem()).unwrap(),
        c
    );
    let one_line: String = pem.lines().collect();
    assert_eq!(
        ApplicationCertificate::from_pem(c.key_id, &one_line).unwrap(),
        c
    );
    // The header names it by SHA-1 or SHA-256, base64url with or without padding (msal pads).
    let x5t = URL_SAFE_NO_PAD.encode(c.sha1);
    assert!(c.matches(Some(&x5t), None));
    assert!(c.matches(Some(&URL_SAFE.encode(c.sha1)), None));
    assert!(c.matches(None, Some(&URL_SAFE.encode(c.sha256))));
    assert!(!c.matches(Some(&URL_SAFE_NO_PAD.encode(c.sha256)), None));
    assert!(!c.matches(None, None));
    // Stored as key id and DER; read back whole.
    let json = serde_json::to_string(&c).unwrap();
    assert_eq!(
        serde_json::from_str::<ApplicationCertificate>(&json).unwrap(),
        c
    );
}

#[test]
fn what_is_not_one_public_rsa_certificate_is_refused_with_what_to_fix() {
    let bad = |text: &str| code(ApplicationCertificate::from_pem(uuid::Uuid::nil(), text));
    assert_eq!(bad("hello"), "InvalidCertificate");
    assert_eq!(
        bad("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----"),
        "InvalidCertificate"
    );
    assert_eq!(
        bad("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
        "InvalidCertificate"
    );
    let with_key = format!("{}-----BEGIN PRIVATE KEY-----\n…", rsa_pem("x"));
    let e = refusal(ApplicationCertificate::from_pem(
        uuid::Uuid::nil(),
        &with_key,
    ));
    assert_eq!(e.code, "InvalidCertificate");
    assert!(e.message.contains("private key"), "{e}");
    let ec = rcgen::generate_simple_self_signed(vec!["ec".into()]).unwrap();
    assert_eq!(bad(&ec.cert.pem()), "CertificateKeyNotSupported");
}

#[test]
fn certificates_are_added_and_removed_by_global_administrators_and_audited() {
    let mut fx = Fx::article();
    let app = new_app(&mut fx);
    let (admin, useradmin, t) = (
        fx.member(fx.contoso_admin),
        fx.member(fx.contoso_useradmin),
        fx.contoso,
    );
    let c = cert("pipeline");
    assert_eq!(
        code(directory::add_certificate(
            &fx.world,
            &useradmin,
            t,
            app,
            c.clone(),
            fx.now
        )),
        "Authorization_RequestDenied",
        "a User Administrator does not manage applications"
    );
    let change =
        fx.ok(|fx| directory::add_certificate(&fx.world, &admin, t, app, c.clone(), fx.now));
    assert_eq!(change.audit.len(), 1);
    assert_eq!(
        change.audit[0].operation,
        "microsoft.directory/applications/credentials/update"
    );
    assert_eq!(change.audit[0].details["thumbprint"], c.thumbprint());
    let application = &fx.world.tenant(t).unwrap().applications[&app];
    assert_eq!(application.certificates, vec![c.clone()]);
    assert!(
        signin::is_confidential(application),
        "a certificate makes it confidential"
    );
    // The same certificate again, under another key id, is the same credential.
    let again = ApplicationCertificate {
        key_id: uuid::Uuid::new_v4(),
        ..c.clone()
    };
    assert_eq!(
        code(directory::add_certificate(
            &fx.world, &admin, t, app, again, fx.now
        )),
        "DuplicateCertificate"
    );
    assert_eq!(
        code(directory::remove_certificate(
            &fx.world, &useradmin, t, app, c.key_id, fx.now
        )),
        "Authorization_RequestDenied"
    );
    assert_eq!(
        code(directory::remove_certificate(
            &fx.world,
            &admin,
            t,
            app,
            uuid::Uuid::nil(),
            fx.now
        )),
        "CertificateNotFound"
    );
    let change =
        fx.ok(|fx| directory::remove_certificate(&fx.world, &admin, t, app, c.key_id, fx.now));
    assert_eq!(
        change.audit[0].details["removedCertificate"],
        c.key_id.to_string()
    );
    let application = &fx.world.tenant(t).unwrap().applications[&app];
    assert!(application.certificates.is_empty());
    assert!(!signin::is_confidential(application));
    assert_eq!(
        code(directory::add_certificate(
            &fx.world,
            &admin,
            t,
            ObjectId::new(),
            cert("x"),
            fx.now
        )),
        "ApplicationNotFound"
    );
}

#[test]
fn an_application_holds_at_most_twenty_certificates() {
    let mut fx = Fx::article();
    let app = new_app(&mut fx);
    let (admin, t) = (fx.member(fx.contoso_admin), fx.contoso);
    // One key, many certificates: RSA key generation is the slow part.
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let make = |n: usize| {
        let mut params = rcgen::CertificateParams::new(vec![]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, format!("c{n}"));
        let pem = params.self_signed(&key).unwrap().pem();
        ApplicationCertificate::from_pem(uuid::Uuid::new_v4(), &pem).unwrap()
    };
    for n in 0..MAX_CERTIFICATES {
        let c = make(n);
        fx.ok(|fx| directory::add_certificate(&fx.world, &admin, t, app, c, fx.now));
    }
    assert_eq!(
        code(directory::add_certificate(
            &fx.world,
            &admin,
            t,
            app,
            make(99),
            fx.now
        )),
        "TooManyCertificates"
    );
}

#[test]
fn the_invariants_check_that_each_certificate_is_on_an_application_once() {
    let mut fx = Fx::article();
    let app = new_app(&mut fx);
    let c = cert("twice");
    let mut twice = fx.world.tenant(fx.contoso).unwrap().applications[&app].clone();
    twice.certificates = vec![
        c.clone(),
        ApplicationCertificate {
            key_id: uuid::Uuid::new_v4(),
            ..c
        },
    ];
    let mut change = Change::new();
    change.push(Mutation::PutApplication(twice));
    fx.world.apply(&change);
    let v = tenantry_domain::rules::invariants::violations(&fx.world);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].contains("has the certificate") && v[0].contains("twice"),
        "{v:?}"
    );
}
