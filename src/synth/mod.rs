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
    AgentPool, AzureCloud, AzureSettings, BuildSettings, Dependency, FORMAT_VERSION,
    GitHubCredentials, GitHubSettings, Plan, PlatformSettings, RepositorySettings,
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
    let environments = operations::environments(&mut rng);
    let regions = operations::regions(options.regions, &mut rng);
    let rollout = operations::rollout(&mut rng);
    let runbooks = operations::runbooks(&services, &mut rng);
    let name = format!(
        "synth-{}-services-{}-regions-seed-{}",
        options.services, options.regions, options.seed
    );
    Plan {
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
