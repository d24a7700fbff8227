//! Exporting a plan, end to end: the analysis refuses a plan with errors, the plan is lowered once to
//! the release IR, the emitters translate the IR into files, and every pipeline file is read back and
//! checked ([`selfcheck`]) before it is handed to the caller. Pure: the files are returned as text;
//! [`crate::storage`] writes them.
//!
//! This is the one place that orchestrates analyse → lower → emit → self-check; the emitters in
//! [`crate::emit`] only translate.

pub mod diff;
pub mod fit;
pub mod paths;
mod selfcheck;

use std::collections::BTreeMap;

use crate::analysis::{Diagnostic, Severity, analyse};
use crate::emit;
use crate::plan::Plan;
use crate::release::{
    EnvironmentSpec, LowerError, Pipeline, PipelineKind, ReleaseIr, file_stem, library_body, lower,
};
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
    pub(crate) fn azure(self) -> bool {
        matches!(self, Target::Azure | Target::All)
    }
    pub(crate) fn github(self) -> bool {
        matches!(self, Target::GitHub | Target::All)
    }
}

/// What a generated file is, for summaries and the app's preview tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// An Azure Pipelines YAML file.
    AzurePipeline,
    /// An Azure Pipelines stage template the pipelines include.
    AzureTemplate,
    /// A GitHub Actions workflow.
    GitHubWorkflow,
    /// A GitHub Actions reusable workflow the workflows call.
    GitHubReusableWorkflow,
    /// The bash script library every pipeline step runs.
    ScriptLibrary,
    /// A script that creates the environments and their protection.
    EnvironmentSetup,
    /// A Markdown hotfix runbook.
    Runbook,
    /// The release's rollback data (JSON lines) the script library reads after a failed gate.
    RollbackData,
}

impl FileKind {
    /// Whether the file is written executable: the setup scripts a person runs. The script library
    /// is run with `bash FILE`, so it needs no mode.
    pub fn executable(self) -> bool {
        self == FileKind::EnvironmentSetup
    }
}

/// Whether a file that starts with `head` was generated from the plan named `plan_name`: its header
/// line (the first, or the second after a `#!` line) is the one the emitters write for that plan.
/// Files of other plans and files written by hand are never claimed.
pub fn generated_from(plan_name: &str, head: &str) -> bool {
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default();
    let header = if first.starts_with("#!") {
        lines.next().unwrap_or_default()
    } else {
        first
    };
    emit::header_marks(plan_name)
        .iter()
        .any(|mark| mark == header)
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
    /// A pipeline file would be refused by its platform, however the release is split.
    #[error(transparent)]
    TooLarge(#[from] fit::FitError),
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
/// reading it back with the files it refers to ([`selfcheck`]). This is what is written to disk.
pub fn export(plan: &Plan, target: Target) -> Result<Export, ExportError> {
    let generated = generate(plan, target)?;
    let texts: BTreeMap<&str, &str> = generated
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.contents.as_str()))
        .collect();
    let check = |platform: Platform, release: &[Pipeline]| -> Result<(), ExportError> {
        let chains =
            std::iter::once(release).chain(generated.ir.hotfixes.iter().map(std::slice::from_ref));
        for chain in chains {
            let paths: Vec<String> = chain
                .iter()
                .map(|pipeline| match platform {
                    Platform::GitHub => paths::github_workflow(pipeline),
                    Platform::Azure => paths::azure_pipeline(pipeline),
                })
                .collect();
            selfcheck::check(&texts, &paths, platform, chain, plan).map_err(|problem| {
                ExportError::SelfCheck {
                    path: paths.join(", "),
                    problem,
                }
            })?;
        }
        Ok(())
    };
    // The platforms' files are independent: each is read back on its own thread.
    std::thread::scope(|scope| {
        let github = generated
            .github
            .as_deref()
            .map(|release| scope.spawn(move || check(Platform::GitHub, release)));
        let azure = generated
            .azure
            .as_deref()
            .map(|release| check(Platform::Azure, release));
        if let Some(Err(error)) = azure {
            return Err(error);
        }
        match github.map(std::thread::ScopedJoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Ok(()),
        }
    })?;
    Ok(Export {
        files: generated.files,
        environments: generated.ir.environments,
    })
}

/// The same files as [`export`] without reading them back: for previews, where speed matters and
/// nothing is written.
pub fn render(plan: &Plan, target: Target) -> Result<Export, ExportError> {
    let generated = generate(plan, target)?;
    Ok(Export {
        files: generated.files,
        environments: generated.ir.environments,
    })
}

/// What [`generate`] makes: the IR, the release as written on each platform the export is for (one
/// pipeline, or the parts of a chain), and the files in their stable order.
struct Generated {
    ir: ReleaseIr,
    github: Option<Vec<Pipeline>>,
    azure: Option<Vec<Pipeline>>,
    files: Vec<GeneratedFile>,
}

