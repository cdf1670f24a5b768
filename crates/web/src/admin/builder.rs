//! The form builder at `/staff/settings/forms/{key}`: a form's fields as a list the admin edits one
//! at a time (every field type the schema has, with Thai and English label and help, required,
//! options, limits, file types, size and count, show-if rules on earlier choice fields), adds,
//! duplicates, moves and deletes; the form as the citizen will see it, drawn by the citizen's own
//! renderer, under it; the problems of the form at their fields. The work is a draft, kept across
//! visits, until it is published as a new version. The JSON of a form can be exported and imported.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::form::{FieldType, FormSchema, Prefill};
use domain::locale::Lang;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use access::authz::ConfigureTenant;
use app::admin::{self, AdminError, Problem};

use super::pages::{Done, Input, Inputs, Opt, Posted, Refusal, done_key, refusal, refused};
use crate::accounts::login::HtmlForm;
use crate::backoffice::view::{Me, me, render};
use crate::backoffice::{Can, check_csrf};
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::form_errors::ErrorLink;
use crate::i18n::RequestLang;
use crate::services::form_view::Preview;
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/settings/forms/{key}", get(page).post(act))
        .route("/staff/settings/forms/{key}/export", get(export))
}

/// The builder's routes, as `(method, path)`, for the route × role test.
pub const PAGES: &[(&str, &str)] = &[
    ("GET", "/staff/settings/forms/{key}"),
    ("POST", "/staff/settings/forms/{key}"),
    ("GET", "/staff/settings/forms/{key}/export"),
];

const TYPES: &[FieldType] = &[
    FieldType::Text,
    FieldType::LongText,
    FieldType::Number,
    FieldType::Date,
    FieldType::Choice,
    FieldType::Email,
    FieldType::Phone,
    FieldType::NationalId,
    FieldType::ThaiAddress,
    FieldType::File,
    FieldType::Section,
];

const PREFILLS: &[(&str, Prefill)] = &[
    ("title", Prefill::Title),
    ("first_name", Prefill::FirstName),
    ("last_name", Prefill::LastName),
    ("full_name", Prefill::FullName),
    ("national_id", Prefill::NationalId),
    ("birth_date", Prefill::BirthDate),
    ("email", Prefill::Email),
    ("phone", Prefill::Phone),
    ("address", Prefill::Address),
];

const FILE_TYPES: &[(&str, &str)] = &[("image/jpeg", "JPG"), ("image/png", "PNG"), ("image/webp", "WebP"), ("application/pdf", "PDF")];


/// A new form's starting point: a title and one required text field.
fn starter(key: &str) -> Value {
    json!({
        "key": key,
        "version": 1,
        "title": { "th": "แบบคำขอ", "en": "Request form" },
        "fields": [
            { "key": "details", "type": "long_text", "required": true, "label": { "th": "รายละเอียด", "en": "Details" } }
        ]
    })
}

/// One field of the list as the page shows it.
#[derive(Serialize)]
struct FieldCard {
    index: usize,
    key: String,
    kind: String,
    kind_label: String,
    label: String,
    first: bool,
    last: bool,
    /// Keys of the fields whose show-if rule names this one, comma-separated.
    used_by: String,
    problems: Vec<String>,
    inputs: Vec<Input>,
    /// The file types, as checkboxes, for a file field.
    accept: Vec<Opt>,
}

#[derive(Serialize)]
struct BuilderPage {
    me: Me,
    done: Option<String>,
    error: Option<String>,
    revision: String,
    key: String,
    published: Option<u32>,
    draft_saved: Option<String>,
    summary: Vec<ErrorLink>,
    form_inputs: Vec<Input>,
    fields: Vec<FieldCard>,
    new_field: Vec<Input>,
    /// A field whose delete waits for the admin to confirm (other fields' rules use it).
    confirm_delete: Option<usize>,
    json: String,
    preview: Option<Preview>,
    /// Problems of the field being edited, shown with the live preview.
    preview_problems: Vec<String>,
    publishable: bool,
}

/// Just the preview, for the builder's live preview while a field is being edited.
#[derive(Serialize)]
struct PreviewFragment {
    preview: Option<Preview>,
    preview_problems: Vec<String>,
}

