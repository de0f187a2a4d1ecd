//! OPIM-C (Tang, Tang, Xiao, Yuan, SIGMOD 2018) and the default `auto` engine built on it.
//!
//! Two independent RR collections grow by doubling: R1 selects (greedy max coverage), R2
//! validates. Each round computes a lower bound on the reach of the selection from R2 and an upper
//! bound on the optimum from R1 (the greedy's data-dependent bound), both by martingale
//! concentration; their ratio is the certified approximation.
//!
//! `auto` keeps OPIM-C's certificate but does not stop at it: the certificate saturates near
//! 0.63-0.68 while selections are still improving. It stops when (1) the certificate reaches
//! 1-1/e-ε, (2) R2 estimates the reach to 1% relative standard error, and (3) the doubling
//! converged: the gain in reach on R2 of this round's selection over the last one's (both scored
//! on the same sets) is at most the tolerance (0.5% by default), with a standard error (from the
//! sets only one of the two selections covers) of at most half the tolerance; or (4) R1 holds as
//! many sets as IMM would draw for the same ε. Neither bar is tighter than the reach resolution
//! (`--reach-resolution`, 0.1 people): a plan that reaches two people need not be known to a
//! hundredth of one. (Smoothing the gain with the previous round's, to
//! damp its noise, was tried: it stopped NetHEPT at 99.0% of the best.) The final selection then runs on R1 and R2 together; its reach is certified on the
//! plan's own independent estimate sets. `auto` also draws its sets from stratified roots
//! (`RootSampler::stratified`): singleton sets are credited exactly, which on wiki-Vote cuts the
//! sets needed for the same quality by about four.
//!
//! Once the greedy's counts are reliable (`PoolRule`), `auto` keeps only the members of a pool
//! of nodes that could still be picked, and counts per node left out the sets that held it; the
//! greedy proves from those counts that it picked what it would have on the full sets, or the
//! pool grows and the sets are drawn again (`widen`, `regrow`). Every greedy's picks are those
//! of the full sets. Its bound on the optimum can be looser (a node left out counts every set
//! that held it), so the certificate can be lower than without a pool, and a run that the
//! certificate alone held back could stop a round later; the certificate has never been what
//! stopped `auto` on the benchmark graphs.
//!
//! Both collections keep only their node→sets index (`IndexedRr`: sets drawn in batches,
//! indexed as 16-bit gaps and dropped), and the greedy counts gains by scanning those lists
//! (`Part::Index`). With the pool this takes `auto`'s peak on NetHEPT (k = 50) from 54 MiB to
//! 12 MiB; the picks, gains, bound and certificate are the same as on stored sets.

use super::{ln_choose, SelectContext, SelectStatus, Selection, Selector};
use crate::diffusion::Model;
use crate::error::Result;
use crate::limits::LimitHit;
use crate::rng::Purpose;
use crate::rrset::{
    greedy_on_parts_unless, Ahead, Bonus, CoverageGreedy, Dropped, IndexedRr, PackedIndex, Part,
    Pool, RootSampler,
};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

/// When the doubling loop stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRule {
    /// OPIM-C: as soon as the certificate reaches 1-1/e-ε.
    Certificate,
    /// `auto`: certificate, estimate precision and validated convergence.
    Converged,
}

/// The OPIM-C family.
pub struct Opim {
    /// Stopping rule.
    pub stop: StopRule,
    /// When both collections start keeping only the members of a pool of nodes that could
    /// still be picked (see `pool_of`); `None` keeps every member. Each greedy's picks are the
    /// same either way (the greedy proves it on the pool, or the pool grows); the bound on the
    /// optimum, and so the certificate, can be looser on a pool.
    pub pool: Option<PoolRule>,
}

/// When `auto` fixes its pool: after a round whose greedy on R1 meets both conditions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolRule {
    /// Least number of sets R1 has drawn.
    pub after: u64,
    /// Least last gain of the greedy, in sets: a node's count is then unlikely to sit below
    /// half of its expectation by chance. On NetHEPT, wiki-Vote and soc-Slashdot0902 at
    /// k = 10, 50 and 200, seeds 1-6, a bar of 32 never had to grow the pool; one of 16 did in
    /// 23 of 54 runs.
    pub min_gain: f64,
}

impl PoolRule {
    /// `auto`'s rule.
    pub const DEFAULT: PoolRule = PoolRule {
        after: 8_192,
        min_gain: 64.0,
    };
}

/// A node joins the pool when its coverage (plus bonus) is at least this fraction of the
/// greedy's last gain. Counts grow in proportion with the sets, so the later rounds' last gain
/// stays near the same fraction of the sets, and a node outside would need to double its
/// share by noise alone to block a pick.
const POOL_MARGIN: f64 = 0.5;

const E_FACTOR: f64 = 1.0 - 1.0 / std::f64::consts::E;
/// Relative standard error of R2's reach estimate required by `auto`.
const AUTO_RSE: f64 = 0.01;
/// Fewest sets in `auto`'s first round. Its stopping test needs the last doubling's gain to a
/// standard error of a quarter of a percent, which no round of a few thousand sets gives on the
/// benchmark graphs (wiki-Vote, the quickest, first got there at 32k); a round before this one
/// would only be a `prev` for the next, which this one is too.
const AUTO_FIRST: u64 = 4096;

/// OPIM-C's sample sizes for `k` seeds: (θ_0, θ_max).
pub fn opim_sizes(n: usize, k: usize, eps: f64, delta: f64) -> (f64, f64) {
    let theta_max = opim_theta_max(n, k, eps, delta, ln_choose(n, k));
    let theta_0 = theta_max * eps * eps * k as f64 / n as f64;
    (theta_0.max(1.0), theta_max.max(1.0))
}

