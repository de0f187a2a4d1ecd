//! `seedplan curve`: the reach-versus-budget frontier. Each budget is planned on a sample of
//! its own, as `plan --budget B` plans it; reach never falls as the budget grows (a budget whose
//! own plan reaches less keeps the previous plan).

use super::args::{CurveArgs, TableFormat};
use super::output::{emit_with, stage};
use super::{build_model, load, load_costs};
use seedplan::budget::{allocate_on, sample_any, BudgetConfig, Constraints, ConstraintsFile};
use seedplan::error::{Error, Result};
use seedplan::plan;
use seedplan::progress::Progress;
use seedplan::report::{LineChart, Series};
use seedplan::rrset::RootSampler;
use serde::Serialize;
use std::io::Write;

/// Most budgets a curve plans.
const MAX_POINTS: usize = 10_000;

/// Parses `FROM:TO:COUNT` or a comma list.
pub fn parse_budgets(s: &str) -> Result<Vec<f64>> {
    let bad = |m: &str| Error::usage(format!("--budgets {s}: {m}"));
    let mut out: Vec<f64> = if s.contains(':') {
        let parts: Vec<&str> = s.split(':').collect();
        if parts.len() != 3 {
            return Err(bad("expected FROM:TO:COUNT"));
        }
        let from: f64 = parts[0]
            .trim()
            .parse()
            .map_err(|_| bad("FROM is not a number"))?;
        let to: f64 = parts[1]
            .trim()
            .parse()
            .map_err(|_| bad("TO is not a number"))?;
        let count: usize = parts[2]
            .trim()
            .parse()
            .map_err(|_| bad("COUNT is not a whole number"))?;
        if count < 2 || to.is_nan() || from.is_nan() || to <= from {
            return Err(bad("need COUNT >= 2 and TO > FROM"));
        }
        // Each point is a budgeted plan of its own; a huge COUNT aborted on its allocation.
        if count > MAX_POINTS {
            return Err(bad(&format!("COUNT is at most {MAX_POINTS}")));
        }
        // The budgets as given, not rounded: rounding to cents put the last point above TO
        // and merged close points.
        (0..count)
            .map(|i| {
                if i == count - 1 {
                    to
                } else {
                    from + (to - from) * i as f64 / (count - 1) as f64
                }
            })
            .collect()
    } else {
        s.split(',')
            .map(|x| {
                x.trim()
                    .parse::<f64>()
                    .map_err(|_| bad(&format!("'{x}' is not a number")))
            })
            .collect::<Result<_>>()?
    };
    if out.len() > MAX_POINTS {
        return Err(bad(&format!("at most {MAX_POINTS} budgets")));
    }
    if out.iter().any(|b| !(b.is_finite() && *b > 0.0)) {
        return Err(bad("budgets must be finite and > 0"));
    }
    out.sort_by(f64::total_cmp);
    out.dedup();
    Ok(out)
}

/// One point of the frontier.
#[derive(Debug, Clone, Serialize)]
pub struct CurvePoint {
    /// Budget.
    pub budget: f64,
    /// Spend of the plan.
    pub spent: f64,
    /// Seeds in the plan.
    pub seeds: usize,
    /// Expected reach.
    pub expected_reach: f64,
    /// 95% interval.
    pub ci95: [f64; 2],
    /// Extra reach per extra $1,000 since the previous budget.
    pub reach_per_1000: Option<f64>,
    /// Certified share of the best possible reach at this budget (none where the rules
    /// cannot be met: there is no plan to certify).
    pub certificate: Option<f64>,
    /// `greedy`, `mip`, `all_candidates` (every allowed account bought), `previous` (kept the
    /// smaller budget's plan) or `infeasible`.
    pub method: String,
    /// Seed labels in rank order.
    pub plan: Vec<String>,
    /// Why no plan fits this budget (`infeasible` points only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How the plan's sampling ended, as `plan`'s `status` says it (`converged`,
    /// `time_limit`, `memory_limit`, ...); `infeasible` where there is no plan.
    pub status: String,
}

