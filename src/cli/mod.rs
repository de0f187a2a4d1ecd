//! The command-line front end: parse, load, run the library, write. All printing happens here.

mod args;
mod bench;
mod curve;
mod output;
mod progress;
mod run;

pub use args::Cli;
use args::*;
use output::emit;
use progress::StderrProgress;
use seedplan::budget::{BudgetConfig, Constraints, ConstraintsFile};
use seedplan::diffusion::{Model, ModelKind, ProbScheme};
use seedplan::error::{Error, Result};
use seedplan::graph::{BuildOptions, EdgeMeaning, Graph, GraphStats, MergeRule};
use seedplan::input::{self, Column, CostReadOptions, CostTable, EdgeFormat, EdgeReadOptions};
use seedplan::plan::{self, PlanFormat, PlanRow, SeedingPlan};
use seedplan::progress::Progress;
use seedplan::rrset::RootSampler;
use seedplan::select::{Algorithm, SelectConfig, SelectContext, SelectStatus};
use std::io::Write;
use std::time::Instant;

/// Whether the command writes a JSON-lines log on stderr (`run --log-format json`), which
/// nothing else may interleave with.
pub fn logs_json(cli: &Cli) -> bool {
    matches!(&cli.command, Command::Run(r) if r.log_format == "json")
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let threads = match cli.threads {
        Some(0) => return Err(Error::usage("--threads must be at least 1")),
        Some(t) => t,
        // Rayon's default: RAYON_NUM_THREADS, else one per core.
        None => rayon::current_num_threads(),
    };
    // The command itself runs on a thread of the pool, not beside it: every `join` and parallel
    // loop then starts from a worker, which takes part in the work, instead of waking the pool
    // and waiting. On wiki-Vote, whose rounds are a few milliseconds, waking the pool from
    // outside cost a quarter of the two-thread run.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(8 << 20)
        .build()
        .map_err(|e| Error::Runtime(format!("cannot start thread pool: {e}")))?;
    pool.install(|| dispatch(cli))
}

fn dispatch(cli: Cli) -> Result<()> {
    let progress = StderrProgress::new(cli.quiet);
    let quiet = cli.quiet;
    // Output files whose folder is missing (or that name a folder) are refused before the
    // work: a budgeted plan spent 12 s before saying so.
    let targets: Vec<Option<&String>> = match &cli.command {
        Command::Stats(a) => vec![a.output.as_ref()],
        Command::Evaluate(a) => vec![a.output.as_ref()],
        Command::Plan(a) => vec![a.output.as_ref(), a.report.as_ref()],
        Command::Curve(a) => vec![a.output.as_ref(), a.svg.as_ref()],
        Command::Overlap(a) => vec![a.output.as_ref()],
        Command::Convert(a) => vec![Some(&a.output)],
        Command::Generate(_) | Command::Bench(_) | Command::Run(_) => vec![],
    };
    for t in targets.iter().flatten().filter(|t| **t != "-") {
        output::check_target(std::path::Path::new(t))?;
        output::check_writable(std::path::Path::new(t))?;
    }
    // An output over an input destroyed it (exit 0): `-o costs.csv` put the plan in place of
    // the price list it was made from.
    let inputs: Vec<(&str, Option<&String>)> = match &cli.command {
        Command::Stats(a) => vec![("--graph", Some(&a.graph.graph))],
        Command::Evaluate(a) => vec![
            ("--graph", Some(&a.graph.graph)),
            ("--seeds", Some(&a.seeds)),
        ],
        Command::Plan(a) => vec![
            ("--graph", Some(&a.graph.graph)),
            ("--costs", a.costs.costs.as_ref()),
            ("--constraints", a.constraints.as_ref()),
            ("--target", a.target.target.as_ref()),
        ],
        Command::Curve(a) => vec![
            ("--graph", Some(&a.graph.graph)),
            ("--costs", a.costs.costs.as_ref()),
            ("--constraints", a.constraints.as_ref()),
        ],
        Command::Overlap(a) => vec![
            ("--graph", Some(&a.graph.graph)),
            ("--seeds", Some(&a.seeds)),
        ],
        Command::Convert(a) => vec![("--graph", Some(&a.graph.graph))],
        Command::Generate(_) | Command::Bench(_) | Command::Run(_) => vec![],
    };
    // One stream read twice (`-` twice, or `-` and `/dev/stdin`): the second reader found it
    // empty ("-: empty file").
    let given: Vec<(&str, &String)> = inputs
        .iter()
        .filter_map(|(flag, i)| i.map(|i| (*flag, i)))
        .collect();
    for (j, (second, b)) in given.iter().enumerate() {
        if let Some((first, _)) = given[..j]
            .iter()
            .find(|(_, a)| (*a == "-" && *b == "-") || output::one_stream(a, b))
        {
            return Err(Error::usage(format!(
                "{first} and {second} both read one stream ({b}): it can be read once; give \
                 one of them a file"
            )));
        }
    }
    // (Standard output by name is `-`: appended to, never renamed over.)
    let streams = |t: &&&String| **t != "-" && output::fd_alias(std::path::Path::new(t)).is_none();
    for t in targets.iter().flatten().filter(streams) {
        for (flag, input) in &inputs {
            if let Some(input) = input.filter(|i| output::is_existing_file(t, i)) {
                let input = if input == "-" {
                    "- (standard input)"
                } else {
                    input
                };
                return Err(Error::usage(format!(
                    "{t} is the {flag} input {input}: writing there would destroy it; give \
                     the output another path"
                )));
            }
        }
    }
    // A side output (the report, the chart) is a file: `-` would have been a file named `-`.
    // It must not be the main output either, which it was renamed over (exit 0, the plan lost).
    if let [main, Some(side)] = targets[..] {
        let flag = if matches!(cli.command, Command::Plan(_)) {
            "--report"
        } else {
            "--svg"
        };
        if side == "-" {
            return Err(Error::usage(format!(
                "{flag} writes a file: give it a path, not -"
            )));
        }
        // No main output is standard output.
        if output::same_file(main.map_or("-", |m| m.as_str()), side) {
            return Err(Error::usage(format!(
                "{flag} {side} is the main output's path too: give them different paths"
            )));
        }
    }
    match cli.command {
        Command::Stats(a) => stats(a, quiet),
        Command::Evaluate(a) => evaluate(a, quiet),
        Command::Plan(a) => plan_cmd(a, quiet, &progress),
        Command::Generate(a) => generate(a, quiet),
        Command::Bench(a) => bench::run(a, quiet, &progress),
        Command::Curve(a) => curve::run(a, quiet, &progress),
        Command::Overlap(a) => overlap(a, quiet),
        Command::Convert(a) => convert(a, quiet),
        Command::Run(a) => run::run(a, quiet),
    }
}

fn model_kind(m: ModelArg) -> ModelKind {
    match m {
        ModelArg::Ic => ModelKind::IndependentCascade,
        ModelArg::Lt => ModelKind::LinearThreshold,
    }
}

/// Loads the graph as the flags say, printing what was dropped (unless quiet).
pub(crate) fn load(g: &GraphArgs, model: Option<&ModelArgs>, quiet: bool) -> Result<Graph> {
    let scheme = match model {
        Some(m) => Some(ProbScheme::parse(&m.probs)?),
        None => None,
    };
    let read = EdgeReadOptions {
        format: match g.input_format {
            InputFormat::Auto => EdgeFormat::Auto,
            InputFormat::Snap => EdgeFormat::Snap,
            InputFormat::Csv => EdgeFormat::Csv,
        },
        src_col: g.src_col.as_deref().map(Column::parse).transpose()?,
        dst_col: g.dst_col.as_deref().map(Column::parse).transpose()?,
        prob_col: g.prob_col.as_deref().map(Column::parse).transpose()?,
        want_prob: scheme == Some(ProbScheme::File),
    };
    // A probability column is read only for `--probs file`: under another scheme it was
    // ignored in silence, and the plan used probabilities the user never gave.
    // (`stats`, which takes no model, reads no probabilities either way.)
    if let (Some(col), Some(false)) = (&g.prob_col, scheme.map(|s| s == ProbScheme::File)) {
        return Err(Error::usage(format!(
            "--prob-col {col}: edge probabilities are read only with --probs file (convert: \
             --with-probs); add it, or drop --prob-col"
        )));
    }
    let build = BuildOptions {
        meaning: match g.edge_meaning {
            Meaning::Influences => EdgeMeaning::Influences,
            Meaning::Follows => EdgeMeaning::Follows,
        },
        undirected: g.undirected,
        merge: match model.map(|m| m.model) {
            Some(ModelArg::Lt) => MergeRule::Sum,
            _ => MergeRule::Probability,
        },
    };
    let graph = input::load_graph(&g.graph, &read, &build)?;
    let r = graph.report();
    // A snapshot's duplicate arcs were merged when it was converted, under that run's model:
    // their probabilities are wrong for the other one (and a sum can pass 1).
    if let (Some(ProbScheme::File), Some(done)) = (scheme, r.weights_merged_for.as_deref()) {
        if done != build.merge.model() {
            return Err(Error::in_file(
                &g.graph,
                format!(
                    "this snapshot merged {} duplicate arc(s) by the {} rule ({}), but this run \
                     uses --model {} with --probs file; re-run `seedplan convert --model {}` on \
                     the edge list",
                    r.duplicates_merged,
                    done,
                    if done == "lt" {
                        "weights added"
                    } else {
                        "1 - (1 - p)(1 - q)"
                    },
                    build.merge.model(),
                    build.merge.model()
                ),
            ));
        }
    }
    let snapshot = g.graph != "-" && input::snapshot::is_snapshot_file(&g.graph);
    if snapshot {
        // A snapshot keeps the options it was converted with. One given now that would build
        // another graph is refused rather than ignored (a batch job runs quiet, and a note
        // there was lost): the plan would be on a graph the user did not ask for.
        let meaning = match g.edge_meaning {
            Meaning::Influences => "influences",
            Meaning::Follows => "follows",
        };
        let conflict = if (g.edge_meaning_given || g.edge_meaning != Meaning::Influences)
            && meaning != r.edge_meaning
        {
            Some(format!("--edge-meaning {meaning}"))
        } else if g.undirected && !r.undirected {
            Some("--undirected".to_string())
        } else if g.src_col.is_some() || g.dst_col.is_some() || g.prob_col.is_some() {
            Some("a column choice (--src-col, --dst-col, --prob-col)".to_string())
        } else if g.input_format != InputFormat::Auto {
            Some("--input-format".to_string())
        } else {
            None
        };
        if let Some(c) = conflict {
            return Err(Error::in_file(
                &g.graph,
                format!(
                    "a snapshot keeps the options it was converted with (edge meaning {}, \
                     undirected {}, its columns and probabilities); {c} would change the graph: \
                     drop it, or convert the edge list again with it",
                    r.edge_meaning, r.undirected
                ),
            ));
        }
        if scheme == Some(ProbScheme::File) && graph.in_weights().is_none() {
            return Err(Error::in_file(
                &g.graph,
                "--probs file: this snapshot holds no probabilities; convert the edge list \
                 with `seedplan convert --with-probs`",
            ));
        }
    }
    if let (false, Some((line, text))) = (quiet, &r.header_like) {
        let (place, fix) = if snapshot {
            (
                format!(
                    "{} (line {line} of the edge list it was converted from)",
                    g.graph
                ),
                "convert that list again without it",
            )
        } else {
            (
                format!("{}:{line}", g.graph),
                "remove it or comment it out with '#', or read the file as CSV (--input-format \
                 csv, which a pipe needs)",
            )
        };
        note!(
            "warning: {place}: '{text}' was read as an edge, but it looks like a header \
             (neither name is on any other line): if it is one, {fix}"
        );
    }
    // Numbers the user gave that the model does not use are said so, not dropped in silence.
    // (A snapshot said so when it was converted: every later run would repeat it.)
    if let (false, false, Some(col), Some(s)) = (quiet, snapshot, &r.unused_prob, scheme) {
        if s != ProbScheme::File {
            note!(
                "note: {}: {col} holds probabilities that --probs {} does not read; \
                 to use them: --probs file (convert: --with-probs)",
                g.graph,
                s.spec()
            );
        }
    }
    if !quiet && (r.self_loops_dropped > 0 || r.duplicates_merged > 0) {
        note!(
            "note: {}: dropped {} self-loop(s), merged {} duplicate arc(s); {} nodes, {} arcs",
            g.graph,
            r.self_loops_dropped,
            r.duplicates_merged,
            graph.num_nodes(),
            graph.num_edges()
        );
    }
    Ok(graph)
}