/// The draft (or the published form, or a starter) as JSON.
async fn current(state: &AppState, can: &Can<ConfigureTenant>, key: &str, lang: Lang) -> Result<(admin::Settings, Value, Option<String>), AppError> {
    let settings = admin::load(&state.app, &can.granted).await.map_err(|e| super::app_error(e, lang))?;
    let draft = admin::draft(&state.app, &can.granted, key).await.map_err(|e| super::app_error(e, lang))?;
    let (schema, saved) = match draft {
        Some(d) => (serde_json::from_str(&d.schema).unwrap_or_else(|_| starter(key)), Some(format!("{} · {}", d.updated_by, crate::requests::view::when(d.updated_at, lang)))),
        None => match settings.bundle.services.forms.iter().find(|f| f.key == key) {
            Some(form) => (serde_json::from_str(&form.json).unwrap_or_else(|_| starter(key)), None),
            None => (starter(key), None),
        },
    };
    Ok((settings, schema, saved))
}

fn text_of(v: &Value, lang: &str) -> String {
    v.get(lang).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn string_at(v: &Value, name: &str) -> String {
    match v.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// The problems of `schema` by the schema's rules, each at its path (`fields[2].options`).
fn problems_of(schema: &Value) -> Vec<Problem> {
    match FormSchema::from_json(&schema.to_string()) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| Problem::new(e.field, e.message)).collect(),
    }
}

/// Which field a problem's path is about (`fields[3].label.th` → 3).
fn field_index(path: &str) -> Option<usize> {
    path.strip_prefix("fields[")?.split(']').next()?.parse().ok()
}

