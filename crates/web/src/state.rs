//! The application state every handler shares, built once by `build`.

use access::password::PasswordHasher;
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
    /// The use cases of the back office, with the permission enforcer.
    pub app: app::App,
    pub staff_limits: app::staff::sign_in::StaffLimits,
}

/// The citizens' brute-force limits (per process), shared by the pages and the API.
pub type Limits = app::citizens::CitizenLimits;

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
        Ok(self.app.process_image(bytes, work).await?)
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
            image_permits: Arc::new(Semaphore::new(cores)),
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
