//! A realistic form from JSON and TOML, a good and a bad submission, and the answers shown back.

use super::*;

const DEMO: &str = include_str!("../../../tests/fixtures/forms/waste-collection-fee.json");

fn demo() -> FormSchema {
    FormSchema::from_json(DEMO).unwrap_or_else(|e| panic!("demo schema is valid: {e:?}"))
}

fn demo_good() -> Submission {
    Submission::from_json(json!({
        "applicant_name": "  นางสาวสมศรี ใจดี ",
        "national_id": "1-1037-02071-56-1",
        "phone": "081 234 5678",
        "email": "",
        "premises_address": chiang_mai(),
        "house_code": "50010123456",
        "premises_type": "restaurant",
        "business_name": "ครัวสมศรี",
        "other_type": "",
        "waste_kinds": ["organic", "general"],
        "bins": "3",
        "daily_volume": "120.5",
        "start_date": "2026-12-01",
        "notes": "เก็บได้หลัง 20.00 น.\r\nขอบคุณค่ะ",
    }))
    .expect("object")
    .with_files("house_registration", vec![file("application/pdf", 300_000)])
    .with_files("business_licence", vec![file("image/jpeg", 800_000)])
    .with_files(
        "site_photos",
        vec![file("image/webp", 90_000), file("image/png", 120_000)],
    )
}

#[test]
fn the_demo_schema_accepts_a_good_submission() {
    let clean = validate_submission(&demo(), &demo_good()).expect("valid");
    assert_eq!(
        clean.to_json(),
        json!({
            "applicant_name": "นางสาวสมศรี ใจดี",
            "national_id": VALID_ID,
            "phone": "0812345678",
            "premises_address": {"house_no": "12/3", "village": "หมู่บ้านสุขใจ", "road": "ห้วยแก้ว",
                "province": 50, "district": 5001, "sub_district": 500101, "postcode": "50200"},
            "house_code": "50010123456",
            "premises_type": "restaurant",
            "business_name": "ครัวสมศรี",
            "waste_kinds": ["general", "organic"],
            "bins": 3,
            "daily_volume": 120.5,
            "start_date": "2026-12-01",
            "notes": "เก็บได้หลัง 20.00 น.\nขอบคุณค่ะ",
        })
    );
    assert!(matches!(clean.get("start_date"), Some(CleanValue::Date(_))));
}

