//! The one binary: `serve` (default), `worker`, `migrate`, `tenant apply|list|suspend|resume`,
//! `staff add|list|totp-code`, `operator add|list|deactivate|totp-code`, `files sweep`.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use web::config::{Config, LogFormat, ProcessEnv};

#[derive(Parser)]
#[command(name = "eservice", version, about = "Citizen e-service portals for Thai municipalities")]
struct Cli {
    /// A TOML configuration file; `ESERVICE_*` variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web site and API (the default).
    Serve,
    /// Deliver queued e-mail from the outbox (for running workers apart from web replicas).
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage municipalities defined as code in `tenants/`.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage a municipality's staff (officers and admins).
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Manage the platform's operators (they onboard, suspend and resume municipalities).
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Look after the stored files (local folder or S3 bucket).
    #[command(subcommand)]
    Files(FilesCommand),
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Add an operator. The password is read from the first line of standard input; the
    /// authenticator secret and ten recovery codes are printed once.
    Add {
        #[arg(long)]
        email: String,
        /// The name shown in the audit trail (defaults to the e-mail address).
        #[arg(long)]
        name: Option<String>,
    },
    /// List the operators.
    List,
    /// Deactivate an operator: their sessions end at once.
    Deactivate {
        #[arg(long)]
        email: String,
    },
    /// Print an operator's current TOTP code (embedded mode only, for trying the console).
    TotpCode {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum FilesCommand {
    /// Remove stored files no row points to, files kept for refused forms and half-written
    /// temporaries, once older than the grace period (the worker does this every hour).
    Sweep {
        /// Only files older than this many seconds (default ESERVICE_FILE_SWEEP_GRACE_SECS, one day).
        #[arg(long, value_name = "SECONDS")]
        grace_secs: Option<u64>,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a staff member and print their single-use set-password link (valid 3 days).
    Add {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// `officer` or `admin`.
        #[arg(long)]
        role: String,
        /// The name colleagues see (defaults to the e-mail address).
        #[arg(long)]
        name: Option<String>,
    },
    /// List a tenant's staff.
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Print the current TOTP code of a staff member (embedded mode only, for the demo).
    TotpCode {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Validate and create or update a tenant from its folder (or every tenant folder inside it).
    /// Refused for a tenant an admin changed in the browser since the last apply, unless --force.
    Apply {
        dir: PathBuf,
        /// Overwrite what admins changed in the browser since the last apply.
        #[arg(long)]
        force: bool,
    },
    /// Write a tenant's folder as the database holds it (what `apply` reads back unchanged).
    Export { slug: String, dir: PathBuf },
    /// List tenants.
    List,
    /// Take a tenant offline: its site shows "service unavailable".
    Suspend { slug: String },
    /// Bring a suspended tenant back online.
    Resume { slug: String },
}

/// Exit code for a problem with the configuration or environment at start-up.
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref(), &ProcessEnv) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    init_logging(config.log_format);
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config))
}

async fn run(command: Command, config: Config) -> ExitCode {
    let result = match command {
        Command::Serve => serve(config).await,
        Command::Worker => worker(config).await,
        Command::Migrate => migrate(config).await,
        Command::Tenant(cmd) => tenant(cmd, config).await,
        Command::Staff(cmd) => staff(cmd, config).await,
        Command::Operator(cmd) => operator(cmd, config).await,
        Command::Files(FilesCommand::Sweep { grace_secs }) => sweep_files(config, grace_secs).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_CONFIG)
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let listen = config.listen;
    let base = config.base_domain.clone();
    let state = web::build(config).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen} (ESERVICE_LISTEN)"))?;
    tracing::info!(%listen, "serving; open http://<tenant>.{base}:{}/", listen.port());
    let metrics = start_metrics(&state).await?;
    let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = state.config.run_worker.then(|| {
        let state = state.clone();
        tokio::spawn(web::run_worker(state, async {
            let _ = worker_stopped.await;
        }))
    });
    let served = web::serve(listener, state, shutdown_signal()).await;
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    let _ = stop_worker.send(());
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    if let Err(e) = served {
        tracing::error!(error = %e, "server stopped");
        return Ok(ExitCode::FAILURE);
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn worker(config: Config) -> anyhow::Result<ExitCode> {
    let mut config = config;
    config.load_demo_tenants = false;
    let state = web::build(config).await?;
    let metrics = start_metrics(&state).await?;
    tracing::info!("outbox worker running");
    web::run_worker(state, shutdown_signal()).await;
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    Ok(ExitCode::SUCCESS)
}

/// Serves `/metrics` on `ESERVICE_METRICS_LISTEN`, when it is set, until the process ends.
async fn start_metrics(state: &web::AppState) -> anyhow::Result<Option<tokio::task::JoinHandle<std::io::Result<()>>>> {
    let Some(listen) = state.config.metrics_listen else { return Ok(None) };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen} (ESERVICE_METRICS_LISTEN)"))?;
    tracing::info!(%listen, "metrics on http://{listen}/metrics");
    Ok(Some(tokio::spawn(web::metrics::serve(listener, state.db.clone(), std::future::pending()))))
}

