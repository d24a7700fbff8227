//! Reads an Azure pipeline into the run model, after [`super::template`] has expanded templates and
//! compile-time expressions: stages (a stage without `dependsOn` waits for the one before it), jobs,
//! agentless jobs (`pool: server`) and deployment jobs with their `runOnce` lifecycle hooks and
//! `on: failure` / `on: success`; steps `bash`, `script`, `checkout`, `download`, `publish` and the
//! tasks the rehearsal simulates.

use serde_json::{Map, Value as Json};

use super::expr::{MapScope, azure as az};
use super::model::{
    Action, Condition, Hook, HookKind, Input, Job, Pipeline, Platform, Step, Unit, UnitKind,
};
use super::reader::Reader;
use super::template::Expander;
use super::yaml::{Node, Value};
use super::{RehearseError, Repository};

const PIPELINE_KEYS: &[&str] = &[
    "trigger",
    "pr",
    "name",
    "parameters",
    "variables",
    "stages",
    "jobs",
    "steps",
    "pool",
    "appendCommitMessageToRunName",
    "lockBehavior",
];
const STAGE_KEYS: &[&str] = &[
    "stage",
    "displayName",
    "dependsOn",
    "condition",
    "variables",
    "jobs",
    "pool",
    "lockBehavior",
    "isSkippable",
    "templateContext",
];
const JOB_KEYS: &[&str] = &[
    "job",
    "deployment",
    "displayName",
    "dependsOn",
    "condition",
    "pool",
    "timeoutInMinutes",
    "cancelTimeoutInMinutes",
    "variables",
    "steps",
    "continueOnError",
    "workspace",
    "environment",
    "strategy",
    "templateContext",
];
const HOOKS: [&str; 4] = ["preDeploy", "deploy", "routeTraffic", "postRouteTraffic"];
/// Azure's default job time limit (agent and agentless jobs).
const DEFAULT_TIMEOUT_MINUTES: f64 = 60.0;

/// Loads the pipeline `file` of `repo`, expanding its templates with the parameters' defaults
/// overridden by `given` (the run's parameters).
pub fn load(
    repo: &Repository,
    file: &str,
    given: &Map<String, Json>,
    variables: &Json,
) -> Result<Pipeline, RehearseError> {
    let mut expander = Expander {
        repo,
        files: Vec::new(),
    };
    let raw = expander.read(file)?;
    let given_node = Node::from_json(&Json::Object(given.clone()), 0, raw.line);
    let parameters = expander.parameters(&raw, &given_node, &raw)?;
    let scope = MapScope::default()
        .with("parameters", parameters.clone())
        .with("variables", variables.clone());
    let mut without_parameters = raw.clone();
    if let Value::Map(entries) = &mut without_parameters.value {
        entries.retain(|e| e.key != "parameters");
    }
    let root = expander.expand(&without_parameters, &scope, 0)?;
    let files = expander.files.clone();
    let reader = Reader { files: &files };
    reader.only(
        reader.map(&root, "a pipeline")?,
        PIPELINE_KEYS,
        "a pipeline",
    )?;
    let inputs = match raw.get("parameters").and_then(Node::items) {
        Some(items) => items
            .iter()
            .filter_map(|p| p.get("name").and_then(Node::scalar))
            .map(|name| Input {
                default: parameters.get(&name).cloned(),
                required: false,
                name,
            })
            .collect(),
        None => Vec::new(),
    };
    let mut builder = Builder {
        reader: &reader,
        units: Vec::new(),
        pool_server: false,
    };
    let top_pool = root.get("pool").map(is_server).unwrap_or(false);
    builder.pool_server = top_pool;
    if let Some(stages) = root.get("stages") {
        builder.stages(stages)?;
    } else {
        let jobs = match (root.get("jobs"), root.get("steps")) {
            (Some(jobs), _) => jobs.clone(),
            (None, Some(_)) => {
                let mut job = root.clone();
                if let Value::Map(entries) = &mut job.value {
                    entries.retain(|e| e.key == "steps" || e.key == "pool");
                    entries.insert(
                        0,
                        super::yaml::Entry {
                            key: "job".into(),
                            file: root.file,
                            line: root.line,
                            value: Node {
                                value: Value::Str("Job".into()),
                                ..root.clone()
                            },
                        },
                    );
                }
                Node {
                    value: Value::Seq(vec![job]),
                    ..root.clone()
                }
            }
            (None, None) => {
                return Err(reader.error(&root, "the pipeline has no `stages`, `jobs` or `steps`"));
            }
        };
        let stage = builder.push_unit("__default".into(), "Stage".into(), &root, None, None);
        builder.jobs(&jobs, stage)?;
    }
    Ok(Pipeline {
        platform: Platform::Azure,
        file: file.to_owned(),
        name: reader
            .opt_text(&root, "name")?
            .unwrap_or_else(|| file.to_owned()),
        inputs,
        variables: variables_of(&reader, root.get("variables"))?,
        permissions: None,
        units: builder.units,
    })
}

