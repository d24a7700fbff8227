//! Exporting a plan: the release IR translated into Azure Pipelines and GitHub Actions YAML, the
//! environment setup for both platforms, and a Markdown runbook per hotfix path, each file checked
//! before it is handed back. Pure: the files are returned as text; [`crate::storage`] writes them.

mod azure;
pub mod diff;
mod github;
mod runbook;
mod selfcheck;
mod setup;
mod shell;
pub mod yaml;

use crate::analysis::{Diagnostic, Severity, analyse};
use crate::plan::Plan;
use crate::release::{EnvironmentSpec, LowerError, PipelineKind, ReleaseIr, file_stem, lower};
use selfcheck::Platform;

pub use setup::shell_word;

/// Which platforms to export for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Azure Pipelines only.
    Azure,
    /// GitHub Actions only.
    GitHub,
    /// Both.
    All,
}

impl Target {
    fn azure(self) -> bool {
        matches!(self, Target::Azure | Target::All)
    }
    fn github(self) -> bool {
        matches!(self, Target::GitHub | Target::All)
    }
}

/// What a generated file is, for summaries and the app's preview tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// An Azure Pipelines YAML file.
    AzurePipeline,
    /// A GitHub Actions workflow.
    GitHubWorkflow,
    /// A script that creates the environments and their protection.
    EnvironmentSetup,
    /// A Markdown hotfix runbook.
    Runbook,
}

/// One file of an export: its path relative to the repository root (with `/`), and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Where the file goes, relative to the repository root.
    pub path: String,
    /// What it is.
    pub kind: FileKind,
    /// The whole text.
    pub contents: String,
}

/// Everything an export produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// The files, in a stable order.
    pub files: Vec<GeneratedFile>,
    /// The environments the pipelines name, which the setup scripts create.
    pub environments: Vec<EnvironmentSpec>,
}

/// Why a plan could not be exported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExportError {
    /// The plan has errors; nothing is exported.
    #[error("the plan has {} error(s); nothing was exported", .0.len())]
    PlanHasErrors(Vec<Diagnostic>),
    /// The plan could not be lowered (a collision only visible in generated names).
    #[error(transparent)]
    Lowering(#[from] LowerError),
    /// A generated file failed its self-check: a bug in Cutover.
    #[error("self-check failed for {path}: {problem} (this is a bug in Cutover; please report it)")]
    SelfCheck {
        /// The file.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// Exports `plan` for `target`: refuses a plan with errors, and checks every pipeline it writes by
/// reading it back ([`selfcheck`]). This is what is written to disk.
pub fn export(plan: &Plan, target: Target) -> Result<Export, ExportError> {
    let (ir, export) = generate(plan, target)?;
    for file in &export.files {
        let platform = match file.kind {
            FileKind::GitHubWorkflow => Platform::GitHub,
            FileKind::AzurePipeline => Platform::Azure,
            FileKind::EnvironmentSetup | FileKind::Runbook => continue,
        };
        let pipeline = std::iter::once(&ir.release)
            .chain(&ir.hotfixes)
            .find(|p| file.path.ends_with(&format!("/{}.yml", p.file_stem)))
            .ok_or_else(|| ExportError::SelfCheck {
                path: file.path.clone(),
                problem: "no pipeline wrote it".into(),
            })?;
        selfcheck::check(&file.contents, platform, pipeline, plan).map_err(|problem| {
            ExportError::SelfCheck {
                path: file.path.clone(),
                problem,
            }
        })?;
    }
    Ok(export)
}

/// The same files as [`export`] without reading them back: for previews, where speed matters and
/// nothing is written.
pub fn render(plan: &Plan, target: Target) -> Result<Export, ExportError> {
    generate(plan, target).map(|(_, export)| export)
}

fn generate(plan: &Plan, target: Target) -> Result<(ReleaseIr, Export), ExportError> {
    let analysis = analyse(plan);
    if analysis.has_errors() {
        let errors = analysis
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        return Err(ExportError::PlanHasErrors(errors));
    }
    let ir = lower(plan)?;
    let header = header_lines(plan);
    let mut files = Vec::new();
    for pipeline in std::iter::once(&ir.release).chain(&ir.hotfixes) {
        if target.github() {
            files.push(GeneratedFile {
                path: format!(".github/workflows/{}.yml", pipeline.file_stem),
                kind: FileKind::GitHubWorkflow,
                contents: yaml::write_document(
                    &header,
                    &github::workflow_document(pipeline, &plan.platforms),
                ),
            });
        }
        if target.azure() {
            files.push(GeneratedFile {
                path: format!("azure-pipelines/{}.yml", pipeline.file_stem),
                kind: FileKind::AzurePipeline,
                contents: yaml::write_document(
                    &header,
                    &azure::pipeline_document(pipeline, &plan.platforms),
                ),
            });
        }
    }
    let stem = file_stem(&plan.name);
    if target.github() {
        files.push(GeneratedFile {
            path: format!(".github/environments/{stem}-setup.sh"),
            kind: FileKind::EnvironmentSetup,
            contents: setup::github_script(&header, &plan.platforms, &ir.environments),
        });
    }
    if target.azure() {
        files.push(GeneratedFile {
            path: format!("azure-pipelines/environments/{stem}-setup.sh"),
            kind: FileKind::EnvironmentSetup,
            contents: setup::azure_script(&header, &plan.platforms, &ir.environments),
        });
    }
    files.extend(runbooks(plan, &ir, target));
    let environments = ir.environments.clone();
    Ok((
        ir,
        Export {
            files,
            environments,
        },
    ))
}

fn runbooks(plan: &Plan, ir: &ReleaseIr, target: Target) -> Vec<GeneratedFile> {
    ir.hotfixes
        .iter()
        .filter_map(|pipeline| {
            let PipelineKind::Hotfix { runbook } = &pipeline.kind else {
                return None;
            };
            let runbook = plan.runbooks.iter().find(|r| &r.id == runbook)?;
            let paths = runbook::PipelinePaths {
                github: target
                    .github()
                    .then(|| format!(".github/workflows/{}.yml", pipeline.file_stem)),
                azure: target
                    .azure()
                    .then(|| format!("azure-pipelines/{}.yml", pipeline.file_stem)),
            };
            Some(GeneratedFile {
                path: format!("docs/runbooks/{}.md", file_stem(runbook.id.as_str())),
                kind: FileKind::Runbook,
                contents: runbook::runbook_markdown(plan, runbook, pipeline, &paths),
            })
        })
        .collect()
}

fn header_lines(plan: &Plan) -> Vec<String> {
    vec![
        format!(
            "Generated by Cutover from plan \"{}\". Do not edit by hand:",
            plan.name
        ),
        "change the plan and run `cutover export` (`cutover export --check` detects drift)."
            .to_owned(),
    ]
}
