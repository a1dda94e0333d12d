//! tenantry's HTTPS faces: Entra-compatible sign-in, ARM, Graph and the portal. Adapters translate wire
//! shapes to the service's commands and back; the rules live in the domain.

pub mod app;
pub mod arm;
pub mod auth;
pub mod client_addr;
pub mod edge;
pub mod errors;
pub mod extensions;
#[cfg(test)]
mod fuzz;
pub mod graph;
pub mod metrics;
pub mod oauth;
pub mod odata;
pub mod portal;
pub mod request_id;
pub mod throttle;
pub mod tls;
pub mod urls;

pub use app::{AppState, ServeConfig, router, serve};
