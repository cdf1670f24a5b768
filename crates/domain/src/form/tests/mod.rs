//! Tests of the form module: shared builders here, one file per concern.

use super::*;
use crate::locale::Lang;
use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::{Value, json};

mod check;
mod conditions;
mod demo;
mod fields;
mod properties;

const VALID_ID: &str = "1103702071561";

fn label() -> Value {
    json!({"th": "ช่อง", "en": "Field"})
}

/// A checked schema around the given fields; each gets a label unless it has one.
fn schema(fields: Value) -> FormSchema {
    let fields: Vec<Value> = fields
        .as_array()
        .expect("fields are an array")
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.as_object_mut()
                .expect("field is an object")
                .entry("label")
                .or_insert_with(label);
            f
        })
        .collect();
    let doc = json!({"key": "test", "version": 1, "title": label(), "fields": fields});
    FormSchema::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("schema is valid: {e:?}"))
}

/// A schema of one field `f` with the given attributes.
fn one(attributes: Value) -> FormSchema {
    let mut field = attributes;
    field["key"] = json!("f");
    schema(json!([field]))
}

fn submit(schema: &FormSchema, data: Value) -> Result<CleanSubmission, Vec<FieldIssue>> {
    validate_submission(schema, &Submission::from_json(data).expect("data is an object"))
}

fn issues(schema: &FormSchema, data: Value) -> Vec<(String, &'static str)> {
    match submit(schema, data) {
        Ok(clean) => panic!("expected issues, got {clean:?}"),
        Err(issues) => issues.into_iter().map(|i| (i.field, i.code)).collect(),
    }
}

fn issue(field: &str, code: &'static str) -> Vec<(String, &'static str)> {
    vec![(field.to_owned(), code)]
}

fn clean(schema: &FormSchema, data: Value) -> Value {
    match submit(schema, data) {
        Ok(clean) => clean.to_json(),
        Err(issues) => panic!("expected success, got {issues:?}"),
    }
}

fn file(mime: &str, bytes: u64) -> FileFact {
    FileFact {
        sniffed_mime: Some(mime.to_owned()),
        bytes,
    }
}

fn check_errors(doc: Value) -> Vec<(String, String)> {
    match FormSchema::from_json(&doc.to_string()) {
        Ok(_) => panic!("expected schema errors"),
        Err(errors) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
    }
}

fn error_paths(doc: Value) -> Vec<String> {
    check_errors(doc).into_iter().map(|(path, _)| path).collect()
}

fn doc(fields: Value) -> Value {
    json!({"key": "test", "version": 1, "title": label(), "fields": fields})
}

fn options() -> Value {
    json!([
        {"key": "a", "label": {"th": "ก", "en": "A"}},
        {"key": "b", "label": {"th": "ข", "en": "B"}},
        {"key": "c", "label": {"th": "ค", "en": "C"}},
    ])
}

fn chiang_mai() -> Value {
    json!({"house_no": " 12/3 ", "village": "หมู่บ้านสุขใจ", "road": "ห้วยแก้ว",
        "province": "50", "district": 5001, "sub_district": "500101", "postcode": "50200"})
}