#[allow(clippy::too_many_arguments)]
async fn render_builder(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    can: &Can<ConfigureTenant>,
    key: &str,
    done: Option<String>,
    failure: Option<(StatusCode, Refusal, Option<String>)>,
    confirm_delete: Option<usize>,
    at_field: Option<usize>,
) -> Result<Response, AppError> {
    let (settings, schema, draft_saved) = current(state, can, key, lang).await?;
    let published = settings.bundle.services.forms.iter().find(|f| f.key == key);
    let published_keys: Vec<String> = published
        .and_then(|f| serde_json::from_str::<FormSchema>(&f.json).ok())
        .map(|s| s.fields.into_iter().map(|f| f.key).collect())
        .unwrap_or_default();
    let (status, mut shown, error) = failure.unwrap_or((StatusCode::OK, Refusal::default(), None));
    // The form's own problems, always shown while building.
    let problems = problems_of(&schema);
    let by_field = |n: usize| -> Vec<String> {
        problems.iter().filter(|p| field_index(&p.field) == Some(n)).map(|p| format!("{}: {}", p.field, p.message)).collect()
    };
    for p in &problems {
        let target = field_index(&p.field).map_or_else(|| "f-form".to_owned(), |n| format!("field-{n}"));
        shown.summary.push(ErrorLink::new(target, format!("{}: {}", p.field, p.message)));
    }
    let i = Inputs { state, lang, refusal: &shown };
    // A refused card edit's messages belong to that card only (every card's inputs share names).
    let unrefused = Refusal::default();
    let fields = schema.get("fields").and_then(Value::as_array).cloned().unwrap_or_default();
    let count = fields.len();
    let choice_fields: Vec<(usize, String)> =
        fields.iter().enumerate().filter(|(_, f)| f.get("type").and_then(Value::as_str) == Some("choice")).map(|(n, f)| (n, string_at(f, "key"))).collect();
    let pick = |v: &Value| if lang == Lang::Th { text_of(v, "th") } else { text_of(v, "en") };
    let cards = fields
        .iter()
        .enumerate()
        .map(|(n, f)| {
            let field_key = string_at(f, "key");
            let kind = string_at(f, "type");
            let at = |part: &str| format!("f.{part}");
            let i = Inputs { state, lang, refusal: if at_field == Some(n) { &shown } else { &unrefused } };
            let label = f.get("label").cloned().unwrap_or(Value::Null);
            let help = f.get("help").cloned().unwrap_or(Value::Null);
            let mut inputs = Vec::new();
            let mut key_input = i.hinted(i.text(&at("key"), "field_key", &field_key, true), "field_key");
            if published_keys.contains(&field_key) {
                key_input.kind = "readonly";
                key_input.hint = Some(i.t("admin.hint.field_key_published"));
            }
            inputs.push(key_input);
            inputs.push(i.text(&at("label_th"), "label_th", &text_of(&label, "th"), true));
            inputs.push(i.text(&at("label_en"), "label_en", &text_of(&label, "en"), true));
            inputs.push(i.make(&at("help_th"), "help_th", "textarea", text_of(&help, "th"), false));
            inputs.push(i.make(&at("help_en"), "help_en", "textarea", text_of(&help, "en"), false));
            if kind != "section" {
                inputs.push(i.check(&at("required"), "required", f.get("required").and_then(Value::as_bool).unwrap_or(false)));
            }
            match kind.as_str() {
                "text" | "long_text" => {
                    inputs.push(i.make(&at("min_length"), "min_length", "number_any", string_at(f, "min_length"), false));
                    inputs.push(i.make(&at("max_length"), "max_length", "number_any", string_at(f, "max_length"), false));
                    if kind == "text" {
                        inputs.push(i.hinted(i.text(&at("pattern"), "pattern", &string_at(f, "pattern"), false), "pattern"));
                    }
                }
                "number" => {
                    inputs.push(i.make(&at("min"), "min", "number_any", string_at(f, "min"), false));
                    inputs.push(i.make(&at("max"), "max", "number_any", string_at(f, "max"), false));
                    inputs.push(i.make(&at("decimals"), "decimals", "number_any", string_at(f, "decimals"), false));
                }
                "date" => {
                    inputs.push(i.hinted(i.text(&at("min"), "min_date", &string_at(f, "min"), false), "iso_date"));
                    inputs.push(i.hinted(i.text(&at("max"), "max_date", &string_at(f, "max"), false), "iso_date"));
                }
                "choice" => {
                    let style = string_at(f, "style");
                    let mut select = i.make(&at("style"), "style", "select", style.clone(), false);
                    select.options = ["select", "radio", "checkboxes"]
                        .iter()
                        .map(|s| Opt { value: (*s).to_owned(), label: i.t(&format!("admin.builder.style_{s}")), selected: style == *s || (style.is_empty() && *s == "select") })
                        .collect();
                    inputs.push(select);
                    let options = f
                        .get("options")
                        .and_then(Value::as_array)
                        .map(|opts| opts.iter().map(|o| format!("{} | {} | {}", string_at(o, "key"), text_of(&o["label"], "th"), text_of(&o["label"], "en"))).collect::<Vec<_>>().join("\n"))
                        .unwrap_or_default();
                    inputs.push(i.hinted(i.make(&at("options"), "options", "textarea", options, true), "options"));
                    inputs.push(i.make(&at("min_selections"), "min_selections", "number_any", string_at(f, "min_selections"), false));
                    inputs.push(i.make(&at("max_selections"), "max_selections", "number_any", string_at(f, "max_selections"), false));
                }
                "file" => {
                    let mb = f.get("max_bytes").and_then(Value::as_u64).map(|b| format!("{:.1}", b as f64 / (1024.0 * 1024.0))).unwrap_or_default();
                    inputs.push(i.hinted(i.make(&at("max_mb"), "max_mb", "number_any", mb, false), "max_mb"));
                    inputs.push(i.make(&at("min_count"), "min_count", "number_any", string_at(f, "min_count"), false));
                    inputs.push(i.make(&at("max_count"), "max_count", "number_any", string_at(f, "max_count"), false));
                }
                _ => {}
            }
            let kind_type = TYPES.iter().find(|t| t.as_str() == kind).copied();
            if let Some(t) = kind_type.filter(|t| t.takes_value()) {
                let chosen = string_at(f, "prefill");
                let fitting: Vec<&(&str, Prefill)> = PREFILLS.iter().filter(|(_, p)| p.fits(t)).collect();
                if !fitting.is_empty() {
                    let mut prefill = i.make(&at("prefill"), "prefill", "select", chosen.clone(), false);
                    prefill.options = std::iter::once(Opt { value: String::new(), label: i.t("admin.builder.no_prefill"), selected: chosen.is_empty() })
                        .chain(fitting.iter().map(|(name, _)| Opt { value: (*name).to_owned(), label: i.t(&format!("admin.builder.prefill_{name}")), selected: chosen == *name }))
                        .collect();
                    inputs.push(prefill);
                }
            }
            // Show-if: only on an earlier choice field.
            let rule = f.get("show_when").cloned().unwrap_or(Value::Null);
            let rule_field = string_at(&rule, "field");
            let rule_values = match (rule.get("equals"), rule.get("one_of")) {
                (Some(Value::String(v)), _) => v.clone(),
                (_, Some(Value::Array(vs))) => vs.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
                _ => String::new(),
            };
            let mut when = i.hinted(i.make(&at("show_when_field"), "show_when_field", "select", rule_field.clone(), false), "show_when");
            when.options = std::iter::once(Opt { value: String::new(), label: i.t("admin.builder.always"), selected: rule_field.is_empty() })
                .chain(choice_fields.iter().filter(|(m, _)| *m < n).map(|(_, k)| Opt { value: k.clone(), label: k.clone(), selected: *k == rule_field }))
                .collect();
            inputs.push(when);
            inputs.push(i.hinted(i.text(&at("show_when_values"), "show_when_values", &rule_values, false), "show_when_values"));
            for input in &mut inputs {
                input.id = format!("{}-{n}", input.id);
            }
            let accepted: Vec<String> = f.get("accept").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect()).unwrap_or_default();
            let accept = if kind == "file" {
                FILE_TYPES.iter().map(|(mime, name)| Opt { value: (*mime).to_owned(), label: (*name).to_owned(), selected: accepted.is_empty() || accepted.iter().any(|a| a == mime) }).collect()
            } else {
                Vec::new()
            };
            FieldCard {
                index: n,
                used_by: fields
                    .iter()
                    .filter(|other| other.get("show_when").and_then(|w| w.get("field")).and_then(Value::as_str) == Some(field_key.as_str()))
                    .map(|other| string_at(other, "key"))
                    .collect::<Vec<_>>()
                    .join(", "),
                key: field_key,
                kind_label: i.t(&format!("admin.builder.type_{kind}")),
                kind,
                label: pick(&label),
                first: n == 0,
                last: n + 1 == count,
                problems: by_field(n),
                inputs,
                accept,
            }
        })
        .collect();
    let title = schema.get("title").cloned().unwrap_or(Value::Null);
    let description = schema.get("description").cloned().unwrap_or(Value::Null);
    let form_inputs = vec![
        Inputs { state, lang, refusal: &shown }.text("form.title_th", "form_title_th", &text_of(&title, "th"), true),
        i.text("form.title_en", "form_title_en", &text_of(&title, "en"), true),
        i.make("form.description_th", "description_th", "textarea", text_of(&description, "th"), false),
        i.make("form.description_en", "description_en", "textarea", text_of(&description, "en"), false),
    ];
    let mut new_type = i.make("new.type", "field_type", "select", "text", true);
    new_type.options = TYPES.iter().map(|t| Opt { value: t.as_str().into(), label: i.t(&format!("admin.builder.type_{}", t.as_str())), selected: *t == FieldType::Text }).collect();
    let new_field = vec![
        new_type,
        i.hinted(i.text("new.key", "field_key", "", true), "field_key"),
        i.text("new.label_th", "label_th", "", true),
        i.text("new.label_en", "label_en", "", true),
    ];
    let preview = FormSchema::from_json(&schema.to_string()).ok().map(|s| Preview::of(lang, &s));
    let page = BuilderPage {
        me: me(state, &can.who).await,
        done,
        error,
        revision: settings.revision.clone(),
        key: key.to_owned(),
        published: published.map(|f| f.version),
        draft_saved,
        summary: shown.summary.clone(),
        form_inputs,
        fields: cards,
        new_field,
        confirm_delete,
        json: serde_json::to_string_pretty(&schema).unwrap_or_default(),
        publishable: preview.is_some(),
        preview,
        preview_problems: Vec::new(),
    };
    render(state, tenant, lang, &format!("/staff/settings/forms/{key}"), "staff/form_builder.html", status, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BuilderQuery {
    done: String,
    /// From the "new form" box: `/staff/settings/forms/new?key=…`.
    key: String,
}

async fn page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    Path(key): Path<String>,
    Query(q): Query<BuilderQuery>,
) -> Result<Response, AppError> {
    if key == "new" {
        let wanted = q.key.trim();
        return Ok(if store::tenant_dir::is_key(wanted) && wanted != "new" {
            Redirect::to(&format!("/staff/settings/forms/{wanted}")).into_response()
        } else {
            Redirect::to("/staff/settings/services#forms").into_response()
        });
    }
    if !store::tenant_dir::is_key(&key) {
        return Err(AppError::NotFound);
    }
    let done = done_key(&Done { done: q.done });
    render_builder(&state, &tenant, lang, &can, &key, done, None, None, None).await
}

