//! Keeps typing out of the canvas: single-key shortcuts (A, C, L, F, Delete…) never run while a
//! widget has the keyboard, nor after a text field vanished under the user's fingers (its object
//! was renamed, removed or deselected by something other than the user), until the user does
//! something deliberate: clicks, or stops typing for a moment.

/// Seconds without a key after which a held keyboard is given back to the shortcuts.
const QUIET_SECONDS: f64 = 1.0;

/// Watches the keyboard focus frame by frame.
#[derive(Debug, Default)]
pub struct TypingGuard {
    /// Whether a text field had the keyboard at the end of the last frame.
    text_focused: bool,
    /// Whether the last frame had a deliberate act (a click, Enter, Escape or Tab).
    deliberate_last_frame: bool,
    /// Whether single-key shortcuts are held back since a field vanished.
    held: bool,
    /// When a key was last pressed.
    last_key: f64,
}

impl TypingGuard {
    /// Whether single-key shortcuts must be left alone this frame: a text field has the keyboard,
    /// or one lost it without the user asking (other focused widgets, such as the canvas, leave
    /// single keys to the shortcuts). Call once at the start of each frame.
    pub fn keys_belong_to_text(&mut self, ctx: &egui::Context) -> bool {
        let (now, deliberate, any_key) = ctx.input(|i| {
            let deliberate = i.pointer.any_pressed()
                || [egui::Key::Enter, egui::Key::Escape, egui::Key::Tab]
                    .iter()
                    .any(|k| i.key_pressed(*k));
            let any_key = i.events.iter().any(|e| {
                matches!(
                    e,
                    egui::Event::Key { pressed: true, .. } | egui::Event::Text(_)
                )
            });
            (i.time, deliberate, any_key)
        });
        let focused = ctx.memory(|m| m.focused()).is_some();
        let typing = ctx.text_edit_focused();
        if self.text_focused && !focused && !deliberate && !self.deliberate_last_frame {
            self.held = true;
        }
        if deliberate || (self.held && !any_key && now - self.last_key > QUIET_SECONDS) {
            self.held = false;
        }
        if any_key {
            self.last_key = now;
        }
        self.deliberate_last_frame = deliberate;
        if self.held {
            // The app draws no frames when idle: come back once the keyboard has been quiet long
            // enough to let shortcuts through again.
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(QUIET_SECONDS));
        }
        typing || self.held
    }

    /// Notes at the end of a frame whether a text field has the keyboard.
    pub fn end_frame(&mut self, ctx: &egui::Context) {
        self.text_focused = ctx.text_edit_focused();
    }

    /// Whether shortcuts are held back because a text field vanished.
    pub fn is_holding(&self) -> bool {
        self.held
    }
}
