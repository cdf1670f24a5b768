//! The binary as an operator runs it: bad settings stop start-up with one line and exit code 2;
//! `tenant apply` validates, names the file and field, and is idempotent.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn eservice(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eservice"));
    cmd.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run eservice")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A database URL for this test: a fresh PostgreSQL database when `TEST_DATABASE_URL` is set,
/// else a SQLite file in `dir`.
fn database_url(dir: &Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(server) if server.starts_with("postgres") => {
            // The same shape as the suites' databases, so `.ci/run` cleans these up too.
            let name = format!("t_{:016x}{:016x}", std::process::id(), rand_suffix());
            let admin = Command::new("psql")
                .args([&server, "-q", "-c", &format!("CREATE DATABASE {name}")])
                .output()
                .expect("psql");
            assert!(admin.status.success(), "create database: {}", String::from_utf8_lossy(&admin.stderr));
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}/cli.db?mode=rwc", dir.display()),
    }
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}

fn repo_tenants() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tenants")
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_and_exit_code_2() {
    for (var, value) in [
        ("ESERVICE_LISTEN", "not-an-address"),
        ("DATABASE_URL", "mysql://localhost/x"),
        ("ESERVICE_HTTPS", "perhaps"),
        ("ESERVICE_SMTP_TLS", "ssl"),
    ] {
        let mut env = vec![(var, value)];
        if var == "ESERVICE_SMTP_TLS" {
            env.push(("ESERVICE_SMTP_HOST", "smtp.example"));
        }
        let out = eservice(&["serve"], &env);
        assert_eq!(out.status.code(), Some(2), "{var}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{var}: one line, got {err}");
        assert!(err.contains(var), "{var} is named: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn an_unknown_key_in_the_config_file_is_named() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("eservice.toml");
    std::fs::write(&file, "listen = '127.0.0.1:0'\nbase_domian = 'x'\n").expect("write");
    let out = eservice(&["--config", file.to_str().unwrap_or_default(), "migrate"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("base_domian"), "{}", stderr(&out));
}

#[test]
fn an_unreachable_database_is_reported_without_a_panic() {
    let out = eservice(&["migrate"], &[("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("DATABASE_URL") && !err.contains("panicked"), "{err}");
}

#[test]
fn tenant_apply_is_idempotent_and_updates_a_changed_tenant() {
    let dir = tempfile::tempdir().expect("dir");
    let url = database_url(dir.path());
    let env = [("DATABASE_URL", url.as_str())];
    let tenants = repo_tenants();
    let tenants = tenants.to_str().unwrap_or_default();

    let first = eservice(&["tenant", "apply", tenants], &env);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(stdout(&first), "demo: created\nnongbua: created\n");
    let second = eservice(&["tenant", "apply", tenants], &env);
    assert_eq!(stdout(&second), "demo: unchanged\nnongbua: unchanged\n");

    let copy = dir.path().join("nongbua");
    copy_tree(&repo_tenants().join("nongbua"), &copy);
    let manifest = copy.join("tenant.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    std::fs::write(&manifest, text.replace("photo_count = 3", "photo_count = 4")).expect("write");
    let changed = eservice(&["tenant", "apply", copy.to_str().unwrap_or_default()], &env);
    assert_eq!(stdout(&changed), "nongbua: updated\n", "{}", stderr(&changed));

    // A green that badge text cannot be read on (4.40:1) is refused, naming the colour and ratio.
    let text = std::fs::read_to_string(&manifest).expect("read");
    std::fs::write(&manifest, text.replace("#256b29", "#2e7d32")).expect("write");
    let refused = eservice(&["tenant", "apply", copy.to_str().unwrap_or_default()], &env);
    assert_eq!(refused.status.code(), Some(1));
    let err = stderr(&refused);
    assert!(err.contains("branding.primary_color") && err.contains("#2e7d32") && err.contains("4.40:1"), "{err}");

    let list = eservice(&["tenant", "list"], &env);
    let listed = stdout(&list);
    assert!(listed.contains("demo\tactive\tเทศบาลเมืองตัวอย่าง"), "{listed}");
    assert!(listed.contains("eservice.tuayang.test"), "{listed}");

    let suspend = eservice(&["tenant", "suspend", "nongbua"], &env);
    assert_eq!(stdout(&suspend), "nongbua: suspended\n");
    let list = stdout(&eservice(&["tenant", "list"], &env));
    assert!(list.contains("nongbua\tsuspended"), "{list}");
    let missing = eservice(&["tenant", "suspend", "nowhere"], &env);
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn tenant_apply_names_the_file_and_field_of_every_problem_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let url = database_url(dir.path());
    let env = [("DATABASE_URL", url.as_str())];
    let broken = dir.path().join("broken");
    std::fs::create_dir_all(&broken).expect("mkdir");
    std::fs::write(
        broken.join("tenant.toml"),
        r##"
slug = "broken"
name_th = "เทศบาลทดสอบ"
name_en = "Test"
[branding]
primary_color = "blue"
accent_color = "#ffffff"
logo = "logo.png"
[terms]
version = "1"
file_th = "terms.th.md"
file_en = "../outside.md"
[identity]
photo_count = 9
watermark_text = "ใช้สำหรับทดสอบเท่านั้น"
[contact]
address_th = "x"
address_en = "x"
phone = "1"
email = "a@b.c"
"##,
    )
    .expect("write");
    std::fs::write(broken.join("terms.th.md"), "# ข้อกำหนด").expect("write");
    let out = eservice(&["tenant", "apply", broken.to_str().unwrap_or_default()], &env);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for expected in [
        "tenant.toml: branding.primary_color:",
        "tenant.toml: identity.photo_count:",
        "tenant.toml: terms.file_en:",
        "logo.png: branding.logo: cannot read",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
    let list = eservice(&["tenant", "list"], &env);
    assert_eq!(stdout(&list), "", "nothing was written");
}

#[test]
fn serve_answers_then_stops_cleanly_on_sigterm() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let listen = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_eservice"))
        .env_clear()
        .env("ESERVICE_LISTEN", &listen)
        .env("ESERVICE_DATA_DIR", dir.path())
        .env("ESERVICE_TENANTS_DIR", repo_tenants())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let deadline = Instant::now() + Duration::from_secs(60);
    let page = loop {
        let attempt = std::net::TcpStream::connect(&listen).and_then(|mut s| {
            s.write_all(b"GET / HTTP/1.1\r\nHost: demo.localhost\r\nConnection: close\r\n\r\n")?;
            let mut body = String::new();
            s.read_to_string(&mut body)?;
            Ok(body)
        });
        match attempt {
            Ok(body) if body.starts_with("HTTP/1.1 200") => break body,
            _ if Instant::now() > deadline => panic!("server did not come up"),
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    assert!(page.contains("เทศบาลเมืองตัวอย่าง"), "the embedded default loads the demo tenants");
    assert!(dir.path().join("eservice.db").exists(), "SQLite under the data dir");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert!(status.success(), "graceful exit, got {status:?}");
    let mut log = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut log);
    }
    assert!(log.contains("shutting down") && log.contains("stopped"), "{log}");
    assert!(log.contains("request_id="), "requests are logged with their id: {log}");
}

/// Copies a tenant folder with its sub-folders (`forms/`).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} should contain {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn tenant_apply_names_the_file_and_path_of_a_broken_services_toml_or_form_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let url = database_url(dir.path());
    let env = [("DATABASE_URL", url.as_str())];
    let demo = dir.path().join("demo");
    copy_tree(&repo_tenants().join("demo"), &demo);
    replace_in(&demo.join("services.toml"), "icon = \"droplet\"", "icon = \"tap\"");
    replace_in(&demo.join("services.toml"), "form = \"septic_emptying\"", "form = \"septic\"");
    replace_in(&demo.join("forms/complaint.json"), "\"equals\": \"other\"", "\"equals\": \"others\"");

    let out = eservice(&["tenant", "apply", demo.to_str().unwrap_or_default()], &env);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for expected in [
        "services.toml: categories[2].icon: 'tap' is not one of",
        "services.toml: categories[1].items[1].form: names form 'septic' but there is no forms/septic.json",
        "forms/complaint.json: fields[2].show_when.equals: is not an option of topic",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");

    replace_in(&demo.join("services.toml"), "icon = \"tap\"", "icon = \"droplet\"\nicn = \"tap\"");
    let out = eservice(&["tenant", "apply", demo.to_str().unwrap_or_default()], &env);
    let err = stderr(&out);
    assert!(err.contains("services.toml: categories[2].icn: unknown field `icn`"), "unknown keys are refused:\n{err}");
    assert_eq!(stdout(&eservice(&["tenant", "list"], &env)), "", "nothing was written");
}

#[test]
fn tenant_apply_refuses_a_changed_form_under_an_old_version_and_takes_a_new_one() {
    let dir = tempfile::tempdir().expect("dir");
    let url = database_url(dir.path());
    let env = [("DATABASE_URL", url.as_str())];
    let demo = dir.path().join("demo");
    copy_tree(&repo_tenants().join("demo"), &demo);
    let apply = || eservice(&["tenant", "apply", demo.to_str().unwrap_or_default()], &env);
    assert_eq!(stdout(&apply()), "demo: created\n");

    let form = demo.join("forms/complaint.json");
    replace_in(&form, "\"th\": \"หัวเรื่อง\"", "\"th\": \"เรื่อง\"");
    let out = apply();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("forms/complaint.json") && err.contains("give it a new version"), "{err}");

    replace_in(&form, "\"version\": 1", "\"version\": 2");
    let out = apply();
    assert_eq!(stdout(&out), "demo: updated\n", "{}", stderr(&out));
    assert_eq!(stdout(&apply()), "demo: unchanged\n");
}

#[test]
fn migrate_works_on_a_fresh_machine_with_the_embedded_default() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("not-yet").join("data");
    let out = eservice(&["migrate"], &[("ESERVICE_DATA_DIR", data.to_str().unwrap_or_default())]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(data.join("eservice.db").exists());
}

#[test]
fn files_sweep_removes_what_a_killed_process_left_and_says_how_many() {
    let dir = tempfile::tempdir().expect("dir");
    let url = database_url(dir.path());
    let files = dir.path().join("files");
    let folder = files.join("0b0e4c7e-7d0d-4c55-9c43-3c1f3b0e8a11/requests/2026");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join("5d7f3a3c-0f51-4a43-8b0a-3f7e1a2b9c10"), b"no row names me").expect("orphan");
    std::fs::write(folder.join(".5d7f3a3c.0f51.tmp"), b"half").expect("temporary");
    let env = [("DATABASE_URL", url.as_str()), ("ESERVICE_FILES_DIR", files.to_str().unwrap_or_default())];

    let kept = eservice(&["files", "sweep"], &env);
    assert!(kept.status.success(), "{}", stderr(&kept));
    assert!(stdout(&kept).contains("removed 0 that no row points to"), "young files stay: {}", stdout(&kept));

    let swept = eservice(&["files", "sweep", "--grace-secs", "0"], &env);
    assert!(swept.status.success(), "{}", stderr(&swept));
    let said = stdout(&swept);
    assert!(said.contains("looked at 2 files; removed 1 that no row points to, 0 kept for refused forms, 1 half-written"), "{said}");
    assert_eq!(std::fs::read_dir(&folder).expect("folder").count(), 0);
}

#[test]
fn tenant_export_round_trips_and_apply_keeps_a_browser_change_unless_forced() {
    let dir = tempfile::tempdir().expect("dir");
    let url = database_url(dir.path());
    let env = [("DATABASE_URL", url.as_str())];
    let applied = eservice(&["tenant", "apply", repo_tenants().to_str().unwrap_or_default()], &env);
    assert!(applied.status.success(), "{}", stderr(&applied));

    let out = dir.path().join("exported").join("demo");
    let exported = eservice(&["tenant", "export", "demo", out.to_str().unwrap_or_default()], &env);
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(out.join("tenant.toml").is_file() && out.join("services.toml").is_file() && out.join("forms").is_dir());
    let again = eservice(&["tenant", "apply", out.to_str().unwrap_or_default()], &env);
    assert_eq!(stdout(&again), "demo: unchanged\n", "{}", stderr(&again));

    // An admin changes the identity rules in the browser (as the settings page saves them).
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let db = store::connect(&url, 2).await.expect("connect");
        let tenant = store::tenants::find_by_slug(&db, "demo").await.expect("db").expect("demo");
        let mut stored = store::tenants::stored(&db, tenant.scope()).await.expect("db").expect("stored");
        stored.bundle.tenant.settings.identity.photo_count = 3;
        let txn = store::begin_write(&db).await.expect("begin");
        store::tenants::save(&txn, tenant.scope(), &stored.revision, "identity", &stored.bundle).await.expect("saved");
        txn.commit().await.expect("commit");
    });

    let demo = repo_tenants().join("demo");
    let refused = eservice(&["tenant", "apply", demo.to_str().unwrap_or_default()], &env);
    assert_eq!(refused.status.code(), Some(1));
    let err = stderr(&refused);
    assert!(err.contains("changed in the browser") && err.contains("identity") && err.contains("--force"), "{err}");
    let forced = eservice(&["tenant", "apply", "--force", demo.to_str().unwrap_or_default()], &env);
    assert_eq!(stdout(&forced), "demo: updated\n", "{}", stderr(&forced));

    let missing = eservice(&["tenant", "export", "nowhere", out.to_str().unwrap_or_default()], &env);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("nowhere"));
}

/// Runs the binary with `input` on standard input.
fn eservice_with_input(args: &[&str], env: &[(&str, &str)], input: &str) -> Output {
    use std::io::Write as _;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eservice"));
    cmd.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run eservice");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write the password");
    child.wait_with_output().expect("wait")
}

#[test]
fn operator_add_prints_the_secrets_once_and_list_and_deactivate_follow() {
    let dir = tempfile::tempdir().expect("dir");
    let url = database_url(dir.path());
    let data = dir.path().join("data");
    let data = data.to_str().unwrap_or_default();
    let env = [("DATABASE_URL", url.as_str()), ("ESERVICE_DATA_DIR", data)];

    let added = eservice_with_input(&["operator", "add", "--email", "ops@platform.example", "--name", "ฝ่ายปฏิบัติการ"], &env, "Platform-console-2569-key\n");
    assert!(added.status.success(), "{}", stderr(&added));
    let out = stdout(&added);
    assert!(out.contains("added operator ops@platform.example (ฝ่ายปฏิบัติการ)"), "{out}");
    assert!(out.contains("authenticator secret: ") && out.contains("otpauth://totp/"), "{out}");
    let codes = out.lines().filter(|l| l.starts_with("  ") && l.trim().len() >= 12).count();
    assert_eq!(codes, 10, "ten recovery codes: {out}");

    // A weak password and a second operator with the same e-mail are refused, with a reason.
    let weak = eservice_with_input(&["operator", "add", "--email", "weak@platform.example"], &env, "short\n");
    assert!(!weak.status.success());
    assert!(stderr(&weak).contains("password"), "{}", stderr(&weak));
    let twice = eservice_with_input(&["operator", "add", "--email", "OPS@platform.example"], &env, "Platform-console-2569-key\n");
    assert!(!twice.status.success());
    assert!(stderr(&twice).contains("already exists"), "{}", stderr(&twice));

    let list = stdout(&eservice(&["operator", "list"], &env));
    assert!(list.contains("ops@platform.example\tฝ่ายปฏิบัติการ\tactive\t-"), "{list}");
    let off = eservice(&["operator", "deactivate", "--email", "ops@platform.example"], &env);
    assert_eq!(stdout(&off), "deactivated ops@platform.example (0 sessions ended)\n", "{}", stderr(&off));
    let list = stdout(&eservice(&["operator", "list"], &env));
    assert!(list.contains("\tdeactivated\t"), "{list}");
}
