//! Where every generated file goes in a repository, and how the files refer to each other: the one
//! place that builds output paths, so the exporter, the emitters' references, the runbooks' "run it"
//! sections and the drift check agree.

use super::Target;
use crate::release::Pipeline;

/// The GitHub Actions workflow of `pipeline`.
pub fn github_workflow(pipeline: &Pipeline) -> String {
    github_workflow_of(&pipeline.file_stem)
}

/// The GitHub Actions workflow of the pipeline with file stem `stem`.
pub fn github_workflow_of(stem: &str) -> String {
    format!("{GITHUB_WORKFLOWS}/{stem}.yml")
}

/// The GitHub reusable workflow of the deployment template `template` of the plan with file stem
/// `stem`.
pub fn github_template(stem: &str, template: &str) -> String {
    format!("{GITHUB_WORKFLOWS}/{stem}-{template}.yml")
}

/// How a workflow's `uses:` names that reusable workflow: a path from the repository root.
pub fn github_template_reference(stem: &str, template: &str) -> String {
    format!("./{}", github_template(stem, template))
}

/// The Azure Pipelines file of `pipeline`.
pub fn azure_pipeline(pipeline: &Pipeline) -> String {
    format!("{AZURE_FOLDER}/{}.yml", pipeline.file_stem)
}

/// The folders an export for `target` writes into, with their subfolders: where files it generated
/// earlier and no longer produces (a renamed runbook's pipeline, say) are looked for.
pub fn owned_folders(target: Target) -> Vec<&'static str> {
    let mut folders = vec![LIBRARY_FOLDER, RUNBOOK_FOLDER];
    if target.github() {
        folders.extend([GITHUB_WORKFLOWS, GITHUB_SETUP_FOLDER]);
    }
    if target.azure() {
        folders.push(AZURE_FOLDER);
    }
    folders
}

const GITHUB_WORKFLOWS: &str = ".github/workflows";
const GITHUB_SETUP_FOLDER: &str = ".github/environments";
const LIBRARY_FOLDER: &str = "cutover";
const RUNBOOK_FOLDER: &str = "docs/runbooks";

/// The folder of the Azure pipelines; templates are referred to relative to it.
const AZURE_FOLDER: &str = "azure-pipelines";

/// The Azure stage template of the deployment template `template`.
pub fn azure_template(stem: &str, template: &str) -> String {
    format!(
        "{AZURE_FOLDER}/{}",
        azure_template_reference(stem, template)
    )
}

/// How a pipeline's `template:` names that stage template: relative to the pipeline's folder.
pub fn azure_template_reference(stem: &str, template: &str) -> String {
    format!("templates/{stem}-{template}.yml")
}

/// The script library every step runs.
pub fn library(stem: &str) -> String {
    format!("{LIBRARY_FOLDER}/{stem}.sh")
}

/// The release's rollback data beside the script library, which finds it by its own path: what each
/// place undoes after a failed quality gate.
pub fn rollback_data(stem: &str) -> String {
    format!("{LIBRARY_FOLDER}/{stem}-rollbacks.jsonl")
}

/// The GitHub environment setup script.
pub fn github_setup(stem: &str) -> String {
    format!("{GITHUB_SETUP_FOLDER}/{stem}-setup.sh")
}

/// The Azure DevOps environment setup script.
pub fn azure_setup(stem: &str) -> String {
    format!("{AZURE_FOLDER}/environments/{stem}-setup.sh")
}

/// The Markdown runbook of the release's quality gates.
pub fn gates_runbook(stem: &str) -> String {
    format!("{RUNBOOK_FOLDER}/{}.md", gates_runbook_stem(stem))
}

/// The file stem of the quality-gate runbook: no hotfix runbook may have it (CUT100).
pub fn gates_runbook_stem(stem: &str) -> String {
    crate::plan::gates_runbook_stem(stem)
}

/// The Markdown runbook of the runbook with this file stem.
pub fn runbook(runbook_stem: &str) -> String {
    format!("{RUNBOOK_FOLDER}/{runbook_stem}.md")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rollback_data_is_where_the_library_looks_for_it() {
        // The library reads `${0%.sh}-rollbacks.jsonl`, its own path with that ending.
        let library = library("shop");
        let expected = format!("{}-rollbacks.jsonl", library.trim_end_matches(".sh"));
        assert_eq!(rollback_data("shop"), expected);
        assert!(
            crate::release::library_body().contains("\"${0%.sh}-rollbacks.jsonl\""),
            "the library no longer finds its data beside itself"
        );
    }
}
