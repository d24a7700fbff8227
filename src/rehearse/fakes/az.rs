//! The fake `az`: App Service (deploy, settings, slot swap with preview, traffic routing), AKS
//! credentials, storage blobs for static sites, database checks, traffic routers, Azure DevOps pull
//! requests. It
//! refuses to work unless the step is signed in, as the real CLI does.

use serde_json::{Value as Json, json};

use super::super::estate::{EventKind, Kind, Site};
use super::surface::Parsed;
use super::{Call, Context, Reply, query};

/// Virtual seconds a zip deploy takes.
const DEPLOY_SECONDS: u64 = 60;
/// Virtual seconds a slot swap takes.
const SWAP_SECONDS: u64 = 30;
/// Virtual seconds a batch upload takes.
const UPLOAD_SECONDS: u64 = 20;

/// Runs a parsed `az` command.
pub fn handle(call: &Call, parsed: &Parsed, ctx: &mut Context) -> Reply {
    let command = parsed.command();
    let group = parsed.path.first().map(String::as_str).unwrap_or_default();
    if matches!(group, "repos" | "pipelines") {
        return devops(call, parsed, ctx);
    }
    if command != "cloud set" && !ctx.signed_in {
        return Reply::fail(1, "ERROR: Please run 'az login' to setup account.");
    }
    let result = match group {
        "account" if command == "account get-access-token" => Ok(
            json!({"accessToken": "rehearsal-access-token", "tokenType": "Bearer", "expiresOn": "2099-01-01 00:00:00.000000"}),
        ),
        "account" => Ok(
            json!({"id": "00000000-0000-0000-0000-000000000000", "name": "rehearsal", "state": "Enabled"}),
        ),
        "cloud" => Ok(Json::Null),
        "rest" if super::traffic::is_front_door(parsed.value(&["--url"]).unwrap_or_default()) => {
            super::traffic::front_door(parsed, ctx)
        }
        "rest" => super::gates::alerts(parsed.value(&["--url"]).unwrap_or_default(), ctx)
            .ok_or_else(|| "rehearsal: az rest: no API of the estate answers that URL".to_owned()),
        "webapp" => return webapp(call, parsed, ctx),
        "aks" => aks(parsed, ctx),
        "network" => super::traffic::handle(parsed, ctx),
        "storage" => return storage(call, parsed, ctx),
        _ => database(parsed, ctx),
    };
    match result {
        Ok(value) => output(parsed, &value),
        Err(message) => Reply::fail(1, format!("ERROR: {message}")),
    }
}

/// Prints `value` as `--query` and `--output` ask.
fn output(parsed: &Parsed, value: &Json) -> Reply {
    let value = match parsed.value(&["--query"]) {
        Some(q) => match query::apply(q, value) {
            Ok(v) => v,
            Err(e) => return Reply::fail(2, format!("rehearsal: az: {e}")),
        },
        None => value.clone(),
    };
    match query::render(&value, parsed.value(&["--output"])) {
        Ok(text) => Reply::ok(text),
        Err(e) => Reply::fail(2, format!("rehearsal: az: {e}")),
    }
}

fn required<'p>(parsed: &'p Parsed, flag: &str) -> Result<&'p str, String> {
    parsed
        .value(&[flag])
        .ok_or_else(|| format!("the following arguments are required: {flag}"))
}

/// The App Service target named by `--name` and `--resource-group`.
fn app_index(parsed: &Parsed, ctx: &Context) -> Result<usize, String> {
    let (name, group) = (
        required(parsed, "--name")?,
        required(parsed, "--resource-group")?,
    );
    ctx.estate
        .targets
        .iter()
        .position(|t| matches!(&t.kind, Kind::App(a) if a.name == name && a.resource_group == group))
        .ok_or_else(|| format!("(ResourceNotFound) The Resource 'Microsoft.Web/sites/{name}' under resource group '{group}' was not found."))
}

