//! A municipality as the platform knows it: its slug, names, branding, terms and ID-photo rules.
//! `TenantManifest` is what `tenants/<slug>/tenant.toml` says; `validate` turns it into settings.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The subdomain label of a tenant: `demo` in `demo.example.go.th`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TenantSlug(String);

/// Labels a tenant may not take because the platform serves them itself.
const RESERVED_SLUGS: &[&str] = &["www", "api", "admin", "static", "platform", "operator", "mail", "assets"];

impl TenantSlug {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let slug = raw.trim().to_ascii_lowercase();
        let problem = if slug.len() < 2 || slug.len() > 63 {
            Some("must be 2 to 63 characters")
        } else if !slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            Some("may contain only a-z, 0-9 and '-'")
        } else if slug.starts_with('-') || slug.ends_with('-') {
            Some("may not start or end with '-'")
        } else if RESERVED_SLUGS.contains(&slug.as_str()) {
            Some("is reserved by the platform")
        } else {
            None
        };
        match problem {
            Some(message) => Err(FieldError::new("slug", message)),
            None => Ok(Self(slug)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A problem with one field of a definition; `field` is a dotted path such as `branding.primary_color`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    #[default]
    Active,
    Suspended,
}

impl TenantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            _ => None,
        }
    }
}

/// `tenant.toml` as written by a person (and by `tenant export`). Unknown keys are refused so typos
/// surface. A tenant's status (active, suspended) is not part of it: the operator's commands set it,
/// and applying a folder never resumes a suspended tenant.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TenantManifest {
    pub slug: String,
    pub name_th: String,
    pub name_en: String,
    #[serde(default)]
    pub domains: Vec<String>,
    /// One of `domains`, used instead of `<slug>.<base domain>` in links sent by e-mail and QR codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_domain: Option<String>,
    pub branding: BrandingManifest,
    pub terms: TermsManifest,
    pub identity: IdentityRules,
    pub contact: Contact,
    #[serde(default)]
    pub notifications: Notifications,
    #[serde(default)]
    pub back_office: BackOffice,
}

/// How the municipality's staff work. TOTP is always required of admins.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackOffice {
    /// Officers sign in with a TOTP code too (on unless the tenant turns it off).
    pub officer_totp: bool,
    /// A request may be completed before the citizen's identity is verified.
    pub complete_unverified: bool,
    /// The municipality's own closed days (ปิดทำการ), besides the national public holidays:
    /// they do not count as working days.
    pub closure_days: Vec<chrono::NaiveDate>,
}

impl Default for BackOffice {
    fn default() -> Self {
        Self { officer_totp: true, complete_unverified: false, closure_days: Vec::new() }
    }
}

/// Which request changes e-mail the citizen. Completion always does.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Notifications {
    /// Also e-mail when staff receive, start or reject a request (all three below).
    #[serde(default)]
    pub on_every_status_change: bool,
    /// E-mail when staff receive the request (เจ้าหน้าที่รับเรื่อง).
    #[serde(default, skip_serializing_if = "is_false")]
    pub on_received: bool,
    /// E-mail when work on it starts (กำลังดำเนินการ).
    #[serde(default, skip_serializing_if = "is_false")]
    pub on_in_progress: bool,
    /// E-mail when it is rejected (ไม่อนุมัติ), with the reason.
    #[serde(default, skip_serializing_if = "is_false")]
    pub on_rejected: bool,
}

