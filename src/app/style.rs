//! Colours and symbols shared by the panels (one colour per tier, one icon per severity), and the
//! window's background.

use egui::Color32;

use crate::analysis::Severity;
use crate::plan::Tier;

/// Makes the panels draw no fill of their own; the window is cleared with their colour instead
/// ([`window_background`]). Each panel's fill repainted its whole area on every frame, and Mesa's
/// software renderer spent about as long on those fills as on everything else in the window
/// (`BENCHMARKS.md`, "Real frames"). Only the panels' fill is `panel_fill`; windows, menus and
/// fields have fills of their own.
pub fn panels_without_fill(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| style.visuals.panel_fill = Color32::TRANSPARENT);
}

/// The colour the window is cleared with: the panels' colour in the theme of `visuals`.
pub fn window_background(visuals: &egui::Visuals) -> Color32 {
    if visuals.dark_mode {
        egui::Visuals::dark().panel_fill
    } else {
        egui::Visuals::light().panel_fill
    }
}

/// The fill of a tier's nodes, readable with dark text in light mode and light text in dark mode:
/// the tier's accent, darkened or lightened.
pub fn tier_colour(tier: Tier, dark: bool) -> Color32 {
    let [r, g, b, _] = tier_accent(tier).to_array();
    if dark {
        Color32::from_rgb(r / 2 + 10, g / 2 + 10, b / 2 + 10)
    } else {
        let light = |c: u8| (u16::from(c) * 2 / 5 + 153) as u8;
        Color32::from_rgb(light(r), light(g), light(b))
    }
}

/// The accent (border, legend swatch) of a tier.
pub fn tier_accent(tier: Tier) -> Color32 {
    match tier {
        Tier::Infrastructure => Color32::from_rgb(120, 120, 140),
        Tier::Database => Color32::from_rgb(70, 130, 200),
        Tier::Worker => Color32::from_rgb(150, 100, 200),
        Tier::Api => Color32::from_rgb(60, 160, 120),
        Tier::Gateway => Color32::from_rgb(210, 150, 50),
        Tier::Frontend => Color32::from_rgb(220, 100, 90),
        Tier::Other => Color32::from_rgb(140, 140, 140),
    }
}

/// The ring around services that match the canvas's find text (a colour no tier uses).
pub const FIND_COLOUR: Color32 = Color32::from_rgb(255, 200, 0);

/// The icon of a button that removes or dismisses something.
pub const REMOVE_ICON: &str = "✖";

/// The icon beside a refusal shown on the canvas.
pub const WARNING_ICON: &str = "⚠";

/// The colour of a severity's icon.
pub fn severity_colour(severity: Severity) -> Color32 {
    match severity {
        Severity::Error => Color32::from_rgb(220, 50, 50),
        Severity::Warning => Color32::from_rgb(230, 160, 20),
        Severity::Info => Color32::from_rgb(70, 140, 220),
    }
}

/// The icon of a severity, coloured by [`severity_colour`].
pub fn severity_icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "⛔",
        Severity::Warning => "⚠",
        Severity::Info => "ℹ",
    }
}

/// `text` as the fonts can draw it: a character the body font lacks (an arrow, a typographic
/// quote) becomes its plain-text spelling ("→" becomes "->"), or "?" when it has none, so no
/// message shows empty boxes. Text the font draws whole is returned as it is.
pub fn drawable(ctx: &egui::Context, text: &str) -> String {
    let font = egui::FontId::proportional(14.0);
    ctx.fonts_mut(|fonts| {
        if text.chars().all(|c| can_draw(fonts, &font, c)) {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if can_draw(fonts, &font, c) {
                out.push(c);
            } else {
                out.push_str(plain_spelling(c));
            }
        }
        out
    })
}

/// The glyph epaint draws for a character no font has.
const REPLACEMENT: char = '◻';

/// Whether `font` draws `c` itself rather than the replacement box. epaint's `has_glyph` answers
/// "no" for every character of the font that holds the replacement box (the emoji font: "⚠", "✖"
/// draw fine), so for those the glyph laid out is compared with the replacement's.
pub fn can_draw(
    fonts: &mut egui::epaint::text::FontsView<'_>,
    font: &egui::FontId,
    c: char,
) -> bool {
    if fonts.has_glyph(font, c) || c.is_whitespace() || c == REPLACEMENT {
        return true;
    }
    let mut drawn = |c: char| {
        let galley = fonts.layout_no_wrap(c.to_string(), font.clone(), egui::Color32::WHITE);
        galley
            .rows
            .first()
            .and_then(|row| row.row.glyphs.first())
            .map(|glyph| glyph.uv_rect)
    };
    let glyph = drawn(c);
    glyph.is_some() && glyph != drawn(REPLACEMENT)
}

/// The plain-text spelling of a character the fonts may lack.
fn plain_spelling(c: char) -> &'static str {
    match c {
        '→' | '⟶' => "->",
        '←' | '⟵' => "<-",
        '↔' => "<->",
        '⇒' => "=>",
        '…' => "...",
        '–' | '—' | '−' => "-",
        '“' | '”' | '„' => "\"",
        '‘' | '’' => "'",
        '≤' => "<=",
        '≥' => ">=",
        '≠' => "!=",
        '×' => "x",
        '·' | '•' | '●' => "*",
        '\u{a0}' | '\u{2009}' | '\u{202f}' => " ",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A context whose fonts are loaded, as they are once the app has drawn a frame.
    fn context() -> egui::Context {
        let ctx = egui::Context::default();
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        // Nothing renders here: the font atlas's upload is dropped on purpose.
        output.textures_delta.clear();
        ctx
    }

    #[test]
    fn every_icon_the_app_uses_is_in_the_bundled_fonts() {
        let ctx = context();
        let font = egui::FontId::proportional(14.0);
        let icons = [
            REMOVE_ICON,
            severity_icon(Severity::Error),
            severity_icon(Severity::Warning),
            severity_icon(Severity::Info),
            WARNING_ICON,
            "🗑",
            "⏷",
            "⏵",
        ];
        for icon in icons {
            assert!(
                ctx.fonts_mut(|f| icon.chars().all(|c| can_draw(f, &font, c))),
                "{icon} cannot be drawn"
            );
        }
    }

    #[test]
    fn text_the_fonts_lack_is_spelled_plainly() {
        let ctx = context();
        assert_eq!(drawable(&ctx, "web → api → db"), "web -> api -> db");
        assert_eq!(drawable(&ctx, "plain text"), "plain text");
        // The emoji font holds the replacement box too; its own glyphs are drawn, not replaced.
        assert_eq!(drawable(&ctx, "⚠ ✖ ⛔ ℹ"), "⚠ ✖ ⛔ ℹ");
    }
}
