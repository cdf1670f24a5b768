//! A form schema as the page shows it: one view per field with its label, help, current value(s),
//! options and error, in the citizen's language; prefilled from the account on first show.

use domain::form::{Field, FieldIssue as FormIssue, FieldType, FileType, FormSchema, Limit, Prefill};
use domain::locale::Lang;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use store::citizens::Citizen;
use store::services::{FormVersion, ItemInCategory};

use crate::accounts::csrf::CsrfToken;
use crate::accounts::registration::address::{AddressChoices, Choice};
use crate::accounts::session::CurrentCitizen;
use crate::form_errors::ErrorLink;
use crate::services::staging::Staged;
use crate::state::AppState;

/// What a refused attempt brings back to the page.
pub struct Again<'a> {
    pub pairs: &'a [(String, String)],
    pub idempotency_key: &'a str,
    pub issues: &'a [FormIssue],
    /// The form was published again meanwhile.
    pub stale: bool,
    /// Per file field, the files kept from the attempt.
    pub staged: BTreeMap<String, Vec<Staged>>,
}

#[derive(Serialize)]
pub struct FormPage {
    csrf_token: String,
    item_key: String,
    category: String,
    title: String,
    form_title: String,
    description: Option<String>,
    version: u32,
    idempotency_key: String,
    fields: Vec<FieldView>,
    /// The form was published again while the citizen filled it in.
    stale: bool,
    /// The error summary: one link per issue, in the order of the form.
    summary: Vec<ErrorLink>,
    identity_status: String,
    identity_label: String,
}

#[derive(Serialize)]
struct OptionView {
    key: String,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct AddressView {
    house_no: String,
    village: String,
    road: String,
    postcode: String,
    provinces: Vec<Choice>,
    districts: Vec<Choice>,
    sub_districts: Vec<Choice>,
    /// The parts at fault: `province`, `postcode`, …
    invalid: Vec<String>,
}

#[derive(Serialize)]
struct FieldView {
    key: String,
    kind: &'static str,
    style: &'static str,
    label: String,
    help: Option<String>,
    required: bool,
    value: String,
    options: Vec<OptionView>,
    address: Option<AddressView>,
    /// A date's day, month and year inputs (พ.ศ. in Thai).
    date: Option<super::date_input::DateView>,
    min: Option<String>,
    max: Option<String>,
    min_length: Option<u32>,
    max_length: Option<u32>,
    pattern: Option<String>,
    accept: String,
    /// The accepted types as people name them: "JPG, PNG, PDF".
    accept_names: String,
    max_mb: String,
    max_count: u32,
    /// `field=key1,key2`: the field is shown when `field` has one of the keys.
    show_when: Option<String>,
    show_when_field: Option<String>,
    show_when_values: Vec<String>,
    errors: Vec<String>,
    /// The ids of the messages and the help under the label: `e-<key> h-<key>`.
    describedby: String,
    staged: Vec<Staged>,
}

fn text(lang: Lang, t: &domain::form::Text) -> String {
    t.get(lang).to_owned()
}

fn limit(l: &Option<Limit>) -> Option<String> {
    l.map(|l| match l {
        Limit::Number(n) => n.to_string(),
        Limit::Date(d) => d.to_string(),
    })
}

/// What a page holds for a field: a plain value or a list (checkboxes), and an address's parts.
#[derive(Default)]
struct Values<'a> {
    plain: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Values<'a> {
    fn of(pairs: &'a [(String, String)]) -> Self {
        let mut plain: HashMap<&str, Vec<&str>> = HashMap::new();
        for (k, v) in pairs {
            plain.entry(k.as_str()).or_default().push(v.as_str());
        }
        Self { plain }
    }

    fn one(&self, name: &str) -> String {
        self.plain.get(name).and_then(|v| v.first()).map(|s| (*s).to_owned()).unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.plain.get(name).cloned().unwrap_or_default()
    }
}

