//! The citizen's pictures: the ID-card photos the tenant asks for (checked, stamped with the
//! tenant's watermark and the date, then swapped in at once) and the profile picture.

use bytes::Bytes;
use files::{ImageError, ProcessedImage, Watermark};
use sea_orm::DbErr;
use store::citizens::{self, Citizen, IdentityPhoto, NewPhoto, identity_status};
use store::tenants::TenantRecord;

use super::thai_today;
use crate::{App, Issue};

/// Object-store folders under each tenant's prefix.
const ID_PHOTO_KIND: &str = "identity-photos";
const AVATAR_KIND: &str = "avatars";

/// One uploaded picture: its bytes, or the fact that it was larger than allowed (then its
/// content was not kept).
#[derive(Debug, Default)]
pub struct Upload {
    pub bytes: Bytes,
    pub oversize: bool,
}

impl Upload {
    /// A file input left blank arrives as an empty part.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty() && !self.oversize
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("the identity is verified already")]
    AlreadyVerified,
    /// Which pictures (or how many) to send again.
    #[error("pictures refused")]
    Invalid(Vec<Issue>),
    #[error("no such citizen")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Checks the count, stamps every photo, and only when all succeeded stores them and swaps them
/// in (status `pending`) in one transaction. Objects written for a failed attempt are deleted;
/// the originals are never written. Returns the citizen's photos as stored now.
#[tracing::instrument(skip_all, fields(tenant = %tenant.slug, citizen = %citizen.id))]
pub async fn replace_identity_photos(
    app: &App,
    tenant: &TenantRecord,
    citizen: &Citizen,
    uploads: Vec<Upload>,
) -> Result<Vec<IdentityPhoto>, PhotoError> {
    if citizen.identity_status == identity_status::VERIFIED {
        return Err(PhotoError::AlreadyVerified);
    }
    let required = usize::from(tenant.settings.identity.photo_count);
    let given = check_count(uploads, required)?;

    let watermark = Watermark::new(format!(
        "{} {}",
        tenant.settings.identity.watermark_text,
        domain::locale::format_date(thai_today(), domain::locale::Lang::Th)
    ));
    let mut stamped = Vec::with_capacity(required);
    let mut problems = Vec::new();
    for (position, upload) in given {
        let field = format!("photos[{position}]");
        if upload.oversize {
            problems.push(Issue::new(field, ImageError::TooLarge.code()));
            continue;
        }
        let watermark = watermark.clone();
        let subject = match tenant.settings.identity.slots.get(position) {
            Some(slot) if !slot.card => files::image::quality::Subject::Any,
            _ => files::image::quality::Subject::Card,
        };
        let check = move |bytes: &[u8], limits: &files::ImageLimits| files::process_checked_id_photo(bytes, &watermark, limits, subject);
        match app.process_image(upload.bytes, check).await? {
            Ok(photo) => stamped.push(photo),
            Err(e) => problems.push(Issue::new(field, e.code())),
        }
    }
    if !problems.is_empty() {
        return Err(PhotoError::Invalid(problems));
    }

    let rows = stamped.iter().map(|photo| new_photo(tenant, photo)).collect::<Result<Vec<_>, _>>()?;
    let keys: Vec<String> = rows.iter().map(|row| row.object_key.clone()).collect();
    put_all(app, keys.iter().cloned().zip(stamped)).await?;
    let swapped = async {
        // The write lock up front, so concurrent writers wait instead of failing on SQLite.
        let txn = store::begin_write(&app.db).await?;
        let replaced = citizens::replace_identity_photos(&txn, tenant.scope(), citizen.id, rows).await?;
        txn.commit().await?;
        Ok::<_, DbErr>(replaced)
    }
    .await;
    let replaced = match swapped {
        Ok(replaced) => replaced,
        Err(e) => {
            delete_all(app, &keys).await;
            return Err(e.into());
        }
    };
    delete_all(app, &replaced).await;
    tracing::info!(count = keys.len(), "identity photos stored");
    Ok(citizens::identity_photos(&app.db, tenant.scope(), citizen.id).await?)
}

