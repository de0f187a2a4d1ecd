//! Synthetic follower graphs with heavy-tailed follower counts, and a matching price list.
//!
//! Growth model (directed preferential attachment with reciprocity): accounts join one at a time;
//! each follows `1 + Geometric` accounts (mean `avg_follows`), chosen with probability
//! `preferential` in proportion to their current followers (by picking the followee of a random
//! earlier follow) and otherwise uniformly; a followed account follows back with probability
//! `reciprocity`. Follower counts come out power-law-like, as on real platforms.
//!
//! Prices follow public per-post rate cards by follower tier (percentile within the graph):
//! nano (bottom 73.8%) $10-100, micro (next 20%) $100-500, mid (next 5%) $500-5,000, macro
//! (next 1%) $5,000-10,000, mega (top 0.2%) $10,000-50,000; log-interpolated by rank inside the
//! tier, with ±20% noise, rounded to dollars.

use crate::rng::{Bits, LongRng, Purpose};
use rustc_hash::FxHashSet;

/// Parameters of the generator.
#[derive(Debug, Clone)]
pub struct GenerateConfig {
    /// Number of accounts.
    pub nodes: usize,
    /// Mean number of accounts each new account follows.
    pub avg_follows: f64,
    /// Probability that a followee is chosen by popularity rather than uniformly.
    pub preferential: f64,
    /// Probability of a follow-back.
    pub reciprocity: f64,
    /// Random seed.
    pub seed: u64,
}

impl Default for GenerateConfig {
    fn default() -> Self {
        GenerateConfig {
            nodes: 2000,
            avg_follows: 8.0,
            preferential: 0.85,
            reciprocity: 0.15,
            seed: 1,
        }
    }
}

/// A follower graph: `follows[i] = (a, b)` means account `a` follows account `b`.
#[derive(Debug, Clone)]
pub struct FollowerGraph {
    /// Number of accounts.
    pub nodes: usize,
    /// Follow pairs, no self-follows and no duplicates.
    pub follows: Vec<(u32, u32)>,
}

/// Influencer tier names, smallest first.
pub const TIERS: [&str; 5] = ["nano", "micro", "mid", "macro", "mega"];
const TIER_SHARE: [f64; 5] = [0.738, 0.20, 0.05, 0.01, 0.002];
const TIER_PRICE: [(f64, f64); 5] = [
    (10.0, 100.0),
    (100.0, 500.0),
    (500.0, 5_000.0),
    (5_000.0, 10_000.0),
    (10_000.0, 50_000.0),
];
/// Content categories of the generated price list.
pub const CATEGORIES: [&str; 8] = [
    "lifestyle",
    "fashion",
    "beauty",
    "tech",
    "gaming",
    "fitness",
    "food",
    "travel",
];

/// Generates a follower graph.
pub fn follower_graph(cfg: &GenerateConfig) -> FollowerGraph {
    let n = cfg.nodes.max(2);
    let mut rng = LongRng::stream(cfg.seed, Purpose::Generate, 0);
    let mut follows: Vec<(u32, u32)> =
        Vec::with_capacity((n as f64 * cfg.avg_follows * (1.0 + cfg.reciprocity)) as usize);
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    let key = |a: u32, b: u32| ((a as u64) << 32) | b as u64;
    // Geometric with mean avg_follows - 1 on top of the one guaranteed follow.
    let q = 1.0 / cfg.avg_follows.max(1.0);
    for t in 1..n as u32 {
        let extra = if q >= 1.0 {
            0
        } else {
            (rng.unit_open0().ln() / (1.0 - q).ln()).floor() as u32
        };
        let want = (1 + extra).min(t);
        let mut tries = 0;
        let mut made = 0;
        while made < want && tries < want * 8 {
            tries += 1;
            let target = if !follows.is_empty() && rng.unit() < cfg.preferential {
                follows[rng.below(follows.len() as u64) as usize].1
            } else {
                rng.below(t as u64) as u32
            };
            if target == t || !seen.insert(key(t, target)) {
                continue;
            }
            follows.push((t, target));
            made += 1;
            if rng.unit() < cfg.reciprocity && seen.insert(key(target, t)) {
                follows.push((target, t));
            }
        }
    }
    FollowerGraph { nodes: n, follows }
}