pub(crate) fn load_costs(c: &CostArgs, graph: &Graph, quiet: bool) -> Result<Option<CostTable>> {
    let Some(path) = &c.costs else {
        return Ok(None);
    };
    let opts = CostReadOptions {
        node_col: c.cost_node_col.as_deref().map(Column::parse).transpose()?,
        cost_col: c.cost_col.as_deref().map(Column::parse).transpose()?,
        category_col: c.category_col.as_deref().map(Column::parse).transpose()?,
        strict: c.strict,
    };
    let t = input::read_costs(path, graph, &opts)?;
    if !quiet && !t.unknown_nodes.is_empty() {
        let shown: Vec<String> = t
            .unknown_nodes
            .iter()
            .take(5)
            .map(|(l, n)| format!("'{n}' (line {l})"))
            .collect();
        note!(
            "warning: {path}: {} priced node(s) are not in the graph and were ignored: {}{}",
            t.unknown_nodes.len(),
            shown.join(", "),
            if t.unknown_nodes.len() > 5 {
                ", ..."
            } else {
                ""
            }
        );
    }
    Ok(Some(t))
}

fn stats(a: StatsArgs, quiet: bool) -> Result<()> {
    let t0 = Instant::now();
    let g = load(&a.graph, None, quiet)?;
    let load_s = t0.elapsed().as_secs_f64();
    let s = GraphStats::compute(&g);
    emit(a.output.as_deref(), |out| match a.format {
        ReportFormat::Json => {
            let mut v = serde_json::to_value(&s).map_err(std::io::Error::other)?;
            v["load_seconds"] = serde_json::json!(load_s);
            serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::other)?;
            writeln!(out)
        }
        ReportFormat::Table => {
            writeln!(out, "graph               {}", a.graph.graph)?;
            writeln!(out, "nodes               {}", s.nodes)?;
            writeln!(out, "edges               {}", s.edges)?;
            writeln!(out, "lines read          {}", s.lines)?;
            writeln!(out, "self-loops dropped  {}", s.self_loops_dropped)?;
            writeln!(out, "duplicates merged   {}", s.duplicates_merged)?;
            writeln!(out, "max in-degree       {}", s.max_in_degree)?;
            writeln!(out, "max out-degree      {}", s.max_out_degree)?;
            writeln!(out, "in-degree 0         {}", s.nodes_in_degree_zero)?;
            writeln!(out, "out-degree 0        {}", s.nodes_out_degree_zero)?;
            writeln!(out, "isolated            {}", s.isolated_nodes)?;
            writeln!(out, "reciprocity         {:.4}", s.reciprocity)?;
            for (name, d) in [("in-degree", &s.in_degree), ("out-degree", &s.out_degree)] {
                writeln!(
                    out,
                    "{name:<19} mean {:.2}, median {}, p90 {}, p99 {}, max {}",
                    d.mean, d.median, d.p90, d.p99, d.max
                )?;
            }
            if let Some(c) = s.largest_scc {
                writeln!(out, "largest SCC         {c}")?;
            }
            writeln!(
                out,
                "memory              {:.1} bytes/edge",
                s.bytes_per_edge
            )?;
            writeln!(out, "load time           {load_s:.3}s")
        }
    })
}

/// The model of `m` on `g`, loaded from `path` (as the user named it: a snapshot's error names
/// the snapshot, and the edge list it was converted from).
pub(crate) fn build_model<'g>(g: &'g Graph, m: &ModelArgs, path: &str) -> Result<Model<'g>> {
    let scheme = ProbScheme::parse(&m.probs)?;
    Model::new(g, model_kind(m.model), scheme, m.seed).map_err(|e| match e {
        // Probabilities the model refuses come from the graph's file: name it, and say when
        // merged duplicate lines made them (LT adds their weights up).
        Error::Usage(msg) if scheme == ProbScheme::File => {
            let r = g.report();
            let merged = if r.duplicates_merged > 0 {
                format!(
                    " ({} duplicate arcs were merged into one each{})",
                    r.duplicates_merged,
                    if m.model == ModelArg::Lt {
                        ", their weights added up as LT does"
                    } else {
                        ""
                    }
                )
            } else {
                String::new()
            };
            let from = if r.path != path {
                format!(" (converted from {})", r.path)
            } else {
                String::new()
            };
            Error::in_file(path, format!("{msg}{merged}{from}"))
        }
        e => e,
    })
}

/// Warns when a plan JSON given as seeds was made under settings that change what its seeds
/// reach (model, probabilities, trivalency's seed, edge meaning, `--undirected`, an audience):
/// scored otherwise, its reach is not the one planned (the demo's plan scored without
/// `--edge-meaning follows` read 297 against 865, without a word).
fn warn_if_planned_otherwise(
    seeds: &input::SeedList,
    spec: &str,
    g: &Graph,
    model: &Model<'_>,
    seed: u64,
) {
    let Some(p) = &seeds.planned_under else {
        return;
    };
    let mut differ: Vec<String> = Vec::new();
    let mut check = |what: &str, then: Option<String>, now: String| {
        if let Some(then) = then.filter(|t| *t != now) {
            differ.push(format!("{what} {then} (here {now})"));
        }
    };
    check("--model", p.model.clone(), model.kind().short().to_string());
    let probs = model.scheme().spec();
    check("--probs", p.probs.clone(), probs.clone());
    if probs == "trivalency" && p.probs.as_deref() == Some("trivalency") {
        check("--seed", p.seed.map(|s| s.to_string()), seed.to_string());
    }
    let r = g.report();
    check(
        "--edge-meaning",
        p.edge_meaning.clone(),
        r.edge_meaning.clone(),
    );
    check(
        "--undirected",
        p.undirected.map(|u| u.to_string()),
        r.undirected.to_string(),
    );
    if let Some(t) = &p.target {
        differ.push(format!("--target {t} (here every node counts 1)"));
    }
    if !differ.is_empty() {
        note!(
            "warning: {spec} was planned under {}: its reach here is not the one planned \
             (give the same settings to score it as planned)",
            differ.join(", ")
        );
    }
}

