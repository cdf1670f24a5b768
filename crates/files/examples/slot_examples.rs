//! Draws the example pictures of the demo tenants' ID-photo slots (`tenants/*/slot-*-example.png`,
//! named by `identity.slots[].example`): a front of a made-up card, its back, and a person
//! holding it, as simple drawings (no one's real card), through the same SVG drawing as logos.
//! Run it again after a change: `cargo run -p files --example slot_examples`.

use std::path::Path;

const CARD: &str = r##"<rect x="20" y="20" width="440" height="280" rx="22" fill="#eef4fb" stroke="#5b7fa8" stroke-width="4"/>
<rect x="20" y="20" width="440" height="56" rx="22" fill="#c7dbef"/><rect x="20" y="56" width="440" height="20" fill="#c7dbef"/>"##;

fn front() -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 320">{CARD}
<rect x="48" y="100" width="250" height="18" rx="6" fill="#8a97a8"/><rect x="48" y="136" width="200" height="14" rx="6" fill="#a9b4c2"/>
<rect x="48" y="166" width="230" height="14" rx="6" fill="#a9b4c2"/><rect x="48" y="196" width="170" height="14" rx="6" fill="#a9b4c2"/>
<rect x="48" y="250" width="120" height="14" rx="6" fill="#a9b4c2"/>
<rect x="330" y="110" width="100" height="130" rx="8" fill="#d4dbe4" stroke="#8a97a8" stroke-width="3"/>
<circle cx="380" cy="158" r="26" fill="#8a97a8"/><path d="M338 236 q42 -58 84 0 z" fill="#8a97a8"/></svg>"##
    )
}

fn back() -> String {
    let bars: String = (0..34).map(|i| format!(r##"<rect x="{}" y="110" width="{}" height="70" fill="#6b7787"/>"##, 60 + i * 11, 3 + (i * 7 % 5))).collect();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 320">{CARD}
{bars}<rect x="60" y="214" width="300" height="20" rx="6" fill="#8a97a8"/><rect x="60" y="250" width="210" height="14" rx="6" fill="#a9b4c2"/></svg>"##
    )
}

fn selfie() -> String {
    r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 320"><rect width="480" height="320" fill="#f4f1ea"/>
<circle cx="170" cy="120" r="62" fill="#b98f6b"/><path d="M60 320 q110 -170 220 0 z" fill="#5b7fa8"/>
<circle cx="148" cy="110" r="7" fill="#3b2a1e"/><circle cx="192" cy="110" r="7" fill="#3b2a1e"/><path d="M150 145 q20 14 40 0" stroke="#3b2a1e" stroke-width="5" fill="none"/>
<g transform="rotate(-6 350 170)"><rect x="262" y="110" width="180" height="116" rx="10" fill="#eef4fb" stroke="#5b7fa8" stroke-width="4"/>
<rect x="262" y="110" width="180" height="24" rx="10" fill="#c7dbef"/><rect x="280" y="150" width="90" height="10" rx="4" fill="#8a97a8"/>
<rect x="280" y="172" width="70" height="8" rx="4" fill="#a9b4c2"/><rect x="384" y="146" width="44" height="58" rx="4" fill="#d4dbe4"/></g>
<path d="M300 250 q-10 -40 10 -40 l40 0 q10 0 6 40 z" fill="#b98f6b"/></svg>"##
        .to_owned()
}

fn write(path: &Path, svg: &str) {
    let png = files::process_svg_logo(svg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let small = files::process_picture(&png.bytes, 480, &files::ImageLimits::default()).expect("re-encoded");
    std::fs::write(path, small.bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!("{} ({}×{})", path.display(), small.width, small.height);
}

fn main() {
    let tenants = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tenants");
    for (tenant, pictures) in [("demo", vec![front(), back()]), ("nongbua", vec![front(), back(), selfie()])] {
        for (n, svg) in pictures.iter().enumerate() {
            write(&tenants.join(tenant).join(format!("slot-{}-example.png", n + 1)), svg);
        }
    }
}
