//! tenantry's integration tests: the service on both databases, several instances, crashes, and the
//! `tenantry` command. One binary (each test binary is another link of the whole stack).

// Test code: a panic is a failed run with its message, which is what these unwraps want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The binary's own dependencies (it runs as a process here), not used by the tests themselves.
use {
    anyhow as _, clap as _, indicatif as _, mimalloc as _, time as _, tracing as _,
    tracing_subscriber as _,
};
// The scale bench's dependency (wait4), not used by the tests.
use libc as _;

mod applications;
mod arm;
mod article;
mod audit_chain;
mod backup;
mod cli;
mod crash;
mod deploy;
mod edge;
mod federated;
mod fuzz_http;
mod graph;
mod group_roles;
mod groups;
mod hierarchy_entities;
mod hierarchy_settings;
mod identities;
mod input;
mod instances;
mod leaks;
mod link_request_pages;
mod management_groups;
mod metrics;
mod outage;
mod portal;
mod portal_errors;
mod rolling_restart;
mod service;
mod signin;
mod subscription_lifecycle;
mod support;
mod tag_names;
mod tags;
mod throttling;