fn is_server(pool: &Node) -> bool {
    pool.scalar().is_some_and(|p| p == "server")
}

/// Pipeline, stage or job `variables:` as a mapping or a list of `{name, value}`.
fn variables_of(
    reader: &Reader,
    node: Option<&Node>,
) -> Result<Vec<(String, String)>, RehearseError> {
    let Some(node) = node else {
        return Ok(Vec::new());
    };
    match &node.value {
        Value::Map(_) => reader.pairs(node, "`variables`"),
        Value::Seq(items) => items
            .iter()
            .map(|item| {
                reader.only(
                    reader.map(item, "a variable")?,
                    &["name", "value", "readonly"],
                    "a variable (groups are not rehearsed)",
                )?;
                let name = reader
                    .opt_text(item, "name")?
                    .ok_or_else(|| reader.error(item, "a variable needs a `name`"))?;
                Ok((name, reader.opt_text(item, "value")?.unwrap_or_default()))
            })
            .collect(),
        Value::Null => Ok(Vec::new()),
        _ => Err(reader.error(node, "`variables` must be a mapping or a list")),
    }
}

struct Builder<'r, 'f> {
    reader: &'r Reader<'f>,
    units: Vec<Unit>,
    pool_server: bool,
}

impl Builder<'_, '_> {
    fn push_unit(
        &mut self,
        id: String,
        name: String,
        node: &Node,
        parent: Option<usize>,
        condition: Option<Condition>,
    ) -> usize {
        let path = match parent {
            Some(p) if self.units[p].id != "__default" => format!("{}/{id}", self.units[p].path),
            _ => id.clone(),
        };
        self.units.push(Unit {
            id,
            path,
            name,
            loc: self.reader.loc(node),
            parent,
            needs: Vec::new(),
            condition,
            kind: UnitKind::Stage,
        });
        self.units.len() - 1
    }

    fn condition(&self, node: &Node) -> Result<Option<Condition>, RehearseError> {
        let Some(c) = node.get("condition") else {
            return Ok(None);
        };
        let text = self.reader.text(c, "`condition`")?;
        let expr = az::condition(&text)
            .map_err(|e| self.reader.error(c, format!("`condition: {text}`: {e}")))?;
        Ok(Some(Condition {
            expr,
            text,
            loc: self.reader.loc(c),
        }))
    }