#[test]
fn the_demo_schema_reports_everything_wrong_with_a_bad_submission() {
    let mut bad = demo_good();
    bad.values.insert("applicant_name".into(), json!(""));
    bad.values.insert("phone".into(), json!("12345"));
    bad.values.insert("house_code".into(), json!("5001-012345-6"));
    bad.values.insert("premises_type".into(), json!("household"));
    bad.values.insert(
        "waste_kinds".into(),
        json!(["general", "organic", "recyclable", "hazardous"]),
    );
    bad.values.insert("bins".into(), json!(0));
    bad.values.insert("start_date".into(), json!("2569-12-01"));
    bad.values["premises_address"]["postcode"] = json!("50000");
    bad.files
        .insert("house_registration".into(), vec![file("image/webp", 10)]);
    bad.files.insert("site_photos".into(), vec![file("image/jpeg", 10)]);
    let found: Vec<_> = validate_submission(&demo(), &bad)
        .expect_err("invalid")
        .into_iter()
        .map(|i| (i.field, i.code))
        .collect();
    let expected: Vec<(String, &str)> = [
        ("applicant_name", "required"),
        ("phone", "invalid_phone"),
        ("premises_address.postcode", "address.postcode"),
        ("house_code", "pattern"),
        ("business_name", "hidden_field"),
        ("waste_kinds", "too_many_choices"),
        ("bins", "out_of_range"),
        ("start_date", "invalid_date"),
        ("house_registration[0]", "file_type"),
        ("business_licence", "hidden_field"),
        ("site_photos", "too_few_files"),
    ]
    .into_iter()
    .map(|(f, c)| (f.to_owned(), c))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn the_demo_schema_round_trips_through_json_and_toml() {
    let schema = demo();
    let json = serde_json::to_string_pretty(&schema).expect("serialises");
    assert_eq!(FormSchema::from_json(&json), Ok(schema.clone()));
    let toml = toml::to_string(&schema).expect("serialises as TOML");
    assert_eq!(FormSchema::from_toml(&toml), Ok(schema));
}

#[test]
fn a_toml_schema_reads_like_the_tenant_files() {
    let schema = FormSchema::from_toml(
        r#"
        key = "complaint"
        version = 2
        title = { th = "แจ้งเรื่องร้องเรียน", en = "File a complaint" }

        [[fields]]
        key = "topic"
        type = "choice"
        required = true
        label = { th = "เรื่อง", en = "Topic" }
        options = [
            { key = "noise", label = { th = "เสียงดัง", en = "Noise" } },
            { key = "other", label = { th = "อื่น ๆ", en = "Other" } },
        ]

        [[fields]]
        key = "when"
        type = "date"
        min = "2026-01-01"
        label = { th = "วันที่เกิดเหตุ", en = "Date" }
        "#,
    )
    .expect("valid");
    assert_eq!(
        schema.fields[1].min,
        Some(Limit::Date(NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")))
    );
    let errors = FormSchema::from_toml("key = 'x'\nversion = 1\ntitle = { th = 'a', en = 'b' }\n[[fields]]\nkey = 'a'\ntype = 'map'\nlabel = { th = 'a', en = 'b' }\n")
        .expect_err("unknown type");
    assert_eq!(errors[0].field, "fields[0].type", "{errors:?}");
    assert!(errors[0].message.starts_with("unknown variant `map`"), "{errors:?}");
}

#[test]
fn stored_answers_display_in_either_language() {
    let s = demo();
    let clean = validate_submission(&s, &demo_good()).expect("valid").to_json();
    let show = |key: &str, lang| {
        let field = s.field(key).expect("field exists");
        display_value(field, &clean[key], lang)
    };
    assert_eq!(show("start_date", Lang::Th).as_deref(), Some("1 ธ.ค. 2569"));
    assert_eq!(show("start_date", Lang::En).as_deref(), Some("1 Dec 2026"));
    assert_eq!(show("waste_kinds", Lang::Th).as_deref(), Some("ขยะทั่วไป, ขยะอินทรีย์"));
    assert_eq!(show("premises_type", Lang::En).as_deref(), Some("Restaurant"));
    assert_eq!(show("phone", Lang::Th).as_deref(), Some("081-234-5678"));
    assert_eq!(show("national_id", Lang::Th).as_deref(), Some("1-1037-02071-56-1"));
    assert_eq!(
        show("premises_address", Lang::Th).as_deref(),
        Some("12/3 หมู่บ้านสุขใจ ห้วยแก้ว ต.ศรีภูมิ อ.เมืองเชียงใหม่ จ.เชียงใหม่ 50200")
    );
    assert_eq!(
        show("premises_address", Lang::En).as_deref(),
        Some("12/3, หมู่บ้านสุขใจ, ห้วยแก้ว, Si Phum, Mueang Chiang Mai, Chiang Mai 50200")
    );
    assert_eq!(show("email", Lang::Th), None, "not answered");
    assert_eq!(show("house_registration", Lang::Th), None);
    let bins = s.field("bins").expect("field");
    assert_eq!(
        display_value(bins, &json!(1234567), Lang::Th).as_deref(),
        Some("1,234,567")
    );
}

#[test]
fn bangkok_addresses_use_khwaeng_and_khet() {
    let a = CleanAddress {
        house_no: "1".into(),
        village: String::new(),
        road: "ราชดำเนิน".into(),
        province: 10,
        district: 1001,
        sub_district: 100101,
        postcode: "10200".into(),
    };
    assert_eq!(
        display_address(&a, Lang::Th),
        "1 ราชดำเนิน แขวงพระบรมมหาราชวัง เขตพระนคร กรุงเทพมหานคร 10200"
    );
}
