//! A tenant folder as the import and export format of a tenant that lives in the database, on
//! SQLite or PostgreSQL (`TEST_DATABASE_URL`): export → apply changes nothing, a browser change is
//! not overwritten without `force`, and applying never touches a tenant's status.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use domain::tenant::TenantStatus;
use store::tenant_dir::{TenantBundle, load_dir};
use store::tenants::{ApplyError, ApplyOutcome, SaveError, apply, find_by_slug, save, stored_bundle};
use store::test_support::{TestDatabase, fresh_database};

fn repo_tenant(slug: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tenants").join(slug)
}

fn load(dir: &Path) -> TenantBundle {
    load_dir(dir).unwrap_or_else(|errors| panic!("{} should load: {errors:?}", dir.display()))
}

/// Every file under `dir`, by relative path.
fn read_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.strip_prefix(dir).expect("inside").to_path_buf(), std::fs::read(&path).expect("read"));
            }
        }
    }
    files
}

async fn export(db: &TestDatabase, slug: &str, to: &Path) -> TenantBundle {
    let tenant = find_by_slug(&db.db, slug).await.expect("find").expect("tenant");
    let bundle = stored_bundle(&db.db, tenant.scope()).await.expect("export").expect("stored");
    bundle.write_dir(to).expect("write");
    bundle
}

async fn revision(db: &TestDatabase, slug: &str) -> String {
    find_by_slug(&db.db, slug).await.expect("find").expect("tenant").revision
}

#[tokio::test]
async fn an_exported_folder_applies_as_unchanged_and_exports_the_same_files_again() {
    let db = fresh_database().await;
    let out = tempfile::tempdir().expect("temp");
    for slug in ["demo", "nongbua"] {
        assert_eq!(apply(&db.db, &load(&repo_tenant(slug)), false).await.expect("apply"), ApplyOutcome::Created);
        // load_dir wants the folder named after the slug.
        let first = out.path().join("first").join(slug);
        let exported = export(&db, slug, &first).await;
        assert_eq!(exported.digest(), revision(&db, slug).await, "{slug}: the stored revision is the folder's digest");
        let reloaded = load(&first);
        assert_eq!(reloaded.tenant, exported.tenant, "{slug}: tenant.toml reads back to the same settings");
        let json = |b: &TenantBundle| serde_json::to_value(&b.services).expect("json");
        assert_eq!(json(&reloaded), json(&exported), "{slug}: services.toml and forms/ read back the same");
        assert_eq!(apply(&db.db, &reloaded, false).await.expect("apply export"), ApplyOutcome::Unchanged, "{slug}");
        let second = out.path().join("second").join(slug);
        export(&db, slug, &second).await;
        assert_eq!(read_tree(&first), read_tree(&second), "{slug}: export → apply → export gives the same folder");
        assert!(read_tree(&second).contains_key(Path::new("forms/complaint.json")), "{slug}: forms are exported");
    }
}

#[tokio::test]
async fn applying_a_folder_never_resumes_a_suspended_tenant_and_a_status_line_is_refused() {
    let db = fresh_database().await;
    apply(&db.db, &load(&repo_tenant("nongbua")), false).await.expect("apply");
    assert!(store::tenants::set_status(&db.db, "nongbua", TenantStatus::Suspended).await.expect("suspend"));
    let dir = tempfile::tempdir().expect("temp");
    let folder = dir.path().join("nongbua");
    export(&db, "nongbua", &folder).await;
    let manifest = folder.join("tenant.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    std::fs::write(&manifest, text.replace("phone = \"056 000 222\"", "phone = \"056 000 333\"")).expect("write");
    assert_eq!(apply(&db.db, &load(&folder), false).await.expect("apply"), ApplyOutcome::Updated);
    let after = find_by_slug(&db.db, "nongbua").await.expect("find").expect("tenant");
    assert_eq!(after.settings.contact.phone, "056 000 333");
    assert_eq!(after.status, TenantStatus::Suspended, "an apply keeps the operator's suspension");

    std::fs::write(&manifest, format!("status = \"active\"\n{}", std::fs::read_to_string(&manifest).expect("read"))).expect("write");
    let errors = load_dir(&folder).expect_err("a status line is refused");
    assert_eq!(errors[0].field.as_deref(), Some("status"), "{errors:?}");
    assert!(errors[0].message.contains("eservice tenant suspend"), "{}", errors[0].message);
}