fn webapp(call: &Call, parsed: &Parsed, ctx: &mut Context) -> Reply {
    let result = match parsed.command().as_str() {
        "webapp deploy" => return webapp_deploy(call, parsed, ctx),
        "webapp deployment slot swap" => return swap(parsed, ctx),
        command => {
            app_index(parsed, ctx).and_then(|index| webapp_other(command, parsed, index, ctx))
        }
    };
    match result {
        Ok(value) => output(parsed, &value),
        Err(message) => Reply::fail(1, format!("ERROR: {message}")),
    }
}

fn app_of<'c>(ctx: &'c mut Context<'_>, index: usize) -> &'c mut super::super::estate::App {
    match &mut ctx.estate.targets[index].kind {
        Kind::App(app) => app,
        _ => unreachable!("app_index returns App Service targets only"),
    }
}

fn site<'a>(
    app: &'a mut super::super::estate::App,
    slot: Option<&str>,
) -> Result<&'a mut Site, String> {
    match slot {
        None | Some("production") => Ok(&mut app.production),
        Some(slot) => app.slots.get_mut(slot).ok_or_else(|| {
            format!(
                "(ResourceNotFound) The slot '{slot}' of '{}' was not found.",
                app.name
            )
        }),
    }
}

fn webapp_other(
    command: &str,
    parsed: &Parsed,
    index: usize,
    ctx: &mut Context,
) -> Result<Json, String> {
    let slot = parsed.value(&["--slot"]).map(str::to_owned);
    let app = app_of(ctx, index);
    match command {
        "webapp config appsettings set" => {
            let pairs: Vec<String> = parsed
                .values(&["--settings", "--slot-settings"])
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            let site = site(app, slot.as_deref())?;
            for pair in &pairs {
                let (key, value) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("usage error: `{pair}` is not KEY=VALUE"))?;
                site.settings.insert(key.to_owned(), value.to_owned());
            }
            Ok(settings_json(site))
        }
        "webapp config appsettings list" => Ok(settings_json(site(app, slot.as_deref())?)),
        "webapp show" => {
            let name = app.name.clone();
            let site = site(app, slot.as_deref())?;
            Ok(json!({"name": name, "state": "Running", "cutoverBuild": site.build}))
        }
        "webapp traffic-routing set" => {
            let mut routing = Vec::new();
            for pair in parsed.values(&["--distribution"]) {
                let (slot, percent) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("usage error: `{pair}` is not SLOT=PERCENT"))?;
                let percent: u32 = percent
                    .parse()
                    .map_err(|_| format!("usage error: `{percent}` is not a percentage"))?;
                if !app.slots.contains_key(slot) {
                    return Err(format!("(BadRequest) The slot '{slot}' does not exist."));
                }
                routing.push((slot.to_owned(), percent));
            }
            app.routing = routing;
            Ok(Json::Null)
        }
        "webapp traffic-routing clear" => {
            app.routing.clear();
            Ok(Json::Null)
        }
        other => Err(format!("rehearsal: az {other} is not simulated")),
    }
}

fn settings_json(site: &Site) -> Json {
    Json::Array(
        site.settings
            .iter()
            .map(|(k, v)| json!({"name": k, "value": v, "slotSetting": false}))
            .collect(),
    )
}

fn webapp_deploy(call: &Call, parsed: &Parsed, ctx: &mut Context) -> Reply {
    let index = match app_index(parsed, ctx) {
        Ok(i) => i,
        Err(e) => return Reply::fail(1, format!("ERROR: {e}")),
    };
    let Some(package) = parsed.value(&["--src-path"]) else {
        return Reply::fail(2, "ERROR: the following arguments are required: --src-path");
    };
    let Some(contents) = ctx.files.read(&call.cwd, package) else {
        return Reply::fail(
            1,
            format!(
                "ERROR: Either '{package}' is not a valid local file path or you do not have permissions to access it"
            ),
        );
    };
    if ctx.deploy_fails(index, "az webapp deploy") {
        return Reply::fail(1, "ERROR: (ServiceUnavailable) The deployment failed: the service is throttling requests (rehearsal fault).").taking(DEPLOY_SECONDS);
    }
    let build = package_build(&contents, &ctx.estate.targets[index].service);
    let slot = parsed.value(&["--slot"]).map(str::to_owned);
    let app = app_of(ctx, index);
    match site(app, slot.as_deref()) {
        Ok(site) => site.build = build.clone(),
        Err(e) => return Reply::fail(1, format!("ERROR: {e}")),
    }
    let kind = match slot.as_deref() {
        None | Some("production") => EventKind::Serving {
            target: index,
            build,
            how: "deploy in place".into(),
        },
        Some(_) => EventKind::Staged {
            target: index,
            build,
        },
    };
    ctx.log(kind);
    Reply::ok("").taking(DEPLOY_SECONDS)
}