fn prefilled(citizen: &Citizen, field: &Field) -> Vec<(String, String)> {
    let key = &field.key;
    let one = |v: String| vec![(key.clone(), v)];
    match field.prefill {
        None => Vec::new(),
        Some(Prefill::Title) => one(citizen.title.clone()),
        Some(Prefill::FirstName) => one(citizen.first_name.clone()),
        Some(Prefill::LastName) => one(citizen.last_name.clone()),
        Some(Prefill::FullName) => one(format!("{}{} {}", citizen.title, citizen.first_name, citizen.last_name)),
        Some(Prefill::NationalId) => one(citizen.national_id.clone()),
        Some(Prefill::BirthDate) => one(citizen.birth_date.to_string()),
        Some(Prefill::Email) => one(citizen.email.clone()),
        Some(Prefill::Phone) => one(citizen.phone.clone()),
        Some(Prefill::Address) => vec![
            (format!("{key}.house_no"), citizen.house_no.clone()),
            (format!("{key}.village"), citizen.village.clone()),
            (format!("{key}.road"), citizen.road.clone()),
            (format!("{key}.province"), citizen.province_code.to_string()),
            (format!("{key}.district"), citizen.district_code.to_string()),
            (format!("{key}.sub_district"), citizen.sub_district_code.to_string()),
            (format!("{key}.postcode"), citizen.postcode.clone()),
        ],
    }
}

impl FormPage {
    /// The first show: account data in the prefilled fields, a new idempotency key.
    pub fn fresh(
        state: &AppState,
        lang: Lang,
        csrf: &CsrfToken,
        me: &CurrentCitizen,
        item: &ItemInCategory,
        form: &FormVersion,
    ) -> Self {
        let pairs: Vec<(String, String)> = form.schema.fields.iter().flat_map(|f| prefilled(&me.citizen, f)).collect();
        let key = access::token::new_token();
        let first = Again { pairs: &pairs, idempotency_key: &key, issues: &[], stale: false, staged: BTreeMap::new() };
        Self::build(state, lang, csrf, me, item, form, first)
    }

    /// After a refused submission: every value as sent, the same idempotency key, the issues,
    /// the files kept from this attempt.
    pub fn again(
        state: &AppState,
        lang: Lang,
        csrf: &CsrfToken,
        me: &CurrentCitizen,
        item: &ItemInCategory,
        form: &FormVersion,
        again: Again<'_>,
    ) -> Self {
        Self::build(state, lang, csrf, me, item, form, again)
    }

    fn build(
        state: &AppState,
        lang: Lang,
        csrf: &CsrfToken,
        me: &CurrentCitizen,
        item: &ItemInCategory,
        form: &FormVersion,
        again: Again<'_>,
    ) -> Self {
        let Again { pairs, idempotency_key, issues, stale, mut staged } = again;
        let values = Values::of(pairs);
        let schema: &FormSchema = &form.schema;
        let super::issues::Shown { mut messages, mut parts, summary } = super::issues::shown(&state.views, lang, schema, issues);
        let fields = schema
            .fields
            .iter()
            .map(|f| {
                let mut view = field_view(lang, f, &values, messages.remove(&f.key).unwrap_or_default());
                if let Some(address) = view.address.as_mut() {
                    address.invalid = parts.remove(&f.key).unwrap_or_default();
                }
                view.staged = staged.remove(&f.key).unwrap_or_default();
                view
            })
            .collect();
        let pick = |th: &str, en: &str| match lang {
            Lang::Th => th.to_owned(),
            Lang::En => en.to_owned(),
        };
        Self {
            csrf_token: csrf.0.clone(),
            item_key: item.item.key.clone(),
            category: pick(&item.category.title_th, &item.category.title_en),
            title: pick(&item.item.title_th, &item.item.title_en),
            form_title: text(lang, &schema.title),
            description: schema.description.as_ref().map(|d| text(lang, d)),
            version: form.version,
            idempotency_key: idempotency_key.to_owned(),
            fields,
            stale,
            summary,
            identity_label: state.views.t(lang, &format!("identity_status.{}", me.citizen.identity_status)),
            identity_status: me.citizen.identity_status.clone(),
        }
    }
}

