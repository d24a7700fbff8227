//! Azure steps: `bash`, `script`, `checkout`, `download`, `publish`, and the tasks the rehearsal
//! simulates (`AzureCLI@2`, `Bash@3`, `Delay@1`, `ManualValidation@0/1`, `DownloadPipelineArtifact@2`,
//! `PublishPipelineArtifact@1`). Any other task, or an input these tasks do not take, is an error.

use super::RehearseError;
use super::expr::azure as az;
use super::model::{Action, Condition, Script, Step};
use super::reader::Reader;
use super::yaml::Node;

const STEP_COMMON: &[&str] = &[
    "displayName",
    "name",
    "condition",
    "env",
    "timeoutInMinutes",
    "continueOnError",
    "retryCountOnTaskFailure",
    "enabled",
];

/// Reads one step of a job (or hook) that runs on an agent, or agentless when `server`.
pub fn step(reader: &Reader, node: &Node, server: bool) -> Result<Step, RehearseError> {
    let entries = reader.map(node, "a step")?;
    let kind = entries.first().map(|e| e.key.as_str()).unwrap_or_default();
    let extra: &[&str] = match kind {
        "bash" | "script" => &["workingDirectory", "failOnStderr"],
        "checkout" => &["fetchDepth", "persistCredentials", "clean", "fetchTags", "lfs", "submodules", "path"],
        "download" => &["artifact", "patterns"],
        "publish" => &["artifact"],
        "task" => &["inputs"],
        _ => return Err(reader.error(node, format!("`{kind}` steps are not rehearsed (bash, script, checkout, download, publish and task are)"))),
    };
    let mut allowed = STEP_COMMON.to_vec();
    allowed.push(kind);
    allowed.extend_from_slice(extra);
    reader.only(entries, &allowed, &format!("a `{kind}` step"))?;
    let head = node
        .get(kind)
        .ok_or_else(|| reader.error(node, "an empty step"))?;
    let value = reader.text(head, &format!("`{kind}`"))?;
    let (name, action) = match kind {
        "bash" | "script" => (
            node.get("displayName")
                .and_then(Node::scalar)
                .unwrap_or_else(|| format!("{kind}: {}", value.lines().next().unwrap_or_default())),
            Action::Script(Script {
                text: value,
                options: "",
                working_directory: reader.opt_text(node, "workingDirectory")?,
                azure_connection: None,
            }),
        ),
        "checkout" => (
            format!("checkout: {value}"),
            match value.as_str() {
                "self" => Action::Checkout {
                    persist_credentials: node
                        .get("persistCredentials")
                        .map(|p| reader.boolean(p, "`persistCredentials`"))
                        .transpose()?
                        .unwrap_or(false),
                },
                "none" => Action::Nothing,
                other => {
                    return Err(reader.error(
                        head,
                        format!("`checkout: {other}`: only self and none are rehearsed"),
                    ));
                }
            },
        ),
        "download" => (
            format!("download: {value}"),
            match value.as_str() {
                "none" => Action::Nothing,
                "current" => Action::DownloadArtifact {
                    name: reader.opt_text(node, "artifact")?,
                    path: "$(Pipeline.Workspace)".into(),
                },
                other => {
                    return Err(reader.error(
                        head,
                        format!("`download: {other}`: only current and none are rehearsed"),
                    ));
                }
            },
        ),
        "publish" => (
            format!("publish: {value}"),
            Action::UploadArtifact {
                name: reader
                    .opt_text(node, "artifact")?
                    .unwrap_or_else(|| "drop".into()),
                path: value,
                error_if_empty: true,
            },
        ),
        _ => task(reader, node, head, &value)?,
    };
    if server
        != matches!(
            action,
            Action::Delay { .. } | Action::ManualValidation { .. }
        )
    {
        let message = if server {
            format!("`{name}` needs an agent, but the job is agentless (pool: server)")
        } else {
            format!("`{name}` runs only in an agentless job (pool: server)")
        };
        return Err(reader.error(node, message));
    }
    finish(reader, node, name, action)
}

