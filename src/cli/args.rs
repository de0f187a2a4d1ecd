//! Command-line definition (clap derive). Doc comments are the help text.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// seedplan: decide whom to seed so a message spreads furthest for the money.
#[derive(Debug, Parser)]
#[command(name = "seedplan", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
    /// Worker threads (default: all cores). Results are identical for any value.
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    /// No progress or diagnostics on stderr (errors still print).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process; boxing buys nothing
pub enum Command {
    /// Pick seeds: a ranked plan with expected reach and its confidence interval.
    Plan(PlanArgs),
    /// Estimate the expected reach of a given seed set by Monte Carlo simulation.
    Evaluate(EvaluateArgs),
    /// Describe a graph: nodes, edges, what loading dropped, degree distribution.
    Stats(StatsArgs),
    /// Generate a synthetic follower graph and a matching price list.
    Generate(GenerateArgs),
    /// Benchmark algorithms on graphs, every seed set scored by one shared evaluator.
    Bench(BenchArgs),
    /// Reach-versus-budget frontier: a budgeted plan per budget, as CSV/JSON and an SVG chart.
    Curve(CurveArgs),
    /// Pairwise audience overlap (expected shared reach) of chosen influencers.
    Overlap(OverlapArgs),
    /// Convert an edge list to a binary snapshot (.spg) that every command loads much faster.
    Convert(ConvertArgs),
    /// Run a batch job (JOB.toml): many plans, a manifest, unchanged finished plans skipped.
    Run(RunArgs),
}

/// `seedplan run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The job file (TOML).
    pub job: String,
    /// Log format on stderr: text, or json (one JSON object per line, for schedulers).
    #[arg(long, default_value = "text")]
    pub log_format: String,
}

/// `seedplan convert`.
#[derive(Debug, Clone, Args)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    /// Merge duplicate arcs' weights as this model does (ic: 1-(1-p1)(1-p2); lt: sum).
    #[arg(long, value_enum, default_value = "ic")]
    pub model: ModelArg,
    /// Keep the probability column (as for --probs file).
    #[arg(long)]
    pub with_probs: bool,
    /// Snapshot file to write.
    #[arg(long, short = 'o')]
    pub output: String,
}

/// Curve output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TableFormat {
    /// CSV.
    Csv,
    /// JSON.
    Json,
}

/// `seedplan curve`.
#[derive(Debug, Clone, Args)]
pub struct CurveArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub costs: CostArgs,
    /// Budgets: FROM:TO:COUNT (evenly spaced) or a list 1000,5000,20000.
    #[arg(long)]
    pub budgets: String,
    /// Campaign rules (TOML) applied at every budget (its `budget` is ignored).
    #[arg(long)]
    pub constraints: Option<String>,
    /// Maximum number of seeds at every budget.
    #[arg(long, short = 'k')]
    pub k: Option<usize>,
    /// Approximation slack of the sampling rule.
    #[arg(long, default_value_t = seedplan::select::DEFAULT_EPSILON)]
    pub epsilon: f64,
    /// MIP work per budget, in about this many seconds of this machine kind (a node budget, so
    /// the plan does not depend on the machine); the LP-dual bound gets work worth about a
    /// quarter of it (counted in id visits, so the certificate does not either).
    #[arg(long, default_value_t = 2.0)]
    pub mip_seconds: f64,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: TableFormat,
    /// Write the table to this file (atomically) instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<String>,
    /// Also write the chart (reach and marginal reach per $1,000 against budget) as SVG.
    #[arg(long)]
    pub svg: Option<String>,
}

/// `seedplan overlap`.
#[derive(Debug, Clone, Args)]
pub struct OverlapArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Seeds: a comma-separated list, a file with one label a line, or a plan JSON.
    #[arg(long, short = 's')]
    pub seeds: String,
    /// Relative standard error targeted for the seeds' combined reach.
    #[arg(long, default_value_t = seedplan::plan::DEFAULT_ESTIMATE_RSE)]
    pub estimate_rse: f64,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: TableFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<String>,
}

