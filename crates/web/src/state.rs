//! The application state every handler shares, built once by `build`.

use access::password::PasswordHasher;
use access::ratelimit::{Policy, RateLimiter};
use axum::extract::FromRef;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::i18n::Catalogue;
use crate::render::Views;
use crate::tenancy::TenantResolver;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub tenants: TenantResolver,
    pub views: Views,
    pub hasher: PasswordHasher,
    pub limits: Limits,
    pub mailer: notify::Mailer,
    pub files: files::ObjectStore,
    /// Bounds concurrent image decoding/stamping to the number of cores.
    pub image_permits: Arc<Semaphore>,
    /// The use cases of the back office, with the permission enforcer.
    pub app: app::App,
    pub staff_limits: app::staff::sign_in::StaffLimits,
}

/// Brute-force limits (per process). Keys are prefixed by tenant so tenants never share a count.
#[derive(Clone)]
pub struct Limits {
    /// Failed logins per client IP, from devices not known to the account.
    pub login_ip: RateLimiter,
    /// Failed logins per account (tenant + national ID) and client IP.
    pub login_account_client: RateLimiter,
    /// Failed logins per account from all devices not known to it: caps a guesser with many
    /// addresses; the owner on a known device, or after a password reset, is not held by it.
    pub login_unknown_devices: RateLimiter,
    /// Failed logins per known device (by its device token).
    pub login_device: RateLimiter,
    /// Registrations and forgot-password requests per client IP.
    pub register_ip: RateLimiter,
    pub forgot_ip: RateLimiter,
    pub forgot_account: RateLimiter,
}

impl Default for Limits {
    fn default() -> Self {
        let strict = Policy { free_attempts: 5, ..Policy::default() };
        let per_ip = Policy { free_attempts: 20, ..Policy::default() };
        Self {
            login_ip: RateLimiter::new(per_ip),
            login_account_client: RateLimiter::new(strict),
            login_unknown_devices: RateLimiter::new(per_ip),
            login_device: RateLimiter::new(strict),
            register_ip: RateLimiter::new(Policy { free_attempts: 10, ..Policy::default() }),
            forgot_ip: RateLimiter::new(Policy { free_attempts: 10, ..Policy::default() }),
            forgot_account: RateLimiter::new(Policy { free_attempts: 3, ..strict }),
        }
    }
}

impl FromRef<AppState> for DatabaseConnection {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

impl FromRef<AppState> for Views {
    fn from_ref(state: &AppState) -> Self {
        state.views.clone()
    }
}

impl AppState {
    /// Runs the image pipeline off the async runtime, at most one image per core at a time.
    pub async fn process_image(
        &self,
        bytes: bytes::Bytes,
        work: impl FnOnce(&[u8], &files::ImageLimits) -> Result<files::ProcessedImage, files::ImageError> + Send + 'static,
    ) -> Result<Result<files::ProcessedImage, files::ImageError>, crate::error::AppError> {
        use anyhow::Context as _;
        let permit = self.image_permits.clone().acquire_owned().await.context("image permits closed")?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            span.in_scope(|| work(&bytes, &files::ImageLimits::default()))
        })
        .await
        .context("image task panicked")
        .map_err(crate::error::AppError::from)
    }

    pub fn new(config: Config, db: DatabaseConnection, hasher: PasswordHasher) -> anyhow::Result<Self> {
        let catalogue = Arc::new(Catalogue::load()?);
        let views = Views::load(catalogue)?;
        let tenants =
            TenantResolver::new(db.clone(), &config.base_domain, Duration::from_secs(config.tenant_cache_ttl_secs.max(1)));
        let mailer = notify::Mailer::new(&config.mail)?;
        let files = config.storage.open();
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let config = Arc::new(config);
        let ttl = Duration::from_secs(config.tenant_cache_ttl_secs.max(1));
        let app = app::App {
            db: db.clone(),
            files: files.clone(),
            hasher: hasher.clone(),
            authz: access::authz::Authorizer::new(db.clone(), ttl),
            letters: Arc::new(crate::backoffice::letters::WebLetters::new(views.clone(), config.clone())),
        };
        Ok(Self {
            config,
            db,
            tenants,
            views,
            hasher,
            limits: Limits::default(),
            mailer,
            files,
            image_permits: Arc::new(Semaphore::new(cores)),
            app,
            staff_limits: app::staff::sign_in::StaffLimits::default(),
        })
    }

    /// The tenant's canonical address for links in e-mails and QR codes (see [`tenant_origin`]).
    pub fn tenant_origin(&self, tenant: &store::tenants::TenantRecord) -> String {
        tenant_origin(&self.config, tenant)
    }
}

/// `http(s)://<host>[:port]`: the tenant's primary custom domain when it has marked one, else
/// `<slug>.<base domain>`.
pub fn tenant_origin(config: &Config, tenant: &store::tenants::TenantRecord) -> String {
    let scheme = if config.https { "https" } else { "http" };
    let host = match &tenant.settings.primary_domain {
        Some(domain) => domain.clone(),
        None => format!("{}.{}", tenant.slug, config.base_domain),
    };
    match config.public_port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(primary_domain: Option<&str>) -> store::tenants::TenantRecord {
        let manifest: domain::tenant::TenantManifest = toml::from_str(include_str!("../../../tenants/demo/tenant.toml")).expect("demo manifest");
        let mut valid = manifest.validate().expect("valid");
        valid.settings.primary_domain = primary_domain.map(str::to_owned);
        store::tenants::TenantRecord {
            id: uuid::Uuid::nil(),
            slug: "demo".into(),
            name_th: valid.name_th,
            name_en: valid.name_en,
            status: domain::tenant::TenantStatus::Active,
            settings: valid.settings,
            logo_mime: None,
            revision: String::new(),
        }
    }

    #[test]
    fn links_use_the_primary_custom_domain_when_the_tenant_marked_one() {
        let mut config = Config::default();
        config.base_domain = "eservice.go.th".into();
        config.https = true;
        config.public_port = None;
        assert_eq!(tenant_origin(&config, &record(None)), "https://demo.eservice.go.th");
        assert_eq!(tenant_origin(&config, &record(Some("eservice.tuayang.go.th"))), "https://eservice.tuayang.go.th");
        config.public_port = Some(8443);
        assert_eq!(tenant_origin(&config, &record(Some("eservice.tuayang.go.th"))), "https://eservice.tuayang.go.th:8443");
    }
}
