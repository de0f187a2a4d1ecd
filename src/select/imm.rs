//! IMM (Tang, Shi, Xiao, SIGMOD 2015) with the correction of Chen (2018, "An issue in the
//! martingale analysis of the influence maximization algorithm IMM"): the final selection uses a
//! fresh RR collection, independent of the sets drawn during the sample-size search.
//!
//! Phase 1 (sampling) searches for a lower bound LB on OPT with x = n/2, n/4, ...; phase 2 draws
//! θ = λ*/LB fresh sets and runs greedy on them. With probability at least 1 - n^-ℓ the result is a
//! (1 - 1/e - ε)-approximation. ℓ is raised by `ln 2 / ln n` as in the paper, so both phases
//! together keep the failure probability at n^-ℓ.

use super::{ln_choose, SelectContext, SelectStatus, Selection, Selector};
use crate::error::Result;
use crate::rng::Purpose;
use crate::rrset::{greedy_max_coverage, RrCollection};

/// IMM.
pub struct Imm;

const E_FACTOR: f64 = 1.0 - 1.0 / std::f64::consts::E;

/// IMM's λ' and λ* for (n, k, ε, ℓ).
pub(crate) fn imm_lambdas(n: usize, k: usize, eps: f64, ell: f64) -> (f64, f64, f64) {
    let nf = n as f64;
    let ln_n = nf.ln().max(1e-9);
    let ell = ell * (1.0 + 2f64.ln() / ln_n);
    let eps_p = 2f64.sqrt() * eps;
    let lnc = ln_choose(n, k);
    let lambda_p = (2.0 + 2.0 / 3.0 * eps_p) * (lnc + ell * ln_n + nf.log2().max(1.0).ln()) * nf
        / (eps_p * eps_p);
    let alpha = (ell * ln_n + 2f64.ln()).sqrt();
    let beta = (E_FACTOR * (lnc + ell * ln_n + 2f64.ln())).sqrt();
    let lambda_star = 2.0 * nf * (E_FACTOR * alpha + beta).powi(2) / (eps * eps);
    (lambda_p, lambda_star, eps_p)
}

impl Selector for Imm {
    fn select(&self, ctx: &SelectContext<'_>) -> Result<Selection> {
        let n = ctx.n();
        let k = ctx.effective_k();
        let cfg = &ctx.config;
        let pop = ctx.roots.population();
        let (lambda_p, lambda_star, eps_p) = imm_lambdas(n, k.max(1), cfg.epsilon, cfg.ell);
        let cap = cfg.max_rr_sets.map(|c| c as f64).unwrap_or(f64::INFINITY);
        let mut capped = false;
        let mut limit: Option<crate::limits::LimitHit> = None;

        // Phase 1: search for LB on its own stream.
        let mut search = RrCollection::new(cfg.seed, Purpose::RrSearch);
        let mut lb = 1.0f64;
        let mut rounds = 0u32;
        let mut peak = 0u64;
        let levels = ((n as f64).log2().floor() as i32 - 1).max(1);
        ctx.progress
            .begin("IMM sample-size search", Some(levels as u64));
        for i in 1..=levels {
            rounds += 1;
            let x = n as f64 / 2f64.powi(i);
            let mut theta_i = (lambda_p / x).ceil();
            if theta_i > cap {
                theta_i = cap;
                capped = true;
            }
            if let Some(h) =
                search.extend_limited(ctx.model, ctx.roots, theta_i as u64, &cfg.limits)
            {
                limit = Some(h);
                break;
            }
            let g = greedy_max_coverage(&search, n, k, ctx.candidates, ctx.forced);
            peak = peak.max(search.bytes() * 2);
            let est = pop * g.covered / search.len() as f64;
            ctx.progress.advance(1);
            if est >= (1.0 + eps_p) * x * pop / n as f64 || capped {
                lb = est / (1.0 + eps_p);
                break;
            }
        }
        ctx.progress.end();
        let search_sets = search.len() as u64;
        let ids_per_set = search.total_ids() as f64 / search.len().max(1) as f64;
        drop(search);

        // Phase 2: fresh sets (Chen 2018), then greedy.
        let mut theta = (lambda_star / lb.max(1.0) * pop / n as f64).ceil();
        if theta > cap {
            theta = cap;
            capped = true;
        }
        let theta = theta.max(1.0) as u64;
        // Memory: the final sets plus their inverted index, 8 bytes per id and 8 per set.
        let need = (theta as f64 * (8.0 * ids_per_set + 8.0)) as u64;
        if !cfg.limits.fits(need) && limit.is_none() {
            let budget = cfg.limits.max_rr_bytes.unwrap_or(u64::MAX) as f64;
            // θ grows as 1/ε², so ε must grow by sqrt(need / budget).
            let eps_fit = cfg.epsilon * (need as f64 / budget).sqrt();
            return Err(crate::error::Error::usage(format!(
                "not enough memory: IMM needs about {theta} RR sets here, about {:.1} MiB of RR \
                 storage, over the {:.1} MiB of RR storage allowed (--max-memory less the \
                 graph, or without it three quarters of the memory available; less 16 MiB of \
                 working memory); it would fit with --epsilon {:.3} or more, \
                 or use --algo auto, which stops sampling within the limit",
                need as f64 / (1u64 << 20) as f64,
                budget / (1u64 << 20) as f64,
                eps_fit.min(0.99)
            )));
        }
        ctx.progress.begin("IMM final sampling", None);
        let mut fin = RrCollection::new(cfg.seed, Purpose::RrSelect);
        if limit.is_none() {
            limit = fin.extend_limited(ctx.model, ctx.roots, theta, &cfg.limits);
        }
        if fin.is_empty() {
            // Stopped before any final set: sample a minimal collection so a plan exists.
            fin.extend_to(ctx.model, ctx.roots, 1024);
        }
        let theta = fin.len() as u64;
        ctx.progress.end();
        let g = greedy_max_coverage(&fin, n, k, ctx.candidates, ctx.forced);
        peak = peak.max(fin.bytes() * 2);
        let scale = pop / theta as f64;
        Ok(Selection {
            gains: Some(g.gains.iter().map(|&x| x * scale).collect()),
            seeds: g.seeds,
            // The guarantee needs every set the theory asks for: none after a cap or a limit.
            approximation: if capped || limit.is_some() {
                None
            } else {
                Some(E_FACTOR - cfg.epsilon)
            },
            // OPIM-C's transform of the greedy's bound on these sets (drawn apart from the
            // search's): an upper bound on the best reach with probability 1 - δ.
            // (Capped at the population, which it passes at large k.)
            upper_bound: Some(
                super::upper_bound_reach(
                    g.upper_bound,
                    (1.0 / ctx.delta()).ln(),
                    theta as f64,
                    pop,
                )
                .min(ctx.roots.population()),
            ),
            status: match limit {
                Some(crate::limits::LimitHit::Time) => SelectStatus::TimeLimit,
                Some(crate::limits::LimitHit::Memory) => SelectStatus::MemoryLimit,
                Some(crate::limits::LimitHit::Interrupt) => SelectStatus::Interrupted,
                None if capped => SelectStatus::SampleCap,
                None => SelectStatus::SampleBound,
            },
            rr_sets: search_sets + theta,
            rr_bytes: peak,
            rr_ids: fin.total_ids(),
            rounds: rounds + 1,
            certify_on_estimate: false,
            worlds: 0,
        })
    }
}
