//! The municipal admin's settings, as pages under `/staff/settings` and JSON under
//! `/api/v1/admin`: both parse, take the `ConfigureTenant` capability, call one `app::admin` use
//! case and render. A refused change names each field with a translated message and keeps what
//! the admin typed; a stale one says who saved first and when.

pub mod api;
pub mod builder;
pub mod pages;

use app::admin::{AdminError, Problem};
use domain::locale::Lang;

use crate::error::{AppError, FieldIssue};
use crate::requests::view::when;

/// The message code for a problem the folder's rules found, by its English wording; the English
/// itself goes along as the detail of the codes whose message shows it.
fn code_of(field: &str, message: &str) -> &'static str {
    if message.contains("must be between 1 and") && field != "identity.photo_count" {
        return "range";
    }
    const BY_WORDING: &[(&str, &str)] = &[
        ("is required when the other language has one", "both_languages"),
        ("is required", "required"),
        ("must be at most", "too_long"),
        ("is longer than", "too_long"),
        ("WCAG AA", "contrast"),
        ("must be a colour like", "colour"),
        ("must be between 1 and", "photo_count"),
        ("names more photos than", "too_many_slots"),
        ("must be an e-mail address", "email"),
        ("must be 1 to 32 characters", "terms_version"),
        ("must be new", "terms_version_used"),
        ("was already published with a different text", "terms_version_used"),
        ("must start with a-z", "key"),
        ("duplicates the key of", "duplicate_key"),
        ("is not one of", "choice"),
        ("a category needs at least one sub-menu", "no_items"),
        ("must be a number of working days", "service_days"),
        ("names form", "form_missing"),
        ("another version was published at the same time", "form_race"),
        ("a choice needs at least one option", "no_options"),
        ("must list at least one option", "no_options"),
        ("duplicates another option", "duplicate_key"),
        ("is greater than", "min_above_max"),
        ("is later than max", "min_above_max"),
        ("is more than the number of options", "min_above_max"),
        ("is not an option of", "not_an_option"),
        ("must name an earlier field of the form", "rule_field"),
        ("must name a choice field", "rule_field"),
        ("cannot point at the field itself", "rule_field"),
        ("needs exactly one of equals or one_of", "rule_field"),
        ("is not a valid regular expression", "pattern"),
        ("must be a date written YYYY-MM-DD", "iso_date"),
        ("must be a number", "number"),
        ("needs at least one field that takes a value", "no_fields"),
        ("must list at least one type", "no_types"),
        ("does not apply to a", "not_for_type"),
        ("does not fit a", "not_for_type"),
        ("a section", "section"),
    ];
    const LOGO: &[&str] = &["required", "too_large", "not_image", "not_svg", "svg_script", "svg_external", "corrupt", "too_many_pixels"];
    if let Some(code) = LOGO.iter().find(|c| **c == message) {
        return code;
    }
    BY_WORDING.iter().find(|(wording, _)| message.contains(wording)).map_or("invalid", |(_, code)| code)
}

/// A problem as a field issue of `[admin_error]`.
pub fn issue(problem: &Problem) -> FieldIssue {
    let field = if problem.field.is_empty() { "form".to_owned() } else { problem.field.clone() };
    FieldIssue::admin(field.clone(), code_of(&field, &problem.message), Some(problem.message.clone()))
}

/// The HTTP error for a refused or failed change.
pub fn app_error(e: AdminError, lang: Lang) -> AppError {
    match e {
        AdminError::Invalid(problems) => AppError::Validation(problems.iter().map(issue).collect()),
        AdminError::Stale { by, at } => {
            AppError::Stale { by: by.unwrap_or_else(|| "-".into()), at: at.map(|at| when(at, lang)).unwrap_or_else(|| "-".into()) }
        }
        AdminError::NotFound => AppError::NotFound,
        AdminError::Db(e) => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_rules_wordings_map_to_translated_codes() {
        for (message, code) in [
            ("is required", "required"),
            ("must be at most 200 characters", "too_long"),
            ("text contrast of #2e7d32 with white text (badge) is 4.40:1, below the 4.5:1 of WCAG AA; choose a darker colour", "contrast"),
            ("is greater than max", "min_above_max"),
            ("must name an earlier field of the form", "rule_field"),
            ("is required when the other language has one", "both_languages"),
            ("svg_script", "svg_script"),
            ("something no rule words like this", "invalid"),
        ] {
            assert_eq!(code_of("fields[0].x", message), code, "{message}");
        }
        assert_eq!(code_of("identity.photo_count", "must be between 1 and 5"), "photo_count");
        assert_eq!(code_of("fields[2].max_count", "must be between 1 and 10"), "range", "not a photo count");
    }
}
