//! tenantry's integration tests: the service on both databases, several instances, crashes, and the
//! `tenantry` command. One binary (each test binary is another link of the whole stack).

mod cli;
mod crash;
mod instances;
mod service;
mod support;
