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
pub enum Command {
    /// Pick seeds: a ranked plan with expected reach and its confidence interval.
    Plan(PlanArgs),
    /// Estimate the expected reach of a given seed set by Monte Carlo simulation.
    Evaluate(EvaluateArgs),
    /// Describe a graph: nodes, edges, what loading dropped, degree distribution.
    Stats(StatsArgs),
    /// Generate a synthetic follower graph and a matching price list.
    Generate(GenerateArgs),
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
    /// Number of seeds.
    #[arg(long, short = 'k', default_value_t = 10)]
    pub k: usize,
    /// Algorithm: auto, opim, imm, celf, celfpp, greedy, degree, single-discount,
    /// degree-discount, pagerank, random.
    #[arg(long, default_value = "auto")]
    pub algo: String,
    /// Approximation slack of the RR engines (auto, opim, imm).
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
    /// auto: stop when the last doubling of samples improved reach by at most this fraction.
    #[arg(long, default_value_t = seedplan::select::DEFAULT_TOLERANCE)]
    pub tolerance: f64,
    /// Cap on RR sets per collection.
    #[arg(long)]
    pub max_rr_sets: Option<u64>,
    /// Relative standard error targeted by the independent reach estimate.
    #[arg(long, default_value_t = seedplan::plan::DEFAULT_ESTIMATE_RSE)]
    pub estimate_rse: f64,
    #[command(flatten)]
    pub costs: CostArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: PlanFormatArg,
    /// Print only the seed labels, one a line (for pipelines).
    #[arg(long)]
    pub seeds_only: bool,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<String>,
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
