//! Colours and symbols shared by the panels: one colour per tier, one icon per severity.

use egui::Color32;

use crate::analysis::Severity;
use crate::plan::Tier;

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

/// The colour of a severity's icon.
pub fn severity_colour(severity: Severity) -> Color32 {
    match severity {
        Severity::Error => Color32::from_rgb(220, 50, 50),
        Severity::Warning => Color32::from_rgb(230, 160, 20),
        Severity::Info => Color32::from_rgb(70, 140, 220),
    }
}

/// The icon of a severity.
pub fn severity_icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "⛔",
        Severity::Warning => "⚠",
        Severity::Info => "ℹ",
    }
}