/// The build a package holds: the simulated build writes `cutover-rehearsal-package SERVICE BUILD`.
/// A package of another service deploys as `BUILD (package of OTHER)`, which no verdict accepts.
pub fn package_build(contents: &str, service: &str) -> String {
    let mut words = contents.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("cutover-rehearsal-package"), Some(owner), Some(build)) if owner == service => {
            build.to_owned()
        }
        (Some("cutover-rehearsal-package"), Some(owner), Some(build)) => {
            format!("{build} (package of {owner})")
        }
        _ => "unknown package".into(),
    }
}

fn swap(parsed: &Parsed, ctx: &mut Context) -> Reply {
    let index = match app_index(parsed, ctx) {
        Ok(i) => i,
        Err(e) => return Reply::fail(1, format!("ERROR: {e}")),
    };
    let Some(slot) = parsed.value(&["--slot"]).map(str::to_owned) else {
        return Reply::fail(2, "ERROR: the following arguments are required: --slot");
    };
    let target = parsed
        .value(&["--target-slot"])
        .unwrap_or("production")
        .to_owned();
    let action = parsed.value(&["--action"]).unwrap_or("swap").to_owned();
    let app = app_of(ctx, index);
    if target != "production" || !app.slots.contains_key(&slot) {
        return Reply::fail(
            1,
            format!("ERROR: (BadRequest) Cannot swap slot '{slot}' with '{target}'."),
        );
    }
    match action.as_str() {
        "preview" => {
            app.preview = Some(slot);
            Reply::ok("").taking(SWAP_SECONDS / 3)
        }
        "reset" => {
            if app.preview.take().is_none() {
                return Reply::fail(
                    1,
                    "ERROR: (Conflict) There is no swap with preview in progress to reset.",
                );
            }
            Reply::ok("")
        }
        "swap" => {
            app.preview = None;
            let staged = app
                .slots
                .get(&slot)
                .cloned()
                .unwrap_or_else(|| app.production.clone());
            let live = std::mem::replace(&mut app.production, staged);
            let build = app.production.build.clone();
            app.slots.insert(slot, live);
            ctx.log(EventKind::Serving {
                target: index,
                build,
                how: "swap".into(),
            });
            Reply::ok("").taking(SWAP_SECONDS)
        }
        other => Reply::fail(
            2,
            format!(
                "ERROR: argument --action: invalid choice: '{other}' (choose from 'swap', 'preview', 'reset')"
            ),
        ),
    }
}

fn aks(parsed: &Parsed, ctx: &mut Context) -> Result<Json, String> {
    let (name, group) = (
        required(parsed, "--name")?,
        required(parsed, "--resource-group")?,
    );
    let found = ctx.estate.targets.iter().any(
        |t| matches!(&t.kind, Kind::Kube(k) if k.cluster == name && k.resource_group == group),
    );
    if !found {
        return Err(format!(
            "(ResourceNotFound) The Resource 'Microsoft.ContainerService/managedClusters/{name}' under resource group '{group}' was not found."
        ));
    }
    ctx.job.kube_context = Some(name.to_owned());
    Ok(Json::Null)
}