fn evaluate(a: EvaluateArgs, quiet: bool) -> Result<()> {
    if a.runs == 0 {
        return Err(Error::usage("--runs must be at least 1"));
    }
    let g = load(&a.graph, Some(&a.model), quiet)?;
    let model = build_model(&g, &a.model, &a.graph.graph)?;
    let seeds = input::parse_seeds(&a.seeds, &g)?;
    if !quiet {
        warn_if_planned_otherwise(&seeds, &a.seeds, &g, &model, a.model.seed);
    }
    let t0 = Instant::now();
    let est = seedplan::eval::estimate_reach(&model, &seeds.ids, a.runs, a.model.seed);
    let secs = t0.elapsed().as_secs_f64();
    let exact = if a.exact {
        Some(
            seedplan::eval::exact::exact_spread(&model, &seeds.ids).ok_or_else(|| {
                Error::usage(format!(
                "--exact: the graph has too many live-edge worlds (more than {}); it is meant for \
                 tiny graphs",
                seedplan::eval::exact::MAX_WORLDS
            ))
            })?,
        )
    } else {
        None
    };
    let labels: Vec<String> = seeds.ids.iter().map(|&s| g.label(s).into_owned()).collect();
    emit(a.output.as_deref(), |out| match a.format {
        ReportFormat::Json => {
            let v = serde_json::json!({
                "expected_reach": est.expected_reach,
                "std_error": est.std_error,
                "ci95": est.ci95,
                "runs": est.runs,
                "exact_reach": exact,
                "seeds": labels,
                "model": model.kind().short(),
                "probs": model.scheme().spec(),
                "seed": a.model.seed,
                "nodes": g.num_nodes(),
                "edges": g.num_edges(),
                "seconds": secs,
            });
            serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::other)?;
            writeln!(out)
        }
        ReportFormat::Table => {
            // A label with a comma (or a quote, or blanks at its ends) is quoted, so the list
            // reads back as the seeds it is.
            let shown: Vec<String> = labels
                .iter()
                .map(|l| {
                    if l.is_empty() || l.contains([',', '"']) || l.trim() != l {
                        format!("\"{}\"", l.replace('"', "\"\""))
                    } else {
                        l.clone()
                    }
                })
                .collect();
            writeln!(out, "seeds           {}", shown.join(", "))?;
            writeln!(
                out,
                "expected reach  {:.3} (std. error {:.3}; 95% CI {:.3} to {:.3})",
                est.expected_reach, est.std_error, est.ci95[0], est.ci95[1]
            )?;
            if let Some(x) = exact {
                writeln!(out, "exact reach     {x:.6}")?;
            }
            writeln!(
                out,
                "runs            {} (model {}, probs {}, seed {}), {secs:.3}s",
                est.runs,
                model.kind().short(),
                model.scheme().spec(),
                a.model.seed
            )
        }
    })
}

/// The command line, shell-quoted, for the "reproduce" field.
pub(crate) fn command_line() -> String {
    shell_words(std::env::args())
}

/// Words joined as a POSIX shell would read them back (quoted where needed).
pub(crate) fn shell_words(words: impl IntoIterator<Item = String>) -> String {
    words
        .into_iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+%".contains(c))
            {
                a
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a target weight is 0 or within 1e-100..1e100: the estimates square weights, and
/// squares of 1e±200 overflowed or vanished (a 6-node graph drew 4M sets and missed its reach).
fn weight_in_range(x: f64) -> bool {
    x == 0.0 || (1e-100..=1e100).contains(&x)
}

const WEIGHT_RANGE: &str =
    "outside 1e-100..1e100 (or 0): only the weights' ratios matter, rescale them";

/// Reads `--target FILE` (`node,weight`) into per-node audience weights.
fn load_target(path: &str, g: &Graph, default: f64) -> Result<Vec<f64>> {
    if !default.is_finite() || default < 0.0 {
        return Err(Error::usage(format!(
            "--target-default must be a finite weight of 0 or more, not {default}"
        )));
    }
    if !weight_in_range(default) {
        return Err(Error::usage(format!(
            "--target-default {default} is {WEIGHT_RANGE}"
        )));
    }
    let mut rdr = input::open_csv(path)?;
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(input::csv_error(path, &rdr, e)),
    };
    if headers.len() < 2 {
        return Err(Error::at_line(
            path,
            1,
            "expected a header like 'node,weight'",
        ));
    }
    let ni = headers
        .iter()
        .position(|h| h.eq_ignore_ascii_case("node"))
        .unwrap_or(0);
    let wi = headers
        .iter()
        .position(|h| h.eq_ignore_ascii_case("weight"))
        .unwrap_or(1);
    {
        let all: Vec<&str> = headers.iter().collect();
        let is_node = g.nodes().get(all[ni]).is_some();
        input::refuse_data_as_header(path, &all, &[all[wi]], Some(is_node), "node,weight")?;
    }
    let mut w = vec![default; g.num_nodes()];
    let mut seen = vec![false; g.num_nodes()];
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(input::csv_error(path, &rdr, e)),
        }
        input::trim_unquoted_str(&rdr, &mut rec);
        let line = input::record_line(&rdr, rec.position());
        let label = &rec[ni];
        let x: f64 = rec[wi].trim().parse().map_err(|_| {
            Error::at_line(
                path,
                line,
                format!("weight '{}' of '{label}' is not a number", &rec[wi]),
            )
        })?;
        if !x.is_finite() || x < 0.0 {
            return Err(Error::at_line(
                path,
                line,
                format!("weight {x} of '{label}' must be finite and >= 0"),
            ));
        }
        if !weight_in_range(x) {
            return Err(Error::at_line(
                path,
                line,
                format!("weight {} of '{label}' is {WEIGHT_RANGE}", &rec[wi]),
            ));
        }
        let v = g.nodes().get(label).ok_or_else(|| {
            Error::at_line(path, line, format!("node '{label}' is not in the graph"))
        })?;
        if std::mem::replace(&mut seen[v as usize], true) {
            return Err(Error::at_line(
                path,
                line,
                format!("duplicate row for node '{label}'"),
            ));
        }
        w[v as usize] = x;
    }
    input::refuse_lost_comment(path, &rdr, |l| g.nodes().get(l).is_some())?;
    let total: f64 = w.iter().sum();
    if !total.is_finite() {
        return Err(Error::in_file(
            path,
            format!("the target weights add up to {total}: too large to count reach in"),
        ));
    }
    if total <= 0.0 {
        return Err(Error::in_file(
            path,
            "all target weights are 0: nobody to reach",
        ));
    }
    Ok(w)
}

/// Plan rows from seeds in rank order and their independent estimate.
fn plan_rows(
    g: &Graph,
    seeds: &[u32],
    est: &plan::RankedEstimate,
    costs: Option<&CostTable>,
    budget: Option<f64>,
) -> (Vec<PlanRow>, f64) {
    let mut spend = 0.0;
    let rows = seeds
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let cost = costs.and_then(|c| c.cost_of(v));
            if let Some(c) = cost {
                spend += c;
            }
            PlanRow {
                rank: i + 1,
                node: g.label(v).into_owned(),
                marginal_reach: est.marginal[i],
                cumulative_reach: est.cumulative[i],
                cost,
                category: costs.and_then(|c| c.category_of(v)).map(str::to_string),
                cumulative_spend: cost.map(|_| input::money(spend, budget)),
                exclusive_reach: est.exclusive[i],
                cp1k_u: cost
                    .map(|c| {
                        if est.marginal[i] > 0.0 {
                            c / est.marginal[i] * 1000.0
                        } else {
                            f64::INFINITY
                        }
                    })
                    .filter(|x| x.is_finite()),
                marginal_ci95: est.marginal_ci95[i],
                cumulative_ci95: est.cumulative_ci95[i],
            }
        })
        .collect();
    (rows, input::money(spend, budget))
}

/// `--include`/`--exclude` of a cardinality plan: the forced seeds, and the candidates (priced
/// accounts with a cost table, else everyone) less the excluded.
fn cardinality_rules(
    a: &PlanArgs,
    g: &Graph,
    costs: Option<&CostTable>,
) -> Result<(Vec<u32>, Option<Vec<bool>>)> {
    let mut candidates = costs.map(|c| c.candidates());
    if a.include.is_empty() && a.exclude.is_empty() {
        return Ok((Vec::new(), candidates));
    }
    let id = |l: &str, what: &str| {
        g.nodes()
            .get(l)
            .ok_or_else(|| Error::usage(format!("--{what} '{l}' is not in the graph")))
    };
    let mask = candidates.get_or_insert_with(|| vec![true; g.num_nodes()]);
    for l in &a.exclude {
        mask[id(l, "exclude")? as usize] = false;
    }
    let mut forced = Vec::new();
    for l in &a.include {
        let v = id(l, "include")?;
        if a.exclude.contains(l) {
            return Err(Error::usage(format!("'{l}' is both included and excluded")));
        }
        if !mask[v as usize] {
            return Err(Error::usage(format!(
                "--include '{l}' has no price in the cost table (only priced accounts are \
                 candidates)"
            )));
        }
        if !forced.contains(&v) {
            forced.push(v);
        }
    }
    if forced.len() > a.k {
        return Err(Error::usage(format!(
            "{} must-include accounts but -k {}",
            forced.len(),
            a.k
        )));
    }
    Ok((forced, candidates))
}

/// Whether every candidate (and must-include) fits in `-k`.
fn all_fit(ctx: &SelectContext<'_>) -> bool {
    let avail = (0..ctx.n() as u32)
        .filter(|&v| ctx.is_candidate(v) || ctx.forced.contains(&v))
        .count();
    avail <= ctx.config.k
}

/// Whether no one the reach counts can be reached through an edge (every such in-edge has
/// probability 0, or the audience is only nodes without in-edges).
fn nothing_spreads(ctx: &SelectContext<'_>) -> bool {
    ctx.roots.stratified(ctx.model).population() <= 0.0
}

/// `--mip-seconds` must be a finite positive number (the solver's clock panics on others).
pub(crate) fn check_mip_seconds(s: f64) -> Result<()> {
    // The solver's clock panics past about 1.8e19 s; a billion seconds is 31 years.
    if s > 0.0 && s <= 1e9 {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "--mip-seconds {s}: must be a number of seconds > 0 and at most 1e9"
        )))
    }
}

/// Budget rules from flags and `--constraints`; flags win where both are given.
fn budget_rules(a: &PlanArgs, g: &Graph, costs: &CostTable) -> Result<Option<Constraints>> {
    let mut file = match &a.constraints {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::in_file(path, format!("cannot read: {e}")))?;
            ConstraintsFile::parse(path, &text)?
        }
        None => ConstraintsFile::default(),
    };
    if a.budget.is_none() && file.budget.is_none() {
        // Rules read from the file: ignored, they let an excluded account into the plan.
        // (`--include`/`--exclude` as flags serve cardinality plans too: `cardinality_rules`.)
        if !file.category.is_empty()
            || !file.include.is_empty()
            || !file.exclude.is_empty()
            || file.max_seeds.is_some()
        {
            return Err(Error::usage(
                "include/exclude/max_seeds/category rules in --constraints need a budget \
                 (--budget or `budget = ...`)",
            ));
        }
        return Ok(None);
    }
    if let Some(b) = a.budget {
        file.with_budget_flag(b);
    }
    if a.k_given {
        file.with_max_seeds_flag(a.k);
    }
    file.with_flag_labels(&a.include, &a.exclude);
    let where_ = a.constraints.clone().unwrap_or_else(|| "flags".into());
    Ok(Some(Constraints::resolve(&file, g, costs, &where_)?))
}

