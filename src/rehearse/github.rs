//! Reads GitHub Actions workflows into the run model: jobs with `needs`, `if`, `environment`,
//! `permissions`, `timeout-minutes`, `env` and steps (`run`, and the actions the rehearsal simulates:
//! checkout, upload/download-artifact, azure/login); jobs that call a local reusable workflow
//! (`uses: ./.github/workflows/X.yml` with `with:`) become a call whose children are the called jobs.

use super::expr::github as gh;
use super::model::{
    Action, Call, Condition, Hook, HookKind, Input, Job, Permissions, Pipeline, Platform, Script,
    Step, Unit, UnitKind,
};
use super::reader::Reader;
use super::yaml::{Node, Value};
use super::{RehearseError, Repository};

const WORKFLOW_KEYS: &[&str] = &[
    "name",
    "run-name",
    "on",
    "permissions",
    "env",
    "defaults",
    "concurrency",
    "jobs",
];
const JOB_KEYS: &[&str] = &[
    "name",
    "needs",
    "if",
    "runs-on",
    "environment",
    "timeout-minutes",
    "permissions",
    "env",
    "defaults",
    "steps",
    "outputs",
    "continue-on-error",
    "concurrency",
];
const CALL_KEYS: &[&str] = &[
    "name",
    "needs",
    "if",
    "uses",
    "with",
    "secrets",
    "permissions",
    "concurrency",
];
const STEP_KEYS: &[&str] = &[
    "name",
    "id",
    "if",
    "env",
    "run",
    "shell",
    "working-directory",
    "uses",
    "with",
    "timeout-minutes",
    "continue-on-error",
];
/// How deep reusable workflows may call each other.
const MAX_DEPTH: usize = 10;
/// GitHub's default job time limit.
const DEFAULT_TIMEOUT_MINUTES: f64 = 360.0;

/// Loads the workflow `file` of `repo` with the reusable workflows it calls.
pub fn load(repo: &Repository, file: &str) -> Result<Pipeline, RehearseError> {
    let mut loader = Loader {
        repo,
        files: Vec::new(),
        units: Vec::new(),
    };
    let (index, root) = loader.parse(file)?;
    let reader = Reader {
        files: &loader.files.clone(),
    };
    let _ = index;
    reader.only(
        reader.map(&root, "a workflow")?,
        WORKFLOW_KEYS,
        "a workflow",
    )?;
    let name = reader
        .opt_text(&root, "name")?
        .unwrap_or_else(|| file.to_owned());
    let on = root.get("on");
    let inputs = match on
        .and_then(|on| on.get("workflow_dispatch"))
        .and_then(|d| d.get("inputs"))
    {
        Some(node) => loader.inputs(&reader, node)?,
        None => Vec::new(),
    };
    let variables = match root.get("env") {
        Some(env) => reader.pairs(env, "`env`")?,
        None => Vec::new(),
    };
    let permissions = root
        .get("permissions")
        .map(|p| permissions(&reader, p))
        .transpose()?;
    let shell = default_shell(&reader, &root)?;
    loader.jobs(&root, None, "", shell, 0)?;
    Ok(Pipeline {
        platform: Platform::GitHub,
        file: file.to_owned(),
        name,
        inputs,
        variables,
        permissions,
        units: loader.units,
    })
}

struct Loader<'a> {
    repo: &'a Repository,
    files: Vec<String>,
    units: Vec<Unit>,
}