fn finish(
    reader: &Reader,
    node: &Node,
    name: String,
    action: Action,
) -> Result<Step, RehearseError> {
    let condition = match node.get("condition") {
        Some(c) => {
            let text = reader.text(c, "`condition`")?;
            let expr = az::condition(&text)
                .map_err(|e| reader.error(c, format!("`condition: {text}`: {e}")))?;
            Some(Condition {
                expr,
                text,
                loc: reader.loc(c),
            })
        }
        None => None,
    };
    let retries = match node.get("retryCountOnTaskFailure") {
        Some(r) => {
            let n = reader.minutes(r, "`retryCountOnTaskFailure`")?;
            if n > 10.0 {
                return Err(reader.error(r, "`retryCountOnTaskFailure` is at most 10"));
            }
            n as u32
        }
        None => 0,
    };
    if let Some(enabled) = node.get("enabled")
        && !reader.boolean(enabled, "`enabled`")?
    {
        return Ok(Step {
            name,
            id: None,
            loc: reader.loc(node),
            condition: None,
            env: Vec::new(),
            timeout_minutes: None,
            continue_on_error: false,
            retries: 0,
            action: Action::Nothing,
        });
    }
    Ok(Step {
        name,
        id: reader.opt_text(node, "name")?,
        loc: reader.loc(node),
        condition,
        env: node
            .get("env")
            .map(|e| reader.pairs(e, "`env`"))
            .transpose()?
            .unwrap_or_default(),
        timeout_minutes: node
            .get("timeoutInMinutes")
            .map(|t| reader.minutes(t, "`timeoutInMinutes`"))
            .transpose()?,
        continue_on_error: node
            .get("continueOnError")
            .map(|c| reader.boolean(c, "`continueOnError`"))
            .transpose()?
            .unwrap_or(false),
        retries,
        action,
    })
}

/// The inputs each simulated task takes, and the ones it requires.
fn task_inputs(task: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match task {
        "AzureCLI@2" => (
            &[
                "azureSubscription",
                "connectedServiceNameARM",
                "scriptType",
                "scriptLocation",
                "inlineScript",
                "scriptPath",
                "arguments",
                "workingDirectory",
                "addSpnToEnvironment",
                "failOnStandardError",
                "useGlobalConfig",
                "visibleAzLogin",
                "keepAzSessionActive",
                "powerShellErrorActionPreference",
            ],
            &["scriptType"],
        ),
        "Bash@3" => (
            &[
                "targetType",
                "filePath",
                "arguments",
                "script",
                "workingDirectory",
                "failOnStderr",
                "bashEnvValue",
                "noProfile",
                "noRc",
            ],
            &[],
        ),
        "Delay@1" => (&["delayForMinutes"], &["delayForMinutes"]),
        "ManualValidation@0" => (
            &["notifyUsers", "instructions", "onTimeout"],
            &["notifyUsers"],
        ),
        "ManualValidation@1" => (
            &[
                "notifyUsers",
                "approvers",
                "allowApproversToApproveTheirOwnRuns",
                "instructions",
                "onTimeout",
            ],
            &["notifyUsers"],
        ),
        "DownloadPipelineArtifact@2" => (
            &[
                "buildType",
                "artifactName",
                "artifact",
                "targetPath",
                "path",
                "patterns",
                "itemPattern",
            ],
            &[],
        ),
        "PublishPipelineArtifact@1" => (
            &[
                "targetPath",
                "path",
                "artifact",
                "artifactName",
                "publishLocation",
            ],
            &[],
        ),
        _ => return None,
    })
}

