//! `GET /metadata/endpoints`: the cloud description `az cloud register` reads (contract §4.1). One origin
//! serves sign-in, ARM and Graph, so every endpoint is the base URL; the audiences are ARM's own, which
//! the token endpoint maps to ARM.

use crate::app::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

pub async fn endpoints(State(st): State<AppState>) -> Json<Value> {
    let base = format!("{}/", st.base_url.trim_end_matches('/'));
    Json(json!({
        "name": "Tenantry",
        "portal": base,
        "authentication": {
            "loginEndpoint": base,
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "microsoftGraphResourceId": base,
        "resourceManager": base,
        "suffixes": {},
    }))
}
