//! Reading a page the way a citizen does: what the error summary lists.

/// The targets of the links in the error summary, in order (empty when there is none).
pub fn summary_links(page: &str) -> Vec<String> {
    let Some(start) = page.find(r#"data-testid="error-summary""#) else { return Vec::new() };
    let end = page[start..].find("</div>").map_or(page.len(), |e| e + start);
    page[start..end].split(r#"<a href=""#).skip(1).filter_map(|s| s.split('"').next()).map(str::to_owned).collect()
}

/// Thai script in `page` outside what is marked `lang="th"` (the language switch, a tenant's Thai
/// name) and outside `own`, the texts the citizen typed: each run of Thai with some context.
/// The values of `<option>`s are codes a reader never sees, and are left out too.
pub fn thai_outside_marked(page: &str, own: &[&str]) -> Vec<String> {
    let mut text = without_option_values(&without_thai_elements(page));
    for o in own {
        text = text.replace(o, "");
    }
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_thai(chars[i]) {
            let end = (i..chars.len()).find(|&j| !is_thai(chars[j]) && chars[j] != ' ').unwrap_or(chars.len());
            let from = i.saturating_sub(40);
            found.push(chars[from..end.min(chars.len())].iter().collect());
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

fn without_option_values(page: &str) -> String {
    let mut parts = page.split(r#"<option value=""#);
    let mut out = parts.next().unwrap_or_default().to_owned();
    for part in parts {
        out.push_str(r#"<option value=""#);
        out.push_str(part.split_once('"').map_or(part, |(_, rest)| rest));
    }
    out
}

fn is_thai(c: char) -> bool {
    ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

/// `page` with every element carrying `lang="th"` removed, its content included.
fn without_thai_elements(page: &str) -> String {
    let mut out = page.to_owned();
    while let Some(attr) = out.find(r#" lang="th""#) {
        let Some(open) = out[..attr].rfind('<') else { break };
        let name: String = out[open + 1..].chars().take_while(char::is_ascii_alphanumeric).collect();
        let (opening, closing) = (format!("<{name}"), format!("</{name}>"));
        let mut depth = 0usize;
        let mut at = open;
        let end = loop {
            let next_open = out[at + 1..].find(&opening).map(|i| i + at + 1);
            let Some(next_close) = out[at + 1..].find(&closing).map(|i| i + at + 1) else { break out.len() };
            match next_open {
                Some(o) if o < next_close => {
                    depth += 1;
                    at = o;
                }
                _ if depth == 0 => break next_close + closing.len(),
                _ => {
                    depth -= 1;
                    at = next_close;
                }
            }
        };
        out.replace_range(open..end, "");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_is_found_only_outside_marked_elements_and_own_text() {
        let page = r#"<p>Hello <span lang="th">ภาษาไทย <b>ไทย</b></span> สมชาย</p><p>— เลือก —</p>"#;
        let found = thai_outside_marked(page, &["สมชาย"]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].ends_with("<p>— เลือก "), "{found:?}");
        assert!(thai_outside_marked("<a lang=\"th\" href=x>ไทย</a><a>x</a>", &[]).is_empty());
    }
}
