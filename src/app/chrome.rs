//! The menus, the toolbar and the status bar.

use super::*;

impl CutoverApp {
    pub(super) fn menu_ui(&mut self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        let ctx = ui.ctx().clone();
        let item =
            |ui: &mut Ui, text: &str, command: AppCommand, commands: &mut Vec<AppCommand>| {
                let mut button = egui::Button::new(text);
                if let Some(keys) = commands::shortcut_text(&ctx, &command) {
                    button = button.shortcut_text(keys);
                }
                if ui.add(button).clicked() {
                    commands.push(command);
                }
            };
        ui.menu_button("File", |ui| {
            ui.menu_button("New from template", |ui| {
                for (name, help) in templates::TEMPLATES {
                    if ui.button(name).on_hover_text(help).clicked() {
                        commands.push(AppCommand::New(name));
                    }
                }
            });
            item(ui, "Open…", AppCommand::OpenDialog, commands);
            item(ui, "Open path…", AppCommand::OpenTypedPath, commands);
            ui.menu_button("Open recent", |ui| {
                if self.settings.recent.is_empty() {
                    ui.weak("No recent plans");
                }
                for path in &self.settings.recent {
                    if ui.button(path.display().to_string()).clicked() {
                        commands.push(AppCommand::Open(path.clone()));
                    }
                }
            });
            ui.separator();
            item(ui, "Save", AppCommand::Save, commands);
            item(ui, "Save As…", AppCommand::SaveAsDialog, commands);
            item(ui, "Save as path…", AppCommand::SaveAsTypedPath, commands);
            ui.separator();
            item(ui, "Export…", AppCommand::ShowExport, commands);
            item(ui, "Export to path…", AppCommand::ExportTypedPath, commands);
            ui.separator();
            item(ui, "Quit", AppCommand::Quit, commands);
        });
        ui.menu_button("Edit", |ui| {
            let undo = self
                .document
                .undo_label()
                .map_or_else(|| "Undo".to_owned(), |l| format!("Undo {l}"));
            let redo = self
                .document
                .redo_label()
                .map_or_else(|| "Redo".to_owned(), |l| format!("Redo {l}"));
            ui.add_enabled_ui(self.document.undo_label().is_some(), |ui| {
                item(ui, &undo, AppCommand::Undo, commands);
            });
            ui.add_enabled_ui(self.document.redo_label().is_some(), |ui| {
                item(ui, &redo, AppCommand::Redo, commands);
            });
            ui.separator();
            item(ui, "Rename service…", AppCommand::RenameSelection, commands);
            item(ui, "Delete", AppCommand::DeleteSelection, commands);
        });
        ui.menu_button("Insert", |ui| {
            item(ui, "Service", AppCommand::AddService(None), commands);
            item(
                ui,
                "Dependency (connect)",
                AppCommand::StartConnect,
                commands,
            );
            for kind in [
                Collection::Migration,
                Collection::Runbook,
                Collection::Environment,
                Collection::Region,
            ] {
                if ui.button(style_name(kind)).clicked() {
                    commands.push(AppCommand::AddObject(kind));
                }
            }
        });
        ui.menu_button("View", |ui| {
            item(ui, "Fit to view", AppCommand::Fit, commands);
            item(ui, "Auto-layout", AppCommand::AutoLayout, commands);
            if ui.button("Zoom in").clicked() {
                commands.push(AppCommand::Zoom(1.25));
            }
            if ui.button("Zoom out").clicked() {
                commands.push(AppCommand::Zoom(0.8));
            }
            ui.separator();
            ui.checkbox(&mut self.settings.show_outline, "Outline");
            ui.checkbox(&mut self.settings.show_inspector, "Inspector");
            ui.checkbox(&mut self.settings.show_problems, "Problems");
            let mut preview = self.settings.show_preview;
            ui.horizontal(|ui| {
                ui.checkbox(&mut preview, "Export preview");
                if let Some(keys) = commands::shortcut_text(&ctx, &AppCommand::TogglePreview) {
                    ui.weak(keys);
                }
            });
            if preview != self.settings.show_preview {
                commands.push(AppCommand::TogglePreview);
            }
            ui.separator();
            let mut theme = ui.ctx().options(|o| o.theme_preference);
            ui.label("Theme");
            let changed = ui
                .radio_value(
                    &mut theme,
                    egui::ThemePreference::System,
                    "Follow the system",
                )
                .changed()
                | ui.radio_value(&mut theme, egui::ThemePreference::Light, "Light")
                    .changed()
                | ui.radio_value(&mut theme, egui::ThemePreference::Dark, "Dark")
                    .changed();
            if changed {
                ui.ctx().set_theme(theme);
            }
        });
    }

    pub(super) fn toolbar_ui(&mut self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        ui.horizontal(|ui| {
            let mut button = |ui: &mut Ui, text: &str, tip: &str, command: AppCommand| {
                let tip = match commands::shortcut_text(ui.ctx(), &command) {
                    Some(keys) => format!("{tip} ({keys})"),
                    None => tip.to_owned(),
                };
                if ui.button(text).on_hover_text(tip).clicked() {
                    commands.push(command);
                }
            };
            button(
                ui,
                "Add service",
                "Add a service to the canvas",
                AppCommand::AddService(None),
            );
            button(
                ui,
                "Connect",
                "Make the selected service depend on the next one you click",
                AppCommand::StartConnect,
            );
            button(
                ui,
                "Delete",
                "Delete the selected object",
                AppCommand::DeleteSelection,
            );
            ui.separator();
            button(ui, "Undo", "Undo the last change", AppCommand::Undo);
            button(ui, "Redo", "Redo the last undone change", AppCommand::Redo);
            ui.separator();
            button(ui, "Fit", "Show every service", AppCommand::Fit);
            button(ui, "Zoom in", "Zoom in", AppCommand::Zoom(1.25));
            button(ui, "Zoom out", "Zoom out", AppCommand::Zoom(0.8));
            button(
                ui,
                "Auto-layout",
                "Lay the services out in layers, bottom-up",
                AppCommand::AutoLayout,
            );
            ui.separator();
            button(
                ui,
                "Export…",
                "Write the pipelines into a repository folder, after showing what changes",
                AppCommand::ShowExport,
            );
            let tip = match commands::shortcut_text(ui.ctx(), &AppCommand::TogglePreview) {
                Some(keys) => format!("Show or hide the generated pipelines ({keys})"),
                None => "Show or hide the generated pipelines".to_owned(),
            };
            if ui
                .selectable_label(self.settings.show_preview, "Preview")
                .on_hover_text(tip)
                .clicked()
            {
                commands.push(AppCommand::TogglePreview);
            }
        });
    }

    pub(super) fn status_ui(&mut self, ui: &mut Ui) {
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
            if let Some(status) = &self.status {
                let text = RichText::new(&status.text);
                if status.is_error {
                    ui.label(text.color(ui.visuals().error_fg_color));
                } else {
                    ui.label(text);
                }
            }
        });
    }
}

fn style_name(kind: Collection) -> &'static str {
    match kind {
        Collection::Migration => "Migration",
        Collection::Runbook => "Hotfix runbook",
        Collection::Environment => "Environment",
        Collection::Region => "Region",
        Collection::Service => "Service",
        Collection::Dependency => "Dependency",
    }
}
