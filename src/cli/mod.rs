//! The command line: `cutover` alone or `cutover PLAN` opens the app; the headless commands `check`,
//! `order`, `export`, `rehearse` and `new` are a thin shell over [`crate::analysis`],
//! [`crate::export`], [`crate::rehearse`] and [`crate::storage`]; everything they print is computed
//! there. `completions` and `man` print the shell completions and manual pages of this very
//! definition ([`docs`]).

pub mod docs;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{FromArgMatches as _, Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::analysis::{Analysis, DeploymentOrder, Diagnostic, Severity, Step, analyse};
use crate::export::{self, ExportError, Target};
use crate::plan::{Plan, templates};
use crate::release::EnvironmentSpec;
use crate::storage::{self, FileStatus, OutputFile, Ownership, Recovery, StorageError};

/// Exit code when the plan has errors (or a command was refused).
const EXIT_PROBLEMS: u8 = 1;
/// Exit code when the plan file cannot be read or parsed.
const EXIT_UNREADABLE: u8 = 2;

/// What `cutover --help` says the program is.
#[cfg(feature = "gui")]
const ABOUT: &str = "Plan releases, check them, order their deployment and export their pipelines. \
                     Without a command, opens the app.";
/// What `cutover --help` says the program is, in a build without the desktop app.
#[cfg(not(feature = "gui"))]
const ABOUT: &str = "Plan releases, check them, order their deployment and export their pipelines. \
                     This build has no desktop app: it runs the commands only.";

/// The command line as parsed: a subcommand, or the plan the app opens.
#[derive(Debug, Parser)]
#[command(
    name = "cutover",
    version,
    about = ABOUT,
    long_about = None,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do; without one, the app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The plan the app opens (default: the last plan opened, else a starter plan).
    pub plan: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the plan's diagnostics; exit 0 with no errors, 1 with errors, 2 if unreadable.
    Check {
        /// The plan file.
        plan: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the deployment order as waves; exit 1 if no order exists (a dependency cycle).
    Order {
        /// The plan file.
        plan: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Export pipelines, environment setup and runbooks into a repository folder, all files or none.
    ///
    /// Exit 0 when written (or, with --check, up to date); 1 when the plan has errors or, with --check,
    /// a file is missing or differs; 2 when the plan cannot be read or a file cannot be written; 3 when
    /// a generated file fails its self-check (a bug in Cutover).
    Export {
        /// The plan file.
        plan: PathBuf,
        /// The repository folder to write into.
        #[arg(long)]
        out: PathBuf,
        /// Which platforms to export for.
        #[arg(long, value_enum, default_value_t = TargetArg::All)]
        target: TargetArg,
        /// Write nothing; exit 1 naming each file that is missing or differs (a drift check for CI).
        #[arg(long)]
        check: bool,
    },
    /// Rehearse the exported pipelines against a simulated estate, with injected faults.
    ///
    /// Runs the exported YAML itself (a fresh export of the plan, or with --exported the files
    /// committed in that repository folder, hand edits included) under a simulator of each
    /// platform, with fake cloud CLIs and virtual time; prints the timeline, the final estate and
    /// the verdicts. Exit 0 when every verdict holds, 1 when one fails (or the export cannot be
    /// rehearsed), 2 for an unreadable plan or a bad fault spec.
    Rehearse {
        /// The plan file.
        plan: PathBuf,
        /// A repository folder holding an export to rehearse instead of a fresh one.
        #[arg(long)]
        exported: Option<PathBuf>,
        /// Which platforms to rehearse.
        #[arg(long, value_enum, default_value_t = PlatformArg::Both)]
        platform: PlatformArg,
        /// A fault to inject (repeatable): health:SERVICE@PLACE[:after=N], deploy:SERVICE@PLACE,
        /// transient:SERVICE@PLACE[:tries=K], approval:N|ENVIRONMENT:reject|timeout,
        /// expand:MIGRATION, contract:MIGRATION, gate:GATE[@PLACE], traffic:ROUTE[@REGION]; PLACE
        /// is REGION (in the pipeline's last environment), ENVIRONMENT/REGION, or ENVIRONMENT
        /// alone.
        #[arg(long = "fault", value_name = "SPEC")]
        faults: Vec<String>,
        /// Rehearse the happy path and every single-fault scenario the plan allows.
        #[arg(long, conflicts_with = "faults")]
        all_single_faults: bool,
        /// Treat this folder as committed to the repository (repeatable), e.g. a static site's
        /// built files that the export expects in a fresh checkout.
        #[arg(long, value_name = "DIR")]
        assume_committed: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Draw the service graph: SVG with Cutover's layout, Graphviz `dot`, or Graphviz's `plain` layout.
    ///
    /// The SVG shows each service in its tier's colours with its deployment wave, for design documents
    /// and pull requests; `dot` is for Graphviz users; `plain` writes Cutover's layout in Graphviz's
    /// plain-text layout format, so it can be compared with `dot -Tplain`'s by the same measure.
    Graph {
        /// The plan file.
        plan: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Svg)]
        format: GraphFormat,
        /// Whose positions to draw: Cutover's automatic layout, or the ones saved in the plan (as
        /// arranged in the app; a plan without any is laid out).
        #[arg(long, value_enum, default_value_t = GraphLayout::Auto)]
        layout: GraphLayout,
        /// Write to this file (atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write a starter plan that passes `check`; refuses to overwrite an existing file.
    New {
        /// Which template to start from.
        #[arg(long, default_value = "starter", value_parser = template_names())]
        template: String,
        /// The file to create; its name (without extension) becomes the plan's name.
        file: PathBuf,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) to standard output.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff) to standard output: the main page, or one command's.
    Man {
        /// The command whose page to print (for example `export`); without one, `cutover(1)`.
        #[arg(conflicts_with = "list")]
        command: Option<String>,
        /// Print the commands that have a page of their own, one per line, instead.
        #[arg(long)]
        list: bool,
    },
}

/// The platforms `export` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// Azure Pipelines.
    Azure,
    /// GitHub Actions.
    Github,
    /// Both.
    All,
}

