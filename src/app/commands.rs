//! The user's commands, described once: each [`Command`]'s label, description, shortcut, place in
//! the menus and place on the toolbar. The menus, the toolbar, the shortcut handler, the shortcut
//! text in menus and tooltips, Help → Keyboard shortcuts and the README's shortcut table are all
//! derived from this table.
//!
//! What panels report with data attached (an edit, a click on an object, a path) is a
//! [`super::Message`]; a command reaches the app as [`super::Message::Command`], so both go
//! through the same execute step at the end of the frame.

use egui::{Key, KeyboardShortcut, ModifierNames, Modifiers};

/// How much one Zoom in enlarges the canvas; Zoom out shrinks it by the same factor.
pub const ZOOM_STEP: f32 = 1.25;

/// The template Ctrl+N starts from.
pub const NEW_PLAN_TEMPLATE: &str = "starter";

/// A command the user can give from a menu, the toolbar or the keyboard. Commands carry no data: they
/// act on the app's state (the selection, the document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// Start a new plan from the starter template (asks about unsaved changes first).
    New,
    /// Show the open-file dialog.
    Open,
    /// Ask for a path to open by typing it.
    OpenTypedPath,
    /// Save to the document's file, or ask where when it has none.
    Save,
    /// Show the save-as dialog.
    SaveAs,
    /// Ask for a path to save to by typing it.
    SaveAsTypedPath,
    /// Save the service graph as an SVG picture (the one `cutover graph` draws).
    SaveGraph,
    /// Save the service graph as SVG, asking for the path by typing it.
    SaveGraphTypedPath,
    /// Refuse a plan with errors, else ask for the repository folder and review what would change.
    Export,
    /// Export, asking for the repository folder by typing it.
    ExportTypedPath,
    /// Open the Rehearse window: run the exported pipelines against a simulated estate.
    Rehearse,
    /// Close the window (asks about unsaved changes first).
    Quit,
    /// Add a service beside the others.
    AddService,
    /// Wait for a click on the service the selected service should depend on.
    StartConnect,
    /// Add a migration.
    AddMigration,
    /// Add a hotfix runbook.
    AddRunbook,
    /// Add an environment.
    AddEnvironment,
    /// Add a region.
    AddRegion,
    /// Undo the last step.
    Undo,
    /// Redo the last undone step.
    Redo,
    /// Ask for a new name for the selected service.
    RenameSelection,
    /// Delete the selected object.
    DeleteSelection,
    /// Put the keyboard in the canvas's find field.
    Find,
    /// Fade every service but the selected one's dependencies and dependents, or stop.
    ToggleFocus,
    /// Zoom and pan so every service is visible.
    Fit,
    /// Zoom in around the canvas centre by [`ZOOM_STEP`].
    ZoomIn,
    /// Zoom out around the canvas centre by [`ZOOM_STEP`].
    ZoomOut,
    /// Place the services added since the last layout, leaving every other service where it is.
    AutoLayout,
    /// Lay every service out again in layers, wherever it stands now.
    FreshLayout,
    /// Show or hide the outline panel.
    ToggleOutline,
    /// Show or hide the inspector panel.
    ToggleInspector,
    /// Show or hide the problems panel.
    ToggleProblems,
    /// Show or hide the export preview panel.
    TogglePreview,
    /// Follow the system's light or dark theme.
    ThemeSystem,
    /// Use the light theme.
    ThemeLight,
    /// Use the dark theme.
    ThemeDark,
    /// Show the list of keyboard shortcuts.
    ShowShortcuts,
}

/// A menu of the menu bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Menu {
    /// Files and export.
    File,
    /// Undo, redo and changes to the selection.
    Edit,
    /// New objects.
    Insert,
    /// The canvas view, the panels and the theme.
    View,
    /// Help.
    Help,
}

impl Menu {
    /// The menus, in menu-bar order.
    pub const ALL: [Menu; 5] = [Menu::File, Menu::Edit, Menu::Insert, Menu::View, Menu::Help];

    /// The menu's title.
    pub fn title(self) -> &'static str {
        match self {
            Menu::File => "File",
            Menu::Edit => "Edit",
            Menu::Insert => "Insert",
            Menu::View => "View",
            Menu::Help => "Help",
        }
    }
}

/// Where a command sits in the menus: its menu, and its group there (groups are separated by a
/// line; within a group, commands come in [`Command::ALL`] order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenuPlace {
    /// The menu.
    pub menu: Menu,
    /// The group within the menu.
    pub group: u8,
}