    fn stages(&mut self, stages: &Node) -> Result<(), RehearseError> {
        let reader = self.reader;
        let items = reader.seq(stages, "`stages`")?;
        let first = self.units.len();
        let mut ids = Vec::new();
        for stage in items {
            reader.only(reader.map(stage, "a stage")?, STAGE_KEYS, "a stage")?;
            let id_node = stage
                .get("stage")
                .ok_or_else(|| reader.error(stage, "a stage needs `stage:` (its id) first"))?;
            let id = reader.text(id_node, "`stage`")?;
            let name = reader
                .opt_text(stage, "displayName")?
                .unwrap_or_else(|| id.clone());
            let condition = self.condition(stage)?;
            let index = self.push_unit(id.clone(), name, stage, None, condition);
            ids.push((id, index));
            let jobs = stage
                .get("jobs")
                .ok_or_else(|| reader.error(stage, "a stage needs `jobs`"))?;
            let saved = self.pool_server;
            if let Some(pool) = stage.get("pool") {
                self.pool_server = is_server(pool);
            }
            self.jobs(jobs, index)?;
            self.pool_server = saved;
        }
        for (position, stage) in items.iter().enumerate() {
            let index = ids[position].1;
            self.units[index].needs = match stage.get("dependsOn") {
                Some(deps) => self.resolve(deps, &ids, "stage")?,
                None if position > 0 => vec![ids[position - 1].1],
                None => Vec::new(),
            };
        }
        super::graph::check_acyclic(&self.units, first..self.units.len())
    }

    fn resolve(
        &self,
        deps: &Node,
        ids: &[(String, usize)],
        what: &str,
    ) -> Result<Vec<usize>, RehearseError> {
        self.reader
            .names(deps, "`dependsOn`")?
            .into_iter()
            .map(|(name, loc)| {
                ids.iter()
                    .find(|(id, _)| id.eq_ignore_ascii_case(&name))
                    .map(|(_, i)| *i)
                    .ok_or_else(|| RehearseError::Unsupported {
                        loc,
                        message: format!("`dependsOn: {name}` names no {what} here"),
                    })
            })
            .collect()
    }

    fn jobs(&mut self, jobs: &Node, stage: usize) -> Result<(), RehearseError> {
        let reader = self.reader;
        let items = reader.seq(jobs, "`jobs`")?;
        let first = self.units.len();
        let mut ids = Vec::new();
        for job in items {
            reader.only(reader.map(job, "a job")?, JOB_KEYS, "a job")?;
            let (id_node, deployment) = match (job.get("job"), job.get("deployment")) {
                (Some(id), None) => (id, false),
                (None, Some(id)) => (id, true),
                _ => {
                    return Err(
                        reader.error(job, "a job needs exactly one of `job:` or `deployment:`")
                    );
                }
            };
            let id = reader.text(id_node, "the job id")?;
            let name = reader
                .opt_text(job, "displayName")?
                .unwrap_or_else(|| id.clone());
            let condition = self.condition(job)?;
            let built = self.job(job, deployment)?;
            let index = self.push_unit(id.clone(), name, job, Some(stage), condition);
            self.units[index].kind = UnitKind::Job(Box::new(built));
            ids.push((id, index));
        }
        for (position, job) in items.iter().enumerate() {
            if let Some(deps) = job.get("dependsOn") {
                let index = ids[position].1;
                self.units[index].needs = self.resolve(deps, &ids, "job of this stage")?;
            }
        }
        super::graph::check_acyclic(&self.units, first..self.units.len())
    }