/// A number field left empty is no limit; anything else must be a number.
fn number(text: &str) -> Result<Option<Value>, ()> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(n) = t.parse::<u64>() {
        return Ok(Some(json!(n)));
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite()).map(|n| Some(json!(n))).ok_or(())
}

fn set_or_remove(object: &mut Map<String, Value>, name: &str, value: Option<Value>) {
    match value {
        Some(v) => {
            object.insert(name.to_owned(), v);
        }
        None => {
            object.remove(name);
        }
    }
}

/// A field after the admin's edit of it: what the card posted, over what it was (attributes the
/// card does not show are kept).
fn edited_field(f: &Posted, before: &Value, published_key: bool) -> Result<Value, Vec<Problem>> {
    let mut object = before.as_object().cloned().unwrap_or_default();
    let kind = string_at(before, "type");
    let get = |part: &str| f.get(&format!("f.{part}"));
    let mut problems = Vec::new();
    if !published_key {
        object.insert("key".into(), json!(get("key").trim()));
    }
    object.insert("label".into(), json!({ "th": get("label_th").trim(), "en": get("label_en").trim() }));
    let (help_th, help_en) = (get("help_th").trim().to_owned(), get("help_en").trim().to_owned());
    set_or_remove(&mut object, "help", (!help_th.is_empty() || !help_en.is_empty()).then(|| json!({ "th": help_th, "en": help_en })));
    if kind != "section" {
        set_or_remove(&mut object, "required", f.has("f.required").then(|| json!(true)));
    }
    let numeric = |object: &mut Map<String, Value>, problems: &mut Vec<Problem>, part: &str| match number(&get(part)) {
        Ok(v) => set_or_remove(object, part, v),
        Err(()) => problems.push(Problem::new(format!("f.{part}"), "must be a number")),
    };
    match kind.as_str() {
        "text" | "long_text" => {
            numeric(&mut object, &mut problems, "min_length");
            numeric(&mut object, &mut problems, "max_length");
            if kind == "text" {
                let pattern = get("pattern").trim().to_owned();
                set_or_remove(&mut object, "pattern", (!pattern.is_empty()).then(|| json!(pattern)));
            }
        }
        "number" => {
            numeric(&mut object, &mut problems, "min");
            numeric(&mut object, &mut problems, "max");
            numeric(&mut object, &mut problems, "decimals");
        }
        "date" => {
            for part in ["min", "max"] {
                let v = get(part).trim().to_owned();
                set_or_remove(&mut object, part, (!v.is_empty()).then(|| json!(v)));
            }
        }
        "choice" => {
            let style = get("style");
            set_or_remove(&mut object, "style", (!style.is_empty() && style != "select").then(|| json!(style)));
            let mut options = Vec::new();
            for (line_no, line) in get("options").lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
                let parts: Vec<&str> = line.split('|').map(str::trim).collect();
                match parts.as_slice() {
                    [key, th, en] => options.push(json!({ "key": key, "label": { "th": th, "en": en } })),
                    [key, th] => options.push(json!({ "key": key, "label": { "th": th, "en": th } })),
                    _ => problems.push(Problem::new("f.options", format!("line {}: write key | ไทย | English", line_no + 1))),
                }
            }
            object.insert("options".into(), Value::Array(options));
            numeric(&mut object, &mut problems, "min_selections");
            numeric(&mut object, &mut problems, "max_selections");
        }
        "file" => {
            let accept: Vec<Value> = f.0.iter().filter(|(k, _)| k == "f.accept").map(|(_, v)| json!(v)).collect();
            set_or_remove(&mut object, "accept", (!accept.is_empty() && accept.len() < FILE_TYPES.len()).then(|| Value::Array(accept)));
            match get("max_mb").trim() {
                "" => {
                    object.remove("max_bytes");
                }
                mb => match mb.parse::<f64>().ok().filter(|m| m.is_finite() && *m > 0.0) {
                    Some(m) => {
                        object.insert("max_bytes".into(), json!((m * 1024.0 * 1024.0).round() as u64));
                    }
                    None => problems.push(Problem::new("f.max_mb", "must be a number")),
                },
            }
            numeric(&mut object, &mut problems, "min_count");
            numeric(&mut object, &mut problems, "max_count");
        }
        _ => {}
    }
    if object.contains_key("prefill") || f.has("f.prefill") {
        let prefill = get("prefill");
        set_or_remove(&mut object, "prefill", (!prefill.is_empty()).then(|| json!(prefill)));
    }
    let when_field = get("show_when_field");
    let values: Vec<String> = get("show_when_values").split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect();
    let rule = match (when_field.trim(), values.as_slice()) {
        ("", _) => None,
        (field, [one]) => Some(json!({ "field": field, "equals": one })),
        (field, many) => Some(json!({ "field": field, "one_of": many })),
    };
    set_or_remove(&mut object, "show_when", rule);
    if problems.is_empty() { Ok(Value::Object(object)) } else { Err(problems) }
}

