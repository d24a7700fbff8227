//! Where every generated file goes in a repository: the one place that builds output paths, so the
//! exporter, the runbooks' "run it" sections and the drift check agree.

use crate::release::{Pipeline, file_stem};

/// The GitHub Actions workflow of `pipeline`.
pub fn github_workflow(pipeline: &Pipeline) -> String {
    format!(".github/workflows/{}.yml", pipeline.file_stem)
}

/// The Azure Pipelines file of `pipeline`.
pub fn azure_pipeline(pipeline: &Pipeline) -> String {
    format!("azure-pipelines/{}.yml", pipeline.file_stem)
}

/// The GitHub environment setup script of the plan named `plan_name`.
pub fn github_setup(plan_name: &str) -> String {
    format!(".github/environments/{}-setup.sh", file_stem(plan_name))
}

/// The Azure DevOps environment setup script of the plan named `plan_name`.
pub fn azure_setup(plan_name: &str) -> String {
    format!(
        "azure-pipelines/environments/{}-setup.sh",
        file_stem(plan_name)
    )
}

/// The Markdown runbook of the runbook with this id.
pub fn runbook(runbook_id: &str) -> String {
    format!("docs/runbooks/{}.md", file_stem(runbook_id))
}