/// OPIM-C's θ_max when the union bound runs over `ln_sets` (the log of how many seed sets the
/// algorithm could return) and the optimum is at least `k`.
fn opim_theta_max(n: usize, k: usize, eps: f64, delta: f64, ln_sets: f64) -> f64 {
    let l6 = (6.0 / delta).ln();
    let term = E_FACTOR * l6.sqrt() + (E_FACTOR * (ln_sets + l6)).sqrt();
    2.0 * n as f64 * term * term / (eps * eps * k as f64)
}

/// Sample sizes for a plan of *at most* `k` seeds (a budgeted plan, whose size the prices
/// decide): θ_0 is OPIM-C's for `k`, θ_max runs its union bound over every set of at most `k`
/// nodes. OPIM-C's ln C(n, k) falls back to 0 as k nears n, so a budget that bought every
/// account stopped at a handful of sets and bought half of them (reach 87% of the demo market
/// at 1e9, 99% at 400,000).
pub fn budget_sizes(n: usize, k: usize, eps: f64, delta: f64) -> (f64, f64) {
    let (theta_0, _) = opim_sizes(n, k, eps, delta);
    let theta_max = opim_theta_max(n, k, eps, delta, super::ln_choose_at_most(n, k));
    (theta_0, theta_max.max(theta_0))
}

/// Lower bound on coverage-derived reach (OPIM-C eq. for σ^l).
pub(crate) fn lower_bound(cov: f64, a: f64, theta: f64, pop: f64) -> f64 {
    let s = (cov + 2.0 * a / 9.0).sqrt() - (a / 2.0).sqrt();
    ((s * s - a / 18.0).max(0.0)) * pop / theta
}

/// Upper bound on optimal reach from an upper bound on optimal coverage (OPIM-C σ^u).
pub(crate) fn upper_bound(cov_ub: f64, a: f64, theta: f64, pop: f64) -> f64 {
    let s = (cov_ub + a / 2.0).sqrt() + (a / 2.0).sqrt();
    s * s * pop / theta
}

impl Selector for Opim {
    fn select(&self, ctx: &SelectContext<'_>) -> Result<Selection> {
        // A small pool that reaches few people: nearly every RR set would miss it.
        if self.stop == StopRule::Converged {
            if let Some(pool) = super::forward::pool_of(ctx) {
                return super::forward::select(ctx, &pool);
            }
        }
        let n = ctx.n();
        let k = ctx.effective_k();
        let cfg = &ctx.config;
        let delta = ctx.delta();
        // `auto` samples only the sets whose root has a live in-edge and credits the singleton
        // sets exactly (`RootSampler::stratified`); `opim` stays as published.
        let stratified_roots;
        let roots = if self.stop == StopRule::Converged {
            stratified_roots = ctx.roots.stratified(ctx.model);
            if stratified_roots.population() > 0.0 {
                &stratified_roots
            } else {
                ctx.roots
            }
        } else {
            ctx.roots
        };
        let pop = roots.population();
        let everyone = ctx.roots.population();
        // Reach credited exactly to a seed list, and the greedy's per-node bonus for `theta`
        // sets (the exact part in set units).
        let exact_of = |seeds: &[u32]| roots.exact_of(seeds);
        let bonus_for = |theta: f64| -> Option<Bonus<'_>> {
            roots.exact().map(|e| Bonus::scaled(e, theta, pop))
        };
        // The greedy on `theta` sets held by collections, on the pool when there is one;
        // `None` if `cancel` was set before it was done.
        let select_unless = |parts: &[&IndexedRr],
                             theta: f64,
                             keep: Option<&[bool]>,
                             cancel: &(dyn Fn() -> bool + Sync),
                             with_bound: bool| {
            let arrays = dropped_arrays(parts);
            let pool = keep.map(|keep| Pool {
                keep,
                dropped: Dropped(&arrays),
            });
            let parts: Vec<Part<'_>> = parts.iter().map(|c| Part::Index(c.index())).collect();
            greedy_on_parts_unless(
                &parts,
                n,
                k,
                ctx.candidates,
                ctx.forced,
                bonus_for(theta),
                pool,
                Some(cancel),
                with_bound,
            )
        };
        let select = |parts: &[&IndexedRr], theta: f64, keep: Option<&[bool]>, with_bound: bool| {
            select_unless(parts, theta, keep, &|| false, with_bound).expect("never cancelled")
        };
        // While a node outside the pool blocks the greedy (`first`, on R1, or on R1 and R2 with
        // `both`), grow the pool, draw both collections again on it, and rerun the greedy.
        let settle = |first: CoverageGreedy,
                      r1: &mut IndexedRr,
                      r2: &mut IndexedRr,
                      both: bool,
                      theta: f64,
                      pool: &mut Option<Vec<bool>>,
                      label: &str,
                      with_bound: bool|
         -> Result<CoverageGreedy> {
            let mut g = first;
            while let Some(bar) = g.blocked {
                let keep = pool.as_mut().expect("blocked only on a pool");
                {
                    let parts: &[&IndexedRr] = if both { &[r1, r2] } else { &[r1] };
                    widen(
                        keep,
                        Dropped(&dropped_arrays(parts)),
                        bar,
                        bonus_for(theta),
                        ctx,
                    );
                }
                ctx.progress.note(&format!("{label}: {}", grown(keep)));
                regrow(ctx.model, roots, keep, r1, r2)?;
                let parts: &[&IndexedRr] = if both { &[r1, r2] } else { &[r1] };
                g = select(parts, theta, pool.as_deref(), with_bound);
            }
            Ok(g)
        };
        let (theta0, mut theta_max) = opim_sizes(n, k.max(1), cfg.epsilon, delta);
        let mut capped = false;
        if let Some(cap) = cfg.max_rr_sets {
            if (cap as f64) < theta_max {
                theta_max = cap as f64;
                capped = true;
            }
        }
        let i_max = ((theta_max / theta0).log2().ceil() as u32).max(1);
        let a = (3.0 * i_max as f64 / delta).ln();
        let target = E_FACTOR - cfg.epsilon;