fn fields_mut(schema: &mut Value) -> &mut Vec<Value> {
    if !schema.get("fields").is_some_and(Value::is_array) {
        schema["fields"] = json!([]);
    }
    schema["fields"].as_array_mut().expect("made an array above")
}

/// A key not yet used by a field of the form: `base_copy`, `base_copy_2`…
fn unused_key(fields: &[Value], base: &str) -> String {
    let taken = |k: &str| fields.iter().any(|f| string_at(f, "key") == k);
    let first = format!("{base}_copy");
    if !taken(&first) {
        return first;
    }
    (2..).map(|n| format!("{base}_copy_{n}")).find(|k| !taken(k)).unwrap_or(first)
}

enum Outcome {
    /// Saved: back to the builder with a confirmation.
    Saved(&'static str),
    /// Refused: the builder again with these problems (at the card's inputs).
    Refused(Vec<Problem>),
    /// The field's delete waits for a confirmation.
    Confirm(usize),
    Published,
}

async fn act(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    Path(key): Path<String>,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = Posted(pairs);
    check_csrf(&can.who, &f.get("csrf_token"))?;
    if !store::tenant_dir::is_key(&key) || key == "new" {
        return Err(AppError::NotFound);
    }
    let (settings, mut schema, _) = current(&state, &can, &key, lang).await?;
    let published_keys: Vec<String> = settings
        .bundle
        .services
        .forms
        .iter()
        .find(|form| form.key == key)
        .and_then(|form| serde_json::from_str::<FormSchema>(&form.json).ok())
        .map(|s| s.fields.into_iter().map(|f| f.key).collect())
        .unwrap_or_default();
    let index = f.get("field").trim().parse::<usize>().ok();
    let outcome = {
        let fields = fields_mut(&mut schema);
        let at = |n: Option<usize>| n.filter(|n| *n < fields.len()).ok_or(AppError::BadRequest);
        match f.get("op").as_str() {
            "save_form" => {
                schema["title"] = json!({ "th": f.get("form.title_th").trim(), "en": f.get("form.title_en").trim() });
                let (th, en) = (f.get("form.description_th").trim().to_owned(), f.get("form.description_en").trim().to_owned());
                let object = schema.as_object_mut().ok_or(AppError::BadRequest)?;
                set_or_remove(object, "description", (!th.is_empty() || !en.is_empty()).then(|| json!({ "th": th, "en": en })));
                Outcome::Saved("builder_saved")
            }
            "save_field" => {
                let n = at(index)?;
                let published = published_keys.contains(&string_at(&fields[n], "key"));
                match edited_field(&f, &fields[n], published) {
                    Ok(field) => {
                        fields[n] = field;
                        Outcome::Saved("builder_saved")
                    }
                    Err(problems) => Outcome::Refused(problems),
                }
            }
            "add_field" => {
                let kind = f.get("new.type");
                let new_key = f.get("new.key").trim().to_owned();
                let mut problems = Vec::new();
                if !TYPES.iter().any(|t| t.as_str() == kind) {
                    problems.push(Problem::new("new.type", "is not one of the field types"));
                }
                if !store::tenant_dir::is_key(&new_key) {
                    problems.push(Problem::new("new.key", "must start with a-z and contain only a-z, 0-9 and '_' (at most 64)"));
                } else if fields.iter().any(|f| string_at(f, "key") == new_key) {
                    problems.push(Problem::new("new.key", "duplicates the key of another field"));
                }
                if problems.is_empty() {
                    let mut field = json!({ "key": new_key, "type": kind, "label": { "th": f.get("new.label_th").trim(), "en": f.get("new.label_en").trim() } });
                    if kind == "choice" {
                        field["options"] = json!([
                            { "key": "yes", "label": { "th": "ใช่", "en": "Yes" } },
                            { "key": "no", "label": { "th": "ไม่ใช่", "en": "No" } }
                        ]);
                    }
                    fields.push(field);
                    Outcome::Saved("builder_added")
                } else {
                    Outcome::Refused(problems)
                }
            }
            "duplicate" => {
                let n = at(index)?;
                let mut copy = fields[n].clone();
                copy["key"] = json!(unused_key(fields, &string_at(&fields[n], "key")));
                fields.insert(n + 1, copy);
                Outcome::Saved("builder_added")
            }
            "up" | "down" => {
                let n = at(index)?;
                let to = if f.get("op") == "up" { n.checked_sub(1) } else { Some(n + 1) };
                let to = to.filter(|t| *t < fields.len()).ok_or(AppError::BadRequest)?;
                fields.swap(n, to);
                Outcome::Saved("builder_saved")
            }
            "delete" => {
                let n = at(index)?;
                let field_key = string_at(&fields[n], "key");
                let used = fields.iter().any(|o| o.get("show_when").and_then(|w| w.get("field")).and_then(Value::as_str) == Some(field_key.as_str()));
                if used && !f.has("confirm") {
                    Outcome::Confirm(n)
                } else {
                    fields.remove(n);
                    Outcome::Saved("builder_deleted")
                }
            }
            "import" => match serde_json::from_str::<Value>(&f.get("json")) {
                Ok(Value::Object(mut object)) => {
                    object.insert("key".into(), json!(key));
                    schema = Value::Object(object);
                    Outcome::Saved("builder_imported")
                }
                _ => Outcome::Refused(vec![Problem::new("json", "is not a JSON object")]),
            },
            "discard" => {
                admin::discard_draft(&state.app, &can.granted, &key).await.map_err(|e| super::app_error(e, lang))?;
                return Ok(Redirect::to(&format!("/staff/settings/forms/{key}?done=builder_discarded")).into_response());
            }
            "preview_field" => {
                // Nothing is saved: the form with this field as typed, drawn as the citizen sees it.
                let n = at(index)?;
                let published = published_keys.contains(&string_at(&fields[n], "key"));
                let mut preview_problems = Vec::new();
                match edited_field(&f, &fields[n], published) {
                    Ok(field) => fields[n] = field,
                    Err(problems) => preview_problems.extend(problems.into_iter().map(|p| format!("{}: {}", p.field, p.message))),
                }
                let checked = FormSchema::from_json(&schema.to_string());
                let preview = checked.as_ref().ok().map(|s| Preview::of(lang, s));
                if let Err(errors) = checked {
                    preview_problems.extend(errors.into_iter().map(|e| format!("{}: {}", e.field, e.message)));
                }
                let fragment = PreviewFragment { preview, preview_problems };
                let path = format!("/staff/settings/forms/{key}");
                let html = state.views.page("staff/form_preview.html", &crate::render::PageCtx::new(lang, &path, Some(&tenant)), &fragment)?;
                return Ok(([(header::CACHE_CONTROL, "no-store")], html).into_response());
            }
            "publish" => Outcome::Published,
            _ => return Err(AppError::BadRequest),
        }
    };
    match outcome {
        Outcome::Saved(done) => {
            schema["key"] = json!(key);
            let json = serde_json::to_string(&schema).map_err(|e| AppError::Internal(e.into()))?;
            match admin::save_draft(&state.app, &can.granted, &key, &json).await {
                Ok(()) => {
                    let anchor = match (f.get("op").as_str(), index) {
                        ("save_field" | "up" | "down" | "duplicate", Some(n)) => format!("#field-{n}"),
                        ("add_field", _) => "#fields".to_owned(),
                        _ => String::new(),
                    };
                    Ok(Redirect::to(&format!("/staff/settings/forms/{key}?done={done}{anchor}")).into_response())
                }
                Err(e) => {
                    let failure = refused(&state, lang, e, |_| state.views.t(lang, "admin.forms.json"))?;
                    render_builder(&state, &tenant, lang, &can, &key, None, Some(failure), None, None).await
                }
            }
        }
        Outcome::Refused(problems) => {
            // The card's inputs are named `f.<part>`; their ids carry the field's number.
            let mut r = refusal(&state, lang, &problems, |field| field.to_owned());
            if let Some(n) = index {
                for link in &mut r.summary {
                    if link.target.starts_with("f-f-") {
                        link.target = format!("{}-{n}", link.target);
                    }
                }
            }
            let at_field = index.filter(|_| f.get("op") == "save_field");
            render_builder(&state, &tenant, lang, &can, &key, None, Some((StatusCode::UNPROCESSABLE_ENTITY, r, None)), None, at_field).await
        }
        Outcome::Confirm(n) => render_builder(&state, &tenant, lang, &can, &key, None, None, Some(n), None).await,
        Outcome::Published => {
            let json = schema.to_string();
            match admin::publish_form(&state.app, &can.granted, &f.get("revision"), &key, &json).await {
                Ok(_) => {
                    state.tenants.invalidate_all();
                    Ok(Redirect::to(&format!("/staff/settings/forms/{key}?done=form")).into_response())
                }
                Err(AdminError::Invalid(problems)) => {
                    let r = refusal(&state, lang, &problems, |field| field.to_owned());
                    render_builder(&state, &tenant, lang, &can, &key, None, Some((StatusCode::UNPROCESSABLE_ENTITY, r, None)), None, None).await
                }
                Err(e) => {
                    let failure = refused(&state, lang, e, |_| state.views.t(lang, "admin.forms.json"))?;
                    render_builder(&state, &tenant, lang, &can, &key, None, Some(failure), None, None).await
                }
            }
        }
    }
}

/// The published form as `<key>.json`, to keep or to edit elsewhere and import back.
async fn export(State(state): State<AppState>, RequestLang(lang): RequestLang, can: Can<ConfigureTenant>, Path(key): Path<String>) -> Result<Response, AppError> {
    let json = admin::form_json(&state.app, &can.granted, &key).await.map_err(|e| super::app_error(e, lang))?;
    let disposition = format!("attachment; filename=\"{key}.json\"");
    Ok(([(header::CONTENT_TYPE, "application/json".to_owned()), (header::CONTENT_DISPOSITION, disposition)], json).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_gets_a_key_no_field_has() {
        let fields = vec![json!({ "key": "phone" }), json!({ "key": "phone_copy" })];
        assert_eq!(unused_key(&fields, "phone"), "phone_copy_2");
        assert_eq!(unused_key(&fields, "email"), "email_copy");
    }

    #[test]
    fn problems_are_placed_at_their_field() {
        assert_eq!(field_index("fields[3].label.th"), Some(3));
        assert_eq!(field_index("fields[12]"), Some(12));
        assert_eq!(field_index("title"), None);
    }

    #[test]
    fn a_card_edit_keeps_what_it_does_not_show_and_writes_a_show_if_rule() {
        let before = json!({ "key": "plans", "type": "file", "label": { "th": "แบบ", "en": "Plans" }, "max_bytes": 1048576 });
        let posted = Posted(
            [
                ("f.key", "plans"),
                ("f.label_th", "แบบแปลน"),
                ("f.label_en", "Plans"),
                ("f.required", "1"),
                ("f.accept", "application/pdf"),
                ("f.max_mb", "2"),
                ("f.max_count", "3"),
                ("f.show_when_field", "work_type"),
                ("f.show_when_values", "construct, alter"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        );
        let after = edited_field(&posted, &before, false).expect("valid");
        assert_eq!(after["label"]["th"], "แบบแปลน");
        assert_eq!(after["required"], true);
        assert_eq!(after["accept"], json!(["application/pdf"]));
        assert_eq!(after["max_bytes"], 2 * 1024 * 1024);
        assert_eq!(after["max_count"], 3);
        assert_eq!(after["show_when"], json!({ "field": "work_type", "one_of": ["construct", "alter"] }));
        let posted = Posted(vec![("f.key".into(), "renamed".into()), ("f.max_count".into(), "many".into())]);
        let problems = edited_field(&posted, &before, true).expect_err("not a number");
        assert_eq!(problems[0].field, "f.max_count");
        let posted = Posted(vec![("f.key".into(), "renamed".into())]);
        assert_eq!(edited_field(&posted, &before, true).expect("valid")["key"], "plans", "a published field keeps its key");
    }
}
