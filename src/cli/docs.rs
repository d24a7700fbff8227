//! The command line's documentation: the examples `--help` ends with, shell completions and manual
//! pages, all generated from the command-line definition itself, so they never describe options the
//! binary does not have.

use clap::CommandFactory;

use super::{Cli, EXIT_UNREADABLE};

/// Worked examples: a command line and what it does. `--help` and `cutover(1)` both show them.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "cutover examples/meridian-claims.ron",
        "Open a plan in the app.",
    ),
    (
        "cutover new --template meridian claims.cutover.ron",
        "Start a plan from a template.",
    ),
    (
        "cutover check claims.cutover.ron",
        "Print its diagnostics; exit 1 when it has errors.",
    ),
    (
        "cutover order claims.cutover.ron --format json",
        "Print the deployment waves for a script.",
    ),
    (
        "cutover export claims.cutover.ron --out ../repo",
        "Write the pipelines, setup scripts and runbooks into a repository.",
    ),
    (
        "cutover export claims.cutover.ron --out . --check",
        "In CI: fail when the committed pipelines differ from the plan.",
    ),
    (
        "cutover rehearse claims.cutover.ron --all-single-faults",
        "Run the exported pipelines against every single fault.",
    ),
    (
        "cutover completions bash > ~/.local/share/bash-completion/completions/cutover",
        "Install completions for bash (zsh, fish, elvish and powershell too).",
    ),
];

/// The full command-line definition: the derived [`Cli`] with the examples after its help.
pub fn command() -> clap::Command {
    let mut text = String::from("Examples:\n");
    for (line, what) in EXAMPLES {
        text.push_str(&format!("  {what}\n      {line}\n"));
    }
    Cli::command().after_help(text.trim_end().to_owned())
}

/// Writes the completion script for `shell` to `out`.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    clap_complete::generate(shell, &mut command(), "cutover", out);
}

/// Writes the manual page of `name` (`cutover-export(1)`, say), or of `cutover(1)` itself, to `out`;
/// an unknown command is reported on `err`. Returns the exit code.
pub fn write_man_page(
    name: Option<&str>,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> u8 {
    let main = Cli::command();
    let result = match name {
        None => write_main_page(main, out),
        Some(name) => {
            let Some(sub) = main.find_subcommand(name).cloned() else {
                writeln!(
                    err,
                    "error: `cutover` has no command `{name}`; its commands are {}",
                    command_names(&main).join(", ")
                )
                .ok();
                return EXIT_UNREADABLE;
            };
            // The page of `cutover export` is `cutover-export(1)`, as git and cargo name theirs.
            let page = sub
                .display_name(format!("cutover-{name}"))
                .bin_name(format!("cutover {name}"))
                .version(env!("CARGO_PKG_VERSION"));
            clap_mangen::Man::new(page).render(out)
        }
    };
    match result {
        Ok(()) => 0,
        Err(error) => {
            writeln!(err, "error: the manual page could not be written: {error}").ok();
            EXIT_UNREADABLE
        }
    }
}

/// Writes `cutover(1)`: clap_mangen's sections, with the examples as a section of their own.
fn write_main_page(main: clap::Command, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(main);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    writeln!(out, ".SH EXAMPLES")?;
    for (line, what) in EXAMPLES {
        writeln!(
            out,
            ".TP\n\\fB{}\\fR\n{}",
            roff_escape(line),
            roff_escape(what)
        )?;
    }
    man.render_version_section(out)
}

/// Escapes text for a roff line: backslashes, hyphens (so they copy as ASCII) and a leading dot or
/// apostrophe, which roff would read as a request.
fn roff_escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// Writes the names of the commands that have a manual page of their own, one per line.
pub fn write_command_list(out: &mut dyn std::io::Write) {
    for name in command_names(&Cli::command()) {
        writeln!(out, "{name}").ok();
    }
}

/// The names of `cutover`'s commands, in the order `--help` lists them (without `help`).
fn command_names(main: &clap::Command) -> Vec<&str> {
    main.get_subcommands()
        .map(clap::Command::get_name)
        .filter(|name| *name != "help")
        .collect()
}
