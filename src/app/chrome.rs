//! The menus, the toolbar, the status bar and Help → Keyboard shortcuts. The menus, the toolbar and
//! the shortcut list are drawn from the command table in [`super::commands`]; clicks push the
//! command as a message, and nothing here changes a setting itself.

use egui::{Key, RichText, Ui};

use super::CutoverApp;
use super::commands::{
    Command, ItemKind, Menu, MenuPlace, Submenu, Tool, menu_groups, toolbar_groups, typing_note,
    with_shortcuts,
};
use super::message::Message;
use super::style;
use crate::plan::templates;

impl CutoverApp {
    /// The menu bar: every menu of [`Menu::ALL`].
    pub(super) fn menu_bar_ui(&self, ui: &mut Ui, out: &mut Vec<Message>) {
        for menu in Menu::ALL {
            ui.menu_button(menu.title(), |ui| self.menu_ui(ui, menu, out));
        }
    }

    /// One menu: its commands and submenus, group by group.
    fn menu_ui(&self, ui: &mut Ui, menu: Menu, out: &mut Vec<Message>) {
        for (i, group) in menu_groups(menu).into_iter().enumerate() {
            if i > 0 {
                ui.separator();
            }
            let place = MenuPlace { menu, group };
            for command in Command::ALL.into_iter().filter(|c| c.menu() == place) {
                self.menu_item_ui(ui, command, out);
            }
            for submenu in Submenu::ALL.into_iter().filter(|s| s.menu() == place) {
                self.submenu_ui(ui, submenu, out);
            }
        }
        if menu == Menu::Help {
            ui.separator();
            readme_links_ui(ui);
        }
    }

    /// A command's menu item, with its shortcut and, on hover, its description.
    fn menu_item_ui(&self, ui: &mut Ui, command: Command, out: &mut Vec<Message>) {
        let keys = shortcut_text(ui.ctx(), command);
        let response = match command.kind() {
            ItemKind::Action => {
                let mut button = egui::Button::new(self.menu_text(command));
                if let Some(keys) = keys {
                    button = button.shortcut_text(keys);
                }
                ui.add_enabled(self.enabled(command), button)
            }
            ItemKind::Toggle => {
                // A copy: the command changes the setting.
                let mut on = self.is_on(ui.ctx(), command);
                ui.horizontal(|ui| {
                    let response = ui.checkbox(&mut on, command.label());
                    if let Some(keys) = keys {
                        ui.weak(keys);
                    }
                    response
                })
                .inner
            }
            ItemKind::Choice => ui.radio(self.is_on(ui.ctx(), command), command.label()),
        };
        if response.on_hover_text(command.description()).clicked() {
            out.push(command.into());
        }
    }

    /// A submenu listed from data: the templates, or the recent files.
    fn submenu_ui(&self, ui: &mut Ui, submenu: Submenu, out: &mut Vec<Message>) {
        ui.menu_button(submenu.label(), |ui| match submenu {
            Submenu::Templates => {
                for (name, help) in templates::TEMPLATES {
                    if ui.button(name).on_hover_text(help).clicked() {
                        out.push(Message::New(name));
                    }
                }
            }
            Submenu::Recent => {
                if self.settings.recent.is_empty() {
                    ui.weak("No recent plans");
                }
                for path in &self.settings.recent {
                    if ui.button(path.display().to_string()).clicked() {
                        out.push(Message::Open(path.clone()));
                    }
                }
            }
        });
    }

    /// A command's text in its menu: undo and redo name the step.
    fn menu_text(&self, command: Command) -> String {
        let step = match command {
            Command::Undo => self.document.undo_label(),
            Command::Redo => self.document.redo_label(),
            _ => None,
        };
        match step {
            Some(step) => format!("{} {step}", command.label()),
            None => command.label().to_owned(),
        }
    }

    /// Whether a command's menu item can be clicked: undo and redo need a step to undo or redo.
    fn enabled(&self, command: Command) -> bool {
        match command {
            Command::Undo => self.document.undo_label().is_some(),
            Command::Redo => self.document.redo_label().is_some(),
            _ => true,
        }
    }

    /// Whether a toggle or a choice is on now.
    fn is_on(&self, ctx: &egui::Context, command: Command) -> bool {
        let theme = ctx.options(|o| o.theme_preference);
        match command {
            Command::ToggleOutline => self.settings.show_outline,
            Command::ToggleInspector => self.settings.show_inspector,
            Command::ToggleProblems => self.settings.show_problems,
            Command::TogglePreview => self.settings.show_preview,
            Command::ToggleFocus => self.canvas.lens().focus,
            Command::ThemeSystem => theme == egui::ThemePreference::System,
            Command::ThemeLight => theme == egui::ThemePreference::Light,
            Command::ThemeDark => theme == egui::ThemePreference::Dark,
            _ => false,
        }
    }

    /// The toolbar: the commands that have a [`Tool`], group by group.
    pub(super) fn toolbar_ui(&self, ui: &mut Ui, out: &mut Vec<Message>) {
        ui.horizontal(|ui| {
            for (i, group) in toolbar_groups().into_iter().enumerate() {
                if i > 0 {
                    ui.separator();
                }
                for (command, tool) in group {
                    self.tool_ui(ui, command, tool, out);
                }
            }
        });
    }

    /// A toolbar button; a toggle shows whether it is on. The tooltip gives the shortcut.
    fn tool_ui(&self, ui: &mut Ui, command: Command, tool: Tool, out: &mut Vec<Message>) {
        let tip = match shortcut_text(ui.ctx(), command) {
            Some(keys) => format!("{} ({keys})", command.description()),
            None => command.description().to_owned(),
        };
        let response = match command.kind() {
            ItemKind::Action => ui.button(tool.text),
            ItemKind::Toggle | ItemKind::Choice => {
                ui.selectable_label(self.is_on(ui.ctx(), command), tool.text)
            }
        };
        if response.on_hover_text(tip).clicked() {
            out.push(command.into());
        }
    }

