//! The on-disk form of a tenant: `tenants/<slug>/tenant.toml` plus the files it names, and its
//! services (`services.toml`, `forms/`). Loading reads and validates everything; errors name the
//! file and the field.

mod services;

pub use services::{CategoryDef, FORMS, FormDef, ICONS, ItemDef, MAX_FORM_BYTES, SERVICES, ServiceCatalogue, is_key};

use domain::tenant::{FieldError, TenantManifest, ValidTenant};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "tenant.toml";
const MAX_LOGO_BYTES: usize = 512 * 1024;
const MAX_TERMS_BYTES: usize = 256 * 1024;

/// Everything needed to create or update one tenant.
#[derive(Clone, Debug)]
pub struct TenantBundle {
    pub tenant: ValidTenant,
    pub terms_th: String,
    pub terms_en: String,
    pub logo: Vec<u8>,
    pub logo_mime: &'static str,
    pub services: ServiceCatalogue,
    /// The example pictures the photo slots name (`identity.slots[].example`), by file name.
    pub examples: Vec<SlotExample>,
}

/// An example picture of an ID-photo slot: a PNG, JPEG or WebP, at most 256 KiB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotExample {
    pub file: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// The largest example picture of a photo slot.
pub const MAX_EXAMPLE_BYTES: usize = 256 * 1024;

