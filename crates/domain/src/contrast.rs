//! WCAG 2 contrast between two colours, and the check of a tenant's brand colours against the
//! surfaces the portal's stylesheet draws text on or with them.

/// A colour as `#rrggbb`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb` (either case); anything else is `None`.
    pub fn parse(hex: &str) -> Option<Self> {
        let digits = hex.strip_prefix('#').filter(|d| d.len() == 6 && d.is_ascii())?;
        let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
        Some(Self(byte(0)?, byte(2)?, byte(4)?))
    }

    /// Relative luminance (WCAG 2.x): 0 for black, 1 for white.
    pub fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }
}

impl std::fmt::Display for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// The contrast ratio of two colours, from 1 (the same) to 21 (black on white).
pub fn ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (light, dark) = if la >= lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// WCAG AA for body text.
pub const AA_TEXT: f64 = 4.5;

/// Where the stylesheet puts text together with the primary colour: white text on it (header,
/// buttons) and primary text on the light surfaces (links, headings, the "submitted" badge).
/// The accent colour only draws borders and carries no text.
pub const PRIMARY_SURFACES: [(&str, Rgb); 3] = [
    ("white text and cards", Rgb(0xff, 0xff, 0xff)),
    ("the page background", Rgb(0xf5, 0xf6, 0xf8)),
    ("the \"submitted\" status badge", Rgb(0xe8, 0xee, 0xf7)),
];

/// A pair below AA: the surface, the ratio found.
#[derive(Clone, Debug, PartialEq)]
pub struct Shortfall {
    pub surface: &'static str,
    pub against: Rgb,
    pub ratio: f64,
}

/// Every surface the primary colour falls below 4.5:1 with.
pub fn primary_shortfalls(primary: Rgb) -> Vec<Shortfall> {
    PRIMARY_SURFACES
        .iter()
        .map(|&(surface, against)| Shortfall { surface, against, ratio: ratio(primary, against) })
        .filter(|s| s.ratio < AA_TEXT)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(hex: &str) -> Rgb {
        Rgb::parse(hex).expect("a colour")
    }

    #[test]
    fn black_on_white_is_21_and_a_colour_on_itself_is_1() {
        assert!((ratio(rgb("#000000"), rgb("#ffffff")) - 21.0).abs() < 1e-9);
        assert!((ratio(rgb("#2e7d32"), rgb("#2e7d32")) - 1.0).abs() < 1e-9);
        assert_eq!(ratio(rgb("#1a4f8b"), rgb("#ffffff")), ratio(rgb("#ffffff"), rgb("#1a4f8b")));
    }

    #[test]
    fn known_ratios_match_the_wcag_formula() {
        // Values as WebAIM's contrast checker gives them.
        assert_eq!(format!("{:.2}", ratio(rgb("#767676"), rgb("#ffffff"))), "4.54");
        assert_eq!(format!("{:.2}", ratio(rgb("#2e7d32"), rgb("#ffffff"))), "5.13");
        assert_eq!(format!("{:.2}", ratio(rgb("#2e7d32"), rgb("#e8eef7"))), "4.40");
    }

    #[test]
    fn parsing_takes_only_six_hex_digits() {
        assert_eq!(Rgb::parse("#1A4f8b"), Some(Rgb(0x1a, 0x4f, 0x8b)));
        for bad in ["1a4f8b", "#1a4f8", "#1a4f8bb", "#gggggg", "#ก1234"] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
        assert_eq!(rgb("#0a0B0c").to_string(), "#0a0b0c");
    }

    #[test]
    fn the_old_nongbua_green_fails_on_the_badge_and_the_demo_blue_passes() {
        let found = primary_shortfalls(rgb("#2e7d32"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].against, rgb("#e8eef7"));
        assert!(primary_shortfalls(rgb("#1a4f8b")).is_empty());
        assert_eq!(primary_shortfalls(rgb("#ffff00")).len(), 3, "yellow fails everywhere");
    }
}
