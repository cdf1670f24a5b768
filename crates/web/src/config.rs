//! The one typed configuration: embedded defaults, then a TOML file, then `ESERVICE_*` variables.
//! A bad value is reported as one line naming the setting; secrets never print.

use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// Tenants live on `<slug>.<base_domain>`; the bare base domain shows the platform page.
    pub base_domain: String,
    pub database_url: Secret,
    pub db_max_connections: u32,
    pub data_dir: PathBuf,
    pub tenants_dir: PathBuf,
    /// Load `tenants_dir` into an empty database at start (the embedded demo).
    pub load_demo_tenants: bool,
    /// In the embedded mode, give each tenant without staff a demo officer and admin at start.
    pub demo_staff: bool,
    /// Run migrations at start (on by default; production may run `eservice migrate` as a job).
    pub migrate_on_start: bool,
    /// Cookies get `Secure` and links use https when true.
    pub https: bool,
    pub tenant_cache_ttl_secs: u64,
    pub log_format: LogFormat,
    /// The port in links sent by e-mail, when the public site is not on 80/443.
    pub public_port: Option<u16>,
    pub mail: notify::MailSettings,
    pub storage: Storage,
    /// Deliver the outbox inside `serve` (on by default; off when `eservice worker` runs apart).
    pub run_worker: bool,
    /// Show the mail written by the file transport at `/dev/mailbox` (embedded mode only).
    pub dev_mailbox: bool,
    pub http: crate::server::HttpTimeouts,
    /// How old a stored file must be before the worker's sweep may remove it as unused.
    pub file_sweep_grace: Duration,
    /// Proxies (CIDRs) whose `X-Forwarded-For` names the client; empty: the socket peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where `/metrics` is served (Prometheus), apart from the site; off when unset.
    pub metrics_listen: Option<SocketAddr>,
    /// How long the outbox worker holds a claimed message before another worker may take it.
    pub outbox_lease: Duration,
}

/// Where uploaded files go.
#[derive(Clone, Debug)]
pub enum Storage {
    Local { dir: PathBuf },
    S3(files::S3Settings),
}

impl Storage {
    pub fn open(&self) -> files::ObjectStore {
        match self {
            Storage::Local { dir } => files::ObjectStore::Local(files::LocalStore::new(dir.clone())),
            Storage::S3(settings) => files::ObjectStore::S3(files::S3Store::new(settings.clone())),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
enum StorageFile {
    Local { dir: PathBuf },
    S3 {
        endpoint: Option<String>,
        #[serde(default = "default_region")]
        region: String,
        bucket: String,
        access_key_id: String,
        secret_access_key: String,
        #[serde(default)]
        path_style: bool,
        /// Seconds one storage call may take, retries included (default 8).
        timeout_secs: Option<u64>,
    },
}

fn default_region() -> String {
    "us-east-1".into()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// A value that never shows up in logs or `Debug` output (the same type the mail settings use).
pub use notify::Secret;

/// A setting that could not be used: `setting` is the environment variable or file key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {}: {}", self.setting, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The file form: every key optional, same names as the variables without `ESERVICE_`, lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    base_domain: Option<String>,
    database_url: Option<String>,
    db_max_connections: Option<u32>,
    data_dir: Option<PathBuf>,
    tenants_dir: Option<PathBuf>,
    load_demo_tenants: Option<bool>,
    demo_staff: Option<bool>,
    migrate_on_start: Option<bool>,
    https: Option<bool>,
    tenant_cache_ttl_secs: Option<u64>,
    log_format: Option<String>,
    public_port: Option<u16>,
    mail: Option<notify::MailSettings>,
    /// `ESERVICE_MAIL_FROM`, applied after the transport is settled so it never moves the mail folder.
    #[serde(skip)]
    mail_from: Option<String>,
    storage: Option<StorageFile>,
    run_worker: Option<bool>,
    dev_mailbox: Option<bool>,
    header_timeout_secs: Option<u64>,
    body_timeout_secs: Option<u64>,
    shutdown_timeout_secs: Option<u64>,
    file_sweep_grace_secs: Option<u64>,
    /// Comma-separated CIDRs or addresses.
    trusted_proxies: Option<String>,
    metrics_listen: Option<String>,
    outbox_lease_secs: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            base_domain: "localhost".into(),
            database_url: Secret::new("sqlite://data/eservice.db?mode=rwc"),
            db_max_connections: 16,
            data_dir: PathBuf::from("data"),
            tenants_dir: PathBuf::from("tenants"),
            load_demo_tenants: true,
            demo_staff: true,
            migrate_on_start: true,
            https: false,
            tenant_cache_ttl_secs: 5,
            log_format: LogFormat::Text,
            public_port: None,
            mail: notify::MailSettings {
                transport: notify::MailTransport::File { dir: PathBuf::from("data/mail") },
                ..Default::default()
            },
            storage: Storage::Local { dir: PathBuf::from("data/files") },
            run_worker: true,
            dev_mailbox: true,
            http: crate::server::HttpTimeouts::default(),
            file_sweep_grace: Duration::from_secs(24 * 3600),
            trusted_proxies: Vec::new(),
            metrics_listen: None,
            outbox_lease: Duration::from_secs(300),
        }
    }
}

/// A source of variables; the process environment in production, a map in tests.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

impl<const N: usize> Env for [(&str, &str); N] {
    fn var(&self, name: &str) -> Option<String> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }
}