    /// The status bar: the file, the unsaved marker and the last message.
    pub(super) fn status_ui(&self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let path = self
                .document
                .path()
                .map_or_else(|| "not saved yet".to_owned(), |p| p.display().to_string());
            ui.weak(path);
            if self.document.is_dirty() {
                ui.label(RichText::new("unsaved changes").strong());
            }
            ui.separator();
            if self.typing.is_holding() {
                ui.weak(
                    "Single-key shortcuts paused (the field you typed in closed): click to resume",
                )
                .on_hover_text("So that the rest of a word is not taken for shortcuts");
                ui.separator();
            }
            if let Some(status) = &self.status {
                let text = RichText::new(style::drawable(ui.ctx(), &status.text));
                if status.is_error {
                    ui.label(text.color(ui.visuals().error_fg_color));
                } else {
                    ui.label(text);
                }
            }
        });
    }

    /// The last refusal or failure, on the canvas near where the user acted, wrapped in full, with
    /// a button to dismiss it; the next action takes it away too.
    pub(super) fn notice_ui(&mut self, ctx: &egui::Context) {
        let Some(notice) = &self.notice else {
            return;
        };
        let canvas = self.canvas.screen_rect();
        let text = style::drawable(ctx, notice);
        let mut dismissed = false;
        egui::Area::new(egui::Id::new("canvas-notice"))
            .order(egui::Order::Foreground)
            .fixed_pos(canvas.center_top() + egui::vec2(0.0, 32.0))
            .pivot(egui::Align2::CENTER_TOP)
            .constrain_to(canvas)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style())
                    .stroke(egui::Stroke::new(1.5, ui.visuals().error_fg_color))
                    .show(ui, |ui| {
                        ui.set_max_width((canvas.width() - 40.0).clamp(120.0, 560.0));
                        ui.horizontal(|ui| {
                            ui.colored_label(ui.visuals().error_fg_color, style::WARNING_ICON);
                            ui.add(egui::Label::new(text).wrap());
                            dismissed = ui
                                .small_button(crate::app::style::REMOVE_ICON)
                                .on_hover_text("Dismiss")
                                .clicked();
                        });
                    });
            });
        if dismissed {
            self.notice = None;
        }
    }

    /// Help → Keyboard shortcuts: every command that has a shortcut, while the window is open.
    pub(super) fn shortcuts_ui(&mut self, ctx: &egui::Context) {
        if !self.shortcuts_shown {
            return;
        }
        let mut open = true;
        egui::Window::new(Command::ShowShortcuts.label())
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .show(ctx, shortcut_list_ui);
        if !open || ctx.input(|i| i.key_pressed(Key::Escape)) {
            self.shortcuts_shown = false;
        }
    }
}

/// The README's sections a new user needs, with their anchors.
const README_SECTIONS: [(&str, &str); 6] = [
    ("The app", "the-app"),
    ("Command line", "command-line"),
    ("Export", "export"),
    ("Rehearse", "rehearse"),
    ("The plan file", "the-plan-file"),
    ("Diagnostic codes", "diagnostic-codes"),
];

/// Links to the README's sections, opened in the system's viewer; when no README is installed
/// beside the app, the section names alone.
fn readme_links_ui(ui: &mut Ui) {
    let readme = readme_location();
    for (title, anchor) in README_SECTIONS {
        let text = format!("README: {title}");
        match &readme {
            Some(path) => {
                let url = format!("file://{}#{anchor}", path.display());
                ui.add(egui::Hyperlink::from_label_and_url(text, url).open_in_new_tab(true));
            }
            None => {
                ui.weak(format!("{text} (README.md is not installed)"));
            }
        }
    }
}

/// Where the README is: beside the program, in the installed documentation folder, or in the source
/// folder of a development build.
fn readme_location() -> Option<std::path::PathBuf> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf));
    let mut candidates = Vec::new();
    if let Some(dir) = beside {
        candidates.push(dir.join("README.md"));
        candidates.push(dir.join("../share/doc/cutover/README.md"));
    }
    candidates.push(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    candidates.into_iter().find(|p| p.is_file())
}

/// The shortcut list: keys, command and whether it works while typing, one row per command.
fn shortcut_list_ui(ui: &mut Ui) {
    egui::Grid::new("shortcuts")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            ui.strong("Shortcut");
            ui.strong("Command");
            ui.strong("While a text field has focus");
            ui.end_row();
            for (command, shortcut) in with_shortcuts() {
                let keys: Vec<String> = shortcut
                    .all_keys()
                    .map(|keys| ui.ctx().format_shortcut(&keys))
                    .collect();
                ui.monospace(keys.join(" or "));
                ui.label(style::drawable(ui.ctx(), &command.menu_path()))
                    .on_hover_text(command.description());
                ui.label(typing_note(shortcut.while_typing));
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    ui.strong("On the canvas");
    egui::Grid::new("gestures")
        .striped(true)
        .num_columns(2)
        .show(ui, |ui| {
            for (keys, what) in super::canvas::GESTURES {
                ui.monospace(keys);
                ui.label(what);
                ui.end_row();
            }
        });
}

/// The keys of a command's shortcut as this platform writes them ("Ctrl+S", "⌘S"), if it has one.
fn shortcut_text(ctx: &egui::Context, command: Command) -> Option<String> {
    command.shortcut().map(|s| ctx.format_shortcut(&s.keys))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_readme_is_found_in_a_development_build() {
        assert!(super::readme_location().is_some());
    }
}
