//! Registration, ID photos and the profile picture as one service for the HTML pages and the JSON
//! API: the rules are in `domain`, rows in `store`, bytes in `files`; handlers only translate.

use anyhow::Context as _;
use bytes::Bytes;
use chrono::{NaiveDate, Utc};
use domain::password_policy::PasswordPolicy;
use domain::registration::{self, RegistrationForm, Rules};
use files::{ImageError, ImageLimits, ProcessedImage, Watermark};
use store::citizens::{self, Citizen, CreateError, IdentityPhoto, NewCitizen, NewPhoto, identity_status};

use crate::error::{AppError, FieldIssue};
use crate::state::AppState;
use crate::tenancy::Tenant;

use super::uploads::FilePart;

/// Object-store folders under each tenant's prefix.
const ID_PHOTO_KIND: &str = "identity-photos";
const AVATAR_KIND: &str = "avatars";

/// Thailand has one time zone and no daylight saving: dates of birth and stamps use its calendar day.
pub fn thai_today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// Where a signed-in citizen belongs: the photo step until photos are in, else the welcome page.
pub fn landing_path(citizen: &Citizen) -> &'static str {
    if citizen.identity_status == identity_status::PHOTOS_REQUIRED { "/register/identity" } else { "/welcome" }
}

/// The limits every upload is held to before and while it is decoded.
pub fn image_limits() -> ImageLimits {
    ImageLimits::default()
}

fn issues(found: Vec<registration::FieldIssue>) -> Vec<FieldIssue> {
    found.into_iter().map(|i| FieldIssue::new(i.field, i.code)).collect()
}

/// Creates the citizen (identity status `photos_required`) with the accepted terms version, time
/// and IP. Refusals: `Validation` (every field at once), `Conflict` (national ID or e-mail already
/// registered with this tenant), `TooManyRequests` (per tenant and IP, every attempt counts).
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
pub async fn register(state: &AppState, tenant: &Tenant, form: &RegistrationForm, ip: &str) -> Result<Citizen, AppError> {
    state.limits.register_ip.attempt(&format!("register:{}:{ip}", tenant.0.id))?;
    let policy = PasswordPolicy::default();
    let rules = Rules { terms_version: &tenant.0.settings.terms_version, today: thai_today(), password_policy: &policy };
    let valid = registration::validate(form, &rules).map_err(|found| AppError::Validation(issues(found)))?;
    let password_hash =
        state.hasher.hash(valid.password.expose().to_owned()).await.context("hashing a new citizen's password")?;
    let (national_id, email) = (valid.national_id.as_str().to_owned(), valid.email.as_str().to_owned());
    let created = citizens::create(
        &state.db,
        tenant.scope(),
        NewCitizen {
            national_id: national_id.clone(),
            email: email.clone(),
            title: valid.title,
            first_name: valid.first_name,
            last_name: valid.last_name,
            birth_date: valid.birth_date,
            phone: valid.phone,
            house_no: valid.house_no,
            village: valid.village,
            road: valid.road,
            sub_district_code: to_i32(valid.address.sub_district.code)?,
            district_code: to_i32(valid.address.district.code)?,
            province_code: to_i32(valid.address.province.code)?,
            postcode: valid.postcode,
            password_hash,
            terms_version: valid.terms_version,
            terms_accepted_ip: ip.chars().take(45).collect(),
        },
    )
    .await;
    match created {
        Ok(citizen) => {
            tracing::info!(citizen = %citizen.id, "citizen registered");
            Ok(citizen)
        }
        Err(CreateError::DuplicateNationalId) => Err(taken(state, tenant, &national_id, &email, "national_id").await),
        Err(CreateError::DuplicateEmail) => Err(taken(state, tenant, &national_id, &email, "email").await),
        Err(CreateError::Db(e)) => Err(AppError::Internal(anyhow::Error::new(e).context("storing a new citizen"))),
    }
}