impl Config {
    /// Defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>, env: &impl Env) -> Result<Self, ConfigError> {
        let mut raw = match file {
            Some(path) => {
                let setting = format!("--config {}", path.display());
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError { setting: setting.clone(), message: e.to_string() })?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|e| ConfigError { setting, message: e.message().to_owned() })?
            }
            None => FileConfig::default(),
        };
        overlay(&mut raw, env)?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: FileConfig) -> Result<Self, ConfigError> {
        let mut c = Config::default();
        if let Some(listen) = raw.listen {
            c.listen = listen.parse().map_err(|_| err("ESERVICE_LISTEN", format!("'{listen}' is not an address like 127.0.0.1:8080")))?;
        }
        if let Some(base) = raw.base_domain {
            c.base_domain = domain::tenant::normalize_domain(&base)
                .ok_or_else(|| err("ESERVICE_BASE_DOMAIN", format!("'{base}' is not a host name")))?;
        }
        if let Some(dir) = raw.data_dir {
            c.data_dir = dir;
        }
        c.database_url = Secret::new(format!("sqlite://{}/eservice.db?mode=rwc", c.data_dir.display()));
        if let Some(url) = raw.database_url {
            if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(err("DATABASE_URL", "must start with sqlite:, postgres:// or postgresql://"));
            }
            c.database_url = Secret::new(url);
        }
        if let Some(n) = raw.db_max_connections {
            if n == 0 || n > 1000 {
                return Err(err("ESERVICE_DB_MAX_CONNECTIONS", "must be between 1 and 1000"));
            }
            c.db_max_connections = n;
        }
        if let Some(dir) = raw.tenants_dir {
            c.tenants_dir = dir;
        }
        if let Some(v) = raw.demo_staff {
            c.demo_staff = v;
        }
        if let Some(v) = raw.load_demo_tenants {
            c.load_demo_tenants = v;
        }
        if let Some(v) = raw.migrate_on_start {
            c.migrate_on_start = v;
        }
        if let Some(v) = raw.https {
            c.https = v;
        }
        if let Some(ttl) = raw.tenant_cache_ttl_secs {
            if ttl > 300 {
                return Err(err("ESERVICE_TENANT_CACHE_TTL_SECS", "must be at most 300"));
            }
            c.tenant_cache_ttl_secs = ttl;
        }
        if let Some(format) = raw.log_format {
            c.log_format = match format.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                other => return Err(err("ESERVICE_LOG_FORMAT", format!("'{other}' is not text or json"))),
            };
        }
        c.public_port = raw.public_port.or(match c.listen.port() {
            80 | 443 => None,
            port => Some(port),
        });
        c.mail = raw.mail.unwrap_or(notify::MailSettings {
            transport: notify::MailTransport::File { dir: c.data_dir.join("mail") },
            ..Default::default()
        });
        if let Some(from) = raw.mail_from {
            c.mail.from = from;
        }
        if let notify::MailTransport::Smtp { host, .. } = &c.mail.transport {
            if host.trim().is_empty() {
                return Err(err("ESERVICE_SMTP_HOST", "must name the SMTP server"));
            }
        }
        c.storage = match raw.storage {
            None => Storage::Local { dir: c.data_dir.join("files") },
            Some(StorageFile::Local { dir }) => Storage::Local { dir },
            Some(StorageFile::S3 { endpoint, region, bucket, access_key_id, secret_access_key, path_style, timeout_secs }) => {
                if bucket.is_empty() {
                    return Err(err("ESERVICE_S3_BUCKET", "must name the bucket"));
                }
                if access_key_id.is_empty() || secret_access_key.is_empty() {
                    return Err(err("ESERVICE_S3_ACCESS_KEY_ID", "and ESERVICE_S3_SECRET_ACCESS_KEY are both required"));
                }
                let timeout = timeout_secs.map_or(files::S3_DEFAULT_TIMEOUT, std::time::Duration::from_secs);
                Storage::S3(files::S3Settings { endpoint, region, bucket, access_key_id, secret_access_key, path_style, timeout })
            }
        };
        c.run_worker = raw.run_worker.unwrap_or(true);
        let file_mail = matches!(c.mail.transport, notify::MailTransport::File { .. });
        c.dev_mailbox = raw.dev_mailbox.unwrap_or(file_mail) && file_mail;
        c.http.headers = seconds_within(raw.header_timeout_secs, "ESERVICE_HEADER_TIMEOUT_SECS", 1..=3600, c.http.headers)?;
        c.http.body_idle = seconds_within(raw.body_timeout_secs, "ESERVICE_BODY_TIMEOUT_SECS", 1..=3600, c.http.body_idle)?;
        c.http.shutdown = seconds_within(raw.shutdown_timeout_secs, "ESERVICE_SHUTDOWN_TIMEOUT_SECS", 1..=3600, c.http.shutdown)?;
        c.file_sweep_grace =
            seconds_within(raw.file_sweep_grace_secs, "ESERVICE_FILE_SWEEP_GRACE_SECS", 600..=2_592_000, c.file_sweep_grace)?;
        c.outbox_lease = seconds_within(raw.outbox_lease_secs, "ESERVICE_OUTBOX_LEASE_SECS", 10..=3600, c.outbox_lease)?;
        if let Some(listen) = raw.metrics_listen {
            let addr: SocketAddr = listen
                .parse()
                .map_err(|_| err("ESERVICE_METRICS_LISTEN", format!("'{listen}' is not an address like 0.0.0.0:9090")))?;
            if addr == c.listen {
                return Err(err("ESERVICE_METRICS_LISTEN", "must differ from ESERVICE_LISTEN: metrics are never served on the site"));
            }
            c.metrics_listen = Some(addr);
        }
        if let Some(list) = raw.trusted_proxies {
            c.trusted_proxies = list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<ipnet::IpNet>()
                        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| err("ESERVICE_TRUSTED_PROXIES", format!("'{s}' is not an address or CIDR like 10.0.0.0/8")))
                })
                .collect::<Result<_, _>>()?;
        }
        Ok(c)
    }

    /// The SQLite database file, when the database is SQLite and on disk.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database_url.expose().strip_prefix("sqlite:")?;
        let path = rest.trim_start_matches("//").split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.expose().starts_with("sqlite:")
    }
}

