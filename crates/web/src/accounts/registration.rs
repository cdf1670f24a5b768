//! Registration as the citizen manual describes it: terms → "ลงทะเบียน" form → "ยืนยันตัวตน"
//! (ID photos) → welcome page; plus the profile picture and the citizen's own stored images.
//! The HTML pages here and the JSON API (`api::accounts`) share `service`.

pub(crate) mod address;
mod identity;
mod pages;
pub(crate) mod profile;
pub mod service;
pub mod uploads;

use axum::Router;
use axum::routing::get;
use domain::locale::Lang;
use std::collections::BTreeMap;

use crate::error::FieldIssue;
use crate::render::Views;
use crate::state::AppState;

pub use service::landing_path;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(pages::terms))
        .route("/register/form", get(pages::form).post(pages::submit))
        .route("/register/identity", get(identity::page).post(identity::upload))
        .route("/welcome", get(identity::welcome))
        .route("/profile", get(profile::page).post(profile::upload_avatar))
        .route("/me/identity-photos/{id}", get(identity::photo))
        .route("/me/avatar", get(profile::avatar))
        .route("/address/provinces", get(address::provinces))
        .route("/address/districts", get(address::districts))
        .route("/address/sub-districts", get(address::sub_districts))
}

/// Catalogue keys of the English names of `TITLES`, in the same order.
const TITLE_KEYS: [&str; 5] =
    ["registration.titles.mr", "registration.titles.mrs", "registration.titles.miss", "registration.titles.master", "registration.titles.girl"];

/// A title (คำนำหน้าชื่อ) as written in `lang`: "นาย" in Thai, "Mr" in English.
pub(crate) fn title_label(views: &Views, lang: Lang, title: &str) -> String {
    match (lang, domain::registration::TITLES.iter().position(|&t| t == title.trim())) {
        (Lang::En, Some(i)) => views.t(lang, TITLE_KEYS[i]),
        _ => title.to_owned(),
    }
}

/// The citizen's name with the title, as `lang` writes it: "นายสมชาย ใจดี", "Mr สมชาย ใจดี".
pub(crate) fn full_name(views: &Views, lang: Lang, citizen: &store::citizens::Citizen) -> String {
    let title = title_label(views, lang, &citizen.title);
    let gap = if lang == Lang::En { " " } else { "" };
    format!("{title}{gap}{} {}", citizen.first_name, citizen.last_name)
}

/// Field issues as translated messages by field name, for showing each beside its field.
pub(crate) fn messages(views: &Views, lang: Lang, issues: &[FieldIssue]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for issue in issues {
        out.entry(issue.field.clone()).or_insert_with(|| views.t(lang, &format!("field_error.{}", issue.code)));
    }
    out
}

/// The `field_error.<code>` keys this area reports besides `domain::registration::ISSUE_CODES`.
pub const EXTRA_ISSUE_CODES: &[&str] = &[
    "national_id_taken",
    "email_taken",
    "photos_too_few",
    "photos_too_many",
    "identity_already_verified",
    "unsupported_type",
    "too_large",
    "too_many_pixels",
    "corrupt",
    "watermark_failed",
    "photo_too_small",
    "photo_too_dark",
    "photo_too_bright",
    "photo_blurred",
    "photo_not_card",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalogue;

    #[test]
    fn every_issue_code_has_a_message_in_both_languages() {
        let catalogue = Catalogue::load().expect("catalogue parses");
        for code in domain::registration::ISSUE_CODES.iter().chain(EXTRA_ISSUE_CODES) {
            let key = format!("field_error.{code}");
            for lang in [Lang::Th, Lang::En] {
                assert_ne!(catalogue.get(lang, &key), key, "{key} ({lang:?})");
            }
        }
        for code in ["too_large", "too_many_pixels", "unsupported_type", "corrupt", "watermark_failed"] {
            assert!(EXTRA_ISSUE_CODES.contains(&code));
        }
    }

    #[test]
    fn image_error_codes_are_covered() {
        use files::ImageError::*;
        use files::image::quality::Shortcoming;
        let unreadable = [Shortcoming::TooSmall, Shortcoming::TooDark, Shortcoming::TooBright, Shortcoming::Blurred, Shortcoming::NotCardShaped];
        for e in [TooLarge, TooManyPixels, UnsupportedType, Corrupt, Watermark].into_iter().chain(unreadable.map(Unreadable)) {
            assert!(EXTRA_ISSUE_CODES.contains(&e.code()), "{}", e.code());
        }
    }
}
