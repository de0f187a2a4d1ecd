//! `seedplan bench`: a grid of (graph, model, algorithm, ε, k, repetition), every seed set scored
//! by ONE shared Monte Carlo evaluator (same runs, same random streams for every cell), so reach
//! numbers compare fairly across algorithms and against seed sets imported from other tools.

use crate::diffusion::{Model, ModelKind, ProbScheme};
use crate::error::{Error, Result};
use crate::eval::{estimate_reach, ReachEstimate};
use crate::graph::{BuildOptions, EdgeMeaning, Graph};
use crate::input::{self, EdgeReadOptions};
use crate::progress::Progress;
use crate::rrset::RootSampler;
use crate::select::{Algorithm, SelectConfig, SelectContext};
use crate::sys;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// One graph of the suite.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphSpec {
    /// Short name for tables and file names (default: the file stem).
    #[serde(default)]
    pub name: String,
    /// Edge list path.
    pub path: String,
    /// Add reverse arcs.
    #[serde(default)]
    pub undirected: bool,
    /// `influences` (default) or `follows`.
    #[serde(default)]
    pub edge_meaning: Option<String>,
    /// Algorithms not to run on this graph (e.g. plain Monte Carlo greedy on large graphs).
    #[serde(default)]
    pub skip: Vec<String>,
    /// Only these algorithms on this graph (empty: all of the suite's).
    #[serde(default)]
    pub only: Vec<String>,
    /// Worlds for the Monte Carlo greedies on this graph (default: the suite's `mc_runs`).
    #[serde(default)]
    pub mc_runs: Option<u32>,
}

/// A diffusion setting of the suite.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// `ic` or `lt`.
    pub model: String,
    /// Probability scheme (`wc`, `uniform:P`, `trivalency`).
    pub probs: String,
}

/// Seeds produced elsewhere, scored on the same footing.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportSpec {
    /// Name in the tables.
    pub name: String,
    /// File with one label a line.
    pub path: String,
}

/// The whole benchmark (also the shape of `--suite FILE.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    /// Graphs.
    #[serde(rename = "graph")]
    pub graphs: Vec<GraphSpec>,
    /// Models (default: IC with WC).
    #[serde(default = "default_models")]
    pub models: Vec<ModelSpec>,
    /// Algorithm names.
    pub algos: Vec<String>,
    /// Seed-set sizes.
    pub k: Vec<usize>,
    /// ε values for the RR engines (a sweep feeds the matched-quality view).
    #[serde(default = "default_eps")]
    pub epsilons: Vec<f64>,
    /// Monte Carlo runs of the shared evaluator.
    #[serde(default = "default_runs")]
    pub runs: u64,
    /// Base seed; repetition r uses seed + r.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Repetitions per cell.
    #[serde(default = "default_reps")]
    pub reps: u32,
    /// Worlds for celf/celfpp/greedy.
    #[serde(default = "default_mc")]
    pub mc_runs: u32,
    /// Imported seed sets.
    #[serde(default, rename = "import")]
    pub imports: Vec<ImportSpec>,
}

fn default_models() -> Vec<ModelSpec> {
    vec![ModelSpec {
        model: "ic".into(),
        probs: "wc".into(),
    }]
}
fn default_eps() -> Vec<f64> {
    vec![crate::select::DEFAULT_EPSILON]
}
fn default_runs() -> u64 {
    crate::eval::DEFAULT_RUNS
}
fn default_seed() -> u64 {
    1
}
fn default_reps() -> u32 {
    1
}
fn default_mc() -> u32 {
    200
}

