//! The application state every handler shares, built once by `build`.

use axum::extract::FromRef;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;

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
    pub fn new(config: Config, db: DatabaseConnection) -> anyhow::Result<Self> {
        let catalogue = Arc::new(Catalogue::load()?);
        let views = Views::load(catalogue)?;
        let tenants =
            TenantResolver::new(db.clone(), &config.base_domain, Duration::from_secs(config.tenant_cache_ttl_secs.max(1)));
        Ok(Self { config: Arc::new(config), db, tenants, views })
    }
}