/// Exactly `required` non-empty files, returned with their positions in the upload; empty file
/// inputs (a browser sends one for every input left blank) count as missing.
fn check_count(uploads: Vec<Upload>, required: usize) -> Result<Vec<(usize, Upload)>, PhotoError> {
    let slots = uploads.len();
    let given: Vec<(usize, Upload)> = uploads.into_iter().enumerate().filter(|(_, u)| !u.is_empty()).collect();
    if given.len() > required {
        return Err(PhotoError::Invalid(vec![Issue::new("photos", "photos_too_many")]));
    }
    if given.len() < required {
        let mut problems = vec![Issue::new("photos", "photos_too_few")];
        problems.extend(
            (0..required.max(slots))
                .filter(|i| !given.iter().any(|(p, _)| p == i))
                .take(required - given.len())
                .map(|i| Issue::new(format!("photos[{i}]"), "required")),
        );
        return Err(PhotoError::Invalid(problems));
    }
    Ok(given)
}

/// The row for a stamped photo, under a fresh tenant-prefixed key.
fn new_photo(tenant: &TenantRecord, photo: &ProcessedImage) -> anyhow::Result<NewPhoto> {
    let int = |n: u64| i32::try_from(n);
    Ok(NewPhoto {
        object_key: files::object_key(&tenant.id.to_string(), ID_PHOTO_KIND),
        sha256: files::sha256_hex(&photo.bytes),
        bytes: int(photo.bytes.len() as u64)?,
        width: int(u64::from(photo.width))?,
        height: int(u64::from(photo.height))?,
    })
}

/// Writes every image under its key; if one write fails, the ones already written are removed.
async fn put_all(app: &App, images: impl IntoIterator<Item = (String, ProcessedImage)>) -> anyhow::Result<()> {
    let mut written: Vec<String> = Vec::new();
    for (key, image) in images {
        if let Err(e) = app.files.put(&key, Bytes::from(image.bytes), image.mime).await {
            delete_all(app, &written).await;
            return Err(e.context("writing an image to object storage"));
        }
        written.push(key);
    }
    Ok(())
}

/// Best effort: a leftover object is logged, never shown to the citizen.
async fn delete_all(app: &App, keys: &[String]) {
    for key in keys {
        if let Err(e) = app.files.delete(key).await {
            tracing::warn!(key, error = format!("{e:#}"), "could not delete an object");
        }
    }
}

/// Crops the picture square, stores it and points the profile at it; the previous one is removed.
#[tracing::instrument(skip_all, fields(tenant = %tenant.slug, citizen = %citizen.id))]
pub async fn replace_avatar(app: &App, tenant: &TenantRecord, citizen: &Citizen, upload: Upload) -> Result<(), PhotoError> {
    if upload.is_empty() {
        return Err(PhotoError::Invalid(vec![Issue::new("avatar", "required")]));
    }
    if upload.oversize {
        return Err(PhotoError::Invalid(vec![Issue::new("avatar", ImageError::TooLarge.code())]));
    }
    let avatar = app
        .process_image(upload.bytes, files::process_avatar)
        .await?
        .map_err(|e| PhotoError::Invalid(vec![Issue::new("avatar", e.code())]))?;
    let key = files::object_key(&tenant.id.to_string(), AVATAR_KIND);
    put_all(app, [(key.clone(), avatar)]).await?;
    let keys = [key];
    match citizens::set_avatar(&app.db, tenant.scope(), citizen.id, Some(&keys[0])).await {
        Ok(true) => {
            if let Some(old) = &citizen.avatar_key {
                delete_all(app, std::slice::from_ref(old)).await;
            }
            Ok(())
        }
        Ok(false) => {
            delete_all(app, &keys).await;
            Err(PhotoError::NotFound)
        }
        Err(e) => {
            delete_all(app, &keys).await;
            Err(e.into())
        }
    }
}
