//! A refused service form's issues as the page shows them: each message under its field, naming
//! the field when it was left empty, and the error summary linking to the input at fault.

use domain::form::{Field, FieldIssue, FieldType, FormSchema, Limit};
use domain::locale::{Lang, format_date};
use std::collections::HashMap;

use crate::form_errors::{Answer, ErrorLink, required_message};
use crate::render::Views;

/// The parts of an address chosen from a list rather than typed.
const ADDRESS_LISTS: [&str; 3] = ["province", "district", "sub_district"];

/// What the page needs of the issues: messages per field key and the summary in form order.
pub struct Shown {
    pub messages: HashMap<String, Vec<String>>,
    /// Per address field, the parts that are wrong (`postcode`, `province`, …).
    pub parts: HashMap<String, Vec<String>>,
    pub summary: Vec<ErrorLink>,
}

/// The `id` of the input an issue at `path` (`key`, `key.part` or `key[i]`) is about.
pub fn input_id(path: &str) -> String {
    let key = path.split(['.', '[']).next().unwrap_or(path);
    match path.strip_prefix(key).and_then(|rest| rest.strip_prefix('.')) {
        Some(part) => format!("f-{key}-{part}"),
        None => format!("f-{key}"),
    }
}

pub fn shown(views: &Views, lang: Lang, schema: &FormSchema, issues: &[FieldIssue]) -> Shown {
    let mut out = Shown { messages: HashMap::new(), parts: HashMap::new(), summary: Vec::new() };
    for field in &schema.fields {
        let label = field.label.get(lang);
        for issue in issues.iter().filter(|i| i.key() == field.key) {
            let part = issue.field.strip_prefix(&format!("{}.", field.key));
            let message = message(views, lang, field, part, issue.code);
            if let Some(part) = part {
                out.parts.entry(field.key.clone()).or_default().push(part.to_owned());
            }
            out.summary.push(ErrorLink::labelled(input_id(&issue.field), label, &message));
            out.messages.entry(field.key.clone()).or_default().push(message);
        }
    }
    // An issue at a key the form does not have (sent by hand): listed, with nowhere to go.
    for issue in issues.iter().filter(|i| !schema.fields.iter().any(|f| f.key == i.key())) {
        out.summary.push(ErrorLink::new("", views.t(lang, &format!("form_error.{}", issue.code))));
    }
    out
}

fn message(views: &Views, lang: Lang, field: &Field, part: Option<&str>, code: &str) -> String {
    if field.kind == FieldType::Date {
        if let Some(said) = date_message(views, lang, field, code) {
            return said;
        }
    }
    if code != domain::form::code::REQUIRED {
        return views.t(lang, &format!("form_error.{code}"));
    }
    let (answer, label) = match (field.kind, part) {
        (FieldType::ThaiAddress, Some(part)) => {
            let answer = if ADDRESS_LISTS.contains(&part) { Answer::Choose } else { Answer::Type };
            (answer, views.t(lang, &format!("services.address.{part}")))
        }
        (FieldType::Choice, _) => (Answer::Choose, field.label.get(lang).to_owned()),
        (FieldType::File, _) => (Answer::Attach, field.label.get(lang).to_owned()),
        _ => (Answer::Type, field.label.get(lang).to_owned()),
    };
    required_message(views, lang, answer, &label)
}

/// A date's problems in the words of its three inputs: the era to type, the range it must be in.
fn date_message(views: &Views, lang: Lang, field: &Field, code: &str) -> Option<String> {
    let day = |l: &Option<Limit>| match l {
        Some(Limit::Date(d)) => Some(format_date(*d, lang)),
        _ => None,
    };
    match code {
        domain::form::code::INVALID_DATE => Some(views.t(lang, "services.date.invalid")),
        domain::form::code::OUT_OF_RANGE => {
            let (min, max) = (day(&field.min)?, day(&field.max)?);
            Some(views.t(lang, "services.date.range").replace("{min}", &min).replace("{max}", &max))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::input_id;

    #[test]
    fn an_issue_points_at_its_input() {
        assert_eq!(input_id("phone"), "f-phone");
        assert_eq!(input_id("premises_address.postcode"), "f-premises_address-postcode");
        assert_eq!(input_id("photos[1]"), "f-photos");
    }
}