/// How a command's menu item (and toolbar button) looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A plain item: it does something.
    Action,
    /// A setting that is on or off (a check box; a highlighted button on the toolbar).
    Toggle,
    /// One of several exclusive choices (a radio button).
    Choice,
}

/// Where a command sits on the toolbar: its group (separated by a line) and the button's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// The group; within a group, buttons come in [`Command::ALL`] order.
    pub group: u8,
    /// The button's text.
    pub text: &'static str,
}

/// The keys that run a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortcut {
    /// The keys shown in menus.
    pub keys: KeyboardShortcut,
    /// Other keys that do the same.
    pub alternative: Option<KeyboardShortcut>,
    /// Whether the shortcut also works while a text field has keyboard focus. Single keys and
    /// undo/redo do not: they belong to the text field then.
    pub while_typing: bool,
}

impl Shortcut {
    /// A Ctrl (Cmd on a Mac) shortcut; it works while typing.
    const fn ctrl(key: Key) -> Self {
        Self::with(Modifiers::COMMAND, key, true)
    }

    /// A Ctrl+Shift shortcut; it works while typing.
    const fn ctrl_shift(key: Key) -> Self {
        Self::with(Modifiers::COMMAND.plus(Modifiers::SHIFT), key, true)
    }

    /// A single key; it is left to a text field that has focus.
    const fn key(key: Key) -> Self {
        Self::with(Modifiers::NONE, key, false)
    }

    /// `modifiers` and `key`, working while typing or not.
    const fn with(modifiers: Modifiers, key: Key, while_typing: bool) -> Self {
        Self {
            keys: KeyboardShortcut::new(modifiers, key),
            alternative: None,
            while_typing,
        }
    }

    /// The same keys, left to a text field that has focus (which has its own undo and redo).
    const fn not_while_typing(self) -> Self {
        Self {
            while_typing: false,
            ..self
        }
    }

    /// The same, also run by `other`'s keys.
    const fn or(self, other: Shortcut) -> Self {
        Self {
            alternative: Some(other.keys),
            ..self
        }
    }

    /// Every key combination of the shortcut, the one shown in menus first.
    pub fn all_keys(self) -> impl Iterator<Item = KeyboardShortcut> {
        std::iter::once(self.keys).chain(self.alternative)
    }
}

impl Command {
    /// Every command: menus list them in this order within each group, and so does the toolbar.
    pub const ALL: [Command; 37] = [
        Command::New,
        Command::Open,
        Command::OpenTypedPath,
        Command::Save,
        Command::SaveAs,
        Command::SaveAsTypedPath,
        Command::SaveGraph,
        Command::SaveGraphTypedPath,
        Command::Export,
        Command::ExportTypedPath,
        Command::Rehearse,
        Command::Quit,
        Command::AddService,
        Command::StartConnect,
        Command::AddMigration,
        Command::AddRunbook,
        Command::AddEnvironment,
        Command::AddRegion,
        Command::Undo,
        Command::Redo,
        Command::RenameSelection,
        Command::DeleteSelection,
        Command::Find,
        Command::ToggleFocus,
        Command::Fit,
        Command::ZoomIn,
        Command::ZoomOut,
        Command::AutoLayout,
        Command::FreshLayout,
        Command::ToggleOutline,
        Command::ToggleInspector,
        Command::ToggleProblems,
        Command::TogglePreview,
        Command::ThemeSystem,
        Command::ThemeLight,
        Command::ThemeDark,
        Command::ShowShortcuts,
    ];

