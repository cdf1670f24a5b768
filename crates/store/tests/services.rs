//! Service catalogues and form versions as `tenant apply` stores them, on SQLite or PostgreSQL
//! (`TEST_DATABASE_URL`): order, idempotency, updates, retirement, immutable versions, tenancy.

use std::path::{Path, PathBuf};
use store::Scope;
use store::services::{self, CategoryWithItems};
use store::tenant_dir::{BundleError, TenantBundle, load_dir};
use store::tenants::{ApplyError, ApplyOutcome, apply};
use store::test_support::{TestDatabase, fresh_database};

fn repo_tenant(slug: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tenants").join(slug)
}

/// A writable copy of a repository tenant folder, forms included.
fn tenant_copy(slug: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let to = dir.path().join(slug);
    copy_tree(&repo_tenant(slug), &to);
    (dir, to)
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} should contain {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

fn load(dir: &Path) -> TenantBundle {
    match load_dir(dir) {
        Ok(bundle) => bundle,
        Err(errors) => panic!("{} should load:\n{}", dir.display(), lines(&errors)),
    }
}

fn load_errors(dir: &Path) -> String {
    match load_dir(dir) {
        Ok(_) => panic!("{} should not load", dir.display()),
        Err(errors) => lines(&errors),
    }
}

fn lines(errors: &[BundleError]) -> String {
    errors.iter().map(|e| format!("{e}\n")).collect()
}

async fn scope(db: &TestDatabase, slug: &str) -> Scope {
    let tenant = store::tenants::find_by_slug(&db.db, slug).await.expect("find").expect("tenant exists");
    tenant.scope()
}

async fn apply_dir(db: &TestDatabase, dir: &Path) -> Result<ApplyOutcome, ApplyError> {
    apply(&db.db, &load(dir), false).await
}

fn keys(catalogue: &[CategoryWithItems]) -> Vec<(String, Vec<String>)> {
    catalogue.iter().map(|c| (c.category.key.clone(), c.items.iter().map(|i| i.key.clone()).collect())).collect()
}

fn owned(list: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    list.iter().map(|(c, items)| (c.to_string(), items.iter().map(|i| i.to_string()).collect())).collect()
}

#[tokio::test]
async fn the_demo_catalogues_are_stored_in_file_order_with_their_forms() {
    let db = fresh_database().await;
    for slug in ["demo", "nongbua"] {
        assert_eq!(apply_dir(&db, &repo_tenant(slug)).await.expect("apply"), ApplyOutcome::Created);
    }
    let demo = scope(&db, "demo").await;
    let catalogue = services::catalogue(&db.db, demo).await.expect("catalogue");
    assert_eq!(
        keys(&catalogue),
        owned(&[
            ("permits", &["building_permit", "health_licence"]),
            ("cleanliness", &["waste_collection_fee", "septic_emptying"]),
            ("water", &["water_connection"]),
            ("complaints", &["complaint"]),
        ])
    );
    let permits = &catalogue[0].category;
    assert_eq!((permits.icon.as_str(), permits.title_th.as_str()), ("building", "การขออนุญาต"));
    assert_eq!(permits.title_en, "Permits and licences");
    assert!(catalogue[1].category.description_th.is_none());
    let waste = &catalogue[1].items[0];
    assert_eq!(waste.title_th, "ค่าธรรมเนียมเก็บขยะมูลฝอย");
    assert_eq!(waste.form_key, "waste_collection");

    let nongbua = scope(&db, "nongbua").await;
    let theirs = services::catalogue(&db.db, nongbua).await.expect("catalogue");
    assert_eq!(theirs[0].category.key, "help", "the two tenants differ");
    assert_eq!(theirs[0].category.icon, "megaphone");

    let forms = services::current_forms(&db.db, demo).await.expect("forms");
    for item in catalogue.iter().flat_map(|c| &c.items) {
        let form = services::current_form(&db.db, demo, &item.form_key).await.expect("form").expect("stored");
        let file = std::fs::read_to_string(repo_tenant("demo").join(format!("forms/{}.json", item.form_key))).expect("form file");
        let in_file: serde_json::Value = serde_json::from_str(&file).expect("json");
        assert_eq!(Some(u64::from(form.version)), in_file["version"].as_u64(), "{}: the version of its file", item.form_key);
        assert_eq!(form.schema.key, item.form_key);
        assert_eq!(form.schema.check(), Ok(()), "{} reads back valid", item.form_key);
        assert_eq!(forms.get(&item.form_key), Some(&form), "current_forms agrees with current_form");
    }
    let permit = services::current_form(&db.db, demo, "building_permit").await.expect("form").expect("stored");
    let labels: Vec<&str> = permit.schema.fields.iter().map(|f| f.label.th.as_str()).collect();
    for evidence in ["สำเนาบัตรประจำตัวประชาชน", "สำเนาทะเบียนบ้าน", "แบบแปลนอาคาร", "ภาพถ่ายสถานที่ก่อสร้าง"]
    {
        assert!(labels.contains(&evidence), "the building permit asks for {evidence}");
    }

    let found = services::item(&db.db, demo, "septic_emptying").await.expect("item").expect("offered");
    assert_eq!(found.category.key, "cleanliness");
    assert_eq!(found.item.form_key, "septic_emptying");
}

#[tokio::test]
async fn a_second_apply_changes_nothing_even_when_a_form_file_is_only_reformatted() {
    let db = fresh_database().await;
    let (_tmp, dir) = tenant_copy("demo");
    assert_eq!(apply_dir(&db, &dir).await.expect("apply"), ApplyOutcome::Created);
    assert_eq!(apply_dir(&db, &dir).await.expect("apply"), ApplyOutcome::Unchanged);

    let file = dir.join("forms/complaint.json");
    let text = std::fs::read_to_string(&file).expect("read");
    let value: serde_json::Value = serde_json::from_str(&text).expect("json");
    std::fs::write(&file, serde_json::to_string(&value).expect("json")).expect("write");
    assert_eq!(apply_dir(&db, &dir).await.expect("apply"), ApplyOutcome::Unchanged);
}

#[tokio::test]
async fn a_changed_title_is_applied_and_visible() {
    let db = fresh_database().await;
    let (_tmp, dir) = tenant_copy("demo");
    apply_dir(&db, &dir).await.expect("apply");
    let demo = scope(&db, "demo").await;
    let before = services::item(&db.db, demo, "water_connection").await.expect("item").expect("offered");

    edit(&dir.join("services.toml"), "title_th = \"ขอใช้น้ำประปา\"", "title_th = \"ขอติดตั้งมาตรวัดน้ำประปา\"");
    edit(&dir.join("services.toml"), "icon = \"droplet\"", "icon = \"truck\"");
    assert_eq!(apply_dir(&db, &dir).await.expect("apply"), ApplyOutcome::Updated);

    let after = services::item(&db.db, demo, "water_connection").await.expect("item").expect("offered");
    assert_eq!(after.item.title_th, "ขอติดตั้งมาตรวัดน้ำประปา");
    assert_eq!(after.category.icon, "truck");
    assert_eq!(after.item.id, before.item.id, "updated in place, same row");
}

#[tokio::test]
async fn a_removed_sub_menu_or_category_turns_inactive_and_is_kept() {
    let db = fresh_database().await;
    let (_tmp, dir) = tenant_copy("demo");
    apply_dir(&db, &dir).await.expect("apply");
    let demo = scope(&db, "demo").await;
    let septic = services::item(&db.db, demo, "septic_emptying").await.expect("item").expect("offered");
    let complaint = services::item(&db.db, demo, "complaint").await.expect("item").expect("offered");

    let manifest = dir.join("services.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    let start = text.find("[[categories.items]]\nkey = \"septic_emptying\"").expect("septic sub-menu");
    let end = start + 1 + text[start + 1..].find("\n[[").expect("a table after it");
    let without = format!("{}{}", &text[..start], &text[end + 1..]);
    let complaints_at = without.find("[[categories]]\nkey = \"complaints\"").expect("complaints category");
    std::fs::write(&manifest, &without[..complaints_at]).expect("write");
    assert_eq!(apply_dir(&db, &dir).await.expect("apply"), ApplyOutcome::Updated);

    let catalogue = services::catalogue(&db.db, demo).await.expect("catalogue");
    assert_eq!(
        keys(&catalogue),
        owned(&[
            ("permits", &["building_permit", "health_licence"]),
            ("cleanliness", &["waste_collection_fee"]),
            ("water", &["water_connection"]),
        ])
    );
    assert!(services::item(&db.db, demo, "septic_emptying").await.expect("item").is_none(), "no longer offered");
    let kept = services::item_by_id(&db.db, demo, septic.item.id).await.expect("item").expect("kept");
    assert!(!kept.item.active);
    assert_eq!(kept.item.title_th, "ขอรับบริการสูบสิ่งปฏิกูล");
    let kept = services::item_by_id(&db.db, demo, complaint.item.id).await.expect("item").expect("kept");
    assert_eq!((kept.item.active, kept.category.key.as_str()), (false, "complaints"));
    let old_form = services::current_form(&db.db, demo, "septic_emptying").await.expect("form");
    assert!(old_form.is_some(), "the form versions stay for the requests made with them");

    std::fs::write(&manifest, &text).expect("restore");
    assert_eq!(apply_dir(&db, &dir).await.expect("apply"), ApplyOutcome::Updated);
    let back = services::item(&db.db, demo, "septic_emptying").await.expect("item").expect("offered again");
    assert_eq!(back.item.id, septic.item.id, "the same row comes back");
    assert_eq!(keys(&services::catalogue(&db.db, demo).await.expect("catalogue")).len(), 4);
}

#[tokio::test]
async fn a_changed_schema_under_the_same_version_is_refused_naming_the_file() {
    let db = fresh_database().await;
    let (_tmp, dir) = tenant_copy("demo");
    apply_dir(&db, &dir).await.expect("apply");
    let demo = scope(&db, "demo").await;

    edit(&dir.join("services.toml"), "title_en = \"Water supply\"", "title_en = \"Waterworks\"");
    edit(&dir.join("forms/complaint.json"), "\"th\": \"หัวเรื่อง\"", "\"th\": \"เรื่อง\"");
    let err = apply_dir(&db, &dir).await.expect_err("refused");
    assert!(matches!(err, ApplyError::FormVersionChanged { version: 1, .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("forms/complaint.json"), "names the file: {message}");
    assert!(message.contains("give it a new version"), "{message}");

    let catalogue = services::catalogue(&db.db, demo).await.expect("catalogue");
    assert_eq!(catalogue[2].category.title_en, "Water supply", "nothing of the refused apply was written");
    let stored = services::current_form(&db.db, demo, "complaint").await.expect("form").expect("stored");
    assert!(stored.schema.fields.iter().any(|f| f.label.th == "หัวเรื่อง"));
}

#[tokio::test]
async fn a_new_version_is_added_and_the_old_one_stays_readable() {
    let db = fresh_database().await;
    let (_tmp, dir) = tenant_copy("demo");
    apply_dir(&db, &dir).await.expect("apply");
    let demo = scope(&db, "demo").await;

    let file = dir.join("forms/complaint.json");
    edit(&file, "\"th\": \"หัวเรื่อง\"", "\"th\": \"เรื่อง\"");
    edit(&file, "\"version\": 1", "\"version\": 2");
    assert_eq!(apply_dir(&db, &dir).await.expect("apply"), ApplyOutcome::Updated);

    let current = services::current_form(&db.db, demo, "complaint").await.expect("form").expect("stored");
    assert_eq!(current.version, 2);
    assert!(current.schema.fields.iter().any(|f| f.label.th == "เรื่อง"));
    let old = services::form_version(&db.db, demo, "complaint", 1).await.expect("form").expect("kept");
    assert!(old.schema.fields.iter().any(|f| f.label.th == "หัวเรื่อง"), "version 1 is unchanged");
    assert_ne!(old.digest, current.digest);
    assert!(services::form_version(&db.db, demo, "complaint", 3).await.expect("form").is_none());
    assert_eq!(services::current_forms(&db.db, demo).await.expect("forms")["complaint"].version, 2);

    std::fs::copy(repo_tenant("demo").join("forms/complaint.json"), &file).expect("restore v1");
    let err = apply_dir(&db, &dir).await.expect_err("going back is refused");
    assert!(matches!(err, ApplyError::FormVersionBehind { version: 1, latest: 2, .. }), "{err:?}");
    assert!(err.to_string().contains("forms/complaint.json"), "{err}");
}

#[tokio::test]
async fn one_tenants_services_are_invisible_through_another_tenants_scope() {
    let db = fresh_database().await;
    for slug in ["demo", "nongbua"] {
        apply_dir(&db, &repo_tenant(slug)).await.expect("apply");
    }
    let (demo, nongbua) = (scope(&db, "demo").await, scope(&db, "nongbua").await);

    let septic = services::item(&db.db, demo, "septic_emptying").await.expect("item").expect("demo's");
    assert!(services::item(&db.db, nongbua, "septic_emptying").await.expect("item").is_none());
    assert!(services::item_by_id(&db.db, nongbua, septic.item.id).await.expect("item").is_none());
    assert!(services::current_form(&db.db, nongbua, "water_connection").await.expect("form").is_none());
    assert!(services::form_version(&db.db, nongbua, "septic_emptying", 1).await.expect("form").is_none());

    let theirs = services::current_form(&db.db, nongbua, "building_permit").await.expect("form").expect("own");
    let ours = services::current_form(&db.db, demo, "building_permit").await.expect("form").expect("own");
    assert_ne!(theirs.schema.title, ours.schema.title, "same key, each tenant's own schema");
    let all_nongbua = services::catalogue(&db.db, nongbua).await.expect("catalogue");
    assert!(all_nongbua.iter().flat_map(|c| &c.items).all(|i| i.key != "septic_emptying"));
    let nongbua_forms = services::current_forms(&db.db, nongbua).await.expect("forms");
    assert!(!nongbua_forms.contains_key("septic_emptying") && nongbua_forms.contains_key("elderly_allowance"));
}

#[tokio::test]
async fn a_tenant_without_services_is_valid_and_dropping_the_file_retires_everything() {
    let db = fresh_database().await;
    let (_tmp, dir) = tenant_copy("demo");
    apply_dir(&db, &dir).await.expect("apply");
    let demo = scope(&db, "demo").await;

    std::fs::remove_file(dir.join("services.toml")).expect("remove");
    std::fs::remove_dir_all(dir.join("forms")).expect("remove");
    let bundle = load(&dir);
    assert!(bundle.services.is_empty());
    assert_eq!(apply(&db.db, &bundle, false).await.expect("apply"), ApplyOutcome::Updated);
    assert!(services::catalogue(&db.db, demo).await.expect("catalogue").is_empty());
    assert!(services::current_form(&db.db, demo, "complaint").await.expect("form").is_some(), "versions are kept");
}

#[test]
fn mistakes_in_services_toml_are_named_by_file_and_path() {
    let (_tmp, dir) = tenant_copy("nongbua");
    let manifest = dir.join("services.toml");
    edit(&manifest, "key = \"welfare\"", "key = \"help\"");
    edit(&manifest, "icon = \"tree\"", "icon = \"sparkles\"");
    edit(&manifest, "form = \"village_water\"", "form = \"village_water_v2\"");
    edit(&manifest, "title_en = \"Street light repair\"", "title_en = \"Street light repair\"\ncolour = \"red\"");
    let errors = load_errors(&dir);
    assert!(errors.contains("services.toml: categories[0].items[1]"), "unknown key at its path:\n{errors}");
    assert!(errors.contains("colour"), "{errors}");

    edit(&manifest, "\ncolour = \"red\"", "");
    edit(&manifest, "key = \"street_light_repair\"", "key = \"complaint\"");
    let errors = load_errors(&dir);
    for expected in [
        "services.toml: categories[1].key: duplicates the key of categories[0]",
        "services.toml: categories[3].icon: 'sparkles' is not one of",
        "services.toml: categories[2].items[0].form: names form 'village_water_v2' but there is no forms/village_water_v2.json",
        "services.toml: categories[0].items[1].key: duplicates the key of categories[0].items[0]",
    ] {
        assert!(errors.contains(expected), "missing `{expected}` in:\n{errors}");
    }
}

#[test]
fn a_form_failing_its_checks_is_named_by_file_and_path() {
    let (_tmp, dir) = tenant_copy("demo");
    let forms = dir.join("forms");
    edit(
        &forms.join("complaint.json"),
        "\"field\": \"topic\", \"equals\": \"other\"",
        "\"field\": \"topic\", \"equals\": \"others\"",
    );
    edit(&forms.join("septic_emptying.json"), "\"key\": \"septic_emptying\"", "\"key\": \"septic\"");
    edit(&forms.join("water_connection.json"), "\"type\": \"choice\"", "\"type\": \"dropdown\"");
    std::fs::write(forms.join("notes.txt"), "drafts").expect("write");
    let errors = load_errors(&dir);
    for expected in [
        "forms/complaint.json: fields[2].show_when.equals: is not an option of topic",
        "forms/septic_emptying.json: key: is 'septic' but the file is named septic_emptying.json",
        "forms/water_connection.json: fields[",
        "forms/notes.txt: is not a form",
    ] {
        assert!(errors.contains(expected), "missing `{expected}` in:\n{errors}");
    }
}
