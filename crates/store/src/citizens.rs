//! Citizens of a tenant and their ID photos. Uniqueness of national ID and e-mail per tenant is
//! enforced by the database and reported as `CreateError`.

use crate::Scope;
use crate::entities::{citizen, identity_photo};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use uuid::Uuid;

pub use citizen::Model as Citizen;
pub use identity_photo::Model as IdentityPhoto;

pub mod identity_status {
    pub const PHOTOS_REQUIRED: &str = "photos_required";
    pub const PENDING: &str = "pending";
    pub const VERIFIED: &str = "verified";
    pub const REJECTED: &str = "rejected";
}

/// A validated registration, ready to store.
#[derive(Clone, Debug)]
pub struct NewCitizen {
    pub national_id: String,
    pub email: String,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub house_no: String,
    pub village: String,
    pub road: String,
    pub sub_district_code: i32,
    pub district_code: i32,
    pub province_code: i32,
    pub postcode: String,
    pub password_hash: String,
    pub terms_version: String,
    pub terms_accepted_ip: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("national ID already registered")]
    DuplicateNationalId,
    #[error("e-mail already registered")]
    DuplicateEmail,
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn create<C: ConnectionTrait>(conn: &C, scope: Scope, new: NewCitizen) -> Result<Citizen, CreateError> {
    let now = Utc::now();
    let model = citizen::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(scope.tenant_id()),
        national_id: Set(new.national_id),
        email_key: Set(email_key(&new.email)),
        email: Set(new.email),
        title: Set(new.title),
        first_name: Set(new.first_name),
        last_name: Set(new.last_name),
        birth_date: Set(new.birth_date),
        phone: Set(new.phone),
        house_no: Set(new.house_no),
        village: Set(new.village),
        road: Set(new.road),
        sub_district_code: Set(new.sub_district_code),
        district_code: Set(new.district_code),
        province_code: Set(new.province_code),
        postcode: Set(new.postcode),
        password_hash: Set(new.password_hash),
        identity_status: Set(identity_status::PHOTOS_REQUIRED.into()),
        identity_note: Set(None),
        avatar_key: Set(None),
        terms_version: Set(new.terms_version),
        terms_accepted_at: Set(now),
        terms_accepted_ip: Set(new.terms_accepted_ip),
        created_at: Set(now),
        updated_at: Set(now),
        identity_submitted_at: Set(None),
    };
    let created = model.insert(conn).await.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) if detail.contains("email") => {
            CreateError::DuplicateEmail
        }
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => CreateError::DuplicateNationalId,
        _ => CreateError::Db(e),
    })?;
    record_acceptance(conn, scope, created.id, &created.terms_version, &created.terms_accepted_ip, now).await.map_err(CreateError::Db)?;
    Ok(created)
}

async fn record_acceptance<C: ConnectionTrait>(conn: &C, scope: Scope, citizen_id: Uuid, version: &str, ip: &str, at: chrono::DateTime<Utc>) -> Result<(), DbErr> {
    use crate::entities::terms_acceptance;
    use sea_orm::sea_query::OnConflict;
    terms_acceptance::Entity::insert(terms_acceptance::ActiveModel {
        tenant_id: Set(scope.tenant_id()),
        citizen_id: Set(citizen_id),
        version: Set(version.to_owned()),
        accepted_at: Set(at),
        ip: Set(ip.chars().take(64).collect()),
    })
    .on_conflict(OnConflict::columns([terms_acceptance::Column::CitizenId, terms_acceptance::Column::Version]).do_nothing().to_owned())
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The citizen accepts `version` of the terms (at their sign-in after a new version was
/// published): the citizen row names it, and the acceptance joins the earlier ones.
pub async fn accept_terms<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid, version: &str, ip: &str) -> Result<bool, DbErr> {
    let now = Utc::now();
    let updated = citizen::Entity::update_many()
        .col_expr(citizen::Column::TermsVersion, sea_orm::sea_query::Expr::value(version))
        .col_expr(citizen::Column::TermsAcceptedAt, sea_orm::sea_query::Expr::value(now))
        .col_expr(citizen::Column::TermsAcceptedIp, sea_orm::sea_query::Expr::value(ip.chars().take(45).collect::<String>()))
        .col_expr(citizen::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(false);
    }
    record_acceptance(conn, scope, id, version, ip, now).await?;
    Ok(true)
}

/// Every version of the terms the citizen accepted, oldest first: (version, when).
pub async fn terms_accepted<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid) -> Result<Vec<(String, chrono::DateTime<Utc>)>, DbErr> {
    use crate::entities::terms_acceptance;
    Ok(terms_acceptance::Entity::find()
        .filter(terms_acceptance::Column::TenantId.eq(scope.tenant_id()))
        .filter(terms_acceptance::Column::CitizenId.eq(id))
        .order_by_asc(terms_acceptance::Column::AcceptedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.version, a.accepted_at))
        .collect())
}

pub async fn find<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid) -> Result<Option<Citizen>, DbErr> {
    citizen::Entity::find()
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::Id.eq(id))
        .one(conn)
        .await
}

pub async fn find_by_national_id<C: ConnectionTrait>(conn: &C, scope: Scope, national_id: &str) -> Result<Option<Citizen>, DbErr> {
    citizen::Entity::find()
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::NationalId.eq(national_id))
        .one(conn)
        .await
}

