//! The budgeted maximum-coverage program on RR sets, with good_lp:
//!
//! ```text
//! max  Σ_j w_j y_j
//! s.t. y_j <= Σ_{v ∈ R_j} x_v     (each merged row j: identical projected RR sets, weight w_j)
//!      Σ c_v x_v <= B,  Σ x_v <= max_seeds,  category counts and spend,  x_v = 1 (include)
//!      0 <= y_j <= 1,   x_v ∈ [0,1] (LP relaxation, clarabel) or {0,1} (MIP, microlp)
//! ```
//!
//! RR sets are projected onto the candidate pool and identical projections merged into one
//! weighted row, so the model stays small. The LP relaxation over all candidates is an upper
//! bound on the best coverage (the certificate); the MIP over a reduced pool is a work-limited
//! refinement of the greedy plan (measured: on raw 20k-100k-set instances no MIP solver beats
//! the greedy within a minute, so the MIP only ever sees the reduced model).

use super::constraints::Constraints;
use crate::input::CostTable;
use crate::rrset::RrCollection;
use good_lp::{
    constraint, variable, variables, Expression, ResolutionError, Solution, SolverModel,
};
#[cfg(feature = "highs")]
use good_lp::{WithInitialSolution, WithTimeLimit};
use rustc_hash::FxHashMap;

/// Rows of a reduced model: candidate pool, merged projected sets and their weights.
#[derive(Debug, Clone)]
pub struct Reduced {
    /// Candidate node ids (column order).
    pub pool: Vec<u32>,
    /// Each row: column indices (sorted) of the pool members in it.
    pub rows: Vec<Vec<u32>>,
    /// Number of RR sets merged into each row.
    pub weights: Vec<u64>,
}

/// Projects `coll` onto `pool` and merges identical projections.
pub fn reduce(coll: &RrCollection, pool: &[u32], n: usize) -> Reduced {
    reduce_first(coll, coll.len(), pool, n)
}

/// [`reduce`] of the first `m` sets only: a random sample of an RR collection, read in place
/// (a copy of the prefix held up to half the sample again, uncounted by `--max-memory`).
pub fn reduce_first(coll: &RrCollection, m: usize, pool: &[u32], n: usize) -> Reduced {
    assert!(
        m >= coll.len() || (coll.weights().is_none() && coll.sampled() == coll.len() as u64),
        "a prefix of distinct or projected sets is no sample"
    );
    let mut col = vec![u32::MAX; n];
    for (i, &v) in pool.iter().enumerate() {
        col[v as usize] = i as u32;
    }
    let mut map: FxHashMap<Vec<u32>, usize> = FxHashMap::default();
    let mut rows: Vec<Vec<u32>> = Vec::new();
    let mut weights: Vec<u64> = Vec::new();
    let mut buf: Vec<u32> = Vec::new();
    for (i, set) in coll.sets_in(0..m.min(coll.len())) {
        buf.clear();
        buf.extend(
            set.iter()
                .map(|&v| col[v as usize])
                .filter(|&c| c != u32::MAX),
        );
        if buf.is_empty() {
            continue;
        }
        buf.sort_unstable();
        let w = coll.weight(i);
        match map.get(&buf) {
            Some(&r) => weights[r] += w,
            None => {
                map.insert(buf.clone(), rows.len());
                rows.push(buf.clone());
                weights.push(w);
            }
        }
    }
    Reduced {
        pool: pool.to_vec(),
        rows,
        weights,
    }
}

/// Outcome of a solve.
#[derive(Debug, Clone)]
pub struct Solved {
    /// Objective value (weighted rows covered, fractional for the LP).
    pub objective: f64,
    /// Chosen pool members (x_v > 0.5), for the MIP.
    pub chosen: Vec<u32>,
    /// "optimal", "node limit (N nodes)", "time limit" (a `--time-limit`), or the solver's error.
    pub status: String,
}

/// A variable of the program: a pool member's `x` or a row's `y`.
#[derive(Debug, Clone, Copy)]
enum Col {
    X(usize),
    Y(usize),
}

/// One linear constraint, `Σ coef · var  <=  rhs` (or `>=` when `at_least`).
struct LinRow {
    terms: Vec<(Col, f64)>,
    at_least: bool,
    rhs: f64,
}

