//! Cost-aware greedy on RR coverage under a budget and side constraints: the primary optimizer.
//!
//! The better of (a) the cost-benefit greedy (largest marginal coverage per unit cost among
//! feasible nodes) and (b) the best affordable single node is 0.405-approximate for a budget alone
//! (Tang et al., POMACS 2021); enumerating the first pick ("guess one + greedy") raises that to
//! 0.6174 (Feldman, Nutov, Shoham) and is done for the most promising first picks. Category
//! minimums are kept reachable at every step by reserving the cheapest way to meet them.

use super::constraints::Constraints;
use crate::diffusion::{Model, RowProbs};
use crate::input::CostTable;
use crate::rrset::{InvertedIndex, RrCollection};
use ordered_float::NotNan;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A budgeted selection on one RR collection.
#[derive(Debug, Clone)]
pub struct BudgetSelection {
    /// Seeds in pick order (must-include first).
    pub seeds: Vec<u32>,
    /// Sets newly covered by each pick.
    pub gains: Vec<u64>,
    /// Sets covered.
    pub covered: u64,
    /// Money spent.
    pub spent: f64,
    /// Which variant produced it.
    pub method: &'static str,
}

/// How many first picks "guess one + greedy" tries (by coverage, and by coverage per cost).
pub const GUESS_FIRST: usize = 24;
/// Weights of the seed cap against the budget tried by the blended greedy.
pub const BLEND_LAMBDAS: [f64; 6] = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0];
/// Most bytes of greedy states alive at once when variants run in parallel.
const STATES_BYTES: usize = 256 << 20;
/// Plans with more seeds than this skip the first-pick enumeration.
pub const GUESS_MAX_PLAN: usize = 100;

struct State<'a> {
    coll: &'a RrCollection,
    index: &'a InvertedIndex,
    costs: &'a CostTable,
    cons: &'a Constraints,
    by_cat: &'a [Vec<(f64, u32)>],
    /// Per node, the weight of its uncovered sets (sets count once but in a collection of
    /// distinct sets, see `RrCollection::from_weighted`).
    count: Vec<u64>,
    covered_set: Vec<bool>,
    chosen: Vec<bool>,
    cat_count: Vec<usize>,
    cat_spend: Vec<f64>,
    sel: BudgetSelection,
}

impl<'a> State<'a> {
    fn new(
        coll: &'a RrCollection,
        index: &'a InvertedIndex,
        costs: &'a CostTable,
        cons: &'a Constraints,
        by_cat: &'a [Vec<(f64, u32)>],
        base_count: &[u64],
    ) -> Self {
        let n = base_count.len();
        State {
            coll,
            index,
            costs,
            cons,
            by_cat,
            count: base_count.to_vec(),
            covered_set: vec![false; coll.len()],
            chosen: vec![false; n],
            cat_count: vec![0; cons.category.len()],
            cat_spend: vec![0.0; cons.category.len()],
            sel: BudgetSelection {
                seeds: Vec::new(),
                gains: Vec::new(),
                covered: 0,
                spent: 0.0,
                method: "cost-benefit greedy",
            },
        }
    }

    fn cat(&self, v: u32) -> Option<usize> {
        self.costs
            .category
            .get(v as usize)
            .copied()
            .flatten()
            .map(|c| c as usize)
    }

    /// Whether `v` can be added now without breaking a rule or making the minimums unreachable.
    fn feasible(&mut self, v: u32) -> bool {
        if self.chosen[v as usize] || !self.cons.allowed(self.costs, v) {
            return false;
        }
        let c = self.costs.cost_of(v).unwrap_or(f64::INFINITY);
        let spent = self.sel.spent + c;
        let seeds = self.sel.seeds.len() + 1;
        if spent > self.cons.budget + 1e-9 || seeds > self.cons.max_seeds {
            return false;
        }
        if let Some(k) = self.cat(v) {
            let (_, max, max_spend) = self.cons.category[k];
            if self.cat_count[k] + 1 > max || self.cat_spend[k] + c > max_spend + 1e-9 {
                return false;
            }
        }
        if self.cons.category.iter().any(|r| r.0 > 0) {
            self.chosen[v as usize] = true;
            let r = self.cons.reserve(self.costs, self.by_cat, &self.chosen);
            self.chosen[v as usize] = false;
            match r {
                Some((rs, rc)) => {
                    if seeds + rs > self.cons.max_seeds || spent + rc > self.cons.budget + 1e-9 {
                        return false;
                    }
                }
                None => return false,
            }
        }
        true
    }