/// `seedplan bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Graph edge lists (repeat the flag); `PATH` or `NAME=PATH`; add `:undirected` or
    /// `:follows` after the path for those options.
    #[arg(long, short = 'g')]
    pub graph: Vec<String>,
    /// Algorithms, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "auto,opim,imm,degree,degree-discount,pagerank,random"
    )]
    pub algos: Vec<String>,
    /// Seed-set sizes, comma-separated.
    #[arg(long, short = 'k', value_delimiter = ',', default_value = "10,50")]
    pub k: Vec<usize>,
    /// ε values for the RR engines, comma-separated (a sweep feeds the matched-quality table).
    #[arg(long, value_delimiter = ',', default_value = "0.1")]
    pub epsilons: Vec<f64>,
    /// Models as MODEL:PROBS, comma-separated (e.g. ic:wc,lt:wc,ic:trivalency).
    #[arg(long, value_delimiter = ',', default_value = "ic:wc")]
    pub models: Vec<String>,
    /// Monte Carlo runs of the shared evaluator.
    #[arg(long, default_value_t = seedplan::eval::DEFAULT_RUNS)]
    pub runs: u64,
    /// Repetitions with seeds seed, seed+1, ...
    #[arg(long, default_value_t = 1)]
    pub reps: u32,
    /// Base random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worlds for celf/celfpp/greedy.
    #[arg(long, default_value_t = 200)]
    pub mc_runs: u32,
    /// Seed sets from other tools: NAME=FILE (one label a line); repeatable.
    #[arg(long)]
    pub import: Vec<String>,
    /// A suite file (TOML) instead of the flags above.
    #[arg(long)]
    pub suite: Option<String>,
    /// Flags given on the command line that a suite file also sets (then refused with
    /// `--suite`, which describes the whole benchmark).
    #[arg(skip)]
    pub given: Vec<String>,
    /// Output directory (results.csv, results.json, results.md, charts, manifest.json).
    #[arg(long, short = 'o')]
    pub output: String,
}

/// How to read the edge list.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum InputFormat {
    /// CSV/TSV if the name ends in .csv/.tsv (before .gz/.zst), else SNAP text.
    Auto,
    /// Whitespace or tab separated, # and % comments, no header.
    Snap,
    /// Delimited with a header row.
    Csv,
}

/// Direction convention of the edge list.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Meaning {
    /// `u v`: u's posts reach v.
    Influences,
    /// `u v`: u follows v (influence flows v -> u).
    Follows,
}

/// Diffusion model.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ModelArg {
    /// Independent cascade.
    Ic,
    /// Linear threshold.
    Lt,
}

/// Graph input options (shared by all commands).
#[derive(Debug, Clone, Args)]
pub struct GraphArgs {
    /// Edge list: SNAP text, CSV/TSV with header; .gz/.zst read transparently; - for stdin.
    #[arg(long, short = 'g')]
    pub graph: String,
    /// Edge-list layout.
    #[arg(long, value_enum, default_value = "auto")]
    pub input_format: InputFormat,
    /// Source column: header name, or 1-based position (default: first column).
    #[arg(long)]
    pub src_col: Option<String>,
    /// Destination column: header name, or 1-based position (default: second column).
    #[arg(long)]
    pub dst_col: Option<String>,
    /// Probability/weight column for --probs file (default: third column of text lists, or a
    /// header named prob/probability/p/weight/w).
    #[arg(long)]
    pub prob_col: Option<String>,
    /// What an edge `u v` means.
    #[arg(long, value_enum, default_value = "influences")]
    pub edge_meaning: Meaning,
    /// Add the reverse of every edge (for undirected graphs).
    #[arg(long)]
    pub undirected: bool,
    /// Whether --edge-meaning was given (a snapshot of the other meaning then refuses it, even
    /// `influences`, the default).
    #[arg(skip)]
    pub edge_meaning_given: bool,
}

/// Diffusion model options.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Diffusion model.
    #[arg(long, value_enum, default_value = "ic")]
    pub model: ModelArg,
    /// Edge probabilities: wc (1/indegree of the target), uniform:P, trivalency, file.
    #[arg(long, default_value = "wc")]
    pub probs: String,
    /// Random seed: the same seed gives the same output for any --threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Plan output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PlanFormatArg {
    /// Aligned table and summary.
    Table,
    /// CSV, one row per seed.
    Csv,
    /// JSON (documented contract).
    Json,
}

