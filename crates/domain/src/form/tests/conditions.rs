//! Conditional fields, unknown fields, and every issue at once.

use super::*;

fn conditional() -> FormSchema {
    schema(json!([
        {"key": "kind", "type": "choice", "style": "radio", "options": options()},
        {"key": "detail", "type": "text", "required": true, "show_when": {"field": "kind", "equals": "b"}},
        {"key": "deeper", "type": "choice", "required": true, "options": options(),
            "show_when": {"field": "kind", "one_of": ["b", "c"]}},
        {"key": "deepest", "type": "number", "required": true, "show_when": {"field": "deeper", "equals": "a"}},
        {"key": "proof", "type": "file", "required": true, "show_when": {"field": "kind", "equals": "b"}},
    ]))
}

#[test]
fn a_shown_conditional_field_is_validated_and_required() {
    let s = conditional();
    assert_eq!(
        issues(&s, json!({"kind": "b"})),
        vec![
            ("detail".to_owned(), "required"),
            ("deeper".to_owned(), "required"),
            ("proof".to_owned(), "required"),
        ]
    );
    let sent = Submission::from_json(json!({"kind": "b", "detail": "x", "deeper": "a", "deepest": "4"}))
        .expect("object")
        .with_files("proof", vec![file("application/pdf", 10)]);
    let clean = validate_submission(&s, &sent).expect("valid");
    assert_eq!(
        clean.to_json(),
        json!({"kind": "b", "detail": "x", "deeper": "a", "deepest": 4})
    );
}

#[test]
fn a_hidden_conditional_field_is_not_required_and_refuses_a_value() {
    let s = conditional();
    assert_eq!(clean(&s, json!({"kind": "a"})), json!({"kind": "a"}));
    assert_eq!(clean(&s, json!({})), json!({}), "nothing chosen hides every dependent");
    assert_eq!(
        clean(&s, json!({"kind": "a", "detail": ""})),
        json!({"kind": "a"}),
        "an untouched hidden input"
    );
    assert_eq!(
        issues(&s, json!({"kind": "a", "detail": "sent anyway", "deepest": 1})),
        vec![
            ("detail".to_owned(), "hidden_field"),
            ("deepest".to_owned(), "hidden_field")
        ]
    );
    let file_sent = Submission::from_json(json!({"kind": "c", "deeper": "b"}))
        .expect("object")
        .with_files("proof", vec![file("application/pdf", 10)]);
    assert_eq!(
        validate_submission(&s, &file_sent),
        Err(vec![FieldIssue {
            field: "proof".into(),
            code: "hidden_field"
        }])
    );
}

#[test]
fn a_field_depending_on_an_invalid_answer_is_not_judged() {
    let s = conditional();
    assert_eq!(
        issues(&s, json!({"kind": "zz", "detail": "x"})),
        issue("kind", "invalid_choice")
    );
}

#[test]
fn a_condition_on_checkboxes_holds_when_any_listed_box_is_ticked() {
    let s = schema(json!([
        {"key": "kinds", "type": "choice", "style": "checkboxes", "options": options()},
        {"key": "why", "type": "text", "required": true, "show_when": {"field": "kinds", "one_of": ["c"]}},
    ]));
    assert_eq!(issues(&s, json!({"kinds": ["a", "c"]})), issue("why", "required"));
    assert_eq!(
        issues(&s, json!({"kinds": ["a"], "why": "x"})),
        issue("why", "hidden_field")
    );
}

#[test]
fn values_for_unknown_fields_and_sections_are_refused() {
    let s = schema(json!([
        {"key": "head", "type": "section"},
        {"key": "name", "type": "text"},
    ]));
    let sent = Submission::from_json(json!({"name": "x", "head": "y", "admin": true}))
        .expect("object")
        .with_files("name", vec![file("image/png", 1)])
        .with_files("extra", vec![file("image/png", 1)]);
    let codes: Vec<_> = validate_submission(&s, &sent)
        .expect_err("issues")
        .into_iter()
        .map(|i| (i.field, i.code))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("name".to_owned(), "wrong_type"),
            ("admin".to_owned(), "unknown_field"),
            ("extra".to_owned(), "unknown_field"),
            ("head".to_owned(), "unknown_field"),
        ]
    );
}

#[test]
fn every_issue_is_reported_at_once() {
    let s = schema(json!([
        {"key": "name", "type": "text", "required": true},
        {"key": "age", "type": "number", "max": 120},
        {"key": "mail", "type": "email"},
        {"key": "id", "type": "national_id", "required": true},
    ]));
    assert_eq!(
        issues(&s, json!({"age": "200", "mail": "nope", "id": "123", "x": 1})),
        vec![
            ("name".to_owned(), "required"),
            ("age".to_owned(), "out_of_range"),
            ("mail".to_owned(), "invalid_email"),
            ("id".to_owned(), "invalid_national_id"),
            ("x".to_owned(), "unknown_field"),
        ]
    );
}

#[test]
fn an_html_post_validates_like_api_data() {
    let s = schema(json!([
        {"key": "kinds", "type": "choice", "style": "checkboxes", "options": options()},
        {"key": "home", "type": "thai_address", "required": true},
    ]));
    let post = Submission::from_form_pairs([
        ("kinds", "a"),
        ("kinds", "b"),
        ("home.house_no", "12/3"),
        ("home.village", ""),
        ("home.road", ""),
        ("home.province", "50"),
        ("home.district", "5001"),
        ("home.sub_district", "500101"),
        ("home.postcode", "50200"),
    ]);
    let from_post = validate_submission(&s, &post).expect("valid");
    let from_api = submit(
        &s,
        json!({"kinds": ["a", "b"], "home": {"house_no": "12/3", "province": 50,
        "district": 5001, "sub_district": 500101, "postcode": "50200"}}),
    )
    .expect("valid");
    assert_eq!(from_post, from_api);
}

#[test]
fn issue_keys_name_the_form_field() {
    assert_eq!(
        FieldIssue {
            field: "home.postcode".into(),
            code: "address.postcode"
        }
        .key(),
        "home"
    );
    assert_eq!(
        FieldIssue {
            field: "evidence[2]".into(),
            code: "file_type"
        }
        .key(),
        "evidence"
    );
    assert_eq!(
        FieldIssue {
            field: "name".into(),
            code: "required"
        }
        .key(),
        "name"
    );
}

#[test]
fn issue_codes_are_unique_and_stable() {
    let mut all = code::ALL.to_vec();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), code::ALL.len());
    assert!(code::ALL.contains(&"hidden_field") && code::ALL.contains(&"address.sub_district"));
}