/// One measured cell (one repetition).
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Graph name.
    pub graph: String,
    /// `ic`/`lt`.
    pub model: String,
    /// Probability scheme.
    pub probs: String,
    /// Algorithm (or `import:NAME`).
    pub algorithm: String,
    /// ε (RR engines), else null.
    pub epsilon: Option<f64>,
    /// Seeds requested.
    pub k: usize,
    /// Repetition index.
    pub rep: u32,
    /// Seed used by the algorithm.
    pub seed: u64,
    /// Shared-evaluator reach.
    pub reach: ReachEstimate,
    /// Wall seconds of the algorithm.
    pub wall_seconds: f64,
    /// CPU seconds of the algorithm (all threads).
    pub cpu_seconds: f64,
    /// Process peak RSS after the cell, bytes. The kernel's counter is reset per cell, but
    /// memory the allocator kept from earlier cells still counts, so compare `rr_bytes` (or run
    /// one cell per process) for per-algorithm memory.
    pub peak_memory_bytes: Option<u64>,
    /// Peak bytes of the algorithm's RR storage.
    pub rr_bytes: u64,
    /// RR sets sampled.
    pub rr_sets: u64,
    /// Approximation ratio the algorithm reports.
    pub approximation: Option<f64>,
    /// Seeds chosen, labels.
    pub seeds: Vec<String>,
}

/// Cells aggregated over repetitions.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Graph name.
    pub graph: String,
    /// Model.
    pub model: String,
    /// Probability scheme.
    pub probs: String,
    /// Algorithm.
    pub algorithm: String,
    /// ε.
    pub epsilon: Option<f64>,
    /// k.
    pub k: usize,
    /// Repetitions.
    pub reps: u32,
    /// Mean reach over repetitions.
    pub reach: f64,
    /// 95% interval of the mean reach (evaluator noise and repetition spread).
    pub reach_ci95: [f64; 2],
    /// Standard deviation of reach across repetitions.
    pub reach_sd: f64,
    /// Mean wall seconds.
    pub wall_seconds: f64,
    /// Standard deviation of wall seconds.
    pub wall_sd: f64,
    /// Mean CPU seconds.
    pub cpu_seconds: f64,
    /// Max process peak RSS (see `Cell::peak_memory_bytes`).
    pub peak_memory_bytes: Option<u64>,
    /// Max RR storage bytes.
    pub rr_bytes: u64,
    /// Mean RR sets.
    pub rr_sets: f64,
    /// Mean reported approximation.
    pub approximation: Option<f64>,
    /// Reach as a fraction of the best reach in its (graph, model, k) group.
    pub of_best: f64,
}

/// Time each algorithm needs to come within 1% of the best reach found.
#[derive(Debug, Clone, Serialize)]
pub struct Matched {
    /// Graph.
    pub graph: String,
    /// Model.
    pub model: String,
    /// Probability scheme.
    pub probs: String,
    /// k.
    pub k: usize,
    /// Algorithm.
    pub algorithm: String,
    /// Fastest configuration within 1% of the best, wall seconds; None if never.
    pub seconds_to_99pct: Option<f64>,
    /// Its ε.
    pub epsilon: Option<f64>,
}

fn meaning(s: &Option<String>) -> Result<EdgeMeaning> {
    match s.as_deref() {
        None | Some("influences") => Ok(EdgeMeaning::Influences),
        Some("follows") => Ok(EdgeMeaning::Follows),
        Some(o) => Err(Error::usage(format!(
            "edge_meaning '{o}': expected influences or follows"
        ))),
    }
}