    /// The command's name in its menu.
    pub fn label(self) -> &'static str {
        match self {
            Command::New => "New",
            Command::Open => "Open…",
            Command::OpenTypedPath => "Open path…",
            Command::Save => "Save",
            Command::SaveAs => "Save As…",
            Command::SaveAsTypedPath => "Save as path…",
            Command::SaveGraph => "Save graph as SVG…",
            Command::SaveGraphTypedPath => "Save graph as SVG to path…",
            Command::Export => "Export…",
            Command::ExportTypedPath => "Export to path…",
            Command::Rehearse => "Rehearse…",
            Command::Quit => "Quit",
            Command::AddService => "Service",
            Command::StartConnect => "Dependency (connect)",
            Command::AddMigration => "Migration",
            Command::AddRunbook => "Hotfix runbook",
            Command::AddEnvironment => "Environment",
            Command::AddRegion => "Region",
            Command::Undo => "Undo",
            Command::Redo => "Redo",
            Command::RenameSelection => "Rename service…",
            Command::DeleteSelection => "Delete",
            Command::Find => "Find service…",
            Command::ToggleFocus => "Focus on selection",
            Command::Fit => "Fit to view",
            Command::ZoomIn => "Zoom in",
            Command::ZoomOut => "Zoom out",
            Command::AutoLayout => "Auto-layout",
            Command::FreshLayout => "Fresh layout",
            Command::ToggleOutline => "Outline",
            Command::ToggleInspector => "Inspector",
            Command::ToggleProblems => "Problems",
            Command::TogglePreview => "Export preview",
            Command::ThemeSystem => "Follow the system theme",
            Command::ThemeLight => "Light theme",
            Command::ThemeDark => "Dark theme",
            Command::ShowShortcuts => "Keyboard shortcuts",
        }
    }

    /// What the command does, in a sentence (tooltips, the shortcut list).
    pub fn description(self) -> &'static str {
        match self {
            Command::New => "Start a new plan from the starter template",
            Command::Open => "Open a plan file",
            Command::OpenTypedPath => "Open a plan file by typing its path",
            Command::Save => "Save the plan to its file, or ask where when it has none",
            Command::SaveAs => "Save the plan to another file",
            Command::SaveAsTypedPath => "Save the plan to a file by typing its path",
            Command::SaveGraph => {
                "Save the service graph as an SVG picture, for design documents and pull requests"
            }
            Command::SaveGraphTypedPath => "Save the service graph as SVG by typing its path",
            Command::Export => {
                "Write the pipelines into a repository folder, after showing what changes"
            }
            Command::ExportTypedPath => "Export into a repository folder by typing its path",
            Command::Rehearse => {
                "Run the exported pipelines against a simulated estate, with or without a fault"
            }
            Command::Quit => "Close Cutover, after asking about unsaved changes",
            Command::AddService => "Add a service to the canvas",
            Command::StartConnect => "Make the selected service depend on the next one you click",
            Command::AddMigration => "Add an expand–contract database migration",
            Command::AddRunbook => "Add a hotfix runbook",
            Command::AddEnvironment => "Add an environment",
            Command::AddRegion => "Add a region",
            Command::Undo => "Undo the last change",
            Command::Redo => "Redo the last undone change",
            Command::RenameSelection => "Give the selected service a new name",
            Command::DeleteSelection => {
                "Delete the selected object, or every service selected together"
            }
            Command::Find => "Find a service by name or id; Enter selects and centres the next",
            Command::ToggleFocus => {
                "Show only the selected service's dependencies and dependents, fading the rest"
            }
            Command::Fit => "Show every service",
            Command::ZoomIn => "Zoom in",
            Command::ZoomOut => "Zoom out",
            Command::AutoLayout => {
                "Place the services added since the last layout in their layers; the others stay"
            }
            Command::FreshLayout => "Lay every service out again in layers, bottom-up",
            Command::ToggleOutline => "Show or hide the outline",
            Command::ToggleInspector => "Show or hide the inspector",
            Command::ToggleProblems => "Show or hide the problems",
            Command::TogglePreview => "Show or hide the generated pipelines",
            Command::ThemeSystem => "Use light or dark colours as the system does",
            Command::ThemeLight => "Use light colours",
            Command::ThemeDark => "Use dark colours",
            Command::ShowShortcuts => "List every keyboard shortcut",
        }
    }

    /// The keys that run the command, if any.
    pub fn shortcut(self) -> Option<Shortcut> {
        let shortcut = match self {
            Command::New => Shortcut::ctrl(Key::N),
            Command::Open => Shortcut::ctrl(Key::O),
            Command::Save => Shortcut::ctrl(Key::S),
            Command::SaveAs => Shortcut::ctrl_shift(Key::S),
            Command::Export => Shortcut::ctrl(Key::E),
            Command::Rehearse => Shortcut::ctrl(Key::R),
            Command::AddService => Shortcut::key(Key::A),
            Command::StartConnect => Shortcut::key(Key::C),
            Command::Undo => Shortcut::ctrl(Key::Z).not_while_typing(),
            Command::Redo => Shortcut::ctrl_shift(Key::Z)
                .or(Shortcut::ctrl(Key::Y))
                .not_while_typing(),
            Command::RenameSelection => Shortcut::key(Key::F2),
            Command::DeleteSelection => Shortcut::key(Key::Delete),
            Command::Find => Shortcut::ctrl(Key::F),
            Command::Fit => Shortcut::key(Key::F),
            Command::AutoLayout => Shortcut::key(Key::L),
            Command::TogglePreview => Shortcut::ctrl_shift(Key::Y),
            _ => return None,
        };
        Some(shortcut)
    }

    /// Where the command sits in the menus.
    pub fn menu(self) -> MenuPlace {
        let (menu, group) = match self {
            Command::New => (Menu::File, 0),
            Command::Open | Command::OpenTypedPath => (Menu::File, 1),
            Command::Save | Command::SaveAs | Command::SaveAsTypedPath => (Menu::File, 2),
            Command::SaveGraph | Command::SaveGraphTypedPath => (Menu::File, 2),
            Command::Export | Command::ExportTypedPath | Command::Rehearse => (Menu::File, 3),
            Command::Quit => (Menu::File, 4),
            Command::AddService
            | Command::StartConnect
            | Command::AddMigration
            | Command::AddRunbook
            | Command::AddEnvironment
            | Command::AddRegion => (Menu::Insert, 0),
            Command::Undo | Command::Redo => (Menu::Edit, 0),
            Command::RenameSelection | Command::DeleteSelection => (Menu::Edit, 1),
            Command::Find => (Menu::Edit, 2),
            Command::ToggleFocus => (Menu::View, 1),
            Command::Fit
            | Command::ZoomIn
            | Command::ZoomOut
            | Command::AutoLayout
            | Command::FreshLayout => (Menu::View, 0),
            Command::ToggleOutline
            | Command::ToggleInspector
            | Command::ToggleProblems
            | Command::TogglePreview => (Menu::View, 1),
            Command::ThemeSystem | Command::ThemeLight | Command::ThemeDark => (Menu::View, 2),
            Command::ShowShortcuts => (Menu::Help, 0),
        };
        MenuPlace { menu, group }
    }

    /// How the command's menu item looks.
    pub fn kind(self) -> ItemKind {
        match self {
            Command::ToggleOutline
            | Command::ToggleInspector
            | Command::ToggleProblems
            | Command::TogglePreview
            | Command::ToggleFocus => ItemKind::Toggle,
            Command::ThemeSystem | Command::ThemeLight | Command::ThemeDark => ItemKind::Choice,
            _ => ItemKind::Action,
        }
    }

    /// Where the command sits on the toolbar, if it is there.
    pub fn tool(self) -> Option<Tool> {
        let (group, text) = match self {
            Command::AddService => (0, "Add service"),
            Command::StartConnect => (0, "Connect"),
            Command::DeleteSelection => (0, "Delete"),
            Command::Undo => (1, "Undo"),
            Command::Redo => (1, "Redo"),
            Command::Fit => (2, "Fit"),
            Command::ZoomIn => (2, "Zoom in"),
            Command::ZoomOut => (2, "Zoom out"),
            Command::AutoLayout => (2, "Auto-layout"),
            Command::Export => (3, "Export…"),
            Command::TogglePreview => (3, "Preview"),
            _ => return None,
        };
        Some(Tool { group, text })
    }

    /// "Menu → Label", how the shortcut list and the README name the command.
    pub fn menu_path(self) -> String {
        format!("{} → {}", self.menu().menu.title(), self.label())
    }
}