/// The platforms `rehearse` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlatformArg {
    /// GitHub Actions.
    Github,
    /// Azure Pipelines.
    Azure,
    /// Both, and their parity.
    Both,
}

/// The formats `graph` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// SVG drawn with the chosen layout.
    Svg,
    /// Graphviz `dot` source (Graphviz lays it out).
    Dot,
    /// Graphviz's plain-text layout format, with the chosen layout.
    Plain,
}

/// Whose positions `graph` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphLayout {
    /// Cutover's automatic layered layout.
    Auto,
    /// The positions saved in the plan.
    Saved,
}

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For scripts.
    Json,
}

fn template_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        templates::TEMPLATES
            .iter()
            .map(|(name, help)| clap::builder::PossibleValue::new(*name).help(*help)),
    )
}

/// Parses the process arguments: runs the headless command, or opens the app on the plan given.
pub fn run_from_args() -> ExitCode {
    let cli = match docs::command().try_get_matches() {
        Ok(matches) => Cli::from_arg_matches(&matches),
        Err(error) => Err(error),
    }
    .unwrap_or_else(|error| error.exit());
    match cli.command {
        Some(command) => ExitCode::from(run(
            command,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        )),
        None => open_app(cli.plan),
    }
}

/// Opens the desktop app on `plan`.
#[cfg(feature = "gui")]
fn open_app(plan: Option<PathBuf>) -> ExitCode {
    crate::app::run(plan)
}

/// Explains that this build has no desktop app (it was built without the `gui` feature).
#[cfg(not(feature = "gui"))]
fn open_app(_plan: Option<PathBuf>) -> ExitCode {
    eprintln!(
        "error: this build of cutover has no desktop app (it was built without the `gui` feature); \
         run one of its commands, see `cutover --help`"
    );
    ExitCode::from(EXIT_UNREADABLE)
}