/// The labels of every `--include` (or `--exclude`) given: each value a list as `--seeds`
/// reads one inline, so a label with a comma can be quoted.
fn split_flag_lists(values: &[String], flag: &str) -> Result<Vec<String>> {
    let mut labels = Vec::new();
    for v in values {
        labels.extend(input::split_labels(v, flag)?);
    }
    Ok(labels)
}

/// What `plan` can tell of its arguments before it reads a file: a job checks every plan's
/// this way before running any (`--epsilon 2` failed each plan in turn, exit 1).
pub(crate) fn check_plan_args(a: &mut PlanArgs) -> Result<(Algorithm, SelectConfig)> {
    a.include = split_flag_lists(&a.include, "--include")?;
    a.exclude = split_flag_lists(&a.exclude, "--exclude")?;
    let algo = Algorithm::parse(&a.algo)?;
    let mut cfg = SelectConfig::new(a.k, a.model.seed);
    cfg.epsilon = a.epsilon;
    cfg.delta = a.delta;
    cfg.ell = a.ell;
    cfg.mc_runs = a.mc_runs;
    cfg.tolerance = a.tolerance;
    cfg.resolution = a.reach_resolution;
    cfg.max_rr_sets = a.max_rr_sets;
    cfg.validate()?;
    if a.budget.is_some() || a.constraints.is_some() {
        if a.costs.costs.is_none() {
            return Err(Error::usage(
                "--budget and --constraints need a cost table (--costs)",
            ));
        }
        seedplan::select::check_budget_epsilon(a.epsilon)?;
    }
    if !(a.estimate_rse > 0.0 && a.estimate_rse < 1.0) {
        return Err(Error::usage("--estimate-rse must be in (0, 1)"));
    }
    check_mip_seconds(a.mip_seconds)?;
    Ok((algo, cfg))
}

/// Diagnostics being collected (`captured`) rather than printed: a job with `--log-format
/// json` logs a plan's warnings as its own events, where they were dropped (the plan ran quiet so
/// that its lines would not break the JSON stream).
static CAPTURED: std::sync::Mutex<Option<Vec<String>>> = std::sync::Mutex::new(None);

/// Writes one diagnostic line on stderr, or keeps it while `captured` runs. A closed or failing
/// stderr is no crash (`eprintln!` panics then, exit 101, e.g. under `2>&1 | head`).
pub(crate) fn say(msg: std::fmt::Arguments<'_>) {
    if let Ok(mut held) = CAPTURED.lock() {
        if let Some(lines) = held.as_mut() {
            lines.push(msg.to_string());
            return;
        }
    }
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// Runs `f`, keeping the diagnostics it says instead of printing them.
pub(crate) fn captured<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    let set = |v| match CAPTURED.lock() {
        Ok(mut held) => std::mem::replace(&mut *held, v),
        Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), v),
    };
    set(Some(Vec::new()));
    let out = f();
    (out, set(None).unwrap_or_default())
}