impl Loader<'_> {
    fn parse(&mut self, file: &str) -> Result<(u16, Node), RehearseError> {
        let text = self
            .repo
            .get(file)
            .ok_or_else(|| RehearseError::MissingFile(file.to_owned()))?;
        let mut node = super::yaml::parse(text).map_err(|message| RehearseError::Yaml {
            file: file.to_owned(),
            message,
        })?;
        let index = u16::try_from(self.files.len()).unwrap_or(u16::MAX);
        self.files.push(file.to_owned());
        node.set_file(index);
        Ok((index, node))
    }

    fn inputs(&self, reader: &Reader, node: &Node) -> Result<Vec<Input>, RehearseError> {
        reader
            .map(node, "`inputs`")?
            .iter()
            .map(|entry| {
                let spec = &entry.value;
                Ok(Input {
                    name: entry.key.clone(),
                    default: spec.get("default").map(Node::to_json),
                    required: match spec.get("required") {
                        Some(r) => reader.boolean(r, "`required`")?,
                        None => false,
                    },
                })
            })
            .collect()
    }

    /// Adds the jobs of `root` (a workflow) under `parent`.
    fn jobs(
        &mut self,
        root: &Node,
        parent: Option<usize>,
        prefix: &str,
        shell: Option<&'static str>,
        depth: usize,
    ) -> Result<(), RehearseError> {
        let files = self.files.clone();
        let reader = Reader { files: &files };
        let jobs_node = root
            .get("jobs")
            .ok_or_else(|| reader.error(root, "the workflow has no `jobs`"))?;
        let entries = reader.map(jobs_node, "`jobs`")?;
        let first = self.units.len();
        let mut calls = Vec::new();
        for entry in entries {
            let job = &entry.value;
            let fields = reader.map(job, &format!("job `{}`", entry.key))?;
            let is_call = job.get("uses").is_some();
            reader.only(
                fields,
                if is_call { CALL_KEYS } else { JOB_KEYS },
                &format!("job `{}`", entry.key),
            )?;
            let condition = job.get("if").map(|c| condition(&reader, c)).transpose()?;
            let name = reader
                .opt_text(job, "name")?
                .unwrap_or_else(|| entry.key.clone());
            let kind = if is_call {
                calls.push(self.units.len());
                UnitKind::Call(self.call(&reader, job)?)
            } else {
                UnitKind::Job(Box::new(self.job(&reader, job, shell)?))
            };
            self.units.push(Unit {
                id: entry.key.clone(),
                path: format!("{prefix}{}", entry.key),
                name,
                loc: reader.key_loc(entry),
                parent,
                needs: Vec::new(),
                condition,
                kind,
            });
        }
        for (offset, entry) in entries.iter().enumerate() {
            let Some(needs) = entry.value.get("needs") else {
                continue;
            };
            let mut resolved = Vec::new();
            for (need, loc) in reader.names(needs, "`needs`")? {
                let found = entries
                    .iter()
                    .position(|e| e.key.eq_ignore_ascii_case(&need));
                let Some(found) = found else {
                    return Err(RehearseError::Unsupported {
                        loc,
                        message: format!(
                            "job `{}` needs `{need}`, which is not a job of this workflow",
                            entry.key
                        ),
                    });
                };
                resolved.push(first + found);
            }
            self.units[first + offset].needs = resolved;
        }
        super::graph::check_acyclic(&self.units, first..self.units.len())?;
        for index in calls {
            self.expand_call(index, depth)?;
        }
        Ok(())
    }

    fn call(&self, reader: &Reader, job: &Node) -> Result<Call, RehearseError> {
        let uses_node = job
            .get("uses")
            .ok_or_else(|| reader.error(job, "a call needs `uses`"))?;
        let uses = reader.text(uses_node, "`uses`")?;
        let Some(file) = uses.strip_prefix("./") else {
            return Err(reader.error(uses_node, format!("`{uses}`: only reusable workflows of this repository (./.github/workflows/…) can be rehearsed")));
        };
        let with = match job.get("with") {
            Some(with) => reader.pairs(with, "`with`")?,
            None => Vec::new(),
        };
        let (secrets_inherit, secrets) = match job.get("secrets") {
            None => (false, Vec::new()),
            Some(node) if node.scalar().as_deref() == Some("inherit") => (true, Vec::new()),
            Some(node) => (false, reader.pairs(node, "`secrets`")?),
        };
        Ok(Call {
            file: file.to_owned(),
            with,
            inputs: Vec::new(),
            permissions: job
                .get("permissions")
                .map(|p| permissions(reader, p))
                .transpose()?,
            secrets_inherit,
            secrets,
        })
    }

    /// Loads the workflow a call names and adds its jobs under the call.
    fn expand_call(&mut self, index: usize, depth: usize) -> Result<(), RehearseError> {
        let unit = &self.units[index];
        let UnitKind::Call(call) = &unit.kind else {
            return Ok(());
        };
        if depth >= MAX_DEPTH {
            return Err(RehearseError::Unsupported {
                loc: unit.loc.clone(),
                message: format!("reusable workflows nest deeper than {MAX_DEPTH} levels"),
            });
        }
        let (file, prefix, loc) = (
            call.file.clone(),
            format!("{}/", unit.path),
            unit.loc.clone(),
        );
        let (_, root) = self.parse(&file).map_err(|e| match e {
            RehearseError::MissingFile(path) => RehearseError::Unsupported {
                loc: loc.clone(),
                message: format!("the called workflow {path} does not exist"),
            },
            other => other,
        })?;
        let files = self.files.clone();
        let reader = Reader { files: &files };
        reader.only(
            reader.map(&root, "a workflow")?,
            WORKFLOW_KEYS,
            "a workflow",
        )?;
        let declared = root.get("on").and_then(|on| on.get("workflow_call"));
        let Some(declared) = declared else {
            return Err(RehearseError::Unsupported {
                loc,
                message: format!("{file} is called but has no `on: workflow_call`"),
            });
        };
        let inputs = match declared.get("inputs") {
            Some(node) => self.inputs(&reader, node)?,
            None => Vec::new(),
        };
        if let UnitKind::Call(call) = &mut self.units[index].kind {
            for (name, _) in &call.with {
                if !inputs.iter().any(|i| &i.name == name) {
                    return Err(RehearseError::Unsupported {
                        loc,
                        message: format!("`with: {name}` is not an input of {file}"),
                    });
                }
            }
            call.inputs = inputs;
        }
        let shell = default_shell(&reader, &root)?;
        self.jobs(&root, Some(index), &prefix, shell, depth + 1)
    }

    fn job(
        &self,
        reader: &Reader,
        job: &Node,
        shell: Option<&'static str>,
    ) -> Result<Job, RehearseError> {
        let environment = match job.get("environment") {
            None => None,
            Some(node) => match node.get("name") {
                Some(name) => Some(reader.text(name, "`environment.name`")?),
                None => Some(reader.text(node, "`environment`")?),
            },
        };
        let (timeout_minutes, timeout_expression) = match job.get("timeout-minutes") {
            Some(t) if reader.text(t, "`timeout-minutes`")?.contains("${{") => (
                DEFAULT_TIMEOUT_MINUTES,
                Some(reader.text(t, "`timeout-minutes`")?),
            ),
            Some(t) => (reader.minutes(t, "`timeout-minutes`")?, None),
            None => (DEFAULT_TIMEOUT_MINUTES, None),
        };
        let shell = default_shell(reader, job)?.or(shell);
        let steps_node = job
            .get("steps")
            .ok_or_else(|| reader.error(job, "a job needs `steps`"))?;
        let steps = reader
            .seq(steps_node, "`steps`")?
            .iter()
            .map(|s| step(reader, s, shell))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Job {
            environment,
            timeout_minutes,
            timeout_expression,
            env: job
                .get("env")
                .map(|e| reader.pairs(e, "`env`"))
                .transpose()?
                .unwrap_or_default(),
            permissions: job
                .get("permissions")
                .map(|p| permissions(reader, p))
                .transpose()?,
            hooks: vec![Hook {
                kind: HookKind::Steps,
                server: false,
                auto_download: false,
                steps,
            }],
            outputs: job
                .get("outputs")
                .map(|o| reader.pairs(o, "`outputs`"))
                .transpose()?
                .unwrap_or_default(),
            continue_on_error: job
                .get("continue-on-error")
                .map(|c| reader.boolean(c, "`continue-on-error`"))
                .transpose()?
                .unwrap_or(false),
        })
    }
}