/// A submenu whose items come from data rather than commands (the templates, the recent files); it
/// is drawn at the end of its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submenu {
    /// File → New from template.
    Templates,
    /// File → Open recent.
    Recent,
}

impl Submenu {
    /// Every submenu.
    pub const ALL: [Submenu; 2] = [Submenu::Templates, Submenu::Recent];

    /// The submenu's name.
    pub fn label(self) -> &'static str {
        match self {
            Submenu::Templates => "New from template",
            Submenu::Recent => "Open recent",
        }
    }

    /// Where the submenu sits.
    pub fn menu(self) -> MenuPlace {
        match self {
            Submenu::Templates => MenuPlace {
                menu: Menu::File,
                group: 0,
            },
            Submenu::Recent => MenuPlace {
                menu: Menu::File,
                group: 1,
            },
        }
    }
}

/// The groups of `menu`, in order.
pub fn menu_groups(menu: Menu) -> Vec<u8> {
    let mut groups: Vec<u8> = Command::ALL
        .iter()
        .map(|c| c.menu())
        .chain(Submenu::ALL.iter().map(|s| s.menu()))
        .filter(|place| place.menu == menu)
        .map(|place| place.group)
        .collect();
    groups.sort_unstable();
    groups.dedup();
    groups
}

/// The toolbar's groups of commands, in order.
pub fn toolbar_groups() -> Vec<Vec<(Command, Tool)>> {
    let mut tools: Vec<(Command, Tool)> = Command::ALL
        .iter()
        .filter_map(|&c| c.tool().map(|t| (c, t)))
        .collect();
    // A stable sort keeps the table's order within a group.
    tools.sort_by_key(|(_, tool)| tool.group);
    tools
        .chunk_by(|(_, a), (_, b)| a.group == b.group)
        .map(<[_]>::to_vec)
        .collect()
}