fn database(parsed: &Parsed, ctx: &mut Context) -> Result<Json, String> {
    let command = parsed.command();
    // `sql db show --server --name`, `postgres flexible-server db show --server-name --name`,
    // `mysql flexible-server db show --server-name --database-name`,
    // `cosmosdb sql database show --account-name --name`.
    let name = parsed
        .value(&["--name", "--database-name"])
        .ok_or("the following arguments are required: --name")?
        .to_owned();
    let group = required(parsed, "--resource-group")?.to_owned();
    let server = parsed
        .value(&["--server", "--server-name", "--account-name"])
        .ok_or("the following arguments are required: --server")?
        .to_owned();
    let found = ctx.estate.targets.iter().position(|t| {
        matches!(&t.kind, Kind::Database(db) if db.resource_group == group && db.server == server && db.name == name)
    });
    let Some(index) = found else {
        return Err(format!(
            "(ResourceNotFound) az {command}: '{name}' was not found in resource group '{group}'."
        ));
    };
    let failed = ctx.deploy_fails(index, &format!("az {command}"));
    ctx.log(EventKind::DatabaseChecked {
        target: index,
        ok: !failed,
    });
    if failed {
        return Err("(ServiceUnavailable) The database is not answering (rehearsal fault).".into());
    }
    Ok(json!({"name": name, "status": "Online"}))
}

fn storage_index(parsed: &Parsed, ctx: &Context) -> Result<usize, String> {
    let account = required(parsed, "--account-name")?;
    ctx.estate
        .targets
        .iter()
        .position(|t| matches!(&t.kind, Kind::Static(s) if s.account == account))
        .ok_or_else(|| format!("The storage account '{account}' was not found."))
}

fn storage(call: &Call, parsed: &Parsed, ctx: &mut Context) -> Reply {
    let result =
        storage_index(parsed, ctx).and_then(|index| storage_command(call, parsed, index, ctx));
    match result {
        Ok((value, seconds)) => output(parsed, &value).taking(seconds),
        Err(message) => Reply::fail(1, format!("ERROR: {message}")),
    }
}

/// `az storage blob upload-batch`: the built folder into a container (`$web` serves it).
fn upload_batch(
    call: &Call,
    parsed: &Parsed,
    index: usize,
    ctx: &mut Context,
) -> Result<(Json, u64), String> {
    let build = ctx.build.clone();
    let source = required(parsed, "--source")?;
    let files = ctx
        .files
        .list(&call.cwd, source)
        .ok_or_else(|| format!("No such directory: {source}"))?;
    if ctx.deploy_fails(index, "az storage blob upload-batch") {
        return Err("(ServerBusy) The server is busy (rehearsal fault).".into());
    }
    let destination = required(parsed, "--destination")?.to_owned();
    let uploaded = {
        let Kind::Static(site) = &mut ctx.estate.targets[index].kind else {
            unreachable!()
        };
        let container = site
            .containers
            .get_mut(&destination)
            .ok_or_else(|| format!("The specified container '{destination}' does not exist."))?;
        for (name, contents) in &files {
            container.insert(name.clone(), (contents.clone(), build.clone()));
        }
        files.len()
    };
    if destination == "$web" {
        ctx.log(EventKind::Serving {
            target: index,
            build,
            how: "upload".into(),
        });
    }
    Ok((json!([{"uploaded": uploaded}]), UPLOAD_SECONDS))
}