pub(crate) fn plan_cmd(mut a: PlanArgs, quiet: bool, progress: &StderrProgress) -> Result<()> {
    let t_all = Instant::now();
    let (algo, mut cfg) = check_plan_args(&mut a)?;
    let t0 = Instant::now();
    let g = load(&a.graph, Some(&a.model), quiet)?;
    let costs = load_costs(&a.costs, &g, quiet)?;
    let rules = match &costs {
        Some(c) => budget_rules(&a, &g, c)?,
        None => None,
    };
    if rules.is_some() && a.algo != "auto" && !quiet {
        // Said rather than refused: a batch job's `--algo` serves its `-k` plans and its
        // budgeted ones alike. The plan JSON says `"algorithm": "budget"`.
        note!(
            "note: --algo {} applies to cardinality plans; a budgeted plan is chosen by its \
             cost-aware greedy and MIP",
            a.algo
        );
    }
    let weights = match &a.target.target {
        Some(p) => Some(load_target(p, &g, a.target.target_default)?),
        None => None,
    };
    let load_s = t0.elapsed().as_secs_f64();
    let model = build_model(&g, &a.model, &a.graph.graph)?;
    let roots = match &weights {
        Some(w) => RootSampler::weighted(w),
        None => RootSampler::uniform(g.num_nodes()),
    };
    let (limits, default_cap) = run_limits(
        &model,
        &roots,
        &RunLimitArgs {
            time_limit: a.limits.time_limit.as_deref(),
            max_memory: a.limits.max_memory.as_deref(),
            seed: a.model.seed,
            k: a.k,
            epsilon: a.epsilon,
            delta: a.delta,
        },
        t_all,
        rules.is_some() || algo.uses_rr_sets(),
    )?;
    cfg.limits = limits;
    // A cardinality plan's --include seeds come first and --exclude keeps accounts out (a
    // budgeted plan takes both as rules instead).
    let (forced, candidates) = if rules.is_none() {
        let (forced, candidates) = cardinality_rules(&a, &g, costs.as_ref())?;
        // Fewer accounts than -k can be picked: said, so that a short plan (or an empty one,
        // every account excluded) is not taken for a full one.
        let available = candidates
            .as_ref()
            .map_or(g.num_nodes(), |c| c.iter().filter(|&&x| x).count());
        if available < a.k && !quiet {
            note!(
                "warning: only {available} account(s) can be seeds ({}), so the plan holds \
                 {available}, not -k {}",
                match (&candidates, a.exclude.is_empty()) {
                    (None, _) => format!("the graph has {} nodes", g.num_nodes()),
                    (Some(_), false) if costs.is_some() => {
                        "priced in the cost table and not excluded".to_string()
                    }
                    (Some(_), false) => "not excluded".to_string(),
                    (Some(_), true) => "priced in the cost table".to_string(),
                },
                a.k
            );
        }
        (forced, candidates)
    } else {
        (Vec::new(), costs.as_ref().map(|c| c.candidates()))
    };
    let delta = a.delta.unwrap_or(1.0 / g.num_nodes().max(2) as f64);
    let t1 = Instant::now();
    struct Chosen {
        seeds: Vec<u32>,
        approximation: Option<f64>,
        upper: Option<f64>,
        certify: bool,
        status: seedplan::select::SelectStatus,
        rr_sets: u64,
        rr_bytes: u64,
        rr_ids: u64,
        method: String,
        solver: Option<plan::SolverInfo>,
        worlds: u64,
    }
    let mut curve_plans: Vec<(f64, Vec<u32>)> = Vec::new();
    let chosen = match (&rules, &costs) {
        (Some(rules), Some(costs)) => 'budgeted: {
            let mut bc = BudgetConfig::new(a.model.seed);
            bc.epsilon = a.epsilon;
            bc.delta = a.delta;
            bc.tolerance = a.tolerance;
            bc.resolution = a.reach_resolution;
            bc.max_rr_sets = a.max_rr_sets;
            bc.mip_seconds = a.mip_seconds;
            bc.mip_pool = a.mip_pool;
            bc.limits = limits;
            if let Some(al) = seedplan::budget::take_all(&model, &roots, costs, rules) {
                // Every account the rules allow fits, or the must-includes fill the seed cap: the
                // best plan there is, nothing sampled.
                break 'budgeted Chosen {
                    seeds: al.seeds,
                    // Every account taken is the best plan there is; must-includes that fill the
                    // cap are a plan as given, certified no more than a cardinality one.
                    approximation: (al.status == SelectStatus::AllCandidates).then_some(1.0),
                    upper: None,
                    certify: false,
                    status: al.status,
                    rr_sets: 0,
                    rr_bytes: 0,
                    rr_ids: 0,
                    method: al.method,
                    worlds: 0,
                    solver: Some(plan::SolverInfo {
                        status: al.solver_status,
                        seconds: 0.0,
                        greedy_variant: al.greedy_variant,
                        // Nothing was sampled: no coverage, no bound.
                        greedy_coverage: None,
                        mip_coverage: None,
                        lp_bound: None,
                        greedy_bound: None,
                        dual_bound: None,
                        extended: 0,
                        swaps: 0,
                    }),
                };
            }
            // Forward worlds for a small pool that reaches few people, RR sets otherwise.
            let s = seedplan::budget::sample_any(&model, &roots, costs, rules, &bc, progress);
            // Interrupted: nothing will be written, so the greedies and the MIP need not run.
            if seedplan::limits::interrupted() {
                return Err(Error::Interrupted);
            }
            progress.begin("optimizing the budget allocation", None);
            let al = seedplan::budget::allocate_on(
                &model,
                &s,
                g.num_nodes(),
                roots.population(),
                costs,
                rules,
                &bc,
            );
            progress.end();
            // Past a `--time-limit` the report's nine smaller plans are not made (5 s past a 2 s
            // limit on the demo): its chart is reach by spend along this plan's seeds instead.
            let late = bc.limits.expired() == Some(seedplan::limits::LimitHit::Time);
            if a.report.is_some() && late && !quiet {
                note!(
                    "note: the time limit has passed: the report charts reach by spend along \
                     this plan's seeds instead of planning smaller budgets"
                );
            }
            if a.report.is_some() && !late {
                // The report's reach-versus-budget curve: plans at fractions of the budget on
                // the same sample (greedy and a short MIP each).
                // The chart needs their seeds, not their certificates: the bound gets its least
                // work and no MIP runs (nine points took 17 s on the demo market with a second
                // of MIP each, mostly finding nothing; a quarter second of clock found nothing
                // either, and as a node budget its root LP alone took 0.3-0.5 s a point). The
                // greedy and the swaps make each point's plan.
                let mut quick = bc.clone();
                quick.mip_pool = 0;
                quick.hurry = true;
                // The points are planned side by side: each is a mostly serial greedy and MIP.
                use rayon::prelude::*;
                let budgets: Vec<seedplan::budget::Constraints> =
                    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
                        .iter()
                        .map(|f| {
                            let mut r = rules.clone();
                            r.budget *= f;
                            r
                        })
                        // A smaller budget may leave the rules without a plan (a minimum that
                        // no longer fits): that point is left out rather than planned against
                        // them.
                        .filter(|r| r.check_feasible(&g, costs).is_ok())
                        .collect();
                curve_plans = budgets
                    .par_iter()
                    .filter_map(|r| {
                        // Ctrl-C ends the run (exit 130, checked below) without these plans.
                        if seedplan::limits::interrupted() {
                            return None;
                        }
                        let p = seedplan::budget::allocate_on(
                            &model,
                            &s,
                            g.num_nodes(),
                            roots.population(),
                            costs,
                            r,
                            &quick,
                        );
                        Some((r.budget, p.seeds))
                    })
                    .collect();
            }
            Chosen {
                seeds: al.seeds,
                approximation: None,
                upper: Some(al.upper_bound),
                certify: s.worlds == 0,
                status: al.status,
                rr_sets: al.rr_sets,
                rr_bytes: al.rr_bytes,
                rr_ids: al.rr_ids,
                method: al.method.clone(),
                worlds: s.worlds_drawn,
                solver: Some(plan::SolverInfo {
                    status: al.solver_status,
                    seconds: al.solver_seconds,
                    greedy_variant: al.greedy_variant,
                    greedy_coverage: Some(al.greedy_coverage),
                    mip_coverage: al.mip_coverage,
                    lp_bound: al.lp_bound,
                    // A bound not counted (past a time limit) is infinite: null, as ever.
                    greedy_bound: Some(al.greedy_bound).filter(|b| b.is_finite()),
                    dual_bound: Some(al.dual_bound).filter(|b| b.is_finite()),
                    extended: al.extended,
                    swaps: al.swaps,
                }),
            }
        }
        _ => {
            let ctx = SelectContext {
                model: &model,
                roots: &roots,
                candidates: candidates.as_deref(),
                forced: &forced,
                config: cfg.clone(),
                progress: progress as &dyn Progress,
            };
            // Must-includes that fill -k leave nothing to select: drawing sets to certify a
            // plan that is given drew 19M sets for a plan reaching 2 people.
            let sel = if !forced.is_empty() && forced.len() >= ctx.effective_k() {
                seedplan::select::Selection {
                    seeds: forced.iter().copied().take(ctx.effective_k()).collect(),
                    gains: None,
                    approximation: None,
                    upper_bound: None,
                    status: seedplan::select::SelectStatus::Forced,
                    rr_sets: 0,
                    rr_bytes: 0,
                    rr_ids: 0,
                    rounds: 0,
                    certify_on_estimate: false,
                    worlds: 0,
                }
            } else if algo.name() == "auto" && all_fit(&ctx) {
                // Every candidate fits in -k (a cost table of two accounts): taking them all is
                // the best plan there is (reach only grows with seeds), so nothing is sampled
                // to select; `auto`'s precision rule drew 89M sets for such a plan on NetHEPT.
                // They are listed must-includes first, then by followers.
                let mut seeds: Vec<u32> = forced.clone();
                let mut rest: Vec<u32> = (0..g.num_nodes() as u32)
                    .filter(|&v| ctx.is_candidate(v) && !forced.contains(&v))
                    .collect();
                rest.sort_by_key(|&v| (std::cmp::Reverse(g.out_degree(v)), v));
                seeds.extend(rest);
                seedplan::select::Selection {
                    seeds,
                    gains: None,
                    approximation: Some(1.0),
                    upper_bound: None,
                    status: seedplan::select::SelectStatus::AllCandidates,
                    rr_sets: 0,
                    rr_bytes: 0,
                    rr_ids: 0,
                    rounds: 0,
                    certify_on_estimate: false,
                    worlds: 0,
                }
            } else if algo.name() == "auto" && nothing_spreads(&ctx) {
                // Every edge has probability 0, or leads only to people the reach does not
                // count: a plan reaches exactly its seeds' own weight. The heaviest candidates
                // (ties to the smaller id) are the best plan; sampling picked among equals by
                // noise.
                let own = ctx.roots.stratified(ctx.model);
                let own = own.exact().expect("a stratified sampler credits exactly");
                let mut seeds: Vec<u32> = forced.clone();
                let mut rest: Vec<u32> = (0..g.num_nodes() as u32)
                    .filter(|&v| ctx.is_candidate(v) && !forced.contains(&v))
                    .collect();
                rest.sort_by(|&a, &b| own[b as usize].total_cmp(&own[a as usize]).then(a.cmp(&b)));
                let free = ctx.effective_k().saturating_sub(seeds.len());
                seeds.extend(rest.into_iter().take(free));
                seedplan::select::Selection {
                    seeds,
                    gains: None,
                    approximation: Some(1.0),
                    upper_bound: None,
                    status: seedplan::select::SelectStatus::Exact,
                    rr_sets: 0,
                    rr_bytes: 0,
                    rr_ids: 0,
                    rounds: 0,
                    certify_on_estimate: false,
                    worlds: 0,
                }
            } else {
                let mut sel = algo.selector().select(&ctx)?;
                // A limit before any set was drawn: the picks would come from no data at all
                // (the node order, the exact part of the reach). The plan is then what was
                // forced, and the note below says it is empty.
                if algo.uses_rr_sets()
                    && sel.rr_sets == 0
                    && sel.worlds == 0
                    && sel.status != SelectStatus::Forced
                {
                    sel.seeds.retain(|v| forced.contains(v));
                    sel.gains = None;
                }
                sel
            };
            if sel.seeds.is_empty() && ctx.effective_k() > 0 && !quiet {
                note!(
                    "note: the run stopped ({}) before its first pick: the plan is empty",
                    sel.status
                );
            }
            Chosen {
                seeds: sel.seeds,
                approximation: sel.approximation,
                upper: sel.upper_bound,
                certify: sel.certify_on_estimate,
                status: sel.status,
                rr_sets: sel.rr_sets,
                rr_bytes: sel.rr_bytes,
                rr_ids: sel.rr_ids,
                method: algo.name().to_string(),
                solver: None,
                worlds: sel.worlds,
            }
        }
    };
    let algo_s = t1.elapsed().as_secs_f64();
    if seedplan::limits::interrupted() {
        return Err(Error::Interrupted);
    }
    if chosen.status == SelectStatus::MemoryLimit && !quiet {
        note_default_cap(
            default_cap,
            "the plan is the best so far (status memory_limit)",
        );
    }
    let t2 = Instant::now();
    progress.begin("estimating reach", None);
    // The report's budget curve scores the plans of smaller budgets on the same sets, so their
    // seeds are kept in the projection too; the sample size follows the chosen plan alone.
    // The estimate credits the singleton sets exactly and samples the rest (stratified roots):
    // the same precision from fewer sets, whatever algorithm chose the seeds.
    let est_roots = roots.stratified(&model);
    // A plan chosen on forward worlds (a small pool reaching few people) is estimated on forward
    // worlds too: RR sets would mostly miss it. So is a plan of a small pool that needed no
    // selection (must-includes that fill -k, every candidate, nothing spreading); plans an
    // engine chose on RR sets or by its own rule keep the RR estimate.
    let forward = chosen.worlds > 0
        || (matches!(
            chosen.status,
            SelectStatus::Forced | SelectStatus::AllCandidates | SelectStatus::Exact
        ) && plan::forward_suits(&model, &roots, &chosen.seeds, a.model.seed));
    let mut est_sets = if forward {
        seedplan::rrset::RrCollection::new(a.model.seed, seedplan::rng::Purpose::RrEstimate)
    } else {
        plan::estimate_sets(
            &model,
            &est_roots,
            &[&chosen.seeds],
            a.model.seed,
            a.estimate_rse,
        )
    };
    if a.report.is_some() && !curve_plans.is_empty() && !forward {
        let mut lists: Vec<&[u32]> = vec![&chosen.seeds];
        lists.extend(curve_plans.iter().map(|(_, s)| s.as_slice()));
        est_sets =
            plan::estimate_sets_sized(&model, &est_roots, &lists, a.model.seed, est_sets.sampled());
    }
    let fw = plan::forward_weights(&roots);
    let est = if forward {
        plan::estimate_forward(
            &model,
            &chosen.seeds,
            fw.as_deref(),
            a.model.seed,
            a.estimate_rse,
        )
    } else {
        plan::estimate_on(&model, &est_sets, &chosen.seeds, &est_roots)
    };
    if seedplan::limits::interrupted() {
        return Err(Error::Interrupted);
    }
    progress.end();
    let est_s = t2.elapsed().as_secs_f64();
    let certificate = if chosen.certify {
        chosen.upper.map(|u| {
            seedplan::select::certify(
                est.hits,
                est.samples,
                est_roots.population(),
                est.exact,
                delta,
                u,
            )
        })
    } else {
        // OPIM-C's ratio is measured on the sets drawn, whatever stopped the drawing (a sample
        // cap, a limit), so it stays a certificate; the others' ratios are guarantees that a
        // limit voids (and they report none then).
        // Forward worlds give a ratio measured on the worlds, not a certificate.
        chosen.approximation.filter(|_| {
            chosen.worlds == 0
                && (matches!(algo, Algorithm::Auto | Algorithm::Opim)
                    || matches!(
                        chosen.status,
                        seedplan::select::SelectStatus::Certified
                            | seedplan::select::SelectStatus::Converged
                            | seedplan::select::SelectStatus::AllCandidates
                    ))
        })
    };
    let (rows, spend) = plan_rows(
        &g,
        &chosen.seeds,
        &est,
        costs.as_ref(),
        rules.as_ref().map(|r| r.budget),
    );
    let budgeted = rules.is_some();
    let plan = SeedingPlan {
        format_version: plan::PLAN_FORMAT_VERSION,
        seeds: rows,
        expected_reach: est.total.expected_reach,
        std_error: est.total.std_error,
        ci95: est.total.ci95,
        approximation: if chosen.certify {
            certificate
        } else if chosen.worlds > 0 {
            // Forward worlds: the plan's reach over the bound, both measured on worlds.
            chosen
                .upper
                .filter(|&u| u > 0.0)
                .map(|u| (est.total.expected_reach / u).min(1.0))
        } else {
            chosen.approximation
        },
        upper_bound: chosen.upper,
        algorithm: if budgeted {
            "budget".into()
        } else {
            algo.name().to_string()
        },
        status: chosen.status,
        limit_hit: matches!(
            chosen.status,
            seedplan::select::SelectStatus::TimeLimit | seedplan::select::SelectStatus::MemoryLimit
        ),
        k: if budgeted {
            rules.as_ref().map_or(a.k, |r| {
                r.max_seeds.min(chosen.seeds.len().max(r.include.len()))
            })
        } else {
            a.k
        },
        max_seeds: rules
            .as_ref()
            .map(|r| r.max_seeds)
            .filter(|&m| m != usize::MAX),
        model: model.kind().short().to_string(),
        probs: model.scheme().spec(),
        seed: a.model.seed,
        epsilon: a.epsilon,
        delta,
        rr_sets: chosen.rr_sets,
        rr_bytes: chosen.rr_bytes,
        rr_ids: chosen.rr_ids,
        worlds: chosen.worlds,
        spent: costs.as_ref().map(|_| spend),
        budget: rules.as_ref().map(|r| r.budget),
        certificate,
        method: chosen.method,
        solver: chosen.solver,
        cp1k_u: costs
            .as_ref()
            .filter(|_| est.total.expected_reach > 0.0)
            .map(|_| spend / est.total.expected_reach * 1000.0),
        include: match &rules {
            Some(r) => r.include.iter().map(|&v| g.label(v).into_owned()).collect(),
            None => forced.iter().map(|&v| g.label(v).into_owned()).collect(),
        },
        exclude: match &rules {
            Some(r) => r.exclude.iter().map(|&v| g.label(v).into_owned()).collect(),
            None => a.exclude.clone(),
        },
        target: a.target.target.as_ref().map(|p| plan::TargetInfo {
            path: p.clone(),
            total_weight: roots.population(),
        }),
        estimate: plan::EstimateInfo {
            method: if forward { "worlds" } else { "rr" }.into(),
            samples: est.samples,
            relative_std_error: est.rse(),
            exact_reach: est.exact,
        },
        timings: plan::Timings {
            load_seconds: load_s,
            algorithm_seconds: algo_s,
            estimate_seconds: est_s,
            total_seconds: t_all.elapsed().as_secs_f64(),
        },
        peak_memory_bytes: seedplan::sys::peak_rss(),
        graph: plan::GraphInfo {
            path: a.graph.graph.clone(),
            nodes: g.num_nodes(),
            edges: g.num_edges(),
            self_loops_dropped: g.report().self_loops_dropped,
            duplicates_merged: g.report().duplicates_merged,
            edge_meaning: g.report().edge_meaning.clone(),
            undirected: g.report().undirected,
            header_like: g
                .report()
                .header_like
                .as_ref()
                .map(|(line, text)| serde_json::json!({"line": line, "text": text})),
        },
        command: a.command.clone().unwrap_or_else(command_line),
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let format = if a.seeds_only {
        // One label a line, read back trimmed: a label with a line break in it would read
        // back as two accounts, one with blanks at its ends as another account.
        if let Some(r) = plan
            .seeds
            .iter()
            .find(|r| r.node.contains(['\n', '\r']) || r.node.trim() != r.node)
        {
            return Err(Error::usage(format!(
                "seed {:?} has a line break or blanks at its ends in its label: --seeds-only \
                 cannot list it one a line; use --format csv or json",
                r.node
            )));
        }
        PlanFormat::SeedsOnly
    } else {
        match a.format {
            PlanFormatArg::Table => PlanFormat::Table,
            PlanFormatArg::Csv => PlanFormat::Csv,
            PlanFormatArg::Json => PlanFormat::Json,
        }
    };
    let mut report = None;
    if let Some(path) = &a.report {
        use seedplan::report::html::{plan_report, ReportCurve, ReportOverlap};
        // (A budgeted plan that took every candidate, or one the time limit had passed, planned
        // no smaller budgets: its curve is reach by spend along its seeds, as for other plans
        // with a price list.)
        let curve = if let (Some(b), false) = (plan.budget, curve_plans.is_empty()) {
            // (budget, reach, interval) per point.
            let mut pts: Vec<(f64, f64, [f64; 2])> = vec![(0.0, 0.0, [0.0, 0.0])];
            // Budgets that share a plan share its estimate (each forward one sizes its own).
            let mut seen: std::collections::HashMap<&[u32], (f64, [f64; 2])> = Default::default();
            // A larger budget's plan estimated below a smaller one's is drawn at the smaller
            // one's point, interval and all (that plan is still affordable).
            let add = |pts: &mut Vec<(f64, f64, [f64; 2])>, x: f64, reach: f64, ci| {
                let last = *pts.last().expect("starts at 0");
                pts.push(if reach >= last.1 {
                    (x, reach, ci)
                } else {
                    (x, last.1, last.2)
                });
            };
            for (budget, seeds) in &curve_plans {
                let (reach, ci) = *seen.entry(seeds.as_slice()).or_insert_with(|| {
                    let t = if forward {
                        plan::estimate_forward(
                            &model,
                            seeds,
                            fw.as_deref(),
                            a.model.seed,
                            a.estimate_rse,
                        )
                    } else {
                        plan::estimate_on(&model, &est_sets, seeds, &est_roots)
                    }
                    .total;
                    (t.expected_reach, t.ci95)
                });
                add(&mut pts, *budget, reach, ci);
            }
            add(&mut pts, b, plan.expected_reach, plan.ci95);
            ReportCurve {
                title: "Expected reach by budget (a plan per budget)".into(),
                x_label: "budget".into(),
                heading: "Reach versus budget".into(),
                note: "Where the curve flattens, the next dollar buys least.".into(),
                points: pts.iter().map(|p| (p.0, p.1)).collect(),
                band: pts.iter().map(|p| (p.0, p.2[0], p.2[1])).collect(),
            }
        } else if plan.spent.is_some() {
            ReportCurve {
                title: "Expected reach as this plan's seeds are added, by spend".into(),
                x_label: "cumulative spend".into(),
                heading: "Reach versus spend".into(),
                note: "Where the curve flattens, the next dollar buys least.".into(),
                points: std::iter::once((0.0, 0.0))
                    .chain(
                        plan.seeds
                            .iter()
                            .map(|r| (r.cumulative_spend.unwrap_or(0.0), r.cumulative_reach)),
                    )
                    .collect(),
                band: std::iter::once((0.0, 0.0, 0.0))
                    .chain(plan.seeds.iter().map(|r| {
                        let x = r.cumulative_spend.unwrap_or(0.0);
                        (x, r.cumulative_ci95[0], r.cumulative_ci95[1])
                    }))
                    .collect(),
            }
        } else {
            ReportCurve {
                title: "Expected reach as this plan's seeds are added".into(),
                x_label: "number of seeds".into(),
                heading: "Reach versus number of seeds".into(),
                note: "Where the curve flattens, the next seed adds least.".into(),
                points: std::iter::once((0.0, 0.0))
                    .chain(
                        plan.seeds
                            .iter()
                            .map(|r| (r.rank as f64, r.cumulative_reach)),
                    )
                    .collect(),
                band: std::iter::once((0.0, 0.0, 0.0))
                    .chain(
                        plan.seeds
                            .iter()
                            .map(|r| (r.rank as f64, r.cumulative_ci95[0], r.cumulative_ci95[1])),
                    )
                    .collect(),
            }
        };
        // The heat map shows at most the first 40 seeds, to stay readable.
        let shown: Vec<u32> = chosen.seeds.iter().copied().take(40).collect();
        let overlap = ReportOverlap {
            labels: shown.iter().map(|&v| g.label(v).into_owned()).collect(),
            matrix: if forward {
                plan::overlap_forward(
                    &model,
                    &shown,
                    fw.as_deref(),
                    a.model.seed,
                    plan.estimate.samples,
                )
            } else {
                plan::overlap_matrix(&est_sets, &shown, &est_roots)
            },
        };
        let html = plan_report(&plan, Some(&curve), (!shown.is_empty()).then_some(&overlap));
        report = Some(output::stage(std::path::Path::new(path), html.as_bytes())?);
    }
    output::emit_with(a.output.as_deref(), report, |out| {
        plan::write_plan(&plan, format, out)
    })
}

