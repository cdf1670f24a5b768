//! Each field type, valid and invalid.

use super::*;

#[test]
fn text_is_trimmed_and_checked_for_length_pattern_and_characters() {
    let s = one(json!({"type": "text", "min_length": 2, "max_length": 5, "pattern": "[A-Z0-9]+"}));
    assert_eq!(clean(&s, json!({"f": "  AB12 "})), json!({"f": "AB12"}));
    assert_eq!(
        clean(&s, json!({"f": 123})),
        json!({"f": "123"}),
        "a number where text is asked"
    );
    assert_eq!(issues(&s, json!({"f": "A"})), issue("f", "too_short"));
    assert_eq!(issues(&s, json!({"f": "ABCDEF"})), issue("f", "too_long"));
    assert_eq!(
        issues(&s, json!({"f": "ab"})),
        issue("f", "pattern"),
        "the pattern is anchored"
    );
    assert_eq!(issues(&s, json!({"f": "A\nB"})), issue("f", "invalid_characters"));
    assert_eq!(issues(&s, json!({"f": "A\u{0}B"})), issue("f", "invalid_characters"));
    assert_eq!(issues(&s, json!({"f": ["AB"]})), issue("f", "wrong_type"));
    assert_eq!(issues(&s, json!({"f": true})), issue("f", "wrong_type"));
}

#[test]
fn text_length_counts_thai_characters_and_has_a_default_limit() {
    let s = one(json!({"type": "text", "max_length": 4}));
    assert_eq!(clean(&s, json!({"f": "ขยะ"})), json!({"f": "ขยะ"}));
    let unlimited = one(json!({"type": "text"}));
    assert_eq!(
        issues(&unlimited, json!({"f": "ก".repeat(501)})),
        issue("f", "too_long")
    );
}

#[test]
fn long_text_keeps_lines_and_normalises_line_ends() {
    let s = one(json!({"type": "long_text", "max_length": 20}));
    assert_eq!(clean(&s, json!({"f": " one\r\n\ttwo \n"})), json!({"f": "one\n\ttwo"}));
    assert_eq!(issues(&s, json!({"f": "x".repeat(21)})), issue("f", "too_long"));
    assert_eq!(issues(&s, json!({"f": "bell\u{7}"})), issue("f", "invalid_characters"));
}

#[test]
fn numbers_are_parsed_with_separators_and_thai_digits_and_kept_exact() {
    let whole = one(json!({"type": "number", "min": 1, "max": 2000}));
    assert_eq!(clean(&whole, json!({"f": "1,234"})), json!({"f": 1234}));
    assert_eq!(clean(&whole, json!({"f": "๑๒"})), json!({"f": 12}));
    assert_eq!(clean(&whole, json!({"f": 7})), json!({"f": 7}));
    assert_eq!(
        clean(&whole, json!({"f": "12.00"})),
        json!({"f": 12}),
        "trailing zeros are no decimals"
    );
    assert_eq!(issues(&whole, json!({"f": "12.5"})), issue("f", "too_many_decimals"));
    assert_eq!(issues(&whole, json!({"f": "0"})), issue("f", "out_of_range"));
    assert_eq!(issues(&whole, json!({"f": 2001})), issue("f", "out_of_range"));
    for bad in ["abc", "1e5", "1.", ".5", "--1", "1 2", "NaN", "inf", "0x10"] {
        assert_eq!(issues(&whole, json!({"f": bad})), issue("f", "not_a_number"), "{bad}");
    }
    assert_eq!(issues(&whole, json!({"f": true})), issue("f", "wrong_type"));
    assert_eq!(
        issues(&whole, json!({"f": "1234567890123456"})),
        issue("f", "out_of_range")
    );

    let decimal = one(json!({"type": "number", "decimals": 2, "min": -10.5}));
    assert_eq!(clean(&decimal, json!({"f": "-10.50"})), json!({"f": -10.5}));
    assert_eq!(clean(&decimal, json!({"f": 3.25})), json!({"f": 3.25}));
    assert_eq!(issues(&decimal, json!({"f": "1.234"})), issue("f", "too_many_decimals"));
    assert_eq!(issues(&decimal, json!({"f": "-10.51"})), issue("f", "out_of_range"));
}

#[test]
fn dates_are_iso_in_the_common_era_within_bounds() {
    let s = one(json!({"type": "date", "min": "2026-01-01", "max": "2026-12-31"}));
    assert_eq!(clean(&s, json!({"f": " 2026-11-25 "})), json!({"f": "2026-11-25"}));
    assert_eq!(clean(&s, json!({"f": "๒๐๒๖-๑๑-๒๕"})), json!({"f": "2026-11-25"}));
    for bad in ["2026-02-30", "25/11/2026", "2026-1-5", "tomorrow", "2569-11-25"] {
        let s = one(json!({"type": "date"}));
        assert_eq!(issues(&s, json!({"f": bad})), issue("f", "invalid_date"), "{bad}");
    }
    assert_eq!(issues(&s, json!({"f": "2025-12-31"})), issue("f", "out_of_range"));
    assert_eq!(issues(&s, json!({"f": "2027-01-01"})), issue("f", "out_of_range"));
}

