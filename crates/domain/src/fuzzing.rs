//! Support for the fuzz tests of every crate (feature `fuzzing`, tests only): how many cases a property
//! runs, and text as a hostile client writes it. Reading the environment here is test support, not a
//! rule: the rules stay pure.

use proptest::prelude::*;
use serde_json::{Value, json};

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

/// JSON of every type, numbers at their limits too: `keys` name its objects' properties and `strings`
/// are its strings (a face's property names and values, for bodies of the right and the wrong shapes).
pub fn json_of(
    keys: BoxedStrategy<String>,
    strings: BoxedStrategy<String>,
) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        Just(json!(u64::MAX)),
        strings.prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..5).prop_map(|m| json!(m)),
        ]
    })
}