        // Both collections are kept as their indexes alone (`IndexedRr`): a quarter of the
        // memory of sets and index, and the same picks.
        let mut r1 = IndexedRr::new(cfg.seed, Purpose::RrSelect, n);
        let mut r2 = IndexedRr::new(cfg.seed, Purpose::RrValidate, n);
        let mut theta = (theta0.ceil() as u64).min(theta_max as u64).max(1);
        let mut prev: Option<Vec<u32>> = None;
        let auto = self.stop == StopRule::Converged;
        let mut peak_bytes = 0u64;
        let mut round = 0u32;
        if auto {
            // `auto` joins OPIM-C's schedule at its first round of `AUTO_FIRST` sets or more:
            // before that its stopping test cannot pass, and the rounds' fixed costs were a
            // tenth of the time on wiki-Vote.
            while theta < AUTO_FIRST && (theta as f64) < theta_max && round + 1 < i_max {
                theta = ((theta * 2) as f64).min(theta_max) as u64;
                round += 1;
            }
        }
        // `auto`'s pool, once fixed (see `PoolRule`).
        let mut pool: Option<Vec<bool>> = None;
        // How a round ends, from its greedy `g` on R1 and its hit limit (if any): the
        // certificate, and whether to stop. It reads the collections and changes nothing but the
        // progress notes, so R1's greedy can call it while the final greedy reads the same sets;
        // shared by both ways of running a round below.
        let decide = |g: &CoverageGreedy,
                      r1: &IndexedRr,
                      r2: &IndexedRr,
                      mut hit: Option<LimitHit>,
                      round: u32,
                      theta: u64,
                      prev: Option<&[u32]>,
                      pool: Option<&[bool]>|
         -> Verdict {
            // A limit can stop sampling mid-round, so the two collections may differ in size.
            let th = (r1.sampled() as f64).max(1.0);
            let th2 = (r2.sampled() as f64).max(1.0);
            let mut mask = vec![false; n];
            g.seeds.iter().for_each(|&s| mask[s as usize] = true);
            let cov2 = r2.coverage(&mask) as f64;
            // Reach of a seed list on R2: the exact part plus the sampled part.
            let reach2 = |seeds: &[u32], cov: f64| exact_of(seeds) + pop * cov / th2;
            let lower = exact_of(&g.seeds) + lower_bound(cov2, a, th2, pop);
            // The greedy bound covers the bonus too; OPIM-C's upper-bound transform stays valid
            // because it grows at least as fast as its argument.
            // A greedy run without its bound (`with_bound`) certifies nothing: `alpha` is then
            // 0 and `needs_bound` below says whether the round must count it after all.
            // Nobody reaches more than everyone: at large k the transform passed the population
            // (1,156 on email-Eu-core's 1,005 at k = 400) and understated the certificate.
            // (A greedy that skipped its bound keeps an infinite one: it certifies nothing.)
            let upper = upper_bound(g.upper_bound, a, th, pop);
            let upper = if upper.is_finite() {
                upper.min(everyone)
            } else {
                upper
            };
            let alpha = if upper.is_infinite() {
                0.0
            } else if upper > 0.0 {
                (lower / upper).min(1.0)
            } else {
                1.0
            };
            let certified = alpha >= target;
            let at_cap = round >= i_max || theta as f64 >= theta_max;
            // `auto` stops doubling once R1 alone holds as many sets as IMM would draw for the
            // same ε (IMM's θ from the lower bound on the optimum that R2 has just given); the
            // final selection then runs on twice that. Without this cap the doubling that
            // confirms convergence took NetHEPT at k = 10 to 6.3M sets, where IMM uses 1.7M
            // for the same reach. (Capping R1 and R2 together at IMM's θ instead stopped one
            // NetHEPT seed at k = 50 at 99.50% of the best.)
            let imm_theta = if auto {
                let (_, lambda_star, _) =
                    super::imm::imm_lambdas(n, k.max(1), cfg.epsilon, cfg.ell);
                lambda_star * ctx.roots.population() / n as f64 / lower.max(1.0)
            } else {
                f64::INFINITY
            };
            let at_imm = theta as f64 >= imm_theta;
            let mut gain_se_seen = f64::INFINITY;
            let mut tol_seen = cfg.tolerance;
            // Whether the certificate decides the round: without it the round goes on anyway.
            let mut certificate_decides = true;
            // What `auto`'s stop here would be for: convergence, or a largest sample reached
            // first (`--max-rr-sets`, OPIM-C's θ_max, IMM's θ), which the status must say.
            // (`SampleCap` only when the cap itself was reached: IMM's θ below it is a bound.)
            let mut ended = if capped && at_cap {
                SelectStatus::SampleCap
            } else {
                SelectStatus::SampleBound
            };

            let stop = match self.stop {
                StopRule::Certificate => certified || at_cap,
                StopRule::Converged => {
                    let f = cov2 / th2;
                    let here = reach2(&g.seeds, cov2);
                    let rse = if here > 0.0 && f > 0.0 {
                        pop * (f * (1.0 - f) / th2).sqrt() / here
                    } else {
                        f64::INFINITY
                    };
                    // The gain over the last round's selection, both scored on R2, and its
                    // standard error: only sets covered by exactly one of the two differ.
                    let (gain, gain_se) = match prev {
                        Some(p) => {
                            let mut pm = vec![false; n];
                            p.iter().for_each(|&s| pm[s as usize] = true);
                            let (_, cp, only_new, only_old) = r2.coverage_pair(&mask, &pm);
                            let scale = pop / th2 / here.max(f64::MIN_POSITIVE);
                            (
                                (here - reach2(p, cp as f64)) / here.max(f64::MIN_POSITIVE),
                                ((only_new + only_old) as f64).sqrt() * scale,
                            )
                        }
                        None => (f64::INFINITY, f64::INFINITY),
                    };
                    ctx.progress.note(&format!(
                        "round {round}: {theta} RR sets, certified {}, rse {rse:.4}, \
                         last gain {gain:.4} ± {gain_se:.4}, overfit {:.4}, pool {}",
                        if upper.is_finite() {
                            format!("{alpha:.3}")
                        } else {
                            "- (not counted)".to_string()
                        },
                        (g.covered * pop / th - here) / here.max(f64::MIN_POSITIVE),
                        pool.map_or(n, |p| p.iter().filter(|&&x| x).count())
                    ));
                    // The gain must be small and measured well enough to tell: a standard
                    // error above half the tolerance let NetHEPT at k = 10 stop at 98.8% of
                    // the best on a gain of -0.2% ± 0.36%.
                    // Both bars stop at the reach resolution: a plan that reaches a few
                    // people need not be known to a hundredth of one.
                    let tol = super::relative_bar(cfg.tolerance, cfg.resolution, here);
                    let rse_bar = super::relative_bar(AUTO_RSE, cfg.resolution, here);
                    gain_se_seen = gain_se;
                    tol_seen = tol;
                    let converged = gain <= tol && gain_se <= tol / 2.0;
                    if rse <= rse_bar && converged {
                        ended = SelectStatus::Converged;
                    }
                    let would_stop = rse <= rse_bar && converged || at_imm;
                    certificate_decides = would_stop || at_cap;
                    (certified && would_stop) || at_cap
                }
            };
            // The next round doubles both collections, with a batch of sets in flight beside each:
            // a memory limit stops a run that would otherwise go on.
            let next_bytes = 3 * (r1.bytes() + r2.bytes());
            if !stop && hit.is_none() && !cfg.limits.fits(next_bytes) {
                hit = Some(LimitHit::Memory);
            }
            Verdict {
                alpha,
                upper,
                certified,
                stop: stop || hit.is_some(),
                hit,
                gain_se: gain_se_seen,
                tol: tol_seen,
                imm_theta,
                ended,
                needs_bound: g.upper_bound.is_infinite() && (certificate_decides || hit.is_some()),
            }
        };
        // A round's greedy on R1 made good (the pool grown while it is blocked), then decided.
        #[allow(clippy::too_many_arguments)]
        let settle_and_decide = |first: CoverageGreedy,
                                 r1: &mut IndexedRr,
                                 r2: &mut IndexedRr,
                                 pool: &mut Option<Vec<bool>>,
                                 hit: Option<LimitHit>,
                                 round: u32,
                                 theta: u64,
                                 prev: Option<&[u32]>|
         -> Result<(CoverageGreedy, Verdict)> {
            let th = (r1.sampled() as f64).max(1.0);
            let with_bound = first.upper_bound.is_finite();
            let label = format!("round {round}");
            let mut g = settle(first, r1, r2, false, th, pool, &label, with_bound)?;
            let mut v = decide(&g, r1, r2, hit, round, theta, prev, pool.as_deref());
            if v.needs_bound {
                // The round may stop, so its certificate counts: the same greedy again, with
                // its bound (the same picks, so never blocked where the first was not).
                g = select(&[&*r1], th, pool.as_deref(), true);
                v = decide(&g, r1, r2, hit, round, theta, prev, pool.as_deref());
            }
            Ok((g, v))
        };
        // `auto`'s last selection covers R1 and R2 together; whether it is wanted is known only
        // once R1's greedy has decided the round. On more than one thread, in a round that may
        // be the last, it starts on a spare thread as soon as the round's sets are drawn, beside
        // R1's greedy, and gives up when the round is not the last. In the other rounds R1's
        // greedy runs while R2 grows, and the thread that grew R2 then draws R1's sets of the
        // next round until the greedy is done. A round may be the last once the previous
        // round's gain had a standard error of at most the tolerance (it falls by about √2 a
        // round, and stopping needs half the tolerance) or IMM's sample size is near. Either way the sets and picks are those of one
        // thread: a wrong guess costs time, never a different plan. (On one thread the final
        // greedy and the sets ahead would only add work.)
        let threads = rayon::current_num_threads() > 1;
        let mut last_verdict: Option<Verdict> = None;
        // The last round's plan (settled and decided) with R1's size and the sets and ids
        // drawn then. Once the deadline passes or an interrupt comes, a greedy on the sets drawn
        // since gives up and this plan stands: that greedy ran 0.8 s past a 2 s limit on NetHEPT
        // at k = 200 (12M sets). So that it stands with a certificate, a round the deadline
        // may follow closely counts OPIM-C's bound: with rounds growing by a factor g (about
        // 2, more on two threads), this one and the next take g + g² times the last one, and
        // a round with less than 1.5 times that left counts it (counting it in every round
        // cost 15-19% when the deadline never came; 6 times the last round, no margin, left
        // 7 of 18 two-thread plans without a certificate).
        let mut fallback: Option<(CoverageGreedy, Verdict, f64, u64, u64)> = None;
        let limits = cfg.limits;
        let mut round_secs: Vec<f64> = Vec::new();
        let cut_status = || match limits.expired() {
            Some(LimitHit::Interrupt) => SelectStatus::Interrupted,
            _ => SelectStatus::TimeLimit,
        };
        // A round's plan on R1 (`th` sets) as the selection returned.
        // `drawn`: both collections held sets; `sets`, `ids`: what the plan was made from.
        let round_plan = |g: CoverageGreedy,
                          v: &Verdict,
                          th: f64,
                          status: SelectStatus,
                          (drawn, sets, ids): (bool, u64, u64),
                          round: u32,
                          peak_bytes: u64| {
            // A limit that struck before both collections held a set leaves a vacuous
            // certificate (0, under a bound of infinity), and a round that skipped the bound
            // has none: none is claimed.
            let measured = drawn && v.upper.is_finite();
            let scale = pop / th;
            Selection {
                gains: Some(g.gains.iter().map(|&x| x * scale).collect()),
                seeds: g.seeds,
                approximation: measured.then_some(v.alpha),
                upper_bound: measured.then_some(v.upper),
                status,
                rr_sets: sets,
                rr_bytes: peak_bytes,
                rr_ids: ids,
                rounds: round,
                certify_on_estimate: false,
                worlds: 0,
            }
        };
        // The plan of the round before `round`, whose greedy a limit cut short.
        let cut_short = |fallback: Option<(CoverageGreedy, Verdict, f64, u64, u64)>,
                         round: u32,
                         peak_bytes: u64| {
            let (g, v, th, sets, ids) = fallback.expect("only a greedy with a fallback gives up");
            ctx.progress.note(&format!(
                "round {round} cut short by the limit: round {}'s plan stands",
                round - 1
            ));
            round_plan(
                g,
                &v,
                th,
                cut_status(),
                (true, sets, ids),
                round - 1,
                peak_bytes,
            )
        };
        let work = |r1: &IndexedRr, r2: &IndexedRr| {
            (
                r1.sampled() > 0 && r2.sampled() > 0,
                r1.sampled() + r2.sampled(),
                r1.total_ids() + r2.total_ids(),
            )
        };
        loop {
            round += 1;
            let round_start = std::time::Instant::now();
            let near_deadline = limits.remaining().is_some_and(|left| match round_secs[..] {
                [] => true,
                [t] => left < 9.0 * t,
                [.., p, t] => {
                    let g = (t / p.max(1e-9)).clamp(2.0, 8.0);
                    left < 1.5 * (g + g * g) * t
                }
            });
            let can_fall_back = fallback.is_some();
            let overdue = move || can_fall_back && limits.expired().is_some();
            let next_theta = ((theta * 2) as f64).min(theta_max) as u64;
            let maybe_last = round >= i_max
                || next_theta <= theta
                || last_verdict
                    .is_some_and(|v| v.gain_se <= v.tol || theta as f64 >= 0.8 * v.imm_theta);
            ctx.progress.begin("sampling RR sets", None);
            let (g, verdict, early_final, mut next_sets) = if auto && threads && maybe_last {
                let (hit1, hit2) = rayon::join(
                    || r1.grow(ctx.model, roots, theta, &cfg.limits, pool.as_deref()),
                    || r2.grow(ctx.model, roots, theta, &cfg.limits, pool.as_deref()),
                );
                ctx.progress.end();
                let hit = hit1.or(hit2);
                let cancel = AtomicBool::new(false);
                let th = (r1.sampled() as f64).max(1.0);
                let theta_all = r1.sampled() as f64 + r2.sampled() as f64;
                let (r1s, r2s, keep) = (&r1, &r2, pool.as_deref());
                let ((first, verdict), early) = rayon::join(
                    || {
                        let Some(g) = select_unless(&[r1s], th, keep, &overdue, true) else {
                            cancel.store(true, AtomicOrdering::Relaxed);
                            return (None, None);
                        };
                        // A blocked pick regrows the sets below: the last selection started
                        // here would be on the old ones.
                        let v = g.blocked.is_none().then(|| {
                            decide(&g, r1s, r2s, hit, round, theta, prev.as_deref(), keep)
                        });
                        if !v.is_some_and(|v| v.last(auto)) {
                            cancel.store(true, AtomicOrdering::Relaxed);
                        }
                        (Some(g), v)
                    },
                    || {
                        let stop =
                            || cancel.load(AtomicOrdering::Relaxed) || limits.expired().is_some();
                        select_unless(&[r1s, r2s], theta_all, keep, &stop, true)
                    },
                );
                let Some(first) = first else {
                    let peak = peak_bytes.max(r1.peak_bytes() + r2.peak_bytes());
                    return Ok(cut_short(fallback, round, peak));
                };
                match verdict {
                    Some(v) => (first, v, early.filter(|_| v.last(auto)), None),
                    None => {
                        let (g, v) = settle_and_decide(
                            first,
                            &mut r1,
                            &mut r2,
                            &mut pool,
                            hit,
                            round,
                            theta,
                            prev.as_deref(),
                        )?;
                        (g, v, None, None)
                    }
                }
            } else {
                // R1 grows and is selected on while R2 grows beside it: on two threads R1's
                // serial steps (its index extensions, the greedy) overlap R2's parallel drawing,
                // and the other way round. Then, in `auto`, R1's next sets (see above).
                let ahead = auto && threads && !maybe_last;
                let done = AtomicBool::new(false);
                let streams = r1.streams();
                let keep = pool.as_deref();
                let ((hit1, first), (hit2, drawn)) = rayon::join(
                    || {
                        let hit = r1.grow(ctx.model, roots, theta, &cfg.limits, keep);
                        // `auto` counts OPIM-C's bound only in a round that may be the last;
                        // another round that turns out able to stop counts it then.
                        // A limit that struck while growing ends the round: count it now
                        // rather than in a second greedy.
                        let with_bound = !auto
                            || maybe_last
                            || near_deadline
                            || hit.is_some()
                            || cfg.limits.expired().is_some();
                        let th = (r1.sampled() as f64).max(1.0);
                        let g = select_unless(&[&r1], th, keep, &overdue, with_bound);
                        done.store(true, AtomicOrdering::Relaxed);
                        (hit, g)
                    },
                    || {
                        let hit = r2.grow(ctx.model, roots, theta, &cfg.limits, keep);
                        // One of the next round's batches at most: in flight like the
                        // batches `grow` draws, it stays within what each round's memory
                        // check allows for (`decide`).
                        let drawn = ahead.then(|| {
                            Ahead::draw(
                                streams,
                                theta,
                                next_theta.min(theta + IndexedRr::batch(theta, next_theta)),
                                ctx.model,
                                roots,
                                keep,
                                &cfg.limits,
                                &done,
                            )
                        });
                        (hit, drawn)
                    },
                );
                ctx.progress.end();
                let hit = hit1.or(hit2);
                // Sets drawn ahead go when R1 stopped short of them (a limit) or is drawn
                // again on a wider pool (a blocked pick).
                let ahead_bytes = drawn.as_ref().map_or(0, Ahead::bytes);
                peak_bytes = peak_bytes.max(r1.peak_bytes() + r2.peak_bytes() + ahead_bytes);
                let Some(first) = first else {
                    return Ok(cut_short(fallback, round, peak_bytes));
                };
                let drawn = drawn.filter(|_| r1.sampled() == theta && first.blocked.is_none());
                let (g, v) = settle_and_decide(
                    first,
                    &mut r1,
                    &mut r2,
                    &mut pool,
                    hit,
                    round,
                    theta,
                    prev.as_deref(),
                )?;
                (g, v, None, drawn)
            };
            last_verdict = Some(verdict);
            peak_bytes = peak_bytes.max(r1.peak_bytes() + r2.peak_bytes());
            let Verdict {
                alpha,
                certified,
                stop,
                hit,
                ..
            } = verdict;
            let th = (r1.sampled() as f64).max(1.0);
            let limit_status = hit.map(SelectStatus::from);
            if stop {
                // Sets drawn for a next round there will not be.
                next_sets = None;
            }
            if verdict.last(auto) {
                // Both collections have served their purpose (R1 to select, R2 to decide when
                // to stop); the final selection covers all of their sets, each collection with
                // its own index (no copy of R2 into R1). Its reach is certified later
                // on the plan's own independent estimate sets.
                let theta_all = r1.sampled() as f64 + r2.sampled() as f64;
                let first = match early_final {
                    Some(g) => Some(g),
                    None => select_unless(
                        &[&r1, &r2],
                        theta_all,
                        pool.as_deref(),
                        &|| limits.expired().is_some(),
                        true,
                    ),
                };
                // Cut short by the deadline or an interrupt: the round's plan on R1 stands.
                let Some(first) = first else {
                    ctx.progress
                        .note("final selection cut short by the limit: R1's plan stands");
                    return Ok(round_plan(
                        g,
                        &verdict,
                        th,
                        cut_status(),
                        work(&r1, &r2),
                        round,
                        peak_bytes,
                    ));
                };
                let g = settle(
                    first,
                    &mut r1,
                    &mut r2,
                    true,
                    theta_all,
                    &mut pool,
                    "final selection",
                    true,
                )?;
                peak_bytes = peak_bytes.max(r1.peak_bytes() + r2.peak_bytes());
                let rr_ids = r1.total_ids() + r2.total_ids();
                let scale = pop / theta_all;
                return Ok(Selection {
                    gains: Some(g.gains.iter().map(|&x| x * scale).collect()),
                    seeds: g.seeds,
                    approximation: (theta_all > 0.0).then_some(alpha),
                    upper_bound: (theta_all > 0.0)
                        .then(|| upper_bound(g.upper_bound, a, theta_all, pop).min(everyone)),
                    status: limit_status.unwrap_or(verdict.ended),
                    rr_sets: theta_all as u64,
                    rr_bytes: peak_bytes,
                    rr_ids,
                    rounds: round,
                    certify_on_estimate: true,
                    worlds: 0,
                });
            }
            if stop {
                let status = if let Some(s) = limit_status {
                    s
                } else if certified && self.stop == StopRule::Certificate {
                    SelectStatus::Certified
                } else if certified {
                    SelectStatus::Converged
                } else if capped {
                    SelectStatus::SampleCap
                } else {
                    SelectStatus::SampleBound
                };
                return Ok(round_plan(
                    g,
                    &verdict,
                    th,
                    status,
                    work(&r1, &r2),
                    round,
                    peak_bytes,
                ));
            }
            // What this round's plan was made from, before a projection or the sets drawn
            // ahead change the collections.
            let (_, sets, ids) = work(&r1, &r2);
            let rule = self.pool.filter(|r| auto && r1.sampled() >= r.after);
            if let (Some(rule), None) = (rule, &pool) {
                if let Some(keep) = pool_of(&g, r1.index(), bonus_for(th), rule, ctx) {
                    rayon::join(|| r1.project(&keep), || r2.project(&keep));
                    next_sets = next_sets.map(|a| a.projected(&keep));
                    pool = Some(keep);
                }
            }
            if let Some(a) = next_sets {
                r1.adopt(a);
            }
            fallback = Some((g.clone(), verdict, th, sets, ids));
            round_secs.push(round_start.elapsed().as_secs_f64());
            prev = Some(g.seeds);
            theta = ((theta * 2) as f64).min(theta_max) as u64;
        }
    }
}

