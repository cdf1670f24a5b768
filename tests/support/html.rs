//! Reading a page the way a citizen does: what the error summary lists.

/// The targets of the links in the error summary, in order (empty when there is none).
pub fn summary_links(page: &str) -> Vec<String> {
    let Some(start) = page.find(r#"data-testid="error-summary""#) else { return Vec::new() };
    let end = page[start..].find("</div>").map_or(page.len(), |e| e + start);
    page[start..end].split(r#"<a href=""#).skip(1).filter_map(|s| s.split('"').next()).map(str::to_owned).collect()
}

