//! Support for the fuzz tests of every crate (feature `fuzzing`, tests only): how many cases a property
//! runs, and text as a hostile client writes it. Reading the environment here is test support, not a
//! rule: the rules stay pure.

use proptest::prelude::*;

/// The environment variable that asks every fuzz test for more cases (the README's "Tests").
pub const CASES_VAR: &str = "TENANTRY_FUZZ_CASES";

/// `default` cases (seconds in CI), or as many as [`CASES_VAR`] says.
pub fn cases(default: u32) -> u32 {
    std::env::var(CASES_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A property's configuration: a few hundred cases unless [`CASES_VAR`] says more.
pub fn config() -> ProptestConfig {
    ProptestConfig::with_cases(cases(300))
}

/// Text as a client, a typo or an attacker writes it: plain names mostly, then control characters,
/// other scripts, URL and quoting punctuation, `..`, huge runs, and anything at all.
pub fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9._@-]{1,12}",
        3 => "[A-Za-z0-9\\x00-\\x1f\\x7f\u{85}\u{a0}é漢 %&=+;:?#'\"()<>./\\\\-]{0,24}",
        1 => Just("..".to_string()),
        1 => Just(String::new()),
        1 => "[a-z%]{300,3000}",
        1 => any::<String>(),
    ]
}