/// Summary output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    /// Human-readable.
    Table,
    /// JSON.
    Json,
}

/// `seedplan plan`.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Number of seeds; for a budgeted plan (`--budget`) a cap on them, none unless given.
    #[arg(long, short = 'k', default_value_t = 10)]
    pub k: usize,
    /// Algorithm: auto, opim, imm, celf, celfpp, greedy, degree, single-discount,
    /// degree-discount, pagerank, random.
    #[arg(long, default_value = "auto", value_parser = algorithm_name)]
    pub algo: String,
    /// Approximation slack of the RR engines (auto, opim, imm) and of a budgeted plan's
    /// sampling rule.
    #[arg(long, default_value_t = seedplan::select::DEFAULT_EPSILON)]
    pub epsilon: f64,
    /// Failure probability (default 1/n).
    #[arg(long)]
    pub delta: Option<f64>,
    /// IMM's ell (failure probability n^-ell).
    #[arg(long, default_value_t = seedplan::select::DEFAULT_ELL)]
    pub ell: f64,
    /// Live-edge worlds for celf/celfpp/greedy.
    #[arg(long, default_value_t = seedplan::select::DEFAULT_MC_RUNS)]
    pub mc_runs: u32,
    /// auto: stop when the last doubling of samples improved reach by at most this fraction (measured to a standard error of half of it).
    #[arg(long, default_value_t = seedplan::select::DEFAULT_TOLERANCE, allow_negative_numbers = true)]
    pub tolerance: f64,
    /// auto and budgets: reach differences and standard errors below this many people (audience weight with --target) are not worth more samples, whatever their share of the reach; 0 holds every plan to --tolerance and 1% alone.
    #[arg(long, default_value_t = seedplan::select::DEFAULT_RESOLUTION, allow_negative_numbers = true)]
    pub reach_resolution: f64,
    /// Cap on RR sets per collection.
    #[arg(long)]
    pub max_rr_sets: Option<u64>,
    /// Relative standard error targeted by the independent reach estimate.
    #[arg(long, default_value_t = seedplan::plan::DEFAULT_ESTIMATE_RSE)]
    pub estimate_rse: f64,
    #[command(flatten)]
    pub costs: CostArgs,
    /// Budget: pick influencers whose costs add up to at most this (needs --costs).
    #[arg(long)]
    pub budget: Option<f64>,
    /// Campaign rules (TOML): budget, max_seeds, include, exclude, [category.NAME] quotas.
    #[arg(long)]
    pub constraints: Option<String>,
    /// Labels that must be in the plan (seeded first), comma-separated (a label with a comma
    /// in double quotes, as `evaluate` prints it); may be repeated.
    #[arg(long)]
    pub include: Vec<String>,
    /// Labels never in the plan, comma-separated as for --include; may be repeated.
    #[arg(long)]
    pub exclude: Vec<String>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Work of the MIP refinement of budgeted plans, in about this many seconds of this machine
    /// kind: a branch-and-bound node budget, so the plan does not depend on the machine. The
    /// LP-dual bound behind the certificate gets work worth about a quarter of it (counted in id
    /// visits, so the certificate does not either).
    #[arg(long, default_value_t = 10.0)]
    pub mip_seconds: f64,
    /// Candidates in the MIP's reduced pool.
    #[arg(long, default_value_t = 30)]
    pub mip_pool: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: PlanFormatArg,
    /// Print only the seed labels, one a line (for pipelines). Not with --format: one of the
    /// two would be ignored.
    #[arg(long, conflicts_with = "format")]
    pub seeds_only: bool,
    /// Also write a self-contained HTML report (plan, summary, curve, overlap heat map).
    #[arg(long)]
    pub report: Option<String>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<String>,
    /// Set when -k was given explicitly (then it caps budgeted plans too).
    #[arg(skip)]
    pub k_given: bool,
    /// The command line to record in the plan (set by `run`; default: this process's).
    #[arg(skip)]
    pub command: Option<String>,
}

