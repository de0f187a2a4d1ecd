//! Diffusion models. One definition of the edge probabilities serves both the forward simulation
//! (evaluation, Monte Carlo greedy) and the reverse sampling of RR sets, so the two can never
//! disagree about what an edge means.
//!
//! - Independent cascade (IC): each newly active `u` activates each out-neighbour `v` once with
//!   probability `p(u,v)`.
//! - Linear threshold (LT): `v` activates when the summed weight of its active in-neighbours reaches
//!   a uniform threshold; equivalently (live-edge view) `v` keeps at most one in-edge, `u` with
//!   probability `w(u,v)`.

mod binomial;
mod ic;
mod lt;
mod workspace;

pub use workspace::Workspace;

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::rng::{stream_key, Purpose, Rng};
use std::borrow::Cow;

/// The diffusion model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Independent cascade.
    IndependentCascade,
    /// Linear threshold.
    LinearThreshold,
}

impl ModelKind {
    /// Short CLI name.
    pub fn short(&self) -> &'static str {
        match self {
            ModelKind::IndependentCascade => "ic",
            ModelKind::LinearThreshold => "lt",
        }
    }
}

/// Where edge probabilities (IC) or weights (LT) come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ProbScheme {
    /// Weighted cascade: `p(u,v) = 1 / indeg(v)`.
    WeightedCascade,
    /// The same probability on every edge.
    Uniform(f64),
    /// Each edge draws one of {0.1, 0.01, 0.001}, reproducibly from the seed and the edge's ends.
    Trivalency,
    /// The probability column of the edge list.
    File,
}

impl ProbScheme {
    /// Parses `wc`, `uniform:P`, `trivalency`, `file`.
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        match s {
            "wc" | "weighted-cascade" => Ok(ProbScheme::WeightedCascade),
            "trivalency" | "tv" => Ok(ProbScheme::Trivalency),
            "file" => Ok(ProbScheme::File),
            _ => {
                if let Some(p) = s.strip_prefix("uniform:") {
                    let v: f64 = p.parse().map_err(|_| {
                        Error::usage(format!("--probs uniform:P needs a number, got '{p}'"))
                    })?;
                    if !(0.0..=1.0).contains(&v) {
                        return Err(Error::usage(format!(
                            "--probs uniform:{p}: probability must be in [0, 1]"
                        )));
                    }
                    if v > 0.0 && v < MIN_PROB {
                        return Err(Error::usage(format!(
                            "--probs uniform:{p}: too small to store or sample (the least is \
                             about 5.4e-20); write 0 if edges never fire"
                        )));
                    }
                    Ok(ProbScheme::Uniform(v))
                } else {
                    Err(Error::usage(format!(
                        "unknown --probs '{s}'; expected wc, uniform:P, trivalency or file"
                    )))
                }
            }
        }
    }

    /// The scheme as the CLI spells it.
    pub fn spec(&self) -> String {
        match self {
            ProbScheme::WeightedCascade => "wc".into(),
            ProbScheme::Uniform(p) => format!("uniform:{p}"),
            ProbScheme::Trivalency => "trivalency".into(),
            ProbScheme::File => "file".into(),
        }
    }
}

/// Probabilities of one adjacency row.
#[derive(Debug, Clone, Copy)]
pub enum RowProbs<'a> {
    /// Every edge of the row has this probability (WC in-rows, uniform).
    Const(f64),
    /// One probability per edge.
    PerEdge(&'a [f32]),
    /// Forward WC: the probability of `u -> v` is `1 / indeg(v)`.
    InvInDegree,
}

#[derive(Debug, Clone)]
enum EdgeProbs<'g> {
    WeightedCascade,
    Uniform(f64),
    PerEdge {
        out: Cow<'g, [f32]>,
        inw: Cow<'g, [f32]>,
    },
}

/// A graph together with its diffusion model and probabilities.
#[derive(Debug, Clone)]
pub struct Model<'g> {
    graph: &'g Graph,
    kind: ModelKind,
    scheme: ProbScheme,
    probs: EdgeProbs<'g>,
    /// Live-count tables of the in-rows that share one probability (WC, uniform), by degree.
    counts: binomial::CountTables,
}

/// A constant-probability row, ready for sampling: the coin as a 64-bit threshold, and the
/// geometric-skip constant.
#[derive(Debug, Clone, Copy)]
pub struct Coin {
    /// The probability.
    pub p: f64,
    /// `p * 2^64`: a uniform u64 below it is a success.
    pub threshold: u64,
    /// `1 / ln(1 - p)`.
    pub inv_log_q: f64,
}

