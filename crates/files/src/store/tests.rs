use super::*;

fn local(root: &std::path::Path) -> ObjectStore {
    ObjectStore::Local(LocalStore::new(root))
}

#[test]
fn object_keys_start_with_the_tenant_and_are_fresh() {
    let key = object_key("demo", "id-photo");
    let year = chrono::Utc::now().year();
    let rest = key
        .strip_prefix(&format!("demo/id-photo/{year}/"))
        .unwrap_or_else(|| panic!("unexpected key {key}"));
    assert!(uuid::Uuid::parse_str(rest).is_ok(), "{key}");
    assert_ne!(key, object_key("demo", "id-photo"));
    assert!(check_key(&key).is_ok());
}

#[test]
fn sha256_is_lowercase_hex() {
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn keys_that_could_escape_the_root_are_refused() {
    for key in [
        "",
        "../secret",
        "demo/../../etc/passwd",
        "/etc/passwd",
        "demo\\..\\x",
        "C:\\Windows",
        "demo//x",
        "demo/x/",
        "demo/./x",
        "demo/.x.tmp",
        "demo/x y",
        "demo/x\0",
    ] {
        assert!(check_key(key).is_err(), "{key:?} was accepted");
    }
    assert!(check_key(&"a".repeat(MAX_KEY_LEN + 1)).is_err());
    assert!(check_key("demo/evidence/2026/3f1c.pdf").is_ok());
}

#[tokio::test]
async fn local_store_round_trip() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = local(dir.path());
    let key = object_key("demo", "evidence");

    assert_eq!(store.get(&key).await?, None);
    assert!(!store.exists(&key).await?);

    store
        .put(&key, Bytes::from_static(b"first"), "application/pdf")
        .await?;
    assert!(store.exists(&key).await?);
    assert_eq!(store.get(&key).await?, Some(Bytes::from_static(b"first")));

    store
        .put(&key, Bytes::from_static(b"second"), "application/pdf")
        .await?;
    assert_eq!(store.get(&key).await?, Some(Bytes::from_static(b"second")));
    assert_eq!(std::fs::read(dir.path().join(&key))?, b"second");

    let folder = dir.path().join(&key);
    let siblings = std::fs::read_dir(folder.parent().unwrap_or(dir.path()))?.count();
    assert_eq!(siblings, 1, "no temporary file is left behind");

    store.delete(&key).await?;
    assert_eq!(store.get(&key).await?, None);
    assert!(!store.exists(&key).await?);
    store.delete(&key).await?;
    Ok(())
}

#[tokio::test]
async fn local_store_refuses_keys_outside_its_root() -> anyhow::Result<()> {
    let outer = tempfile::tempdir()?;
    let root = outer.path().join("files");
    let store = local(&root);

    for key in ["../escaped", "/tmp/escaped", "demo\\escaped"] {
        assert!(
            store
                .put(key, Bytes::from_static(b"x"), "text/plain")
                .await
                .is_err()
        );
        assert!(store.get(key).await.is_err());
        assert!(store.exists(key).await.is_err());
        assert!(store.delete(key).await.is_err());
    }
    assert!(!outer.path().join("escaped").exists());
    Ok(())
}

/// Runs against a real S3-compatible server, e.g. `moto_server -H 127.0.0.1 -p 9000` with
/// `TEST_S3_ENDPOINT=http://127.0.0.1:9000`. Skipped without one, except on CI.
#[tokio::test]
async fn s3_store_round_trip() -> anyhow::Result<()> {
    let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "TEST_S3_ENDPOINT must be set on CI"
        );
        eprintln!("skipping s3_store_round_trip: TEST_S3_ENDPOINT is not set");
        return Ok(());
    };
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let s3 = S3Store::new(S3Settings {
        endpoint: Some(endpoint),
        region: "us-east-1".to_owned(),
        bucket: "eservice-files-test".to_owned(),
        access_key_id: "test".to_owned(),
        secret_access_key: "test".to_owned(),
        path_style: true,
        timeout: crate::S3_DEFAULT_TIMEOUT,
    });
    s3.ensure_bucket().await?;
    s3.ensure_bucket().await?;
    let store = ObjectStore::S3(s3);
    let key = object_key("demo", "id-photo");

    assert_eq!(store.get(&key).await?, None);
    assert!(!store.exists(&key).await?);

    let bytes = Bytes::from(vec![0xA5; 300_000]);
    store.put(&key, bytes.clone(), "image/jpeg").await?;
    assert!(store.exists(&key).await?);
    assert_eq!(store.get(&key).await?, Some(bytes));

    store.delete(&key).await?;
    assert_eq!(store.get(&key).await?, None);
    assert!(!store.exists(&key).await?);
    assert!(store.put("../x", Bytes::new(), "text/plain").await.is_err());

    // The listing pages through the bucket: three new objects are all found with batches of two.
    let tenant = uuid::Uuid::new_v4().to_string();
    let keys: Vec<String> = (0..3).map(|_| object_key(&tenant, "evidence")).collect();
    for key in &keys {
        store.put(key, Bytes::from_static(b"x"), "image/png").await?;
    }
    let listed = list_all(&store, 2).await?;
    let mine: Vec<&Listed> = listed.iter().filter(|l| l.key.starts_with(&tenant)).collect();
    assert_eq!(mine.len(), 3, "{listed:?}");
    assert!(mine.iter().all(|l| !l.temporary));
    for listed in mine {
        store.remove_listed(listed).await?;
    }
    for key in &keys {
        assert!(!store.exists(key).await?);
    }
    Ok(())
}