/// Validates the suite before any work.
pub fn validate(s: &Suite) -> Result<Vec<Algorithm>> {
    if s.graphs.is_empty() {
        return Err(Error::usage("bench needs at least one --graph"));
    }
    if s.k.is_empty() || s.k.contains(&0) {
        return Err(Error::usage("bench needs --k values >= 1"));
    }
    if s.runs == 0 || s.reps == 0 {
        return Err(Error::usage("--runs and --reps must be at least 1"));
    }
    for &e in &s.epsilons {
        crate::select::check_epsilon(e, "epsilons")?;
    }
    for m in &s.models {
        ProbScheme::parse(&m.probs)?;
        if m.model != "ic" && m.model != "lt" {
            return Err(Error::usage(format!(
                "model '{}': expected ic or lt",
                m.model
            )));
        }
    }
    if s.mc_runs == 0 || s.graphs.iter().any(|g| g.mc_runs == Some(0)) {
        return Err(Error::usage("--mc-runs must be at least 1"));
    }
    if s.algos.is_empty() && s.imports.is_empty() {
        return Err(Error::usage("bench needs --algos or --import"));
    }
    // An import is read once per graph (and again to tell another graph's list from a list
    // with mistakes): a pipe would be empty the second time.
    for imp in &s.imports {
        let meta = std::fs::metadata(&imp.path)
            .map_err(|e| Error::in_file(&imp.path, format!("--import {}: {e}", imp.name)))?;
        if !meta.is_file() {
            return Err(Error::usage(format!(
                "--import {}={}: give a regular file (bench reads an import once per graph; a \
                 pipe or stdin can be read only once)",
                imp.name, imp.path
            )));
        }
    }
    let algos: Vec<Algorithm> = s
        .algos
        .iter()
        .map(|a| Algorithm::parse(a))
        .collect::<Result<_>>()?;
    // A value listed twice made its cells twice, averaged as repetitions (`reps` 2 from
    // `--reps 1`).
    let twice = |what: &str, values: Vec<String>| -> Result<()> {
        for (i, v) in values.iter().enumerate() {
            if values[..i].contains(v) {
                return Err(Error::usage(format!(
                    "{what} lists {v} twice: its cells would be averaged as repetitions (use \
                     --reps for repetitions)"
                )));
            }
        }
        Ok(())
    };
    twice(
        "algos",
        algos.iter().map(|a| a.name().to_string()).collect(),
    )?;
    twice("k", s.k.iter().map(|k| k.to_string()).collect())?;
    twice(
        "epsilons",
        s.epsilons.iter().map(|e| e.to_string()).collect(),
    )?;
    twice(
        "models",
        s.models
            .iter()
            .map(|m| {
                let p = ProbScheme::parse(&m.probs).map_or(m.probs.clone(), |p| p.spec());
                format!("{}:{p}", m.model)
            })
            .collect(),
    )?;
    // Cells are keyed by graph name: two different graphs of one name would be averaged
    // together as if they were repetitions, and their charts would overwrite each other. One
    // graph may appear in several entries (e.g. with different `only` lists), but two entries
    // of one name that run the same algorithm would be averaged alike.
    type Seen<'a> = (String, bool, EdgeMeaning, Vec<&'a str>);
    let mut names: std::collections::BTreeMap<String, Seen<'_>> = Default::default();
    for g in &s.graphs {
        let m = meaning(&g.edge_meaning)?;
        let name = if g.name.is_empty() {
            graph_name(&g.path)
        } else {
            g.name.clone()
        };
        let path = std::path::Path::new(&g.path)
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect::<std::path::PathBuf>()
            .display()
            .to_string();
        let runs: Vec<&str> = algos
            .iter()
            .map(|a| a.name())
            .filter(|a| !g.skip.iter().any(|s| s == a))
            .filter(|a| g.only.is_empty() || g.only.iter().any(|s| s == a))
            .collect();
        match names.get_mut(&name) {
            Some((p, u, mm, seen)) => {
                if *p != path || *u != g.undirected || *mm != m {
                    return Err(Error::usage(format!(
                        "two different graphs are both named '{name}': give them distinct \
                         names (in a suite file, `name = ...`; on the command line, --graph \
                         NAME=PATH)"
                    )));
                }
                if let Some(a) = runs.iter().find(|a| seen.contains(a)) {
                    return Err(Error::usage(format!(
                        "graph '{name}' is listed twice and both entries run {a}: their cells \
                         would be averaged as repetitions; split the algorithms with `only` or \
                         `skip`"
                    )));
                }
                seen.extend(runs);
            }
            None => {
                names.insert(name, (path, g.undirected, m, runs));
            }
        }
    }
    // `skip` and `only` name algorithms; a misspelt one would silently run or skip nothing.
    for g in &s.graphs {
        for (key, list) in [("skip", &g.skip), ("only", &g.only)] {
            for a in list {
                Algorithm::parse(a).map_err(|e| match e {
                    Error::Usage(m) => Error::usage(format!("{key} lists an {m}")),
                    e => e,
                })?;
            }
        }
    }
    Ok(algos)
}

