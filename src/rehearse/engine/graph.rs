//! Which units start, are skipped or finish: dependencies, conditions (with each platform's default
//! and status functions), and the results of stages and calls from their jobs.

use serde_json::{Map, Value as Json};

use super::super::RehearseError;
use super::super::expr::{azure as az, github as gh};
use super::super::model::{Platform, UnitKind};
use super::scope::UnitScope;
use super::{Engine, Outcome, Run, Status, UnitState};

/// The outcome of a run: the worst of its top-level units.
pub(super) fn run_outcome(run: &Run) -> Outcome {
    aggregate(
        run.pipeline
            .children(None)
            .map(|u| run.units[u].outcome.unwrap_or(Outcome::Skipped)),
    )
}

/// The outcome of a stage or call from its children's.
fn aggregate(outcomes: impl Iterator<Item = Outcome>) -> Outcome {
    let all: Vec<Outcome> = outcomes.collect();
    if all.contains(&Outcome::Failed) {
        Outcome::Failed
    } else if all.contains(&Outcome::Canceled) {
        Outcome::Canceled
    } else if all.iter().all(|o| *o == Outcome::Skipped) {
        Outcome::Skipped
    } else if all.contains(&Outcome::SucceededWithIssues) {
        Outcome::SucceededWithIssues
    } else {
        Outcome::Succeeded
    }
}

impl Engine<'_, '_> {
    /// Starts a run of `file` from `branch` with `inputs`; returns its index.
    pub(super) fn start_run(
        &mut self,
        file: &str,
        branch: &str,
        inputs: Map<String, Json>,
    ) -> Result<usize, RehearseError> {
        let index = self.runs.len();
        let build = format!("{}", 1001 + index);
        let variables = super::scope::compile_variables(self.shared.facts, branch, &build);
        let pipeline =
            self.shared
                .catalog
                .get(self.shared.repo, self.platform, file, &inputs, &variables)?;
        let mut given = Map::new();
        for input in &pipeline.inputs {
            match inputs
                .get(&input.name)
                .cloned()
                .or_else(|| input.default.clone())
            {
                Some(value) => {
                    given.insert(input.name.clone(), value);
                }
                None if input.required => {
                    // A person would type something; the rehearsal does.
                    given.insert(input.name.clone(), Json::String("REHEARSAL-1".into()));
                }
                None => {}
            }
        }
        // The run's branch exists on the remote (a person pushed it before starting the run).
        self.estate.branches.insert(branch.to_owned());
        let artifacts = self
            .station
            .sandbox
            .fresh("artifacts")
            .map_err(|e| RehearseError::Sandbox(e.to_string()))?;
        let units = pipeline
            .units
            .iter()
            .map(|_| UnitState {
                status: Status::Pending,
                outcome: None,
                start: None,
                end: None,
                note: String::new(),
                inputs: None,
                secrets: None,
                outputs: Map::new(),
                job: None,
            })
            .collect();
        self.runs.push(Run {
            pipeline,
            inputs: Json::Object(given),
            branch: branch.to_owned(),
            build,
            artifacts,
            units,
            approvals: 0,
        });
        self.dirty = true;
        Ok(index)
    }

    /// Starts, skips and finishes units until nothing changes.
    pub(super) fn schedule(&mut self) -> Result<(), RehearseError> {
        let mut changed = true;
        while changed {
            changed = false;
            for run in 0..self.runs.len() {
                for unit in 0..self.runs[run].units.len() {
                    changed |= self.step_unit(run, unit)?;
                }
            }
        }
        Ok(())
    }

