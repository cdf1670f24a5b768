//! What a citizen sent for a form, before any rule has looked at it: the raw values of an HTML
//! post or of the API's `data` JSON, and the facts the web layer learnt about each uploaded file.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Submission {
    /// Field key → string, number, bool, array of strings, or (for an address) an object.
    pub values: Map<String, Value>,
    /// File field key → one fact per uploaded file, in upload order.
    pub files: BTreeMap<String, Vec<FileFact>>,
}

/// An uploaded file as the web layer found it; the content itself stays there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFact {
    /// The type sniffed from the content (never the name or the browser's claim); `None` when
    /// the content is of no known type.
    pub sniffed_mime: Option<String>,
    pub bytes: u64,
}

impl Submission {
    /// The API's `data` member; anything but a JSON object is no set of values.
    pub fn from_json(data: Value) -> Option<Self> {
        match data {
            Value::Object(values) => Some(Self {
                values,
                files: BTreeMap::new(),
            }),
            _ => None,
        }
    }

    /// An HTML form post, minus the page's own parameters (CSRF token, idempotency key):
    /// a repeated name becomes a list (checkboxes) and `home.province` a part of the `home` object.
    pub fn from_form_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut values = Map::new();
        for (name, value) in pairs {
            let value = Value::String(value.into());
            match name.as_ref().split_once('.') {
                Some((key, part)) => {
                    let entry = values.entry(key).or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(parts) = entry {
                        add(parts, part, value);
                    }
                }
                None => add(&mut values, name.as_ref(), value),
            }
        }
        Self {
            values,
            files: BTreeMap::new(),
        }
    }

    pub fn with_files(mut self, key: impl Into<String>, files: Vec<FileFact>) -> Self {
        self.files.insert(key.into(), files);
        self
    }
}

fn add(map: &mut Map<String, Value>, name: &str, value: Value) {
    match map.get_mut(name) {
        None => {
            map.insert(name.to_owned(), value);
        }
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
}

/// Whether a value says nothing: what an untouched input posts.
pub(super) fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.iter().all(is_blank),
        Value::Object(parts) => parts.values().all(is_blank),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_pairs_become_lists_and_address_objects() {
        let s = Submission::from_form_pairs([
            ("name", "สมชาย"),
            ("bins", "general"),
            ("bins", "recycle"),
            ("bins", "organic"),
            ("home.province", "50"),
            ("home.house_no", "12/3"),
        ]);
        assert_eq!(
            Value::Object(s.values),
            json!({
                "name": "สมชาย",
                "bins": ["general", "recycle", "organic"],
                "home": {"province": "50", "house_no": "12/3"},
            })
        );
    }

    #[test]
    fn only_an_object_is_api_data() {
        assert!(Submission::from_json(json!({"a": 1})).is_some());
        assert!(Submission::from_json(json!([1])).is_none());
    }

    #[test]
    fn blank_means_nothing_was_entered() {
        assert!(is_blank(&json!(null)));
        assert!(is_blank(&json!("  ")));
        assert!(is_blank(&json!({"province": "", "road": " "})));
        assert!(!is_blank(&json!(0)));
        assert!(!is_blank(&json!(false)));
    }
}