/// Refuses an output folder that names a file, or whose parent folder does not exist (the
/// user's to fix: exit 2, as other bad output paths are; a typo made a tree of folders).
pub(crate) fn refuse_file_as_folder(dir: &std::path::Path) -> Result<()> {
    if dir.as_os_str().is_empty() {
        return Err(Error::usage(
            "an output folder path is empty: give a folder name",
        ));
    }
    // `out/.` is `out` (so `afile/.` is the file `afile`).
    let dir: std::path::PathBuf = dir.components().collect();
    // The folder, or the first of its parents that exists (`-o afile/sub`).
    if let Some(there) = dir.ancestors().find(|p| p.exists()) {
        if !there.is_dir() {
            return Err(Error::usage(format!(
                "{}: {} is a file, not a folder to write into",
                dir.display(),
                there.display()
            )));
        }
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if !parent.is_dir() {
        return Err(Error::usage(format!(
            "{}: output directory {} does not exist",
            dir.display(),
            parent.display()
        )));
    }
    Ok(())
}

/// Creates an output folder (its parent checked by `refuse_file_as_folder`).
fn make_folder(dir: &std::path::Path) -> Result<()> {
    let dir: std::path::PathBuf = dir.components().collect();
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::Runtime(format!("{}: cannot create directory: {e}", dir.display())))
}