fn condition(reader: &Reader, node: &Node) -> Result<Condition, RehearseError> {
    let text = reader.text(node, "`if`")?;
    let expr =
        gh::condition(&text).map_err(|e| reader.error(node, format!("`if: {text}`: {e}")))?;
    Ok(Condition {
        expr,
        text,
        loc: reader.loc(node),
    })
}

fn permissions(reader: &Reader, node: &Node) -> Result<Permissions, RehearseError> {
    match &node.value {
        Value::Str(all) if all == "read-all" || all == "write-all" => {
            let level = if all == "read-all" { "read" } else { "write" };
            let scopes = [
                "actions",
                "contents",
                "deployments",
                "id-token",
                "pull-requests",
                "issues",
                "packages",
                "checks",
                "statuses",
            ];
            Ok(Permissions {
                scopes: scopes
                    .iter()
                    .map(|s| ((*s).to_owned(), level.to_owned()))
                    .collect(),
            })
        }
        Value::Map(_) => Ok(Permissions {
            scopes: reader.pairs(node, "`permissions`")?,
        }),
        _ => Err(reader.error(
            node,
            "`permissions` must be read-all, write-all or a mapping",
        )),
    }
}

/// The bash options of `defaults.run.shell` in `node`, if written.
fn default_shell(reader: &Reader, node: &Node) -> Result<Option<&'static str>, RehearseError> {
    match node
        .get("defaults")
        .and_then(|d| d.get("run"))
        .and_then(|r| r.get("shell"))
    {
        Some(shell) => shell_options(reader, shell).map(Some),
        None => Ok(None),
    }
}

