//! The schema's own checks, each error at its path.

use super::*;

#[test]
fn a_serde_error_names_its_path() {
    let unknown_type = doc(json!([
        {"key": "a", "type": "text", "label": label()},
        {"key": "b", "type": "signature", "label": label()},
    ]));
    let errors = check_errors(unknown_type);
    assert_eq!(errors[0].0, "fields[1].type", "{errors:?}");
    assert!(errors[0].1.contains("signature"), "{errors:?}");

    let typo = doc(json!([{"key": "a", "type": "text", "label": label(), "requird": true}]));
    let errors = check_errors(typo);
    assert!(errors[0].0.starts_with("fields[0]"), "{errors:?}");
    assert!(errors[0].1.contains("requird"), "{errors:?}");

    let bad_date = doc(json!([{"key": "a", "type": "date", "label": label(), "min": "2026-13-01"}]));
    let errors = check_errors(bad_date);
    assert_eq!(errors[0].0, "fields[0].min");
    assert!(errors[0].1.contains("a date written YYYY-MM-DD"), "{errors:?}");

    assert_eq!(FormSchema::from_json("{").map_err(|e| e.len()), Err(1));
}

#[test]
fn keys_must_be_well_formed_and_unique() {
    let paths = error_paths(
        json!({"key": "Bad Key", "version": 0, "title": {"th": "", "en": "x"}, "fields": [
            {"key": "name", "type": "text", "label": label()},
            {"key": "name", "type": "text", "label": label()},
            {"key": "2nd", "type": "text", "label": label()},
            {"key": "ชื่อ", "type": "text", "label": {"th": "ชื่อ", "en": " "}},
        ]}),
    );
    assert_eq!(
        paths,
        [
            "key",
            "version",
            "title.th",
            "fields[1].key",
            "fields[2].key",
            "fields[3].key",
            "fields[3].label.en"
        ]
    );
}

#[test]
fn limits_must_be_consistent() {
    let paths = error_paths(doc(json!([
        {"key": "a", "type": "text", "label": label(), "min_length": 5, "max_length": 2},
        {"key": "b", "type": "number", "label": label(), "min": 10, "max": 1, "decimals": 9},
        {"key": "c", "type": "date", "label": label(), "min": "2026-02-01", "max": "2026-01-01"},
        {"key": "d", "type": "date", "label": label(), "min": 3},
        {"key": "e", "type": "number", "label": label(), "max": "2026-01-01"},
        {"key": "f", "type": "long_text", "label": label(), "max_length": 1_000_000},
        {"key": "g", "type": "text", "label": label(), "pattern": "[a-"},
        {"key": "h", "type": "text", "label": label(), "pattern": "(a{100}){100}{100}"},
    ])));
    assert_eq!(
        paths,
        [
            "fields[0].min_length",
            "fields[1].min",
            "fields[1].decimals",
            "fields[2].min",
            "fields[3].min",
            "fields[4].max",
            "fields[5].max_length",
            "fields[6].pattern",
            "fields[7].pattern",
        ]
    );
}

#[test]
fn a_bad_pattern_is_explained() {
    let errors = check_errors(doc(
        json!([{"key": "g", "type": "text", "label": label(), "pattern": "[a-"}]),
    ));
    assert!(
        errors[0].1.starts_with("is not a valid regular expression"),
        "{errors:?}"
    );
    assert!(!errors[0].1.contains('\n'), "{errors:?}");
}

#[test]
fn choices_need_good_options() {
    let paths = error_paths(doc(json!([
        {"key": "a", "type": "choice", "label": label()},
        {"key": "b", "type": "choice", "label": label(), "options": [
            {"key": "x", "label": label()}, {"key": "x", "label": label()}, {"key": "Y!", "label": label()}]},
        {"key": "c", "type": "choice", "label": label(), "options": options(), "min_selections": 1},
        {"key": "d", "type": "choice", "style": "checkboxes", "label": label(), "options": options(),
            "min_selections": 4, "max_selections": 2},
        {"key": "e", "type": "choice", "style": "checkboxes", "label": label(), "options": options(),
            "max_selections": 0},
    ])));
    assert_eq!(
        paths,
        [
            "fields[0].options",
            "fields[1].options[1].key",
            "fields[1].options[2].key",
            "fields[2].min_selections",
            "fields[3].min_selections",
            "fields[3].min_selections",
            "fields[4].max_selections",
        ]
    );
}