/// How an OPIM-C round ends.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    /// The certified approximation.
    alpha: f64,
    /// OPIM-C's upper bound on the optimum, from R1.
    upper: f64,
    certified: bool,
    /// The loop stops here (a limit hit included).
    stop: bool,
    hit: Option<LimitHit>,
    /// `auto`: the standard error of the last doubling's gain, and IMM's sample size from
    /// this round's lower bound (infinite for `opim`). They say whether the next round may be
    /// the last (`maybe_last`).
    gain_se: f64,
    /// `auto`: the tolerance the gain was held to (`--tolerance`, or looser at the reach
    /// resolution).
    tol: f64,
    imm_theta: f64,
    /// `auto`: the status a stop here has when no limit struck (`Converged`, or the largest
    /// sample that ended it).
    ended: SelectStatus,
    /// The round's greedy skipped OPIM-C's bound, and the round may stop: count it.
    needs_bound: bool,
}

impl Verdict {
    /// Whether `auto` ends here with its final selection on R1 and R2 together. Not after a
    /// time limit or an interrupt: a greedy over every set drawn would run past it (1.7 s past
    /// a 2 s limit on NetHEPT at k = 200, over 12M sets), so the round's plan on R1 stands.
    fn last(&self, auto: bool) -> bool {
        auto && self.stop
            && match self.hit {
                None => self.certified,
                Some(h) => h == LimitHit::Memory,
            }
    }
}