/// A handle for account `i`: pronounceable, unique (the id is part of it).
pub fn handle(i: u32, seed: u64) -> String {
    const SYL: [&str; 24] = [
        "ka", "ri", "mo", "ta", "lu", "ne", "so", "vi", "ra", "ze", "mi", "do", "pa", "li", "no",
        "sa", "te", "ko", "ba", "ye", "ju", "fa", "ro", "ci",
    ];
    let mut r = LongRng::stream(seed, Purpose::Generate, 1 + i as u64);
    let len = 2 + r.below(2) as usize;
    let mut s = String::from("@");
    for _ in 0..len {
        s.push_str(SYL[r.below(SYL.len() as u64) as usize]);
    }
    s.push_str(&format!("{i}"));
    s
}

/// One priced account.
#[derive(Debug, Clone)]
pub struct PriceRow {
    /// Account id.
    pub node: u32,
    /// Followers in the graph.
    pub followers: u32,
    /// Tier name.
    pub tier: &'static str,
    /// Price per post, dollars.
    pub cost: f64,
    /// Content category.
    pub category: &'static str,
}

/// Prices every account by follower tier.
pub fn price_list(g: &FollowerGraph, seed: u64) -> Vec<PriceRow> {
    let mut followers = vec![0u32; g.nodes];
    for &(_, b) in &g.follows {
        followers[b as usize] += 1;
    }
    price_by_followers(&followers, seed)
}

/// Prices accounts given their follower counts (for an existing graph: how many people each
/// one influences directly, its out-degree).
pub fn price_by_followers(followers: &[u32], seed: u64) -> Vec<PriceRow> {
    let n = followers.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&v| (followers[v as usize], std::cmp::Reverse(v)));
    // Tier boundaries by rank from the bottom.
    let mut bounds = Vec::with_capacity(5);
    let mut acc = 0.0;
    for s in TIER_SHARE {
        acc += s;
        bounds.push(((acc.min(1.0)) * n as f64).round() as usize);
    }
    bounds[4] = n;
    let mut rows: Vec<PriceRow> = Vec::with_capacity(n);
    let mut lo = 0usize;
    for (t, &hi) in bounds.iter().enumerate() {
        let hi = hi.max(lo);
        for (pos, &v) in order[lo..hi].iter().enumerate() {
            let frac = if hi - lo > 1 {
                pos as f64 / (hi - lo - 1) as f64
            } else {
                0.5
            };
            let (a, b) = TIER_PRICE[t];
            let base = (a.ln() + frac * (b.ln() - a.ln())).exp();
            let mut r = LongRng::stream(seed, Purpose::Generate, (1 << 40) + v as u64);
            let noise = 0.8 + 0.4 * r.unit();
            let category = CATEGORIES[(r.unit().powf(1.6) * CATEGORIES.len() as f64) as usize];
            rows.push(PriceRow {
                node: v,
                followers: followers[v as usize],
                tier: TIERS[t],
                cost: (base * noise).round().max(1.0),
                category,
            });
        }
        lo = hi;
    }
    rows.sort_by_key(|r| r.node);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_reproducible_heavy_tailed_and_clean() {
        let cfg = GenerateConfig {
            nodes: 3000,
            ..Default::default()
        };
        let a = follower_graph(&cfg);
        let b = follower_graph(&cfg);
        assert_eq!(a.follows, b.follows);
        let mut set = std::collections::HashSet::new();
        for &(x, y) in &a.follows {
            assert_ne!(x, y);
            assert!(set.insert((x, y)));
        }
        let mut followers = vec![0u32; a.nodes];
        a.follows
            .iter()
            .for_each(|&(_, y)| followers[y as usize] += 1);
        let max = *followers.iter().max().unwrap() as f64;
        let mean = a.follows.len() as f64 / a.nodes as f64;
        assert!(max > 20.0 * mean, "max {max} mean {mean}: not heavy-tailed");
        let prices = price_list(&a, 1);
        assert_eq!(prices.len(), a.nodes);
        let top = prices.iter().max_by_key(|r| r.followers).unwrap();
        assert_eq!(top.tier, "mega");
        assert!(prices.iter().all(|r| r.cost >= 1.0));
    }
}