pub async fn find_by_email<C: ConnectionTrait>(conn: &C, scope: Scope, email: &str) -> Result<Option<Citizen>, DbErr> {
    citizen::Entity::find()
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::EmailKey.eq(email_key(email)))
        .one(conn)
        .await
}

pub async fn set_password_hash<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid, hash: &str) -> Result<bool, DbErr> {
    let result = citizen::Entity::update_many()
        .col_expr(citizen::Column::PasswordHash, Expr::value(hash))
        .col_expr(citizen::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn set_identity_status<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id: Uuid,
    status: &str,
    note: Option<&str>,
) -> Result<bool, DbErr> {
    let result = citizen::Entity::update_many()
        .col_expr(citizen::Column::IdentityStatus, Expr::value(status))
        .col_expr(citizen::Column::IdentityNote, Expr::value(note.map(str::to_owned)))
        .col_expr(citizen::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn set_avatar<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid, key: Option<&str>) -> Result<bool, DbErr> {
    let result = citizen::Entity::update_many()
        .col_expr(citizen::Column::AvatarKey, Expr::value(key.map(str::to_owned)))
        .col_expr(citizen::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// A stored, stamped ID photo.
#[derive(Clone, Debug)]
pub struct NewPhoto {
    pub object_key: String,
    pub sha256: String,
    pub bytes: i32,
    pub width: i32,
    pub height: i32,
}

/// Replaces the citizen's ID photos and marks the identity as waiting for staff, in one go.
/// Returns the keys of the photos that were replaced, for the caller to delete from storage.
pub async fn replace_identity_photos<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    citizen_id: Uuid,
    photos: Vec<NewPhoto>,
) -> Result<Vec<String>, DbErr> {
    let old = identity_photos(conn, scope, citizen_id).await?;
    identity_photo::Entity::delete_many()
        .filter(identity_photo::Column::TenantId.eq(scope.tenant_id()))
        .filter(identity_photo::Column::CitizenId.eq(citizen_id))
        .exec(conn)
        .await?;
    let now = Utc::now();
    for (position, photo) in photos.into_iter().enumerate() {
        identity_photo::ActiveModel {
            id: Set(Uuid::new_v4()),
            tenant_id: Set(scope.tenant_id()),
            citizen_id: Set(citizen_id),
            position: Set(i16::try_from(position).unwrap_or(i16::MAX)),
            object_key: Set(photo.object_key),
            sha256: Set(photo.sha256),
            bytes: Set(photo.bytes),
            width: Set(photo.width),
            height: Set(photo.height),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }
    set_identity_status(conn, scope, citizen_id, identity_status::PENDING, None).await?;
    citizen::Entity::update_many()
        .col_expr(citizen::Column::IdentitySubmittedAt, Expr::value(now))
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::Id.eq(citizen_id))
        .exec(conn)
        .await?;
    Ok(old.into_iter().map(|p| p.object_key).collect())
}

pub async fn identity_photos<C: ConnectionTrait>(conn: &C, scope: Scope, citizen_id: Uuid) -> Result<Vec<IdentityPhoto>, DbErr> {
    identity_photo::Entity::find()
        .filter(identity_photo::Column::TenantId.eq(scope.tenant_id()))
        .filter(identity_photo::Column::CitizenId.eq(citizen_id))
        .order_by_asc(identity_photo::Column::Position)
        .all(conn)
        .await
}

pub async fn identity_photo<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    citizen_id: Uuid,
    photo_id: Uuid,
) -> Result<Option<IdentityPhoto>, DbErr> {
    identity_photo::Entity::find()
        .filter(identity_photo::Column::TenantId.eq(scope.tenant_id()))
        .filter(identity_photo::Column::CitizenId.eq(citizen_id))
        .filter(identity_photo::Column::Id.eq(photo_id))
        .one(conn)
        .await
}

/// Citizens whose identity waits for staff, oldest first (`idx_citizens_identity_queue`).
pub async fn identity_queue<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    page: u64,
    per_page: u64,
) -> Result<crate::requests::track::Page<Citizen>, DbErr> {
    use sea_orm::PaginatorTrait;
    let paginator = citizen::Entity::find()
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::IdentityStatus.eq(identity_status::PENDING))
        .order_by_asc(citizen::Column::IdentitySubmittedAt)
        .order_by_asc(citizen::Column::Id)
        .paginate(conn, per_page.max(1));
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.max(1) - 1).await?;
    Ok(crate::requests::track::Page { items, total })
}

/// How many identities wait for staff.
pub async fn identities_waiting<C: ConnectionTrait>(conn: &C, scope: Scope) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    citizen::Entity::find()
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::IdentityStatus.eq(identity_status::PENDING))
        .count(conn)
        .await
}

/// Staff's decision on a pending identity: `verified`, or `rejected` with the reason the citizen
/// reads. Applies only while the identity is still pending, so two decisions never both apply.
pub async fn decide_identity<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id: Uuid,
    verified: bool,
    reason: Option<&str>,
) -> Result<bool, DbErr> {
    let status = if verified { identity_status::VERIFIED } else { identity_status::REJECTED };
    let result = citizen::Entity::update_many()
        .col_expr(citizen::Column::IdentityStatus, Expr::value(status))
        .col_expr(citizen::Column::IdentityNote, Expr::value(reason.map(str::to_owned)))
        .col_expr(citizen::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::Id.eq(id))
        .filter(citizen::Column::IdentityStatus.eq(identity_status::PENDING))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}
