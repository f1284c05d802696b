//! Shared pieces of the fuzz tests: arbitrary JSON in a parser's vocabulary, and real inputs
//! damaged at a proptest-chosen place.

use proptest::prelude::*;
use serde_json::Value;

/// What arbitrary JSON for one parser should speak.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary {
    /// A regex for free strings.
    pub text: &'static str,
    /// Strings the parser looks for (ids, enum values, timestamps), valid or nearly so.
    pub words: &'static [&'static str],
    /// Object keys the parser reads.
    pub keys: &'static [&'static str],
    /// Nesting depth.
    pub depth: u32,
    /// How many nodes at most.
    pub size: u32,
}

/// Values of every JSON type, nested a little, objects keyed by `v.keys`.
pub fn arb_json(v: Vocabulary) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        v.text.prop_map(Value::String),
        prop::sample::select(v.words).prop_map(Value::from),
    ];
    leaf.prop_recursive(v.depth, v.size, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(v.keys).prop_map(String::from),
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// [`crate::damage`] at a proptest-chosen position.
pub fn damage_at(text: &str, at: prop::sample::Index, len: usize, junk: &str) -> String {
    crate::damage(text, at.index(text.len().max(1)), len, junk)
}