/// A form as a citizen would be shown it, empty, for the admin's preview before publishing: the
/// same field views and template as the citizen's own page.
#[derive(Serialize)]
pub struct Preview {
    title: String,
    description: Option<String>,
    fields: Vec<FieldView>,
}

impl Preview {
    pub fn of(lang: Lang, schema: &FormSchema) -> Self {
        let values = Values::of(&[]);
        Self {
            title: text(lang, &schema.title),
            description: schema.description.as_ref().map(|d| text(lang, d)),
            fields: schema.fields.iter().map(|f| field_view(lang, f, &values, Vec::new())).collect(),
        }
    }
}

fn field_view(lang: Lang, f: &Field, values: &Values<'_>, errors: Vec<String>) -> FieldView {
    let chosen = values.all(&f.key);
    let options = f
        .options
        .iter()
        .map(|o| OptionView {
            key: o.key.clone(),
            label: text(lang, &o.label),
            checked: chosen.contains(&o.key.as_str()),
        })
        .collect();
    let address = (f.kind == FieldType::ThaiAddress).then(|| {
        let part = |p: &str| values.one(&format!("{}.{p}", f.key));
        let choices = AddressChoices::new(lang, &part("province"), &part("district"), &part("sub_district"));
        AddressView {
            house_no: part("house_no"),
            village: part("village"),
            road: part("road"),
            postcode: part("postcode"),
            provinces: choices.provinces,
            districts: choices.districts,
            sub_districts: choices.sub_districts,
            invalid: Vec::new(),
        }
    });
    let date = (f.kind == FieldType::Date)
        .then(|| super::date_input::view(lang, |p| values.one(&format!("{}.{p}", f.key)), &values.one(&f.key)));
    let accept = f.accepted_types().iter().map(|t| t.mime()).collect::<Vec<_>>().join(",");
    let accept_names = f
        .accepted_types()
        .iter()
        .map(|t| match t {
            FileType::Jpeg => "JPG",
            FileType::Png => "PNG",
            FileType::WebP => "WebP",
            FileType::Pdf => "PDF",
        })
        .collect::<Vec<_>>()
        .join(", ");
    FieldView {
        key: f.key.clone(),
        kind: f.kind.as_str(),
        style: match f.style() {
            domain::form::ChoiceStyle::Select => "select",
            domain::form::ChoiceStyle::Radio => "radio",
            domain::form::ChoiceStyle::Checkboxes => "checkboxes",
        },
        label: text(lang, &f.label),
        help: f.help.as_ref().map(|h| text(lang, h)),
        required: f.required,
        value: values.one(&f.key),
        options,
        address,
        date,
        min: limit(&f.min),
        max: limit(&f.max),
        min_length: f.min_length,
        max_length: f.max_length,
        pattern: f.pattern.clone(),
        accept,
        accept_names,
        max_mb: format!("{:.1}", f.max_bytes() as f64 / (1024.0 * 1024.0)),
        max_count: f.max_count(),
        show_when: f.show_when.as_ref().map(|c| format!("{}={}", c.field, c.accepted().collect::<Vec<_>>().join(","))),
        show_when_field: f.show_when.as_ref().map(|c| c.field.clone()),
        show_when_values: f.show_when.as_ref().map(|c| c.accepted().map(str::to_owned).collect()).unwrap_or_default(),
        describedby: [(!errors.is_empty()).then(|| format!("e-{}", f.key)), f.help.as_ref().map(|_| format!("h-{}", f.key))]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        errors,
        staged: Vec::new(),
    }
}
