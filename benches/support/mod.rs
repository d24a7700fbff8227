//! What the hand-written benches share: timing a piece of work by its median, and the plan sizes to
//! measure, from the command line or the bench's defaults.

use std::time::{Duration, Instant};

/// The median of `samples` (the upper one of an even count).
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The median of `runs` timed runs of `work`, after one untimed run.
#[allow(dead_code)] // Not every bench times a closure.
pub fn measure(runs: usize, mut work: impl FnMut()) -> Duration {
    work();
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                work();
                start.elapsed()
            })
            .collect(),
    )
}

/// The sizes given on the command line (`cargo bench --bench NAME -- 100 1000`), or `defaults`.
pub fn sizes(defaults: &[usize]) -> Vec<usize> {
    let given: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if given.is_empty() {
        defaults.to_vec()
    } else {
        given
    }
}