fn storage_command(
    call: &Call,
    parsed: &Parsed,
    index: usize,
    ctx: &mut Context,
) -> Result<(Json, u64), String> {
    let command = parsed.command();
    let build = ctx.build.clone();
    if command == "storage blob upload-batch" {
        return upload_batch(call, parsed, index, ctx);
    }
    let Kind::Static(site) = &mut ctx.estate.targets[index].kind else {
        unreachable!()
    };
    let container = |name: &str| name.to_owned();
    match command.as_str() {
        "storage container create" => {
            let name = container(required(parsed, "--name")?);
            let created = !site.containers.contains_key(&name);
            site.containers.entry(name).or_default();
            Ok((json!({"created": created}), 0))
        }
        "storage blob delete-batch" => {
            let source = container(required(parsed, "--source")?);
            site.containers
                .get_mut(&source)
                .ok_or_else(|| format!("The specified container '{source}' does not exist."))?
                .clear();
            Ok((Json::Array(Vec::new()), 0))
        }
        "storage blob copy start-batch" => {
            let from = container(required(parsed, "--source-container")?);
            let to = container(required(parsed, "--destination-container")?);
            if parsed
                .value(&["--source-account-name"])
                .is_some_and(|a| a != site.account)
            {
                return Err("rehearsal: copies between storage accounts are not simulated".into());
            }
            let blobs = site
                .containers
                .get(&from)
                .cloned()
                .ok_or_else(|| format!("The specified container '{from}' does not exist."))?;
            site.containers
                .get_mut(&to)
                .ok_or_else(|| format!("The specified container '{to}' does not exist."))?
                .extend(blobs);
            let restored = to == "$web";
            let serving = site.serving();
            if restored {
                ctx.log(EventKind::Serving {
                    target: index,
                    build: serving,
                    how: "restore".into(),
                });
            }
            Ok((Json::Array(Vec::new()), UPLOAD_SECONDS / 2))
        }
        "storage blob upload" => {
            let name = required(parsed, "--name")?.to_owned();
            let file = required(parsed, "--file")?;
            let contents = ctx
                .files
                .read(&call.cwd, file)
                .ok_or_else(|| format!("[Errno 2] No such file or directory: '{file}'"))?;
            let Kind::Static(site) = &mut ctx.estate.targets[index].kind else {
                unreachable!()
            };
            let target = required(parsed, "--container-name")?;
            let blobs = site
                .containers
                .get_mut(target)
                .ok_or_else(|| format!("The specified container '{target}' does not exist."))?;
            if blobs.contains_key(&name) && !parsed.has(&["--overwrite"]) {
                return Err(format!("The specified blob already exists: {name}"));
            }
            blobs.insert(name, (contents, build));
            Ok((Json::Null, 0))
        }
        "storage blob download" => {
            let name = required(parsed, "--name")?;
            let source = required(parsed, "--container-name")?;
            let blob = site
                .containers
                .get(source)
                .and_then(|c| c.get(name))
                .cloned();
            let (contents, _) =
                blob.ok_or("The specified blob does not exist. ErrorCode: BlobNotFound")?;
            let file = required(parsed, "--file")?;
            ctx.files.write(&call.cwd, file, &contents)?;
            Ok((Json::Null, 0))
        }
        other => Err(format!("rehearsal: az {other} is not simulated")),
    }
}

/// `az repos pr create` and `az pipelines run`: Azure DevOps, signed in with a token.
fn devops(call: &Call, parsed: &Parsed, ctx: &mut Context) -> Reply {
    if call.env("AZURE_DEVOPS_EXT_PAT").is_none() {
        return Reply::fail(
            1,
            "ERROR: Before you can run Azure DevOps commands, you need to run the login command (az login if using AAD/MSA identity else az devops login if using PAT token) to setup credentials.",
        );
    }
    match parsed.command().as_str() {
        "repos pr create" => {
            let (Some(base), Some(head)) = (
                parsed.value(&["--target-branch"]),
                parsed.value(&["--source-branch"]),
            ) else {
                return Reply::fail(
                    2,
                    "ERROR: --target-branch and --source-branch are required by the rehearsal",
                );
            };
            let (base, head) = (
                base.trim_start_matches("refs/heads/").to_owned(),
                head.trim_start_matches("refs/heads/").to_owned(),
            );
            for branch in [&base, &head] {
                if !ctx.estate.branches.contains(branch) {
                    return Reply::fail(
                        1,
                        format!(
                            "ERROR: TF401398: The pull request cannot be activated because the branch {branch} does not exist."
                        ),
                    );
                }
            }
            ctx.log(EventKind::PullRequest { base, head });
            output(parsed, &json!({"pullRequestId": 1, "status": "active"}))
        }
        other => Reply::fail(1, format!("rehearsal: az {other} is not simulated yet")),
    }
}
