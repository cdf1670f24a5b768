//! A tenant's service catalogue (categories with their sub-menus) and its versioned form schemas.
//! Written by `tenants::apply` and the admin screens (through the same catalogue); a removed
//! service turns inactive, a hidden one stays but is not offered, and a stored form version never
//! changes.

use crate::Scope;
use crate::entities::{form_version, service_category, service_item};
use crate::tenant_dir::{CategoryDef, FormDef, ItemDef, ServiceCatalogue};
use crate::tenants::ApplyError;
use chrono::{DateTime, Utc};
use domain::form::FormSchema;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub id: Uuid,
    pub key: String,
    pub icon: String,
    pub title_th: String,
    pub title_en: String,
    pub description_th: Option<String>,
    pub description_en: Option<String>,
    /// Not shown to citizens (an admin hid it); staff still see it.
    pub hidden: bool,
}

/// A sub-menu of a category: one service, requested with the current version of `form_key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceItem {
    pub id: Uuid,
    pub category_id: Uuid,
    pub key: String,
    pub title_th: String,
    pub title_en: String,
    pub description_th: Option<String>,
    pub description_en: Option<String>,
    pub form_key: String,
    /// False once removed from `services.toml`; kept so that requests made with it still show it.
    pub active: bool,
    /// The service time in working days, if set.
    pub service_days: Option<i32>,
    /// Not offered to citizens (an admin hid it); staff still see it.
    pub hidden: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryWithItems {
    pub category: Category,
    pub items: Vec<ServiceItem>,
}

/// A sub-menu with the category it sits in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemInCategory {
    pub category: Category,
    pub item: ServiceItem,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FormVersion {
    pub form_key: String,
    pub version: u32,
    pub schema: FormSchema,
    /// The schema as stored (canonical JSON), which `digest` is of.
    pub json: String,
    pub digest: String,
    pub created_at: DateTime<Utc>,
}

/// What citizens are offered: the active categories that are not hidden, in order, each with its
/// active sub-menus that are not hidden, in order; two queries.
pub async fn catalogue<C: ConnectionTrait>(db: &C, scope: Scope) -> Result<Vec<CategoryWithItems>, DbErr> {
    load_catalogue(db, scope, false).await
}

/// What staff see: every active category and sub-menu, hidden ones included (each says so).
pub async fn staff_catalogue<C: ConnectionTrait>(db: &C, scope: Scope) -> Result<Vec<CategoryWithItems>, DbErr> {
    load_catalogue(db, scope, true).await
}

async fn load_catalogue<C: ConnectionTrait>(db: &C, scope: Scope, with_hidden: bool) -> Result<Vec<CategoryWithItems>, DbErr> {
    let mut categories = service_category::Entity::find()
        .filter(service_category::Column::TenantId.eq(scope.tenant_id()))
        .filter(service_category::Column::Active.eq(true))
        .order_by_asc(service_category::Column::Position);
    let mut items = service_item::Entity::find()
        .filter(service_item::Column::TenantId.eq(scope.tenant_id()))
        .filter(service_item::Column::Active.eq(true))
        .order_by_asc(service_item::Column::Position);
    if !with_hidden {
        categories = categories.filter(service_category::Column::Hidden.eq(false));
        items = items.filter(service_item::Column::Hidden.eq(false));
    }
    let categories = categories.all(db).await?;
    let mut items_by_category: HashMap<Uuid, Vec<ServiceItem>> = HashMap::new();
    for item in items.all(db).await? {
        items_by_category.entry(item.category_id).or_default().push(item.into());
    }
    Ok(categories
        .into_iter()
        .map(|c| CategoryWithItems { items: items_by_category.remove(&c.id).unwrap_or_default(), category: c.into() })
        .filter(|c| with_hidden || !c.items.is_empty())
        .collect())
}

/// An offered sub-menu by key (active, not hidden, in a category that is neither), with its
/// category: what a citizen may open and submit.
pub async fn item<C: ConnectionTrait>(db: &C, scope: Scope, key: &str) -> Result<Option<ItemInCategory>, DbErr> {
    let found = service_item::Entity::find()
        .filter(service_item::Column::TenantId.eq(scope.tenant_id()))
        .filter(service_item::Column::Key.eq(key))
        .filter(service_item::Column::Active.eq(true))
        .filter(service_item::Column::Hidden.eq(false))
        .one(db)
        .await?;
    let Some(item) = found else { return Ok(None) };
    let category = service_category::Entity::find_by_id(item.category_id)
        .filter(service_category::Column::TenantId.eq(scope.tenant_id()))
        .filter(service_category::Column::Active.eq(true))
        .filter(service_category::Column::Hidden.eq(false))
        .one(db)
        .await?;
    Ok(category.map(|category| ItemInCategory { category: category.into(), item: item.into() }))
}

