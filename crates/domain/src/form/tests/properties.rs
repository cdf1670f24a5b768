//! Whatever a citizen types, the validator answers without panicking.

use super::*;

fn every_text_like_field() -> FormSchema {
    schema(json!([
        {"key": "text", "type": "text", "pattern": "[ก-๙a-z ]+", "min_length": 1},
        {"key": "long", "type": "long_text"},
        {"key": "number", "type": "number", "decimals": 2, "min": -5, "max": 5},
        {"key": "date", "type": "date", "min": "2000-01-01"},
        {"key": "select", "type": "choice", "options": options()},
        {"key": "boxes", "type": "choice", "style": "checkboxes", "options": options(), "max_selections": 2},
        {"key": "email", "type": "email"},
        {"key": "phone", "type": "phone"},
        {"key": "id", "type": "national_id"},
        {"key": "home", "type": "thai_address"},
        {"key": "later", "type": "text", "show_when": {"field": "select", "equals": "a"}},
    ]))
}

proptest! {
    #[test]
    fn arbitrary_strings_in_text_like_fields_never_panic(
        values in proptest::collection::vec(any::<String>(), 11),
        parts in proptest::collection::vec("\\PC{0,12}|[0-9]{1,7}", 7),
        keys in proptest::collection::vec("\\PC{0,8}", 0..3),
    ) {
        let s = every_text_like_field();
        let names = ["text", "long", "number", "date", "select", "boxes", "email", "phone", "id", "later"];
        let mut data = serde_json::Map::new();
        for (name, value) in names.iter().zip(&values) {
            data.insert((*name).to_owned(), json!(value));
        }
        let part_names = ["house_no", "village", "road", "province", "district", "sub_district", "postcode"];
        let home: serde_json::Map<_, _> = part_names.iter().zip(&parts).map(|(n, v)| ((*n).to_owned(), json!(v))).collect();
        data.insert("home".into(), Value::Object(home));
        data.insert("boxes".into(), json!(keys));
        let sent = Submission { values: data, ..Submission::default() };
        let result = validate_submission(&s, &sent);
        if let Ok(clean) = result {
            // Whatever passes is storable and shows again.
            let stored = clean.to_json();
            for field in &s.fields {
                if let Some(value) = stored.get(&field.key) {
                    prop_assert!(display_value(field, value, Lang::Th).is_some());
                }
            }
        }
    }

    #[test]
    fn arbitrary_numbers_and_dates_never_panic(raw in "[-+0-9.,๐-๙ e]{0,24}") {
        let s = every_text_like_field();
        let _ = submit(&s, json!({"number": raw, "date": raw, "phone": raw, "id": raw}));
    }

    #[test]
    fn phone_numbers_that_pass_are_nine_or_ten_digits(raw in "\\PC{0,20}") {
        if let Some(digits) = thai_phone(&raw) {
            prop_assert!(digits.len() == 9 || digits.len() == 10);
            prop_assert!(digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