impl Notifications {
    /// Whether a change to `to` e-mails the citizen: completion always does (the seed: "at once").
    pub fn emails_on(&self, to: crate::request::Status) -> bool {
        use crate::request::Status;
        match to {
            Status::Completed => true,
            Status::Received => self.on_every_status_change || self.on_received,
            Status::InProgress => self.on_every_status_change || self.on_in_progress,
            Status::Rejected => self.on_every_status_change || self.on_rejected,
            Status::Submitted => false,
        }
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingManifest {
    pub primary_color: String,
    pub accent_color: String,
    /// File name of the logo inside the tenant folder (SVG, PNG, JPEG or WebP).
    pub logo: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TermsManifest {
    pub version: String,
    /// Markdown files inside the tenant folder.
    pub file_th: String,
    pub file_en: String,
}

/// How a tenant wants ID cards photographed and stamped.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityRules {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub photo_count: u8,
    /// The "for use with … only" text stamped over ID photos; Thai.
    pub watermark_text: String,
    /// What each photo is, in order (the front of the card, its back, a selfie holding it…).
    /// Photos past the end of the list are called "ภาพที่ N".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<PhotoSlot>,
}

/// One ID photo the tenant asks for: its name and a line on how to take it, in both languages.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoSlot {
    pub name_th: String,
    pub name_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_th: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_en: Option<String>,
    /// The photo is of the card itself, so it must be card-shaped; `false` for, say, a selfie
    /// holding the card.
    #[serde(default = "card_by_default", skip_serializing_if = "is_card")]
    pub card: bool,
    /// A small example picture of such a photo, a PNG, JPEG or WebP file in the tenant folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
}

fn card_by_default() -> bool {
    true
}

fn is_card(card: &bool) -> bool {
    *card
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub address_th: String,
    pub address_en: String,
    pub phone: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_hours_th: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_hours_en: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub primary_color: String,
    pub accent_color: String,
}

/// What the running platform keeps of a tenant definition (stored as JSON with the tenant row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    pub branding: Branding,
    pub terms_version: String,
    pub identity: IdentityRules,
    pub contact: Contact,
    #[serde(default)]
    pub notifications: Notifications,
    #[serde(default)]
    pub back_office: BackOffice,
    /// The custom domain links use (one of the tenant's domains), if the tenant chose one.
    #[serde(default)]
    pub primary_domain: Option<String>,
}

/// A validated manifest, ready to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidTenant {
    pub slug: TenantSlug,
    pub name_th: String,
    pub name_en: String,
    pub domains: Vec<String>,
    pub settings: TenantSettings,
}

pub const MAX_ID_PHOTOS: u8 = 5;

impl TenantManifest {
    /// Checks every field and reports all problems at once, each with its dotted path.
    pub fn validate(self) -> Result<ValidTenant, Vec<FieldError>> {
        let mut errors = Vec::new();
        let slug = TenantSlug::parse(&self.slug).map_err(|e| errors.push(e)).ok();
        require_text(&mut errors, "name_th", &self.name_th, 200);
        require_text(&mut errors, "name_en", &self.name_en, 200);
        let mut domains = Vec::new();
        for (i, raw) in self.domains.iter().enumerate() {
            match normalize_domain(raw) {
                Some(d) => domains.push(d),
                None => errors.push(FieldError::new(format!("domains[{i}]"), "is not a valid host name")),
            }
        }
        let primary_domain = self.primary_domain.as_deref().and_then(|raw| {
            let found = normalize_domain(raw).filter(|d| domains.contains(d));
            if found.is_none() {
                errors.push(FieldError::new("primary_domain", "must be one of domains"));
            }
            found
        });
        for (field, value) in [
            ("branding.primary_color", &self.branding.primary_color),
            ("branding.accent_color", &self.branding.accent_color),
        ] {
            if !is_hex_color(value) {
                errors.push(FieldError::new(field, "must be a colour like #1a5fb4"));
            }
        }
        if let Some(primary) = crate::contrast::Rgb::parse(&self.branding.primary_color) {
            for s in crate::contrast::primary_shortfalls(primary) {
                errors.push(FieldError::new(
                    "branding.primary_color",
                    format!(
                        "text contrast of {primary} with {} ({}) is {:.2}:1, below the 4.5:1 of WCAG AA; choose a darker colour",
                        s.surface, s.against, s.ratio
                    ),
                ));
            }
        }
        require_text(&mut errors, "branding.logo", &self.branding.logo, 200);
        let version = self.terms.version.trim();
        if version.is_empty()
            || version.len() > 32
            || !version.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            errors.push(FieldError::new("terms.version", "must be 1 to 32 characters of a-z, 0-9, '.', '-', '_'"));
        }
        if self.identity.photo_count == 0 || self.identity.photo_count > MAX_ID_PHOTOS {
            errors.push(FieldError::new(
                "identity.photo_count",
                format!("must be between 1 and {MAX_ID_PHOTOS}"),
            ));
        }
        require_text(&mut errors, "identity.watermark_text", &self.identity.watermark_text, 120);
        if self.identity.slots.len() > usize::from(self.identity.photo_count) {
            errors.push(FieldError::new("identity.slots", "names more photos than identity.photo_count"));
        }
        for (i, slot) in self.identity.slots.iter().enumerate() {
            require_text(&mut errors, &format!("identity.slots[{i}].name_th"), &slot.name_th, 100);
            require_text(&mut errors, &format!("identity.slots[{i}].name_en"), &slot.name_en, 100);
            for (lang, hint) in [("th", &slot.hint_th), ("en", &slot.hint_en)] {
                if let Some(hint) = hint {
                    require_text(&mut errors, &format!("identity.slots[{i}].hint_{lang}"), hint, 300);
                }
            }
            if let Some(example) = &slot.example {
                require_text(&mut errors, &format!("identity.slots[{i}].example"), example, 100);
            }
        }
        require_text(&mut errors, "contact.address_th", &self.contact.address_th, 500);
        require_text(&mut errors, "contact.address_en", &self.contact.address_en, 500);
        require_text(&mut errors, "contact.phone", &self.contact.phone, 50);
        if !self.contact.email.contains('@') {
            errors.push(FieldError::new("contact.email", "must be an e-mail address"));
        }
        match (slug, errors.is_empty()) {
            (Some(slug), true) => Ok(ValidTenant {
                slug,
                name_th: self.name_th.trim().to_owned(),
                name_en: self.name_en.trim().to_owned(),
                domains,
                settings: TenantSettings {
                    branding: Branding {
                        primary_color: self.branding.primary_color.to_ascii_lowercase(),
                        accent_color: self.branding.accent_color.to_ascii_lowercase(),
                    },
                    terms_version: version.to_owned(),
                    identity: self.identity,
                    contact: self.contact,
                    notifications: self.notifications,
                    back_office: self.back_office,
                    primary_domain,
                },
            }),
            _ => Err(errors),
        }
    }
}