/// The commands that have shortcuts, menu by menu in menu-bar order.
pub fn with_shortcuts() -> Vec<(Command, Shortcut)> {
    Menu::ALL
        .iter()
        .flat_map(|&menu| {
            Command::ALL
                .iter()
                .filter(move |c| c.menu().menu == menu)
                .filter_map(|&c| c.shortcut().map(|s| (c, s)))
        })
        .collect()
}

/// The keys of a shortcut as the README writes them, the same on every platform ("Ctrl+Shift+S").
pub fn keys_text(keys: &KeyboardShortcut) -> String {
    keys.format(&ModifierNames::NAMES, false)
}

/// The Markdown table of every shortcut, as the README shows it.
pub fn shortcut_table() -> String {
    let mut table = String::from(
        "| shortcut | command | while a text field has focus |\n| --- | --- | --- |\n",
    );
    for (command, shortcut) in with_shortcuts() {
        let keys: Vec<String> = shortcut
            .all_keys()
            .map(|keys| format!("`{}`", keys_text(&keys)))
            .collect();
        table.push_str(&format!(
            "| {} | {} | {} |\n",
            keys.join(" or "),
            command.menu_path(),
            typing_note(shortcut.while_typing),
        ));
    }
    table
}

/// Whether a shortcut works while typing, in words (the shortcut list and the README).
pub fn typing_note(while_typing: bool) -> &'static str {
    if while_typing {
        "works"
    } else {
        "left to the text field"
    }
}

/// How many modifiers a shortcut needs (Ctrl and Cmd count as one).
fn modifier_count(keys: &KeyboardShortcut) -> usize {
    let m = keys.modifiers;
    [m.alt, m.shift, m.ctrl || m.command || m.mac_cmd]
        .into_iter()
        .filter(|&on| on)
        .count()
}

/// The commands whose shortcuts were pressed this frame. Single keys and undo/redo are left to a text
/// field while `typing` (so typing "a" types, and Ctrl+Z undoes typing); see
/// [`super::typing::TypingGuard`].
pub fn pressed(ctx: &egui::Context, typing: bool) -> Vec<Command> {
    let mut bindings: Vec<(KeyboardShortcut, Command)> = with_shortcuts()
        .into_iter()
        .filter(|(_, shortcut)| shortcut.while_typing || !typing)
        .flat_map(|(command, shortcut)| shortcut.all_keys().map(move |keys| (keys, command)))
        .collect();
    // egui matches Shift and Alt loosely: try Ctrl+Shift+S before Ctrl+S so one is not taken for
    // the other.
    bindings.sort_by_key(|(keys, _)| std::cmp::Reverse(modifier_count(keys)));
    let mut commands = Vec::new();
    ctx.input_mut(|input| {
        for (keys, command) in bindings {
            if input.consume_shortcut(&keys) {
                commands.push(command);
            }
        }
    });
    commands
}

#[cfg(test)]
mod tests {
    use super::{Command, Menu, menu_groups, toolbar_groups, with_shortcuts};

    #[test]
    fn every_command_is_listed_once_and_no_two_share_keys() {
        for (i, a) in Command::ALL.iter().enumerate() {
            assert!(!Command::ALL[i + 1..].contains(a), "{a:?} twice");
        }
        let mut keys: Vec<_> = with_shortcuts()
            .iter()
            .flat_map(|(_, s)| s.all_keys())
            .collect();
        let count = keys.len();
        keys.sort_by_key(|k| format!("{k:?}"));
        keys.dedup();
        assert_eq!(keys.len(), count, "two commands share keys");
    }

    #[test]
    fn menus_and_toolbar_come_from_the_table() {
        assert_eq!(menu_groups(Menu::File), [0, 1, 2, 3, 4]);
        assert_eq!(menu_groups(Menu::Help), [0]);
        let toolbar: Vec<Vec<&str>> = toolbar_groups()
            .iter()
            .map(|group| group.iter().map(|(_, tool)| tool.text).collect())
            .collect();
        assert_eq!(
            toolbar,
            [
                vec!["Add service", "Connect", "Delete"],
                vec!["Undo", "Redo"],
                vec!["Fit", "Zoom in", "Zoom out", "Auto-layout"],
                vec!["Export…", "Preview"],
            ]
        );
    }

    #[test]
    fn single_keys_and_undo_redo_are_left_to_text_fields() {
        for (command, shortcut) in with_shortcuts() {
            let single = shortcut.keys.modifiers.is_none();
            let undo_redo = matches!(command, Command::Undo | Command::Redo);
            assert_eq!(shortcut.while_typing, !single && !undo_redo, "{command:?}");
        }
    }
}
