//! Small graph helpers over the units of a pipeline: cycle detection and ancestors.

use std::ops::Range;

use super::RehearseError;
use super::model::Unit;

/// Refuses a dependency cycle among `units[range]` (whose `needs` point inside the range), naming
/// the first unit found on one.
pub fn check_acyclic(units: &[Unit], range: Range<usize>) -> Result<(), RehearseError> {
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; units.len()];
    for start in range {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some((node, next)) = stack.pop() {
            if let Some(&dep) = units[node].needs.get(next) {
                stack.push((node, next + 1));
                match state[dep] {
                    0 => {
                        state[dep] = 1;
                        stack.push((dep, 0));
                    }
                    1 => {
                        return Err(RehearseError::Unsupported {
                            loc: units[dep].loc.clone(),
                            message: format!(
                                "`{}` and `{}` wait for each other (a dependency cycle)",
                                units[dep].id, units[node].id
                            ),
                        });
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
            }
        }
    }
    Ok(())
}

/// Every unit that `unit` waits for, directly or through others, in index order.
pub fn ancestors(units: &[Unit], unit: usize) -> Vec<usize> {
    let mut seen = vec![false; units.len()];
    let mut stack: Vec<usize> = units[unit].needs.clone();
    while let Some(next) = stack.pop() {
        if !seen[next] {
            seen[next] = true;
            stack.extend(units[next].needs.iter().copied());
        }
    }
    (0..units.len()).filter(|i| seen[*i]).collect()
}