/// Runs `seedplan curve`.
pub fn run(a: CurveArgs, quiet: bool, progress: &dyn Progress) -> Result<()> {
    let t_all = std::time::Instant::now();
    let budgets = parse_budgets(&a.budgets)?;
    if a.costs.costs.is_none() {
        return Err(Error::usage("curve needs a cost table (--costs)"));
    }
    // Checked before a large graph is loaded.
    seedplan::select::check_budget_epsilon(a.epsilon)?;
    super::check_mip_seconds(a.mip_seconds)?;
    let g = load(&a.graph, Some(&a.model), quiet)?;
    let costs = load_costs(&a.costs, &g, quiet)?.expect("checked");
    let weights = match &a.target.target {
        Some(p) => Some(super::load_target(p, &g, a.target.target_default)?),
        None => None,
    };
    let model = build_model(&g, &a.model, &a.graph.graph)?;
    let n = g.num_nodes();
    let roots = match &weights {
        Some(w) => RootSampler::weighted(w),
        None => RootSampler::uniform(n),
    };
    let (limits, default_cap) = super::run_limits(
        &model,
        &roots,
        &super::RunLimitArgs {
            time_limit: a.limits.time_limit.as_deref(),
            max_memory: a.limits.max_memory.as_deref(),
            seed: a.model.seed,
            k: a.k.unwrap_or(10),
            epsilon: a.epsilon,
            delta: None,
        },
        t_all,
        true,
    )?;
    let mut file = match &a.constraints {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Error::in_file(p, format!("cannot read: {e}")))?;
            ConstraintsFile::parse(p, &text)?
        }
        None => ConstraintsFile::default(),
    };
    if let Some(k) = a.k {
        file.with_max_seeds_flag(k);
    }
    let mut cfg = BudgetConfig::new(a.model.seed);
    cfg.epsilon = a.epsilon;
    cfg.mip_seconds = a.mip_seconds;
    cfg.limits = limits;
    let rules_at = |b: f64| -> Result<Constraints> {
        let mut f = file.clone();
        f.with_budget_from(b, "--budgets");
        Constraints::resolve(&f, &g, &costs, a.constraints.as_deref().unwrap_or("flags"))
    };
    // Rules that fail at the largest budget stop the command (exit 2).
    rules_at(*budgets.last().unwrap())?;
    // Each budget is planned on a sample of its own, exactly as `plan --budget B` would be
    // (RR sets, or forward worlds for a small pool that reaches few people). One sample sized
    // for the largest budget planned the small ones on too few sets (budget 10 of 60 small
    // NetHEPT accounts: 18.80 where its plan finds 19.39); one grown until every budget
    // converged sent a sweep from 8 to 100,000 to 30M RR sets (92 s, 2.6 GB) for the point a
    // plan makes on forward worlds in 0.01 s, and starved the bound of work on the big sample.
    let delta = 1.0 / n.max(2) as f64;
    // Per budget: its plan and whether it was made on forward worlds, or why there is none.
    type Planned = std::result::Result<(seedplan::budget::Allocation, bool), String>;
    let mut plans: Vec<(f64, Planned)> = Vec::new();
    progress.begin("planning each budget", Some(budgets.len() as u64));
    for &b in &budgets {
        if seedplan::limits::interrupted() {
            return Err(Error::Interrupted);
        }
        match rules_at(b) {
            Ok(rules) => match seedplan::budget::take_all(&model, &roots, &costs, &rules) {
                // Every account the rules allow fits: the best plan there is, nothing sampled;
                // estimated as `plan` estimates it (forward worlds for a small pool).
                Some(al) => {
                    let forward = plan::forward_suits(&model, &roots, &al.seeds, a.model.seed);
                    plans.push((b, Ok((al, forward))));
                }
                None => {
                    let s = sample_any(&model, &roots, &costs, &rules, &cfg, progress);
                    if seedplan::limits::interrupted() {
                        return Err(Error::Interrupted);
                    }
                    let al = allocate_on(&model, &s, n, roots.population(), &costs, &rules, &cfg);
                    plans.push((b, Ok((al, s.worlds > 0))));
                }
            },
            // What fails here is this budget: below every price, below the must-includes'
            // cost, too small for the minimums. The point says so; the other budgets are
            // still planned.
            Err(e) => plans.push((b, Err(e.to_string()))),
        }
        progress.advance(1);
    }
    progress.end();
    // The plans made on RR sets share one independent estimate sample; those made on forward
    // worlds are measured on independent worlds, each.
    let lists: Vec<&[u32]> = plans
        .iter()
        .filter_map(|(_, p)| match p {
            Ok((al, false)) => Some(al.seeds.as_slice()),
            _ => None,
        })
        .collect();
    let est_roots = roots.stratified(&model);
    let est_sets = if lists.is_empty() {
        seedplan::rrset::RrCollection::new(a.model.seed, seedplan::rng::Purpose::RrEstimate)
    } else {
        plan::estimate_sets(
            &model,
            &est_roots,
            &lists,
            a.model.seed,
            plan::DEFAULT_ESTIMATE_RSE,
        )
    };
    let capped = plans.iter().any(|(_, p)| {
        matches!(p, Ok((al, _)) if al.status == seedplan::select::SelectStatus::MemoryLimit)
    });
    if capped && !quiet {
        super::note_default_cap(
            default_cap,
            "those budgets are planned on what was drawn (status memory_limit)",
        );
    }
    let mut points: Vec<CurvePoint> = Vec::new();
    for (b, p) in &plans {
        let mut point = match p {
            Err(why) => CurvePoint {
                budget: *b,
                spent: 0.0,
                seeds: 0,
                expected_reach: 0.0,
                ci95: [0.0, 0.0],
                reach_per_1000: None,
                certificate: None,
                method: "infeasible".into(),
                plan: Vec::new(),
                reason: Some(why.clone()),
                status: "infeasible".into(),
            },
            Ok((al, forward)) => {
                let forward = *forward;
                if seedplan::limits::interrupted() {
                    return Err(Error::Interrupted);
                }
                let est = if forward {
                    plan::estimate_forward(
                        &model,
                        &al.seeds,
                        plan::forward_weights(&roots).as_deref(),
                        a.model.seed,
                        plan::DEFAULT_ESTIMATE_RSE,
                    )
                } else {
                    plan::estimate_on(&model, &est_sets, &al.seeds, &est_roots)
                };
                CurvePoint {
                    budget: *b,
                    spent: al.spent,
                    seeds: al.seeds.len(),
                    expected_reach: est.total.expected_reach,
                    ci95: est.total.ci95,
                    reach_per_1000: None,
                    // Every candidate taken is the best plan there is, on any sample.
                    certificate: if al.status == seedplan::select::SelectStatus::AllCandidates {
                        Some(1.0)
                    } else if al.status == seedplan::select::SelectStatus::Forced {
                        // Must-includes that fill the cap: a plan as given, not certified.
                        None
                    } else {
                        (!forward).then(|| {
                            seedplan::select::certify(
                                est.hits,
                                est.samples,
                                est_roots.population(),
                                est.exact,
                                delta,
                                al.upper_bound,
                            )
                        })
                    },
                    method: al.method.clone(),
                    plan: al.seeds.iter().map(|&v| g.label(v).into_owned()).collect(),
                    reason: None,
                    status: al.status.as_str().into(),
                }
            }
        };
        // Against the last point with a plan: an infeasible one has no reach to gain from (the
        // first plan after one was credited its whole reach per $1,000 of the step), and none
        // of its own.
        let feasible = point.method != "infeasible";
        let last_plan = points.iter().rev().find(|p| p.method != "infeasible");
        if let (true, Some(prev)) = (feasible, last_plan) {
            if point.expected_reach < prev.expected_reach {
                let keep_cert = point.certificate;
                point = CurvePoint {
                    budget: *b,
                    method: "previous".into(),
                    certificate: match (keep_cert, prev.certificate) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        _ => None,
                    },
                    ..prev.clone()
                };
            }
            point.reach_per_1000 = Some(
                (point.expected_reach - prev.expected_reach) / (point.budget - prev.budget)
                    * 1000.0,
            );
        }
        points.push(point);
    }
    let mut chart = None;
    if let Some(path) = &a.svg {
        let reach = LineChart {
            title: "Expected reach by budget".into(),
            x_label: "budget".into(),
            y_label: "expected reach".into(),
            log_y: false,
            log_x: false,
            series: vec![Series {
                name: "expected reach (band: 95% interval)".into(),
                points: points
                    .iter()
                    .map(|p| (p.budget, p.expected_reach))
                    .collect(),
                band: points
                    .iter()
                    .map(|p| (p.budget, p.ci95[0], p.ci95[1]))
                    .collect(),
            }],
        };
        let marginal = LineChart {
            title: "What the next $1,000 buys (extra reach)".into(),
            x_label: "budget".into(),
            y_label: "extra reach per $1,000".into(),
            log_y: false,
            log_x: false,
            series: vec![Series {
                name: "reach per $1,000".into(),
                points: points
                    .iter()
                    .filter_map(|p| p.reach_per_1000.map(|r| (p.budget, r)))
                    .collect(),
                band: Vec::new(),
            }],
        };
        let svg = seedplan::report::charts::stacked_svg(&[reach, marginal], 900, 900);
        chart = Some(stage(std::path::Path::new(path), svg.as_bytes())?);
    }
    emit_with(a.output.as_deref(), chart, |out| match a.format {
        TableFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "points": points }))
                .map_err(std::io::Error::other)?;
            writeln!(out)
        }
        TableFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record([
                "budget",
                "spent",
                "seeds",
                "expected_reach",
                "ci_lo",
                "ci_hi",
                "reach_per_1000",
                "certificate",
                "method",
                "plan",
                "status",
            ])?;
            for p in &points {
                w.write_record([
                    p.budget.to_string(),
                    p.spent.to_string(),
                    p.seeds.to_string(),
                    format!("{:.3}", p.expected_reach),
                    format!("{:.3}", p.ci95[0]),
                    format!("{:.3}", p.ci95[1]),
                    p.reach_per_1000
                        .map(|r| format!("{r:.4}"))
                        .unwrap_or_default(),
                    p.certificate.map(|c| format!("{c:.4}")).unwrap_or_default(),
                    p.method.clone(),
                    join_labels(&p.plan),
                    p.status.clone(),
                ])?;
            }
            w.flush()
        }
    })
}