/// Runs one command, printing results to `out` and failures to `err`; returns the exit code.
pub fn run(command: Command, out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> u8 {
    let result = match command {
        Command::Rehearse {
            plan,
            exported,
            platform,
            faults,
            all_single_faults,
            assume_committed,
            format,
        } => {
            let request = RehearseArgs {
                exported,
                platform,
                faults,
                all_single_faults,
                assume_committed,
                format,
            };
            return rehearse_command(&plan, &request, out, err);
        }
        Command::Check { plan, format } => check(&plan, format, out),
        Command::Order { plan, format } => order(&plan, format, out),
        Command::New { template, file } => new_plan(&template, &file, out),
        Command::Graph {
            plan,
            format,
            layout,
            out: file,
        } => graph(&plan, format, layout, file.as_deref(), out),
        Command::Completions { shell } => {
            docs::write_completions(shell, out);
            return 0;
        }
        Command::Man { list: true, .. } => {
            docs::write_command_list(out);
            return 0;
        }
        Command::Man { command, .. } => return docs::write_man_page(command.as_deref(), out, err),
        Command::Export {
            plan,
            out: dir,
            target,
            check,
        } => export(&plan, &dir, target, check, out),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            writeln!(err, "error: {}", failure.error).ok();
            failure.code
        }
    }
}

/// A command that could not do its job, with the exit code that says why.
struct Failure {
    error: StorageError,
    code: u8,
}

impl From<StorageError> for Failure {
    fn from(error: StorageError) -> Self {
        let code = if matches!(error, StorageError::AlreadyExists { .. }) {
            EXIT_PROBLEMS
        } else {
            EXIT_UNREADABLE
        };
        Self { error, code }
    }
}

fn check(path: &Path, format: Format, out: &mut dyn std::io::Write) -> Result<u8, Failure> {
    let plan = storage::load_plan(path)?;
    let analysis = analyse(&plan);
    let text = match format {
        Format::Json => json_text(&Value::Array(
            analysis.diagnostics.iter().map(diagnostic_json).collect(),
        )),
        Format::Text => check_text(path, &analysis),
    };
    write!(out, "{text}").ok();
    Ok(if analysis.has_errors() {
        EXIT_PROBLEMS
    } else {
        0
    })
}

fn order(path: &Path, format: Format, out: &mut dyn std::io::Write) -> Result<u8, Failure> {
    let plan = storage::load_plan(path)?;
    let analysis = analyse(&plan);
    let Some(order) = &analysis.order else {
        let cycles: Vec<String> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.code == crate::analysis::Code::DependencyCycle)
            .map(|d| format!("{}: {}", path.display(), d))
            .collect();
        write!(out, "{}\nno deployment order exists\n", cycles.join("\n")).ok();
        return Ok(EXIT_PROBLEMS);
    };
    let text = match format {
        Format::Json => json_text(&order_json(&plan, order)),
        Format::Text => order_text(&plan, order),
    };
    write!(out, "{text}").ok();
    Ok(0)
}

/// Exit code when a generated file fails its self-check.
const EXIT_BUG: u8 = 3;

/// The options of `cutover rehearse`.
struct RehearseArgs {
    exported: Option<PathBuf>,
    platform: PlatformArg,
    faults: Vec<String>,
    all_single_faults: bool,
    assume_committed: Vec<String>,
    format: Format,
}