/// A duration setting in whole seconds within `range`; unset keeps `default`.
fn seconds_within(
    value: Option<u64>,
    setting: &str,
    range: std::ops::RangeInclusive<u64>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    match value {
        None => Ok(default),
        Some(secs) if range.contains(&secs) => Ok(Duration::from_secs(secs)),
        Some(_) => Err(err(setting, format!("must be between {} and {} seconds", range.start(), range.end()))),
    }
}

fn err(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { setting: setting.into(), message: message.into() }
}

fn overlay(raw: &mut FileConfig, env: &impl Env) -> Result<(), ConfigError> {
    fn parse<T: std::str::FromStr>(env: &impl Env, name: &str, what: &str) -> Result<Option<T>, ConfigError> {
        match env.var(name) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| err(name, format!("'{v}' is not {what}"))),
        }
    }
    fn flag(env: &impl Env, name: &str) -> Result<Option<bool>, ConfigError> {
        match env.var(name).as_deref().map(str::trim) {
            None => Ok(None),
            Some("1" | "true" | "yes" | "on") => Ok(Some(true)),
            Some("0" | "false" | "no" | "off") => Ok(Some(false)),
            Some(v) => Err(err(name, format!("'{v}' is not true or false"))),
        }
    }
    if let Some(v) = env.var("ESERVICE_LISTEN") {
        raw.listen = Some(v);
    }
    if let Some(v) = env.var("ESERVICE_BASE_DOMAIN") {
        raw.base_domain = Some(v);
    }
    if let Some(v) = env.var("ESERVICE_DATABASE_URL").or_else(|| env.var("DATABASE_URL")) {
        raw.database_url = Some(v);
    }
    if let Some(v) = parse(env, "ESERVICE_DB_MAX_CONNECTIONS", "a number")? {
        raw.db_max_connections = Some(v);
    }
    if let Some(v) = env.var("ESERVICE_DATA_DIR") {
        raw.data_dir = Some(v.into());
    }
    if let Some(v) = env.var("ESERVICE_TENANTS_DIR") {
        raw.tenants_dir = Some(v.into());
    }
    if let Some(v) = flag(env, "ESERVICE_DEMO_STAFF")? {
        raw.demo_staff = Some(v);
    }
    if let Some(v) = flag(env, "ESERVICE_LOAD_DEMO_TENANTS")? {
        raw.load_demo_tenants = Some(v);
    }
    if let Some(v) = flag(env, "ESERVICE_MIGRATE_ON_START")? {
        raw.migrate_on_start = Some(v);
    }
    if let Some(v) = flag(env, "ESERVICE_HTTPS")? {
        raw.https = Some(v);
    }
    if let Some(v) = parse(env, "ESERVICE_TENANT_CACHE_TTL_SECS", "a number of seconds")? {
        raw.tenant_cache_ttl_secs = Some(v);
    }
    if let Some(v) = env.var("ESERVICE_LOG_FORMAT") {
        raw.log_format = Some(v);
    }
    if let Some(v) = parse(env, "ESERVICE_PUBLIC_PORT", "a port number")? {
        raw.public_port = Some(v);
    }
    if let Some(v) = flag(env, "ESERVICE_RUN_WORKER")? {
        raw.run_worker = Some(v);
    }
    if let Some(v) = flag(env, "ESERVICE_DEV_MAILBOX")? {
        raw.dev_mailbox = Some(v);
    }
    if let Some(v) = parse(env, "ESERVICE_HEADER_TIMEOUT_SECS", "a number of seconds")? {
        raw.header_timeout_secs = Some(v);
    }
    if let Some(v) = parse(env, "ESERVICE_BODY_TIMEOUT_SECS", "a number of seconds")? {
        raw.body_timeout_secs = Some(v);
    }
    if let Some(v) = parse(env, "ESERVICE_SHUTDOWN_TIMEOUT_SECS", "a number of seconds")? {
        raw.shutdown_timeout_secs = Some(v);
    }
    if let Some(v) = parse(env, "ESERVICE_FILE_SWEEP_GRACE_SECS", "a number of seconds")? {
        raw.file_sweep_grace_secs = Some(v);
    }
    if let Some(v) = parse(env, "ESERVICE_OUTBOX_LEASE_SECS", "a number of seconds")? {
        raw.outbox_lease_secs = Some(v);
    }
    if let Some(v) = env.var("ESERVICE_METRICS_LISTEN") {
        raw.metrics_listen = Some(v);
    }
    if let Some(v) = env.var("ESERVICE_TRUSTED_PROXIES") {
        raw.trusted_proxies = Some(v);
    }
    let mail_from = env.var("ESERVICE_MAIL_FROM");
    if let Some(host) = env.var("ESERVICE_SMTP_HOST") {
        let tls = match env.var("ESERVICE_SMTP_TLS").as_deref().unwrap_or("starttls") {
            "none" => notify::TlsMode::None,
            "starttls" => notify::TlsMode::Starttls,
            "tls" => notify::TlsMode::Tls,
            other => return Err(err("ESERVICE_SMTP_TLS", format!("'{other}' is not none, starttls or tls"))),
        };
        let mail = raw.mail.get_or_insert_with(Default::default);
        mail.transport = notify::MailTransport::Smtp {
            host,
            port: parse(env, "ESERVICE_SMTP_PORT", "a port number")?,
            tls,
            username: env.var("ESERVICE_SMTP_USERNAME"),
            password: env.var("ESERVICE_SMTP_PASSWORD").map(notify::Secret::new),
        };
    } else if let Some(dir) = env.var("ESERVICE_MAIL_DIR") {
        raw.mail.get_or_insert_with(Default::default).transport = notify::MailTransport::File { dir: dir.into() };
    }
    if let Some(from) = mail_from {
        if !from.contains('@') {
            return Err(err("ESERVICE_MAIL_FROM", format!("'{from}' is not a sender like \"Name <no-reply@example.go.th>\"")));
        }
        raw.mail_from = Some(from);
    }
    if let Some(bucket) = env.var("ESERVICE_S3_BUCKET") {
        raw.storage = Some(StorageFile::S3 {
            endpoint: env.var("ESERVICE_S3_ENDPOINT"),
            region: env.var("ESERVICE_S3_REGION").unwrap_or_else(default_region),
            bucket,
            access_key_id: env.var("ESERVICE_S3_ACCESS_KEY_ID").unwrap_or_default(),
            secret_access_key: env.var("ESERVICE_S3_SECRET_ACCESS_KEY").unwrap_or_default(),
            path_style: flag(env, "ESERVICE_S3_PATH_STYLE")?.unwrap_or(false),
            timeout_secs: parse(env, "ESERVICE_S3_TIMEOUT_SECS", "a number of seconds")?,
        });
    } else if let Some(dir) = env.var("ESERVICE_FILES_DIR") {
        raw.storage = Some(StorageFile::Local { dir: dir.into() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_embedded_mode() {
        let c = Config::load(None, &[("UNRELATED", "1")]).expect("defaults load");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(c.is_sqlite());
        assert_eq!(c.base_domain, "localhost");
    }

    #[test]
    fn environment_overrides_and_bad_values_name_the_setting() {
        let c = Config::load(None, &[("DATABASE_URL", "postgres://u@h/db"), ("ESERVICE_BASE_DOMAIN", "EService.GO.TH.")])
            .expect("loads");
        assert!(!c.is_sqlite());
        assert_eq!(c.base_domain, "eservice.go.th");

        let e = Config::load(None, &[("ESERVICE_LISTEN", "nowhere")]).expect_err("bad listen");
        assert_eq!(e.setting, "ESERVICE_LISTEN");
        let e = Config::load(None, &[("ESERVICE_HTTPS", "maybe")]).expect_err("bad flag");
        assert_eq!(e.setting, "ESERVICE_HTTPS");
        let e = Config::load(None, &[("DATABASE_URL", "mysql://x")]).expect_err("bad url");
        assert_eq!(e.setting, "DATABASE_URL");
    }

    #[test]
    fn http_timeouts_default_to_seconds_and_refuse_zero() {
        let c = Config::load(None, &[("ESERVICE_SHUTDOWN_TIMEOUT_SECS", "5")]).expect("loads");
        assert_eq!(c.http.shutdown, Duration::from_secs(5));
        assert_eq!(c.http.headers, Duration::from_secs(10));
        let e = Config::load(None, &[("ESERVICE_HEADER_TIMEOUT_SECS", "0")]).expect_err("zero would never time out");
        assert_eq!(e.setting, "ESERVICE_HEADER_TIMEOUT_SECS");
        let e = Config::load(None, &[("ESERVICE_BODY_TIMEOUT_SECS", "soon")]).expect_err("not a number");
        assert_eq!(e.setting, "ESERVICE_BODY_TIMEOUT_SECS");
    }

    #[test]
    fn trusted_proxies_are_cidrs_or_addresses() {
        let c = Config::load(None, &[("ESERVICE_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.5,fd00::/8")]).expect("loads");
        assert_eq!(c.trusted_proxies.len(), 3);
        assert!(c.trusted_proxies[1].contains(&"192.168.1.5".parse::<std::net::IpAddr>().expect("ip")));
        assert!(Config::load(None, &[("UNRELATED", "1")]).expect("loads").trusted_proxies.is_empty());
        let e = Config::load(None, &[("ESERVICE_TRUSTED_PROXIES", "10.0.0.0/33")]).expect_err("bad cidr");
        assert_eq!(e.setting, "ESERVICE_TRUSTED_PROXIES");
    }

    #[test]
    fn mail_and_storage_come_from_the_environment() {
        let c = Config::load(None, &[("ESERVICE_DATA_DIR", "/srv/es"), ("ESERVICE_MAIL_FROM", "เทศบาล <no-reply@example.go.th>")])
            .expect("loads");
        assert_eq!(c.mail.from, "เทศบาล <no-reply@example.go.th>");
        assert!(matches!(&c.mail.transport, notify::MailTransport::File { dir } if dir.ends_with("es/mail")));
        assert!(matches!(&c.storage, Storage::Local { dir } if dir.ends_with("es/files")));
        assert!(c.dev_mailbox, "the dev mailbox is on with the file transport");

        let c = Config::load(
            None,
            &[
                ("ESERVICE_SMTP_HOST", "smtp.example.go.th"),
                ("ESERVICE_SMTP_PASSWORD", "hunter2"),
                ("ESERVICE_S3_BUCKET", "eservice"),
                ("ESERVICE_S3_ACCESS_KEY_ID", "AK"),
                ("ESERVICE_S3_SECRET_ACCESS_KEY", "topsecret"),
                ("ESERVICE_DEV_MAILBOX", "true"),
            ],
        )
        .expect("loads");
        assert!(matches!(&c.mail.transport, notify::MailTransport::Smtp { tls: notify::TlsMode::Starttls, .. }));
        assert!(matches!(&c.storage, Storage::S3(s) if s.bucket == "eservice"));
        assert!(!c.dev_mailbox, "never with SMTP");
        let printed = format!("{c:?}");
        assert!(!printed.contains("hunter2") && !printed.contains("topsecret"), "{printed}");

        let e = Config::load(None, &[("ESERVICE_S3_BUCKET", "b")]).expect_err("keys missing");
        assert_eq!(e.setting, "ESERVICE_S3_ACCESS_KEY_ID");
        let e = Config::load(None, &[("ESERVICE_SMTP_HOST", "h"), ("ESERVICE_SMTP_TLS", "ssl")]).expect_err("bad tls");
        assert_eq!(e.setting, "ESERVICE_SMTP_TLS");
    }

    #[test]
    fn secrets_do_not_print() {
        let c = Config::load(None, &[("DATABASE_URL", "postgres://user:hunter2@h/db")]).expect("loads");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn a_config_file_is_read_and_unknown_keys_refused() {
        let dir = std::env::temp_dir().join(format!("eservice-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let good = dir.join("good.toml");
        std::fs::write(&good, "listen = '0.0.0.0:9000'\nbase_domain = 'eservice.example'\n").expect("write");
        let c = Config::load(Some(&good), &[("X", "")]).expect("file loads");
        assert_eq!(c.listen.port(), 9000);
        let c = Config::load(Some(&good), &[("ESERVICE_LISTEN", "127.0.0.1:1")]).expect("env wins");
        assert_eq!(c.listen.port(), 1);
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "lisen = '0.0.0.0:9000'\n").expect("write");
        let e = Config::load(Some(&bad), &[("X", "")]).expect_err("typo refused");
        assert!(e.setting.contains("bad.toml") && e.message.contains("lisen"), "{e}");
    }
}