    fn job(&self, job: &Node, deployment: bool) -> Result<Job, RehearseError> {
        let reader = self.reader;
        let server = job.get("pool").map_or(self.pool_server, is_server);
        let environment = match job.get("environment") {
            Some(env) if deployment => Some(match env.get("name") {
                Some(name) => reader.text(name, "`environment.name`")?,
                None => reader.text(env, "`environment`")?,
            }),
            Some(env) => return Err(reader.error(env, "`environment` belongs to deployment jobs")),
            None if deployment => {
                return Err(reader.error(job, "a deployment job needs an `environment`"));
            }
            None => None,
        };
        let hooks = if deployment {
            self.hooks(job, server)?
        } else {
            if let Some(strategy) = job.get("strategy") {
                return Err(reader.error(
                    strategy,
                    "job strategies (matrix, parallel) are not rehearsed",
                ));
            }
            let steps = job
                .get("steps")
                .ok_or_else(|| reader.error(job, "a job needs `steps`"))?;
            let mut steps = self.steps(steps, server)?;
            if !server && !steps.iter().any(|s| s.name.starts_with("checkout:")) {
                steps.insert(0, implicit_checkout(reader.loc(job)));
            }
            vec![Hook {
                kind: HookKind::Steps,
                server,
                auto_download: false,
                steps,
            }]
        };
        Ok(Job {
            environment,
            timeout_minutes: match job.get("timeoutInMinutes") {
                Some(t) => match reader.minutes(t, "`timeoutInMinutes`")? {
                    0.0 => 360.0,
                    m => m,
                },
                None => DEFAULT_TIMEOUT_MINUTES,
            },
            timeout_expression: None,
            env: variables_of(reader, job.get("variables"))?,
            permissions: None,
            hooks,
            outputs: Vec::new(),
            continue_on_error: job
                .get("continueOnError")
                .map(|c| reader.boolean(c, "`continueOnError`"))
                .transpose()?
                .unwrap_or(false),
        })
    }

    fn hooks(&self, job: &Node, server: bool) -> Result<Vec<Hook>, RehearseError> {
        let reader = self.reader;
        let strategy = job
            .get("strategy")
            .ok_or_else(|| reader.error(job, "a deployment job needs a `strategy`"))?;
        reader.only(
            reader.map(strategy, "`strategy`")?,
            &["runOnce"],
            "`strategy` (rolling and canary are not rehearsed)",
        )?;
        let run_once = strategy
            .get("runOnce")
            .ok_or_else(|| reader.error(strategy, "`runOnce` is missing"))?;
        let mut allowed: Vec<&str> = HOOKS.to_vec();
        allowed.push("on");
        reader.only(reader.map(run_once, "`runOnce`")?, &allowed, "`runOnce`")?;
        let mut hooks = Vec::new();
        for name in HOOKS {
            if let Some(hook) = run_once.get(name) {
                hooks.push(self.hook(hook, HookKind::Lifecycle(name), server)?);
            }
        }
        if let Some(on) = run_once.get("on") {
            reader.only(reader.map(on, "`on`")?, &["failure", "success"], "`on`")?;
            if let Some(hook) = on.get("failure") {
                hooks.push(self.hook(hook, HookKind::OnFailure, server)?);
            }
            if let Some(hook) = on.get("success") {
                hooks.push(self.hook(hook, HookKind::OnSuccess, server)?);
            }
        }
        Ok(hooks)
    }

    fn hook(&self, hook: &Node, kind: HookKind, server: bool) -> Result<Hook, RehearseError> {
        let reader = self.reader;
        reader.only(
            reader.map(hook, "a lifecycle hook")?,
            &["steps", "pool"],
            "a lifecycle hook",
        )?;
        let server = hook.get("pool").map_or(server, is_server);
        let steps = match hook.get("steps") {
            Some(steps) => self.steps(steps, server)?,
            None => Vec::new(),
        };
        let downloads = steps.iter().any(|s| {
            s.name == "download: none" || matches!(s.action, Action::DownloadArtifact { .. })
        });
        Ok(Hook {
            kind,
            server,
            auto_download: kind == HookKind::Lifecycle("deploy") && !downloads,
            steps,
        })
    }

    fn steps(&self, steps: &Node, server: bool) -> Result<Vec<Step>, RehearseError> {
        self.reader
            .seq(steps, "`steps`")?
            .iter()
            .map(|s| super::azure_steps::step(self.reader, s, server))
            .collect()
    }
}

fn implicit_checkout(loc: super::model::Loc) -> Step {
    Step {
        name: "checkout: self (implicit)".into(),
        id: None,
        loc,
        condition: None,
        env: Vec::new(),
        timeout_minutes: None,
        continue_on_error: false,
        retries: 0,
        action: Action::Checkout {
            persist_credentials: false,
        },
    }
}
