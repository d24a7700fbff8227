//! Fitting the export into the platforms' limits: on each platform the release is split into a chain
//! of pipelines ([`crate::release::chain`]) when one file would be too large, and every pipeline file
//! is measured against the platform's limits before anything is handed out.
//!
//! The limits, from the platforms' documentation:
//! - GitHub refuses to start a workflow whose file is larger than 500 KB
//!   (<https://docs.github.com/en/actions/reference/limits>); counted here as 500,000 bytes.
//! - GitHub lets one workflow run call at most 50 distinct reusable workflows, nested at most 10 deep
//!   (<https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations#limitations-of-reusable-workflows>).
//!   A pipeline calls one reusable workflow per kind of deployment, one level deep.
//! - Azure Pipelines includes at most 100 template files in one pipeline, nested at most 20 deep, and
//!   stops parsing at 10 MB of memory, "typically 600 KB – 2 MB of on-disk YAML"
//!   (<https://learn.microsoft.com/azure/devops/pipelines/process/templates#imposed-limits>). Cutover
//!   keeps every pipeline, with all the templates it may include, under 1,000,000 bytes on disk.

use super::{FileKind, GeneratedFile, paths};
use crate::emit::yaml::{self, Yaml};
use crate::emit::{Azure, GitHub};
use crate::release::chain::{self, StageTooLarge};
use crate::release::{Pipeline, ReleaseIr};

/// The largest GitHub workflow file, in bytes.
pub const GITHUB_WORKFLOW_LIMIT: usize = 500_000;
/// The most distinct reusable workflows one GitHub workflow run may call.
pub const GITHUB_REUSABLE_WORKFLOWS_LIMIT: usize = 50;
/// The largest Azure pipeline, with every template it includes, in bytes on disk.
pub const AZURE_PIPELINE_LIMIT: usize = 1_000_000;
/// The most template files one Azure pipeline may include.
pub const AZURE_TEMPLATES_LIMIT: usize = 100;
/// The shares of a limit a part is filled to when the release is split, tried in turn: the room
/// left is for what splitting adds (the chain's own jobs, the commit each later part checks out).
const FILL_PERCENTS: [usize; 4] = [85, 75, 60, 40];

/// A pipeline the platform would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverLimit {
    /// The file is too large.
    #[error("{path} would be {bytes} bytes{including}; {platform} refuses more than {limit}")]
    Size {
        /// The pipeline file.
        path: String,
        /// Its measured size.
        bytes: usize,
        /// What else the size counts (Azure: the templates).
        including: String,
        /// The limit.
        limit: usize,
        /// Which platform sets it.
        platform: &'static str,
    },
    /// The pipeline calls too many templates.
    #[error("{path} calls {count} {what}; {platform} allows at most {limit}")]
    Count {
        /// The pipeline file.
        path: String,
        /// How many it calls.
        count: usize,
        /// What is counted.
        what: &'static str,
        /// The limit.
        limit: usize,
        /// Which platform sets it.
        platform: &'static str,
    },
}

/// Why a platform's pipelines could not be fitted into its limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FitError {
    /// One stage alone is larger than a part may be.
    #[error(transparent)]
    StageTooLarge(#[from] StageTooLarge),
    /// A pipeline is over a limit however the release is split.
    #[error(transparent)]
    OverLimit(#[from] OverLimit),
}

/// One platform's emitter.
#[derive(Clone, Copy)]
pub(super) enum Writer<'a> {
    /// GitHub Actions.
    GitHub(&'a GitHub<'a>),
    /// Azure Pipelines.
    Azure(&'a Azure<'a>),
}

/// One platform's pipelines and templates, as written.
pub(super) struct PlatformFiles {
    /// The release as written on this platform: one pipeline, or the parts of a chain.
    pub release: Vec<Pipeline>,
    /// The release's files, then the hotfixes', then the templates'.
    pub files: Vec<GeneratedFile>,
}