/// Runs the suite; `on_graph` sees each graph once loaded (its name, the path benchmarked, and
/// the graph with its load report), `on_cell` each cell as it finishes (for progress lines).
pub fn run(
    suite: &Suite,
    progress: &dyn Progress,
    mut on_graph: impl FnMut(&str, &str, &Graph),
    mut on_cell: impl FnMut(&Cell),
) -> Result<Vec<Cell>> {
    let algos = validate(suite)?;
    let mut cells = Vec::new();
    // Imports are scored once per graph name and model: a graph split over several entries (by
    // `only`/`skip`) would otherwise score them once an entry, averaged as repetitions.
    let mut imports_scored: std::collections::BTreeSet<(String, String, String)> =
        Default::default();
    // Probabilities from the files (`ic:file`, `lt:file`): a text list's third column is read,
    // and duplicate arcs merge by the model's rule, which must then be one for the suite.
    let file_models: std::collections::BTreeSet<&str> = suite
        .models
        .iter()
        .filter(|m| m.probs == "file")
        .map(|m| m.model.as_str())
        .collect();
    if file_models.len() > 1 {
        return Err(Error::usage(
            "ic:file and lt:file merge duplicate arcs' probabilities differently (IC: \
             1 - (1-p)(1-q), LT: the sum): bench them in two runs",
        ));
    }
    let read = EdgeReadOptions {
        want_prob: !file_models.is_empty(),
        ..Default::default()
    };
    let merge = if file_models.contains("lt") {
        crate::graph::MergeRule::Sum
    } else {
        crate::graph::MergeRule::Probability
    };
    for gs in &suite.graphs {
        let build = BuildOptions {
            meaning: meaning(&gs.edge_meaning)?,
            undirected: gs.undirected,
            merge,
        };
        let graph = input::load_graph(&gs.path, &read, &build)?;
        // A snapshot keeps the options it was converted with: one asked for here that it
        // lacks would be a different graph, so it is refused (as `plan` does), not ignored.
        // (A text list is built with the options asked for, so it always agrees.)
        let r = graph.report();
        if (gs.undirected && !r.undirected)
            || gs
                .edge_meaning
                .as_deref()
                .is_some_and(|m| m != r.edge_meaning)
        {
            return Err(Error::in_file(
                &gs.path,
                format!(
                    "a snapshot keeps the options it was converted with (edge meaning {}, \
                     undirected {}); the suite asks for others: convert the edge list again \
                     with them",
                    r.edge_meaning, r.undirected
                ),
            ));
        }
        // A snapshot's duplicate arcs were merged under the model it was converted for: their
        // probabilities are wrong for the other one (as `plan` refuses).
        if let (Some(asked), Some(done)) = (file_models.first(), r.weights_merged_for.as_deref()) {
            if done != *asked {
                return Err(Error::in_file(
                    &gs.path,
                    format!(
                        "this snapshot merged {} duplicate arc(s) by the {done} rule, but the \
                         suite benches {asked}:file: re-run `seedplan convert --model {asked}` \
                         on the edge list",
                        r.duplicates_merged
                    ),
                ));
            }
        }
        let name = if gs.name.is_empty() {
            graph_name(&gs.path)
        } else {
            gs.name.clone()
        };
        on_graph(&name, &gs.path, &graph);
        let imports = load_imports(suite, &graph)?;
        // Every model of the graph is built before any of its cells runs: LT weights that sum
        // above 1 were refused after the IC cells had run, and without the graph's name.
        // One model for every repetition: trivalency draws its probabilities from the seed, and
        // a model per repetition scored the same seeds on different graphs.
        let models: Vec<Model<'_>> = suite
            .models
            .iter()
            .map(|ms| {
                let kind = if ms.model == "lt" {
                    ModelKind::LinearThreshold
                } else {
                    ModelKind::IndependentCascade
                };
                let scheme = ProbScheme::parse(&ms.probs)?;
                Model::new(&graph, kind, scheme, suite.seed).map_err(|e| match e {
                    Error::Usage(msg) => Error::in_file(
                        &gs.path,
                        format!("graph '{name}', model {}:{}: {msg}", ms.model, ms.probs),
                    ),
                    e => e,
                })
            })
            .collect::<Result<_>>()?;
        for (ms, model) in suite.models.iter().zip(&models) {
            let scheme = ProbScheme::parse(&ms.probs)?;
            for rep in 0..suite.reps {
                let seed = suite.seed + rep as u64;
                let roots = RootSampler::uniform(graph.num_nodes());
                let label = |ids: &[u32]| -> Vec<String> {
                    ids.iter().map(|&v| graph.label(v).into_owned()).collect()
                };
                for &k in &suite.k {
                    for &algo in algos.iter().filter(|a| {
                        !gs.skip.iter().any(|s| s == a.name())
                            && (gs.only.is_empty() || gs.only.iter().any(|s| s == a.name()))
                    }) {
                        let eps_list: Vec<Option<f64>> = if algo.uses_rr_sets() {
                            suite.epsilons.iter().map(|&e| Some(e)).collect()
                        } else {
                            vec![None]
                        };
                        for eps in eps_list {
                            let mut cfg = SelectConfig::new(k, seed);
                            if let Some(e) = eps {
                                cfg.epsilon = e;
                            }
                            cfg.mc_runs = gs.mc_runs.unwrap_or(suite.mc_runs);
                            let ctx = SelectContext {
                                model,
                                roots: &roots,
                                candidates: None,
                                forced: &[],
                                config: cfg,
                                progress,
                            };
                            let reset = sys::reset_peak_rss();
                            let (c0, t0) = (sys::cpu_seconds(), Instant::now());
                            let sel = algo.selector().select(&ctx)?;
                            let wall = t0.elapsed().as_secs_f64();
                            let cpu = sys::cpu_seconds() - c0;
                            let peak = if reset { sys::peak_rss() } else { None };
                            // The shared evaluator: same runs and streams for every cell.
                            let reach = estimate_reach(model, &sel.seeds, suite.runs, suite.seed);
                            let cell = Cell {
                                graph: name.clone(),
                                model: ms.model.clone(),
                                probs: scheme.spec(),
                                algorithm: algo.name().to_string(),
                                epsilon: eps,
                                k,
                                rep,
                                seed,
                                reach,
                                wall_seconds: wall,
                                cpu_seconds: cpu,
                                peak_memory_bytes: peak,
                                rr_bytes: sel.rr_bytes,
                                rr_sets: sel.rr_sets,
                                approximation: sel.approximation,
                                seeds: label(&sel.seeds),
                            };
                            on_cell(&cell);
                            cells.push(cell);
                        }
                    }
                }
                if rep == 0
                    && imports_scored.insert((name.clone(), ms.model.clone(), scheme.spec()))
                {
                    for (iname, ids) in &imports {
                        let reach = estimate_reach(model, ids, suite.runs, suite.seed);
                        let cell = Cell {
                            graph: name.clone(),
                            model: ms.model.clone(),
                            probs: scheme.spec(),
                            algorithm: format!("import:{iname}"),
                            epsilon: None,
                            k: ids.len(),
                            rep: 0,
                            seed,
                            reach,
                            wall_seconds: 0.0,
                            cpu_seconds: 0.0,
                            peak_memory_bytes: None,
                            rr_bytes: 0,
                            rr_sets: 0,
                            approximation: None,
                            seeds: label(ids),
                        };
                        on_cell(&cell);
                        cells.push(cell);
                    }
                }
            }
        }
    }
    Ok(cells)
}