#[test]
fn select_and_radio_take_one_option_key() {
    for style in ["select", "radio"] {
        let s = one(json!({"type": "choice", "style": style, "options": options()}));
        assert_eq!(clean(&s, json!({"f": " b "})), json!({"f": "b"}));
        assert_eq!(issues(&s, json!({"f": "z"})), issue("f", "invalid_choice"));
        assert_eq!(
            issues(&s, json!({"f": "B"})),
            issue("f", "invalid_choice"),
            "keys are exact"
        );
        assert_eq!(issues(&s, json!({"f": ["a", "b"]})), issue("f", "wrong_type"));
    }
}

#[test]
fn checkboxes_take_several_in_option_order_within_limits() {
    let s = one(json!({"type": "choice", "style": "checkboxes", "options": options(),
        "min_selections": 2, "max_selections": 2}));
    assert_eq!(clean(&s, json!({"f": ["c", "a", "c"]})), json!({"f": ["a", "c"]}));
    assert_eq!(
        issues(&s, json!({"f": "a"})),
        issue("f", "too_few_choices"),
        "one posted box is a list of one"
    );
    assert_eq!(
        issues(&s, json!({"f": ["a", "b", "c"]})),
        issue("f", "too_many_choices")
    );
    assert_eq!(issues(&s, json!({"f": ["a", "z"]})), issue("f", "invalid_choice"));
    assert_eq!(issues(&s, json!({"f": ["a", 1]})), issue("f", "wrong_type"));
    let any = one(json!({"type": "choice", "style": "checkboxes", "options": options()}));
    assert_eq!(clean(&any, json!({"f": "b"})), json!({"f": ["b"]}));
    assert_eq!(clean(&any, json!({"f": []})), json!({}), "nothing ticked is no answer");
}

#[test]
fn email_is_normalised() {
    let s = one(json!({"type": "email"}));
    assert_eq!(
        clean(&s, json!({"f": " Somchai@Example.GO.TH "})),
        json!({"f": "Somchai@example.go.th"})
    );
    for bad in ["somchai", "a@b", "a b@example.com", "@example.com"] {
        assert_eq!(issues(&s, json!({"f": bad})), issue("f", "invalid_email"), "{bad}");
    }
}

#[test]
fn thai_phone_numbers_become_digits() {
    let s = one(json!({"type": "phone"}));
    for (raw, digits) in [
        ("081-234-5678", "0812345678"),
        ("+66 81 234 5678", "0812345678"),
        ("+66 (0)81 234 5678", "0812345678"),
        ("66812345678", "0812345678"),
        ("๐๙๑ ๒๓๔ ๕๖๗๘", "0912345678"),
        ("02-123-4567", "021234567"),
        ("(053) 123 456", "053123456"),
    ] {
        assert_eq!(clean(&s, json!({"f": raw})), json!({"f": digits}), "{raw}");
    }
    for bad in [
        "12345",
        "0212345678",
        "081234567",
        "0012345678",
        "08123456789",
        "phone",
        "+1 212 555 0100",
    ] {
        assert_eq!(issues(&s, json!({"f": bad})), issue("f", "invalid_phone"), "{bad}");
    }
}

#[test]
fn national_ids_are_checked_and_stored_as_digits() {
    let s = one(json!({"type": "national_id"}));
    assert_eq!(clean(&s, json!({"f": "1-1037-02071-56-1"})), json!({"f": VALID_ID}));
    for bad in ["1103702071562", "123", "abcdefghijklm"] {
        assert_eq!(
            issues(&s, json!({"f": bad})),
            issue("f", "invalid_national_id"),
            "{bad}"
        );
    }
}

