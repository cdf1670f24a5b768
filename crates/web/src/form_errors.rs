//! The error summary every citizen form shows when it comes back refused (the GOV.UK pattern):
//! one link per wrong field, in the order of the form, each saying what is wrong with that field.

use domain::locale::Lang;
use serde::Serialize;

use crate::render::Views;

/// One line of the summary: the id of the wrong field (the link's target) and what is wrong.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ErrorLink {
    /// The `id` of the input to jump to; empty when the problem is not one field's.
    pub target: String,
    pub text: String,
}

impl ErrorLink {
    pub fn new(target: impl Into<String>, text: impl Into<String>) -> Self {
        Self { target: target.into(), text: text.into() }
    }

    /// "<label>: <message>", so that the line makes sense on its own, read out of context.
    pub fn labelled(target: impl Into<String>, label: &str, message: &str) -> Self {
        let text = if message.contains(label) { message.to_owned() } else { format!("{label}: {message}") };
        Self::new(target, text)
    }
}

/// How a field is answered, which decides the words of its "required" message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Type,
    Choose,
    Attach,
}

/// "กรุณากรอก<label>" / "กรุณาเลือก<label>" / "กรุณาแนบ<label>": the message of a required field
/// left empty, naming the field.
pub fn required_message(views: &Views, lang: Lang, answer: Answer, label: &str) -> String {
    let key = match answer {
        Answer::Type => "form.required_type",
        Answer::Choose => "form.required_choose",
        Answer::Attach => "form.required_attach",
    };
    views.t(lang, key).replace("{label}", label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_its_field_once() {
        assert_eq!(ErrorLink::labelled("f-email", "อีเมล", "ไม่ถูกต้อง").text, "อีเมล: ไม่ถูกต้อง");
        assert_eq!(ErrorLink::labelled("f-email", "อีเมล", "กรุณากรอกอีเมล").text, "กรุณากรอกอีเมล");
    }
}