fn graph_name(path: &str) -> String {
    let file = std::path::Path::new(path)
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_else(|| path.to_string());
    file.split('.').next().unwrap_or(&file).to_string()
}

/// Imported seed lists whose labels all exist in `graph` (others are skipped for this graph;
/// an import that fits no graph is reported by the caller).
fn load_imports(suite: &Suite, graph: &Graph) -> Result<Vec<(String, Vec<u32>)>> {
    let mut out = Vec::new();
    for imp in &suite.imports {
        match input::parse_seeds(&imp.path, graph) {
            Ok(s) => out.push((imp.name.clone(), s.ids)),
            // Labels from another graph: this import is not for this graph. One that names some
            // of this graph's accounts is for it, with a mistake: the error names the label.
            Err(e @ Error::Input { .. })
                if e.to_string().contains("is not in the graph")
                    && !input::any_seed_in(&imp.path, graph)? => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = if xs.len() > 1 {
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (m, v.sqrt())
}

/// What identifies a configuration across repetitions.
type CellKey<'a> = (&'a str, &'a str, &'a str, &'a str, Option<u64>, usize);

fn cell_key(c: &Cell) -> CellKey<'_> {
    (
        &c.graph,
        &c.model,
        &c.probs,
        &c.algorithm,
        c.epsilon.map(f64::to_bits),
        c.k,
    )
}

/// Aggregates repetitions and computes the share of the best reach per group.
pub fn summarize(cells: &[Cell]) -> Vec<Row> {
    let mut keys: Vec<CellKey<'_>> = Vec::new();
    for c in cells {
        let key = cell_key(c);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut rows: Vec<Row> = keys
        .iter()
        .map(|key| {
            let group: Vec<&Cell> = cells.iter().filter(|c| cell_key(c) == *key).collect();
            let reaches: Vec<f64> = group.iter().map(|c| c.reach.expected_reach).collect();
            let (m, sd) = mean_sd(&reaches);
            let r = group.len() as f64;
            // Variance of the mean: evaluator noise plus repetition spread. Every repetition is
            // scored on the same Monte Carlo streams, so their evaluator errors are correlated
            // and averaging them need not shrink the noise: it is counted at its worst, as one
            // error of the mean size (repeating one seed set keeps its interval).
            let ev = (group.iter().map(|c| c.reach.std_error).sum::<f64>() / r).powi(2);
            let se = (ev + if group.len() > 1 { sd * sd / r } else { 0.0 }).sqrt();
            let (w, wsd) = mean_sd(&group.iter().map(|c| c.wall_seconds).collect::<Vec<_>>());
            let (cpu, _) = mean_sd(&group.iter().map(|c| c.cpu_seconds).collect::<Vec<_>>());
            let approx: Vec<f64> = group.iter().filter_map(|c| c.approximation).collect();
            Row {
                graph: key.0.to_string(),
                model: key.1.to_string(),
                probs: key.2.to_string(),
                algorithm: key.3.to_string(),
                epsilon: key.4.map(f64::from_bits),
                k: key.5,
                reps: group.len() as u32,
                reach: m,
                reach_ci95: [m - crate::eval::Z95 * se, m + crate::eval::Z95 * se],
                reach_sd: sd,
                wall_seconds: w,
                wall_sd: wsd,
                cpu_seconds: cpu,
                peak_memory_bytes: group.iter().filter_map(|c| c.peak_memory_bytes).max(),
                rr_bytes: group.iter().map(|c| c.rr_bytes).max().unwrap_or(0),
                rr_sets: group.iter().map(|c| c.rr_sets as f64).sum::<f64>() / r,
                approximation: (!approx.is_empty())
                    .then(|| approx.iter().sum::<f64>() / approx.len() as f64),
                of_best: 0.0,
            }
        })
        .collect();
    let best: Vec<f64> = rows
        .iter()
        .map(|r| {
            rows.iter()
                .filter(|o| {
                    o.graph == r.graph && o.model == r.model && o.probs == r.probs && o.k == r.k
                })
                .map(|o| o.reach)
                .fold(0.0, f64::max)
        })
        .collect();
    for (r, b) in rows.iter_mut().zip(best) {
        r.of_best = if b > 0.0 { r.reach / b } else { 0.0 };
    }
    rows
}

/// The matched-quality view (Arora et al., SIGMOD 2017): per (graph, model, k, algorithm), the
/// least wall time among its configurations that reach within 1% of the best reach found.
pub fn matched_quality(rows: &[Row]) -> Vec<Matched> {
    let mut out: Vec<Matched> = Vec::new();
    for r in rows {
        if out.iter().any(|m| {
            m.graph == r.graph
                && m.model == r.model
                && m.probs == r.probs
                && m.k == r.k
                && m.algorithm == r.algorithm
        }) {
            continue;
        }
        let best = rows
            .iter()
            .filter(|o| {
                o.graph == r.graph
                    && o.model == r.model
                    && o.probs == r.probs
                    && o.k == r.k
                    && o.algorithm == r.algorithm
                    && o.of_best >= 0.99
            })
            .min_by(|a, b| a.wall_seconds.total_cmp(&b.wall_seconds));
        out.push(Matched {
            graph: r.graph.clone(),
            model: r.model.clone(),
            probs: r.probs.clone(),
            k: r.k,
            algorithm: r.algorithm.clone(),
            seconds_to_99pct: best.map(|b| b.wall_seconds),
            epsilon: best.and_then(|b| b.epsilon),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(rep: u32, reach: f64, se: f64) -> Cell {
        Cell {
            graph: "g".into(),
            model: "ic".into(),
            probs: "wc".into(),
            algorithm: "auto".into(),
            epsilon: Some(0.1),
            k: 5,
            rep,
            seed: rep as u64,
            reach: ReachEstimate {
                expected_reach: reach,
                std_error: se,
                ci95: [reach - crate::eval::Z95 * se, reach + crate::eval::Z95 * se],
                runs: 1000,
            },
            wall_seconds: 1.0,
            cpu_seconds: 1.0,
            peak_memory_bytes: None,
            rr_bytes: 0,
            rr_sets: 0,
            approximation: None,
            seeds: vec![],
        }
    }

    /// The repetitions share the evaluator's streams: scoring one seed set again does not
    /// narrow its interval, and a spread between repetitions widens it.
    #[test]
    fn repetitions_do_not_average_away_the_shared_evaluator_noise() {
        let half = |rows: &[Row]| (rows[0].reach_ci95[1] - rows[0].reach_ci95[0]) / 2.0;
        let one = summarize(&[cell(0, 100.0, 2.0)]);
        let same = summarize(&[
            cell(0, 100.0, 2.0),
            cell(1, 100.0, 2.0),
            cell(2, 100.0, 2.0),
        ]);
        assert!((half(&one) - crate::eval::Z95 * 2.0).abs() < 1e-9);
        assert!((half(&same) - half(&one)).abs() < 1e-9);
        let spread = summarize(&[cell(0, 96.0, 2.0), cell(1, 104.0, 2.0)]);
        // sd = 5.657, so the mean's spread part is 4.0 and the evaluator's 2.0.
        let want = crate::eval::Z95 * (4.0f64 + 16.0).sqrt();
        assert!((half(&spread) - want).abs() < 1e-9, "{}", half(&spread));
        assert_eq!(spread[0].reps, 2);
        assert!((spread[0].reach - 100.0).abs() < 1e-12);
    }
}