/// Every constraint of the program over `r`, whichever solver gets it (variable bounds aside):
/// the one statement of the model that the LP (through good_lp) and the MIP (microlp's own
/// API, for its node limit) both read.
fn constraints_of(r: &Reduced, costs: &CostTable, cons: &Constraints) -> Vec<LinRow> {
    let le = |terms: Vec<(Col, f64)>, rhs: f64| LinRow {
        terms,
        at_least: false,
        rhs,
    };
    let mut out: Vec<LinRow> = r
        .rows
        .iter()
        .enumerate()
        .map(|(j, row)| {
            let mut t = vec![(Col::Y(j), 1.0)];
            t.extend(row.iter().map(|&c| (Col::X(c as usize), -1.0)));
            le(t, 0.0)
        })
        .collect();
    // Bounds alone do not survive good_lp's `binary()`, so must-includes get an explicit row.
    for (i, v) in r.pool.iter().enumerate() {
        if cons.include.contains(v) {
            out.push(LinRow {
                terms: vec![(Col::X(i), 1.0)],
                at_least: true,
                rhs: 1.0,
            });
        }
    }
    let p = r.pool.len();
    let cost_of = |i: usize| costs.cost_of(r.pool[i]).unwrap_or(0.0);
    out.push(le(
        (0..p).map(|i| (Col::X(i), cost_of(i))).collect(),
        cons.budget,
    ));
    if cons.max_seeds < p {
        out.push(le(
            (0..p).map(|i| (Col::X(i), 1.0)).collect(),
            cons.max_seeds as f64,
        ));
    }
    for (k, &(min, max, max_spend)) in cons.category.iter().enumerate() {
        let members: Vec<usize> = (0..p)
            .filter(|&i| {
                costs.category.get(r.pool[i] as usize).copied().flatten() == Some(k as u32)
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        let count = || {
            members
                .iter()
                .map(|&i| (Col::X(i), 1.0))
                .collect::<Vec<_>>()
        };
        if min > 0 {
            out.push(LinRow {
                terms: count(),
                at_least: true,
                rhs: min as f64,
            });
        }
        if max < members.len() {
            out.push(le(count(), max as f64));
        }
        if max_spend.is_finite() {
            out.push(le(
                members.iter().map(|&i| (Col::X(i), cost_of(i))).collect(),
                max_spend,
            ));
        }
    }
    out
}

/// The program for a good_lp solver: the LP relaxation (clarabel), or with `binary` the MIP
/// under the `highs` feature.
fn build<S: SolverModel>(
    r: &Reduced,
    costs: &CostTable,
    cons: &Constraints,
    binary: bool,
    solver: impl FnOnce(good_lp::variable::UnsolvedProblem) -> S,
) -> (S, Vec<good_lp::Variable>, Vec<good_lp::Variable>) {
    let mut vars = variables!();
    let x: Vec<good_lp::Variable> = r
        .pool
        .iter()
        .map(|v| {
            let lo = if cons.include.contains(v) { 1.0 } else { 0.0 };
            let d = variable().min(lo).max(1.0);
            vars.add(if binary { d.binary() } else { d })
        })
        .collect();
    let y: Vec<good_lp::Variable> = r
        .rows
        .iter()
        .map(|_| vars.add(variable().min(0.0).max(1.0)))
        .collect();
    let objective: Expression = y
        .iter()
        .zip(&r.weights)
        .map(|(&yj, &w)| w as f64 * yj)
        .sum();
    let mut m = solver(vars.maximise(objective));
    for row in constraints_of(r, costs, cons) {
        let e: Expression = row
            .terms
            .iter()
            .map(|&(c, coef)| {
                coef * match c {
                    Col::X(i) => x[i],
                    Col::Y(j) => y[j],
                }
            })
            .sum();
        m = m.with(if row.at_least {
            constraint!(e >= row.rhs)
        } else {
            constraint!(e <= row.rhs)
        });
    }
    (m, x, y)
}

/// LP relaxation (clarabel, interior point): an upper bound on the best coverage of `r`.
pub fn lp_bound(r: &Reduced, costs: &CostTable, cons: &Constraints) -> Result<f64, String> {
    if r.rows.is_empty() {
        return Ok(0.0);
    }
    let (m, _, y) = build(r, costs, cons, false, good_lp::clarabel);
    let sol = m.solve().map_err(|e: ResolutionError| e.to_string())?;
    let obj: f64 = y
        .iter()
        .zip(&r.weights)
        .map(|(&yj, &w)| w as f64 * sol.value(yj).clamp(0.0, 1.0))
        .sum();
    // An interior-point optimum is met to a relative tolerance; pad the bound by more than it
    // so that it stays an upper bound.
    let total: u64 = r.weights.iter().sum();
    Ok(obj + 1e-6 * total as f64 + 1e-6)
}

/// Most candidate plans times merged rows that `enumerate` takes on (about a second).
const ENUMERATE_WORK: f64 = 3e8;

/// The exact optimum over the pool by trying every plan, when a small seed cap makes that
/// cheap: `-k 2` on a pool of 30 is 466 plans, where microlp spent its whole allowance without
/// a first feasible point (it does not keep the warm start). Plans are tried in a fixed order
/// and the first best kept, so the answer does not depend on the machine. `None` when the pool
/// has more than 64 members, a must-include is outside it, or the work would be too large.
pub fn enumerate(r: &Reduced, costs: &CostTable, cons: &Constraints) -> Option<Solved> {
    let p = r.pool.len();
    if p > 64 {
        return None;
    }
    let k = cons.max_seeds.min(p);
    let plans: f64 = (0..=k)
        .map(|j| (0..j).fold(1.0, |c, i| c * (p - i) as f64 / (i + 1) as f64))
        .sum();
    if plans * r.rows.len().max(1) as f64 > ENUMERATE_WORK {
        return None;
    }
    let mut must = 0u64;
    for v in &cons.include {
        must |= 1 << r.pool.iter().position(|u| u == v)?;
    }
    let masks: Vec<u64> = r
        .rows
        .iter()
        .map(|row| row.iter().fold(0u64, |m, &c| m | 1 << c))
        .collect();
    let cost: Vec<f64> = r
        .pool
        .iter()
        .map(|&v| costs.cost_of(v).unwrap_or(0.0))
        .collect();
    let cat: Vec<Option<usize>> = r
        .pool
        .iter()
        .map(|&v| {
            costs
                .category
                .get(v as usize)
                .copied()
                .flatten()
                .map(|c| c as usize)
        })
        .collect();
    let mut in_pool = vec![false; cons.category.len()];
    for &c in cat.iter().flatten() {
        if let Some(x) = in_pool.get_mut(c) {
            *x = true;
        }
    }
    let fits = |set: u64| -> bool {
        let (mut count, mut spend) = (
            vec![0usize; cons.category.len()],
            vec![0.0; cons.category.len()],
        );
        for i in (0..p).filter(|&i| set >> i & 1 == 1) {
            if let Some(c) = cat[i].filter(|&c| c < count.len()) {
                count[c] += 1;
                spend[c] += cost[i];
            }
        }
        // As in the program: a category with no member in the pool has no row.
        cons.category
            .iter()
            .enumerate()
            .all(|(c, &(min, max, max_spend))| {
                !in_pool[c] || (count[c] >= min && count[c] <= max && spend[c] <= max_spend + 1e-9)
            })
    };
    let covered = |set: u64| -> u64 {
        masks
            .iter()
            .zip(&r.weights)
            .filter(|(&m, _)| m & set != 0)
            .map(|(_, &w)| w)
            .sum()
    };
    // Depth-first over the members in pool order: each set is visited once, as the members
    // after the last one taken are added one at a time (budget and cap pruned on the way).
    let mut best: Option<(u64, u64)> = None;
    let mut stack: Vec<(u64, usize, f64)> = vec![(0, 0, 0.0)];
    while let Some((set, next, spent)) = stack.pop() {
        if set & must == must && fits(set) {
            let c = covered(set);
            if best.is_none_or(|(b, _)| c > b) {
                best = Some((c, set));
            }
        }
        if (set.count_ones() as usize) < k {
            // Pushed in reverse so that sets come off the stack in lexicographic order.
            for i in (next..p).rev() {
                if spent + cost[i] <= cons.budget + 1e-9 {
                    stack.push((set | 1 << i, i + 1, spent + cost[i]));
                }
            }
        }
    }
    let (objective, set) = best?;
    Some(Solved {
        objective: objective as f64,
        chosen: (0..p)
            .filter(|&i| set >> i & 1 == 1)
            .map(|i| r.pool[i])
            .collect(),
        status: "optimal".into(),
    })
}

/// The best plan over a reduced pool: every plan tried (`enumerate`) when a seed cap leaves
/// few, else the 0/1 program (`solve`) warm-started from `start` (pool members of the greedy
/// plan), within `effort`.
pub fn mip(
    r: &Reduced,
    costs: &CostTable,
    cons: &Constraints,
    start: &[u32],
    effort: &MipEffort,
) -> Solved {
    if r.rows.is_empty() {
        return Solved {
            objective: 0.0,
            chosen: cons.include.clone(),
            status: "empty".into(),
        };
    }
    if let Some(best) = enumerate(r, costs, cons) {
        return best;
    }
    solve(r, costs, cons, start, effort)
}

/// The weight of the rows `chosen` (node ids) covers in `r`.
pub fn covered_weight(r: &Reduced, chosen: &[u32]) -> f64 {
    let sel: Vec<bool> = r.pool.iter().map(|v| chosen.contains(v)).collect();
    r.rows
        .iter()
        .zip(&r.weights)
        .filter(|(row, _)| row.iter().any(|&c| sel[c as usize]))
        .map(|(_, &w)| w as f64)
        .sum()
}

/// What the MIP may spend.
#[derive(Debug, Clone, Copy)]
pub struct MipEffort {
    /// `--mip-seconds`: turned into a branch-and-bound node budget for the program's size
    /// (`node_budget`), so that the plan does not depend on the machine's speed or load; the
    /// `highs` feature takes it as a time limit.
    pub seconds: f64,
    /// Seconds a `--time-limit` leaves, if one was given: a clock limit the user asked for.
    pub clock: Option<f64>,
}

/// Branch-and-bound nodes for about `seconds` of microlp on a program of `cols` variables and
/// `rows` constraints on this project's machine kind: a node re-solves the LP from its parent's
/// basis, whose cost grows with the program. Nodes cost 1-4.2 µs per variable and constraint on
/// the demo's programs (BENCHMARKS section 1); the budget is set by the dearest, so that a
/// program takes about `seconds` at most. Counted, not timed, so that the plan does not depend
/// on the machine. (Counting simplex pivots instead, which vary less per size, needs microlp's
/// search resumed or run twice: resumed a few nodes at a time it took another path, run again
/// after a probe of 32 nodes it overran by 1.9x, as later nodes cost more pivots than early ones.)
pub fn node_budget(seconds: f64, cols: usize, rows: usize) -> u64 {
    let per_second = NODE_WORK_PER_SECOND / (cols + rows).max(1) as f64;
    (seconds * per_second).clamp(1.0, 1e12) as u64
}

/// Calibration constant of `node_budget`: nodes times program size per second.
const NODE_WORK_PER_SECOND: f64 = 2.3e5;

/// The 0/1 program itself (what `mip` falls back on when enumerating is too much work),
/// warm-started from `start` (pool members of the greedy plan).
pub fn solve(
    r: &Reduced,
    costs: &CostTable,
    cons: &Constraints,
    start: &[u32],
    effort: &MipEffort,
) -> Solved {
    #[cfg(feature = "highs")]
    return solve_highs(r, costs, cons, start, effort);
    #[cfg(not(feature = "highs"))]
    solve_microlp(r, costs, cons, start, effort)
}

/// The warm start: 1 for the pool members of `start`, 0 for the others (`x` in pool order).
fn warm_start<V: Copy>(r: &Reduced, x: &[V], start: &[u32]) -> Vec<(V, f64)> {
    r.pool
        .iter()
        .zip(x)
        .map(|(v, &xv)| (xv, if start.contains(v) { 1.0 } else { 0.0 }))
        .collect()
}

/// The pool members a solution takes (`value` of their `x` above one half).
fn picked<V: Copy>(r: &Reduced, x: &[V], value: impl Fn(V) -> f64) -> Vec<u32> {
    r.pool
        .iter()
        .zip(x)
        .filter(|(_, &xv)| value(xv) > 0.5)
        .map(|(&v, _)| v)
        .collect()
}

/// HiGHS through good_lp: an exact time limit and an incumbent at the limit, but no node
/// limit there, so a plan that meets the limit depends on the clock.
#[cfg(feature = "highs")]
fn solve_highs(
    r: &Reduced,
    costs: &CostTable,
    cons: &Constraints,
    start: &[u32],
    effort: &MipEffort,
) -> Solved {
    let time_limit = effort
        .clock
        .map_or(effort.seconds, |c| c.min(effort.seconds));
    let (m, x, _) = build(r, costs, cons, true, good_lp::highs);
    let t0 = std::time::Instant::now();
    let m = m
        .with_initial_solution(warm_start(r, &x, start))
        .with_time_limit(time_limit);
    let out_of_time = || t0.elapsed().as_secs_f64() >= time_limit * 0.98;
    match m.solve() {
        Ok(sol) => {
            let chosen = picked(r, &x, |xv| sol.value(xv));
            Solved {
                objective: covered_weight(r, &chosen),
                chosen,
                status: if out_of_time() {
                    "time limit"
                } else {
                    "optimal"
                }
                .into(),
            }
        }
        Err(e) => Solved {
            objective: f64::NAN,
            chosen: Vec::new(),
            status: if out_of_time() {
                "time limit, no solution found".into()
            } else {
                e.to_string()
            },
        },
    }
}

/// microlp through its own API, which good_lp does not pass on: a node limit (the same search,
/// and so the same plan, on any machine), the warm start as the first incumbent, and the
/// reason it stopped.
#[cfg(not(feature = "highs"))]
fn solve_microlp(
    r: &Reduced,
    costs: &CostTable,
    cons: &Constraints,
    start: &[u32],
    effort: &MipEffort,
) -> Solved {
    use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, TerminationReason};
    let mut p = microlp::Problem::new(OptimizationDirection::Maximize);
    let x: Vec<microlp::Variable> = r.pool.iter().map(|_| p.add_binary_var(0.0)).collect();
    let y: Vec<microlp::Variable> = r
        .weights
        .iter()
        .map(|&w| p.add_var(w as f64, (0.0, 1.0)))
        .collect();
    let constraints = constraints_of(r, costs, cons);
    let nodes = node_budget(effort.seconds, x.len() + y.len(), constraints.len());
    for row in constraints {
        let mut e = LinearExpr::empty();
        for (c, coef) in row.terms {
            e.add(
                match c {
                    Col::X(i) => x[i],
                    Col::Y(j) => y[j],
                },
                coef,
            );
        }
        let op = if row.at_least {
            ComparisonOp::Ge
        } else {
            ComparisonOp::Le
        };
        p.add_constraint(e, op, row.rhs);
    }
    let mut opts = microlp::SolveOptions::default();
    opts.node_limit = Some(nodes);
    opts.time_limit = effort
        .clock
        .map(|c| std::time::Duration::from_secs_f64(c.max(0.0)));
    opts.warm_start = Some(warm_start(r, &x, start));
    let outcome = match p.solve_with(opts) {
        Ok(o) => o,
        Err(e) => {
            return Solved {
                objective: f64::NAN,
                chosen: Vec::new(),
                status: e.to_string(),
            }
        }
    };
    let reason = match outcome.termination_reason() {
        TerminationReason::ProvenOptimal => "optimal",
        TerminationReason::MipGap => "within the gap",
        TerminationReason::NodeLimit => "node limit",
        TerminationReason::TimeLimit => "time limit",
        _ => "stopped",
    };
    let solved = outcome.stats().nodes_solved;
    match outcome.into_solution() {
        Ok(sol) => {
            let chosen = picked(r, &x, |xv| sol.var_value(xv));
            Solved {
                objective: covered_weight(r, &chosen),
                chosen,
                status: if reason == "optimal" {
                    reason.to_string()
                } else {
                    format!("{reason} ({solved} nodes)")
                },
            }
        }
        Err(_) => Solved {
            objective: f64::NAN,
            chosen: Vec::new(),
            status: format!("{reason} ({solved} nodes), no solution found"),
        },
    }
}