/// The database named one taken value; the citizen is told about every one of them at once.
async fn taken(state: &AppState, tenant: &Tenant, national_id: &str, email: &str, reported: &str) -> AppError {
    let scope = tenant.scope();
    let id_taken = reported == "national_id"
        || citizens::find_by_national_id(&state.db, scope, national_id).await.is_ok_and(|found| found.is_some());
    let email_taken =
        reported == "email" || citizens::find_by_email(&state.db, scope, email).await.is_ok_and(|found| found.is_some());
    let mut issues = Vec::new();
    if id_taken {
        issues.push(FieldIssue::new("national_id", "national_id_taken"));
    }
    if email_taken {
        issues.push(FieldIssue::new("email", "email_taken"));
    }
    AppError::Conflict(issues)
}

fn to_i32(code: u32) -> Result<i32, AppError> {
    i32::try_from(code).map_err(|e| AppError::Internal(e.into()))
}

/// Checks the count, stamps every photo, and only when all succeeded stores them and swaps them
/// in (status `pending`) in one transaction. Objects written for a failed attempt are deleted;
/// the originals are never written. Returns the citizen's photos as stored now.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %citizen.id))]
pub async fn replace_identity_photos(
    state: &AppState,
    tenant: &Tenant,
    citizen: &Citizen,
    uploads: Vec<FilePart>,
) -> Result<Vec<IdentityPhoto>, AppError> {
    if citizen.identity_status == identity_status::VERIFIED {
        return Err(AppError::Conflict(vec![FieldIssue::new("photos", "identity_already_verified")]));
    }
    let required = usize::from(tenant.0.settings.identity.photo_count);
    let given = check_count(uploads, required)?;

    let watermark = Watermark::new(format!(
        "{} {}",
        tenant.0.settings.identity.watermark_text,
        domain::locale::format_date(thai_today(), domain::locale::Lang::Th)
    ));
    let mut stamped = Vec::with_capacity(required);
    let mut problems = Vec::new();
    for (position, upload) in given {
        let field = format!("photos[{position}]");
        if upload.oversize {
            problems.push(FieldIssue::new(field, ImageError::TooLarge.code()));
            continue;
        }
        let watermark = watermark.clone();
        let subject = match tenant.0.settings.identity.slots.get(position) {
            Some(slot) if !slot.card => files::image::quality::Subject::Any,
            _ => files::image::quality::Subject::Card,
        };
        let check = move |bytes: &[u8], limits: &files::ImageLimits| files::process_checked_id_photo(bytes, &watermark, limits, subject);
        match state.process_image(upload.bytes, check).await? {
            Ok(photo) => stamped.push(photo),
            Err(e) => problems.push(FieldIssue::new(field, e.code())),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }

    let rows = stamped.iter().map(|photo| new_photo(tenant, photo)).collect::<Result<Vec<_>, _>>()?;
    let keys: Vec<String> = rows.iter().map(|row| row.object_key.clone()).collect();
    put_all(state, keys.iter().cloned().zip(stamped)).await?;
    let swapped = async {
        // The write lock up front, so concurrent writers wait instead of failing on SQLite.
        let txn = store::begin_write(&state.db).await?;
        let replaced = citizens::replace_identity_photos(&txn, tenant.scope(), citizen.id, rows).await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(replaced)
    }
    .await;
    let replaced = match swapped {
        Ok(replaced) => replaced,
        Err(e) => {
            delete_all(state, &keys).await;
            return Err(AppError::Internal(anyhow::Error::new(e).context("saving identity photos")));
        }
    };
    delete_all(state, &replaced).await;
    tracing::info!(count = keys.len(), "identity photos stored");
    Ok(citizens::identity_photos(&state.db, tenant.scope(), citizen.id).await?)
}

/// Exactly `required` non-empty files, returned with their positions in the upload; empty file
/// inputs (a browser sends one for every input left blank) count as missing.
fn check_count(uploads: Vec<FilePart>, required: usize) -> Result<Vec<(usize, FilePart)>, AppError> {
    let slots = uploads.len();
    let given: Vec<(usize, FilePart)> = uploads.into_iter().enumerate().filter(|(_, u)| !u.is_empty()).collect();
    if given.len() > required {
        return Err(AppError::Validation(vec![FieldIssue::new("photos", "photos_too_many")]));
    }
    if given.len() < required {
        let mut problems = vec![FieldIssue::new("photos", "photos_too_few")];
        problems.extend(
            (0..required.max(slots))
                .filter(|i| !given.iter().any(|(p, _)| p == i))
                .take(required - given.len())
                .map(|i| FieldIssue::new(format!("photos[{i}]"), "required")),
        );
        return Err(AppError::Validation(problems));
    }
    Ok(given)
}

/// The row for a stamped photo, under a fresh tenant-prefixed key.
fn new_photo(tenant: &Tenant, photo: &ProcessedImage) -> Result<NewPhoto, AppError> {
    let int = |n: u64| i32::try_from(n).map_err(|e| AppError::Internal(e.into()));
    Ok(NewPhoto {
        object_key: files::object_key(&tenant.0.id.to_string(), ID_PHOTO_KIND),
        sha256: files::sha256_hex(&photo.bytes),
        bytes: int(photo.bytes.len() as u64)?,
        width: int(u64::from(photo.width))?,
        height: int(u64::from(photo.height))?,
    })
}

/// Writes every image under its key; if one write fails, the ones already written are removed.
async fn put_all(state: &AppState, images: impl IntoIterator<Item = (String, ProcessedImage)>) -> Result<(), AppError> {
    let mut written: Vec<String> = Vec::new();
    for (key, image) in images {
        if let Err(e) = state.files.put(&key, Bytes::from(image.bytes), image.mime).await {
            delete_all(state, &written).await;
            return Err(AppError::Internal(e.context("writing an image to object storage")));
        }
        written.push(key);
    }
    Ok(())
}

/// Best effort: a leftover object is logged, never shown to the citizen.
async fn delete_all(state: &AppState, keys: &[String]) {
    for key in keys {
        if let Err(e) = state.files.delete(key).await {
            tracing::warn!(key, error = format!("{e:#}"), "could not delete an object");
        }
    }
}

/// Crops the picture square, stores it and points the profile at it; the previous one is removed.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %citizen.id))]
pub async fn replace_avatar(state: &AppState, tenant: &Tenant, citizen: &Citizen, upload: FilePart) -> Result<(), AppError> {
    if upload.is_empty() {
        return Err(AppError::Validation(vec![FieldIssue::new("avatar", "required")]));
    }
    if upload.oversize {
        return Err(AppError::Validation(vec![FieldIssue::new("avatar", ImageError::TooLarge.code())]));
    }
    let avatar = state.process_image(upload.bytes, files::process_avatar)
        .await?
        .map_err(|e| AppError::Validation(vec![FieldIssue::new("avatar", e.code())]))?;
    let key = files::object_key(&tenant.0.id.to_string(), AVATAR_KIND);
    put_all(state, [(key.clone(), avatar)]).await?;
    let keys = [key];
    let key = &keys[0];
    match citizens::set_avatar(&state.db, tenant.scope(), citizen.id, Some(key)).await {
        Ok(true) => {
            if let Some(old) = &citizen.avatar_key {
                delete_all(state, std::slice::from_ref(old)).await;
            }
            Ok(())
        }
        Ok(false) => {
            delete_all(state, &keys).await;
            Err(AppError::NotFound)
        }
        Err(e) => {
            delete_all(state, &keys).await;
            Err(AppError::Internal(anyhow::Error::new(e).context("saving the avatar key")))
        }
    }
}

/// A stored image of the citizen: one of their ID photos, or their profile picture.
pub async fn image_bytes(state: &AppState, key: &str) -> Result<Bytes, AppError> {
    state.files.get(key).await.context("reading an image from object storage")?.ok_or(AppError::NotFound)
}
