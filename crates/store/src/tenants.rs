//! The tenants themselves: resolving a host to a tenant, applying definitions, listing.
//! The tenant table is the root of tenancy, so these lookups are by nature not tenant-scoped.

use crate::entities::{tenant, tenant_domain, tenant_terms};
use crate::tenant_dir::TenantBundle;
use chrono::Utc;
use domain::tenant::{TenantSettings, TenantStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::path::PathBuf;
use uuid::Uuid;

/// A tenant as the rest of the platform sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantRecord {
    pub id: Uuid,
    pub slug: String,
    pub name_th: String,
    pub name_en: String,
    pub status: TenantStatus,
    pub settings: TenantSettings,
    pub logo_mime: Option<String>,
    /// Changes whenever the definition changes; used as the logo's ETag.
    pub revision: String,
}

impl TryFrom<tenant::Model> for TenantRecord {
    type Error = DbErr;

    fn try_from(m: tenant::Model) -> Result<Self, DbErr> {
        let settings = serde_json::from_str(&m.definition)
            .map_err(|e| DbErr::Custom(format!("tenant {} has unreadable settings: {e}", m.slug)))?;
        Ok(Self {
            id: m.id,
            status: TenantStatus::parse(&m.status).unwrap_or(TenantStatus::Suspended),
            slug: m.slug,
            name_th: m.name_th,
            name_en: m.name_en,
            settings,
            logo_mime: m.logo_mime,
            revision: m.definition_hash,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyOutcome {
    Created,
    Updated,
    Unchanged,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("domains: '{0}' already belongs to another tenant")]
    DomainTaken(String),
    #[error("terms: version {0} was already published with a different text; give the new text a new version")]
    TermsVersionReused(String),
    #[error("{}: version: {version} is already stored with a different schema; give it a new version", file.display())]
    FormVersionChanged { file: PathBuf, version: u32 },
    #[error("{}: version: {version} is older than version {latest} already stored; give it a new version", file.display())]
    FormVersionBehind { file: PathBuf, version: u32, latest: i32 },
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Columns loaded when resolving a host: everything but the logo bytes.
fn without_logo() -> sea_orm::Select<tenant::Entity> {
    tenant::Entity::find().select_only().columns([
        tenant::Column::Id,
        tenant::Column::Slug,
        tenant::Column::NameTh,
        tenant::Column::NameEn,
        tenant::Column::Status,
        tenant::Column::Definition,
        tenant::Column::DefinitionHash,
        tenant::Column::LogoMime,
        tenant::Column::CreatedAt,
        tenant::Column::UpdatedAt,
    ])
}

#[derive(sea_orm::FromQueryResult)]
struct TenantRow {
    id: Uuid,
    slug: String,
    name_th: String,
    name_en: String,
    status: String,
    definition: String,
    definition_hash: String,
    logo_mime: Option<String>,
    created_at: chrono::DateTime<Utc>,
    updated_at: chrono::DateTime<Utc>,
}

impl TryFrom<TenantRow> for TenantRecord {
    type Error = DbErr;
    fn try_from(r: TenantRow) -> Result<Self, DbErr> {
        tenant::Model {
            id: r.id,
            slug: r.slug,
            name_th: r.name_th,
            name_en: r.name_en,
            status: r.status,
            definition: r.definition,
            definition_hash: r.definition_hash,
            logo: None,
            logo_mime: r.logo_mime,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
        .try_into()
    }
}

pub async fn find_by_slug(db: &DatabaseConnection, slug: &str) -> Result<Option<TenantRecord>, DbErr> {
    without_logo()
        .filter(tenant::Column::Slug.eq(slug))
        .into_model::<TenantRow>()
        .one(db)
        .await?
        .map(TryInto::try_into)
        .transpose()
}

pub async fn find_by_domain(db: &DatabaseConnection, domain: &str) -> Result<Option<TenantRecord>, DbErr> {
    let Some(mapping) = tenant_domain::Entity::find_by_id(domain.to_owned()).one(db).await? else {
        return Ok(None);
    };
    without_logo()
        .filter(tenant::Column::Id.eq(mapping.tenant_id))
        .into_model::<TenantRow>()
        .one(db)
        .await?
        .map(TryInto::try_into)
        .transpose()
}

pub async fn list(db: &DatabaseConnection) -> Result<Vec<TenantRecord>, DbErr> {
    without_logo()
        .order_by_asc(tenant::Column::Slug)
        .into_model::<TenantRow>()
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

pub async fn count(db: &DatabaseConnection) -> Result<u64, DbErr> {
    tenant::Entity::find().count(db).await
}

pub async fn domains(db: &DatabaseConnection, tenant_id: Uuid) -> Result<Vec<String>, DbErr> {
    Ok(tenant_domain::Entity::find()
        .filter(tenant_domain::Column::TenantId.eq(tenant_id))
        .order_by_asc(tenant_domain::Column::Domain)
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.domain)
        .collect())
}

/// The tenant's logo bytes and type.
pub async fn logo(db: &DatabaseConnection, tenant_id: Uuid) -> Result<Option<(Vec<u8>, String)>, DbErr> {
    let row = tenant::Entity::find_by_id(tenant_id).one(db).await?;
    Ok(row.and_then(|m| Some((m.logo?, m.logo_mime?))))
}

#[derive(Clone, Debug)]
pub struct Terms {
    pub version: String,
    pub body_th: String,
    pub body_en: String,
}

pub async fn terms(db: &DatabaseConnection, tenant_id: Uuid, version: &str) -> Result<Option<Terms>, DbErr> {
    Ok(tenant_terms::Entity::find_by_id((tenant_id, version.to_owned()))
        .one(db)
        .await?
        .map(|t| Terms { version: t.version, body_th: t.body_th, body_en: t.body_en }))
}

pub async fn set_status(db: &DatabaseConnection, slug: &str, status: TenantStatus) -> Result<bool, DbErr> {
    let result = tenant::Entity::update_many()
        .col_expr(tenant::Column::Status, sea_orm::sea_query::Expr::value(status.as_str()))
        .col_expr(tenant::Column::UpdatedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(tenant::Column::Slug.eq(slug))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Creates or updates a tenant from its bundle; a second apply of the same bundle changes nothing.
pub async fn apply(db: &DatabaseConnection, bundle: &TenantBundle) -> Result<ApplyOutcome, ApplyError> {
    let digest = bundle.digest();
    let t = &bundle.tenant;
    let existing = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(t.slug.as_str()))
        .one(db)
        .await?;
    if existing.as_ref().is_some_and(|m| m.definition_hash == digest) {
        return Ok(ApplyOutcome::Unchanged);
    }
    let now = Utc::now();
    let definition = serde_json::to_string(&t.settings).map_err(|e| DbErr::Custom(e.to_string()))?;
    let txn = db.begin().await?;
    let (id, outcome) = match existing {
        Some(model) => {
            let id = model.id;
            let mut active: tenant::ActiveModel = model.into();
            active.name_th = Set(t.name_th.clone());
            active.name_en = Set(t.name_en.clone());
            active.status = Set(t.status.as_str().to_owned());
            active.definition = Set(definition);
            active.definition_hash = Set(digest);
            active.logo = Set(Some(bundle.logo.clone()));
            active.logo_mime = Set(Some(bundle.logo_mime.to_owned()));
            active.updated_at = Set(now);
            active.update(&txn).await?;
            (id, ApplyOutcome::Updated)
        }
        None => {
            let id = Uuid::new_v4();
            tenant::ActiveModel {
                id: Set(id),
                slug: Set(t.slug.as_str().to_owned()),
                name_th: Set(t.name_th.clone()),
                name_en: Set(t.name_en.clone()),
                status: Set(t.status.as_str().to_owned()),
                definition: Set(definition),
                definition_hash: Set(digest),
                logo: Set(Some(bundle.logo.clone())),
                logo_mime: Set(Some(bundle.logo_mime.to_owned())),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            (id, ApplyOutcome::Created)
        }
    };

    tenant_domain::Entity::delete_many()
        .filter(tenant_domain::Column::TenantId.eq(id))
        .exec(&txn)
        .await?;
    for domain in &t.domains {
        let insert = tenant_domain::ActiveModel { domain: Set(domain.clone()), tenant_id: Set(id) }
            .insert(&txn)
            .await;
        if let Err(e) = insert {
            return Err(if crate::is_unique_violation(&e) { ApplyError::DomainTaken(domain.clone()) } else { e.into() });
        }
    }

    let version = &t.settings.terms_version;
    match tenant_terms::Entity::find_by_id((id, version.clone())).one(&txn).await? {
        Some(published) if published.body_th != bundle.terms_th || published.body_en != bundle.terms_en => {
            return Err(ApplyError::TermsVersionReused(version.clone()));
        }
        Some(_) => {}
        None => {
            tenant_terms::ActiveModel {
                tenant_id: Set(id),
                version: Set(version.clone()),
                body_th: Set(bundle.terms_th.clone()),
                body_en: Set(bundle.terms_en.clone()),
                published_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
    }
    crate::services::store_catalogue(&txn, crate::Scope::of(id), &bundle.services).await?;
    txn.commit().await?;
    Ok(outcome)
}