/// `cutover rehearse`: a thin shell over [`crate::rehearse`].
fn rehearse_command(
    path: &Path,
    args: &RehearseArgs,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> u8 {
    use crate::rehearse::{self, Options, Repository, Selection, model::Platform};
    let plan = match storage::load_plan(path) {
        Ok(plan) => plan,
        Err(error) => {
            writeln!(err, "error: {error}").ok();
            return EXIT_UNREADABLE;
        }
    };
    let mut faults = Vec::new();
    for spec in &args.faults {
        match rehearse::scenario::parse(spec, &plan) {
            Ok(fault) => faults.push(fault),
            Err(message) => {
                writeln!(err, "error: {message}").ok();
                return EXIT_UNREADABLE;
            }
        }
    }
    let repo = match &args.exported {
        Some(dir) => rehearse::load::read_export(dir),
        None => match export::export(&plan, Target::All) {
            Ok(export) => Ok(Repository::from_export(&export)),
            Err(error) => {
                writeln!(err, "error: {}: {error}", path.display()).ok();
                return EXIT_PROBLEMS;
            }
        },
    };
    let options = Options {
        platforms: match args.platform {
            PlatformArg::Github => vec![Platform::GitHub],
            PlatformArg::Azure => vec![Platform::Azure],
            PlatformArg::Both => Platform::BOTH.to_vec(),
        },
        selection: if args.all_single_faults {
            Selection::AllSingleFaults
        } else if faults.is_empty() {
            Selection::HappyPath
        } else {
            Selection::Faults(faults)
        },
        threads: 0,
        committed: args.assume_committed.clone(),
        checkpoints: true,
    };
    let result = repo.and_then(|repo| rehearse::rehearse(&plan, &repo, &options));
    match result {
        Ok(rehearsal) => {
            let text = match args.format {
                Format::Text => rehearse::report::text(&rehearsal),
                Format::Json => json_text(&rehearse::report::json(&rehearsal)),
            };
            write!(out, "{text}").ok();
            if rehearsal.holds() { 0 } else { EXIT_PROBLEMS }
        }
        Err(error @ rehearse::RehearseError::Sandbox(_)) => {
            writeln!(err, "error: {error}").ok();
            EXIT_UNREADABLE
        }
        Err(error) => {
            writeln!(err, "error: {error}").ok();
            EXIT_PROBLEMS
        }
    }
}

fn export(
    path: &Path,
    dir: &Path,
    target: TargetArg,
    check: bool,
    out: &mut dyn std::io::Write,
) -> Result<u8, Failure> {
    let plan = storage::load_plan(path)?;
    let target = match target {
        TargetArg::Azure => Target::Azure,
        TargetArg::Github => Target::GitHub,
        TargetArg::All => Target::All,
    };
    let export = match export::export(&plan, target) {
        Ok(export) => export,
        Err(ExportError::PlanHasErrors(errors)) => {
            for diagnostic in &errors {
                writeln!(out, "{}: {diagnostic}", path.display()).ok();
            }
            writeln!(
                out,
                "{}: {} error(s); nothing was exported",
                path.display(),
                errors.len()
            )
            .ok();
            return Ok(EXIT_PROBLEMS);
        }
        Err(error @ (ExportError::Lowering(_) | ExportError::TooLarge(_))) => {
            writeln!(out, "{}: {error}; nothing was exported", path.display()).ok();
            return Ok(EXIT_PROBLEMS);
        }
        Err(error @ ExportError::SelfCheck { .. }) => {
            writeln!(out, "error: {error}").ok();
            return Ok(EXIT_BUG);
        }
    };
    let files: Vec<OutputFile> = export.files.into_iter().map(OutputFile::from).collect();
    let owns = |head: &str| export::generated_from(&plan.name, head);
    let folders = export::paths::owned_folders(target);
    let ownership = Ownership {
        folders: &folders,
        owns: &owns,
    };
    if check {
        return check_drift(path, dir, &files, &ownership, out);
    }
    let report = storage::write_export(dir, &files, &ownership)?;
    report_recovery(report.recovered, dir, out);
    for (file, status) in files.iter().zip(&report.statuses) {
        let word = match status {
            FileStatus::Created => "created  ",
            FileStatus::Changed => "changed  ",
            FileStatus::Unchanged => "unchanged",
        };
        writeln!(out, "{word} {}", file.path).ok();
    }
    for stray in &report.removed {
        writeln!(out, "removed   {stray}").ok();
    }
    list_environments(&export.environments, out);
    Ok(0)
}

/// `export --check`: names every generated file that is missing, differs or is stray in `dir`, and
/// fails when there is one.
fn check_drift(
    plan_path: &Path,
    dir: &Path,
    files: &[OutputFile],
    ownership: &Ownership,
    out: &mut dyn std::io::Write,
) -> Result<u8, Failure> {
    let report = storage::check_export(dir, files, ownership)?;
    report_recovery(report.recovered, dir, out);
    let mut drift = 0;
    for (file, status) in files.iter().zip(&report.statuses) {
        let word = match status {
            FileStatus::Created => "missing",
            FileStatus::Changed => "differs",
            FileStatus::Unchanged => continue,
        };
        drift += 1;
        writeln!(out, "{word}: {}", dir.join(&file.path).display()).ok();
    }
    for stray in &report.strays {
        drift += 1;
        writeln!(out, "stray: {}", dir.join(stray).display()).ok();
    }
    if drift > 0 {
        writeln!(
            out,
            "{drift} generated file(s) out of date: run `cutover export {} --out {}`",
            plan_path.display(),
            dir.display()
        )
        .ok();
        return Ok(EXIT_PROBLEMS);
    }
    writeln!(out, "{} generated file(s) up to date", files.len()).ok();
    Ok(0)
}

/// The environments the pipelines name, with the protection their setup scripts give them.
fn list_environments(environments: &[EnvironmentSpec], out: &mut dyn std::io::Write) {
    writeln!(out, "\nenvironments the pipelines name (create them before the first run with the setup scripts):").ok();
    for environment in environments {
        let protection = match &environment.approval {
            Some(approval) => format!(
                "approval by {} ({} required)",
                approval.approvers.join(", "),
                approval.required
            ),
            None => "no approval".to_owned(),
        };
        let branches = if environment.branches.is_empty() {
            "any branch".to_owned()
        } else {
            environment.branches.join(", ")
        };
        writeln!(
            out,
            "  {:<28} {protection}; branches: {branches}",
            environment.name
        )
        .ok();
    }
}

/// Says what became of an export into `dir` that was interrupted before this one.
fn report_recovery(recovered: Option<Recovery>, dir: &Path, out: &mut dyn std::io::Write) {
    let what = match recovered {
        None => return,
        Some(Recovery::Completed) => "completed (its new files stay)",
        Some(Recovery::Undone) => "undone (the old files are back)",
    };
    writeln!(
        out,
        "recovered: an interrupted export into {} was {what}",
        dir.display()
    )
    .ok();
}

fn graph(
    path: &Path,
    format: GraphFormat,
    layout: GraphLayout,
    file: Option<&Path>,
    out: &mut dyn std::io::Write,
) -> Result<u8, Failure> {
    let plan = storage::load_plan(path)?;
    let analysis = analyse(&plan);
    let order = analysis.order.as_ref();
    let diagram = match layout {
        // Saved positions have no bend points: their edges are straight.
        GraphLayout::Saved if !crate::layout::needs_layout(&plan) => {
            let positions: Vec<_> = plan.services.iter().map(|s| s.position).collect();
            crate::diagram::Diagram::of_plan(&plan, &positions, order)
        }
        // Cutover's own layout: long edges curve through their bend points, around the boxes.
        GraphLayout::Auto | GraphLayout::Saved => {
            let drawing = crate::layout::draw_plan(&plan, crate::layout::Spacing::default());
            crate::diagram::Diagram::of_drawing(&plan, &drawing, order)
        }
    };
    let text = diagram.render(match format {
        GraphFormat::Svg => crate::diagram::Format::Svg,
        GraphFormat::Dot => crate::diagram::Format::Dot,
        GraphFormat::Plain => crate::diagram::Format::Plain,
    });
    match file {
        Some(file) => {
            storage::write_atomically(file, text.as_bytes())?;
            writeln!(out, "wrote {}", file.display()).ok();
        }
        None => {
            write!(out, "{text}").ok();
        }
    }
    Ok(0)
}

fn new_plan(template: &str, file: &Path, out: &mut dyn std::io::Write) -> Result<u8, Failure> {
    let plan_name = storage::plan_name_for_file(file);
    let plan = templates::by_name(template, &plan_name)
        .ok_or_else(|| unknown_template(template))?
        .map_err(StorageError::from)?;
    storage::create_plan_file(file, &plan)?;
    writeln!(out, "wrote {} from template `{template}`", file.display()).ok();
    Ok(0)
}

fn unknown_template(name: &str) -> Failure {
    let error = std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("no template named `{name}`"),
    );
    Failure {
        error: StorageError::Io {
            path: PathBuf::from(name),
            source: error,
        },
        code: EXIT_PROBLEMS,
    }
}