fn shell_options(reader: &Reader, node: &Node) -> Result<&'static str, RehearseError> {
    match reader.text(node, "`shell`")?.as_str() {
        "bash" => Ok("-eo pipefail"),
        other => Err(reader.error(node, format!("`shell: {other}`: only bash is rehearsed"))),
    }
}

fn step(reader: &Reader, node: &Node, shell: Option<&'static str>) -> Result<Step, RehearseError> {
    let fields = reader.map(node, "a step")?;
    reader.only(fields, STEP_KEYS, "a step")?;
    let action = match (node.get("run"), node.get("uses")) {
        (Some(run), None) => {
            reader.only(
                fields,
                &[
                    "name",
                    "id",
                    "if",
                    "env",
                    "run",
                    "shell",
                    "working-directory",
                    "timeout-minutes",
                    "continue-on-error",
                ],
                "a `run` step",
            )?;
            Action::Script(Script {
                text: reader.text(run, "`run`")?,
                options: match node.get("shell") {
                    Some(s) => shell_options(reader, s)?,
                    None => shell.unwrap_or("-e"),
                },
                working_directory: reader.opt_text(node, "working-directory")?,
                azure_connection: None,
            })
        }
        (None, Some(uses)) => action(reader, uses, node.get("with"))?,
        _ => return Err(reader.error(node, "a step needs either `run` or `uses`")),
    };
    let name = match reader.opt_text(node, "name")? {
        Some(name) => name,
        None => match &action {
            Action::Script(s) => format!("Run {}", s.text.lines().next().unwrap_or_default()),
            _ => reader.opt_text(node, "uses")?.unwrap_or_default(),
        },
    };
    Ok(Step {
        name,
        id: reader.opt_text(node, "id")?,
        loc: reader.loc(node),
        condition: node.get("if").map(|c| condition(reader, c)).transpose()?,
        env: node
            .get("env")
            .map(|e| reader.pairs(e, "`env`"))
            .transpose()?
            .unwrap_or_default(),
        timeout_minutes: node
            .get("timeout-minutes")
            .map(|t| reader.minutes(t, "`timeout-minutes`"))
            .transpose()?,
        continue_on_error: node
            .get("continue-on-error")
            .map(|c| reader.boolean(c, "`continue-on-error`"))
            .transpose()?
            .unwrap_or(false),
        retries: 0,
        action,
    })
}

/// The actions the rehearsal simulates, by repository (any version or pinned commit).
fn action(reader: &Reader, uses: &Node, with: Option<&Node>) -> Result<Action, RehearseError> {
    let text = reader.text(uses, "`uses`")?;
    let repo = text
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let inputs = match with {
        Some(with) => reader.pairs(with, "`with`")?,
        None => Vec::new(),
    };
    let allowed: &[&str] = match repo.as_str() {
        "actions/checkout" => &["fetch-depth", "persist-credentials", "ref", "token"],
        "actions/upload-artifact" => &[
            "name",
            "path",
            "if-no-files-found",
            "retention-days",
            "overwrite",
        ],
        "actions/download-artifact" => &["name", "path"],
        "azure/login" => &[
            "client-id",
            "tenant-id",
            "subscription-id",
            "allow-no-subscriptions",
        ],
        _ => {
            return Err(reader.error(
                uses,
                format!("the action `{text}` is not simulated by the rehearsal"),
            ));
        }
    };
    if let Some((key, _)) = inputs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        let at = with.unwrap_or(uses);
        return Err(reader.error(
            at,
            format!("`{key}` is not an input the rehearsal simulates for {repo}"),
        ));
    }
    let input = |key: &str| {
        inputs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    Ok(match repo.as_str() {
        "actions/checkout" => Action::Checkout {
            persist_credentials: input("persist-credentials").is_none_or(|v| v != "false"),
        },
        "actions/upload-artifact" => Action::UploadArtifact {
            name: input("name").unwrap_or_else(|| "artifact".into()),
            path: input("path")
                .ok_or_else(|| reader.error(uses, "upload-artifact needs `path`"))?,
            error_if_empty: input("if-no-files-found").is_some_and(|v| v == "error"),
        },
        "actions/download-artifact" => Action::DownloadArtifact {
            name: input("name"),
            path: input("path").unwrap_or_else(|| ".".into()),
        },
        _ => Action::AzureLogin { inputs },
    })
}