fn generate(mut a: GenerateArgs, quiet: bool) -> Result<()> {
    use seedplan::generate::*;
    if let Some(path) = &a.price_graph {
        // Prices for an existing graph: --nodes and --avg-follows play no part.
        let dir = std::path::Path::new(&a.out_dir);
        refuse_file_as_folder(dir)?;
        let costs = dir.join("costs.csv");
        if output::is_existing_file(&costs.to_string_lossy(), path) {
            return Err(Error::usage(format!(
                "{} is the --price-graph input: writing the prices there would destroy it; \
                 give -o another folder",
                costs.display()
            )));
        }
        let ga = GraphArgs {
            graph: path.clone(),
            input_format: InputFormat::Auto,
            src_col: None,
            dst_col: None,
            prob_col: None,
            edge_meaning: a.price_edge_meaning,
            undirected: a.price_undirected,
            edge_meaning_given: a.price_edge_meaning_given,
        };
        // `load` names the graph options of the other commands; here they are the price ones.
        let g = load(&ga, None, quiet).map_err(|e| match e {
            Error::Input { loc, msg } => Error::Input {
                loc,
                msg: msg
                    .replace("--edge-meaning", "--price-edge-meaning")
                    .replace("--undirected", "--price-undirected"),
            },
            e => e,
        })?;
        // Made once the graph has loaded: a graph that does not load leaves no empty folder.
        make_folder(dir)?;
        let followers: Vec<u32> = (0..g.num_nodes() as u32)
            .map(|v| g.out_degree(v) as u32)
            .collect();
        let prices = price_by_followers(&followers, a.seed);
        let c = price_csv(&prices, |v| g.label(v).into_owned());
        output::write_atomic(&dir.join("costs.csv"), &c)?;
        if !quiet {
            note!(
                "wrote prices for {} accounts of {path} to {}",
                prices.len(),
                dir.join("costs.csv").display()
            );
        }
        return Ok(());
    }
    if a.nodes < 2 {
        return Err(Error::usage("--nodes must be at least 2"));
    }
    if a.avg_follows.is_nan() || a.avg_follows < 1.0 {
        return Err(Error::usage("--avg-follows must be at least 1"));
    }
    // Checked before anything is allocated or written: an infinite or huge value panicked on
    // the allocation and left an empty folder.
    if a.nodes > u32::MAX as usize / 2 {
        return Err(Error::usage(format!(
            "--nodes {}: at most {} (node ids are 32-bit)",
            a.nodes,
            u32::MAX / 2
        )));
    }
    // The default of 8 on a graph of 8 accounts or fewer: each follows all the others at most.
    if !a.avg_follows_given && a.avg_follows > (a.nodes - 1) as f64 {
        a.avg_follows = (a.nodes - 1) as f64;
    }
    if !a.avg_follows.is_finite() || a.avg_follows > (a.nodes - 1) as f64 {
        return Err(Error::usage(format!(
            "--avg-follows {}: an account can follow at most the {} others",
            a.avg_follows,
            a.nodes - 1
        )));
    }
    if a.nodes as f64 * a.avg_follows > 4e9 {
        return Err(Error::usage(format!(
            "--nodes {} × --avg-follows {} is over 4 billion follows",
            a.nodes, a.avg_follows
        )));
    }
    for (name, v) in [
        ("--preferential", a.preferential),
        ("--reciprocity", a.reciprocity),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(Error::usage(format!("{name} must be in [0, 1]")));
        }
    }
    let dir = std::path::Path::new(&a.out_dir);
    refuse_file_as_folder(dir)?;
    make_folder(dir)?;
    let cfg = GenerateConfig {
        nodes: a.nodes,
        avg_follows: a.avg_follows,
        preferential: a.preferential,
        reciprocity: a.reciprocity,
        seed: a.seed,
    };
    let fg = follower_graph(&cfg);
    let label = |i: u32| match a.format {
        GenFormat::Csv => handle(i, a.seed),
        GenFormat::Snap => i.to_string(),
    };
    let labels: Vec<String> = (0..fg.nodes as u32).map(label).collect();
    let mut text = Vec::with_capacity(fg.follows.len() * 24);
    let edges_name = match a.format {
        GenFormat::Csv => {
            text.extend_from_slice(b"follower,followee\n");
            for &(x, y) in &fg.follows {
                writeln!(text, "{},{}", labels[x as usize], labels[y as usize]).unwrap();
            }
            "follows.csv"
        }
        GenFormat::Snap => {
            writeln!(
                text,
                "# seedplan generate --nodes {} --avg-follows {} --preferential {} --reciprocity {} --seed {}\n# follower followee",
                a.nodes, a.avg_follows, a.preferential, a.reciprocity, a.seed
            )
            .unwrap();
            for &(x, y) in &fg.follows {
                writeln!(text, "{x} {y}").unwrap();
            }
            "follows.txt"
        }
    };
    // Both files are staged before either is renamed into place: a failure on the second
    // left the first behind.
    let edges = output::stage(&dir.join(edges_name), &text)?;
    drop(text);
    let costs = if a.no_costs {
        None
    } else {
        let prices = price_list(&fg, a.seed);
        let c = price_csv(&prices, |v| labels[v as usize].clone());
        Some(output::stage(&dir.join("costs.csv"), &c)?)
    };
    edges.commit()?;
    if let Some(c) = costs {
        c.commit()?;
    }
    if !quiet {
        note!(
            "wrote {} accounts, {} follows to {}",
            fg.nodes,
            fg.follows.len(),
            dir.join(edges_name).display()
        );
    }
    Ok(())
}

fn overlap(a: OverlapArgs, quiet: bool) -> Result<()> {
    if !(a.estimate_rse > 0.0 && a.estimate_rse < 1.0) {
        return Err(Error::usage("--estimate-rse must be in (0, 1)"));
    }
    let g = load(&a.graph, Some(&a.model), quiet)?;
    let model = build_model(&g, &a.model, &a.graph.graph)?;
    let seeds = input::parse_seeds(&a.seeds, &g)?;
    if !quiet {
        warn_if_planned_otherwise(&seeds, &a.seeds, &g, &model, a.model.seed);
    }
    let uniform = RootSampler::uniform(g.num_nodes());
    // Seeds that reach few people are measured on forward worlds, as a small pool's plan is
    // (RR sets would mostly miss them); the worlds are as many as the estimate needs.
    let (m, samples, method) = if plan::forward_suits(&model, &uniform, &seeds.ids, a.model.seed) {
        let est = plan::estimate_forward(&model, &seeds.ids, None, a.model.seed, a.estimate_rse);
        let m = plan::overlap_forward(&model, &seeds.ids, None, a.model.seed, est.samples);
        if seedplan::limits::interrupted() {
            return Err(Error::Interrupted);
        }
        (m, est.samples, "worlds")
    } else {
        let roots = uniform.stratified(&model);
        let coll = plan::estimate_sets(&model, &roots, &[&seeds.ids], a.model.seed, a.estimate_rse);
        let m = plan::overlap_matrix(&coll, &seeds.ids, &roots);
        (m, coll.sampled(), "rr")
    };
    let labels: Vec<String> = seeds.ids.iter().map(|&v| g.label(v).into_owned()).collect();
    emit(a.output.as_deref(), |out| match a.format {
        TableFormat::Json => {
            let v = serde_json::json!({
                "nodes": labels,
                "matrix": m,
                "reach": (0..labels.len()).map(|i| m[i][i]).collect::<Vec<_>>(),
                "samples": samples,
                "method": method,
                "model": model.kind().short(),
                "probs": model.scheme().spec(),
                "seed": a.model.seed,
            });
            serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::other)?;
            writeln!(out)
        }
        TableFormat::Csv => {
            let mut w = plan::csv_writer(&mut *out, labels.iter().map(String::as_str));
            let mut header = vec!["node".to_string()];
            header.extend(labels.iter().cloned());
            w.write_record(&header)?;
            for (i, l) in labels.iter().enumerate() {
                let mut row = vec![l.clone()];
                row.extend(m[i].iter().map(|x| format!("{x:.3}")));
                w.write_record(&row)?;
            }
            w.flush()
        }
    })
}