/// The dropped-count arrays of `parts`, for a `Dropped` over all of them.
fn dropped_arrays<'a>(parts: &[&'a IndexedRr]) -> Vec<&'a [u32]> {
    parts.iter().flat_map(|c| c.dropped_arrays()).collect()
}

/// The pool `auto` keeps after the greedy `g` on R1 (full, indexed by `index`): every candidate
/// whose coverage plus bonus is at least `POOL_MARGIN` times the greedy's last gain, and the
/// forced seeds and picks. `None` when the last gain is below the rule's, or when the pool
/// would keep more than two thirds of the ids.
fn pool_of(
    g: &CoverageGreedy,
    index: &PackedIndex,
    bonus: Option<Bonus<'_>>,
    rule: PoolRule,
    ctx: &SelectContext<'_>,
) -> Option<Vec<bool>> {
    let bar = *g.gains.last()?;
    if bar < rule.min_gain || bar <= 0.0 {
        return None;
    }
    let n = ctx.n();
    // Decoded once: the index keeps no per-node counts.
    let lens: Vec<u32> = (0..n as u32).map(|v| index.len_of(v) as u32).collect();
    let mut keep: Vec<bool> = (0..n as u32)
        .map(|v| {
            ctx.is_candidate(v)
                && lens[v as usize] as f64 + bonus.map_or(0.0, |b| b.at(v as usize))
                    >= POOL_MARGIN * bar
        })
        .collect();
    for &v in ctx.forced.iter().chain(&g.seeds) {
        keep[v as usize] = true;
    }
    // A pool that keeps most ids saves little and costs a projection and a fresh index: on
    // wiki-Vote at k = 50 one keeping 59% of them ran 5% slower for 3% less memory.
    let ids = |v: usize| lens[v] as u64;
    let kept: u64 = (0..n).filter(|&v| keep[v]).map(ids).sum();
    let all: u64 = (0..n).map(ids).sum();
    (3 * kept <= 2 * all).then_some(keep)
}

