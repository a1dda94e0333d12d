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
}

/// The page a refused form leads back to, after submitting `fields` to `path` from the page at `from`.
async fn refused(b: &mut Browser, from: &str, path: &str, fields: &[(&str, &str)]) -> String {
    let (_, _, page) = b.get(from).await;
    let (status, location, _) = b.submit(path, &page, fields).await;
    assert_eq!(status.as_u16(), 303, "{path}");
    let (_, _, page) = b.get(&location).await;
    page
}

/// The refusal shown next to field `id`: its block, from the field's error id to the block's end.
fn field_error<'p>(page: &'p str, id: &str) -> &'p str {
    let start = page
        .find(&format!("id=\"{id}-error\""))
        .unwrap_or_else(|| panic!("no refusal next to {id}: {page}"));
    let rest = &page[start..];
    &rest[..rest.find("</div>").unwrap_or(rest.len())]
}

/// The input or select whose id is `id`, as its tag.
fn field<'p>(page: &'p str, id: &str) -> &'p str {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no field {id}: {page}"));
    let start = page[..at].rfind('<').unwrap_or(at);
    let end = at + page[at..].find('>').unwrap_or(0);
    &page[start..=end]
}

#[tokio::test]
async fn a_refused_form_says_what_failed_next_to_its_field_and_keeps_what_was_typed() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let mut b = Browser::new(&srv);
    b.sign_in_to_portal("alice@outlook.com", "Alice-2017!")
        .await;

    // Use existing directory without ticking "ready": said at the box, the domain typed kept.
    let page = refused(
        &mut b,
        "/directories/use-existing",
        "/directories/use-existing",
        &[("directory", "contoso.onmicrosoft.com")],
    )
    .await;
    let e = field_error(&page, "ready");
    assert!(e.contains("Could not ask to use the directory"), "{e}");
    assert!(e.contains("Tick"), "its remedy: {e}");
    assert!(!page.contains("That did not work"));
    assert!(field(&page, "directory").contains("value=\"contoso.onmicrosoft.com\""));
    assert!(field(&page, "ready").contains("aria-invalid=\"true\""));

    // A directory that does not exist: next to the domain.
    let page = refused(
        &mut b,
        "/directories/use-existing",
        "/directories/use-existing",
        &[
            ("subscription", PAYG),
            ("directory", "nowhere.onmicrosoft.com"),
            ("ready", "yes"),
        ],
    )
    .await;
    assert!(field_error(&page, "directory").contains("nowhere.onmicrosoft.com"));
    assert!(
        field(&page, "ready").contains("checked"),
        "the box stays ticked"
    );
    assert!(field(&page, "directory").contains("aria-invalid=\"true\""));

    // A new directory with a name that cannot be a domain.
    let page = refused(
        &mut b,
        "/directories/new",
        "/directories/new",
        &[("name", "9lives"), ("display_name", "Nine Lives")],
    )
    .await;
    assert!(field_error(&page, "name").contains("Could not create the directory"));
    assert!(field(&page, "name").contains("value=\"9lives\""));
    assert!(field(&page, "display_name").contains("value=\"Nine Lives\""));

    // A co-administrator nobody is: next to the email, the email kept; the example is in the
    // subscription's directory's domain; administrators are listed by name.
    let admins = format!("/portal/subscriptions/{PAYG}/administrators");
    let page = refused(
        &mut b,
        &admins,
        &format!("{admins}/add"),
        &[
            ("email", "nobody@example.org"),
            ("account_type", "personal"),
        ],
    )
    .await;
    let e = field_error(&page, "co-admin-email");
    assert!(e.contains("Could not add the co-administrator"), "{e}");
    assert!(e.contains("nobody@example.org"), "{e}");
    assert!(field(&page, "co-admin-email").contains("value=\"nobody@example.org\""));
    assert!(
        page.contains("<option value=\"personal\" selected>"),
        "the account type picked is kept"
    );
    assert!(
        page.contains("e.g. megan@alicedefault.onmicrosoft.com"),
        "{page}"
    );
    assert!(
        page.contains("<td>Alice <span class=\"who-email\">alice@outlook.com</span></td>"),
        "{page}"
    );
    // The next visit shows a fresh form.
    let (_, _, page) = b.get(&admins).await;
    assert!(!page.contains("co-admin-email-error"));
    assert!(field(&page, "co-admin-email").contains("value=\"\""));

    // A role for someone the directory does not have: next to who, the role picked kept.
    let access = format!("/portal/subscriptions/{PAYG}/access");
    let (_, _, page) = b.get(&access).await;
    let reader = page
        .split("<option value=\"")
        .skip(1)
        .find(|o| o.contains(">Reader</option>"))
        .and_then(|o| o.split('"').next())
        .expect("Reader is offered")
        .to_string();
    let page = refused(
        &mut b,
        &access,
        &access,
        &[
            ("principal_name", "ghost@nowhere.example"),
            ("role", &reader),
        ],
    )
    .await;
    assert!(field_error(&page, "principal_name").contains("Could not assign the role"));
    assert!(field(&page, "principal_name").contains("value=\"ghost@nowhere.example\""));
    assert!(
        page.contains(&format!("<option value=\"{reader}\" selected>Reader")),
        "the role picked is kept"
    );
}