#[tokio::test]
async fn a_browser_change_is_not_overwritten_by_an_apply_without_force() {
    let db = fresh_database().await;
    let repo = load(&repo_tenant("demo"));
    apply(&db.db, &repo, false).await.expect("apply");
    let tenant = find_by_slug(&db.db, "demo").await.expect("find").expect("tenant");
    let mut changed = stored_bundle(&db.db, tenant.scope()).await.expect("bundle").expect("stored");
    changed.tenant.settings.identity.photo_count = 3;
    changed.services.categories[0].hidden = true;
    let txn = store::begin_write(&db.db).await.expect("begin");
    let new_revision = save(&txn, tenant.scope(), &tenant.revision, "identity", &changed).await.expect("save");
    txn.commit().await.expect("commit");
    assert_eq!(new_revision, changed.digest());

    // A second save from the page loaded before the first is stale, and changes nothing.
    let mut late = changed.clone();
    late.tenant.settings.identity.photo_count = 1;
    let txn = store::begin_write(&db.db).await.expect("begin");
    assert!(matches!(save(&txn, tenant.scope(), &tenant.revision, "identity", &late).await, Err(SaveError::Stale)));
    drop(txn);
    let now = find_by_slug(&db.db, "demo").await.expect("find").expect("tenant");
    assert_eq!(now.settings.identity.photo_count, 3);

    // The repository's folder would undo the browser's change: refused, naming what changed.
    let mut other = repo.clone();
    other.tenant.settings.contact.phone = "02 000 0001".into();
    match apply(&db.db, &other, false).await {
        Err(ApplyError::ChangedInBrowser(parts)) => assert_eq!(parts, ["identity"]),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(find_by_slug(&db.db, "demo").await.expect("find").expect("tenant").settings.identity.photo_count, 3);
    let hidden = store::services::catalogue(&db.db, tenant.scope()).await.expect("catalogue");
    assert!(hidden.iter().all(|c| c.category.key != changed.services.categories[0].key), "the hidden category is not offered");
    let staff_view = store::services::staff_catalogue(&db.db, tenant.scope()).await.expect("catalogue");
    assert!(staff_view.iter().any(|c| c.category.hidden), "staff still see it, marked hidden");

    // Exporting first and applying that folder is no change, and agrees with the browser again.
    let dir = tempfile::tempdir().expect("temp");
    let folder = dir.path().join("demo");
    export(&db, "demo", &folder).await;
    let exported = load(&folder);
    assert_eq!(apply(&db.db, &exported, false).await.expect("apply export"), ApplyOutcome::Unchanged);
    assert_eq!(apply(&db.db, &other, false).await.expect("in agreement again"), ApplyOutcome::Updated);

    // --force overwrites a browser change.
    let tenant = find_by_slug(&db.db, "demo").await.expect("find").expect("tenant");
    let txn = store::begin_write(&db.db).await.expect("begin");
    save(&txn, tenant.scope(), &tenant.revision, "branding", &changed).await.expect("save");
    txn.commit().await.expect("commit");
    assert!(matches!(apply(&db.db, &repo, false).await, Err(ApplyError::ChangedInBrowser(_))));
    assert_eq!(apply(&db.db, &repo, true).await.expect("forced"), ApplyOutcome::Updated);
    assert_eq!(find_by_slug(&db.db, "demo").await.expect("find").expect("tenant").settings.identity.photo_count, 2);
}
