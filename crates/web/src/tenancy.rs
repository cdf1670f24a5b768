//! Which site a request is for, from its Host: a tenant's subdomain or custom domain, or the
//! bare base domain (the platform). Lookups are cached per replica with a short TTL.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::locale::Lang;
use domain::tenant::TenantStatus;
use moka::future::Cache;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;
use store::tenants::TenantRecord;

use crate::error::AppError;

/// A resolved tenant, shared by every request to it until the cache entry expires.
pub type TenantCtx = Arc<TenantRecord>;

/// What a Host names.
#[derive(Clone, Debug)]
pub enum Site {
    Platform,
    Tenant(TenantCtx),
    Unknown,
}

/// Normalises a Host header: lower case, no port, no trailing dot. `None` if it is not a host name.
pub fn normalize_host(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let without_port = if raw.starts_with('[') {
        return None; // IP literals never name a tenant
    } else {
        match raw.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => raw,
        }
    };
    domain::tenant::normalize_domain(without_port)
}

#[derive(Clone)]
pub struct TenantResolver {
    db: DatabaseConnection,
    base_domain: Arc<str>,
    cache: Cache<String, Option<TenantCtx>>,
}

impl TenantResolver {
    pub fn new(db: DatabaseConnection, base_domain: &str, ttl: Duration) -> Self {
        Self {
            db,
            base_domain: base_domain.into(),
            cache: Cache::builder().max_capacity(10_000).time_to_live(ttl).build(),
        }
    }

    pub async fn resolve(&self, host_header: Option<&str>) -> Result<Site, AppError> {
        let Some(host) = host_header.and_then(normalize_host) else {
            return Ok(Site::Unknown);
        };
        if host == *self.base_domain {
            return Ok(Site::Platform);
        }
        let entry = self
            .cache
            .entry(host.clone())
            .or_try_insert_with(self.lookup(host))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("resolving tenant: {e}")))?;
        let result = if entry.is_fresh() { "miss" } else { "hit" };
        metrics::counter!("tenant_cache_lookups_total", "result" => result).increment(1);
        let found = entry.into_value();
        Ok(found.map_or(Site::Unknown, Site::Tenant))
    }

    async fn lookup(&self, host: String) -> Result<Option<TenantCtx>, sea_orm::DbErr> {
        let suffix = format!(".{}", self.base_domain);
        let record = match host.strip_suffix(&suffix) {
            Some(label) if !label.contains('.') => store::tenants::find_by_slug(&self.db, label).await?,
            _ => store::tenants::find_by_domain(&self.db, &host).await?,
        };
        Ok(record.map(Arc::new))
    }

    /// Forget every cached lookup (after a change made by this process).
    pub fn invalidate_all(&self) {
        self.cache.invalidate_all();
    }
}

/// The current tenant, put on the request by the site dispatcher. Only tenant routes use it.
#[derive(Clone, Debug)]
pub struct Tenant(pub TenantCtx);

impl Tenant {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Th => &self.0.name_th,
            Lang::En => &self.0.name_en,
        }
    }

    /// The scope every repository call for this tenant takes.
    pub fn scope(&self) -> store::Scope {
        self.0.scope()
    }

    pub fn is_active(&self) -> bool {
        self.0.status == TenantStatus::Active
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Tenant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<Tenant>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("tenant route reached without a tenant")))
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_host;

    #[test]
    fn hosts_are_normalised() {
        assert_eq!(normalize_host("Demo.LocalHost:8080").as_deref(), Some("demo.localhost"));
        assert_eq!(normalize_host("demo.localhost.").as_deref(), Some("demo.localhost"));
        assert_eq!(normalize_host("demo.localhost.:443").as_deref(), Some("demo.localhost"));
        assert_eq!(normalize_host("[::1]:8080"), None);
        assert_eq!(normalize_host("bad host"), None);
        assert_eq!(normalize_host(""), None);
    }
}