/// A page's text as a person reads it: askama writes `'` and `"` as character references.
fn read(page: &str) -> String {
    as_read(page)
}

/// A rule's refusal speaks the person's language in the portal (issue 14): with `Accept-Language: nl`
/// its title, message and remedy are Dutch, worded from its code with the names filled in. ARM, asked in
/// Dutch all the same, answers the same refusal in English, word for word as before.
#[tokio::test]
async fn a_refusal_is_dutch_in_the_portal_and_english_in_arm() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let mut b = Browser::new(&srv).speaking("nl-NL,nl;q=0.9,en;q=0.5");
        b.sign_in_to_portal("alice@outlook.com", "Alice-2017!")
            .await;
        let admins = format!("/portal/subscriptions/{PAYG}/administrators");
        let (_, _, page) = b.get(&admins).await;
        // Megan is a member of Contoso, not of the directory Pay-As-You-Go trusts.
        let (status, location, _) = b
            .submit(
                &format!("{admins}/add"),
                &page,
                &[("email", "megan@contoso.onmicrosoft.com")],
            )
            .await;
        assert_eq!(status, 303);
        let (_, _, page) = b.get(&location).await;
        let page = read(&page);
        assert!(
            page.contains("'megan@contoso.onmicrosoft.com' is geen persoonlijk account en ook geen lid of gast van 'Default Directory'."),
            "the message in Dutch, with the names: {page}"
        );
        assert!(
            page.contains("Controleer het adres. Nodig een werk- of schoolaccount van een andere directory uit in 'Default Directory'"),
            "the remedy in Dutch: {page}"
        );
        assert!(
            page.contains("Kan de medebeheerder niet toevoegen"),
            "the title, what failed, in Dutch: {page}"
        );
        assert!(!page.contains("is neither a personal account"), "{page}");
        // A refusal that is the page itself: Dutch too.
        let invitation = "00000000-0000-4000-8000-00000000beef";
        let (status, _, page) = b.get(&format!("/redeem/{ALICEDEFAULT}/{invitation}")).await;
        assert_eq!(status, 404);
        let page = read(&page);
        assert!(
            page.contains(&format!("De uitnodiging '{invitation}' bestaat niet"))
                && page.contains("Niet gevonden")
                && page.contains("Controleer de koppeling die u hebt ontvangen"),
            "{page}"
        );

        // The same refusal from ARM, asked in Dutch: English, as Azure answers.
        let token = user_token(&srv, ALICEDEFAULT, "alice@outlook.com", "Alice-2017!", ARM).await;
        let url = srv.url(&format!(
            "/subscriptions/{PAYG}/providers/Microsoft.Authorization/classicAdministrators/megan@contoso.onmicrosoft.com?api-version=2015-07-01"
        ));
        let r = client_without_redirects(&srv)
            .put(url)
            .bearer_auth(token)
            .header("accept-language", "nl-NL,nl;q=0.9")
            .json(&serde_json::json!({"properties": {
                "emailAddress": "megan@contoso.onmicrosoft.com",
                "role": "CoAdministrator",
            }}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "PrincipalNotInDirectory");
        assert_eq!(
            body["error"]["message"],
            "'megan@contoso.onmicrosoft.com' is neither a personal account nor a member or guest of 'Default Directory'. Check the address. Invite a work or school account of another directory to 'Default Directory' and have them redeem the invitation first; a personal account becomes a guest when it is added."
        );
    }
}

/// Entra's refusals on the portal's sign-in pages are Dutch too, with the account named; the code stays.
#[tokio::test]
async fn a_sign_in_refusal_is_dutch_on_the_sign_in_page() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let mut b = Browser::new(&srv).speaking("nl");
        let (_, _, page) = b.get("/signin").await;
        b.submit("/signin", &page, &[("email", "nobody@outlook.com")])
            .await;
        let (_, _, page) = b.get("/signin").await;
        let page = read(&page);
        assert!(
            page.contains("Het gebruikersaccount nobody@outlook.com bestaat niet in de directory."),
            "{page}"
        );
        assert!(
            page.contains("Controleer de spelling van het e-mailadres"),
            "{page}"
        );
        assert!(page.contains("AADSTS50034"), "the code stays: {page}");
        assert!(!page.contains("does not exist in the directory"), "{page}");

        // A wrong password: the description of Entra's code, in Dutch.
        let (_, _, page) = b.get("/signin").await;
        b.submit("/signin", &page, &[("email", "alice@outlook.com")])
            .await;
        let (_, _, page) = b.get("/signin/password").await;
        let (_, location, _) = b
            .submit("/signin/password", &page, &[("password", "wrong")])
            .await;
        let (_, _, page) = b.get(&location).await;
        assert!(
            page.contains("Aanmelden is mislukt")
                && page.contains("Fout bij het valideren van de referenties")
                && page.contains("Wachtwoorden zijn hoofdlettergevoelig"),
            "{page}"
        );
    }
}