impl TenantBundle {
    /// A digest of everything applied; equal digests mean a second apply would change nothing.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        let settings = serde_json::to_string(&self.tenant.settings).unwrap_or_default();
        for part in [
            self.tenant.slug.as_str(),
            &self.tenant.name_th,
            &self.tenant.name_en,
            &self.tenant.domains.join(","),
            &settings,
            &self.terms_th,
            &self.terms_en,
            self.logo_mime,
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        h.update(&self.logo);
        for example in &self.examples {
            h.update([0u8]);
            h.update(example.file.as_bytes());
            h.update([0u8]);
            h.update(&example.bytes);
        }
        if !self.services.is_empty() {
            h.update([0u8]);
            h.update(serde_json::to_string(&self.services).unwrap_or_default().as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// The file names `tenant export` gives the logo and the terms.
const TERMS_TH: &str = "terms.th.md";
const TERMS_EN: &str = "terms.en.md";

impl TenantBundle {
    /// `tenant.toml` for this bundle, naming the files that [`TenantBundle::files`] writes.
    pub fn manifest(&self) -> TenantManifest {
        let t = &self.tenant;
        let s = &t.settings;
        TenantManifest {
            slug: t.slug.as_str().to_owned(),
            name_th: t.name_th.clone(),
            name_en: t.name_en.clone(),
            domains: t.domains.clone(),
            primary_domain: s.primary_domain.clone(),
            branding: domain::tenant::BrandingManifest {
                primary_color: s.branding.primary_color.clone(),
                accent_color: s.branding.accent_color.clone(),
                logo: logo_file(self.logo_mime).to_owned(),
            },
            terms: domain::tenant::TermsManifest {
                version: s.terms_version.clone(),
                file_th: TERMS_TH.to_owned(),
                file_en: TERMS_EN.to_owned(),
            },
            identity: s.identity.clone(),
            contact: s.contact.clone(),
            notifications: s.notifications,
            back_office: s.back_office.clone(),
        }
    }

    /// The folder's files, by path inside it: what `tenant export` writes and `load_dir` reads back
    /// to an equal bundle.
    pub fn files(&self) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
        let manifest = toml::to_string_pretty(&self.manifest()).map_err(|e| e.to_string())?;
        let header = format!("# {}: exported by `eservice tenant export`; see docs/tenants.md.\n\n", self.tenant.name_th);
        let mut files = vec![
            (PathBuf::from(MANIFEST), format!("{header}{manifest}").into_bytes()),
            (PathBuf::from(logo_file(self.logo_mime)), self.logo.clone()),
            (PathBuf::from(TERMS_TH), self.terms_th.clone().into_bytes()),
            (PathBuf::from(TERMS_EN), self.terms_en.clone().into_bytes()),
        ];
        if !self.services.categories.is_empty() {
            files.push((PathBuf::from(SERVICES), self.services.services_toml().map_err(|e| e.to_string())?.into_bytes()));
        }
        for form in &self.services.forms {
            files.push((Path::new(FORMS).join(format!("{}.json", form.key)), form.pretty_json().into_bytes()));
        }
        for example in &self.examples {
            files.push((PathBuf::from(&example.file), example.bytes.clone()));
        }
        Ok(files)
    }

    /// Writes [`TenantBundle::files`] into `dir` (created if missing). Refuses a folder that
    /// already holds a `tenant.toml` of another tenant.
    pub fn write_dir(&self, dir: &Path) -> Result<(), String> {
        if let Ok(text) = std::fs::read_to_string(dir.join(MANIFEST)) {
            let slug = toml::from_str::<toml::Table>(&text).ok().and_then(|t| t.get("slug")?.as_str().map(str::to_owned));
            if slug.as_deref() != Some(self.tenant.slug.as_str()) {
                return Err(format!("{} already holds another tenant's {MANIFEST}", dir.display()));
            }
        }
        let files = self.files()?;
        for (path, bytes) in files {
            let path = dir.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    }
}

fn logo_file(mime: &str) -> &'static str {
    match mime {
        "image/svg+xml" => "logo.svg",
        "image/jpeg" => "logo.jpg",
        "image/webp" => "logo.webp",
        _ => "logo.png",
    }
}

/// A problem in a tenant folder: which file, which field (if any), what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleError {
    pub file: PathBuf,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: {}: {}", self.file.display(), field, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Reads `dir/tenant.toml` and the files it names, reporting every problem found.
pub fn load_dir(dir: &Path) -> Result<TenantBundle, Vec<BundleError>> {
    let manifest_path = dir.join(MANIFEST);
    let err = |file: &Path, field: Option<&str>, message: String| BundleError {
        file: file.to_path_buf(),
        field: field.map(str::to_owned),
        message,
    };
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| vec![err(&manifest_path, None, format!("cannot read: {e}"))])?;
    if toml::from_str::<toml::Table>(&text).is_ok_and(|table| table.contains_key("status")) {
        let message = "is not part of a tenant folder: a tenant's status is set with `eservice tenant suspend` and `resume`, and applying a folder keeps it; remove the line".into();
        return Err(vec![err(&manifest_path, Some("status"), message)]);
    }
    let manifest: TenantManifest = toml::from_str(&text)
        .map_err(|e| vec![err(&manifest_path, None, e.message().to_owned())])?;

    let mut errors = Vec::new();
    let terms_th = read_named(dir, &manifest_path, "terms.file_th", &manifest.terms.file_th, MAX_TERMS_BYTES, &mut errors)
        .and_then(|bytes| utf8(bytes, &dir.join(&manifest.terms.file_th), &mut errors));
    let terms_en = read_named(dir, &manifest_path, "terms.file_en", &manifest.terms.file_en, MAX_TERMS_BYTES, &mut errors)
        .and_then(|bytes| utf8(bytes, &dir.join(&manifest.terms.file_en), &mut errors));
    let logo = read_named(dir, &manifest_path, "branding.logo", &manifest.branding.logo, MAX_LOGO_BYTES, &mut errors);
    let logo_mime = logo.as_deref().and_then(|bytes| {
        let mime = logo_mime(bytes);
        if mime.is_none() {
            errors.push(err(
                &dir.join(&manifest.branding.logo),
                Some("branding.logo"),
                "must be an SVG, PNG, JPEG or WebP image".into(),
            ));
        }
        mime
    });
    let services = services::load(dir, &mut errors);
    let mut examples = Vec::new();
    for (i, slot) in manifest.identity.slots.iter().enumerate() {
        let Some(name) = slot.example.as_ref().filter(|n| !examples.iter().any(|e: &SlotExample| &e.file == *n)) else { continue };
        let field = format!("identity.slots[{i}].example");
        let Some(bytes) = read_named(dir, &manifest_path, &field, name, MAX_EXAMPLE_BYTES, &mut errors) else { continue };
        match self::logo_mime(&bytes).filter(|m| *m != "image/svg+xml") {
            Some(mime) => examples.push(SlotExample { file: name.clone(), mime, bytes }),
            None => errors.push(err(&dir.join(name), Some(&field), "must be a PNG, JPEG or WebP image".into())),
        }
    }
    let tenant = manifest.validate().map_err(|field_errors| {
        field_errors
            .into_iter()
            .map(|FieldError { field, message }| err(&manifest_path, Some(&field), message))
            .collect::<Vec<_>>()
    });
    match tenant {
        Ok(tenant) if errors.is_empty() => {
            let folder = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if !folder.is_empty() && folder != tenant.slug.as_str() {
                return Err(vec![err(
                    &manifest_path,
                    Some("slug"),
                    format!("is '{}' but the folder is named '{folder}'", tenant.slug),
                )]);
            }
            Ok(TenantBundle {
                tenant,
                terms_th: terms_th.unwrap_or_default(),
                terms_en: terms_en.unwrap_or_default(),
                logo: logo.unwrap_or_default(),
                logo_mime: logo_mime.unwrap_or("image/png"),
                services,
                examples,
            })
        }
        Ok(_) => Err(errors),
        Err(mut field_errors) => {
            field_errors.append(&mut errors);
            Err(field_errors)
        }
    }
}

/// Every sub-folder of `root` that has a `tenant.toml`, sorted by name.
pub fn tenant_dirs(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join(MANIFEST).is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn read_named(
    dir: &Path,
    manifest: &Path,
    field: &str,
    name: &str,
    max: usize,
    errors: &mut Vec<BundleError>,
) -> Option<Vec<u8>> {
    let plain = !name.is_empty()
        && Path::new(name).components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain {
        errors.push(BundleError {
            file: manifest.to_path_buf(),
            field: Some(field.into()),
            message: "must name a file inside the tenant folder".into(),
        });
        return None;
    }
    let path = dir.join(name);
    match std::fs::read(&path) {
        Ok(bytes) if bytes.len() > max => {
            errors.push(BundleError {
                file: path,
                field: Some(field.into()),
                message: format!("is larger than {} KiB", max / 1024),
            });
            None
        }
        Ok(bytes) => Some(bytes),
        Err(e) => {
            errors.push(BundleError { file: path, field: Some(field.into()), message: format!("cannot read: {e}") });
            None
        }
    }
}

fn utf8(bytes: Vec<u8>, path: &Path, errors: &mut Vec<BundleError>) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(text) if !text.trim().is_empty() => Some(text),
        Ok(_) => {
            errors.push(BundleError { file: path.into(), field: None, message: "is empty".into() });
            None
        }
        Err(_) => {
            errors.push(BundleError { file: path.into(), field: None, message: "is not UTF-8 text".into() });
            None
        }
    }
}

fn logo_mime(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
        head.contains("<svg").then_some("image/svg+xml")
    }
}
