//! `GET /tenants`: every directory where the caller's identity is present, whatever tenant the token is
//! for (the Azure CLI lists tenants with an `organizations` token, then signs in to each).

use super::wire;
use crate::app::AppState;
use crate::auth::ArmCaller;
use axum::extract::State;
use axum::response::Response;
use serde_json::Value;
use tenantry_domain::rules::reads;

pub async fn list(State(st): State<AppState>, ArmCaller(caller): ArmCaller) -> Response {
    let items: Vec<Value> = st.svc.read(|w| {
        reads::tenants_of_caller(w, &caller.actor)
            .into_iter()
            .map(|t| wire::tenant(&t.tenant))
            .collect()
    });
    wire::list(items, None)
}
