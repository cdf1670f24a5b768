//! What an upload really is, told from its first bytes and never from its name or the
//! browser's claim: the few types citizens may send (photos and PDF evidence).

/// A file type recognised from content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Jpeg,
    Png,
    WebP,
    Pdf,
}

impl Sniffed {
    pub fn mime(self) -> &'static str {
        match self {
            Sniffed::Jpeg => "image/jpeg",
            Sniffed::Png => "image/png",
            Sniffed::WebP => "image/webp",
            Sniffed::Pdf => "application/pdf",
        }
    }

    /// The extension to give the file when it is downloaded, whatever it was called on upload.
    pub fn extension(self) -> &'static str {
        match self {
            Sniffed::Jpeg => "jpg",
            Sniffed::Png => "png",
            Sniffed::WebP => "webp",
            Sniffed::Pdf => "pdf",
        }
    }

    pub fn is_image(self) -> bool {
        !matches!(self, Sniffed::Pdf)
    }
}

pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Sniffed::Jpeg)
    } else if bytes.starts_with(PNG) {
        Some(Sniffed::Png)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(Sniffed::WebP)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Sniffed::Pdf)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_type_by_its_signature() {
        let cases: [(&[u8], Sniffed, &str, &str); 4] = [
            (
                b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00",
                Sniffed::Jpeg,
                "image/jpeg",
                "jpg",
            ),
            (
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0DIHDR",
                Sniffed::Png,
                "image/png",
                "png",
            ),
            (
                b"RIFF\x24\x00\x00\x00WEBPVP8 ",
                Sniffed::WebP,
                "image/webp",
                "webp",
            ),
            (
                b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n",
                Sniffed::Pdf,
                "application/pdf",
                "pdf",
            ),
        ];
        for (bytes, kind, mime, extension) in cases {
            let sniffed = sniff(bytes);
            assert_eq!(sniffed, Some(kind));
            assert_eq!(kind.mime(), mime);
            assert_eq!(kind.extension(), extension);
        }
        assert!(Sniffed::WebP.is_image());
        assert!(!Sniffed::Pdf.is_image());
    }

    #[test]
    fn refuses_a_text_file_whatever_it_is_called() {
        // What a browser would upload as "passport.jpg" with type image/jpeg.
        let text = b"just some text pretending to be a photo\n";
        assert_eq!(sniff(text), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(
            sniff(b"RIFF\x24\x00\x00\x00WAVEfmt "),
            None,
            "a RIFF that is not WebP"
        );
        assert_eq!(
            sniff(b"<html>%PDF-1.7"),
            None,
            "PDF signature must come first"
        );
    }
}