#[test]
fn thai_addresses_are_checked_against_the_area_lists() {
    let s = one(json!({"type": "thai_address", "required": true}));
    assert_eq!(
        clean(&s, json!({"f": chiang_mai()})),
        json!({"f": {"house_no": "12/3", "village": "หมู่บ้านสุขใจ", "road": "ห้วยแก้ว",
            "province": 50, "district": 5001, "sub_district": 500101, "postcode": "50200"}})
    );
    let with = |part: &str, value: Value| {
        let mut a = chiang_mai();
        a[part] = value;
        json!({"f": a})
    };
    assert_eq!(
        issues(&s, with("province", json!("99"))),
        issue("f.province", "address.province")
    );
    assert_eq!(
        issues(&s, with("district", json!("1001"))),
        issue("f.district", "address.district")
    );
    assert_eq!(
        issues(&s, with("sub_district", json!("100101"))),
        issue("f.sub_district", "address.sub_district")
    );
    assert_eq!(
        issues(&s, with("postcode", json!("10200"))),
        issue("f.postcode", "address.postcode")
    );
    assert_eq!(
        issues(&s, with("province", json!("เชียงใหม่"))),
        issue("f.province", "address.province")
    );
    assert_eq!(issues(&s, with("house_no", json!(""))), issue("f.house_no", "required"));
    assert_eq!(issues(&s, with("moo", json!("5"))), issue("f.moo", "unknown_field"));
    assert_eq!(
        issues(&s, json!({"f": {"house_no": "1", "road": "x"}})),
        vec![
            ("f.postcode".to_owned(), "required"),
            ("f.province".to_owned(), "required"),
            ("f.district".to_owned(), "required"),
            ("f.sub_district".to_owned(), "required"),
        ]
    );
    assert_eq!(issues(&s, json!({"f": "12 ถนนห้วยแก้ว"})), issue("f", "wrong_type"));
    assert_eq!(
        issues(&s, json!({"f": {"province": "", "road": " "}})),
        issue("f", "required")
    );
}

#[test]
fn files_are_checked_for_type_size_and_count() {
    let s = one(
        json!({"type": "file", "required": true, "accept": ["image/jpeg", "application/pdf"],
        "max_bytes": 1000, "min_count": 2, "max_count": 3}),
    );
    let send = |files: Vec<FileFact>| {
        validate_submission(&s, &Submission::default().with_files("f", files))
            .map_err(|issues| issues.into_iter().map(|i| (i.field, i.code)).collect::<Vec<_>>())
    };
    assert!(send(vec![file("image/jpeg", 1000), file("application/pdf", 1)]).is_ok());
    assert_eq!(send(vec![]), Err(issue("f", "required")));
    assert_eq!(send(vec![file("image/jpeg", 10)]), Err(issue("f", "too_few_files")));
    assert_eq!(send(vec![file("image/jpeg", 10); 4]), Err(issue("f", "too_many_files")));
    assert_eq!(
        send(vec![
            file("image/png", 10),
            file("image/jpeg", 1001),
            FileFact {
                sniffed_mime: None,
                bytes: 5
            }
        ]),
        Err(vec![
            ("f[0]".to_owned(), "file_type"),
            ("f[1]".to_owned(), "file_too_large"),
            ("f[2]".to_owned(), "file_type")
        ])
    );
    let with_value = Submission::from_json(json!({"f": "photo.jpg"}))
        .expect("object")
        .with_files("f", vec![file("image/jpeg", 1); 2]);
    assert_eq!(
        validate_submission(&s, &with_value).map_err(|i| i[0].code),
        Err("wrong_type")
    );
}

#[test]
fn optional_files_may_be_absent_and_default_to_one_of_any_type() {
    let s = one(json!({"type": "file"}));
    assert!(validate_submission(&s, &Submission::default()).is_ok());
    assert!(validate_submission(&s, &Submission::default().with_files("f", vec![file("image/webp", 1)])).is_ok());
    let two = Submission::default().with_files("f", vec![file("image/webp", 1); 2]);
    assert_eq!(
        validate_submission(&s, &two).map_err(|i| i[0].code),
        Err("too_many_files")
    );
    let huge = Submission::default().with_files("f", vec![file("application/pdf", DEFAULT_FILE_BYTES + 1)]);
    assert_eq!(
        validate_submission(&s, &huge).map_err(|i| i[0].code),
        Err("file_too_large")
    );
}

#[test]
fn every_value_type_reports_required_when_blank() {
    for attributes in [
        json!({"type": "text"}),
        json!({"type": "long_text"}),
        json!({"type": "number"}),
        json!({"type": "date"}),
        json!({"type": "choice", "options": options()}),
        json!({"type": "choice", "style": "checkboxes", "options": options()}),
        json!({"type": "email"}),
        json!({"type": "phone"}),
        json!({"type": "national_id"}),
        json!({"type": "thai_address"}),
        json!({"type": "file"}),
    ] {
        let mut required = attributes.clone();
        required["required"] = json!(true);
        let s = one(required);
        for blank in [json!({}), json!({"f": ""}), json!({"f": "  "}), json!({"f": null})] {
            assert_eq!(
                issues(&s, blank.clone()),
                issue("f", "required"),
                "{attributes} {blank}"
            );
        }
        assert_eq!(
            clean(&one(attributes.clone()), json!({"f": " "})),
            json!({}),
            "optional {attributes}"
        );
    }
}
