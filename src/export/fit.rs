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
use crate::release::{Pipeline, ReleaseIr, Stage};

/// The largest GitHub workflow file, in bytes.
pub const GITHUB_WORKFLOW_LIMIT: usize = 500_000;
/// The most distinct reusable workflows one GitHub workflow run may call.
pub const GITHUB_REUSABLE_WORKFLOWS_LIMIT: usize = 50;
/// The largest Azure pipeline, with every template it includes, in bytes on disk.
pub const AZURE_PIPELINE_LIMIT: usize = 1_000_000;
/// The most template files one Azure pipeline may include.
pub const AZURE_TEMPLATES_LIMIT: usize = 100;
/// The shares of a limit a part is filled to when the release is split, tried in turn: the room
/// left is for what splitting adds besides a part's first stage and settings (the job that starts
/// the next part, which waits for the part's last stages).
const FILL_PERCENTS: [usize; 4] = [95, 85, 70, 50];

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

    /// The entry of `stage` in the file of `pipeline`, written on its own.
    fn stage_text(self, pipeline: &Pipeline, stage: &Stage) -> String {
        match self {
            Writer::GitHub(github) => yaml::entry_text(&stage.id, &github.job(pipeline, stage), 2),
            Writer::Azure(azure) => yaml::item_text(&azure.stage(pipeline, stage), 2),
        }
    }

    /// The entries the file of `pipeline` has after its stages: GitHub's job starting the next part.
    fn tail_entries(self, pipeline: &Pipeline) -> Vec<String> {
        match (
            self,
            pipeline.chain.as_ref().and_then(|c| c.next.as_deref()),
        ) {
            (Writer::GitHub(github), Some(next)) => vec![yaml::entry_text(
                chain::CHAIN_NEXT,
                &github.chain_next(pipeline, next),
                2,
            )],
            _ => Vec::new(),
        }
    }

    /// The file of `pipeline` whose stages are written as `texts` (in order).
    fn assemble(self, header: &[String], pipeline: &Pipeline, mut texts: Vec<String>) -> String {
        let shell = Pipeline {
            file_stem: pipeline.file_stem.clone(),
            title: pipeline.title.clone(),
            kind: pipeline.kind.clone(),
            inputs: pipeline.inputs.clone(),
            branch_guard: pipeline.branch_guard.clone(),
            stages: Vec::new(),
            chain: pipeline.chain.clone(),
        };
        texts.extend(self.tail_entries(pipeline));
        yaml::write_document_with(header, &self.document(&shell), self.stages_key(), &texts)
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
/// of parts when one file would be over the platform's limits. Each stage of the release is written
/// once; a split rewrites only the stages whose dependencies it changes.
pub(super) fn platform_files(
    ir: &ReleaseIr,
    writer: Writer<'_>,
    header: &[String],
) -> Result<PlatformFiles, FitError> {
    let templates = writer.templates(ir, header);
    let template_bytes: usize = templates.iter().map(|f| f.contents.len()).sum();
    let limit = writer.limit(template_bytes);
    let release = &ir.release;
    let texts: Vec<String> = release
        .stages
        .iter()
        .map(|stage| writer.stage_text(release, stage))
        .collect();
    let costs: Vec<usize> = texts.iter().map(String::len).collect();
    let check =
        |path: &str, text: &str| writer.check(path, text, ir.templates.len(), template_bytes);
    let whole_size =
        costs.iter().sum::<usize>() + writer.assemble(header, release, Vec::new()).len();
    let (parts, mut files) = if whole_size <= limit {
        let contents = writer.assemble(header, release, texts);
        let path = writer.path(release);
        check(&path, &contents)?;
        let file = GeneratedFile {
            path,
            kind: writer.kind(),
            contents,
        };
        (vec![release.clone()], vec![file])
    } else {
        // What a later part holds besides its stages: its settings, inputs and chain jobs.
        let sample = chain::split(release, &[1.min(release.stages.len())]);
        let fixed = sample.last().map_or(0, |part| {
            let start = part
                .stages
                .first()
                .map_or(0, |s| writer.stage_text(part, s).len());
            writer.assemble(header, part, Vec::new()).len() + start
        });
        let mut texts: Vec<Option<String>> = texts.into_iter().map(Some).collect();
        let mut attempts = FILL_PERCENTS.iter().peekable();
        loop {
            let Some(fill) = attempts.next() else {
                unreachable!("the last attempt returns");
            };
            let budget = (limit / 100 * fill).saturating_sub(fixed);
            let cuts = chain::cut_points(&release.stages, &costs, budget)?;
            let parts = chain::split(release, &cuts);
            match write_parts(&parts, release, &mut texts, writer, header, &check) {
                Ok(files) => break (parts, files),
                Err(error) if attempts.peek().is_none() => return Err(error.into()),
                Err(_) => {}
            }
        }
    };
    for hotfix in &ir.hotfixes {
        let contents = yaml::write_document(header, &writer.document(hotfix));
        let path = writer.path(hotfix);
        check(&path, &contents)?;
        files.push(GeneratedFile {
            path,
            kind: writer.kind(),
            contents,
        });
    }
    files.extend(templates);
    Ok(PlatformFiles {
        release: parts,
        files,
    })
}

/// Writes the parts of a split `release`, taking each stage's text from `texts` (by the stage's
/// index in the release) unless the split changed what the stage waits for, and checks each file.
/// A stage whose text was taken by a failed attempt is written again by the next.
fn write_parts(
    parts: &[Pipeline],
    release: &Pipeline,
    texts: &mut [Option<String>],
    writer: Writer<'_>,
    header: &[String],
    check: &dyn Fn(&str, &str) -> Result<(), OverLimit>,
) -> Result<Vec<GeneratedFile>, OverLimit> {
    let mut next = 0;
    let mut files = Vec::with_capacity(parts.len());
    for part in parts {
        let mut entries = Vec::with_capacity(part.stages.len());
        for stage in &part.stages {
            let original = release.stages.get(next).filter(|s| s.id == stage.id);
            match original {
                Some(original) => {
                    let reused = texts[next]
                        .take()
                        .filter(|_| original.depends_on == stage.depends_on);
                    entries.push(reused.unwrap_or_else(|| writer.stage_text(part, stage)));
                    next += 1;
                }
                None => entries.push(writer.stage_text(part, stage)),
            }
        }
        let contents = writer.assemble(header, part, entries);
        let path = writer.path(part);
        check(&path, &contents)?;
        files.push(GeneratedFile {
            path,
            kind: writer.kind(),
            contents,
        });
    }
    Ok(files)
}
