//! Tokens from the token endpoint, asked for as the real clients ask.

use super::{AZ_CLI, CONTOSO, GRAPH, Resp, TestServer, post_form};
use serde_json::Value;

/// `POST /{tenant}/oauth2/v2.0/token` with `form`, plus what every real client adds (`client_info=1`;
/// az also sends `claims`): both are ignored.
pub async fn token(srv: &TestServer, tenant: &str, form: &[(&str, &str)]) -> Resp {
    let mut all = form.to_vec();
    all.push(("client_info", "1"));
    all.push((
        "claims",
        r#"{"access_token": {"xms_cc": {"values": ["CP1"]}}}"#,
    ));
    post_form(srv, &format!("/{tenant}/oauth2/v2.0/token"), &all).await
}

/// The password grant with the Azure CLI's client id, for `scope`.
pub async fn password_grant(
    srv: &TestServer,
    tenant: &str,
    user: &str,
    password: &str,
    scope: &str,
) -> Resp {
    token(
        srv,
        tenant,
        &[
            ("grant_type", "password"),
            ("client_id", AZ_CLI),
            ("username", user),
            ("password", password),
            ("scope", scope),
        ],
    )
    .await
}

/// The client credentials grant, for `scope`.
pub async fn client_credentials_grant(
    srv: &TestServer,
    tenant: &str,
    client_id: &str,
    secret: &str,
    scope: &str,
) -> Resp {
    token(
        srv,
        tenant,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", scope),
        ],
    )
    .await
}

/// The refresh token grant with the Azure CLI's client id, for `scope`.
pub async fn refresh_grant(
    srv: &TestServer,
    tenant: &str,
    refresh_token: &str,
    scope: &str,
) -> Resp {
    token(
        srv,
        tenant,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", AZ_CLI),
            ("refresh_token", refresh_token),
            ("scope", scope),
        ],
    )
    .await
}

impl Resp {
    /// The access token of a successful token response, or the refusal's body.
    pub fn access_token(&self) -> Result<String, Value> {
        match (self.status.is_success(), self.body["access_token"].as_str()) {
            (true, Some(t)) => Ok(t.to_string()),
            _ => Err(self.body.clone()),
        }
    }
}

/// A Graph token of the demo's contoso user `who` (`admin`, `megan`, …).
pub async fn contoso(srv: &TestServer, who: &str, password: &str) -> String {
    user_token(
        srv,
        CONTOSO,
        &format!("{who}@contoso.onmicrosoft.com"),
        password,
        GRAPH,
    )
    .await
}

/// A user's token for `resource` (`GRAPH` or `ARM`) at `authority` (a tenant, `organizations`,
/// `consumers`), with an id token and a refresh token, as az asks.
pub async fn user_token(
    srv: &TestServer,
    authority: &str,
    user: &str,
    password: &str,
    resource: &str,
) -> String {
    let scope = format!("{resource}/.default offline_access openid profile");
    password_grant(srv, authority, user, password, &scope)
        .await
        .access_token()
        .unwrap_or_else(|e| panic!("token for {user} at {authority}: {e}"))
}

/// An application's token for `resource` (client credentials).
pub async fn app_token(
    srv: &TestServer,
    tenant: &str,
    client_id: &str,
    secret: &str,
    resource: &str,
) -> String {
    let scope = format!("{resource}/.default");
    client_credentials_grant(srv, tenant, client_id, secret, &scope)
        .await
        .access_token()
        .unwrap_or_else(|e| panic!("token for {client_id}: {e}"))
}

/// An ARM token for the demo's "ci" application (client credentials), from a server at `base` (a
/// `tenantry serve` process, reached with `client`).
pub async fn ci_arm_token(client: &reqwest::Client, base: &str) -> String {
    let token: Value = client
        .post(format!("{base}/{}/oauth2/v2.0/token", super::ALICEDEFAULT))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", super::CI_CLIENT),
            ("client_secret", super::CI_SECRET),
            ("scope", "https://management.azure.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().expect("a token").to_string()
}
