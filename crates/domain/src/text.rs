//! Characters a person's text must not carry. Bidirectional controls (U+202A–U+202E,
//! U+2066–U+2069, and the marks U+200E, U+200F, U+061C) reorder what is shown after them, so
//! `photo\u{202E}gpj.exe` reads as "photoexe.jpg": Thai and English never need them.

/// A control character, or a bidirectional control.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A file name as people see it: its last path segment without controls of either kind.
pub fn display_filename(raw: &str, max_chars: usize) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !is_unsafe(*c)).take(max_chars).collect();
    if clean.trim().is_empty() { "file".to_owned() } else { clean }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_to_left_override_cannot_disguise_an_extension() {
        assert_eq!(display_filename("photo\u{202E}gpj.exe", 200), "photogpj.exe");
        assert_eq!(display_filename("C:\\Users\\a\\\u{2066}รูป.jpg\u{2069}", 200), "รูป.jpg");
        assert_eq!(display_filename("\u{202E}", 200), "file");
        assert!(!is_unsafe('ก') && !is_unsafe(' ') && is_unsafe('\u{200F}') && is_unsafe('\n'));
    }
}