async fn connect(config: &Config) -> anyhow::Result<store::Db> {
    web::connect(config, config.db_max_connections.min(4)).await
}

async fn sweep_files(config: Config, grace_secs: Option<u64>) -> anyhow::Result<ExitCode> {
    let db = connect(&config).await?;
    store::migrate(&db).await.context("applying migrations")?;
    let grace = grace_secs.map_or(config.file_sweep_grace, std::time::Duration::from_secs);
    let swept = app::stored_files::sweep(&db, &config.storage.open(), grace).await.context("sweeping stored files")?;
    println!(
        "looked at {} files; removed {} that no row points to, {} kept for refused forms, {} half-written; {} could not be removed",
        swept.seen, swept.orphans, swept.staged, swept.temporaries, swept.failed
    );
    Ok(if swept.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

async fn migrate(config: Config) -> anyhow::Result<ExitCode> {
    let db = connect(&config).await?;
    store::migrate(&db).await.context("applying migrations")?;
    println!("migrations applied");
    Ok(ExitCode::SUCCESS)
}

async fn tenant(cmd: TenantCommand, config: Config) -> anyhow::Result<ExitCode> {
    let db = connect(&config).await?;
    store::migrate(&db).await.context("applying migrations")?;
    match cmd {
        TenantCommand::Apply { dir, force } => apply(&db, &dir, force).await,
        TenantCommand::Export { slug, dir } => export(&db, &slug, &dir).await,
        TenantCommand::List => {
            for t in store::tenants::list(&db).await? {
                let domains = store::tenants::domains(&db, t.id).await?.join(",");
                println!("{}\t{}\t{}\t{}\t{}", t.slug, t.status.as_str(), t.name_th, t.name_en, domains);
            }
            Ok(ExitCode::SUCCESS)
        }
        TenantCommand::Suspend { slug } => set_status(&db, &slug, domain::tenant::TenantStatus::Suspended).await,
        TenantCommand::Resume { slug } => set_status(&db, &slug, domain::tenant::TenantStatus::Active).await,
    }
}

async fn staff(cmd: StaffCommand, mut config: Config) -> anyhow::Result<ExitCode> {
    config.load_demo_tenants = false;
    config.run_worker = false;
    let embedded = config.sqlite_path().is_some();
    let state = web::build(config).await?;
    let find = |slug: String| {
        let db = state.db.clone();
        async move { store::tenants::find_by_slug(&db, &slug).await?.with_context(|| format!("no tenant {slug}")) }
    };
    match cmd {
        StaffCommand::Add { tenant, email, role, name } => {
            let tenant = find(tenant).await?;
            let role = access::authz::Role::parse(&role).context("--role must be officer or admin")?;
            let name = name.unwrap_or_else(|| email.clone());
            let (member, link) = app::staff::manage::add_from_cli(&state.app, &tenant, &email, &name, role)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("added {} ({}) as {} of {}", member.email, member.name, role.as_str(), tenant.slug);
            println!("set-password link (single use, valid 3 days): {link}");
        }
        StaffCommand::List { tenant } => {
            let tenant = find(tenant).await?;
            for member in store::staff::list(&state.db, tenant.scope()).await? {
                let roles = state.app.authz.roles(tenant.scope(), member.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                let state_word = if member.active { "active" } else { "deactivated" };
                let totp = if member.totp_enabled { "totp" } else { "no-totp" };
                println!("{}\t{}\t{}\t{state_word}\t{totp}", member.email, member.name, roles.join(","));
            }
        }
        StaffCommand::TotpCode { tenant, email } => {
            if !embedded {
                anyhow::bail!("staff totp-code works only in the embedded mode (SQLite), for the demo staff");
            }
            let tenant = find(tenant).await?;
            let member = store::staff::find_by_email(&state.db, tenant.scope(), &email).await?.context("no such staff member")?;
            let secret = member.totp_secret.filter(|_| member.totp_enabled).context("this member has no TOTP set up")?;
            let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
            println!("{}", access::totp::code_at(&secret, now).context("making the code")?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn operator(cmd: OperatorCommand, mut config: Config) -> anyhow::Result<ExitCode> {
    config.load_demo_tenants = false;
    config.run_worker = false;
    let embedded = config.sqlite_path().is_some();
    let state = web::build(config).await?;
    let find = |email: String| {
        let db = state.db.clone();
        async move { store::operators::find_by_email(&db, &email).await?.with_context(|| format!("no operator {email}")) }
    };
    match cmd {
        OperatorCommand::Add { email, name } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            let added = app::operator::add(&state.app, &email, name.as_deref().unwrap_or_default(), password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("added operator {} ({})", added.operator.email, added.operator.name);
            println!("authenticator secret: {}", added.totp_secret);
            println!("authenticator link:   {}", added.otpauth_url);
            println!("recovery codes (each works once; keep them somewhere safe):");
            for code in &added.recovery_codes {
                println!("  {code}");
            }
        }
        OperatorCommand::List => {
            for o in store::operators::list(&state.db).await? {
                let state_word = if o.active { "active" } else { "deactivated" };
                let last = o.last_login_at.map(|at| at.to_rfc3339()).unwrap_or_else(|| "-".into());
                println!("{}\t{}\t{state_word}\t{last}", o.email, o.name);
            }
        }
        OperatorCommand::Deactivate { email } => match app::operator::deactivate(&state.app, &email).await? {
            Some(ended) => println!("deactivated {email} ({ended} sessions ended)"),
            None => anyhow::bail!("no operator {email}"),
        },
        OperatorCommand::TotpCode { email } => {
            if !embedded {
                anyhow::bail!("operator totp-code works only in the embedded mode (SQLite)");
            }
            let found = find(email).await?;
            let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
            println!("{}", access::totp::code_at(&found.totp_secret, now).context("making the code")?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Suspends or resumes a tenant, audited as the command in the platform's and the tenant's trail.
async fn set_status(db: &store::Db, slug: &str, status: domain::tenant::TenantStatus) -> anyhow::Result<ExitCode> {
    match app::operator::set_status_by_command(db, slug, status).await {
        Ok(_) => {
            println!("{slug}: {}", status.as_str());
            Ok(ExitCode::SUCCESS)
        }
        Err(app::operator::StatusError::NotFound) => {
            eprintln!("error: no tenant '{slug}'");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

/// Applies one tenant folder, or each tenant folder inside `dir`. Validation problems are listed
/// one per line (file: field: message) and nothing is written for that tenant.
async fn apply(db: &store::Db, dir: &Path, force: bool) -> anyhow::Result<ExitCode> {
    let dirs = if dir.join(store::tenant_dir::MANIFEST).is_file() {
        vec![dir.to_path_buf()]
    } else {
        store::tenant_dir::tenant_dirs(dir).with_context(|| format!("reading {}", dir.display()))?
    };
    if dirs.is_empty() {
        eprintln!("error: {}: no {} found", dir.display(), store::tenant_dir::MANIFEST);
        return Ok(ExitCode::FAILURE);
    }
    let mut failed = false;
    for dir in dirs {
        match store::tenant_dir::load_dir(&dir) {
            Err(errors) => {
                failed = true;
                for e in errors {
                    eprintln!("error: {e}");
                }
            }
            Ok(bundle) => match store::tenants::apply(db, &bundle, force).await {
                Ok(outcome) => println!("{}: {}", bundle.tenant.slug, format!("{outcome:?}").to_lowercase()),
                Err(store::tenants::ApplyError::Db(e)) => return Err(e.into()),
                Err(e @ (store::tenants::ApplyError::FormVersionChanged { .. } | store::tenants::ApplyError::FormVersionBehind { .. })) => {
                    failed = true;
                    eprintln!("error: {e}");
                }
                Err(e) => {
                    failed = true;
                    eprintln!("error: {}: {e}", dir.join(store::tenant_dir::MANIFEST).display());
                }
            },
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Writes one tenant's folder; a later `tenant apply` of it changes nothing.
async fn export(db: &store::Db, slug: &str, dir: &Path) -> anyhow::Result<ExitCode> {
    let Some(tenant) = store::tenants::find_by_slug(db, slug).await? else {
        eprintln!("error: no tenant '{slug}'");
        return Ok(ExitCode::FAILURE);
    };
    let bundle = store::tenants::stored_bundle(db, tenant.scope()).await?.context("the tenant disappeared")?;
    if let Err(e) = bundle.write_dir(dir) {
        eprintln!("error: {e}");
        return Ok(ExitCode::FAILURE);
    }
    println!("{slug}: exported to {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn,tower_http=info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
