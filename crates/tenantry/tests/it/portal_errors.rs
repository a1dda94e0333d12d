//! Refusals a person can act on in the portal: an unknown account is said at the email step, before a
//! password is asked for (as Entra's sign-in page does), next to the field, with what was typed kept;
//! Entra's code is secondary detail, not the message; a refusal's title says what kind of failure it is.

use crate::support::*;

#[tokio::test]
async fn an_unknown_account_is_said_before_the_password_next_to_the_field() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let mut b = Browser::new(&srv);
    let (_, _, page) = b.get("/signin").await;
    let (status, location, _) = b
        .submit("/signin", &page, &[("email", "nobody@outlook.com")])
        .await;
    assert_eq!(
        (status.as_u16(), location.as_str()),
        (303, "/signin"),
        "no password asked for"
    );
    let (_, _, page) = b.get("/signin").await;
    assert!(
        page.contains("id=\"email-error\""),
        "next to the field: {page}"
    );
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(
        page.contains("value=\"nobody@outlook.com\""),
        "what was typed is kept"
    );
    assert!(page.contains("nobody@outlook.com does not exist"), "{page}");
    assert!(page.contains("Check the spelling of the email"));
    assert!(page.contains("Error code: AADSTS50034"), "{page}");
    assert!(!page.contains("<li>Error code"), "the code is not a bullet");

    // A known account goes on to its password; a wrong one is refused with the code as detail.
    let (status, location, _) = b
        .submit("/signin", &page, &[("email", "alice@outlook.com")])
        .await;
    assert_eq!(
        (status.as_u16(), location.as_str()),
        (303, "/signin/password")
    );
    let (_, _, page) = b.get("/signin/password").await;
    let (_, location, _) = b
        .submit("/signin/password", &page, &[("password", "wrong")])
        .await;
    let (_, _, page) = b.get(&location).await;
    assert!(
        page.contains("Sign-in failed") && page.contains("Error code: AADSTS50126"),
        "{page}"
    );
    assert!(!page.contains("<li>Error code"));

    // Other refusals are titled by what kind of failure they are.
    b.sign_in_to_portal("alice@outlook.com", "Alice-2017!")
        .await;
    let (_, _, page) = b.get("/directories/use-existing").await;
    let (_, location, _) = b
        .submit(
            "/directories/use-existing",
            &page,
            &[("directory", "contoso.onmicrosoft.com")],
        )
        .await;
    let (_, _, page) = b.get(&location).await;
    assert!(page.contains("Check what you entered"), "{page}");
    assert!(!page.contains("That did not work"));
}