/// Audience options (`plan`, `curve`).
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Audience weights CSV (node,weight): reach counts people by weight (e.g. only one market).
    #[arg(long)]
    pub target: Option<String>,
    /// Weight of nodes not listed in --target.
    #[arg(long, default_value_t = 0.0, requires = "target")]
    pub target_default: f64,
}

/// Run limits (`plan`, `curve`).
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Stop sampling after this long (e.g. 90s, 5m) with the best plan so far; the status says
    /// so. For `curve`, counted for the whole curve: budgets planned after it are planned on
    /// what little is drawn.
    #[arg(long)]
    pub time_limit: Option<String>,
    /// Refuse runs whose RR storage would not fit in this much memory (e.g. 4G), and stop
    /// sampling before exceeding it (default: three quarters of the memory available; for
    /// `curve`, per budget).
    #[arg(long)]
    pub max_memory: Option<String>,
}

/// Cost table options.
#[derive(Debug, Clone, Args)]
pub struct CostArgs {
    /// Cost table CSV: node,cost[,category]. Only priced nodes are candidates.
    #[arg(long)]
    pub costs: Option<String>,
    /// Node column of the cost table (default `node`, else first).
    #[arg(long)]
    pub cost_node_col: Option<String>,
    /// Cost column (default `cost`, else second).
    #[arg(long)]
    pub cost_col: Option<String>,
    /// Category column (default `category` if present).
    #[arg(long)]
    pub category_col: Option<String>,
    /// Treat cost rows for nodes absent from the graph as errors.
    #[arg(long)]
    pub strict: bool,
}

/// `seedplan evaluate`.
#[derive(Debug, Clone, Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Seeds: a comma-separated list, a file with one label a line, or a plan JSON.
    #[arg(long, short = 's')]
    pub seeds: String,
    /// Monte Carlo runs.
    #[arg(long, default_value_t = seedplan::eval::DEFAULT_RUNS)]
    pub runs: u64,
    /// Also compute the exact expected reach by enumerating live-edge worlds (tiny graphs only).
    #[arg(long)]
    pub exact: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<String>,
}

/// `seedplan stats`.
#[derive(Debug, Clone, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<String>,
}

/// Output of `generate`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GenFormat {
    /// `follower,followee` CSV with handles, and costs.csv.
    Csv,
    /// Numeric `follower followee` text (fast, for large benchmarks).
    Snap,
}

/// `seedplan generate`.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Number of accounts.
    #[arg(long, default_value_t = 2000)]
    pub nodes: usize,
    /// Mean accounts followed by each new account.
    #[arg(long, default_value_t = 8.0)]
    pub avg_follows: f64,
    /// Whether --avg-follows was given (the default is capped for tiny graphs, a given value
    /// is refused).
    #[arg(skip)]
    pub avg_follows_given: bool,
    /// Share of follows chosen by popularity (the rest uniformly).
    #[arg(long, default_value_t = 0.85)]
    pub preferential: f64,
    /// Probability of a follow-back.
    #[arg(long, default_value_t = 0.15)]
    pub reciprocity: f64,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: GenFormat,
    /// Directory to write `follows.csv` (or `follows.txt`) and `costs.csv` into.
    #[arg(long, short = 'o')]
    pub out_dir: String,
    /// Skip the price list.
    #[arg(long)]
    pub no_costs: bool,
    /// Instead of generating a graph, price the accounts of this existing graph (edge list or
    /// snapshot, read with the graph options below) by how many people each one influences;
    /// writes only `costs.csv`.
    #[arg(long)]
    pub price_graph: Option<String>,
    /// `--edge-meaning` of `--price-graph`.
    #[arg(long, value_enum, default_value = "influences")]
    pub price_edge_meaning: Meaning,
    /// Whether --price-edge-meaning was given (a snapshot made with another meaning is then
    /// refused, as `--edge-meaning` is everywhere else).
    #[arg(skip)]
    pub price_edge_meaning_given: bool,
    /// `--undirected` for `--price-graph`.
    #[arg(long)]
    pub price_undirected: bool,
}

/// Refuses an unknown `--algo` while the command line is parsed, so a job file's plan
/// arguments are checked before any of its plans runs.
fn algorithm_name(s: &str) -> Result<String, String> {
    seedplan::select::Algorithm::parse(s)
        .map(|_| s.to_string())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
