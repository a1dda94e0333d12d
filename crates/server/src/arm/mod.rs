//! Routes of the arm face (see app.rs).

use crate::app::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