    fn take(&mut self, v: u32) {
        let mut gain = 0u64;
        for &s in self.index.sets_of(v) {
            if !self.covered_set[s as usize] {
                self.covered_set[s as usize] = true;
                let ws = self.coll.weight(s as usize);
                gain += ws;
                for &w in self.coll.set(s as usize) {
                    self.count[w as usize] -= ws;
                }
            }
        }
        let c = self.costs.cost_of(v).unwrap_or(0.0);
        if let Some(k) = self.cat(v) {
            self.cat_count[k] += 1;
            self.cat_spend[k] += c;
        }
        self.chosen[v as usize] = true;
        self.sel.seeds.push(v);
        self.sel.gains.push(gain);
        self.sel.covered += gain;
        self.sel.spent += c;
    }

    /// Greedy from the current state by marginal coverage per unit of resource used, where a
    /// pick uses `cost/B + lambda/max_seeds`: `lambda = 0` is the cost-benefit greedy, `None`
    /// plain coverage greedy among affordable nodes; values between balance budget and seed cap
    /// when both bind (a Lagrangian blend of the two constraints).
    fn run_greedy(&mut self, lambda: Option<f64>) {
        let budget = self.cons.budget;
        let slots = self.cons.max_seeds.min(self.count.len()) as f64;
        let ratio = |g: u64, v: u32, costs: &CostTable| {
            let c = match lambda {
                Some(l) => costs.cost_of(v).unwrap_or(f64::INFINITY) / budget + l / slots,
                None => 1.0,
            };
            NotNan::new(g as f64 / c).unwrap_or_default()
        };
        let n = self.count.len() as u32;
        let mut heap: BinaryHeap<(NotNan<f64>, Reverse<u32>, u64)> = (0..n)
            .filter(|&v| !self.chosen[v as usize] && self.cons.allowed(self.costs, v))
            .map(|v| {
                (
                    ratio(self.count[v as usize], v, self.costs),
                    Reverse(v),
                    self.count[v as usize],
                )
            })
            .collect();
        let mut pops = 0u32;
        while let Some((_, Reverse(v), g)) = heap.pop() {
            // A plan of 82k seeds pops for seconds; after an interrupt nobody waits for it
            // (the caller reports the run as interrupted).
            pops = pops.wrapping_add(1);
            if pops.is_multiple_of(4096) && crate::limits::interrupted() {
                break;
            }
            if g != self.count[v as usize] {
                let fresh = self.count[v as usize];
                heap.push((ratio(fresh, v, self.costs), Reverse(v), fresh));
                continue;
            }
            if g == 0 {
                break;
            }
            // Budget and caps only tighten, so a node infeasible now stays infeasible.
            if self.feasible(v) {
                self.take(v);
            }
        }
        self.fill_minimums();
    }

    /// Meets outstanding category minimums with the best coverage per cost in those categories.
    fn fill_minimums(&mut self) {
        loop {
            let mut best: Option<(f64, u32)> = None;
            for (k, rule) in self.cons.category.iter().enumerate() {
                if self.cat_count[k] >= rule.0 {
                    continue;
                }
                for i in 0..self.by_cat[k].len() {
                    let (c, v) = self.by_cat[k][i];
                    if self.feasible(v) {
                        let r = self.count[v as usize] as f64 / c;
                        if best.is_none_or(|b| r > b.0 || (r == b.0 && v < b.1)) {
                            best = Some((r, v));
                        }
                    }
                }
            }
            match best {
                Some((_, v)) => self.take(v),
                None => break,
            }
        }
    }
}

