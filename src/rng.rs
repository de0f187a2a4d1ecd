//! Deterministic random streams.
//!
//! Every random decision is drawn from a stream keyed by `(seed, purpose, index)`: the Monte Carlo
//! run number, the RR-set number, the generated node. Work is split across threads by index, never
//! by thread, so results are bit-identical for any `--threads`.

use rand_core::{Rng as _, SeedableRng};
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};

/// What a stream is used for; separate purposes never share numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Forward Monte Carlo simulation runs of the evaluator.
    MonteCarlo = 1,
    /// RR sets used to select seeds.
    RrSelect = 2,
    /// RR sets used only to estimate the reach of a chosen plan.
    RrValidate = 3,
    /// Per-edge trivalency probabilities.
    Trivalency = 4,
    /// Synthetic graph generation.
    Generate = 5,
    /// Random baseline selection.
    RandomSeeds = 6,
    /// IMM's sample-size search (kept apart from its final selection sets, after Chen 2018).
    RrSearch = 7,
    /// Live-edge worlds of the Monte Carlo greedy oracle.
    Worlds = 8,
    /// RR sets of the final estimate written in a plan.
    RrEstimate = 9,
    /// Live-edge worlds that validate `auto`'s selection on a small pool (`select::forward`).
    WorldsValidate = 10,
    /// Live-edge worlds of the estimate written in a plan chosen on forward worlds.
    WorldsEstimate = 11,
    /// The pilot worlds that decide whether a pool goes on forward worlds.
    WorldsPilot = 12,
    /// The pilot RR sets that price an RR set against a forward world in that decision.
    RrPilot = 13,
}

/// SplitMix64 finaliser: a bijective 64-bit mix used to derive stream keys and hashed coins.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform float in [0, 1) from 64 random bits.
#[inline]
pub fn unit_f64(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The key of a stream; also usable directly as a hash of `(seed, purpose, index)`.
#[inline]
pub fn stream_key(seed: u64, purpose: Purpose, index: u64) -> u64 {
    mix64(mix64(mix64(seed) ^ (purpose as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93)) ^ index)
}

/// Random bits plus the few derived draws the engines need.
pub trait Bits {
    /// 64 random bits.
    fn next_u64(&mut self) -> u64;

    /// Uniform in [0, 1).
    #[inline]
    fn unit(&mut self) -> f64 {
        unit_f64(self.next_u64())
    }

    /// Uniform in (0, 1], safe for `ln`.
    #[inline]
    fn unit_open0(&mut self) -> f64 {
        1.0 - self.unit()
    }

    /// Uniform integer in `0..n` (Lemire's multiply-shift; `n > 0`).
    #[inline]
    fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

/// The generator of one short stream: SplitMix64, whose whole state is one word, so opening a
/// stream costs one mix. RR sets and Monte Carlo runs open millions of streams and draw a
/// handful of numbers from each; xoshiro's four-word seeding cost more than the draws
/// (3.6% of a plan's time in the profile).
#[derive(Clone, Debug)]
pub struct Rng(SplitMix64);

impl Rng {
    /// The stream for `(seed, purpose, index)`.
    #[inline]
    pub fn stream(seed: u64, purpose: Purpose, index: u64) -> Self {
        Rng(SplitMix64::seed_from_u64(stream_key(seed, purpose, index)))
    }
}

impl Bits for Rng {
    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
}

/// The streams of one `(seed, purpose)`, with the shared part of the key computed once.
#[derive(Clone, Copy, Debug)]
pub struct Streams(u64);

impl Streams {
    /// Streams `(seed, purpose, *)`.
    pub fn new(seed: u64, purpose: Purpose) -> Self {
        Streams(mix64(
            mix64(seed) ^ (purpose as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93),
        ))
    }

    /// Stream `index`; the same generator as `Rng::stream(seed, purpose, index)`.
    #[inline]
    pub fn rng(&self, index: u64) -> Rng {
        Rng(SplitMix64::seed_from_u64(mix64(self.0 ^ index)))
    }
}

/// A generator for long sequential streams (graph generation): xoshiro256++, whose longer state
/// pays off over millions of draws from one stream.
#[derive(Clone, Debug)]
pub struct LongRng(Xoshiro256PlusPlus);

impl LongRng {
    /// The stream for `(seed, purpose, index)`.
    pub fn stream(seed: u64, purpose: Purpose, index: u64) -> Self {
        LongRng(Xoshiro256PlusPlus::seed_from_u64(stream_key(
            seed, purpose, index,
        )))
    }
}

impl Bits for LongRng {
    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precomputed_streams_match_direct_streams() {
        let st = Streams::new(11, Purpose::RrSelect);
        for i in [0u64, 1, 99, 1 << 40] {
            let mut a = st.rng(i);
            let mut b = Rng::stream(11, Purpose::RrSelect, i);
            for _ in 0..5 {
                assert_eq!(a.next_u64(), b.next_u64());
            }
        }
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(Rng::stream(7, Purpose::MonteCarlo, 3), |r, _| {
                Some(r.next_u64())
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .scan(Rng::stream(7, Purpose::MonteCarlo, 3), |r, _| {
                Some(r.next_u64())
            })
            .collect();
        assert_eq!(a, b);
        let mut c = Rng::stream(7, Purpose::RrSelect, 3);
        assert_ne!(a[0], c.next_u64());
        let mut d = Rng::stream(7, Purpose::MonteCarlo, 4);
        assert_ne!(a[0], d.next_u64());
    }

    #[test]
    fn below_stays_in_range_and_unit_in_bounds() {
        let mut r = Rng::stream(1, Purpose::Generate, 0);
        for n in [1u64, 2, 3, 10, 1 << 40] {
            for _ in 0..1000 {
                assert!(r.below(n) < n);
            }
        }
        for _ in 0..1000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            let v = r.unit_open0();
            assert!(v > 0.0 && v <= 1.0);
        }
    }
}
