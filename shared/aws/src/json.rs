//! A small builder for JSON objects in the AWS CLI's shape: absent values are omitted, lists are
//! always written (the CLI prints `[]` for an empty set).

use aws_sdk_ec2::types::Tag;
use serde_json::{Map, Value};

/// Builds one JSON object field by field.
#[derive(Default)]
pub(crate) struct Obj(Map<String, Value>);

impl Obj {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A string field, omitted when `None`.
    pub(crate) fn str(self, key: &str, value: Option<&str>) -> Self {
        self.opt(key, value.map(Value::from))
    }

    /// A boolean field, omitted when `None`.
    pub(crate) fn bool(self, key: &str, value: Option<bool>) -> Self {
        self.opt(key, value.map(Value::from))
    }

    /// An integer field, omitted when `None`.
    pub(crate) fn int(self, key: &str, value: Option<i32>) -> Self {
        self.opt(key, value.map(Value::from))
    }

    /// Any field, omitted when `None`.
    pub(crate) fn opt(mut self, key: &str, value: Option<Value>) -> Self {
        if let Some(value) = value {
            self.0.insert(key.to_owned(), value);
        }
        self
    }

    /// A list field converted item by item; always present.
    pub(crate) fn list<T>(mut self, key: &str, items: &[T], convert: fn(&T) -> Value) -> Self {
        self.0
            .insert(key.to_owned(), items.iter().map(convert).collect());
        self
    }

    /// A list of strings; always present.
    pub(crate) fn strs(mut self, key: &str, items: &[String]) -> Self {
        self.0.insert(
            key.to_owned(),
            items.iter().map(|s| Value::from(s.as_str())).collect(),
        );
        self
    }

    /// The `Tags` (or `TagSet`) list under `key`.
    pub(crate) fn tags(self, key: &str, tags: &[Tag]) -> Self {
        self.list(key, tags, tag)
    }

    pub(crate) fn build(self) -> Value {
        Value::Object(self.0)
    }
}

/// `{"Key": .., "Value": ..}`.
pub(crate) fn tag(t: &Tag) -> Value {
    Obj::new()
        .str("Key", t.key())
        .str("Value", t.value())
        .build()
}

/// The document `{"<key>": [items]}` as the CLI prints it for a describe call.
pub(crate) fn document(key: &str, items: Vec<Value>) -> Value {
    let mut map = Map::new();
    map.insert(key.to_owned(), Value::Array(items));
    Value::Object(map)
}

/// A field the model's describe types require (the JSON route fails on its absence too).
pub(crate) fn required(value: Option<String>, owner: &str, field: &str) -> Result<String, String> {
    value.ok_or_else(|| format!("{owner}: {field} missing"))
}

/// A field parsed as the model reads it (an address or a CIDR), or an error naming it.
pub(crate) fn parsed<T: std::str::FromStr>(
    value: &str,
    owner: &str,
    field: &str,
) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{owner}: {field} {value:?} is not valid"))
}

/// Tags in the model's type.
pub(crate) fn model_tags(
    tags: Option<Vec<Tag>>,
    owner: &str,
) -> Result<Vec<vpce_reach_model::snapshot::Tag>, String> {
    tags.unwrap_or_default()
        .into_iter()
        .map(|t| {
            Ok(vpce_reach_model::snapshot::Tag {
                key: required(t.key, owner, "tag Key")?,
                value: t.value.unwrap_or_default(),
            })
        })
        .collect()
}