/// Budgeted greedy over `coll` with the better-of-three scheme described in the module docs.
pub fn budget_greedy(
    coll: &RrCollection,
    index: &InvertedIndex,
    costs: &CostTable,
    cons: &Constraints,
    n: usize,
    enumerate: bool,
) -> BudgetSelection {
    let by_cat = cons.by_category(costs, n);
    let base = coll.counts(index, n);
    let fresh = || {
        let mut s = State::new(coll, index, costs, cons, &by_cat, &base);
        for &v in &cons.include {
            s.take(v);
        }
        s
    };
    // A variant replaces the best so far only if it covers more and keeps every rule (each is
    // built to, by reserving the minimums; the check makes coverage alone never win).
    let better = |s: &BudgetSelection, best: &BudgetSelection| {
        s.covered > best.covered && cons.violation(costs, &s.seeds).is_none()
    };
    // Greedies run side by side, each with a state of about 9 bytes a node and one a set: as
    // many as the threads while they take at most `STATES_BYTES` together (48 guesses on a
    // machine of 48 threads would otherwise hold 48 states of a 10M-node graph at once).
    let state_bytes = 9 * n + coll.len();
    let at_once = (STATES_BYTES / state_bytes.max(1)).clamp(1, rayon::current_num_threads());
    let mut start = fresh();
    let after_include = start.count.clone();
    start.run_greedy(Some(0.0));
    let mut best = start.sel;
    if cons.max_seeds < usize::MAX {
        // The coverage greedy, then each blend: run in parallel, compared in this order as a
        // serial loop would (the same plan for any thread count).
        let variants: Vec<Option<f64>> = std::iter::once(None)
            .chain(BLEND_LAMBDAS.iter().map(|&l| Some(l)))
            .collect();
        let runs = side_by_side(&variants, at_once, |&lambda| {
            let mut s = fresh();
            s.run_greedy(lambda);
            s.sel
        });
        for (lambda, sel) in variants.iter().zip(runs) {
            if better(&sel, &best) {
                best = sel;
                best.method = if lambda.is_none() {
                    "coverage greedy"
                } else {
                    "blended greedy"
                };
            }
        }
    }

    // Best single affordable node (after the must-includes), then minimums.
    let mut single = fresh();
    let mut cands: Vec<u32> = (0..n as u32)
        .filter(|&v| {
            cons.allowed(costs, v) && !cons.include.contains(&v) && after_include[v as usize] > 0
        })
        .collect();
    cands.sort_by_key(|&v| (Reverse(after_include[v as usize]), v));
    if let Some(&v) = cands.iter().find(|&&v| single.feasible(v)) {
        single.take(v);
        single.fill_minimums();
        if better(&single.sel, &best) {
            best = single.sel;
            best.method = "best single + minimums";
        }
    }

    // Guess one + greedy: the most promising first picks by coverage and by coverage per cost.
    // It matters when a few expensive picks dominate; with many cheap seeds one guess changes
    // little, so large plans skip it.
    if !enumerate || best.seeds.len() > GUESS_MAX_PLAN {
        return best;
    }
    let mut firsts: Vec<u32> = cands.iter().copied().take(GUESS_FIRST).collect();
    let mut by_ratio = cands.clone();
    by_ratio.sort_by(|&a, &b| {
        let ra = after_include[a as usize] as f64 / costs.cost_of(a).unwrap_or(f64::INFINITY);
        let rb = after_include[b as usize] as f64 / costs.cost_of(b).unwrap_or(f64::INFINITY);
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for v in by_ratio.into_iter().take(GUESS_FIRST) {
        if !firsts.contains(&v) {
            firsts.push(v);
        }
    }
    // Each guess is its own greedy: run them in parallel, then compare in guess order, as a
    // serial loop would (the same plan for any thread count).
    let tried = side_by_side(&firsts, at_once, |&v| {
        let mut s = fresh();
        if !s.feasible(v) {
            return None;
        }
        s.take(v);
        s.run_greedy(Some(0.0));
        Some(s.sel)
    });
    for sel in tried.into_iter().flatten() {
        if better(&sel, &best) {
            best = sel;
            best.method = "guess-one greedy";
        }
    }
    best
}

/// `f` of every item, in item order, at most `at_once` running at a time (in parallel).
fn side_by_side<T: Sync, R: Send>(
    items: &[T],
    at_once: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    items
        .chunks(at_once.max(1))
        .flat_map(|part| part.par_iter().map(&f).collect::<Vec<R>>())
        .collect()
}

/// `plan` (which keeps the rules) grown with whatever budget and seed slots it leaves, by the
/// cost-benefit greedy while a node gains a sampled set. A MIP plan, optimal within its pool,
/// may leave budget that nodes outside the pool can use. Nodes with no sampled gain are not
/// bought: the sample cannot tell one that adds nothing (a leaf its hub reaches for certain)
/// from one it has not seen, so a budget larger than what buys measured gain is left unspent.
pub fn extend_plan(
    coll: &RrCollection,
    index: &InvertedIndex,
    costs: &CostTable,
    cons: &Constraints,
    n: usize,
    plan: &[u32],
) -> Vec<u32> {
    let by_cat = cons.by_category(costs, n);
    let base = coll.counts(index, n);
    let mut s = State::new(coll, index, costs, cons, &by_cat, &base);
    for &v in plan {
        s.take(v);
    }
    s.run_greedy(Some(0.0));
    s.sel.seeds
}

/// `plan` without the seeds another seed of it reaches for certain (a path of in-edges of
/// probability 1 under IC, or weight 1 under LT, back to that seed): they add no one, so their
/// price is saved (must-includes, and seeds a category rule needs, stay). The cost-benefit
/// greedy can buy a hub's leaves before the hub: a star of five certain leaves under a budget
/// of 20 spent 17 where 12 reached the same 8. A seed whose gain the sample merely did not see
/// is kept: its true gain may be small but it is not 0.
pub fn prune_plan(
    model: &Model<'_>,
    coll: &RrCollection,
    index: &InvertedIndex,
    costs: &CostTable,
    cons: &Constraints,
    n: usize,
    plan: &[u32],
) -> Vec<u32> {
    let mut cand = vec![false; n];
    plan.iter().for_each(|&v| cand[v as usize] = true);
    // Only a seed another one reaches for certain can go, and that one reaches all it reaches:
    // a seed goes only to one that covers as much. Of two that reach each other (the same
    // reach), the dearer goes; at equal prices the later in greedy order.
    let ordered =
        crate::rrset::greedy_order(coll, index, n, plan.len(), Some(&cand), &cons.include);
    let mut kept = cand;
    drop_certainly_reached(model, costs, cons, &ordered.seeds, &mut kept);
    plan.iter().copied().filter(|&v| kept[v as usize]).collect()
}

/// Unmarks in `kept` the members of `listed` (all marked) that another marked node reaches for
/// certain, dearest first, at equal prices the later listed; must-includes and the seeds a
/// category's minimum needs stay. Dropping a seed can break only a minimum (the budget, the cap
/// and the maximums only gain), so only that is checked, from running counts: the whole plan
/// checked at each drop was quadratic (50 s on soc-Slashdot0902's 82k priced accounts).
pub(crate) fn drop_certainly_reached(
    model: &Model<'_>,
    costs: &CostTable,
    cons: &Constraints,
    listed: &[u32],
    kept: &mut [bool],
) {
    let price = |v: u32| costs.cost_of(v).unwrap_or(0.0);
    let mut included = vec![false; kept.len()];
    cons.include
        .iter()
        .for_each(|&v| included[v as usize] = true);
    let mut by_price: Vec<(usize, u32)> = listed.iter().copied().enumerate().collect();
    by_price.sort_by(|&(i, u), &(j, v)| price(v).total_cmp(&price(u)).then(j.cmp(&i)));
    let mut counts = CategoryCounts::of(costs, cons, listed);
    for &(_, v) in &by_price {
        if included[v as usize]
            || !counts.may_drop(costs, cons, v)
            || !certainly_reached(model, v, kept)
        {
            continue;
        }
        kept[v as usize] = false;
        counts.drop(costs, v);
    }
}

/// Seeds of a plan per category, for dropping seeds one at a time under the categories'
/// minimums.
struct CategoryCounts(Vec<usize>);

impl CategoryCounts {
    fn of(costs: &CostTable, cons: &Constraints, plan: &[u32]) -> Self {
        let mut c = vec![0usize; cons.category.len()];
        for &v in plan {
            if let Some(k) = costs.category.get(v as usize).copied().flatten() {
                if let Some(x) = c.get_mut(k as usize) {
                    *x += 1;
                }
            }
        }
        CategoryCounts(c)
    }

    /// Whether `v` may leave without its category falling below its minimum.
    fn may_drop(&self, costs: &CostTable, cons: &Constraints, v: u32) -> bool {
        match costs.category.get(v as usize).copied().flatten() {
            Some(k) => cons
                .category
                .get(k as usize)
                .is_none_or(|&(min, _, _)| self.0[k as usize] > min),
            None => true,
        }
    }

    fn drop(&mut self, costs: &CostTable, v: u32) {
        if let Some(k) = costs.category.get(v as usize).copied().flatten() {
            if let Some(x) = self.0.get_mut(k as usize) {
                *x -= 1;
            }
        }
    }
}

/// Whether a node of `from` other than `v` reaches `v` for certain: a backward search over
/// in-edges of probability (IC) or weight (LT) 1, which under weighted cascade are the rows of
/// in-degree 1. The search stops after `CERTAIN_SEARCH` nodes (then: not certain).
fn certainly_reached(model: &Model<'_>, v: u32, from: &[bool]) -> bool {
    let g = model.graph();
    let mut seen = std::collections::HashSet::from([v]);
    let mut stack = vec![v];
    while let Some(x) = stack.pop() {
        let row = model.in_row(x);
        for (j, &u) in g.in_neighbors(x).iter().enumerate() {
            let certain = match row {
                RowProbs::Const(p) => p >= 1.0,
                RowProbs::PerEdge(w) => w[j] >= 1.0,
                RowProbs::InvInDegree => g.in_degree(x) == 1,
            };
            if certain && seen.insert(u) {
                if from[u as usize] {
                    return true;
                }
                if seen.len() > CERTAIN_SEARCH {
                    return false;
                }
                stack.push(u);
            }
        }
    }
    false
}

/// Whether some in-edge of `v` fires for certain (probability 1 under IC, weight 1 under LT):
/// only then can another node reach `v` for certain.
pub(crate) fn has_certain_in_edge(model: &Model<'_>, v: u32) -> bool {
    let g = model.graph();
    match model.in_row(v) {
        RowProbs::Const(p) => p >= 1.0 && g.in_degree(v) > 0,
        RowProbs::PerEdge(w) => w.iter().any(|&x| x >= 1.0),
        RowProbs::InvInDegree => g.in_degree(v) == 1,
    }
}

/// Most prefixes of a plan at which [`budget_upper_bound`] takes its bound.
const BOUND_CHECKS: usize = 1024;

/// Most nodes `certainly_reached` visits for one seed.
const CERTAIN_SEARCH: usize = 100_000;

/// Data-dependent upper bound on the best feasible coverage: for the plan's prefixes `S_i`,
/// `OPT <= cov(S_i) + fractional knapsack of marginal coverage w.r.t. S_i under the budget`
/// (side constraints only lower OPT, so ignoring them keeps the bound valid); the minimum over
/// the prefixes checked.
pub fn budget_upper_bound(
    coll: &RrCollection,
    index: &InvertedIndex,
    costs: &CostTable,
    cons: &Constraints,
    plan: &[u32],
    n: usize,
) -> f64 {
    let inc_cost: f64 = cons.include.iter().filter_map(|&v| costs.cost_of(v)).sum();
    let cap = cons.budget + 1e-9 - inc_cost;
    // The candidates by ratio, best first, ties in node order, keyed as integers (the bits of
    // a non-negative float order as the float does). The bound is taken after every prefix of
    // the plan (a 1,000-seed plan on 3,000 candidates: 1,000 knapsacks a round), and a pick
    // changes only the counts of its sets' members: those are re-keyed, sorted and merged
    // back, not the whole list sorted again. The order is a full sort's, so are the sums.
    let key = |v: u32, count: &[u64]| {
        let ratio = count[v as usize] as f64 / costs.cost_of(v).unwrap();
        (u64::MAX - ratio.to_bits(), v)
    };
    let live = |v: u32, p: &Prefix| {
        p.count[v as usize] > 0 && !p.chosen[v as usize] && cons.allowed(costs, v)
    };
    let knap = |items: &[(u64, u32)], p: &Prefix| -> f64 {
        let (count, chosen) = (&p.count, &p.chosen);
        let mut room = cap;
        let mut total = 0.0;
        for &(_, v) in items {
            if room <= 0.0 {
                break;
            }
            let (g, c) = (count[v as usize] as f64, costs.cost_of(v).unwrap());
            if c <= room {
                total += g;
                room -= c;
            } else {
                total += g * room / c;
                room = 0.0;
            }
        }
        // With a seed cap, the best `slots` marginal gains bound the rest too; take the tighter.
        let slots = cons.max_seeds.saturating_sub(cons.include.len());
        if slots < n {
            let mut gains: Vec<u64> = (0..n as u32)
                .filter(|&v| !chosen[v as usize] && cons.allowed(costs, v))
                .map(|v| count[v as usize])
                .collect();
            if slots < gains.len() {
                gains.select_nth_unstable_by(slots, |a, b| b.cmp(a));
                gains.truncate(slots);
            }
            total = total.min(gains.iter().map(|&g| g as f64).sum());
        }
        total
    };
    let mut p = Prefix {
        count: coll.counts(index, n),
        covered_set: vec![false; coll.len()],
        covered: 0,
        chosen: vec![false; n],
        dirty: vec![false; n],
        changed: Vec::new(),
    };
    // Prefixes that start with all must-includes (any feasible plan contains them).
    for &v in &cons.include {
        p.take(v, coll, index);
    }
    p.settle();
    let mut items: Vec<(u64, u32)> = (0..n as u32)
        .filter(|&v| live(v, &p))
        .map(|v| key(v, &p.count))
        .collect();
    items.sort_unstable();
    let mut best = p.covered as f64 + knap(&items, &p);
    let mut fresh: Vec<(u64, u32)> = Vec::new();
    let mut merged: Vec<(u64, u32)> = Vec::with_capacity(items.len());
    // Each prefix checked costs a pass over the candidates: a plan longer than `BOUND_CHECKS`
    // is checked at that many prefixes, evenly spaced, and at its end (every prefix gives a
    // valid bound, so fewer only loosen it); 50,997 seeds over 82k candidates took minutes,
    // past any `--time-limit`. The picks between two checks are taken together: their changed
    // counts are re-keyed once.
    let rest: Vec<u32> = plan
        .iter()
        .copied()
        .filter(|v| !cons.include.contains(v))
        .collect();
    let stride = rest.len().div_ceil(BOUND_CHECKS).max(1);
    for (i, &v) in rest.iter().enumerate() {
        p.take(v, coll, index);
        if (i + 1) % stride != 0 && i + 1 != rest.len() {
            continue;
        }
        // No bound at all is still a bound; an interrupted run reports no certificate.
        if crate::limits::interrupted() {
            return f64::INFINITY;
        }
        fresh.clear();
        fresh.extend(
            p.changed
                .iter()
                .copied()
                .filter(|&w| live(w, &p))
                .map(|w| key(w, &p.count)),
        );
        fresh.sort_unstable();
        merged.clear();
        let mut rest = items
            .iter()
            .copied()
            .filter(|&(_, w)| !p.dirty[w as usize] && !p.chosen[w as usize])
            .peekable();
        let mut new = fresh.iter().copied().peekable();
        loop {
            let next = match (rest.peek(), new.peek()) {
                (Some(&a), Some(&b)) if a <= b => rest.next(),
                (_, Some(_)) => new.next(),
                (Some(_), None) => rest.next(),
                (None, None) => break,
            };
            merged.extend(next);
        }
        std::mem::swap(&mut items, &mut merged);
        p.settle();
        best = best.min(p.covered as f64 + knap(&items, &p));
    }
    best
}

/// A prefix of a plan for [`budget_upper_bound`]: what it covers, per node the weight of its
/// uncovered sets, and which nodes' counts the last picks changed (each once).
struct Prefix {
    count: Vec<u64>,
    covered_set: Vec<bool>,
    covered: u64,
    chosen: Vec<bool>,
    dirty: Vec<bool>,
    changed: Vec<u32>,
}

impl Prefix {
    fn take(&mut self, v: u32, coll: &RrCollection, index: &InvertedIndex) {
        self.chosen[v as usize] = true;
        for &s in index.sets_of(v) {
            if !self.covered_set[s as usize] {
                self.covered_set[s as usize] = true;
                let ws = coll.weight(s as usize);
                self.covered += ws;
                for &w in coll.set(s as usize) {
                    self.count[w as usize] -= ws;
                    if !self.dirty[w as usize] {
                        self.dirty[w as usize] = true;
                        self.changed.push(w);
                    }
                }
            }
        }
    }

    /// Forgets which counts changed.
    fn settle(&mut self) {
        for w in self.changed.drain(..) {
            self.dirty[w as usize] = false;
        }
    }
}