/// A sub-menu by id whether or not it is still offered, for showing the requests made with it.
pub async fn item_by_id<C: ConnectionTrait>(db: &C, scope: Scope, id: Uuid) -> Result<Option<ItemInCategory>, DbErr> {
    let found = service_item::Entity::find_by_id(id)
        .filter(service_item::Column::TenantId.eq(scope.tenant_id()))
        .one(db)
        .await?;
    let Some(item) = found else { return Ok(None) };
    let category = service_category::Entity::find_by_id(item.category_id)
        .filter(service_category::Column::TenantId.eq(scope.tenant_id()))
        .one(db)
        .await?;
    Ok(category.map(|category| ItemInCategory { category: category.into(), item: item.into() }))
}

/// The latest stored version of a form: the one new requests are made with.
pub async fn current_form<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    form_key: &str,
) -> Result<Option<FormVersion>, DbErr> {
    form_version::Entity::find()
        .filter(form_version::Column::TenantId.eq(scope.tenant_id()))
        .filter(form_version::Column::FormKey.eq(form_key))
        .order_by_desc(form_version::Column::Version)
        .one(db)
        .await?
        .map(TryInto::try_into)
        .transpose()
}

/// One version of a form, as a request made with it was checked against.
pub async fn form_version<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    form_key: &str,
    version: u32,
) -> Result<Option<FormVersion>, DbErr> {
    let Ok(version) = i32::try_from(version) else { return Ok(None) };
    form_version::Entity::find()
        .filter(form_version::Column::TenantId.eq(scope.tenant_id()))
        .filter(form_version::Column::FormKey.eq(form_key))
        .filter(form_version::Column::Version.eq(version))
        .one(db)
        .await?
        .map(TryInto::try_into)
        .transpose()
}

/// The latest version of every form of the tenant, by key; two queries, for listing services with
/// their forms without one query per sub-menu.
pub async fn current_forms<C: ConnectionTrait>(db: &C, scope: Scope) -> Result<HashMap<String, FormVersion>, DbErr> {
    let mut latest: HashMap<String, i32> = HashMap::new();
    for (key, version) in versions(db, scope).await? {
        let entry = latest.entry(key).or_insert(version);
        *entry = (*entry).max(version);
    }
    if latest.is_empty() {
        return Ok(HashMap::new());
    }
    let wanted = latest.iter().fold(Condition::any(), |any, (key, version)| {
        any.add(
            Condition::all()
                .add(form_version::Column::FormKey.eq(key.as_str()))
                .add(form_version::Column::Version.eq(*version)),
        )
    });
    form_version::Entity::find()
        .filter(form_version::Column::TenantId.eq(scope.tenant_id()))
        .filter(wanted)
        .all(db)
        .await?
        .into_iter()
        .map(|m| FormVersion::try_from(m).map(|f| (f.form_key.clone(), f)))
        .collect()
}

/// The catalogue as a folder would define it: every active category and sub-menu in order (hidden
/// ones marked), and the latest version of every form, by key.
pub(crate) async fn stored_catalogue<C: ConnectionTrait>(db: &C, scope: Scope) -> Result<ServiceCatalogue, DbErr> {
    let categories = staff_catalogue(db, scope)
        .await?
        .into_iter()
        .map(|c| CategoryDef {
            key: c.category.key,
            icon: c.category.icon,
            title_th: c.category.title_th,
            title_en: c.category.title_en,
            description_th: c.category.description_th,
            description_en: c.category.description_en,
            hidden: c.category.hidden,
            items: c
                .items
                .into_iter()
                .map(|i| ItemDef {
                    key: i.key,
                    title_th: i.title_th,
                    title_en: i.title_en,
                    description_th: i.description_th,
                    description_en: i.description_en,
                    form_key: i.form_key,
                    service_days: i.service_days,
                    hidden: i.hidden,
                })
                .collect(),
        })
        .collect();
    // The latest version of each form, by key, as the folder's `forms/` holds them.
    let latest: std::collections::BTreeMap<String, FormVersion> = current_forms(db, scope).await?.into_iter().collect();
    let forms = latest
        .into_values()
        .map(|f| FormDef {
            file: std::path::Path::new(crate::tenant_dir::FORMS).join(format!("{}.json", f.form_key)),
            version: f.version,
            key: f.form_key,
            json: f.json,
            digest: f.digest,
        })
        .collect();
    Ok(ServiceCatalogue { categories, forms })
}

