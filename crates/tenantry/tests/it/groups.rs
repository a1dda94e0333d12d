//! Security groups over Microsoft Graph, on SQLite and PostgreSQL, with real tokens: `/groups` (create,
//! list with `$filter`, `$select`, `$top`, `$orderby` and `$count`, get, `PATCH`, `DELETE`), members and
//! owners with `$ref`, nesting and cycles, `transitiveMembers`, `memberOf` and `transitiveMemberOf` (with
//! directory roles through role-assignable groups), `ownedObjects`, the four member actions on every kind
//! of principal; who may do what as in Entra (administrators, a group's owners, members who read, guests
//! who read as they read users, other tenants who see nothing); `$count` and `$orderby` on users; and the
//! Azure CLI's `ad group` commands.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";

async fn admin(srv: &TestServer) -> String {
    contoso(srv, "admin", "Contoso-Admin-1!").await
}

/// A `GET` with `ConsistencyLevel: eventual`, as clients send advanced queries.
async fn eventual(srv: &TestServer, path: &str, token: &str) -> (StatusCode, Value) {
    let r = srv
        .client
        .get(srv.url(path))
        .bearer_auth(token)
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// Creates a security group as `az ad group create` does.
async fn create(srv: &TestServer, token: &str, name: &str, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({
        "displayName": name, "mailNickname": name.to_lowercase().replace(' ', "-"),
        "mailEnabled": false, "securityEnabled": true,
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    post(srv, token, "/v1.0/groups", body).await
}

/// Creates a group that must be created; returns its id.
async fn group(srv: &TestServer, token: &str, name: &str) -> String {
    let (s, g) = create(srv, token, name, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    g["id"].as_str().unwrap().to_string()
}

fn reference(id: &str) -> Value {
    json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}")})
}

/// `POST /v1.0/groups/{group}/{relation}/$ref` naming `object`.
async fn add(
    srv: &TestServer,
    token: &str,
    group: &str,
    relation: &str,
    object: &str,
) -> (StatusCode, Value) {
    let path = format!("/v1.0/groups/{group}/{relation}/$ref");
    post(srv, token, &path, reference(object)).await
}

/// `DELETE {path}`.
async fn delete(srv: &TestServer, token: &str, path: &str) -> (StatusCode, Value) {
    call(srv, Method::DELETE, path, Some(token), None).await
}

/// [`add`], which must succeed.
async fn added(srv: &TestServer, token: &str, group: &str, relation: &str, object: &str) {
    let (s, e) = add(srv, token, group, relation, object).await;
    assert_eq!(
        s,
        StatusCode::NO_CONTENT,
        "{relation} of {group} += {object}: {e}"
    );
}

/// `POST {path}` with a body (the member actions, creations, `$ref`s).
async fn post(srv: &TestServer, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    call(srv, Method::POST, path, Some(token), Some(body)).await
}

/// The display names of a collection, in its order.
fn names(page: &Value) -> Vec<String> {
    values(page, "displayName")
}

/// A property of each item of a collection (or each string of a collection of strings), in order.
fn values(page: &Value, key: &str) -> Vec<String> {
    page["value"]
        .as_array()
        .unwrap_or_else(|| panic!("not a collection: {page}"))
        .iter()
        .map(|v| {
            v.get(key)
                .unwrap_or(v)
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The refusal's code, with the status.
fn refusal(answer: &(StatusCode, Value)) -> (StatusCode, &str) {
    (
        answer.0,
        answer.1["error"]["code"].as_str().unwrap_or_default(),
    )
}

/// Entra's refusal of a caller without the right: 403 `Authorization_RequestDenied`.
#[track_caller]
fn assert_denied(answer: &(StatusCode, Value)) {
    assert_eq!(
        refusal(answer),
        (StatusCode::FORBIDDEN, "Authorization_RequestDenied"),
        "{}",
        answer.1
    );
}

#[tokio::test]
async fn groups_are_created_listed_queried_changed_and_deleted() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = admin(&srv).await;

        // Created as az sends it: Graph's shape of a security group.
        let (s, platform) = create(&srv, &admin, "Platform", json!({})).await;
        assert_eq!(s, StatusCode::CREATED, "{platform}");
        assert!(
            platform["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("/v1.0/$metadata#groups/$entity")
        );
        for (key, expected) in [
            ("displayName", json!("Platform")),
            ("mailNickname", json!("platform")),
            ("mailEnabled", json!(false)),
            ("securityEnabled", json!(true)),
            ("isAssignableToRole", json!(false)),
            ("groupTypes", json!([])),
            ("description", Value::Null),
            ("mail", Value::Null),
        ] {
            assert_eq!(platform[key], expected, "{key}: {platform}");
        }
        assert!(
            platform["securityIdentifier"]
                .as_str()
                .unwrap()
                .starts_with("S-1-12-1-")
        );
        let p = platform["id"].as_str().unwrap().to_string();
        let (s, eng) = create(
            &srv,
            &admin,
            "Engineering",
            json!({"description": "Builds things"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{eng}");
        let e = eng["id"].as_str().unwrap().to_string();
        // Without a mailNickname, a slug of the display name.
        let (s, ops) = post(
            &srv,
            &admin,
            "/v1.0/groups",
            json!({"displayName": "Ops Team", "securityEnabled": true, "mailEnabled": false}),
        )
        .await;
        assert_eq!(
            (s, &ops["mailNickname"]),
            (StatusCode::CREATED, &json!("ops-team"))
        );
        let o = ops["id"].as_str().unwrap().to_string();

        let (s, all) = get(&srv, "/v1.0/groups", &admin).await;
        assert_eq!(s, StatusCode::OK, "{all}");
        assert!(
            all["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("/v1.0/$metadata#groups")
        );
        assert_eq!(sorted(names(&all)), ["Engineering", "Ops Team", "Platform"]);

        // $filter: what az and scripts send.
        for (filter, expected) in [
            ("displayName eq 'platform'", vec!["Platform"]),
            ("startswith(displayName,'E')", vec!["Engineering"]),
            ("mailNickname eq 'ops-team'", vec!["Ops Team"]),
            (
                "displayName eq 'Platform' and mailNickname eq 'platform'",
                vec!["Platform"],
            ),
            ("securityEnabled eq false", vec![]),
            ("isAssignableToRole eq true", vec![]),
        ] {
            let (s, page) = get(&srv, &format!("/v1.0/groups?$filter={filter}"), &admin).await;
            assert_eq!(s, StatusCode::OK, "{filter}: {page}");
            assert_eq!(names(&page), expected, "{filter}");
        }
        let (_, page) = get(&srv, "/v1.0/groups?$filter=securityEnabled eq true", &admin).await;
        assert_eq!(names(&page).len(), 3);
        let (_, page) = get(
            &srv,
            &format!("/v1.0/groups?$filter=id in ('{p}', '{o}')&$select=id,displayName"),
            &admin,
        )
        .await;
        assert_eq!(sorted(names(&page)), ["Ops Team", "Platform"]);
        assert_eq!(page["value"][0].as_object().unwrap().len(), 2, "$select");
        let unsupported = get(&srv, "/v1.0/groups?$filter=description eq 'x'", &admin).await;
        assert_eq!(
            refusal(&unsupported),
            (StatusCode::BAD_REQUEST, "Request_UnsupportedQuery")
        );

        // $top and paging; $orderby; $count with and without ConsistencyLevel.
        let (_, first) = get(&srv, "/v1.0/groups?$top=2&$orderby=displayName", &admin).await;
        assert_eq!(names(&first), ["Engineering", "Ops Team"]);
        let next = first["@odata.nextLink"].as_str().expect("a next link");
        let (_, second) = get(&srv, next, &admin).await;
        assert_eq!(names(&second), ["Platform"]);
        assert!(second.get("@odata.nextLink").is_none());
        let (_, desc) = get(&srv, "/v1.0/groups?$orderby=displayName desc", &admin).await;
        assert_eq!(names(&desc), ["Platform", "Ops Team", "Engineering"]);
        let no_header = get(&srv, "/v1.0/groups?$count=true", &admin).await;
        assert_eq!(
            refusal(&no_header),
            (StatusCode::BAD_REQUEST, "Request_BadRequest")
        );
        assert!(
            no_header.1["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("$count is not currently supported."),
            "{}",
            no_header.1
        );
        let (s, counted) = eventual(&srv, "/v1.0/groups?$count=true&$top=1", &admin).await;
        assert_eq!(s, StatusCode::OK, "{counted}");
        assert_eq!(counted["@odata.count"], 3, "the count of every page");
        // The $count segment: a number, as text; refused without the header, as Entra refuses it.
        let segment = get(&srv, "/v1.0/groups/$count", &admin).await;
        assert_eq!(
            (refusal(&segment), &segment.1["error"]["message"]),
            (
                (StatusCode::BAD_REQUEST, "Request_BadRequest"),
                &json!("$count is not currently supported.")
            )
        );
        let (s, n) = eventual(&srv, "/v1.0/groups/$count", &admin).await;
        assert_eq!((s, n), (StatusCode::OK, json!(3)));
        let path = "/v1.0/groups/$count?$filter=startswith(displayName,'P')";
        assert_eq!(eventual(&srv, path, &admin).await.1, json!(1));
        let path = "/v1.0/users/$count?$filter=startswith(displayName,'L')";
        assert_eq!(eventual(&srv, path, &admin).await.1, json!(1));
        let sorted_filter = "/v1.0/groups?$filter=startswith(displayName,'O') or startswith(displayName,'E')&$orderby=displayName desc";
        let refused = get(&srv, sorted_filter, &admin).await;
        assert_eq!(
            refusal(&refused),
            (StatusCode::BAD_REQUEST, "Request_UnsupportedQuery")
        );
        assert_eq!(
            refused.1["error"]["message"],
            "Sorting not supported for current query."
        );
        let (s, advanced) = eventual(&srv, &format!("{sorted_filter}&$count=true"), &admin).await;
        assert_eq!(s, StatusCode::OK, "{advanced}");
        assert_eq!(names(&advanced), ["Ops Team", "Engineering"]);
        assert_eq!(advanced["@odata.count"], 2);

        // Users answer $count and $orderby too (they were ignored before).
        let (_, users) = get(&srv, "/v1.0/users?$orderby=displayName desc", &admin).await;
        assert_eq!(names(&users), ["Megan Bowen", "Lee Gu", "Contoso Admin"]);
        let (_, users) = get(&srv, "/v1.0/users?$orderby=userPrincipalName", &admin).await;
        assert_eq!(names(&users), ["Contoso Admin", "Lee Gu", "Megan Bowen"]);
        let (s, users) = eventual(
            &srv,
            "/v1.0/users?$count=true&$filter=startswith(displayName,'L') or startswith(displayName,'M')&$orderby=displayName",
            &admin,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{users}");
        assert_eq!(
            (names(&users), &users["@odata.count"]),
            (
                vec!["Lee Gu".to_string(), "Megan Bowen".to_string()],
                &json!(2)
            )
        );
        let users = get(&srv, "/v1.0/users?$count=true", &admin).await;
        assert_eq!(
            refusal(&users),
            (StatusCode::BAD_REQUEST, "Request_BadRequest")
        );
        let users = get(&srv, "/v1.0/users?$orderby=jobTitle", &admin).await;
        assert_eq!(
            refusal(&users),
            (StatusCode::BAD_REQUEST, "Request_UnsupportedQuery")
        );
        // Applications sort in advanced queries only, as in Entra.
        let apps = get(&srv, "/v1.0/applications?$orderby=displayName", &admin).await;
        assert_eq!(
            refusal(&apps),
            (StatusCode::BAD_REQUEST, "Request_UnsupportedQuery")
        );
        let (s, _) = eventual(
            &srv,
            "/v1.0/applications?$orderby=displayName&$count=true",
            &admin,
        )
        .await;
        assert_eq!(s, StatusCode::OK);

        // One group; $select; unknown ones.
        let (s, shown) = get(&srv, &format!("/v1.0/groups/{e}"), &admin).await;
        assert_eq!(
            (s, &shown["description"]),
            (StatusCode::OK, &json!("Builds things"))
        );
        let (_, shown) = get(
            &srv,
            &format!("/v1.0/groups/{e}?$select=displayName"),
            &admin,
        )
        .await;
        assert_eq!(shown.as_object().unwrap().len(), 2, "{shown}");
        for missing in ["00000000-0000-4000-8000-000000000000", "Engineering"] {
            let answer = get(&srv, &format!("/v1.0/groups/{missing}"), &admin).await;
            assert_eq!(
                refusal(&answer),
                (StatusCode::NOT_FOUND, "Request_ResourceNotFound")
            );
        }

        // PATCH, as az rest sends it; null clears the description.
        let path = format!("/v1.0/groups/{e}");
        let patch = |body: Value| call(&srv, Method::PATCH, &path, Some(&admin), Some(body));
        let (s, _) =
            patch(json!({"displayName": "Engineering Team", "description": "Builds"})).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, shown) = get(&srv, &path, &admin).await;
        assert_eq!(
            (&shown["displayName"], &shown["description"]),
            (&json!("Engineering Team"), &json!("Builds"))
        );
        let (s, _) = patch(json!({"description": null})).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, shown) = get(&srv, &path, &admin).await;
        assert!(shown["description"].is_null(), "{shown}");
        assert_eq!(
            refusal(&patch(json!({"isAssignableToRole": true})).await),
            (StatusCode::BAD_REQUEST, "Request_BadRequest")
        );
        assert_eq!(
            refusal(&patch(json!({"mailEnabled": true})).await),
            (StatusCode::BAD_REQUEST, "Request_BadRequest")
        );
        assert_eq!(
            refusal(&patch(json!({"displayName": "platform"})).await).0,
            StatusCode::CONFLICT,
            "display names are unique in the directory"
        );

        // Refused at creation: other kinds of groups, no name, a name taken, a caller without a role.
        for body in [
            json!({"mailEnabled": true}),
            json!({"groupTypes": ["Unified"]}),
            json!({"securityEnabled": false}),
        ] {
            let answer = create(&srv, &admin, "Other", body.clone()).await;
            assert_eq!(
                refusal(&answer),
                (StatusCode::BAD_REQUEST, "Request_BadRequest"),
                "{body}"
            );
        }
        let (s, _) = post(&srv, &admin, "/v1.0/groups", json!({"mailNickname": "x"})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, e) = create(&srv, &admin, "PLATFORM", json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        let lee = contoso(&srv, "lee", "Lee-Contoso-1!").await;
        let answer = create(&srv, &lee, "Lee's", json!({})).await;
        assert_denied(&answer);
        // A User Administrator manages groups, as in Entra (a Groups Administrator: the az test).
        let lee_id = object_of(&srv.svc, "lee@contoso.onmicrosoft.com", "contoso").to_string();
        let path = format!("/v1.0/directoryRoles/{USER_ADMINISTRATOR}/members/$ref");
        let (s, e) = post(&srv, &admin, &path, reference(&lee_id)).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        let (s, lees) = create(&srv, &lee, "Lee's", json!({})).await;
        assert_eq!(s, StatusCode::CREATED, "{lees}");
        let path = format!("/v1.0/groups/{}", lees["id"].as_str().unwrap());
        let (s, e) = delete(&srv, &lee, &path).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");

        // DELETE.
        let (s, _) = delete(&srv, &admin, &format!("/v1.0/groups/{o}")).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = get(&srv, &format!("/v1.0/groups/{o}"), &admin).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, all) = get(&srv, "/v1.0/groups", &admin).await;
        assert_eq!(sorted(names(&all)), ["Engineering Team", "Platform"]);
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn members_owners_nesting_and_memberships() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = admin(&srv).await;
        let megan_token = contoso(&srv, "megan", "Megan-Contoso-1!").await;
        let lee_token = contoso(&srv, "lee", "Lee-Contoso-1!").await;
        let megan = object_of(&srv.svc, "megan@contoso.onmicrosoft.com", "contoso").to_string();
        let lee = object_of(&srv.svc, "lee@contoso.onmicrosoft.com", "contoso").to_string();
        let admin_id = object_of(&srv.svc, "admin@contoso.onmicrosoft.com", "contoso").to_string();
        let platform = group(&srv, &admin, "Platform").await;
        let eng = group(&srv, &admin, "Engineering").await;

        // megan in Engineering, Engineering in Platform.
        added(&srv, &admin, &eng, "members", &megan).await;
        added(&srv, &admin, &platform, "members", &eng).await;
        let (s, members) = get(&srv, &format!("/v1.0/groups/{platform}/members"), &admin).await;
        assert_eq!(s, StatusCode::OK, "{members}");
        assert_eq!(values(&members, "@odata.type"), ["#microsoft.graph.group"]);
        assert_eq!(names(&members), ["Engineering"]);
        let (_, members) = get(&srv, &format!("/v1.0/groups/{eng}/members"), &admin).await;
        assert_eq!(values(&members, "@odata.type"), ["#microsoft.graph.user"]);
        assert_eq!(
            values(&members, "userPrincipalName"),
            ["megan@contoso.onmicrosoft.com"]
        );
        let (_, all) = get(
            &srv,
            &format!("/v1.0/groups/{platform}/transitiveMembers"),
            &admin,
        )
        .await;
        assert_eq!(
            sorted(values(&all, "id")),
            sorted(vec![eng.clone(), megan.clone()])
        );

        // Cycles are refused with their path, in Graph's words; so are a member twice and nobody.
        let cycle = add(&srv, &admin, &eng, "members", &platform).await;
        assert_eq!(refusal(&cycle).1, "Request_BadRequest", "{}", cycle.1);
        let message = cycle.1["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("cycle") && message.contains("Engineering → Platform → Engineering"),
            "{message}"
        );
        let itself = add(&srv, &admin, &platform, "members", &platform).await;
        assert!(
            itself.1["error"]["message"]
                .as_str()
                .unwrap()
                .contains("member of itself"),
            "{}",
            itself.1
        );
        let twice = add(&srv, &admin, &eng, "members", &megan).await;
        assert_eq!(refusal(&twice).1, "Request_BadRequest");
        assert!(
            twice.1["error"]["message"]
                .as_str()
                .unwrap()
                .contains("already exist")
        );
        let nobody = add(
            &srv,
            &admin,
            &eng,
            "members",
            "00000000-0000-4000-8000-000000000000",
        )
        .await;
        assert_eq!(
            refusal(&nobody),
            (StatusCode::NOT_FOUND, "Request_ResourceNotFound")
        );

        // Owners manage their group, and only theirs; a group owns nothing.
        added(&srv, &admin, &eng, "owners", &lee).await;
        let (_, owners) = get(&srv, &format!("/v1.0/groups/{eng}/owners"), &admin).await;
        assert_eq!(values(&owners, "id"), [lee.as_str()]);
        assert_eq!(
            refusal(&add(&srv, &admin, &platform, "owners", &eng).await),
            (StatusCode::BAD_REQUEST, "Request_BadRequest")
        );
        added(&srv, &lee_token, &eng, "members", &admin_id).await;
        let (s, _) = call(
            &srv,
            Method::PATCH,
            &format!("/v1.0/groups/{eng}"),
            Some(&lee_token),
            Some(json!({"description": "Lee's team"})),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_denied(&add(&srv, &lee_token, &platform, "members", &lee).await);

        // A member without a role reads groups and their members, and changes nothing.
        let (s, _) = get(&srv, "/v1.0/groups", &megan_token).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = get(
            &srv,
            &format!("/v1.0/groups/{platform}/members"),
            &megan_token,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_denied(&add(&srv, &megan_token, &eng, "members", &lee).await);

        // memberOf, transitiveMemberOf: on /me, /users (by id and UPN), /groups.
        let (_, direct) = get(&srv, "/v1.0/me/memberOf", &megan_token).await;
        assert_eq!(names(&direct), ["Engineering"]);
        assert!(
            direct["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("$metadata#directoryObjects")
        );
        let (_, through) = get(&srv, "/v1.0/me/transitiveMemberOf", &megan_token).await;
        assert_eq!(sorted(names(&through)), ["Engineering", "Platform"]);
        // Cast to one type (Graph's example of an advanced query), and counted.
        let path = "/v1.0/me/transitiveMemberOf/microsoft.graph.group?$count=true";
        let (s, groups) = eventual(&srv, path, &megan_token).await;
        assert_eq!(s, StatusCode::OK, "{groups}");
        assert_eq!(groups["@odata.count"], 2);
        assert!(
            groups["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("$metadata#groups")
        );
        let path = format!("/v1.0/groups/{platform}/transitiveMembers/microsoft.graph.user");
        let (_, users) = get(&srv, &path, &admin).await;
        assert_eq!(
            sorted(values(&users, "id")),
            sorted(vec![megan.clone(), admin_id.clone()])
        );
        let path =
            format!("/v1.0/groups/{platform}/transitiveMembers/microsoft.graph.group/$count");
        assert_eq!(eventual(&srv, &path, &admin).await.1, json!(1));
        let path = format!("/v1.0/groups/{platform}/members/microsoft.graph.servicePrincipal");
        assert_eq!(
            values(&get(&srv, &path, &admin).await.1, "id"),
            Vec::<String>::new()
        );
        let (_, by_upn) = get(
            &srv,
            "/v1.0/users/megan@contoso.onmicrosoft.com/memberOf",
            &admin,
        )
        .await;
        assert_eq!(names(&by_upn), ["Engineering"]);
        let (_, of_group) = get(&srv, &format!("/v1.0/groups/{eng}/memberOf"), &admin).await;
        assert_eq!(names(&of_group), ["Platform"]);
        // The admin holds Global Administrator directly: a directory role, typed.
        let (_, admins) = get(&srv, "/v1.0/me/memberOf", &admin).await;
        assert_eq!(
            values(&admins, "@odata.type"),
            ["#microsoft.graph.group", "#microsoft.graph.directoryRole"]
        );

        // The member actions, short and qualified, on each kind of principal.
        let both = sorted(vec![platform.clone(), eng.clone()]);
        let (s, groups) = post(
            &srv,
            &admin,
            &format!("/v1.0/users/{megan}/getMemberGroups"),
            json!({"securityEnabledOnly": false}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{groups}");
        assert!(
            groups["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("$metadata#Collection(Edm.String)")
        );
        assert_eq!(sorted(values(&groups, "")), both);
        let (_, mine) = post(
            &srv,
            &megan_token,
            "/v1.0/me/microsoft.graph.getMemberGroups",
            json!({"securityEnabledOnly": true}),
        )
        .await;
        assert_eq!(sorted(values(&mine, "")), both);
        let nothing = "00000000-0000-4000-8000-000000000000";
        let (_, checked) = post(
            &srv,
            &admin,
            &format!("/v1.0/directoryObjects/{megan}/checkMemberGroups"),
            json!({"groupIds": [nothing, platform.to_uppercase()]}),
        )
        .await;
        assert_eq!(values(&checked, ""), [platform.to_uppercase()], "as asked");
        let (_, checked) = post(
            &srv,
            &admin,
            &format!("/v1.0/groups/{eng}/microsoft.graph.checkMemberGroups"),
            json!({"groupIds": [platform]}),
        )
        .await;
        assert_eq!(values(&checked, ""), [platform.as_str()]);
        let too_many: Vec<String> = (0..21).map(|_| nothing.to_string()).collect();
        let refused = post(
            &srv,
            &admin,
            &format!("/v1.0/users/{megan}/checkMemberGroups"),
            json!({"groupIds": too_many}),
        )
        .await;
        assert_eq!(
            refusal(&refused),
            (StatusCode::BAD_REQUEST, "Request_BadRequest")
        );
        let (_, objects) = post(
            &srv,
            &admin,
            "/v1.0/me/getMemberObjects",
            json!({"securityEnabledOnly": false}),
        )
        .await;
        assert_eq!(
            sorted(values(&objects, "")),
            sorted(vec![
                eng.clone(),
                platform.clone(),
                GLOBAL_ADMINISTRATOR.to_string()
            ])
        );
        let (_, objects) = post(
            &srv,
            &admin,
            "/v1.0/me/checkMemberObjects",
            json!({"ids": [GLOBAL_ADMINISTRATOR, GLOBAL_READER, nothing]}),
        )
        .await;
        assert_eq!(values(&objects, ""), [GLOBAL_ADMINISTRATOR]);

        // ownedObjects.
        let (_, owned) = get(&srv, "/v1.0/me/ownedObjects", &lee_token).await;
        assert_eq!(
            (values(&owned, "@odata.type"), names(&owned)),
            (
                vec!["#microsoft.graph.group".to_string()],
                vec!["Engineering".to_string()]
            )
        );
        let (_, owned) = get(&srv, &format!("/v1.0/users/{lee}/ownedObjects"), &admin).await;
        assert_eq!(names(&owned), ["Engineering"]);

        // A service principal in a group.
        let (s, app) = post(
            &srv,
            &admin,
            "/v1.0/applications",
            json!({"displayName": "deployer"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{app}");
        // Its service principal (another object than the application, as in Entra) is the member.
        let (s, sp) = post(
            &srv,
            &admin,
            "/v1.0/servicePrincipals",
            json!({"appId": app["appId"]}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{sp}");
        let sp = sp["id"].as_str().unwrap().to_string();
        added(&srv, &admin, &platform, "members", &sp).await;
        let (s, of_sp) = get(
            &srv,
            &format!("/v1.0/servicePrincipals/{sp}/memberOf"),
            &admin,
        )
        .await;
        assert_eq!(
            (s, names(&of_sp)),
            (StatusCode::OK, vec!["Platform".to_string()])
        );
        let (_, sp_groups) = post(
            &srv,
            &admin,
            &format!("/v1.0/servicePrincipals/{sp}/getMemberGroups"),
            json!({"securityEnabledOnly": false}),
        )
        .await;
        assert_eq!(values(&sp_groups, ""), [platform.as_str()]);
        let (s, _) = get(
            &srv,
            &format!("/v1.0/servicePrincipals/{megan}/memberOf"),
            &admin,
        )
        .await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "a user is not a service principal"
        );

        // Removing a member ends what came through it; removing an owner ends its management.
        let path = format!("/v1.0/groups/{eng}/members/{megan}/$ref");
        let (s, _) = delete(&srv, &admin, &path).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, through) = get(&srv, "/v1.0/me/transitiveMemberOf", &megan_token).await;
        assert_eq!(names(&through), Vec::<String>::new());
        let answer = delete(&srv, &admin, &path).await;
        assert_eq!(
            refusal(&answer),
            (StatusCode::NOT_FOUND, "Request_ResourceNotFound")
        );
        let path = format!("/v1.0/groups/{eng}/owners/{lee}/$ref");
        let (s, _) = delete(&srv, &admin, &path).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(
            add(&srv, &lee_token, &eng, "members", &megan).await.0,
            StatusCode::FORBIDDEN
        );

        // A role-assignable group: only Global Administrators make one; it holds a directory role its
        // members then hold (transitively), and it contains no groups.
        let (s, _) = create(
            &srv,
            &lee_token,
            "Lee Readers",
            json!({"isAssignableToRole": true}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, readers) =
            create(&srv, &admin, "Readers", json!({"isAssignableToRole": true})).await;
        assert_eq!(
            (s, &readers["isAssignableToRole"]),
            (StatusCode::CREATED, &json!(true))
        );
        let readers = readers["id"].as_str().unwrap().to_string();
        assert_eq!(
            refusal(&add(&srv, &admin, &readers, "members", &eng).await),
            (StatusCode::BAD_REQUEST, "Request_BadRequest")
        );
        let (s, e) = post(
            &srv,
            &admin,
            &format!("/v1.0/directoryRoles/{GLOBAL_READER}/members/$ref"),
            reference(&readers),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        added(&srv, &admin, &readers, "members", &megan).await;
        let (_, direct) = get(&srv, "/v1.0/me/memberOf", &megan_token).await;
        assert_eq!(names(&direct), ["Readers"]);
        let (_, through) = get(&srv, "/v1.0/me/transitiveMemberOf", &megan_token).await;
        assert_eq!(
            values(&through, "@odata.type"),
            ["#microsoft.graph.group", "#microsoft.graph.directoryRole"]
        );
        assert_eq!(names(&through), ["Readers", "Global Reader"]);

        // Deleting a group takes its memberships.
        let (s, _) = delete(&srv, &admin, &format!("/v1.0/groups/{platform}")).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, of_sp) = get(
            &srv,
            &format!("/v1.0/servicePrincipals/{sp}/memberOf"),
            &admin,
        )
        .await;
        assert_eq!(names(&of_sp), Vec::<String>::new());
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn guests_read_groups_as_they_read_users_and_other_tenants_see_none() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        // alicedefault: alice is a guest Global Administrator, dave a guest without a role, erin a member.
        let alice = user_token(
            &srv,
            ALICEDEFAULT,
            "alice@outlook.com",
            "Alice-2017!",
            GRAPH,
        )
        .await;
        let dave = user_token(&srv, ALICEDEFAULT, "dave@outlook.com", "Dave-2017!", GRAPH).await;
        let erin_token = user_token(
            &srv,
            ALICEDEFAULT,
            "erin@alicedefault.onmicrosoft.com",
            "Erin-Default-1!",
            GRAPH,
        )
        .await;
        let erin = object_of(
            &srv.svc,
            "erin@alicedefault.onmicrosoft.com",
            "alicedefault",
        )
        .to_string();
        let dave_id = object_of(&srv.svc, "dave@outlook.com", "alicedefault").to_string();
        let team = group(&srv, &alice, "Team").await;
        let daves = group(&srv, &alice, "Dave's").await;
        added(&srv, &alice, &team, "members", &erin).await;
        added(&srv, &alice, &daves, "members", &erin).await;
        added(&srv, &alice, &daves, "owners", &dave_id).await;

        // dave lists no groups, as he lists no users, and reads one he knows the id of.
        let groups = get(&srv, "/v1.0/groups", &dave).await;
        let users = get(&srv, "/v1.0/users", &dave).await;
        assert_denied(&groups);
        assert_eq!(refusal(&groups), refusal(&users));
        let (s, shown) = get(&srv, &format!("/v1.0/groups/{team}"), &dave).await;
        assert_eq!((s, &shown["displayName"]), (StatusCode::OK, &json!("Team")));
        // Nor a group's members, but for the group he owns; his own memberships, not erin's.
        let (s, _) = get(&srv, &format!("/v1.0/groups/{team}/members"), &dave).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, members) = get(&srv, &format!("/v1.0/groups/{daves}/members"), &dave).await;
        assert_eq!(
            (s, values(&members, "id")),
            (StatusCode::OK, vec![erin.clone()])
        );
        let (s, _) = get(&srv, "/v1.0/me/memberOf", &dave).await;
        assert_eq!(s, StatusCode::OK);
        let (_, owned) = get(&srv, "/v1.0/me/ownedObjects", &dave).await;
        assert_eq!(names(&owned), ["Dave's"]);
        let (s, _) = get(&srv, &format!("/v1.0/users/{erin}/memberOf"), &dave).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = post(
            &srv,
            &dave,
            &format!("/v1.0/users/{erin}/getMemberGroups"),
            json!({"securityEnabledOnly": false}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // As owner he manages his group.
        let (s, _) = delete(
            &srv,
            &dave,
            &format!("/v1.0/groups/{daves}/members/{erin}/$ref"),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);

        // erin, a member: reads everything, changes nothing.
        let (s, _) = get(&srv, &format!("/v1.0/groups/{team}/members"), &erin_token).await;
        assert_eq!(s, StatusCode::OK);
        let (_, mine) = post(
            &srv,
            &erin_token,
            "/v1.0/me/getMemberGroups",
            json!({"securityEnabledOnly": false}),
        )
        .await;
        assert_eq!(values(&mine, ""), [team.as_str()]);
        let (s, _) = delete(&srv, &erin_token, &format!("/v1.0/groups/{team}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // Contoso's Global Administrator: alicedefault's group is as absent as a group that never was.
        let admin = admin(&srv).await;
        let megan = object_of(&srv.svc, "megan@contoso.onmicrosoft.com", "contoso").to_string();
        let missing = "00000000-0000-4000-8000-000000000000";
        let mut answers = vec![];
        for id in [team.as_str(), missing] {
            for (method, path, body) in [
                (Method::GET, format!("/v1.0/groups/{id}"), None),
                (
                    Method::PATCH,
                    format!("/v1.0/groups/{id}"),
                    Some(json!({"displayName": "x"})),
                ),
                (Method::DELETE, format!("/v1.0/groups/{id}"), None),
                (Method::GET, format!("/v1.0/groups/{id}/members"), None),
                (
                    Method::GET,
                    format!("/v1.0/groups/{id}/transitiveMembers"),
                    None,
                ),
                (
                    Method::POST,
                    format!("/v1.0/groups/{id}/members/$ref"),
                    Some(reference(&megan)),
                ),
                (
                    Method::POST,
                    format!("/v1.0/groups/{id}/getMemberGroups"),
                    Some(json!({})),
                ),
            ] {
                let (s, e) = call(&srv, method.clone(), &path, Some(&admin), body).await;
                assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path}: {e}");
                assert!(!e.to_string().contains("Team"), "{e}");
                answers.push(
                    e["error"]["message"]
                        .as_str()
                        .unwrap_or_default()
                        .replace(id, "{id}"),
                );
            }
        }
        let (first, second) = answers.split_at(answers.len() / 2);
        assert_eq!(
            first, second,
            "the same answers for a foreign group and a missing one"
        );
        let (s, _) = get(&srv, &format!("/v1.0/users/{erin}/memberOf"), &admin).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, all) = get(&srv, "/v1.0/groups", &admin).await;
        assert_eq!(names(&all), Vec::<String>::new(), "contoso has no groups");
    }
}

/// The Azure CLI's `ad group` commands as the "ci" application (made Groups Administrator), then `ad
/// signed-in-user list-owned-objects` as erin, signed in with a device code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_group_commands() {
    let (_store, srv) =
        demo_with_ci(&[tenantry_service::domain::DirectoryRole::GroupsAdministrator]).await;
    let alicedefault = tenant_id(&srv.svc, "alicedefault");
    let erin = object_of(
        &srv.svc,
        "erin@alicedefault.onmicrosoft.com",
        "alicedefault",
    )
    .to_string();
    run_az_script(&srv, "groups_cli.py", &[("TENANTRY_ERIN_OID", &erin)]);
    let platform = srv.svc.read(|w| {
        w.tenant(alicedefault)
            .and_then(|t| t.group_by_name("Platform"))
            .map(|g| g.id.to_string())
            .expect("az made Platform")
    });

    let az = required_tool("TENANTRY_TEST_AZ");
    let config = tenantry_store::testing::TempDir::new("tenantry-az-groups").unwrap();
    let mut cli = std::process::Command::new(std::path::Path::new(&az).with_file_name("python"));
    cli.arg(repo_root().join("crates/tenantry/tests/az/device_login.py"))
        .env("TENANTRY_TEST_AZ", &az)
        .env("TENANTRY_URL", &srv.base_url)
        .env("REQUESTS_CA_BUNDLE", &srv.ca_path)
        .env("AZURE_CONFIG_DIR", config.path())
        .env(
            "TENANTRY_AZ_THEN",
            json!([
                ["ad", "signed-in-user", "list-owned-objects"],
                [
                    "ad",
                    "signed-in-user",
                    "list-owned-objects",
                    "--type",
                    "group"
                ],
            ])
            .to_string(),
        );
    let result = crate::signin::device::approve_while_client_polls(&srv, cli).await;
    assert_eq!(result["me"]["id"], erin.as_str(), "{result}");
    for owned in result["then"].as_array().unwrap() {
        let page = json!({ "value": owned });
        assert_eq!(values(&page, "@odata.type"), ["#microsoft.graph.group"]);
        assert_eq!(values(&page, "id"), [platform.as_str()]);
    }
}
