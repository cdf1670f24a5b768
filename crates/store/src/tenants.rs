//! The tenants themselves: resolving a host to a tenant, applying definitions, listing.
//! The tenant table is the root of tenancy, so these lookups are by nature not tenant-scoped.

use crate::entities::{tenant, tenant_asset, tenant_domain, tenant_terms};
use crate::tenant_dir::TenantBundle;
use chrono::Utc;
use domain::tenant::{TenantSettings, TenantStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
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
    #[error("changed in the browser since the folder was last applied: {}; export it first (`eservice tenant export`) or apply with --force to overwrite", .0.join(", "))]
    ChangedInBrowser(Vec<String>),
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
        tenant::Column::LocalChanges,
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
    local_changes: String,
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
            local_changes: r.local_changes,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
        .try_into()
    }
}

pub async fn find_by_slug<C: ConnectionTrait>(db: &C, slug: &str) -> Result<Option<TenantRecord>, DbErr> {
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

/// One page of tenants by slug, for the operator console; `search` matches the start of the slug
/// or any part of either name. `page` counts from 1.
pub async fn page<C: ConnectionTrait>(db: &C, search: Option<&str>, page: u64, per_page: u64) -> Result<crate::requests::track::Page<TenantRecord>, DbErr> {
    let filter = match search.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => {
            let escaped: String = text.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect();
            sea_orm::Condition::any()
                .add(tenant::Column::Slug.starts_with(escaped.to_lowercase()))
                .add(tenant::Column::NameTh.contains(&escaped))
                .add(tenant::Column::NameEn.contains(&escaped))
        }
        None => sea_orm::Condition::all(),
    };
    let total = tenant::Entity::find().filter(filter.clone()).count(db).await?;
    let items = without_logo()
        .filter(filter)
        .order_by_asc(tenant::Column::Slug)
        .offset(page.saturating_sub(1) * per_page)
        .limit(per_page)
        .into_model::<TenantRow>()
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(crate::requests::track::Page { items, total })
}

/// How much a tenant is used: what the operator console shows next to each municipality.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub citizens: u64,
    pub identities_waiting: u64,
    pub staff: u64,
    pub requests: u64,
    pub requests_30_days: u64,
}

/// The usage of these tenants, in one grouped query per table (each by a tenant-first index).
pub async fn usage<C: ConnectionTrait>(db: &C, ids: &[Uuid], since: chrono::DateTime<Utc>) -> Result<std::collections::HashMap<Uuid, Usage>, DbErr> {
    use crate::entities::{citizen, request, staff};
    use sea_orm::sea_query::Expr;
    let mut found: std::collections::HashMap<Uuid, Usage> = ids.iter().map(|id| (*id, Usage::default())).collect();
    if ids.is_empty() {
        return Ok(found);
    }
    let count = |rows: Vec<(Uuid, i64)>, found: &mut std::collections::HashMap<Uuid, Usage>, set: fn(&mut Usage, u64)| {
        for (id, n) in rows {
            if let Some(usage) = found.get_mut(&id) {
                set(usage, u64::try_from(n).unwrap_or(0));
            }
        }
    };
    macro_rules! grouped {
        ($entity:ident, $filter:expr) => {
            $entity::Entity::find()
                .select_only()
                .column($entity::Column::TenantId)
                .column_as(Expr::cust("COUNT(*)"), "n")
                .filter($entity::Column::TenantId.is_in(ids.iter().copied()))
                .filter($filter)
                .group_by($entity::Column::TenantId)
                .into_tuple::<(Uuid, i64)>()
                .all(db)
                .await?
        };
    }
    count(grouped!(citizen, sea_orm::Condition::all()), &mut found, |u, n| u.citizens = n);
    count(
        grouped!(citizen, citizen::Column::IdentityStatus.eq(crate::citizens::identity_status::PENDING)),
        &mut found,
        |u, n| u.identities_waiting = n,
    );
    count(grouped!(staff, staff::Column::Active.eq(true)), &mut found, |u, n| u.staff = n);
    count(grouped!(request, sea_orm::Condition::all()), &mut found, |u, n| u.requests = n);
    count(grouped!(request, request::Column::SubmittedAt.gte(since)), &mut found, |u, n| u.requests_30_days = n);
    Ok(found)
}

pub async fn count(db: &DatabaseConnection) -> Result<u64, DbErr> {
    tenant::Entity::find().count(db).await
}