fn task(
    reader: &Reader,
    node: &Node,
    head: &Node,
    task: &str,
) -> Result<(String, Action), RehearseError> {
    let Some((allowed, required)) = task_inputs(task) else {
        return Err(reader.error(
            head,
            format!("the task `{task}` is not simulated by the rehearsal"),
        ));
    };
    let inputs = match node.get("inputs") {
        Some(inputs) => reader.pairs(inputs, "`inputs`")?,
        None => Vec::new(),
    };
    let at = node.get("inputs").unwrap_or(node);
    if let Some((key, _)) = inputs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        return Err(reader.error(at, format!("`{key}` is not an input of {task}")));
    }
    if let Some(missing) = required
        .iter()
        .find(|r| !inputs.iter().any(|(k, _)| k == *r))
    {
        return Err(reader.error(at, format!("{task} needs the input `{missing}`")));
    }
    let input = |key: &str| {
        inputs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let name = node
        .get("displayName")
        .and_then(Node::scalar)
        .unwrap_or_else(|| task.to_owned());
    let action = match task {
        "AzureCLI@2" => azure_cli(reader, at, &input)?,
        "Bash@3" => match input("targetType").as_deref().unwrap_or("filePath") {
            "inline" => Action::Script(Script {
                text: input("script").unwrap_or_default(),
                options: "",
                working_directory: input("workingDirectory"),
                azure_connection: None,
            }),
            _ => Action::Script(Script {
                text: file_command(
                    &input("filePath")
                        .ok_or_else(|| reader.error(at, "Bash@3 needs `filePath`"))?,
                    input("arguments"),
                ),
                options: "",
                working_directory: input("workingDirectory"),
                azure_connection: None,
            }),
        },
        "Delay@1" => Action::Delay {
            minutes: input("delayForMinutes").unwrap_or_default(),
        },
        "ManualValidation@0" | "ManualValidation@1" => Action::ManualValidation {
            approvers: input("approvers")
                .or_else(|| input("notifyUsers"))
                .unwrap_or_default(),
            on_timeout: input("onTimeout").unwrap_or_else(|| "reject".into()),
        },
        "DownloadPipelineArtifact@2" => Action::DownloadArtifact {
            name: input("artifactName").or_else(|| input("artifact")),
            path: input("targetPath")
                .or_else(|| input("path"))
                .unwrap_or_else(|| "$(Pipeline.Workspace)".into()),
        },
        _ => Action::UploadArtifact {
            name: input("artifact")
                .or_else(|| input("artifactName"))
                .unwrap_or_else(|| "drop".into()),
            path: input("targetPath")
                .or_else(|| input("path"))
                .ok_or_else(|| reader.error(at, "PublishPipelineArtifact@1 needs `targetPath`"))?,
            error_if_empty: true,
        },
    };
    Ok((name, action))
}

fn azure_cli(
    reader: &Reader,
    at: &Node,
    input: &dyn Fn(&str) -> Option<String>,
) -> Result<Action, RehearseError> {
    let connection = input("azureSubscription")
        .or_else(|| input("connectedServiceNameARM"))
        .ok_or_else(|| reader.error(at, "AzureCLI@2 needs `azureSubscription`"))?;
    if input("scriptType").as_deref() != Some("bash") {
        return Err(reader.error(at, "AzureCLI@2: only `scriptType: bash` is rehearsed"));
    }
    let text = match input("scriptLocation").as_deref().unwrap_or("scriptPath") {
        "inlineScript" => {
            if input("arguments").is_some() {
                return Err(
                    reader.error(at, "AzureCLI@2 ignores `arguments` with an inline script")
                );
            }
            input("inlineScript").ok_or_else(|| {
                reader.error(
                    at,
                    "AzureCLI@2 with `scriptLocation: inlineScript` needs `inlineScript`",
                )
            })?
        }
        "scriptPath" => file_command(
            &input("scriptPath").ok_or_else(|| {
                reader.error(
                    at,
                    "AzureCLI@2 with `scriptLocation: scriptPath` needs `scriptPath`",
                )
            })?,
            input("arguments"),
        ),
        other => {
            return Err(reader.error(
                at,
                format!("AzureCLI@2: `scriptLocation: {other}` is not a location"),
            ));
        }
    };
    Ok(Action::Script(Script {
        text,
        options: "",
        working_directory: input("workingDirectory"),
        azure_connection: Some(connection),
    }))
}

/// The script that runs a script file with its arguments, as the tasks do (`bash FILE ARGS`).
fn file_command(path: &str, arguments: Option<String>) -> String {
    let quoted = format!("'{}'", path.replace('\'', r"'\''"));
    match arguments {
        Some(args) if !args.trim().is_empty() => format!("bash {quoted} {args}\n"),
        _ => format!("bash {quoted}\n"),
    }
}
