//! The command line: `cutover` alone or `cutover PLAN` opens the app; the headless commands `check`,
//! `order` and `new` are a thin shell over [`crate::analysis`] and [`crate::storage`]; everything they
//! print is computed there.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::analysis::{Analysis, DeploymentOrder, Diagnostic, Severity, Step, analyse};
use crate::emit::{self, ExportError, FileKind, Target};
use crate::plan::{Plan, templates};
use crate::storage::{self, FileStatus, OutputFile, Ownership, Recovery, StorageError};

/// Exit code when the plan has errors (or a command was refused).
const EXIT_PROBLEMS: u8 = 1;
/// Exit code when the plan file cannot be read or parsed.
const EXIT_UNREADABLE: u8 = 2;

/// Cutover: plan releases, check them, and order their deployment. Without a command, opens the app.
#[derive(Debug, Parser)]
#[command(name = "cutover", version, about, long_about = None, args_conflicts_with_subcommands = true)]
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
    /// Write a starter plan that passes `check`; refuses to overwrite an existing file.
    New {
        /// Which template to start from.
        #[arg(long, default_value = "starter", value_parser = template_names())]
        template: String,
        /// The file to create; its name (without extension) becomes the plan's name.
        file: PathBuf,
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
    let cli = Cli::parse();
    match cli.command {
        Some(command) => ExitCode::from(run(
            command,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        )),
        None => crate::app::run(cli.plan),
    }
}

/// Runs one command, printing results to `out` and failures to `err`; returns the exit code.
pub fn run(command: Command, out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> u8 {
    let result = match command {
        Command::Check { plan, format } => check(&plan, format, out),
        Command::Order { plan, format } => order(&plan, format, out),
        Command::New { template, file } => new_plan(&template, &file, out),
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
    let export = match emit::export(&plan, target) {
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
        Err(error @ ExportError::Lowering(_)) => {
            writeln!(out, "{}: {error}; nothing was exported", path.display()).ok();
            return Ok(EXIT_PROBLEMS);
        }
        Err(error @ ExportError::SelfCheck { .. }) => {
            writeln!(out, "error: {error}").ok();
            return Ok(EXIT_BUG);
        }
    };
    let files: Vec<OutputFile> = export
        .files
        .iter()
        .map(|f| OutputFile {
            path: f.path.clone(),
            contents: f.contents.clone(),
            executable: f.kind == FileKind::EnvironmentSetup,
        })
        .collect();
    let plan_name = plan.name.clone();
    let owns = move |head: &str| generated_from(&plan_name, head);
    let ownership = Ownership {
        folders: export_folders(target),
        owns: &owns,
    };
    if check {
        let report = storage::check_export(dir, &files, &ownership)?;
        report_recovery(report.recovered, dir, out);
        let statuses = report.statuses;
        let mut drift = 0;
        for (file, status) in files.iter().zip(&statuses) {
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
                path.display(),
                dir.display()
            )
            .ok();
            return Ok(EXIT_PROBLEMS);
        }
        writeln!(out, "{} generated file(s) up to date", files.len()).ok();
        return Ok(0);
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
    writeln!(out, "\nenvironments the pipelines name (create them before the first run with the setup scripts):").ok();
    for environment in &export.environments {
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
    Ok(0)
}

/// The folders an export for `target` writes to, searched for stray files it no longer produces
/// (besides the folders of the files it does produce).
fn export_folders(target: Target) -> &'static [&'static str] {
    match target {
        Target::GitHub => &[".github/workflows", ".github/environments", "docs/runbooks"],
        Target::Azure => &["azure-pipelines", "docs/runbooks"],
        Target::All => &[
            ".github/workflows",
            ".github/environments",
            "azure-pipelines",
            "docs/runbooks",
        ],
    }
}

/// Whether a file was generated from the plan named `name`, judged by the start of its text: its
/// header line (the first, or the second after a `#!` line) names the plan as the emitters write it,
/// `# Generated by Cutover from plan "NAME"` in YAML and shell, and `<!-- Generated…` in Markdown,
/// where `--` in the name is written `- -`.
fn generated_from(name: &str, head: &str) -> bool {
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default();
    let header = if first.starts_with("#!") {
        lines.next().unwrap_or_default()
    } else {
        first
    };
    let marker = |name: &str| format!("Generated by Cutover from plan \"{name}\"");
    header.contains(&marker(&name.replace(['\n', '\r'], " ")))
        || header.contains(&marker(&name.replace("--", "- -")))
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

fn new_plan(template: &str, file: &Path, out: &mut dyn std::io::Write) -> Result<u8, Failure> {
    let plan_name = file
        .file_stem()
        .map_or_else(|| "plan".to_owned(), |s| s.to_string_lossy().into_owned());
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
    let subject_text = if subject.id.is_empty() {
        subject.kind.as_str().to_owned()
    } else {
        format!("{}:{}", subject.kind.as_str(), subject.id)
    };
    json!({
        "code": diagnostic.code.as_str(),
        "severity": diagnostic.severity,
        "subject": subject_text,
        "subject_kind": subject.kind,
        "subject_id": subject.id,
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
                    .map(|step| match step {
                        Step::Expand { migration } => {
                            json!({"kind": "expand", "migration": names.migration(migration), "id": migration})
                        }
                        Step::Contract { migration } => {
                            json!({"kind": "contract", "migration": names.migration(migration), "id": migration})
                        }
                        Step::Deploy { service, region } => {
                            let mut item = json!({"kind": "deploy", "service": names.service(service), "id": service});
                            if let Some(region) = region {
                                item["region"] = json!(names.region(region));
                                item["region_id"] = json!(region);
                            }
                            item
                        }
                        Step::Validate { region, minutes } => json!({
                            "kind": "validate", "region": names.region(region), "region_id": region, "minutes": minutes
                        }),
                    })
                    .collect(),
            )
        })
        .collect();
    json!({ "waves": waves })
}

fn order_text(plan: &Plan, order: &DeploymentOrder) -> String {
    let names = StepNames { plan };
    let mut text = String::new();
    for (index, wave) in order.waves.iter().enumerate() {
        text.push_str(&format!("wave {}\n", index + 1));
        for step in &wave.steps {
            let line = match step {
                Step::Expand { migration } => format!("expand    {}", names.migration(migration)),
                Step::Contract { migration } => format!("contract  {}", names.migration(migration)),
                Step::Deploy {
                    service,
                    region: Some(region),
                } => {
                    format!(
                        "deploy    {} [{}]",
                        names.service(service),
                        names.region(region)
                    )
                }
                Step::Deploy {
                    service,
                    region: None,
                } => format!("deploy    {}", names.service(service)),
                Step::Validate { region, minutes } => {
                    format!("validate  {} for {minutes} min", names.region(region))
                }
            };
            text.push_str(&format!("  {line}\n"));
        }
    }
    text
}