    fn step_unit(&mut self, run: usize, unit: usize) -> Result<bool, RehearseError> {
        let pipeline = std::sync::Arc::clone(&self.runs[run].pipeline);
        let definition = &pipeline.units[unit];
        let status = self.runs[run].units[unit].status;
        if status == Status::Running && !matches!(definition.kind, UnitKind::Job(_)) {
            let children: Vec<usize> = pipeline.children(Some(unit)).collect();
            if children
                .iter()
                .all(|c| self.runs[run].units[*c].status == Status::Done)
            {
                let outcome = aggregate(
                    children
                        .iter()
                        .map(|c| self.runs[run].units[*c].outcome.unwrap_or(Outcome::Skipped)),
                );
                self.finish_unit(run, unit, outcome, String::new());
                return Ok(true);
            }
            return Ok(false);
        }
        if status != Status::Pending {
            return Ok(false);
        }
        if let Some(parent) = definition.parent {
            match self.runs[run].units[parent].status {
                Status::Running => {}
                Status::Done => {
                    self.skip(run, unit, "its stage or caller did not run");
                    return Ok(true);
                }
                Status::Pending | Status::Waiting => return Ok(false),
            }
        }
        if definition
            .needs
            .iter()
            .any(|n| self.runs[run].units[*n].status != Status::Done)
        {
            return Ok(false);
        }
        if !self.condition_holds(run, unit)? {
            let note = match &definition.condition {
                Some(c) => format!("condition false: {}", c.text),
                None => "a unit it needs did not succeed".to_owned(),
            };
            self.skip(run, unit, &note);
            return Ok(true);
        }
        match &definition.kind {
            UnitKind::Job(_) => self.start_job(run, unit)?,
            UnitKind::Stage => self.begin_group(run, unit),
            UnitKind::Call(_) => self.start_call(run, unit)?,
        }
        Ok(true)
    }

    fn begin_group(&mut self, run: usize, unit: usize) {
        let state = &mut self.runs[run].units[unit];
        state.status = Status::Running;
        state.start = Some(self.now);
    }

    fn start_call(&mut self, run: usize, unit: usize) -> Result<(), RehearseError> {
        let pipeline = std::sync::Arc::clone(&self.runs[run].pipeline);
        let definition = &pipeline.units[unit];
        let UnitKind::Call(call) = &definition.kind else {
            return Ok(());
        };
        let scope = UnitScope::new(self, run, unit, false);
        let mut inputs = Map::new();
        for input in &call.inputs {
            if let Some(default) = &input.default {
                inputs.insert(input.name.clone(), default.clone());
            }
        }
        for (name, text) in &call.with {
            let value = gh::value_of(text, &scope).map_err(|e| RehearseError::Unsupported {
                loc: definition.loc.clone(),
                message: format!("`with: {name}`: {e}"),
            })?;
            inputs.insert(name.clone(), value);
        }
        if let Some(missing) = call
            .inputs
            .iter()
            .find(|i| i.required && !inputs.contains_key(&i.name))
        {
            return Err(RehearseError::Unsupported {
                loc: definition.loc.clone(),
                message: format!(
                    "the call does not give the required input `{}`",
                    missing.name
                ),
            });
        }
        let secrets = scope.secrets_for_call(call);
        let state = &mut self.runs[run].units[unit];
        state.inputs = Some(Json::Object(inputs));
        state.secrets = Some(secrets);
        self.begin_group(run, unit);
        Ok(())
    }

    fn skip(&mut self, run: usize, unit: usize, note: &str) {
        let state = &mut self.runs[run].units[unit];
        state.status = Status::Done;
        state.outcome = Some(Outcome::Skipped);
        state.note = note.to_owned();
        self.dirty = true;
    }

    /// Ends a unit.
    pub(super) fn finish_unit(&mut self, run: usize, unit: usize, outcome: Outcome, note: String) {
        let now = self.now;
        let state = &mut self.runs[run].units[unit];
        state.status = Status::Done;
        state.outcome = Some(outcome);
        state.end = Some(now);
        if !note.is_empty() {
            state.note = note;
        }
        self.dirty = true;
    }

    fn condition_holds(&self, run: usize, unit: usize) -> Result<bool, RehearseError> {
        let definition = &self.runs[run].pipeline.units[unit];
        let scope = UnitScope::new(self, run, unit, false);
        let Some(condition) = &definition.condition else {
            return Ok(scope.ancestors_ok());
        };
        let value = match self.platform {
            Platform::GitHub => gh::eval(&condition.expr, &scope).map(|v| gh::truthy(&v)),
            Platform::Azure => az::eval(&condition.expr, &scope).map(|v| az::truthy(&v)),
        };
        value.map_err(|e| RehearseError::Unsupported {
            loc: condition.loc.clone(),
            message: format!("`{}`: {e}", condition.text),
        })
    }
}
