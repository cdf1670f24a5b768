//! `services.toml` (categories and their sub-menus) and `forms/<form_key>.json` of a tenant folder:
//! read, checked against each other and turned into the catalogue that `tenants::apply` stores.

use super::BundleError;
use domain::form::FormSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

pub const SERVICES: &str = "services.toml";
pub const FORMS: &str = "forms";
const MAX_SERVICES_BYTES: usize = 128 * 1024;
pub const MAX_FORM_BYTES: usize = 256 * 1024;
const MAX_TITLE_CHARS: usize = 200;
const MAX_DESCRIPTION_CHARS: usize = 2_000;

/// The icons a category may name; the web layer draws one symbol for each.
pub const ICONS: &[&str] = &[
    "trash",
    "building",
    "megaphone",
    "droplet",
    "heart-pulse",
    "store",
    "receipt",
    "road",
    "lightbulb",
    "tree",
    "hands-helping",
    "elderly",
    "wheelchair",
    "baby",
    "school",
    "fire",
    "document",
    "calendar",
    "paw",
    "truck",
    "landmark",
    "info",
];

/// A tenant's services as its folder defines them, checked and in file order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ServiceCatalogue {
    pub categories: Vec<CategoryDef>,
    /// Every form of `forms/`, by key.
    pub forms: Vec<FormDef>,
}

impl ServiceCatalogue {
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty() && self.forms.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryDef {
    pub key: String,
    pub icon: String,
    pub title_th: String,
    pub title_en: String,
    pub description_th: Option<String>,
    pub description_en: Option<String>,
    /// Kept but not shown to citizens.
    pub hidden: bool,
    pub items: Vec<ItemDef>,
}

/// A sub-menu: one service, requested with the form `form_key`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemDef {
    pub key: String,
    pub title_th: String,
    pub title_en: String,
    pub description_th: Option<String>,
    pub description_en: Option<String>,
    pub form_key: String,
    /// The service time in working days (1 to 365), if the municipality sets one.
    pub service_days: Option<i32>,
    /// Kept but not offered to citizens.
    pub hidden: bool,
}

/// A checked form schema, kept as canonical JSON so that re-formatting a file is not a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FormDef {
    #[serde(skip)]
    pub file: PathBuf,
    pub key: String,
    pub version: u32,
    pub json: String,
    pub digest: String,
}

