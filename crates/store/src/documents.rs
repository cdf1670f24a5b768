//! Receipts and licences issued on a request: each with a random verification code that the
//! tenant's public `/verify/<code>` page checks (sections 13 and 14 of the seed).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::Scope;
use crate::entities::document;
use crate::requests::Request;
use crate::requests::track::{self, Page};

pub use document::Model as Document;

/// `receipt` (ใบเสร็จรับเงิน) or `licence` (ใบอนุญาต).
pub const KINDS: [&str; 2] = ["receipt", "licence"];

/// Characters a person can read back without confusing them (no 0/O, 1/I).
const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 12;

/// A random code of `CODE_LEN` unambiguous characters (60 random bits, from the OS generator via UUIDv4).
pub fn new_code() -> String {
    let random = Uuid::new_v4().as_u128();
    (0..CODE_LEN).map(|i| char::from(CODE_ALPHABET[((random >> (5 * i)) & 31) as usize])).collect()
}

/// A code as typed or scanned: upper-cased, dashes and spaces dropped.
pub fn normalize_code(raw: &str) -> String {
    raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// The document's file, already put in the object store by the caller.
#[derive(Clone, Debug)]
pub struct StoredObject {
    pub object_key: String,
    pub filename: String,
    pub mime: String,
    pub bytes: i64,
    pub sha256: String,
}

#[derive(Clone, Debug)]
pub struct NewDocument {
    pub kind: String,
    pub number: String,
    pub title_th: String,
    pub title_en: String,
    pub file: StoredObject,
    pub valid_until: Option<NaiveDate>,
}

/// Issues a document on `request` for its citizen. A code collision (unique per tenant) is retried.
pub async fn issue<C: ConnectionTrait>(db: &C, scope: Scope, request: &Request, new: NewDocument) -> Result<Document, DbErr> {
    if request.tenant_id != scope.tenant_id() {
        return Err(DbErr::RecordNotFound("request".into()));
    }
    let mut attempts = 0;
    loop {
        let row = document::ActiveModel {
            id: Set(Uuid::new_v4()),
            tenant_id: Set(scope.tenant_id()),
            request_id: Set(request.id),
            citizen_id: Set(request.citizen_id),
            kind: Set(new.kind.clone()),
            number: Set(new.number.clone()),
            title_th: Set(new.title_th.clone()),
            title_en: Set(new.title_en.clone()),
            verification_code: Set(new_code()),
            object_key: Set(new.file.object_key.clone()),
            filename: Set(new.file.filename.clone()),
            mime: Set(new.file.mime.clone()),
            bytes: Set(new.file.bytes),
            sha256: Set(new.file.sha256.clone()),
            issued_at: Set(Utc::now()),
            valid_until: Set(new.valid_until),
            revoked_at: Set(None),
            revoked_reason: Set(None),
        };
        match row.insert(db).await {
            Err(e) if crate::is_unique_violation(&e) && attempts < 3 => attempts += 1,
            other => return other,
        }
    }
}

/// The citizen's documents across requests, newest first (`idx_documents_citizen`).
pub async fn list_for_citizen<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    citizen: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<Document>, DbErr> {
    let paginator = document::Entity::find()
        .filter(document::Column::TenantId.eq(scope.tenant_id()))
        .filter(document::Column::CitizenId.eq(citizen))
        .order_by_desc(document::Column::IssuedAt)
        .order_by_desc(document::Column::Id)
        .paginate(db, per_page.max(1));
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.max(1) - 1).await?;
    Ok(Page { items, total })
}

/// The documents issued on one request, oldest first.
pub async fn for_request<C: ConnectionTrait>(db: &C, scope: Scope, request_id: Uuid) -> Result<Vec<Document>, DbErr> {
    document::Entity::find()
        .filter(document::Column::TenantId.eq(scope.tenant_id()))
        .filter(document::Column::RequestId.eq(request_id))
        .order_by_asc(document::Column::IssuedAt)
        .all(db)
        .await
}

/// One document of the citizen's own request.
pub async fn find_for_citizen<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    citizen: Uuid,
    request_reference: &str,
    id: Uuid,
) -> Result<Option<Document>, DbErr> {
    let Some(request) = track::find_for_citizen(db, scope, citizen, request_reference).await? else { return Ok(None) };
    document::Entity::find()
        .filter(document::Column::TenantId.eq(scope.tenant_id()))
        .filter(document::Column::CitizenId.eq(citizen))
        .filter(document::Column::RequestId.eq(request.id))
        .filter(document::Column::Id.eq(id))
        .one(db)
        .await
}

/// The tenant's document with this verification code (normalised first).
pub async fn by_code<C: ConnectionTrait>(db: &C, scope: Scope, code: &str) -> Result<Option<Document>, DbErr> {
    let code = normalize_code(code);
    if code.len() != CODE_LEN {
        return Ok(None);
    }
    document::Entity::find()
        .filter(document::Column::TenantId.eq(scope.tenant_id()))
        .filter(document::Column::VerificationCode.eq(code))
        .one(db)
        .await
}

/// Revokes the document; false when there is no such document or it was already revoked.
pub async fn revoke<C: ConnectionTrait>(db: &C, scope: Scope, id: Uuid, reason: &str) -> Result<bool, DbErr> {
    let found = document::Entity::find()
        .filter(document::Column::TenantId.eq(scope.tenant_id()))
        .filter(document::Column::Id.eq(id))
        .filter(document::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    let Some(found) = found else { return Ok(false) };
    let mut row: document::ActiveModel = found.into();
    row.revoked_at = Set(Some(Utc::now()));
    row.revoked_reason = Set(Some(reason.trim().to_owned()));
    row.update(db).await?;
    Ok(true)
}

/// Where a document stands on `today` (Thailand's date).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Validity {
    Valid,
    Expired(NaiveDate),
    Revoked { at: DateTime<Utc>, reason: Option<String> },
}

pub fn validity(doc: &Document, today: NaiveDate) -> Validity {
    if let Some(at) = doc.revoked_at {
        return Validity::Revoked { at, reason: doc.revoked_reason.clone() };
    }
    match doc.valid_until {
        Some(until) if until < today => Validity::Expired(until),
        _ => Validity::Valid,
    }
}

/// A document of the tenant by id (for staff).
pub async fn find<C: ConnectionTrait>(db: &C, scope: Scope, id: Uuid) -> Result<Option<Document>, DbErr> {
    document::Entity::find()
        .filter(document::Column::TenantId.eq(scope.tenant_id()))
        .filter(document::Column::Id.eq(id))
        .one(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_and_unambiguous() {
        for _ in 0..200 {
            let code = new_code();
            assert_eq!(code.len(), CODE_LEN);
            assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
            assert!(!code.contains(['0', 'O', '1', 'I']));
            assert_eq!(normalize_code(&code.to_lowercase()), code);
        }
        assert_ne!(new_code(), new_code());
    }
}
