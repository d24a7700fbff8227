//! The one clickable list of diagnostics, used by the Problems panel, the inspector (the selected
//! object's problems), the preview (the errors that stop it) and the Export… window (the errors that
//! refuse an export). Each row shows the severity's icon and colour, its hint on hover, and a click
//! reveals the object it is about.

use std::borrow::Cow;

use egui::{RichText, Ui};

use super::message::Message;
use super::style;
use crate::analysis::Diagnostic;
use crate::plan::{Id, ObjectRef, Plan};

/// How each row of a [`DiagnosticList`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// The Problems panel: the code in a column of its own, then the object and the message, one
    /// line each; only the rows in view are laid out.
    Table,
    /// A list inside a message (the preview, the export refusal): "CODE object: message", wrapped.
    Inline,
    /// About the object the list is shown with (the inspector): the message, wrapped; the code and
    /// the hint on hover.
    OfObject,
}

/// A list of diagnostics whose rows reveal their object when clicked.
pub struct DiagnosticList<'a> {
    diagnostics: Vec<&'a Diagnostic>,
    rows: Rows,
    limit: usize,
    plan: Option<&'a Plan>,
}

impl<'a> DiagnosticList<'a> {
    /// A list of `diagnostics`, each row read as `rows` says.
    pub fn new(rows: Rows, diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Self {
        Self {
            diagnostics: diagnostics.into_iter().collect(),
            rows,
            limit: usize::MAX,
            plan: None,
        }
    }

    /// Names each row's object by its name from `plan`, with its id beside it ("API (api)").
    pub fn named(mut self, plan: &'a Plan) -> Self {
        self.plan = Some(plan);
        self
    }

    /// Lists at most `limit` rows, then says how many more the Problems panel has.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Draws the rows into `ui`; a click pushes [`Message::Reveal`]. Returns whether a row was
    /// clicked.
    pub fn show(self, ui: &mut Ui, out: &mut Vec<Message>) -> bool {
        let mut clicked = false;
        for diagnostic in self.diagnostics.iter().take(self.limit) {
            clicked |= row(ui, self.rows, self.plan, diagnostic, out);
        }
        if self.diagnostics.len() > self.limit {
            ui.weak(format!(
                "… and {} more in the Problems panel",
                self.diagnostics.len() - self.limit
            ));
        }
        clicked
    }

    /// Draws every row in a vertical scroll area that fills `ui`, laying out only the rows in view
    /// (so thousands of problems stay responsive); for [`Rows::Table`], whose rows are one line
    /// high. Returns whether a row was clicked.
    pub fn show_scrolled(self, ui: &mut Ui, id_salt: &str, out: &mut Vec<Message>) -> bool {
        let mut clicked = false;
        let row_height = ui.spacing().interact_size.y;
        egui::ScrollArea::vertical()
            .id_salt(id_salt)
            .auto_shrink([false, false])
            .show_rows(ui, row_height, self.diagnostics.len(), |ui, range| {
                for diagnostic in &self.diagnostics[range] {
                    clicked |= row(ui, self.rows, self.plan, diagnostic, out);
                }
            });
        clicked
    }
}

/// One row; returns whether it was clicked.
fn row(
    ui: &mut Ui,
    rows: Rows,
    plan: Option<&Plan>,
    diagnostic: &Diagnostic,
    out: &mut Vec<Message>,
) -> bool {
    let subject = plan.map_or_else(
        || diagnostic.subject.to_string(),
        |plan| subject_text(plan, &diagnostic.subject),
    );
    let message = style::drawable(ui.ctx(), &diagnostic.message);
    let icon = |ui: &mut Ui| {
        ui.label(
            RichText::new(style::severity_icon(diagnostic.severity))
                .color(style::severity_colour(diagnostic.severity)),
        );
    };
    let hint = style::drawable(ui.ctx(), &format!("Hint: {}", diagnostic.hint));
    let response = match rows {
        Rows::Table => {
            ui.horizontal(|ui| {
                icon(ui);
                ui.monospace(diagnostic.code.as_str());
                let text = style::drawable(ui.ctx(), &format!("{subject}: {message}"));
                // One line, cut short at the panel's edge; the whole of it shows on hover.
                ui.add(egui::Button::selectable(false, text.as_str()).truncate())
                    .on_hover_text(format!("{text}\n\n{hint}"))
            })
            .inner
        }
        Rows::Inline => {
            ui.horizontal_wrapped(|ui| {
                icon(ui);
                let text = style::drawable(
                    ui.ctx(),
                    &format!("{} {subject}: {message}", diagnostic.code.as_str()),
                );
                ui.add(egui::Button::selectable(false, text).wrap())
                    .on_hover_text(hint)
            })
            .inner
        }
        Rows::OfObject => {
            ui.horizontal_wrapped(|ui| {
                icon(ui);
                ui.add(egui::Button::selectable(false, message.as_str()).wrap())
                    .on_hover_text(format!("{}. {hint}", diagnostic.code.as_str()))
            })
            .inner
        }
    };
    let clicked = response.clicked();
    if clicked {
        out.push(Message::Reveal(diagnostic.subject.clone()));
    }
    clicked
}

/// How a row names its object: by name with the id beside it ("service API (api)"), the plan-wide
/// sections by their kind.
pub fn subject_text(plan: &Plan, subject: &ObjectRef) -> String {
    let kind = subject.kind().as_str();
    match subject {
        ObjectRef::Dependency { service, on } => format!(
            "{kind} {} on {}",
            service_text(plan, service),
            service_text(plan, on)
        ),
        other => match other.id() {
            Some(id) => match object_name(plan, other) {
                Some(name) if name != id.as_str() => format!("{kind} {name} ({id})"),
                _ => format!("{kind} `{id}`"),
            },
            None => kind.to_owned(),
        },
    }
}

/// A service as pickers and rows show it: "API (api)", or the id alone when it has no other name
/// (or no longer exists).
pub fn service_text(plan: &Plan, id: &Id) -> String {
    let name = plan.service(id).map_or("", |s| s.name.as_str());
    name_and_id(name, id).into_owned()
}

/// An object as pickers and rows show it: its name with the id beside it ("API (api)"), or the id
/// alone when the name is empty or the same.
pub fn name_and_id<'a>(name: &str, id: &'a Id) -> Cow<'a, str> {
    if name.is_empty() || name == id.as_str() {
        Cow::Borrowed(id.as_str())
    } else {
        Cow::Owned(format!("{name} ({id})"))
    }
}

/// The name of the object `subject` refers to, if it has one.
fn object_name<'p>(plan: &'p Plan, subject: &ObjectRef) -> Option<&'p str> {
    let (collection, index) = subject.locate(plan)?;
    let name = match collection {
        crate::plan::Collection::Service => &plan.services.get(index)?.name,
        crate::plan::Collection::Migration => &plan.migrations.get(index)?.name,
        crate::plan::Collection::Environment => &plan.environments.get(index)?.name,
        crate::plan::Collection::Region => &plan.regions.get(index)?.name,
        crate::plan::Collection::Runbook => &plan.runbooks.get(index)?.name,
        crate::plan::Collection::Dependency => return None,
    };
    (!name.is_empty()).then_some(name.as_str())
}
