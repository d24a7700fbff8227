//! Synthetic plans for benchmarks and property tests: realistic, layered systems of any size.
//!
//! [`generate`] is pure and deterministic: the same [`SynthOptions`] give the same plan, and so the same
//! file, on every machine and with every crate version (the random numbers come from our own
//! [`rng::SplitMix64`]). Every generated plan passes the analysis with no errors:
//!
//! - all tiers in sensible proportions (one of each of the six layers from six services on);
//! - dependencies only from a higher tier to a strictly lower one, a few per service, so no cycles;
//! - migrations on databases with every direct dependent listed as a consumer;
//! - staging, a production-like hotfix environment and production with approvals that expire;
//! - regions with validation windows; hotfix runbooks that keep tests, scan, approval and backfill.
//!
//! `cargo run --release --example synth -- --services N --out FILE` writes one to a file.

mod names;
mod operations;
pub mod rng;
mod services;
mod topology;

use crate::plan::{
    AgentPool, AzureCloud, AzureSettings, BuildSettings, Dependency, DeployTarget, FORMAT_VERSION,
    GitHubCredentials, GitHubSettings, Id, Plan, PlatformSettings, RepositorySettings,
};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthOptions {
    /// How many services (a plan with none is allowed, but says little).
    pub services: usize,
    /// How many regions (0 rolls out to a single unnamed region).
    pub regions: usize,
    /// The seed every random choice follows.
    pub seed: u64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        Self {
            services: 20,
            regions: 3,
            seed: 1,
        }
    }
}

/// Generates the plan `options` describe.
pub fn generate(options: &SynthOptions) -> Plan {
    let mut rng = rng::SplitMix64::new(options.seed);
    let skeletons = topology::skeletons(&topology::tier_counts(options.services));
    let edges = topology::dependencies(&skeletons, &mut rng);
    let positions = topology::positions(&skeletons);
    let services: Vec<_> = skeletons
        .iter()
        .zip(positions)
        .map(|(skeleton, position)| services::service(skeleton, position, &mut rng))
        .collect();
    let dependencies = edges
        .iter()
        .map(|&(service, on)| Dependency {
            service: services[service].id.clone(),
            on: services[on].id.clone(),
        })
        .collect();
    let migrations = operations::migrations(&services, &edges, &mut rng);
    let mut environments = operations::environments(&mut rng);
    let regions = operations::regions(options.regions, &mut rng);
    let mut rollout = operations::rollout(&mut rng);
    // Half the plans prove each release in staging, in their first region, before production; the
    // others have no staging at all.
    if rng.chance(50) {
        rollout.promote_through = vec![Id::new(operations::STAGING)];
        if let (Some(staging), Some(first)) = (
            environments
                .iter_mut()
                .find(|e| e.id.as_str() == operations::STAGING),
            regions.first(),
        ) {
            staging.regions = vec![first.id.clone()];
        }
    } else {
        environments.retain(|e| e.id.as_str() != operations::STAGING);
    }
    let runbooks = operations::runbooks(&services, &mut rng);
    rollout.gates = operations::gates(&services, &regions, &mut rng);
    rollout.traffic = operations::traffic(&regions, &mut rng);
    let name = format!(
        "synth-{}-services-{}-regions-seed-{}",
        options.services, options.regions, options.seed
    );
    let mut plan = Plan {
        version: FORMAT_VERSION,
        description: format!(
            "A synthetic plan: {} services, {} regions, seed {} (cutover synth).",
            options.services, options.regions, options.seed
        ),
        platforms: platforms(&name),
        name,
        services,
        dependencies,
        migrations,
        environments,
        regions,
        rollout,
        runbooks,
    };
    if plan.regions.is_empty() {
        without_regions(&mut plan);
    }
    plan
}

/// Takes `{region}` out of every target's names, commands and health URLs: a plan without regions has
/// nothing to put there.
fn without_regions(plan: &mut Plan) {
    let strip = |text: &mut String| {
        *text = text
            .replace(" --region {region}", "")
            .replace("-{region}", "")
            .replace("{region}", "");
    };
    for service in &mut plan.services {
        match &mut service.target {
            DeployTarget::AppService {
                app,
                resource_group,
                ..
            } => [app, resource_group].into_iter().for_each(strip),
            DeployTarget::Kubernetes {
                cluster,
                resource_group,
                ..
            } => [cluster, resource_group].into_iter().for_each(strip),
            DeployTarget::StaticSite {
                storage_account,
                resource_group,
                ..
            } => [storage_account, resource_group]
                .into_iter()
                .for_each(strip),
            DeployTarget::Database {
                server,
                resource_group,
                ..
            } => [server, resource_group].into_iter().for_each(strip),
            DeployTarget::Script {
                command,
                rollback_command,
            } => {
                strip(command);
                rollback_command.iter_mut().for_each(strip);
            }
        }
        if let Some(base) = service
            .health_check
            .as_mut()
            .and_then(|check| check.base_url.as_mut())
        {
            strip(base);
        }
    }
}

fn platforms(plan_name: &str) -> PlatformSettings {
    PlatformSettings {
        cloud: AzureCloud::Public,
        build: BuildSettings::default(),
        repository: RepositorySettings {
            main_branch: "main".to_owned(),
            develop_branch: Some("develop".to_owned()),
        },
        azure: AzureSettings {
            service_connection: "synth-production".to_owned(),
            agent_pool: AgentPool::VmImage("ubuntu-latest".to_owned()),
            organization: "https://dev.azure.com/synth".to_owned(),
            project: plan_name.to_owned(),
        },
        github: GitHubSettings {
            runner: "ubuntu-latest".to_owned(),
            repository: format!("synth/{plan_name}"),
            credentials: GitHubCredentials::default(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Severity, analyse};

    #[test]
    fn a_generated_plan_has_every_tier_and_no_diagnostics() {
        let plan = generate(&SynthOptions {
            services: 60,
            regions: 3,
            seed: 11,
        });
        assert_eq!(plan.services.len(), 60);
        for tier in crate::plan::Tier::ALL {
            assert!(plan.services.iter().any(|s| s.tier == tier), "{tier:?}");
        }
        assert!(!plan.migrations.is_empty());
        assert!(!plan.runbooks.is_empty());
        let analysis = analyse(&plan);
        assert_eq!(
            analysis.count(Severity::Error) + analysis.count(Severity::Warning),
            0,
            "{:#?}",
            analysis.diagnostics
        );
    }

    #[test]
    fn the_same_options_give_the_same_plan_and_another_seed_another() {
        let options = SynthOptions {
            services: 30,
            regions: 2,
            seed: 5,
        };
        assert_eq!(generate(&options), generate(&options));
        assert_ne!(
            generate(&options),
            generate(&SynthOptions { seed: 6, ..options })
        );
    }
}