#[test]
fn file_limits_must_be_sane() {
    let paths = error_paths(doc(json!([
        {"key": "a", "type": "file", "label": label(), "accept": []},
        {"key": "b", "type": "file", "label": label(), "max_bytes": 0},
        {"key": "c", "type": "file", "label": label(), "max_bytes": MAX_FILE_BYTES + 1},
        {"key": "d", "type": "file", "label": label(), "min_count": 3, "max_count": 2},
        {"key": "e", "type": "file", "label": label(), "max_count": 0, "min_count": 0},
        {"key": "f", "type": "file", "label": label(), "max_count": MAX_FILES_PER_FIELD + 1},
    ])));
    assert_eq!(
        paths,
        [
            "fields[0].accept",
            "fields[1].max_bytes",
            "fields[2].max_bytes",
            "fields[3].min_count",
            "fields[4].max_count",
            "fields[4].min_count",
            "fields[5].max_count",
        ]
    );
    let errors = check_errors(doc(
        json!([{"key": "a", "type": "file", "label": label(), "accept": ["image/gif"]}]),
    ));
    assert_eq!(errors[0].0, "fields[0].accept[0]");
}

#[test]
fn a_form_whose_files_cannot_fit_in_one_request_is_refused_with_the_numbers() {
    // Two fields of three 10 MiB files: 60 MiB, more than a request may carry.
    let errors = check_errors(doc(json!([
        {"key": "plans", "type": "file", "label": label(), "max_count": 3},
        {"key": "photos", "type": "file", "label": label(), "max_count": 3},
    ])));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "fields");
    assert!(errors[0].1.contains("60.0 MiB"), "{}", errors[0].1);
    assert!(errors[0].1.contains("39.0 MiB"), "{}", errors[0].1);

    // The same files at 6 MiB each (36 MiB) fit.
    let fits = doc(json!([
        {"key": "plans", "type": "file", "label": label(), "max_count": 3, "max_bytes": 6 * 1024 * 1024},
        {"key": "photos", "type": "file", "label": label(), "max_count": 3, "max_bytes": 6 * 1024 * 1024},
    ]));
    assert!(FormSchema::from_json(&fits.to_string()).is_ok());
}

#[test]
fn conditions_must_point_back_at_a_choice_and_its_options() {
    let paths = error_paths(doc(json!([
        {"key": "kind", "type": "choice", "label": label(), "options": options()},
        {"key": "name", "type": "text", "label": label()},
        {"key": "a", "type": "text", "label": label(), "show_when": {"field": "nowhere", "equals": "a"}},
        {"key": "b", "type": "text", "label": label(), "show_when": {"field": "later", "equals": "a"}},
        {"key": "c", "type": "text", "label": label(), "show_when": {"field": "name", "equals": "a"}},
        {"key": "d", "type": "text", "label": label(), "show_when": {"field": "kind", "equals": "zz"}},
        {"key": "e", "type": "text", "label": label(), "show_when": {"field": "kind", "one_of": ["a", "zz"]}},
        {"key": "f", "type": "text", "label": label(), "show_when": {"field": "kind"}},
        {"key": "g", "type": "text", "label": label(), "show_when": {"field": "kind", "equals": "a", "one_of": ["b"]}},
        {"key": "h", "type": "text", "label": label(), "show_when": {"field": "h", "equals": "a"}},
        {"key": "later", "type": "choice", "label": label(), "options": options()},
        {"key": "s", "type": "section", "label": label(), "required": true, "show_when": {"field": "kind", "equals": "a"}},
    ])));
    assert_eq!(
        paths,
        [
            "fields[2].show_when.field",
            "fields[3].show_when.field",
            "fields[4].show_when.field",
            "fields[5].show_when.equals",
            "fields[6].show_when.one_of[1]",
            "fields[7].show_when",
            "fields[8].show_when",
            "fields[9].show_when.field",
            "fields[11].required",
            "fields[11].show_when",
        ]
    );
}

#[test]
fn attributes_of_another_type_and_misfit_prefills_are_refused() {
    let errors = check_errors(doc(json!([
        {"key": "a", "type": "email", "label": label(), "max_length": 10, "options": options()},
        {"key": "b", "type": "number", "label": label(), "pattern": "[0-9]+", "max_count": 2},
        {"key": "c", "type": "text", "label": label(), "prefill": "national_id"},
    ])));
    let paths: Vec<_> = errors.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "fields[0].max_length",
            "fields[0].options",
            "fields[1].pattern",
            "fields[1].max_count",
            "fields[2].prefill"
        ]
    );
    assert_eq!(errors[0].1, "does not apply to a email field");
}

#[test]
fn a_form_needs_a_field_that_takes_a_value() {
    assert_eq!(
        error_paths(doc(json!([{"key": "s", "type": "section", "label": label()}]))),
        ["fields"]
    );
}