impl Writer<'_> {
    /// The pipeline document of `pipeline`.
    fn document(self, pipeline: &Pipeline) -> Yaml {
        match self {
            Writer::GitHub(github) => github.workflow(pipeline),
            Writer::Azure(azure) => azure.pipeline(pipeline),
        }
    }

    /// The key of the document's collection with one entry per stage.
    fn stages_key(self) -> &'static str {
        match self {
            Writer::GitHub(_) => "jobs",
            Writer::Azure(_) => "stages",
        }
    }

    /// Where the pipeline file of `pipeline` goes.
    fn path(self, pipeline: &Pipeline) -> String {
        match self {
            Writer::GitHub(_) => paths::github_workflow(pipeline),
            Writer::Azure(_) => paths::azure_pipeline(pipeline),
        }
    }

    /// What a pipeline file is.
    fn kind(self) -> FileKind {
        match self {
            Writer::GitHub(_) => FileKind::GitHubWorkflow,
            Writer::Azure(_) => FileKind::AzurePipeline,
        }
    }

    /// The template files of `ir` on this platform.
    fn templates(self, ir: &ReleaseIr, header: &[String]) -> Vec<GeneratedFile> {
        ir.templates
            .iter()
            .map(|template| match self {
                Writer::GitHub(github) => GeneratedFile {
                    path: paths::github_template(&ir.stem, &template.name),
                    kind: FileKind::GitHubReusableWorkflow,
                    contents: yaml::write_document(header, &github.reusable_workflow(template)),
                },
                Writer::Azure(azure) => GeneratedFile {
                    path: paths::azure_template(&ir.stem, &template.name),
                    kind: FileKind::AzureTemplate,
                    contents: yaml::write_document(header, &azure.stage_template(template)),
                },
            })
            .collect()
    }

    /// The most a pipeline file may take, given the bytes of the templates it may include.
    fn limit(self, template_bytes: usize) -> usize {
        match self {
            Writer::GitHub(_) => GITHUB_WORKFLOW_LIMIT,
            Writer::Azure(_) => AZURE_PIPELINE_LIMIT.saturating_sub(template_bytes),
        }
    }

    /// Checks a pipeline file that may call `templates` templates taking `template_bytes`.
    fn check(
        self,
        path: &str,
        text: &str,
        templates: usize,
        template_bytes: usize,
    ) -> Result<(), OverLimit> {
        let (platform, limit, including, count_limit, what) = match self {
            Writer::GitHub(_) => (
                "GitHub",
                GITHUB_WORKFLOW_LIMIT,
                String::new(),
                GITHUB_REUSABLE_WORKFLOWS_LIMIT,
                "reusable workflows",
            ),
            Writer::Azure(_) => (
                "Azure Pipelines",
                AZURE_PIPELINE_LIMIT,
                format!(" with the {template_bytes} bytes of its templates"),
                AZURE_TEMPLATES_LIMIT,
                "template files",
            ),
        };
        let bytes = match self {
            Writer::GitHub(_) => text.len(),
            Writer::Azure(_) => text.len() + template_bytes,
        };
        if bytes > limit {
            return Err(OverLimit::Size {
                path: path.to_owned(),
                bytes,
                including,
                limit,
                platform,
            });
        }
        if templates > count_limit {
            return Err(OverLimit::Count {
                path: path.to_owned(),
                count: templates,
                what,
                limit: count_limit,
                platform,
            });
        }
        Ok(())
    }
}

/// Writes the pipelines and templates of `ir` for one platform, splitting the release into a chain
/// of parts when one file would be over the platform's limits.
pub(super) fn platform_files(
    ir: &ReleaseIr,
    writer: Writer<'_>,
    header: &[String],
) -> Result<PlatformFiles, FitError> {
    let templates = writer.templates(ir, header);
    let template_bytes: usize = templates.iter().map(|f| f.contents.len()).sum();
    let limit = writer.limit(template_bytes);
    let (text, marks) =
        yaml::write_document_marked(header, &writer.document(&ir.release), writer.stages_key());
    let mut attempts = FILL_PERCENTS.iter().peekable();
    let (release, mut files) = if text.len() <= limit {
        let path = writer.path(&ir.release);
        writer.check(&path, &text, ir.templates.len(), template_bytes)?;
        let file = GeneratedFile {
            path,
            kind: writer.kind(),
            contents: text,
        };
        (vec![ir.release.clone()], vec![file])
    } else {
        // Each stage's size, and what the file holds besides its stages.
        let costs: Vec<usize> = marks.windows(2).map(|w| w[1] - w[0]).collect();
        let settings = text.len() - (marks.last().unwrap_or(&0) - marks.first().unwrap_or(&0));
        loop {
            let Some(fill) = attempts.next() else {
                unreachable!("the last attempt returns");
            };
            let budget = (limit / 100 * fill).saturating_sub(settings);
            let cuts = chain::cut_points(&ir.release.stages, &costs, budget)?;
            let parts = chain::split(&ir.release, &cuts);
            match write_all(&parts, writer, header, ir.templates.len(), template_bytes) {
                Ok(files) => break (parts, files),
                Err(error) if attempts.peek().is_none() => return Err(error.into()),
                Err(_) => {}
            }
        }
    };
    files.extend(write_all(
        &ir.hotfixes,
        writer,
        header,
        ir.templates.len(),
        template_bytes,
    )?);
    files.extend(templates);
    Ok(PlatformFiles { release, files })
}

/// Writes each of `pipelines` and checks it against the platform's limits.
fn write_all(
    pipelines: &[Pipeline],
    writer: Writer<'_>,
    header: &[String],
    templates: usize,
    template_bytes: usize,
) -> Result<Vec<GeneratedFile>, OverLimit> {
    pipelines
        .iter()
        .map(|pipeline| {
            let path = writer.path(pipeline);
            let contents = yaml::write_document(header, &writer.document(pipeline));
            writer.check(&path, &contents, templates, template_bytes)?;
            Ok(GeneratedFile {
                path,
                kind: writer.kind(),
                contents,
            })
        })
        .collect()
}