fn json_text(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// One diagnostic for scripts: `subject` is `kind:id` (or just `kind` for the plan and the rollout).
fn diagnostic_json(diagnostic: &Diagnostic) -> Value {
    let subject = &diagnostic.subject;
    let kind = subject.kind().as_str();
    let key = subject.key();
    let subject_text = if key.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}:{key}")
    };
    json!({
        "code": diagnostic.code.as_str(),
        "severity": diagnostic.severity,
        "subject": subject_text,
        "subject_kind": kind,
        "subject_id": key,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    })
}

fn check_text(path: &Path, analysis: &Analysis) -> String {
    let mut text = String::new();
    for diagnostic in &analysis.diagnostics {
        text.push_str(&format!(
            "{}: {diagnostic}\n    hint: {}\n",
            path.display(),
            diagnostic.hint
        ));
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    text.push_str(&format!(
        "{}: {}, {}, {}\n",
        path.display(),
        plural(analysis.count(Severity::Error), "error"),
        plural(analysis.count(Severity::Warning), "warning"),
        plural(analysis.count(Severity::Info), "note"),
    ));
    text
}

/// Display names of the objects a step names, falling back to ids.
struct StepNames<'a> {
    plan: &'a Plan,
}

impl StepNames<'_> {
    fn service(&self, id: &crate::plan::Id) -> String {
        self.plan
            .service(id)
            .map_or_else(|| id.to_string(), |s| s.name.clone())
    }
    fn migration(&self, id: &crate::plan::Id) -> String {
        self.plan
            .migration(id)
            .map_or_else(|| id.to_string(), |m| m.name.clone())
    }
    fn region(&self, id: &crate::plan::Id) -> String {
        self.plan
            .region(id)
            .map_or_else(|| id.to_string(), |r| r.name.clone())
    }
    fn environment(&self, id: &crate::plan::Id) -> String {
        self.plan
            .environment(id)
            .map_or_else(|| id.to_string(), |e| e.name.clone())
    }
}