fn convert(a: ConvertArgs, quiet: bool) -> Result<()> {
    let t0 = Instant::now();
    if a.output == "-" || output::fd_alias(std::path::Path::new(&a.output)).is_some() {
        return Err(Error::usage(
            "convert writes a binary snapshot to a file (.spg), not to stdout: give -o FILE",
        ));
    }
    let model = ModelArgs {
        model: a.model,
        probs: if a.with_probs {
            "file".into()
        } else {
            "wc".into()
        },
        seed: 1,
    };
    let g = load(&a.graph, Some(&model), quiet)?;
    // What `plan --probs file` would refuse (LT weights over 1 once duplicates are summed) is
    // refused here, not written into a snapshot every later run rejects.
    if a.with_probs {
        build_model(&g, &model, &a.graph.graph)?;
    }
    let parse_s = t0.elapsed().as_secs_f64();
    output::write_atomic_with(std::path::Path::new(&a.output), |w| {
        input::snapshot::write_snapshot(&g, w)
    })?;
    if !quiet {
        note!(
            "wrote {} ({} nodes, {} arcs{}) in {:.2}s; parsing took {parse_s:.2}s",
            a.output,
            g.num_nodes(),
            g.num_edges(),
            if g.out_weights().is_some() {
                ", with probabilities"
            } else {
                ""
            },
            t0.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The memory available to this run: `SEEDPLAN_MEMORY_AVAILABLE` (a size) if set, else what the
/// system reports (`sys::available_memory`). A value that is not a size is refused: ignoring it
/// would leave the run with no cap at all.
fn available_memory() -> Result<Option<u64>> {
    match std::env::var("SEEDPLAN_MEMORY_AVAILABLE") {
        Ok(v) if !v.trim().is_empty() => seedplan::limits::parse_size(&v)
            .map(Some)
            .map_err(|e| Error::usage(format!("SEEDPLAN_MEMORY_AVAILABLE: {e}"))),
        _ => Ok(seedplan::sys::available_memory()),
    }
}

/// Bytes for a message: GiB from 1 GiB on, MiB from 1 MiB, KiB below.
fn human_size(b: f64) -> String {
    if b >= (1u64 << 30) as f64 {
        format!("{:.2} GiB", b / (1u64 << 30) as f64)
    } else if b < (1u64 << 20) as f64 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{:.1} MiB", b / (1u64 << 20) as f64)
    }
}

/// Where a plan's memory cap comes from.
#[derive(Debug, Clone, Copy)]
enum MemoryCap {
    /// `--max-memory`: the whole process, graph included.
    Given(u64),
    /// The default: a share of the memory available once the graph is loaded.
    Available(u64),
}

/// What a run's limits are set from (`plan`, `curve`).
pub(crate) struct RunLimitArgs<'a> {
    pub time_limit: Option<&'a str>,
    pub max_memory: Option<&'a str>,
    pub seed: u64,
    /// Seeds of the largest plan, for the size of a first sampling round.
    pub k: usize,
    pub epsilon: f64,
    pub delta: Option<f64>,
}

/// `--time-limit` (counted from `start`) and the memory cap: `--max-memory`, or without it three
/// quarters of the memory available now (the graph is loaded). A run that outgrew the machine
/// was killed with no plan and no word (soc-Slashdot0902 with an audience at `--budget 11`
/// reached 24 GB in 276 s), where it now stops with the best plan so far, status
/// `memory_limit`. Only RR storage is capped: a run without RR sets (`uses_rr` false) gets no
/// default cap (a malformed override is refused all the same).
pub(crate) fn run_limits(
    model: &Model<'_>,
    roots: &RootSampler,
    a: &RunLimitArgs<'_>,
    start: Instant,
    uses_rr: bool,
) -> Result<(seedplan::limits::Limits, Option<u64>)> {
    let mut limits = seedplan::limits::Limits::none();
    if let Some(t) = a.time_limit {
        let d = seedplan::limits::parse_duration(t)
            .map_err(|e| Error::usage(format!("--time-limit: {e}")))?;
        limits.deadline = Some(start + d);
    }
    let memory = match a.max_memory {
        Some(m) => Some(MemoryCap::Given(
            seedplan::limits::parse_size(m)
                .map_err(|e| Error::usage(format!("--max-memory: {e}")))?,
        )),
        None => {
            let avail = available_memory()?;
            avail
                .filter(|_| uses_rr)
                .map(|b| MemoryCap::Available(b / 4 * 3))
        }
    };
    if let Some(cap) = memory {
        limits.max_rr_bytes = Some(rr_budget(model, roots, a, cap, uses_rr)?);
    }
    let default_cap = match memory {
        Some(MemoryCap::Available(b)) => Some(b),
        _ => None,
    };
    Ok((limits, default_cap))
}

/// Says on stderr that the default memory cap (`run_limits`), not `--max-memory`, stopped
/// sampling, and what stands instead.
pub(crate) fn note_default_cap(default_cap: Option<u64>, what_stands: &str) {
    if let Some(cap) = default_cap {
        note!(
            "note: sampling stopped before outgrowing this machine's memory (no --max-memory: \
             three quarters of the {} available); {what_stands}",
            human_size(cap as f64 / 0.75)
        );
    }
}

/// The RR-storage budget left by the memory cap once the graph is loaded; refuses (exit 2) when
/// not even the first sampling round would fit, saying what would.
fn rr_budget(
    model: &Model<'_>,
    roots: &RootSampler,
    a: &RunLimitArgs<'_>,
    cap: MemoryCap,
    uses_rr: bool,
) -> Result<u64> {
    let g = model.graph();
    // An algorithm that simulates forward or ranks by out-degree will build the out-CSR.
    let forward_to_build = if uses_rr || g.has_forward() {
        0
    } else {
        g.forward_bytes()
    };
    let (total, graph_bytes, what) = match cap {
        MemoryCap::Given(t) => (
            t,
            (g.adjacency_bytes() + forward_to_build + g.nodes().heap_bytes()) as u64,
            format!("--max-memory {}", a.max_memory.unwrap_or("")),
        ),
        // The graph is in memory already: only what is still to be built counts.
        MemoryCap::Available(t) => (
            t,
            forward_to_build as u64,
            "not enough memory (no --max-memory: three quarters of what is available)".into(),
        ),
    };
    // Allocator slack, thread stacks, the estimate step and output: a fixed allowance.
    let overhead = 16u64 << 20;
    let size = human_size;
    if let (MemoryCap::Available(t), true) = (cap, graph_bytes + overhead >= total) {
        return Err(Error::usage(format!(
            "not enough memory: {} is available (no --max-memory: RR sets may take three \
             quarters of it, less {} of working memory); free some memory or give --max-memory",
            size(t as f64 / 0.75),
            size(overhead as f64)
        )));
    }
    if graph_bytes + overhead >= total {
        return Err(Error::usage(format!(
            "{what}: the graph alone takes about {} (plus {} working memory); allow \
             more memory",
            size(graph_bytes as f64),
            size(overhead as f64)
        )));
    }
    let budget = total - graph_bytes - overhead;
    if uses_rr {
        // A pilot of RR sets measures their size; the first round of two collections plus the
        // inverted index must fit.
        let mut pilot =
            seedplan::rrset::RrCollection::new(a.seed, seedplan::rng::Purpose::RrEstimate);
        pilot.extend_to(model, roots, 2000);
        let per_set = 8.0 * pilot.total_ids() as f64 / pilot.len() as f64 + 8.0;
        let n = g.num_nodes();
        let delta = a.delta.unwrap_or(1.0 / n.max(2) as f64);
        let (theta0, _) = seedplan::select::opim_sizes(n, a.k.max(1), a.epsilon, delta);
        let first = (2.0 * theta0 * per_set) as u64;
        if first > budget {
            let sets_fit = budget as f64 / (2.0 * per_set);
            return Err(Error::usage(format!(
                "{what}: even the first round of sampling needs about {} of RR sets \
                 ({:.0} bytes per set here), but only {} are left after the graph; about \
                 {:.0} sets per collection would fit: use a larger --epsilon or fewer seeds (-k)",
                size(first as f64),
                per_set,
                size(budget as f64),
                sets_fit
            )));
        }
    }
    Ok(budget)
}

/// Parses a command line. For `plan`, also records whether `-k` was given on it (in any of
/// the forms clap accepts: `-k 5`, `-k5`, `-k=5`, `--k 5`, `--k=5`, `-qk5`): only then does it
/// cap budgeted plans. clap says where each value came from; scanning the words did not see
/// `-k=5` or `-qk5`.
pub fn parse<I, T>(args: I) -> std::result::Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().try_get_matches_from(args)?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    if let Some((_, sub)) = matches.subcommand() {
        let given = sub.ids().any(|i| i.as_str() == "edge_meaning")
            && sub.value_source("edge_meaning") == Some(clap::parser::ValueSource::CommandLine);
        match &mut cli.command {
            Command::Plan(a) => a.graph.edge_meaning_given = given,
            Command::Evaluate(a) => a.graph.edge_meaning_given = given,
            Command::Stats(a) => a.graph.edge_meaning_given = given,
            Command::Curve(a) => a.graph.edge_meaning_given = given,
            Command::Overlap(a) => a.graph.edge_meaning_given = given,
            Command::Convert(a) => a.graph.edge_meaning_given = given,
            _ => {}
        }
    }
    if let Command::Generate(g) = &mut cli.command {
        let given = |id: &str| {
            matches
                .subcommand_matches("generate")
                .and_then(|m| m.value_source(id))
                == Some(clap::parser::ValueSource::CommandLine)
        };
        g.avg_follows_given = given("avg_follows");
        g.price_edge_meaning_given = given("price_edge_meaning");
    }
    if let Command::Bench(b) = &mut cli.command {
        let m = matches.subcommand_matches("bench");
        b.given = [
            "graph", "algos", "k", "epsilons", "models", "runs", "reps", "seed", "mc_runs",
            "import",
        ]
        .iter()
        .filter(|id| {
            m.and_then(|m| m.value_source(id)) == Some(clap::parser::ValueSource::CommandLine)
        })
        .map(|id| format!("--{}", id.replace('_', "-")))
        .collect();
    }
    if let Command::Plan(p) = &mut cli.command {
        p.k_given = matches
            .subcommand_matches("plan")
            .and_then(|m| m.value_source("k"))
            == Some(clap::parser::ValueSource::CommandLine);
    }
    Ok(cli)
}

/// The price table as CSV: `node,cost,category,tier,followers`.
fn price_csv(prices: &[seedplan::generate::PriceRow], label: impl Fn(u32) -> String) -> Vec<u8> {
    // A label with the delimiter, a quote or a line break, or starting with `#` (a comment to
    // the reader) or with spaces at either end, is quoted so that it reads back as written.
    let field = |s: String| {
        let plain = !s.contains([',', '"', '\n', '\r'])
            && !s.starts_with('#')
            && s.trim() == s
            && !s.is_empty();
        if plain {
            s
        } else {
            format!("\"{}\"", s.replace('"', "\"\""))
        }
    };
    let mut c = b"node,cost,category,tier,followers\n".to_vec();
    for r in prices {
        writeln!(
            c,
            "{},{},{},{},{}",
            field(label(r.node)),
            r.cost,
            r.category,
            r.tier,
            r.followers
        )
        .expect("writing to memory");
    }
    c
}