/// Labels joined by `;`, a label holding `;` or `"` (or starting or ending with a space)
/// quoted with its quotes doubled, so the list reads back unambiguously: `e;"a;b"`.
fn join_labels(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| {
            if l.contains([';', '"']) || l.trim() != l {
                format!("\"{}\"", l.replace('"', "\"\""))
            } else {
                l.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::{join_labels, parse_budgets};

    /// A label holding the separator or a quote is quoted, so the list reads back as given.
    #[test]
    fn plan_labels_join_unambiguously() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_labels(&l(&["e", "a;b"])), "e;\"a;b\"");
        assert_eq!(
            join_labels(&l(&["say \"hi\"", " x"])),
            "\"say \"\"hi\"\"\";\" x\""
        );
        assert_eq!(join_labels(&l(&["@alice", "42"])), "@alice;42");
    }

    #[test]
    fn budgets_are_taken_as_given() {
        assert_eq!(parse_budgets("10.555:20.555:2").unwrap(), [10.555, 20.555]);
        assert_eq!(parse_budgets("10:10.01:5").unwrap().len(), 5);
        assert_eq!(parse_budgets("0.001:0.004:4").unwrap().last(), Some(&0.004));
        assert_eq!(parse_budgets("300,100,100").unwrap(), [100.0, 300.0]);
        assert!(parse_budgets("1:2:100000000000000").is_err());
        assert!(parse_budgets("0:2:3").is_err());
    }
}