fn order_json(plan: &Plan, order: &DeploymentOrder) -> Value {
    let names = StepNames { plan };
    let waves: Vec<Value> = order
        .waves
        .iter()
        .map(|wave| {
            Value::Array(
                wave.steps
                    .iter()
                    .map(|step| step_json(&names, step))
                    .collect(),
            )
        })
        .collect();
    json!({ "waves": waves })
}

/// One step for scripts: its kind, what it acts on (name and id), and where.
fn step_json(names: &StepNames<'_>, step: &Step) -> Value {
    let (mut item, environment, region) = match step {
        Step::Expand {
            migration,
            environment,
            region,
        } => (
            json!({"kind": "expand", "migration": names.migration(migration), "id": migration}),
            environment,
            region.as_ref(),
        ),
        Step::Contract {
            migration,
            environment,
            region,
        } => (
            json!({"kind": "contract", "migration": names.migration(migration), "id": migration}),
            environment,
            region.as_ref(),
        ),
        Step::Deploy {
            service,
            environment,
            region,
        } => (
            json!({"kind": "deploy", "service": names.service(service), "id": service}),
            environment,
            region.as_ref(),
        ),
        Step::Validate {
            region,
            environment,
            minutes,
        } => (
            json!({"kind": "validate", "minutes": minutes}),
            environment,
            Some(region),
        ),
    };
    if let Some(environment) = environment {
        item["environment"] = json!(names.environment(environment));
        item["environment_id"] = json!(environment);
    }
    if let Some(region) = region {
        item["region"] = json!(names.region(region));
        item["region_id"] = json!(region);
    }
    item
}

fn order_text(plan: &Plan, order: &DeploymentOrder) -> String {
    let names = StepNames { plan };
    let mut text = String::new();
    for (index, wave) in order.waves.iter().enumerate() {
        text.push_str(&format!("wave {}\n", index + 1));
        for step in &wave.steps {
            text.push_str(&format!("  {}\n", step_text(&names, step)));
        }
    }
    text
}

/// One step for people: `deploy    Claims API [Staging, East US]`.
fn step_text(names: &StepNames<'_>, step: &Step) -> String {
    let place = |environment: &Option<crate::plan::Id>, region: Option<&crate::plan::Id>| {
        let parts: Vec<String> = environment
            .iter()
            .map(|e| names.environment(e))
            .chain(region.map(|r| names.region(r)))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" [{}]", parts.join(", "))
        }
    };
    match step {
        Step::Expand {
            migration,
            environment,
            region,
        } => format!(
            "expand    {}{}",
            names.migration(migration),
            place(environment, region.as_ref())
        ),
        Step::Contract {
            migration,
            environment,
            region,
        } => format!(
            "contract  {}{}",
            names.migration(migration),
            place(environment, region.as_ref())
        ),
        Step::Deploy {
            service,
            environment,
            region,
        } => format!(
            "deploy    {}{}",
            names.service(service),
            place(environment, region.as_ref())
        ),
        Step::Validate {
            region,
            environment,
            minutes,
        } => {
            let place = place(environment, None);
            format!(
                "validate  {}{} for {minutes} min",
                names.region(region),
                place
            )
        }
    }
}
