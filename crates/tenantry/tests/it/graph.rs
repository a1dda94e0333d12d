//! Microsoft Graph over HTTPS, on SQLite and PostgreSQL, with real tokens from the token endpoint: users
//! (list, filter, page, get, create, update, delete), /me, organization, domains, directory roles and
//! their members, invitations and their redemption, getByIds, service principals, the OpenAPI document;
//! tenant isolation and Entra's guest restriction.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The `userPrincipalName`s of a Graph collection.
fn upns(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|u| {
            u["userPrincipalName"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

pub(crate) async fn contoso_admin(srv: &TestServer) -> String {
    user_token(
        srv,
        CONTOSO,
        "admin@contoso.onmicrosoft.com",
        "Contoso-Admin-1!",
        GRAPH,
    )
    .await
}

/// Applications over Graph: a Global Administrator registers one and adds a secret, which then signs in;
/// its service principal is another object (its own id, the same appId); others are refused with Graph's errors.
#[tokio::test]
async fn applications_register_add_a_secret_and_sign_in() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = contoso_admin(&srv).await;
        let (s, app) = call(
            &srv,
            Method::POST,
            "/v1.0/applications",
            Some(&admin),
            Some(json!({
                "displayName": "deploy-bot", "keyCredentials": []
            })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{app}");
        assert_eq!(app["passwordCredentials"], json!([]));
        let (id, app_id) = (app["id"].as_str().unwrap(), app["appId"].as_str().unwrap());
        let (s, listed) = get(
            &srv,
            "/v1.0/applications?$filter=startswith(displayName,'deploy')",
            &admin,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(listed["value"][0]["appId"], app_id);
        let (s, secret) = call(&srv, Method::POST, &format!("/v1.0/applications/{id}/addPassword"), Some(&admin),
            Some(json!({"passwordCredential": {"displayName": "ci", "endDateTime": "2030-01-01T00:00:00Z"}}))).await;
        assert_eq!(s, StatusCode::OK, "{secret}");
        let text = secret["secretText"].as_str().unwrap().to_string();
        assert_eq!(secret["hint"], text[..3]);
        assert_eq!(secret["endDateTime"], "2030-01-01T00:00:00Z");
        let (_, shown) = get(&srv, &format!("/v1.0/applications/{id}"), &admin).await;
        assert!(
            shown["passwordCredentials"][0]["secretText"].is_null(),
            "shown once only"
        );
        let (s, sp) = call(
            &srv,
            Method::POST,
            "/v1.0/servicePrincipals",
            Some(&admin),
            Some(json!({"appId": app_id})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{sp}");
        assert_eq!(sp["appId"], app_id);
        assert_ne!(sp["id"], id, "as in Entra, not the application object's id");
        let (s, _) = get(
            &srv,
            &format!("/v1.0/servicePrincipals/{}", sp["id"].as_str().unwrap()),
            &admin,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = get(&srv, &format!("/v1.0/servicePrincipals/{id}"), &admin).await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "the application object is no service principal"
        );

        // The new secret signs in.
        let r = srv
            .client
            .post(srv.url(&format!("/{CONTOSO}/oauth2/v2.0/token")))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", app_id),
                ("client_secret", text.as_str()),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);

        // Refusals: not a Global Administrator; unknown application; a bad date.
        let megan = user_token(
            &srv,
            CONTOSO,
            "megan@contoso.onmicrosoft.com",
            "Megan-Contoso-1!",
            GRAPH,
        )
        .await;
        let (s, e) = call(
            &srv,
            Method::POST,
            "/v1.0/applications",
            Some(&megan),
            Some(json!({"displayName": "not-mine"})),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        assert_eq!(e["error"]["code"], "Authorization_RequestDenied");
        let (s, _) = call(
            &srv,
            Method::POST,
            "/v1.0/applications/00000000-0000-4000-8000-000000000000/addPassword",
            Some(&admin),
            Some(json!({})),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = call(
            &srv,
            Method::POST,
            &format!("/v1.0/applications/{id}/addPassword"),
            Some(&admin),
            Some(json!({"passwordCredential": {"endDateTime": "next year"}})),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, e) = call(
            &srv,
            Method::POST,
            "/v1.0/servicePrincipals",
            Some(&admin),
            Some(json!({"appId": "00000000-0000-4000-8000-000000000000"})),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("does not reference"),
            "{e}"
        );
        let (s, _) = call(
            &srv,
            Method::POST,
            "/v1.0/applications",
            Some(&admin),
            Some(json!({})),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn users_list_filter_page_and_crud() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = contoso_admin(&srv).await;

        let (s, page) = get(&srv, "/v1.0/users", &admin).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(
            page["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("/v1.0/$metadata#users")
        );
        let mut names = upns(&page);
        names.sort();
        assert_eq!(
            names,
            [
                "admin@contoso.onmicrosoft.com",
                "lee@contoso.onmicrosoft.com",
                "megan@contoso.onmicrosoft.com"
            ]
        );
        let megan = page["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["displayName"] == "Megan Bowen")
            .unwrap()
            .clone();
        assert_eq!(megan["userType"], "Member");
        assert_eq!(megan["mail"], "megan@contoso.com");
        assert_eq!(megan["businessPhones"], json!([]));
        assert!(megan["jobTitle"].is_null() && megan["accountEnabled"] == true);

        // What az sends for `role assignment create --assignee <upn>` and `ad user list --display-name`.
        let (_, page) = get(
            &srv,
            "/v1.0/users?$filter=userPrincipalName%20eq%20'MEGAN@contoso.onmicrosoft.com'",
            &admin,
        )
        .await;
        assert_eq!(upns(&page), ["megan@contoso.onmicrosoft.com"]);
        let (_, page) = get(
            &srv,
            "/v1.0/users?$filter=startswith(displayName,'Lee')&$select=id,userPrincipalName",
            &admin,
        )
        .await;
        assert_eq!(upns(&page), ["lee@contoso.onmicrosoft.com"]);
        assert_eq!(
            page["value"][0].as_object().unwrap().len(),
            2,
            "$select keeps only what was asked"
        );
        let (_, page) = get(
            &srv,
            "/v1.0/users?$filter=mail%20eq%20'lee@contoso.com'",
            &admin,
        )
        .await;
        assert_eq!(upns(&page), ["lee@contoso.onmicrosoft.com"]);
        let (s, e) = get(&srv, "/v1.0/users?$filter=jobTitle%20eq%20'x'", &admin).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(e["error"]["code"], "Request_UnsupportedQuery");

        // Paging: $top=2 then the nextLink.
        let (_, first) = get(&srv, "/v1.0/users?$top=2", &admin).await;
        assert_eq!(first["value"].as_array().unwrap().len(), 2);
        let next = first["@odata.nextLink"]
            .as_str()
            .expect("a next link")
            .to_string();
        assert!(next.starts_with(&srv.base_url));
        let (s, second) = get(&srv, &next, &admin).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(second["value"].as_array().unwrap().len(), 1);
        assert!(second.get("@odata.nextLink").is_none());

        // Get by id and by UPN; unknown → 404 in Graph's format.
        let id = megan["id"].as_str().unwrap();
        let (s, by_id) = get(&srv, &format!("/v1.0/users/{id}"), &admin).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(by_id["userPrincipalName"], "megan@contoso.onmicrosoft.com");
        let (_, by_upn) = get(&srv, "/v1.0/users/megan@contoso.onmicrosoft.com", &admin).await;
        assert_eq!(by_upn["id"], id);
        let (s, e) = get(&srv, "/v1.0/users/nobody@contoso.onmicrosoft.com", &admin).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(e["error"]["code"], "Request_ResourceNotFound");
        assert!(e["error"]["innerError"]["request-id"].is_string());

        // Create (as az ad user create sends it), sign in as the new user, update, delete.
        let (s, created) = call(&srv, Method::POST, "/v1.0/users", Some(&admin), Some(json!({
            "accountEnabled": true, "displayName": "Nestor", "mailNickname": "nestor",
            "userPrincipalName": "nestor@contoso.com",
            "passwordProfile": {"password": "Nestor-Contoso-1!", "forceChangePasswordNextSignIn": false}
        }))).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        assert_eq!(created["userPrincipalName"], "nestor@contoso.com");
        assert!(
            created.get("passwordProfile").is_none(),
            "passwords never travel back"
        );
        let nestor_id = created["id"].as_str().unwrap().to_string();
        let nestor = user_token(
            &srv,
            CONTOSO,
            "nestor@contoso.com",
            "Nestor-Contoso-1!",
            GRAPH,
        )
        .await;
        let (_, me) = get(&srv, "/v1.0/me", &nestor).await;
        assert_eq!(me["id"], nestor_id.as_str());
        let (s, e) = call(
            &srv,
            Method::POST,
            "/v1.0/users",
            Some(&admin),
            Some(json!({
            "displayName": "Nestor again", "userPrincipalName": "nestor@contoso.com",
            "passwordProfile": {"password": "Nestor-Contoso-1!"}})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        let (s, e) = call(
            &srv,
            Method::POST,
            "/v1.0/users",
            Some(&admin),
            Some(json!({"displayName": "x", "userPrincipalName": "x@contoso.com"})),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        let (s, _) = call(
            &srv,
            Method::POST,
            "/v1.0/users",
            Some(&admin),
            Some(json!("not an object")),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, e) = call(&srv, Method::POST, "/v1.0/users", Some(&nestor), Some(json!({
            "displayName": "y", "userPrincipalName": "y@contoso.com", "passwordProfile": {"password": "Y-Contoso-1!"}}))).await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "a member without a role may not create users"
        );
        assert_eq!(e["error"]["code"], "Authorization_RequestDenied");

        let path = format!("/v1.0/users/{nestor_id}");
        let (s, _) = call(
            &srv,
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"displayName": "Nestor Fraga", "jobTitle": "ignored"})),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, u) = get(&srv, &path, &admin).await;
        assert_eq!(u["displayName"], "Nestor Fraga");
        let (s, _) = call(&srv, Method::DELETE, &path, Some(&admin), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = get(&srv, &path, &admin).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn me_organization_domains_and_tenant_isolation() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = contoso_admin(&srv).await;
        let (s, me) = get(&srv, "/v1.0/me", &admin).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(me["userPrincipalName"], "admin@contoso.onmicrosoft.com");
        assert!(
            me["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("$metadata#users/$entity")
        );

        // Entra refuses /me for application tokens, with the message az prints.
        let ci = app_token(&srv, ALICEDEFAULT, CI_CLIENT, "ci-secret-1", GRAPH).await;
        let (s, e) = get(&srv, "/v1.0/me", &ci).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(e["error"]["code"], "BadRequest");
        assert_eq!(
            e["error"]["message"],
            "/me request is only valid with delegated authentication flow."
        );
        // An ARM token is not a Graph token.
        let arm = app_token(&srv, ALICEDEFAULT, CI_CLIENT, "ci-secret-1", ARM).await;
        let (s, e) = get(&srv, "/v1.0/users", &arm).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}");
        let (s, _) = call(&srv, Method::GET, "/v1.0/users", None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        let (_, org) = get(&srv, "/v1.0/organization", &admin).await;
        let o = &org["value"][0];
        assert_eq!(o["id"], CONTOSO);
        assert_eq!(o["displayName"], "Contoso");
        assert_eq!(
            o["verifiedDomains"],
            json!([
                {"name": "contoso.onmicrosoft.com", "isDefault": true, "isInitial": true, "type": "Managed", "capabilities": "Email, OfficeCommunicationsOnline"},
                {"name": "contoso.com", "isDefault": false, "isInitial": false, "type": "Managed", "capabilities": "Email, OfficeCommunicationsOnline"},
            ])
        );
        let (s, _) = get(&srv, &format!("/v1.0/organization/{ALICEDEFAULT}"), &admin).await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "another tenant's organization is not visible"
        );
        let (_, domains) = get(&srv, "/v1.0/domains", &admin).await;
        let names: Vec<&str> = domains["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["contoso.onmicrosoft.com", "contoso.com"]);
        let (s, d) = get(&srv, "/v1.0/domains/CONTOSO.COM", &admin).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(d["isVerified"], true);

        // A caller sees only its token's directory: erin (alicedefault) is invisible to contoso's admin,
        // and the app of alicedefault lists alicedefault's users only.
        let erin = object_of(
            &srv.svc,
            "erin@alicedefault.onmicrosoft.com",
            "alicedefault",
        );
        let (s, _) = get(&srv, &format!("/v1.0/users/{erin}"), &admin).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, page) = get(&srv, "/v1.0/users", &ci).await;
        let names = upns(&page);
        assert!(
            names.contains(&"erin@alicedefault.onmicrosoft.com".to_string()),
            "{names:?}"
        );
        assert!(
            !names
                .iter()
                .any(|n| n.ends_with("@contoso.onmicrosoft.com"))
        );
        let (s, _) = call(
            &srv,
            Method::DELETE,
            &format!("/v1.0/users/{erin}"),
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "nor can it be changed from another tenant"
        );
    }
}

#[tokio::test]
async fn guests_cannot_enumerate_users() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        // dave is a guest of alicedefault (made so as co-administrator) without a directory role.
        let dave = user_token(&srv, ALICEDEFAULT, "dave@outlook.com", "Dave-2017!", GRAPH).await;
        let (s, e) = get(&srv, "/v1.0/users", &dave).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        assert_eq!(e["error"]["code"], "Authorization_RequestDenied");
        let (s, _) = get(
            &srv,
            "/v1.0/users?$filter=startswith(displayName,'E')",
            &dave,
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a filter is an enumeration too");
        let (s, me) = get(&srv, "/v1.0/me", &dave).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(me["userType"], "Guest");
        assert_eq!(me["externalUserState"], "Accepted");
        assert!(me["userPrincipalName"].as_str().unwrap().contains("#EXT#"));
        let erin = object_of(
            &srv.svc,
            "erin@alicedefault.onmicrosoft.com",
            "alicedefault",
        );
        let (s, _) = get(&srv, &format!("/v1.0/users/{erin}"), &dave).await;
        assert_eq!(s, StatusCode::OK, "guests read objects they know the id of");
        // alice is a guest too, but a Global Administrator: she enumerates.
        let alice = user_token(
            &srv,
            ALICEDEFAULT,
            "alice@outlook.com",
            "Alice-2017!",
            GRAPH,
        )
        .await;
        let (s, _) = get(&srv, "/v1.0/users", &alice).await;
        assert_eq!(s, StatusCode::OK);
    }
}

#[tokio::test]
async fn guests_cannot_list_the_members_of_a_directory_role() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let global_administrators =
            "/v1.0/directoryRoles/62e90394-69f5-4237-9190-012177145e10/members";
        // dave, a guest of alicedefault without a directory role: a role's members are users, listed by
        // the rule that lists users.
        let dave = user_token(&srv, ALICEDEFAULT, "dave@outlook.com", "Dave-2017!", GRAPH).await;
        let (s, users) = get(&srv, "/v1.0/users", &dave).await;
        let (t, members) = get(&srv, global_administrators, &dave).await;
        assert_eq!(t, StatusCode::FORBIDDEN, "{members}");
        assert_eq!(
            (s, &members["error"]["code"]),
            (t, &users["error"]["code"]),
            "the same refusal as listing users"
        );
        assert!(
            !members.to_string().contains("alice"),
            "no member named: {members}"
        );
        // The roles themselves are single objects of the directory: guests read them.
        let (s, roles) = get(&srv, "/v1.0/directoryRoles", &dave).await;
        assert_eq!(s, StatusCode::OK, "{roles}");
        // alice is a guest too, but a Global Administrator; erin a member: both list the members.
        for (who, password) in [
            ("alice@outlook.com", "Alice-2017!"),
            ("erin@alicedefault.onmicrosoft.com", "Erin-Default-1!"),
        ] {
            let token = user_token(&srv, ALICEDEFAULT, who, password, GRAPH).await;
            let (s, members) = get(&srv, global_administrators, &token).await;
            assert_eq!(s, StatusCode::OK, "{members}");
            assert_eq!(members["value"].as_array().unwrap().len(), 1);
        }
    }
}

#[tokio::test]
async fn directory_roles_and_members() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = contoso_admin(&srv).await;
        let (_, roles) = get(&srv, "/v1.0/directoryRoles", &admin).await;
        let ga = &roles["value"][0];
        assert_eq!(ga["displayName"], "Global Administrator");
        assert_eq!(ga["roleTemplateId"], "62e90394-69f5-4237-9190-012177145e10");
        assert_eq!(
            roles["value"].as_array().unwrap().len(),
            1,
            "only activated roles"
        );
        let (_, members) = get(
            &srv,
            "/v1.0/directoryRoles/62e90394-69f5-4237-9190-012177145e10/members",
            &admin,
        )
        .await;
        assert_eq!(members["value"][0]["@odata.type"], "#microsoft.graph.user");
        assert_eq!(upns(&members), ["admin@contoso.onmicrosoft.com"]);

        // Megan becomes User Administrator through `$ref`, and may then create users.
        let megan = object_of(&srv.svc, "megan@contoso.onmicrosoft.com", "contoso");
        let ua = "fe930be7-5e62-47db-91af-98c3a49a38b1";
        let reference = json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{megan}")});
        let lee = user_token(
            &srv,
            CONTOSO,
            "lee@contoso.onmicrosoft.com",
            "Lee-Contoso-1!",
            GRAPH,
        )
        .await;
        let (s, e) = call(
            &srv,
            Method::POST,
            &format!("/v1.0/directoryRoles/{ua}/members/$ref"),
            Some(&lee),
            Some(reference.clone()),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "only Global Administrators assign roles"
        );
        assert_eq!(e["error"]["code"], "Authorization_RequestDenied");
        let (s, _) = call(
            &srv,
            Method::POST,
            &format!("/v1.0/directoryRoles/roleTemplateId={ua}/members/$ref"),
            Some(&admin),
            Some(reference.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = call(
            &srv,
            Method::POST,
            &format!("/v1.0/directoryRoles/{ua}/members/$ref"),
            Some(&admin),
            Some(reference),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "already a member");
        let (_, roles) = get(&srv, "/v1.0/directoryRoles", &admin).await;
        assert_eq!(roles["value"].as_array().unwrap().len(), 2);
        let megan_token = user_token(
            &srv,
            CONTOSO,
            "megan@contoso.onmicrosoft.com",
            "Megan-Contoso-1!",
            GRAPH,
        )
        .await;
        let (s, _) = call(&srv, Method::POST, "/v1.0/users", Some(&megan_token), Some(json!({
            "displayName": "Olga", "userPrincipalName": "olga@contoso.com", "passwordProfile": {"password": "Olga-Contoso-1!"}}))).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, _) = call(
            &srv,
            Method::DELETE,
            &format!("/v1.0/directoryRoles/{ua}/members/{megan}/$ref"),
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, members) = get(&srv, &format!("/v1.0/directoryRoles/{ua}/members"), &admin).await;
        assert_eq!(members["value"], json!([]));
        // The last Global Administrator stays.
        let admin_id = object_of(&srv.svc, "admin@contoso.onmicrosoft.com", "contoso");
        let (s, e) = call(
            &srv,
            Method::DELETE,
            &format!(
                "/v1.0/directoryRoles/62e90394-69f5-4237-9190-012177145e10/members/{admin_id}/$ref"
            ),
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// Invites `email` to contoso as its admin; returns the answer.
pub async fn invite(srv: &TestServer, token: &str, email: &str) -> (StatusCode, Value) {
    call(srv, Method::POST, "/v1.0/invitations", Some(token), Some(json!({
        "invitedUserEmailAddress": email, "inviteRedirectUrl": "https://portal.example/", "sendInvitationMessage": false
    }))).await
}

#[tokio::test]
async fn invitations_are_redeemed_by_the_invitee() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = contoso_admin(&srv).await;
        let (s, inv) = invite(&srv, &admin, "alice@outlook.com").await;
        assert_eq!(s, StatusCode::CREATED, "{inv}");
        assert_eq!(inv["status"], "PendingAcceptance");
        assert_eq!(inv["invitedUserType"], "Guest");
        let redeem = inv["inviteRedeemUrl"].as_str().unwrap().to_string();
        assert!(
            redeem.starts_with(&format!("{}/redeem/{CONTOSO}/", srv.base_url)),
            "{redeem}"
        );
        let guest = inv["invitedUser"]["id"].as_str().unwrap().to_string();
        let (_, pending) = get(&srv, &format!("/v1.0/users/{guest}"), &admin).await;
        assert_eq!(pending["externalUserState"], "PendingAcceptance");
        assert_eq!(
            pending["displayName"], "alice@outlook.com",
            "named by email"
        );
        // Named by the inviter: the guest carries that name.
        let (s, named) = call(&srv, Method::POST, "/v1.0/invitations", Some(&admin), Some(json!({
            "invitedUserEmailAddress": "zoe@fabrikam.example", "invitedUserDisplayName": "Zoe Fabrikam",
            "inviteRedirectUrl": "https://portal.example/"
        }))).await;
        assert_eq!(s, StatusCode::CREATED, "{named}");
        assert_eq!(named["invitedUserDisplayName"], "Zoe Fabrikam");
        let zoe = named["invitedUser"]["id"].as_str().unwrap();
        let (_, zoe) = get(&srv, &format!("/v1.0/users/{zoe}"), &admin).await;
        assert_eq!(zoe["displayName"], "Zoe Fabrikam");

        // Refusals: a member's UPN or mail, and a caller without an administrator role.
        let (s, e) = invite(&srv, &admin, "megan@contoso.com").await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        let (s, _) = invite(&srv, &admin, "lee@contoso.onmicrosoft.com").await;
        assert_eq!(s, StatusCode::CONFLICT);
        let lee = user_token(
            &srv,
            CONTOSO,
            "lee@contoso.onmicrosoft.com",
            "Lee-Contoso-1!",
            GRAPH,
        )
        .await;
        let (s, e) = invite(&srv, &lee, "zoe@outlook.com").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(e["error"]["code"], "Authorization_RequestDenied");

        // The browser page says where to sign in, and nothing of the invitation: who is invited and
        // by which directory are shown to the invitee once signed in.
        let page = srv.client.get(&redeem).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(
            !html.contains("alice@outlook.com")
                && !html.contains("Contoso")
                && html.contains("/signin?return_to=%2Fredeem%2F"),
            "{html}"
        );
        // Accepting in the browser is a POST with the session's CSRF token, never a bare request.
        let forged = srv
            .client
            .post(format!("{redeem}/accept"))
            .form(&[("csrf", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);

        // Redemption: without a token 401; by someone else 404, as for a link that names nothing (the
        // answer does not say whom it invites); by alice with her personal-account token.
        let (s, _) = call(&srv, Method::POST, &redeem, None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let dave = user_token(&srv, "consumers", "dave@outlook.com", "Dave-2017!", GRAPH).await;
        let (s, e) = call(&srv, Method::POST, &redeem, Some(&dave), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        assert!(!e.to_string().contains("alice@outlook.com"), "{e}");
        let alice = user_token(&srv, "consumers", "alice@outlook.com", "Alice-2017!", GRAPH).await;
        let (s, done) = call(&srv, Method::POST, &redeem, Some(&alice), None).await;
        assert_eq!(s, StatusCode::OK, "{done}");
        assert_eq!(done["status"], "Completed");
        let (s, e) = call(&srv, Method::POST, &redeem, Some(&alice), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        // Alice is now present in contoso: she signs in there, as a guest.
        let in_contoso = user_token(&srv, CONTOSO, "alice@outlook.com", "Alice-2017!", GRAPH).await;
        let (_, me) = get(&srv, "/v1.0/me", &in_contoso).await;
        assert_eq!(me["id"], guest.as_str());
        assert_eq!(me["externalUserState"], "Accepted");
        let (_, inv) = get(
            &srv,
            &format!("/v1.0/invitations/{}", inv["id"].as_str().unwrap()),
            &admin,
        )
        .await;
        assert_eq!(inv["status"], "Completed");
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn directory_objects_and_service_principals() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let ci = app_token(&srv, ALICEDEFAULT, CI_CLIENT, "ci-secret-1", GRAPH).await;
        let (s, sps) = get(&srv, &format!("/v1.0/servicePrincipals?$filter=servicePrincipalNames/any(c:c%20eq%20'{CI_CLIENT}')"), &ci).await;
        assert_eq!(s, StatusCode::OK, "{sps}");
        let sp = &sps["value"][0];
        assert_eq!(sp["appId"], CI_CLIENT);
        assert_eq!(sp["displayName"], "ci");
        let (_, none) = get(
            &srv,
            "/v1.0/servicePrincipals?$filter=servicePrincipalNames/any(c:c%20eq%20'nobody')",
            &ci,
        )
        .await;
        assert_eq!(none["value"], json!([]));
        let (_, by_app) = get(
            &srv,
            &format!("/v1.0/servicePrincipals?$filter=appId%20eq%20'{CI_CLIENT}'"),
            &ci,
        )
        .await;
        assert_eq!(by_app["value"][0]["id"], sp["id"]);

        let erin = object_of(
            &srv.svc,
            "erin@alicedefault.onmicrosoft.com",
            "alicedefault",
        );
        let megan = object_of(&srv.svc, "megan@contoso.onmicrosoft.com", "contoso");
        let body = json!({"ids": [erin.to_string(), sp["id"], megan.to_string(), "not-a-guid"],
                          "types": ["user", "group", "servicePrincipal", "directoryObjectPartnerReference"]});
        let (s, objs) = call(
            &srv,
            Method::POST,
            "/v1.0/directoryObjects/getByIds",
            Some(&ci),
            Some(body),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{objs}");
        let found: Vec<(&str, &str)> = objs["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["@odata.type"].as_str().unwrap(),
                    o["id"].as_str().unwrap(),
                )
            })
            .collect();
        let (erin, spid) = (erin.to_string(), sp["id"].as_str().unwrap());
        assert_eq!(
            found,
            [
                ("#microsoft.graph.user", erin.as_str()),
                ("#microsoft.graph.servicePrincipal", spid)
            ],
            "another tenant's object (megan) and garbage are left out"
        );
        let (_, only_users) = call(
            &srv,
            Method::POST,
            "/v1.0/directoryObjects/getByIds",
            Some(&ci),
            Some(json!({"ids": [erin, spid], "types": ["user"]})),
        )
        .await;
        assert_eq!(only_users["value"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn the_openapi_document_covers_what_is_served() {
    let store = both().await.remove(0);
    let srv = TestServer::demo(&store).await;
    let r = srv
        .client
        .get(srv.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/changeTenantRequest/default/preview",
        "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/changeTenantRequest/default",
        "/providers/Microsoft.Subscription/policies/default",
        "/providers/Microsoft.Subscription/auditEvents",
        "/v1.0/users",
        "/v1.0/groups",
        "/v1.0/groups/{id}/members/$ref",
        "/v1.0/me/memberOf",
        "/v1.0/directoryObjects/{id}/checkMemberGroups",
        "/{tenant}/oauth2/v2.0/token",
        "/subscriptions",
    ] {
        assert!(paths.contains_key(p), "{p} is documented");
    }
    // Every documented Graph and extension route is served (a token-less call is refused by the route's
    // own authentication, not by a missing route).
    let admin = user_token(
        &srv,
        CONTOSO,
        "admin@contoso.onmicrosoft.com",
        "Contoso-Admin-1!",
        GRAPH,
    )
    .await;
    let arm = user_token(
        &srv,
        CONTOSO,
        "admin@contoso.onmicrosoft.com",
        "Contoso-Admin-1!",
        ARM,
    )
    .await;
    for (path, item) in paths {
        if !(path.starts_with("/v1.0/")
            || path.contains("Microsoft.Subscription")
            || path.starts_with("/redeem"))
        {
            continue;
        }
        let concrete = path
            .replace("{subscriptionId}", PAYG)
            .replace("{tenantId}", CONTOSO)
            .replace("{invitationId}", "00000000-0000-4000-8000-000000000000")
            .replace("{requestId}", "00000000-0000-4000-8000-000000000000")
            .replace("{memberId}", "00000000-0000-4000-8000-000000000000")
            .replace("{ownerId}", "00000000-0000-4000-8000-000000000000")
            .replace("{id}", "00000000-0000-4000-8000-000000000000");
        let token = if path.starts_with("/v1.0/") {
            &admin
        } else {
            &arm
        };
        for method in item.as_object().unwrap().keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = srv
                .client
                .request(m, srv.url(&concrete))
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let s = r.status();
            let text = r.text().await.unwrap_or_default();
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            // The router's own 404 has an empty body; a handler's says what is missing.
            assert!(
                s != StatusCode::NOT_FOUND || !text.is_empty(),
                "{method} {path} is routed"
            );
            assert_ne!(
                body["error"]["code"], "InvalidResourceType",
                "{method} {path} reaches its own handler"
            );
            // ARM ignores the case of provider paths; so do the extensions.
            if method == "get" && path.contains("Microsoft.Subscription") {
                let lower = srv
                    .client
                    .get(srv.url(&concrete.to_lowercase()))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(lower.status(), s, "GET {} in lower case", concrete);
            }
        }
    }
}

/// The Azure CLI's `ad` commands (and `role assignment … --assignee <UPN>`) as the "ci" application,
/// made User Administrator (to create users) and Owner (to assign roles) first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_ad_commands() {
    use tenantry_service::domain::{Actor, DirectoryRole, RoleAssignmentId, Scope, roles};
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    // User Administrator to create users, Global Administrator to register applications.
    let ci = ci_with_directory_roles(
        &srv,
        &[
            DirectoryRole::UserAdministrator,
            DirectoryRole::GlobalAdministrator,
        ],
    )
    .await;
    let write = tenantry_service::domain::rules::access::RoleAssignmentWrite {
        id: RoleAssignmentId::new(),
        scope: Scope::subscription(PAYG.parse().unwrap()),
        role_definition: roles::OWNER,
        principal: ci,
        description: Some("the az test assigns roles".into()),
        principal_type: None,
    };
    srv.svc
        .create_role_assignment(&Actor::Operator, write)
        .await
        .expect("ci becomes Owner");
    let erin = object_of(
        &srv.svc,
        "erin@alicedefault.onmicrosoft.com",
        "alicedefault",
    )
    .to_string();
    run_az_script(&srv, "graph_cli.py", &[("TENANTRY_ERIN_OID", &erin)]);
}

#[tokio::test]
async fn an_invitation_is_accepted_in_a_browser_after_signing_in() {
    let store = both().await.remove(0);
    let srv = TestServer::demo(&store).await;
    let admin = contoso_admin(&srv).await;
    let (_, inv) = invite(&srv, &admin, "alice@outlook.com").await;
    let redeem = inv["inviteRedeemUrl"].as_str().unwrap();
    let path = redeem.strip_prefix(&srv.base_url).unwrap().to_string();

    // Not signed in: the page sends the browser to sign in, which comes back here.
    let mut b = Browser::new(&srv);
    let (s, _, html) = b.get(&path).await;
    assert_eq!(s, StatusCode::OK);
    let start = html.find("href=\"/signin?").unwrap() + 6;
    let sign_in = html[start..start + html[start..].find('"').unwrap()].to_string();
    let (_, _, page) = b.get(&sign_in).await;
    let (s, to, _) = b
        .submit("/signin", &page, &[("email", "alice@outlook.com")])
        .await;
    assert!(s.is_redirection(), "{s}");
    let (_, _, page) = b.get(&to).await;
    let (s, to, _) = b
        .submit("/signin/password", &page, &[("password", "Alice-2017!")])
        .await;
    assert!(s.is_redirection(), "{s}");
    assert_eq!(to, path, "back to the invitation");

    // Signed in: a button that posts with the session's CSRF token; accepting redeems, and the
    // dashboard says so.
    let (_, _, page) = b.get(&path).await;
    assert!(
        page.contains(r#"<dd id="invitation-signed-in-as">alice@outlook.com</dd>"#),
        "{page}"
    );
    let (s, to, _) = b.submit(&format!("{path}/accept"), &page, &[]).await;
    assert!(s.is_redirection(), "{s}");
    let (_, _, home) = b.get(&to).await;
    assert!(home.contains("Invitation accepted"), "{home}");
    let guest = inv["invitedUser"]["id"].as_str().unwrap();
    let (_, user) = get(&srv, &format!("/v1.0/users/{guest}"), &admin).await;
    assert_eq!(user["externalUserState"], "Accepted");
    let (_, _, page) = b.get(&path).await;
    assert!(page.contains("This invitation has been accepted"), "{page}");
}
