//! tenantry's integration tests: the service on both databases, several instances, crashes, and the
//! `tenantry` command. One binary (each test binary is another link of the whole stack).

mod arm;
mod article;
mod cli;
mod crash;
mod edge;
mod graph;
mod instances;
mod portal;
mod service;
mod signin;
mod support;