/// Everything a listing returns, batch after batch.
async fn list_all(store: &ObjectStore, batch: usize) -> anyhow::Result<Vec<Listed>> {
    let mut listing = store.list(batch);
    let mut all = Vec::new();
    while let Some(page) = listing.next_batch().await? {
        assert!(!page.is_empty() && page.len() <= batch, "a batch holds 1..={batch} files");
        all.extend(page);
    }
    Ok(all)
}

#[tokio::test]
async fn the_local_listing_finds_objects_and_half_written_temporaries_but_no_stray_files() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = local(dir.path());
    let keys = [object_key("demo", "evidence"), object_key("demo", "id-photo"), object_key("other", "evidence")];
    for key in &keys {
        store.put(key, Bytes::from_static(b"x"), "image/png").await?;
    }
    // What a process killed between write and rename leaves, and a file no key could name.
    let folder = dir.path().join(keys[0].rsplit_once('/').map_or("", |(d, _)| d));
    std::fs::write(folder.join(".abc.1234.tmp"), b"half")?;
    std::fs::write(folder.join("notes about this folder.txt"), b"operator's")?;

    let listed = list_all(&store, 2).await?;
    let mut objects: Vec<&str> = listed.iter().filter(|l| !l.temporary).map(|l| l.key.as_str()).collect();
    objects.sort_unstable();
    let mut expected: Vec<&str> = keys.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(objects, expected);
    let temporaries: Vec<&Listed> = listed.iter().filter(|l| l.temporary).collect();
    assert_eq!(temporaries.len(), 1);
    assert!(temporaries[0].key.ends_with("/.abc.1234.tmp"));

    store.remove_listed(temporaries[0]).await?;
    assert!(!folder.join(".abc.1234.tmp").exists());
    assert!(folder.join("notes about this folder.txt").exists(), "a stray file is never listed or removed");
    let not_temporary = Listed { key: keys[1].clone(), modified: std::time::SystemTime::now(), temporary: true };
    assert!(store.remove_listed(&not_temporary).await.is_err(), "only a temporary's name is removed as one");
    assert!(list_all(&local(&dir.path().join("missing")), 10).await?.is_empty());
    Ok(())
}

#[test]
fn s3_settings_do_not_print_the_secret() {
    let settings = S3Settings {
        endpoint: None,
        region: "ap-southeast-1".to_owned(),
        bucket: "b".to_owned(),
        access_key_id: "AKIA".to_owned(),
        secret_access_key: "very-secret".to_owned(),
        path_style: false,
        timeout: crate::S3_DEFAULT_TIMEOUT,
    };
    assert!(!format!("{settings:?}").contains("very-secret"));
}

/// A store that accepts the connection and never answers fails the call within its timeout.
#[tokio::test]
async fn a_stalled_s3_store_fails_within_the_timeout() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket); // read nothing, answer nothing
        }
    });
    let s3 = S3Store::new(S3Settings {
        endpoint: Some(format!("http://{addr}")),
        region: "us-east-1".to_owned(),
        bucket: "stalled".to_owned(),
        access_key_id: "test".to_owned(),
        secret_access_key: "test".to_owned(),
        path_style: true,
        timeout: std::time::Duration::from_secs(3),
    });
    let store = ObjectStore::S3(s3);
    let started = std::time::Instant::now();
    let result = store.put("t/requests/2026/x", bytes::Bytes::from_static(b"%PDF-1.4"), "application/pdf").await;
    let took = started.elapsed();
    held.abort();
    assert!(result.is_err(), "a store that never answers is an error");
    assert!(took < std::time::Duration::from_secs(6), "failed after {took:?}, not within the 3 s budget");
    Ok(())
}