fn require_text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    let len = value.trim().chars().count();
    if len == 0 {
        errors.push(FieldError::new(field, "is required"));
    } else if len > max {
        errors.push(FieldError::new(field, format!("must be at most {max} characters")));
    }
}

/// `#rrggbb`.
pub fn is_hex_color(value: &str) -> bool {
    value.len() == 7 && value.starts_with('#') && value[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Lower-cases a host name, drops a trailing dot and checks its labels.
pub fn normalize_domain(raw: &str) -> Option<String> {
    let host = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    valid.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> TenantManifest {
        toml::from_str(
            r##"
            slug = "demo"
            name_th = "เทศบาลเมืองตัวอย่าง"
            name_en = "Demo Town Municipality"
            domains = ["eservice.demo.go.th."]
            [branding]
            primary_color = "#1A5FB4"
            accent_color = "#f6d32d"
            logo = "logo.svg"
            [terms]
            version = "2569.1"
            file_th = "terms.th.md"
            file_en = "terms.en.md"
            [identity]
            photo_count = 2
            watermark_text = "ใช้สำหรับยืนยันตัวตนกับเทศบาลเมืองตัวอย่างเท่านั้น"
            [contact]
            address_th = "1 ถนนหลัก"
            address_en = "1 Main Road"
            phone = "02 000 0000"
            email = "saraban@demo.go.th"
            "##,
        )
        .expect("sample manifest parses")
    }

    #[test]
    fn a_good_manifest_validates_and_normalises() {
        let tenant = manifest().validate().expect("valid");
        assert_eq!(tenant.slug.as_str(), "demo");
        assert_eq!(tenant.domains, vec!["eservice.demo.go.th".to_owned()]);
        assert_eq!(tenant.settings.branding.primary_color, "#1a5fb4");
    }

    #[test]
    fn the_primary_domain_must_be_one_of_the_domains() {
        let mut m = manifest();
        m.primary_domain = Some("EService.Demo.go.th.".into());
        assert_eq!(m.clone().validate().expect("valid").settings.primary_domain.as_deref(), Some("eservice.demo.go.th"));
        m.primary_domain = Some("elsewhere.go.th".into());
        let errors = m.validate().expect_err("not one of the tenant's domains");
        assert_eq!(errors[0].field, "primary_domain");
        assert_eq!(manifest().validate().expect("valid").settings.primary_domain, None);
    }

    #[test]
    fn a_primary_colour_that_text_cannot_be_read_on_is_refused_with_its_ratio() {
        let mut m = manifest();
        m.branding.primary_color = "#2e7d32".into();
        let errors = m.validate().expect_err("the badge text would be 4.40:1");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "branding.primary_color");
        assert!(errors[0].message.contains("#2e7d32") && errors[0].message.contains("4.40:1"), "{}", errors[0].message);
        let mut m = manifest();
        m.branding.primary_color = "#256b29".into();
        assert!(m.validate().is_ok(), "a darker green passes");
    }

    #[test]
    fn photo_slots_are_named_in_both_languages_and_no_more_than_the_photos() {
        let mut m = manifest();
        let slot = |th: &str| PhotoSlot { name_th: th.into(), name_en: "Front".into(), hint_th: None, hint_en: None, card: true, example: None };
        m.identity.slots = vec![slot("ด้านหน้าบัตร"), slot(" ")];
        let errors = m.clone().validate().expect_err("a blank name");
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["identity.slots[1].name_th"]);
        m.identity.slots = vec![slot("ด้านหน้าบัตร"), slot("ด้านหลังบัตร"), slot("ภาพตนเองคู่บัตร")];
        let errors = m.validate().expect_err("three slots for two photos");
        assert_eq!(errors[0].field, "identity.slots");
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut m = manifest();
        m.slug = "Bad_Slug".into();
        m.branding.primary_color = "blue".into();
        m.identity.photo_count = 0;
        m.terms.version = "".into();
        m.domains = vec!["bad domain".into()];
        let errors = m.validate().expect_err("invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["slug", "domains[0]", "branding.primary_color", "terms.version", "identity.photo_count"]
        );
    }

    #[test]
    fn slugs_are_dns_labels_and_not_reserved() {
        assert!(TenantSlug::parse("nakhon-1").is_ok());
        assert!(TenantSlug::parse("-x").is_err());
        assert!(TenantSlug::parse("www").is_err());
        assert!(TenantSlug::parse("a").is_err());
        assert_eq!(TenantSlug::parse(" Demo ").map(|s| s.to_string()), Ok("demo".to_owned()));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = toml::from_str::<TenantManifest>("slug = 'x'\ncolour = 'red'").expect_err("unknown key");
        assert!(err.to_string().contains("colour"), "{err}");
    }

    #[test]
    fn a_manifest_written_out_reads_back_the_same() {
        let mut m = manifest();
        m.contact.line_id = Some("@demo".into());
        m.back_office.closure_days = vec![chrono::NaiveDate::from_ymd_opt(2026, 12, 31).expect("date")];
        let text = toml::to_string_pretty(&m).expect("serialises");
        assert!(!text.lines().any(|l| l.starts_with("status")), "a tenant's status is not part of its folder:\n{text}");
        let back: TenantManifest = toml::from_str(&text).expect("reads back");
        assert_eq!(back.validate().expect("valid"), m.validate().expect("valid"));
    }

    #[test]
    fn completion_always_e_mails_and_each_other_change_as_the_tenant_chose() {
        use crate::request::Status;
        let none = Notifications::default();
        assert!(none.emails_on(Status::Completed));
        assert!(!none.emails_on(Status::Received) && !none.emails_on(Status::Rejected));
        let some = Notifications { on_rejected: true, ..Notifications::default() };
        assert!(some.emails_on(Status::Rejected) && !some.emails_on(Status::InProgress));
        let every = Notifications { on_every_status_change: true, ..Notifications::default() };
        assert!([Status::Received, Status::InProgress, Status::Rejected, Status::Completed].iter().all(|s| every.emails_on(*s)));
    }

    #[test]
    fn domains_are_normalised() {
        assert_eq!(normalize_domain("EService.Example.GO.TH."), Some("eservice.example.go.th".into()));
        assert_eq!(normalize_domain("a..b"), None);
        assert_eq!(normalize_domain("-a.b"), None);
    }
}