/// `services.toml` as written by a person; unknown keys are refused so typos surface.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    categories: Vec<CategoryManifest>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CategoryManifest {
    key: String,
    icon: String,
    title_th: String,
    title_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description_th: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description_en: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    hidden: bool,
    #[serde(default)]
    items: Vec<ItemManifest>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ItemManifest {
    key: String,
    title_th: String,
    title_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description_th: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description_en: Option<String>,
    form: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_days: Option<i64>,
    #[serde(default, skip_serializing_if = "is_false")]
    hidden: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl From<&CategoryDef> for CategoryManifest {
    fn from(c: &CategoryDef) -> Self {
        Self {
            key: c.key.clone(),
            icon: c.icon.clone(),
            title_th: c.title_th.clone(),
            title_en: c.title_en.clone(),
            description_th: c.description_th.clone(),
            description_en: c.description_en.clone(),
            hidden: c.hidden,
            items: c
                .items
                .iter()
                .map(|i| ItemManifest {
                    key: i.key.clone(),
                    title_th: i.title_th.clone(),
                    title_en: i.title_en.clone(),
                    description_th: i.description_th.clone(),
                    description_en: i.description_en.clone(),
                    form: i.form_key.clone(),
                    service_days: i.service_days.map(i64::from),
                    hidden: i.hidden,
                })
                .collect(),
        }
    }
}

impl ServiceCatalogue {
    /// `services.toml` for these categories, as `tenant export` writes it.
    pub fn services_toml(&self) -> Result<String, toml::ser::Error> {
        let manifest = Manifest { categories: self.categories.iter().map(CategoryManifest::from).collect() };
        let body = toml::to_string_pretty(&manifest)?;
        Ok(format!("# The categories (หมวด) and their sub-menus, in the order citizens see them. See docs/tenants.md.\n\n{body}"))
    }

    /// Checks these categories (as an admin edited them) against this catalogue's forms by the
    /// rules `tenant apply` uses, so that what the browser saves is what a folder could hold.
    pub fn checked(mut self, dir: &Path) -> Result<Self, Vec<BundleError>> {
        let file = dir.join(SERVICES);
        let mut errors = Vec::new();
        let forms: BTreeMap<String, FormDef> = self.forms.iter().map(|f| (f.key.clone(), f.clone())).collect();
        let manifest = Manifest { categories: self.categories.iter().map(CategoryManifest::from).collect() };
        let categories = check_manifest(manifest, &forms, &HashSet::new(), &mut Problems { file: &file, errors: &mut errors });
        if errors.is_empty() {
            self.categories = categories;
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

impl FormDef {
    /// A form as stored from its schema, checked as a `forms/<key>.json` file would be.
    pub fn from_json(file: PathBuf, text: &str) -> Result<Self, Vec<BundleError>> {
        let mut errors = Vec::new();
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        let form = check_form(&file, &stem, text, &mut Problems { file: &file, errors: &mut errors });
        match form {
            Some(form) if errors.is_empty() => Ok(form),
            _ => Err(errors),
        }
    }

    /// The file `tenant export` writes for this form: its schema, pretty-printed.
    pub fn pretty_json(&self) -> String {
        serde_json::from_str::<serde_json::Value>(&self.json)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .map(|mut s| {
                s.push('\n');
                s
            })
            .unwrap_or_else(|_| self.json.clone())
    }
}

/// Reads `dir/forms/` and `dir/services.toml` (both optional), adding every problem to `errors`.
pub(super) fn load(dir: &Path, errors: &mut Vec<BundleError>) -> ServiceCatalogue {
    let Forms { valid: forms, invalid } = load_forms(dir, errors);
    let path = dir.join(SERVICES);
    let categories = if path.exists() {
        let mut problems = Problems { file: &path, errors: &mut *errors };
        read_text(&path, MAX_SERVICES_BYTES)
            .map_err(|message| problems.push("", message))
            .ok()
            .and_then(|text| parse_manifest(&text).map_err(|(at, message)| problems.push(&at, message)).ok())
            .map(|manifest| check_manifest(manifest, &forms, &invalid, &mut problems))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    ServiceCatalogue { categories, forms: forms.into_values().collect() }
}

/// The forms of `forms/` by key, and the keys of the files that exist but have problems.
#[derive(Default)]
struct Forms {
    valid: BTreeMap<String, FormDef>,
    invalid: HashSet<String>,
}

fn load_forms(dir: &Path, errors: &mut Vec<BundleError>) -> Forms {
    let folder = dir.join(FORMS);
    let mut forms = Forms::default();
    if !folder.exists() {
        return forms;
    }
    let mut paths = match std::fs::read_dir(&folder) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect::<Vec<_>>(),
        Err(e) => {
            errors.push(BundleError { file: folder, field: None, message: format!("cannot read: {e}") });
            return forms;
        }
    };
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name.starts_with('.') {
            continue;
        }
        let mut problems = Problems { file: &path, errors: &mut *errors };
        let Some(stem) = name.strip_suffix(".json").filter(|_| path.is_file()) else {
            problems.push("", "is not a form: forms are files named <form_key>.json");
            continue;
        };
        if !is_key(stem) {
            problems.push("", format!("the name before .json is the form key; it {KEY_RULE}"));
            continue;
        }
        let text = match read_text(&path, MAX_FORM_BYTES) {
            Ok(text) => text,
            Err(message) => {
                problems.push("", message);
                forms.invalid.insert(stem.to_owned());
                continue;
            }
        };
        let before = problems.errors.len();
        if let Some(form) = check_form(&path, stem, &text, &mut problems) {
            forms.valid.insert(stem.to_owned(), form);
        }
        if problems.errors.len() > before {
            forms.invalid.insert(stem.to_owned());
        }
    }
    forms
}

/// One form file's schema checked, and named by its file as `stem`.json.
fn check_form(path: &Path, stem: &str, text: &str, problems: &mut Problems) -> Option<FormDef> {
    match FormSchema::from_json(text) {
        Err(field_errors) => {
            for e in field_errors {
                problems.push(&e.field, e.message);
            }
            None
        }
        Ok(schema) if schema.key != stem => {
            problems.push("key", format!("is '{}' but the file is named {stem}.json", schema.key));
            None
        }
        Ok(schema) if i32::try_from(schema.version).is_err() => {
            problems.push("version", format!("must be at most {}", i32::MAX));
            None
        }
        Ok(schema) => match serde_json::to_string(&schema) {
            Ok(json) => {
                let digest = hex::encode(Sha256::digest(json.as_bytes()));
                Some(FormDef { file: path.to_path_buf(), key: schema.key, version: schema.version, json, digest })
            }
            Err(e) => {
                problems.push("", format!("cannot be stored: {e}"));
                None
            }
        },
    }
}

/// Parses with the path of the first problem (`categories[1].items[0].form`) and its line.
fn parse_manifest(text: &str) -> Result<Manifest, (String, String)> {
    let located = |e: toml::de::Error| {
        let line = e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        match line {
            Some(line) => format!("{} (line {line})", e.message().trim_end()),
            None => e.message().trim_end().to_owned(),
        }
    };
    let deserializer = toml::Deserializer::parse(text).map_err(|e| (String::new(), located(e)))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        (path, located(e.into_inner()))
    })
}

fn check_manifest(
    manifest: Manifest,
    forms: &BTreeMap<String, FormDef>,
    invalid_forms: &HashSet<String>,
    problems: &mut Problems,
) -> Vec<CategoryDef> {
    let mut category_keys: HashMap<String, usize> = HashMap::new();
    let mut item_keys: HashMap<String, String> = HashMap::new();
    let mut categories = Vec::with_capacity(manifest.categories.len());
    for (i, c) in manifest.categories.into_iter().enumerate() {
        let at = format!("categories[{i}]");
        check_key(problems, &at, &c.key);
        if let Some(first) = category_keys.get(&c.key) {
            problems.push(&format!("{at}.key"), format!("duplicates the key of categories[{first}]"));
        } else {
            category_keys.insert(c.key.clone(), i);
        }
        if !ICONS.contains(&c.icon.as_str()) {
            problems.push(&format!("{at}.icon"), format!("'{}' is not one of: {}", c.icon, ICONS.join(", ")));
        }
        let (title_th, title_en) = titles(problems, &at, &c.title_th, &c.title_en);
        let (description_th, description_en) = descriptions(problems, &at, c.description_th, c.description_en);
        if c.items.is_empty() {
            problems.push(&format!("{at}.items"), "a category needs at least one sub-menu");
        }
        let mut items = Vec::with_capacity(c.items.len());
        for (j, item) in c.items.into_iter().enumerate() {
            let at = format!("{at}.items[{j}]");
            check_key(problems, &at, &item.key);
            if let Some(first) = item_keys.get(&item.key) {
                problems.push(&format!("{at}.key"), format!("duplicates the key of {first}"));
            } else {
                item_keys.insert(item.key.clone(), at.clone());
            }
            // A form file with problems has been reported already.
            if !forms.contains_key(&item.form) && !invalid_forms.contains(&item.form) {
                let message = format!("names form '{}' but there is no {FORMS}/{}.json", item.form, item.form);
                problems.push(&format!("{at}.form"), message);
            }
            let (title_th, title_en) = titles(problems, &at, &item.title_th, &item.title_en);
            let (description_th, description_en) =
                descriptions(problems, &at, item.description_th, item.description_en);
            let service_days = match item.service_days {
                Some(days @ 1..=365) => i32::try_from(days).ok(),
                Some(_) => {
                    problems.push(&format!("{at}.service_days"), "must be a number of working days from 1 to 365".to_owned());
                    None
                }
                None => None,
            };
            items.push(ItemDef {
                key: item.key,
                hidden: item.hidden,
                service_days,
                title_th,
                title_en,
                description_th,
                description_en,
                form_key: item.form,
            });
        }
        categories.push(CategoryDef {
            key: c.key,
            hidden: c.hidden,
            icon: c.icon,
            title_th,
            title_en,
            description_th,
            description_en,
            items,
        });
    }
    categories
}

fn titles(problems: &mut Problems, at: &str, th: &str, en: &str) -> (String, String) {
    let mut one = |lang: &str, value: &str| {
        let value = value.trim();
        if value.is_empty() {
            problems.push(&format!("{at}.title_{lang}"), "is required");
        } else if value.chars().count() > MAX_TITLE_CHARS {
            problems.push(&format!("{at}.title_{lang}"), format!("is longer than {MAX_TITLE_CHARS} characters"));
        }
        value.to_owned()
    };
    (one("th", th), one("en", en))
}

/// Descriptions are optional, but a citizen reading either language sees one, so both or neither.
fn descriptions(
    problems: &mut Problems,
    at: &str,
    th: Option<String>,
    en: Option<String>,
) -> (Option<String>, Option<String>) {
    let clean = |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let (th, en) = (clean(th), clean(en));
    for (lang, value, other) in [("th", &th, &en), ("en", &en, &th)] {
        if value.is_none() && other.is_some() {
            problems.push(&format!("{at}.description_{lang}"), "is required when the other language has one");
        }
        if value.as_ref().is_some_and(|v| v.chars().count() > MAX_DESCRIPTION_CHARS) {
            let message = format!("is longer than {MAX_DESCRIPTION_CHARS} characters");
            problems.push(&format!("{at}.description_{lang}"), message);
        }
    }
    (th, en)
}

const KEY_RULE: &str = "must start with a-z and contain only a-z, 0-9 and '_' (at most 64)";

fn check_key(problems: &mut Problems, at: &str, key: &str) {
    if !is_key(key) {
        problems.push(&format!("{at}.key"), KEY_RULE);
    }
}

/// A key of a category, sub-menu, form or field: a-z first, then a-z, 0-9 and `_`, at most 64.
pub fn is_key(key: &str) -> bool {
    key.len() <= 64
        && key.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn read_text(path: &Path, max: usize) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() > max {
        return Err(format!("is larger than {} KiB", max / 1024));
    }
    String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_owned())
}

/// Problems of one file, each at a path inside it (empty for the file as a whole).
struct Problems<'a> {
    file: &'a Path,
    errors: &'a mut Vec<BundleError>,
}

impl Problems<'_> {
    /// `at` is empty, or `?` when the JSON parser could not say, for the file as a whole.
    fn push(&mut self, at: &str, message: impl Into<String>) {
        self.errors.push(BundleError {
            file: self.file.to_path_buf(),
            field: (!at.is_empty() && at != "?").then(|| at.to_owned()),
            message: message.into(),
        });
    }
}