/// Adds to the pool every candidate outside it whose bound on its gain (dropped count plus
/// bonus) is at least `POOL_MARGIN` times `bar`, the bound of the node that blocked a pick (so
/// that node joins: the pool grows at every call).
fn widen(
    keep: &mut [bool],
    dropped: Dropped<'_>,
    bar: f64,
    bonus: Option<Bonus<'_>>,
    ctx: &SelectContext<'_>,
) {
    for &f in ctx.forced {
        keep[f as usize] = true;
    }
    if !bar.is_finite() {
        return;
    }
    for (v, k) in keep.iter_mut().enumerate() {
        if !*k
            && ctx.is_candidate(v as u32)
            && dropped.get(v) as f64 + bonus.map_or(0.0, |b| b.at(v)) >= POOL_MARGIN * bar
        {
            *k = true;
        }
    }
}

/// The progress note of a grown pool.
fn grown(keep: &[bool]) -> String {
    let size = keep.iter().filter(|&&x| x).count();
    format!("pool grown to {size} nodes, sets drawn again")
}

/// Draws both collections' sets again on the grown pool `keep`.
///
/// A regrowth redraws every set drawn so far and does not stop at `--time-limit` or
/// `--max-memory` (it cannot: until it is done there is no selection to return); it never
/// happened with `PoolRule::DEFAULT` over the graphs and settings measured (BENCHMARKS.md). An
/// interrupt stops before it.
fn regrow(
    model: &Model<'_>,
    roots: &RootSampler,
    keep: &[bool],
    r1: &mut IndexedRr,
    r2: &mut IndexedRr,
) -> Result<()> {
    if crate::limits::interrupted() {
        return Err(crate::error::Error::Interrupted);
    }
    // One at a time: each drops its old index before drawing again.
    r1.regrow(model, roots, keep);
    r2.regrow(model, roots, keep);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::{ModelKind, ProbScheme};
    use crate::graph::Graph;
    use crate::progress::Progress;
    use crate::select::SelectConfig;
    use std::sync::Mutex;

    /// Keeps the notes, to see whether a pool had to grow.
    #[derive(Default)]
    struct Notes(Mutex<Vec<String>>);

    impl Progress for Notes {
        fn note(&self, msg: &str) {
            self.0.lock().unwrap().push(msg.to_string());
        }
    }

    #[test]
    fn budgeted_sample_bound_counts_every_smaller_plan() {
        // Against the sum written out with exact binomials (small n).
        for n in [1usize, 5, 12, 30] {
            let mut c = 1.0f64;
            let mut sum = 1.0f64;
            for k in 1..=n {
                c = c * (n - k + 1) as f64 / k as f64;
                sum += c;
                let got = crate::select::ln_choose_at_most(n, k);
                assert!(
                    (got - sum.ln()).abs() < 1e-9,
                    "n {n} k {k}: {got} vs {}",
                    sum.ln()
                );
                assert!(got >= crate::select::ln_choose(n, k) - 1e-12);
            }
        }
        // Past a million seeds the entropy bound: never below the exact sum, a few nats above.
        for (n, k) in [(3_000_000usize, 1_100_000usize), (2_500_000, 2_000_000)] {
            let mut term = 0.0f64;
            let mut sum = 0.0f64;
            for j in 0..k {
                term += ((n - j) as f64).ln() - ((j + 1) as f64).ln();
                let (hi, lo) = if term > sum { (term, sum) } else { (sum, term) };
                sum = hi + (lo - hi).exp().ln_1p();
            }
            let got = crate::select::ln_choose_at_most(n, k);
            assert!(
                got >= sum && got <= sum + 20.0,
                "n {n} k {k}: {got} vs {sum}"
            );
        }
        // Every account affordable: OPIM-C's own size would be for ln C(n, n) = 0.
        let (_, opim_max) = opim_sizes(3000, 3000, 0.1, 1.0 / 3000.0);
        let (t0, budget_max) = budget_sizes(3000, 3000, 0.1, 1.0 / 3000.0);
        assert!(budget_max > 50.0 * opim_max, "{budget_max} vs {opim_max}");
        assert!(budget_max >= t0);
        // Small plans keep OPIM-C's first round, so their schedule is unchanged.
        assert_eq!(
            budget_sizes(15_000, 40, 0.1, 1e-4).0,
            opim_sizes(15_000, 40, 0.1, 1e-4).0
        );
    }

    /// A few hubs, a long tail, sources, sinks and isolated nodes, so that the greedy's picks
    /// stand apart from most nodes but not from all.
    fn hubs_graph() -> Graph {
        let n = 600u32;
        let mut edges = Vec::new();
        for h in 0..12u32 {
            for j in 0..(90 - 6 * h) {
                edges.push((h, 12 + (h * 37 + j * 11) % 560));
            }
        }
        for i in 0..2600u32 {
            let a = 12 + (i * 101 + 7) % 560;
            let b = 12 + (i * 53 + 29) % 560;
            if a != b {
                edges.push((a, b));
            }
        }
        edges.sort_unstable();
        edges.dedup();
        Graph::from_edges(n as usize, &edges, None)
    }

    fn run(
        m: &Model<'_>,
        k: usize,
        seed: u64,
        pool: Option<PoolRule>,
        candidates: Option<&[bool]>,
        forced: &[u32],
        threads: usize,
    ) -> (Selection, Vec<String>) {
        let roots = RootSampler::uniform(m.graph().num_nodes());
        let notes = Notes::default();
        let ctx = SelectContext {
            model: m,
            roots: &roots,
            candidates,
            forced,
            config: SelectConfig::new(k, seed),
            progress: &notes,
        };
        let sel = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                Opim {
                    stop: StopRule::Converged,
                    pool,
                }
                .select(&ctx)
                .unwrap()
            });
        (sel, notes.0.into_inner().unwrap())
    }

    #[test]
    fn the_pool_changes_nothing_but_memory() {
        let g = hubs_graph();
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::WeightedCascade,
            1,
        )
        .unwrap();
        let n = g.num_nodes();
        let odd: Vec<bool> = (0..n).map(|v| v % 3 != 1).collect();
        // Runs on a pool and regrowths, per rule.
        let (mut pooled, mut grown) = ([0usize; 3], [0usize; 3]);
        // A careless rule (tiny bar, early) has to grow its pool; the default one should not.
        let careless = PoolRule {
            after: 256,
            min_gain: 2.0,
        };
        let moderate = PoolRule {
            after: 1024,
            min_gain: 16.0,
        };
        for (k, seed, cands, forced) in [
            (3, 6, None, &[][..]),
            (5, 1, None, &[][..]),
            (12, 2, None, &[][..]),
            (25, 3, None, &[][..]),
            (12, 4, Some(&odd[..]), &[][..]),
            (12, 5, Some(&odd[..]), &[451u32, 3][..]),
        ] {
            let (full, _) = run(&m, k, seed, None, cands, forced, 1);
            for (r, rule) in [careless, moderate, PoolRule::DEFAULT]
                .into_iter()
                .enumerate()
            {
                for threads in [1, 2] {
                    let (p, notes) = run(&m, k, seed, Some(rule), cands, forced, threads);
                    assert_eq!(p.seeds, full.seeds, "k {k} seed {seed} {rule:?}");
                    assert_eq!(p.gains, full.gains);
                    assert_eq!(p.rr_sets, full.rr_sets);
                    assert_eq!(p.rounds, full.rounds);
                    // Outside the pool a node's gain is bounded by all the sets that held it
                    // (its dropped count), not counted: the bound on the optimum can only be
                    // looser, and the certificate lower.
                    let (pa, fa) = (p.approximation.unwrap(), full.approximation.unwrap());
                    assert!(pa <= fa + 1e-12, "pool certified {pa} > full {fa}");
                    assert!(p.upper_bound.unwrap() >= full.upper_bound.unwrap() * (1.0 - 1e-12));
                    let last = notes.iter().rev().find(|s| s.contains(" pool ")).unwrap();
                    if !last.ends_with(&format!("pool {n}")) {
                        pooled[r] += 1;
                        assert!(p.rr_ids < full.rr_ids, "a pool stores fewer ids");
                    }
                    grown[r] += notes.iter().filter(|s| s.contains("drawn again")).count();
                }
            }
        }
        assert!(
            pooled.iter().all(|&p| p > 0),
            "pooled runs per rule: {pooled:?}"
        );
        assert!(grown[0] > 0, "no run exercised a pool that had to grow");
    }
}
