//! How wide the side panels may be: each has a minimum, a default and a maximum, and together
//! they leave the canvas at least [`MIN_CANVAS_SHARE`] of the window. egui clamps a width
//! remembered from an earlier run (or a bigger window) into the range every frame, and a panel's
//! content never widens it past its maximum (long names are truncated instead).

/// The least share of the window's width the canvas keeps.
pub const MIN_CANVAS_SHARE: f32 = 1.0 / 3.0;

/// A side panel's widths, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanelSpec {
    /// The narrowest it may be.
    pub min: f32,
    /// How wide it opens the first time.
    pub default: f32,
    /// The widest it may be.
    pub max: f32,
}

/// The outline's widths.
pub const OUTLINE: PanelSpec = PanelSpec {
    min: 160.0,
    default: 220.0,
    max: 360.0,
};

/// The inspector's widths.
pub const INSPECTOR: PanelSpec = PanelSpec {
    min: 280.0,
    default: 340.0,
    max: 520.0,
};

/// The export preview's widths, when it sits beside the canvas.
pub const PREVIEW: PanelSpec = PanelSpec {
    min: 280.0,
    default: 560.0,
    max: 720.0,
};

/// The width the side panels share, handed out panel by panel as they are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanelBudget {
    /// What is left for the panels still to draw.
    left: f32,
    /// What is kept back for a panel drawn later.
    kept: f32,
}

impl PanelBudget {
    /// The budget of a window `window` points wide: all but the canvas's share.
    pub fn new(window: f32) -> Self {
        Self {
            left: (window * (1.0 - MIN_CANVAS_SHARE)).max(0.0),
            kept: 0.0,
        }
    }

    /// Keeps `width` back for a panel drawn later (the inspector, drawn after the preview).
    pub fn keep(&mut self, width: f32) {
        self.kept = width;
    }

    /// The minimum, default and maximum width of a panel of `spec` now.
    pub fn range(&self, spec: PanelSpec) -> (f32, f32, f32) {
        let max = spec.max.min(self.left - self.kept).max(1.0);
        let min = spec.min.min(max);
        (min, spec.default.clamp(min, max), max)
    }

    /// Notes that a panel took `width`.
    pub fn take(&mut self, width: f32) {
        self.left = (self.left - width).max(0.0);
    }
}

/// Draws a side panel's content so that it can never widen the panel: the content gets exactly the
/// panel's room, clipped, and the panel takes exactly that room (egui would otherwise grow a
/// panel to its widest row, and remember that width).
pub fn contained<R>(ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    let rect = ui.available_rect_before_wrap();
    let mut inside = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    inside.set_clip_rect(rect.intersect(ui.clip_rect()));
    let result = add(&mut inside);
    ui.advance_cursor_after_rect(rect);
    result
}

/// The preview's button that detaches it into a window of its own, or docks it back beside the
/// canvas; returns whether it was clicked.
pub fn dock_button(ui: &mut egui::Ui, detached: bool) -> bool {
    let (text, tip) = if detached {
        ("Dock preview", "Put the preview back beside the canvas")
    } else {
        (
            "Detach preview",
            "Show the preview in a window of its own, giving its width back to the canvas",
        )
    };
    // One row high: a right-to-left layout straight in the panel would take its whole height.
    ui.horizontal(|ui| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.small_button(text).on_hover_text(tip).clicked()
        })
        .inner
    })
    .inner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_every_panel_open_the_canvas_keeps_its_share() {
        for window in [800.0, 1_024.0, 1_440.0, 2_560.0] {
            let mut budget = PanelBudget::new(window);
            let mut used = 0.0;
            let (_, outline, _) = budget.range(OUTLINE);
            budget.take(outline);
            used += outline;
            budget.keep(INSPECTOR.min);
            let (_, preview, _) = budget.range(PREVIEW);
            budget.take(preview);
            used += preview;
            budget.keep(0.0);
            let (_, inspector, max) = budget.range(INSPECTOR);
            budget.take(inspector);
            used += inspector;
            assert!(inspector <= max);
            assert!(
                window - used >= window * MIN_CANVAS_SHARE - 1.0,
                "{window}: the panels use {used}"
            );
        }
    }
}