/// (form key, version) of every stored version, without the schemas.
async fn versions<C: ConnectionTrait>(db: &C, scope: Scope) -> Result<Vec<(String, i32)>, DbErr> {
    form_version::Entity::find()
        .select_only()
        .column(form_version::Column::FormKey)
        .column(form_version::Column::Version)
        .filter(form_version::Column::TenantId.eq(scope.tenant_id()))
        .into_tuple()
        .all(db)
        .await
}

/// Makes the stored catalogue match the folder's, inside the caller's transaction: categories and
/// sub-menus are inserted, updated, or turned inactive when gone; form versions are only added.
pub(crate) async fn store_catalogue<C: ConnectionTrait>(
    txn: &C,
    scope: Scope,
    catalogue: &ServiceCatalogue,
) -> Result<(), ApplyError> {
    store_forms(txn, scope, &catalogue.forms).await?;
    let category_ids = store_categories(txn, scope, &catalogue.categories).await?;
    store_items(txn, scope, &catalogue.categories, &category_ids).await?;
    Ok(())
}

async fn store_forms<C: ConnectionTrait>(txn: &C, scope: Scope, forms: &[FormDef]) -> Result<(), ApplyError> {
    let stored: HashMap<(String, i32), String> = form_version::Entity::find()
        .select_only()
        .column(form_version::Column::FormKey)
        .column(form_version::Column::Version)
        .column(form_version::Column::Digest)
        .filter(form_version::Column::TenantId.eq(scope.tenant_id()))
        .into_tuple::<(String, i32, String)>()
        .all(txn)
        .await?
        .into_iter()
        .map(|(key, version, digest)| ((key, version), digest))
        .collect();
    let now = Utc::now();
    for form in forms {
        let version = i32::try_from(form.version).map_err(|e| DbErr::Custom(e.to_string()))?;
        // The newest stored version is the one offered, so a file behind it would silently not apply.
        let latest = stored.keys().filter(|(key, _)| *key == form.key).map(|(_, v)| *v).max();
        if let Some(latest) = latest.filter(|latest| *latest > version) {
            return Err(ApplyError::FormVersionBehind { file: form.file.clone(), version: form.version, latest });
        }
        match stored.get(&(form.key.clone(), version)) {
            Some(digest) if *digest == form.digest => continue,
            Some(_) => {
                return Err(ApplyError::FormVersionChanged { file: form.file.clone(), version: form.version });
            }
            None => {}
        }
        form_version::ActiveModel {
            id: Set(Uuid::new_v4()),
            tenant_id: Set(scope.tenant_id()),
            form_key: Set(form.key.clone()),
            version: Set(version),
            schema: Set(form.json.clone()),
            digest: Set(form.digest.clone()),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Returns the id of every category of the file, by key.
async fn store_categories<C: ConnectionTrait>(
    txn: &C,
    scope: Scope,
    categories: &[CategoryDef],
) -> Result<HashMap<String, Uuid>, DbErr> {
    let mut existing: HashMap<String, service_category::Model> = service_category::Entity::find()
        .filter(service_category::Column::TenantId.eq(scope.tenant_id()))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| (m.key.clone(), m))
        .collect();
    let mut ids = HashMap::new();
    for (position, def) in (0..).zip(categories) {
        let wanted = service_category::Model {
            id: existing.get(&def.key).map_or_else(Uuid::new_v4, |m| m.id),
            tenant_id: scope.tenant_id(),
            key: def.key.clone(),
            position,
            icon: def.icon.clone(),
            title_th: def.title_th.clone(),
            title_en: def.title_en.clone(),
            description_th: def.description_th.clone(),
            description_en: def.description_en.clone(),
            active: true,
            hidden: def.hidden,
        };
        ids.insert(def.key.clone(), wanted.id);
        match existing.remove(&def.key) {
            Some(current) if current == wanted => {}
            Some(_) => {
                service_category::ActiveModel::from(wanted).reset_all().update(txn).await?;
            }
            None => {
                service_category::ActiveModel::from(wanted).insert(txn).await?;
            }
        }
    }
    let gone: Vec<Uuid> = existing.into_values().filter(|m| m.active).map(|m| m.id).collect();
    if !gone.is_empty() {
        service_category::Entity::update_many()
            .col_expr(service_category::Column::Active, Expr::value(false))
            .filter(service_category::Column::TenantId.eq(scope.tenant_id()))
            .filter(service_category::Column::Id.is_in(gone))
            .exec(txn)
            .await?;
    }
    Ok(ids)
}

async fn store_items<C: ConnectionTrait>(
    txn: &C,
    scope: Scope,
    categories: &[CategoryDef],
    category_ids: &HashMap<String, Uuid>,
) -> Result<(), DbErr> {
    let mut existing: HashMap<String, service_item::Model> = service_item::Entity::find()
        .filter(service_item::Column::TenantId.eq(scope.tenant_id()))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| (m.key.clone(), m))
        .collect();
    let mut seen = HashSet::new();
    for category in categories {
        let category_id = category_ids
            .get(&category.key)
            .copied()
            .ok_or_else(|| DbErr::Custom(format!("category {} was not stored", category.key)))?;
        for (position, def) in (0..).zip(&category.items) {
            seen.insert(def.key.as_str());
            let wanted = item_model(scope, category_id, position, def, existing.get(&def.key).map(|m| m.id));
            match existing.remove(&def.key) {
                Some(current) if current == wanted => {}
                Some(_) => {
                    service_item::ActiveModel::from(wanted).reset_all().update(txn).await?;
                }
                None => {
                    service_item::ActiveModel::from(wanted).insert(txn).await?;
                }
            }
        }
    }
    let gone: Vec<Uuid> = existing.into_values().filter(|m| m.active).map(|m| m.id).collect();
    if !gone.is_empty() {
        service_item::Entity::update_many()
            .col_expr(service_item::Column::Active, Expr::value(false))
            .filter(service_item::Column::TenantId.eq(scope.tenant_id()))
            .filter(service_item::Column::Id.is_in(gone))
            .exec(txn)
            .await?;
    }
    Ok(())
}

fn item_model(scope: Scope, category_id: Uuid, position: i32, def: &ItemDef, id: Option<Uuid>) -> service_item::Model {
    service_item::Model {
        id: id.unwrap_or_else(Uuid::new_v4),
        tenant_id: scope.tenant_id(),
        category_id,
        key: def.key.clone(),
        position,
        title_th: def.title_th.clone(),
        title_en: def.title_en.clone(),
        description_th: def.description_th.clone(),
        description_en: def.description_en.clone(),
        form_key: def.form_key.clone(),
        active: true,
        service_days: def.service_days,
        hidden: def.hidden,
    }
}

impl From<service_category::Model> for Category {
    fn from(m: service_category::Model) -> Self {
        Self {
            id: m.id,
            key: m.key,
            icon: m.icon,
            title_th: m.title_th,
            title_en: m.title_en,
            description_th: m.description_th,
            description_en: m.description_en,
            hidden: m.hidden,
        }
    }
}

impl From<service_item::Model> for ServiceItem {
    fn from(m: service_item::Model) -> Self {
        Self {
            id: m.id,
            category_id: m.category_id,
            key: m.key,
            title_th: m.title_th,
            title_en: m.title_en,
            description_th: m.description_th,
            description_en: m.description_en,
            form_key: m.form_key,
            active: m.active,
            service_days: m.service_days,
            hidden: m.hidden,
        }
    }
}

impl TryFrom<form_version::Model> for FormVersion {
    type Error = DbErr;

    /// Read without `check`: a stored version stays readable even if later rules are stricter.
    fn try_from(m: form_version::Model) -> Result<Self, DbErr> {
        let unreadable =
            |why: String| DbErr::Custom(format!("form {} version {} is unreadable: {why}", m.form_key, m.version));
        let schema = serde_json::from_str(&m.schema).map_err(|e| unreadable(e.to_string()))?;
        let version = u32::try_from(m.version).map_err(|e| unreadable(e.to_string()))?;
        Ok(Self { form_key: m.form_key, version, schema, json: m.schema, digest: m.digest, created_at: m.created_at })
    }
}

/// The Thai and English titles of the sub-menus `ids`, active or not, in one query (for naming
/// requests in a list even after their sub-menu was removed).
pub async fn item_titles<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, (String, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(service_item::Entity::find()
        .filter(service_item::Column::TenantId.eq(scope.tenant_id()))
        .filter(service_item::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, (i.title_th, i.title_en)))
        .collect())
}

/// Every sub-menu of the tenant with its category, offered or not (for staff reach and filters).
pub async fn item_categories<C: ConnectionTrait>(db: &C, scope: Scope) -> Result<Vec<(Uuid, Uuid)>, DbErr> {
    use sea_orm::QuerySelect;
    service_item::Entity::find()
        .select_only()
        .column(service_item::Column::Id)
        .column(service_item::Column::CategoryId)
        .filter(service_item::Column::TenantId.eq(scope.tenant_id()))
        .into_tuple()
        .all(db)
        .await
}