/// Analyses, lowers, and writes each platform's files (on a thread of its own), fitting its release
/// into the platform's limits; then the files both share.
fn generate(plan: &Plan, target: Target) -> Result<Generated, ExportError> {
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
    let header = emit::header_lines(&ir.plan_name);
    let library = paths::library(&ir.stem);
    let github_reference = |template: &str| paths::github_template_reference(&ir.stem, template);
    let azure_reference = |template: &str| paths::azure_template_reference(&ir.stem, template);
    let github = emit::GitHub {
        settings: &ir.platforms,
        library: &library,
        template_reference: &github_reference,
        workflow_path: &paths::github_workflow_of,
    };
    let azure = emit::Azure {
        settings: &ir.platforms,
        library: &library,
        template_reference: &azure_reference,
    };
    let (github_files, azure_files) = std::thread::scope(|scope| {
        let github = target.github().then(|| {
            scope.spawn(|| fit::platform_files(&ir, fit::Writer::GitHub(&github), &header))
        });
        let azure = target
            .azure()
            .then(|| fit::platform_files(&ir, fit::Writer::Azure(&azure), &header));
        let github = github.map(|handle| match handle.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        });
        (github.transpose(), azure.transpose())
    });
    let (github_files, azure_files) = (github_files?, azure_files?);
    let mut files = Vec::new();
    let mut release_of = |platform: Option<fit::PlatformFiles>| {
        platform.map(|platform| {
            files.extend(platform.files);
            platform.release
        })
    };
    let github_release = release_of(github_files);
    let azure_release = release_of(azure_files);
    files.extend(emit_support(
        &ir,
        &header,
        &library,
        target,
        azure_release.as_deref(),
    ));
    Ok(Generated {
        ir,
        github: github_release,
        azure: azure_release,
        files,
    })
}

/// The script library, the setup scripts and the runbooks. `azure_release` is the release as
/// written for Azure, whose parts the Azure setup creates as pipelines.
fn emit_support(
    ir: &ReleaseIr,
    header: &[String],
    library: &str,
    target: Target,
    azure_release: Option<&[Pipeline]>,
) -> Vec<GeneratedFile> {
    let file = |path: String, kind: FileKind, contents: String| GeneratedFile {
        path,
        kind,
        contents,
    };
    let needs = emit::SetupNeeds {
        pull_requests: ir.opens_pull_requests(),
    };
    let mut files = vec![file(
        library.to_owned(),
        FileKind::ScriptLibrary,
        emit::script_file(header, &library_body()),
    )];
    if !ir.place_rollbacks.is_empty() {
        files.push(file(
            paths::rollback_data(&ir.stem),
            FileKind::RollbackData,
            emit::rollback_data_file(header, &ir.place_rollbacks),
        ));
    }
    if target.github() {
        files.push(file(
            paths::github_setup(&ir.stem),
            FileKind::EnvironmentSetup,
            emit::github_script(header, &ir.platforms, &ir.environments, needs),
        ));
    }
    if target.azure() {
        let chain: Vec<emit::ChainedPipeline> = azure_release
            .filter(|parts| parts.len() > 1)
            .into_iter()
            .flatten()
            .map(|part| emit::ChainedPipeline {
                name: part.file_stem.clone(),
                path: paths::azure_pipeline(part),
            })
            .collect();
        files.push(file(
            paths::azure_setup(&ir.stem),
            FileKind::EnvironmentSetup,
            emit::azure_script(header, &ir.platforms, &ir.environments, needs, &chain),
        ));
    }
    if !ir.gates.is_empty() {
        let run = emit::RunbookPipelines {
            github: target.github().then(|| paths::github_workflow(&ir.release)),
            azure: target.azure().then(|| paths::azure_pipeline(&ir.release)),
        };
        files.push(file(
            paths::gates_runbook(&ir.stem),
            FileKind::Runbook,
            emit::gates_runbook_markdown(&ir.plan_name, &ir.gates, &run),
        ));
    }
    for pipeline in &ir.hotfixes {
        let PipelineKind::Hotfix(hotfix) = &pipeline.kind else {
            continue;
        };
        let run = emit::RunbookPipelines {
            github: target.github().then(|| paths::github_workflow(pipeline)),
            azure: target.azure().then(|| paths::azure_pipeline(pipeline)),
        };
        files.push(file(
            paths::runbook(&file_stem(hotfix.runbook.as_str())),
            FileKind::Runbook,
            emit::runbook_markdown(&ir.plan_name, pipeline, hotfix, &run),
        ));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::yaml;

    #[test]
    fn a_file_is_claimed_by_the_plan_that_generated_it_and_no_other() {
        let names = [
            "meridian",
            "meridian\" b",
            "line\nbreak",
            "ends --> comment",
            "back\\slash",
        ];
        for name in names {
            let header = emit::header_lines(name);
            let yaml = yaml::write_document(&header, &yaml::Yaml::Map(Vec::new()));
            let script = emit::script_file(&header, "true\n");
            let runbook = format!("{}\n# Runbook\n", emit::header_marks(name)[1]);
            for text in [&yaml, &script, &runbook] {
                for other in names {
                    assert_eq!(
                        generated_from(other, text),
                        other == name,
                        "{other:?} claiming a file of {name:?}:\n{text}"
                    );
                }
            }
        }
        assert!(!generated_from(
            "meridian",
            "name: hand written\non: push\n"
        ));
        assert!(!generated_from("meridian", ""));
    }
}