pub async fn domains<C: ConnectionTrait>(db: &C, tenant_id: Uuid) -> Result<Vec<String>, DbErr> {
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

pub async fn set_status<C: ConnectionTrait>(db: &C, slug: &str, status: TenantStatus) -> Result<bool, DbErr> {
    let result = tenant::Entity::update_many()
        .col_expr(tenant::Column::Status, sea_orm::sea_query::Expr::value(status.as_str()))
        .col_expr(tenant::Column::UpdatedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(tenant::Column::Slug.eq(slug))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// The parts of a tenant an admin changed in the browser since its folder was last applied.
pub fn local_changes(m: &tenant::Model) -> Vec<String> {
    serde_json::from_str(&m.local_changes).unwrap_or_default()
}

/// Creates or updates a tenant from its bundle; a second apply of the same bundle changes nothing.
/// A new tenant starts active; an existing one keeps its status. A tenant an admin changed in the
/// browser since the last apply is refused, naming what changed, unless `force`.
pub async fn apply(db: &DatabaseConnection, bundle: &TenantBundle, force: bool) -> Result<ApplyOutcome, ApplyError> {
    let digest = bundle.digest();
    let existing = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(bundle.tenant.slug.as_str()))
        .one(db)
        .await?;
    let Some(model) = existing else {
        let txn = db.begin().await?;
        let id = Uuid::new_v4();
        let now = Utc::now();
        tenant::ActiveModel {
            id: Set(id),
            slug: Set(bundle.tenant.slug.as_str().to_owned()),
            status: Set(TenantStatus::Active.as_str().to_owned()),
            created_at: Set(now),
            ..row(bundle, &digest, now)?
        }
        .insert(&txn)
        .await?;
        store_parts(&txn, id, bundle, now).await?;
        txn.commit().await?;
        return Ok(ApplyOutcome::Created);
    };
    let changed = local_changes(&model);
    if model.definition_hash == digest {
        if !changed.is_empty() {
            // The folder now holds what the browser changed: they agree again.
            clear_local_changes(db, model.id).await?;
        }
        return Ok(ApplyOutcome::Unchanged);
    }
    if !changed.is_empty() && !force {
        return Err(ApplyError::ChangedInBrowser(changed));
    }
    let txn = db.begin().await?;
    let now = Utc::now();
    let id = model.id;
    tenant::ActiveModel { id: sea_orm::Unchanged(id), ..row(bundle, &digest, now)? }.update(&txn).await?;
    store_parts(&txn, id, bundle, now).await?;
    txn.commit().await?;
    Ok(ApplyOutcome::Updated)
}

async fn clear_local_changes(db: &DatabaseConnection, id: Uuid) -> Result<(), DbErr> {
    tenant::Entity::update_many()
        .col_expr(tenant::Column::LocalChanges, sea_orm::sea_query::Expr::value("[]"))
        .filter(tenant::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The tenant row's columns that a bundle sets (not its id, slug, status or creation time).
fn row(bundle: &TenantBundle, digest: &str, now: chrono::DateTime<Utc>) -> Result<tenant::ActiveModel, DbErr> {
    let t = &bundle.tenant;
    let definition = serde_json::to_string(&t.settings).map_err(|e| DbErr::Custom(e.to_string()))?;
    Ok(tenant::ActiveModel {
        name_th: Set(t.name_th.clone()),
        name_en: Set(t.name_en.clone()),
        definition: Set(definition),
        definition_hash: Set(digest.to_owned()),
        logo: Set(Some(bundle.logo.clone())),
        logo_mime: Set(Some(bundle.logo_mime.to_owned())),
        local_changes: Set("[]".to_owned()),
        updated_at: Set(now),
        ..Default::default()
    })
}

/// Domains, the terms version and the catalogue of a bundle, inside the caller's transaction.
async fn store_parts<C: ConnectionTrait>(txn: &C, id: Uuid, bundle: &TenantBundle, now: chrono::DateTime<Utc>) -> Result<(), ApplyError> {
    let t = &bundle.tenant;
    tenant_domain::Entity::delete_many()
        .filter(tenant_domain::Column::TenantId.eq(id))
        .exec(txn)
        .await?;
    for domain in &t.domains {
        let insert = tenant_domain::ActiveModel { domain: Set(domain.clone()), tenant_id: Set(id) }
            .insert(txn)
            .await;
        if let Err(e) = insert {
            return Err(if crate::is_unique_violation(&e) { ApplyError::DomainTaken(domain.clone()) } else { e.into() });
        }
    }

    let version = &t.settings.terms_version;
    match tenant_terms::Entity::find_by_id((id, version.clone())).one(txn).await? {
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
            .insert(txn)
            .await?;
        }
    }
    tenant_asset::Entity::delete_many().filter(tenant_asset::Column::TenantId.eq(id)).exec(txn).await?;
    for example in &bundle.examples {
        tenant_asset::ActiveModel {
            tenant_id: Set(id),
            name: Set(example.file.clone()),
            mime: Set(example.mime.to_owned()),
            bytes: Set(example.bytes.clone()),
        }
        .insert(txn)
        .await?;
    }
    crate::services::store_catalogue(txn, crate::Scope::of(id), &bundle.services).await
}

/// The example picture of ID-photo slot `slot` (0-based) of the tenant, if it has one: its bytes
/// and type.
pub async fn slot_example(db: &DatabaseConnection, tenant: &TenantRecord, slot: usize) -> Result<Option<(Vec<u8>, String)>, DbErr> {
    let Some(name) = tenant.settings.identity.slots.get(slot).and_then(|s| s.example.clone()) else { return Ok(None) };
    Ok(tenant_asset::Entity::find_by_id((tenant.id, name)).one(db).await?.map(|a| (a.bytes, a.mime)))
}

/// A tenant as its folder would hold it, rebuilt from the database: what `tenant export` writes.
pub async fn stored_bundle<C: ConnectionTrait>(db: &C, scope: crate::Scope) -> Result<Option<TenantBundle>, DbErr> {
    Ok(stored(db, scope).await?.map(|s| s.bundle))
}

/// A tenant as an admin's change starts from it.
#[derive(Clone, Debug)]
pub struct Stored {
    pub bundle: TenantBundle,
    /// What [`save`] must be given to accept a change made from this.
    pub revision: String,
    /// The parts changed in the browser since the folder was last applied.
    pub local_changes: Vec<String>,
}

pub async fn stored<C: ConnectionTrait>(db: &C, scope: crate::Scope) -> Result<Option<Stored>, DbErr> {
    let Some(m) = tenant::Entity::find_by_id(scope.tenant_id()).one(db).await? else { return Ok(None) };
    let (revision, local_changes) = (m.definition_hash.clone(), local_changes(&m));
    let bad = |why: String| DbErr::Custom(format!("tenant {} cannot be exported: {why}", m.slug));
    let settings: TenantSettings = serde_json::from_str(&m.definition).map_err(|e| bad(e.to_string()))?;
    let slug = domain::tenant::TenantSlug::parse(&m.slug).map_err(|e| bad(e.to_string()))?;
    let domains = tenant_domain::Entity::find()
        .filter(tenant_domain::Column::TenantId.eq(m.id))
        .order_by_asc(tenant_domain::Column::Domain)
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.domain)
        .collect();
    let terms = tenant_terms::Entity::find_by_id((m.id, settings.terms_version.clone()))
        .one(db)
        .await?
        .ok_or_else(|| bad(format!("terms version {} is not stored", settings.terms_version)))?;
    let logo_mime = match m.logo_mime.as_deref() {
        Some("image/svg+xml") => "image/svg+xml",
        Some("image/jpeg") => "image/jpeg",
        Some("image/webp") => "image/webp",
        _ => "image/png",
    };
    let services = crate::services::stored_catalogue(db, scope).await?;
    let mut examples = Vec::new();
    for asset in tenant_asset::Entity::find().filter(tenant_asset::Column::TenantId.eq(m.id)).all(db).await? {
        let mime = match asset.mime.as_str() {
            "image/jpeg" => "image/jpeg",
            "image/webp" => "image/webp",
            _ => "image/png",
        };
        // Only the pictures a slot names are the folder's.
        if settings.identity.slots.iter().any(|s| s.example.as_deref() == Some(asset.name.as_str())) {
            examples.push(crate::tenant_dir::SlotExample { file: asset.name, mime, bytes: asset.bytes });
        }
    }
    // In the order the slots name them, as `load_dir` reads them.
    examples.sort_by_key(|e| settings.identity.slots.iter().position(|s| s.example.as_deref() == Some(e.file.as_str())));
    let bundle = TenantBundle {
        tenant: domain::tenant::ValidTenant { slug, name_th: m.name_th, name_en: m.name_en, domains, settings },
        terms_th: terms.body_th,
        terms_en: terms.body_en,
        logo: m.logo.unwrap_or_default(),
        logo_mime,
        services,
        examples,
    };
    Ok(Some(Stored { bundle, revision, local_changes }))
}

/// Someone else saved the tenant's settings since the admin loaded them.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("the settings changed since they were loaded")]
    Stale,
    #[error(transparent)]
    Apply(#[from] ApplyError),
}

/// Stores an admin's change, inside the caller's transaction: `bundle` is the whole tenant after
/// the change (from [`stored_bundle`], changed and checked by the folder's rules). Refused as
/// stale unless the tenant is still at `revision`; marks `part` as changed in the browser. Returns
/// the new revision.
pub async fn save<C: ConnectionTrait>(
    txn: &C,
    scope: crate::Scope,
    revision: &str,
    part: &str,
    bundle: &TenantBundle,
) -> Result<String, SaveError> {
    let m = tenant::Entity::find_by_id(scope.tenant_id()).one(txn).await.map_err(ApplyError::from)?;
    let Some(m) = m else { return Err(SaveError::Apply(ApplyError::Db(DbErr::RecordNotFound("tenant".into())))) };
    if m.definition_hash != revision {
        return Err(SaveError::Stale);
    }
    let mut changed = local_changes(&m);
    if !changed.iter().any(|c| c == part) {
        changed.push(part.to_owned());
    }
    let digest = bundle.digest();
    let now = Utc::now();
    let mut active = row(bundle, &digest, now).map_err(ApplyError::from)?;
    active.id = sea_orm::Unchanged(m.id);
    active.local_changes = Set(serde_json::to_string(&changed).unwrap_or_else(|_| "[]".into()));
    // Only if still at the revision read: two admins saving at once cannot both win.
    let updated = tenant::Entity::update_many()
        .set(active)
        .filter(tenant::Column::Id.eq(m.id))
        .filter(tenant::Column::DefinitionHash.eq(revision))
        .exec(txn)
        .await
        .map_err(ApplyError::from)?;
    if updated.rows_affected != 1 {
        return Err(SaveError::Stale);
    }
    store_parts(txn, m.id, bundle, now).await?;
    Ok(digest)
}
