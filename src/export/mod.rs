//! Exporting a plan, end to end: the analysis refuses a plan with errors, the plan is lowered once to
//! the release IR, the emitters translate the IR into files, and every pipeline file is read back and
//! checked ([`selfcheck`]) before it is handed to the caller. Pure: the files are returned as text;
//! [`crate::storage`] writes them.
//!
//! This is the one place that orchestrates analyse → lower → emit → self-check; the emitters in
//! [`crate::emit`] only translate.

pub mod diff;
pub mod paths;
mod selfcheck;

use crate::analysis::{Diagnostic, Severity, analyse};
use crate::emit;
use crate::plan::Plan;
use crate::release::{EnvironmentSpec, LowerError, PipelineKind, ReleaseIr, lower};
use selfcheck::Platform;

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
    let (ir, files) = generate(plan, target)?;
    for pipeline in ir.pipelines() {
        for (path, platform) in [
            (paths::github_workflow(pipeline), Platform::GitHub),
            (paths::azure_pipeline(pipeline), Platform::Azure),
        ] {
            let Some(file) = files.iter().find(|f| f.path == path) else {
                continue;
            };
            selfcheck::check(&file.contents, platform, pipeline, plan).map_err(|problem| {
                ExportError::SelfCheck {
                    path: file.path.clone(),
                    problem,
                }
            })?;
        }
    }
    Ok(Export {
        files,
        environments: ir.environments,
    })
}

/// The same files as [`export`] without reading them back: for previews, where speed matters and
/// nothing is written.
pub fn render(plan: &Plan, target: Target) -> Result<Export, ExportError> {
    let (ir, files) = generate(plan, target)?;
    Ok(Export {
        files,
        environments: ir.environments,
    })
}

/// Analyses, lowers and emits; returns the IR and the files in their stable order.
fn generate(plan: &Plan, target: Target) -> Result<(ReleaseIr, Vec<GeneratedFile>), ExportError> {
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
    let files = emit_files(&ir, target);
    Ok((ir, files))
}

/// Translates the IR into every file of the export, in a stable order: per pipeline its GitHub then
/// its Azure file, then the setup scripts, then the runbooks.
fn emit_files(ir: &ReleaseIr, target: Target) -> Vec<GeneratedFile> {
    let header = emit::header_lines(&ir.plan_name);
    let mut files = Vec::new();
    for pipeline in ir.pipelines() {
        if target.github() {
            files.push(GeneratedFile {
                path: paths::github_workflow(pipeline),
                kind: FileKind::GitHubWorkflow,
                contents: emit::github_workflow(&header, pipeline, &ir.platforms),
            });
        }
        if target.azure() {
            files.push(GeneratedFile {
                path: paths::azure_pipeline(pipeline),
                kind: FileKind::AzurePipeline,
                contents: emit::azure_pipeline(&header, pipeline, &ir.platforms),
            });
        }
    }
    if target.github() {
        files.push(GeneratedFile {
            path: paths::github_setup(&ir.plan_name),
            kind: FileKind::EnvironmentSetup,
            contents: emit::github_setup(&header, &ir.platforms, &ir.environments),
        });
    }
    if target.azure() {
        files.push(GeneratedFile {
            path: paths::azure_setup(&ir.plan_name),
            kind: FileKind::EnvironmentSetup,
            contents: emit::azure_setup(&header, &ir.platforms, &ir.environments),
        });
    }
    for pipeline in &ir.hotfixes {
        let PipelineKind::Hotfix(hotfix) = &pipeline.kind else {
            continue;
        };
        let run = emit::RunbookPipelines {
            github: target.github().then(|| paths::github_workflow(pipeline)),
            azure: target.azure().then(|| paths::azure_pipeline(pipeline)),
        };
        files.push(GeneratedFile {
            path: paths::runbook(hotfix.runbook.as_str()),
            kind: FileKind::Runbook,
            contents: emit::runbook_markdown(&ir.plan_name, pipeline, hotfix, &run),
        });
    }
    files
}