impl Coin {
    /// The coin of probability `p`.
    pub fn new(p: f64) -> Self {
        Coin {
            p,
            threshold: prob_threshold(p),
            // `ln_1p`: below p = 1.1e-16, 1 - p rounds to 1 and a plain `ln` gives 0, which
            // made every edge of a long row fire.
            inv_log_q: if p > 0.0 && p < 1.0 {
                1.0 / (-p).ln_1p()
            } else {
                0.0
            },
        }
    }
}

/// The least positive probability a coin can have (2^-64): below it [`prob_threshold`] is 0,
/// an edge that never fires, though the reach bounds count it as one that can. Such values are
/// refused where they are read.
pub const MIN_PROB: f64 = 1.0 / 18_446_744_073_709_551_616.0;

/// `p * 2^64`, saturating: comparing a uniform u64 against it is a Bernoulli(p) draw.
#[inline]
pub fn prob_threshold(p: f64) -> u64 {
    if p >= 1.0 {
        u64::MAX
    } else if p <= 0.0 {
        0
    } else {
        (p * 18_446_744_073_709_551_616.0) as u64
    }
}

/// Trivalency probability of the arc between the nodes whose labels hash to `u` and `v`
/// ([`label_key`]): a hash of the arc, so forward and reverse agree, and of its ends' labels,
/// not their numbers, so a file re-sorted (or read as `follows` with its lines swapped) is the
/// same instance.
pub fn trivalency_prob(seed: u64, u: u64, v: u64) -> f32 {
    const LEVELS: [f32; 3] = [0.1, 0.01, 0.001];
    let h = stream_key(
        seed,
        Purpose::Trivalency,
        u.rotate_left(32) ^ v.wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    LEVELS[((h as u128 * 3) >> 64) as usize]
}

/// A node's label as a 64-bit key (its xxh3 hash).
pub fn label_key(graph: &Graph, v: u32) -> u64 {
    xxhash_rust::xxh3::xxh3_64(graph.label(v).as_bytes())
}

impl<'g> Model<'g> {
    /// Builds the model, materialising per-edge probabilities where the scheme needs them and
    /// checking LT weights (each node's incoming weights sum to at most 1).
    pub fn new(graph: &'g Graph, kind: ModelKind, scheme: ProbScheme, seed: u64) -> Result<Self> {
        let probs = match scheme {
            ProbScheme::WeightedCascade => EdgeProbs::WeightedCascade,
            ProbScheme::Uniform(p) => EdgeProbs::Uniform(p),
            ProbScheme::File => match (graph.out_weights(), graph.in_weights()) {
                (Some(o), Some(i)) => {
                    // Edge lists are checked line by line as they are read; this catches what a
                    // snapshot could still carry (a hand-made file, weights summed for LT).
                    if let Some(at) = i.iter().position(|&p| !(0.0..=1.0).contains(&p)) {
                        let v = graph.in_offsets.partition_point(|&o| o <= at as u64) - 1;
                        return Err(Error::usage(format!(
                            "edge probabilities must lie in [0, 1], but the arc '{}' -> '{}' has \
                             {} (--probs file)",
                            graph.label(graph.in_sources[at]),
                            graph.label(v as u32),
                            i[at]
                        )));
                    }
                    EdgeProbs::PerEdge {
                        out: Cow::Borrowed(o),
                        inw: Cow::Borrowed(i),
                    }
                }
                _ => {
                    return Err(Error::usage(
                        "--probs file needs a probability column: give --prob-col (a header \
                         name, or a 1-based position for text edge lists)",
                    ))
                }
            },
            ProbScheme::Trivalency => {
                let n = graph.num_nodes() as u32;
                let key: Vec<u64> = (0..n).map(|v| label_key(graph, v)).collect();
                let trivalency_prob =
                    |seed, u: u32, v: u32| trivalency_prob(seed, key[u as usize], key[v as usize]);
                let mut out = Vec::with_capacity(graph.num_edges());
                for u in 0..n {
                    out.extend(
                        graph
                            .out_neighbors(u)
                            .iter()
                            .map(|&v| trivalency_prob(seed, u, v)),
                    );
                }
                let mut inw = Vec::with_capacity(graph.num_edges());
                for v in 0..n {
                    inw.extend(
                        graph
                            .in_neighbors(v)
                            .iter()
                            .map(|&u| trivalency_prob(seed, u, v)),
                    );
                }
                EdgeProbs::PerEdge {
                    out: Cow::Owned(out),
                    inw: Cow::Owned(inw),
                }
            }
        };
        let mut m = Model {
            graph,
            kind,
            scheme,
            probs,
            counts: binomial::CountTables::default(),
        };
        m.use_count_tables(true);
        if kind == ModelKind::LinearThreshold {
            m.check_lt_weights()?;
        }
        Ok(m)
    }

    fn check_lt_weights(&self) -> Result<()> {
        let g = self.graph;
        for v in 0..g.num_nodes() as u32 {
            let d = g.in_degree(v);
            let sum = match self.in_row(v) {
                RowProbs::Const(p) => p * d as f64,
                RowProbs::PerEdge(w) => w.iter().map(|&x| x as f64).sum(),
                RowProbs::InvInDegree => 1.0,
            };
            if sum.is_nan() || sum > 1.0 + 1e-6 {
                return Err(Error::usage(format!(
                    "linear threshold needs each node's incoming weights to sum to at most 1, but \
                     node '{}' has {d} in-edges summing to {sum:.6} (with --probs {}); use --probs \
                     wc or normalise the weights",
                    g.label(v),
                    self.scheme.spec()
                )));
            }
        }
        Ok(())
    }

    /// The graph.
    #[inline]
    pub fn graph(&self) -> &'g Graph {
        self.graph
    }

    /// IC or LT.
    #[inline]
    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// The probability scheme.
    pub fn scheme(&self) -> ProbScheme {
        self.scheme
    }

    /// Probabilities of `v`'s in-edges (in `graph.in_neighbors(v)` order).
    #[inline]
    pub fn in_row(&self, v: u32) -> RowProbs<'_> {
        match &self.probs {
            EdgeProbs::WeightedCascade => {
                let d = self.graph.in_degree(v);
                RowProbs::Const(if d == 0 { 0.0 } else { 1.0 / d as f64 })
            }
            EdgeProbs::Uniform(p) => RowProbs::Const(*p),
            EdgeProbs::PerEdge { inw, .. } => RowProbs::PerEdge(&inw[self.graph.in_range(v)]),
        }
    }

    /// The coin of an in-row of length `d` when all its edges share one probability (WC,
    /// uniform).
    #[inline]
    pub fn in_coin(&self, d: usize) -> Option<Coin> {
        match &self.probs {
            EdgeProbs::WeightedCascade => Some(Coin::new(1.0 / d.max(1) as f64)),
            EdgeProbs::Uniform(p) => Some(Coin::new(*p)),
            EdgeProbs::PerEdge { .. } => None,
        }
    }

    /// Turns the count-table sampler of constant-probability rows off (coin per edge, or
    /// geometric skipping on long rows) or back on. The two draw the same distribution; the switch
    /// exists so benchmarks and tests can compare them in one run.
    pub fn use_count_tables(&mut self, on: bool) {
        let g = self.graph;
        let degrees = (0..g.num_nodes() as u32).map(|v| g.in_degree(v));
        self.counts = match (&self.probs, on) {
            (EdgeProbs::WeightedCascade, true) => {
                binomial::CountTables::build(degrees, |d| 1.0 / d as f64)
            }
            (EdgeProbs::Uniform(p), true) => {
                let p = *p;
                binomial::CountTables::build(degrees, |_| p)
            }
            _ => binomial::CountTables::default(),
        };
    }

    /// As [`Model::in_live_count`], given at least one live edge.
    #[inline]
    pub(crate) fn in_live_count_positive(&self, d: usize, rng: &mut Rng) -> Option<usize> {
        self.counts.draw_positive(d, rng)
    }

    /// Probability that `v` has no live in-edge in a random world, in which case its RR set is
    /// `{v}` alone: `prod(1 - p)` under IC, `1 - sum(w)` under LT.
    pub fn no_live_in_prob(&self, v: u32) -> f64 {
        let d = self.graph.in_degree(v);
        if d == 0 {
            return 1.0;
        }
        let q = match (self.kind, self.in_row(v)) {
            (ModelKind::IndependentCascade, RowProbs::Const(p)) => (1.0 - p).powi(d as i32),
            (ModelKind::IndependentCascade, RowProbs::PerEdge(w)) => {
                w.iter().map(|&p| 1.0 - p as f64).product()
            }
            (ModelKind::LinearThreshold, RowProbs::Const(p)) => 1.0 - p * d as f64,
            (ModelKind::LinearThreshold, RowProbs::PerEdge(w)) => {
                1.0 - w.iter().map(|&x| x as f64).sum::<f64>()
            }
            (_, RowProbs::InvInDegree) => unreachable!("in-rows never use InvInDegree"),
        };
        q.clamp(0.0, 1.0)
    }

    /// The number of live edges of an in-row of length `d` whose edges share one probability,
    /// when that row length has a count table (see `binomial`).
    #[inline]
    pub(crate) fn in_live_count(&self, d: usize, rng: &mut Rng) -> Option<usize> {
        self.counts.draw(d, rng)
    }

    /// Probabilities of `u`'s out-edges (in `graph.out_neighbors(u)` order).
    #[inline]
    pub fn out_row(&self, u: u32) -> RowProbs<'_> {
        match &self.probs {
            EdgeProbs::WeightedCascade => RowProbs::InvInDegree,
            EdgeProbs::Uniform(p) => RowProbs::Const(*p),
            EdgeProbs::PerEdge { out, .. } => RowProbs::PerEdge(&out[self.graph.out_range(u)]),
        }
    }

    /// Probability of the `j`-th out-edge of `u` (to `v`).
    #[inline]
    pub fn out_prob(&self, row: RowProbs<'_>, j: usize, v: u32) -> f64 {
        match row {
            RowProbs::Const(p) => p,
            RowProbs::PerEdge(w) => w[j] as f64,
            RowProbs::InvInDegree => 1.0 / self.graph.in_degree(v) as f64,
        }
    }

    /// Breadth-first spread from `starts` beyond what `ws` has visited since its reset (its queue
    /// holds every node visited, in order), along the arcs `live(u, j, gj, v, row)` accepts (`j`:
    /// the arc's place in `u`'s out-row, `gj` in the whole forward CSR); an arc into a node
    /// already visited is not asked. Returns the arcs asked. Forward worlds (hashed coins) and
    /// reach bounds (arcs that can fire, or must) share it.
    pub fn spread_where(
        &self,
        starts: &[u32],
        ws: &mut Workspace,
        mut live: impl FnMut(u32, usize, usize, u32, RowProbs<'_>) -> bool,
    ) -> u64 {
        let g = self.graph;
        let mut head = ws.queue.len();
        for &s in starts {
            if ws.visit(s) {
                ws.queue.push(s);
            }
        }
        let mut asked = 0u64;
        while head < ws.queue.len() {
            let u = ws.queue[head];
            head += 1;
            let row = self.out_row(u);
            let base = g.out_range(u).start;
            for (j, &v) in g.out_neighbors(u).iter().enumerate() {
                if ws.visited(v) {
                    continue;
                }
                asked += 1;
                if live(u, j, base + j, v, row) {
                    ws.visit(v);
                    ws.queue.push(v);
                }
            }
        }
        asked
    }

    /// A workspace sized for this graph (one per thread).
    pub fn workspace(&self) -> Workspace {
        Workspace::new(self.graph.num_nodes())
    }

    /// Runs one forward cascade from `seeds`; the activated nodes (seeds first) are left in
    /// `ws.active()`. Returns how many nodes were reached, seeds included.
    pub fn simulate(&self, seeds: &[u32], rng: &mut Rng, ws: &mut Workspace) -> usize {
        match self.kind {
            ModelKind::IndependentCascade => ic::simulate(self, seeds, rng, ws),
            ModelKind::LinearThreshold => lt::simulate(self, seeds, rng, ws),
        }
    }

    /// Samples the reverse-reachable set of `root` and appends its members (root first) to `out`.
    /// A seed set reaches `root` in a random cascade exactly when it intersects this set.
    pub fn sample_rr(&self, root: u32, rng: &mut Rng, ws: &mut Workspace, out: &mut Vec<u32>) {
        match self.kind {
            ModelKind::IndependentCascade => ic::sample_rr(self, root, false, rng, ws, out),
            ModelKind::LinearThreshold => lt::sample_rr(self, root, false, rng, ws, out),
        }
    }

    /// As [`Model::sample_rr`], in the world conditioned on `root` having a live in-edge (the
    /// sampled stratum of `RootSampler::stratified`). `root` must have `no_live_in_prob < 1`.
    pub fn sample_rr_live_root(
        &self,
        root: u32,
        rng: &mut Rng,
        ws: &mut Workspace,
        out: &mut Vec<u32>,
    ) {
        match self.kind {
            ModelKind::IndependentCascade => ic::sample_rr(self, root, true, rng, ws, out),
            ModelKind::LinearThreshold => lt::sample_rr(self, root, true, rng, ws, out),
        }
    }
}
