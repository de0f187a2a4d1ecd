//! `seedplan bench`: run the suite, then write results.csv/json/md, SVG charts and a manifest.

use super::args::BenchArgs;
use super::output::write_atomic;
use seedplan::bench::{self, Cell, GraphSpec, ImportSpec, Matched, ModelSpec, Row, Suite};
use seedplan::error::{Error, Result};
use seedplan::progress::Progress;
use seedplan::report::{LineChart, Series};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

/// A check of a suite file's values, said in the file's words at the line of the value that
/// broke it: `k = [0]` was blamed on `--k`, a flag the user never gave, with no file named.
fn in_suite(path: &str, msg: String) -> Error {
    let flags: [(&str, &str, &str); 7] = [
        ("--mc-runs", "mc_runs", "mc_runs"),
        ("--k ", "k ", "k"),
        ("--runs", "runs", "runs"),
        ("--reps", "reps", "reps"),
        ("--algos", "algos", "algos"),
        ("--probs", "probs", "models"),
        ("--import", "[[import]]", "import"),
    ];
    // Messages that name their key first (`algos lists degree twice`, `model 'x'`), then the
    // flags they name.
    let mut keys: Vec<&str> = ["algos", "k", "epsilons", "models", "skip", "only"]
        .into_iter()
        .filter(|k| msg.starts_with(&format!("{k} ")))
        .collect();
    if msg.starts_with("model '") {
        keys.push("models");
    }
    if msg.starts_with("unknown algorithm") {
        keys.push("algos");
    }
    let mut text = msg.clone();
    for (flag, word, k) in flags {
        if text.contains(flag) {
            text = text.replace(flag, word);
            keys.push(k);
        }
    }
    let line = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| suite_line(&t, &keys, &msg));
    match line {
        Some(l) => Error::at_line(path, l, text),
        None => Error::in_file(path, text),
    }
}

/// The line that sets one of `keys` to the value `msg` is about: the unknown name it quotes, or
/// a 0 where at least 1 is needed (a graph's `mc_runs = 0` below a valid top-level one); else
/// the first line setting one of them.
fn suite_line(text: &str, keys: &[&str], msg: &str) -> Option<u64> {
    let quoted = msg
        .split_once("algorithm '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .map(|(name, _)| format!("\"{name}\""));
    let zero = msg.contains("at least 1") || msg.contains(">= 1");
    let value_of = |l: &str, key: &str| -> Option<String> {
        let rest = l.trim_start().strip_prefix(key)?.trim_start();
        rest.strip_prefix('=').map(str::to_string)
    };
    let broke = |v: &str| {
        quoted.as_ref().is_none_or(|q| v.contains(q.as_str()))
            && (!zero || v.split(|c: char| !c.is_ascii_digit()).any(|t| t == "0"))
    };
    let mut first = None;
    for key in keys {
        for (i, l) in text.lines().enumerate() {
            if let Some(v) = value_of(l, key) {
                first = first.or(Some(i as u64 + 1));
                if broke(&v) {
                    return Some(i as u64 + 1);
                }
            }
        }
    }
    first
}

fn suite_from(a: &BenchArgs) -> Result<Suite> {
    if let Some(path) = &a.suite {
        if !a.given.is_empty() {
            return Err(Error::usage(format!(
                "--suite {path} describes the whole benchmark; {} would be ignored: set them in \
                 the suite file",
                a.given.join(", ")
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::in_file(path, format!("cannot read suite: {e}")))?;
        let mut s: Suite = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|sp| text[..sp.start].matches('\n').count() as u64 + 1);
            match line {
                Some(l) => Error::at_line(path, l, e.message().to_string()),
                None => Error::in_file(path, e.message().to_string()),
            }
        })?;
        // Relative graph paths in a suite are relative to the suite file.
        let base = Path::new(path).parent().unwrap_or(Path::new("."));
        for g in &mut s.graphs {
            if Path::new(&g.path).is_relative() && !Path::new(&g.path).exists() {
                g.path = base.join(&g.path).to_string_lossy().to_string();
            }
        }
        return Ok(s);
    }
    let graphs = a
        .graph
        .iter()
        .map(|spec| {
            let (name, rest) = match spec.split_once('=') {
                Some((n, r)) => (n.to_string(), r),
                None => (String::new(), spec.as_str()),
            };
            let mut parts = rest.split(':');
            let path = parts.next().unwrap_or_default().to_string();
            let mut g = GraphSpec {
                name,
                path,
                undirected: false,
                edge_meaning: None,
                skip: Vec::new(),
                only: Vec::new(),
                mc_runs: None,
            };
            for opt in parts {
                match opt {
                    "undirected" => g.undirected = true,
                    "follows" | "influences" => g.edge_meaning = Some(opt.to_string()),
                    o => {
                        return Err(Error::usage(format!(
                        "--graph {spec}: unknown option ':{o}' (expected :undirected or :follows)"
                    )))
                    }
                }
            }
            Ok(g)
        })
        .collect::<Result<Vec<_>>>()?;
    let models = a
        .models
        .iter()
        .map(|m| {
            let (model, probs) = m.split_once(':').unwrap_or((m.as_str(), "wc"));
            ModelSpec {
                model: model.to_string(),
                probs: probs.to_string(),
            }
        })
        .collect();
    let imports = a
        .import
        .iter()
        .map(|s| {
            s.split_once('=')
                .map(|(n, p)| ImportSpec {
                    name: n.to_string(),
                    path: p.to_string(),
                })
                .ok_or_else(|| Error::usage(format!("--import {s}: expected NAME=FILE")))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Suite {
        graphs,
        models,
        algos: a.algos.clone(),
        k: a.k.clone(),
        epsilons: a.epsilons.clone(),
        runs: a.runs,
        seed: a.seed,
        reps: a.reps,
        mc_runs: a.mc_runs,
        imports,
    })
}

fn label(r: &Row, sweep: bool) -> String {
    match (r.epsilon, sweep) {
        (Some(e), true) => format!("{} ε={e}", r.algorithm),
        _ => r.algorithm.clone(),
    }
}

fn mib(b: Option<u64>) -> String {
    b.map(|x| format!("{:.1}", x as f64 / 1048576.0))
        .unwrap_or_else(|| "-".into())
}

/// The (graph, model, probs) groups of the rows, in first-appearance order.
fn groups(rows: &[Row]) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for r in rows {
        let g = (r.graph.clone(), r.model.clone(), r.probs.clone());
        if !out.contains(&g) {
            out.push(g);
        }
    }
    out
}

fn markdown(rows: &[Row], matched: &[Matched], sweep: bool) -> String {
    let mut md = String::new();
    let groups = groups(rows);
    for (g, m, p) in &groups {
        let _ = writeln!(md, "### {g} ({m}, {p})\n");
        let _ = writeln!(
            md,
            "| algorithm | k | reach | 95% CI | % of best | wall s | CPU s | RR MiB | RR sets | approx. |"
        );
        let _ = writeln!(md, "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        for r in rows
            .iter()
            .filter(|r| &r.graph == g && &r.model == m && &r.probs == p)
        {
            let _ = writeln!(
                md,
                "| {} | {} | {:.1} | {:.1}–{:.1} | {:.2}% | {:.4} | {:.4} | {} | {} | {} |",
                label(r, sweep),
                r.k,
                r.reach,
                r.reach_ci95[0],
                r.reach_ci95[1],
                r.of_best * 100.0,
                r.wall_seconds,
                r.cpu_seconds,
                mib(Some(r.rr_bytes)),
                r.rr_sets as u64,
                r.approximation
                    .map(|a| format!("{a:.3}"))
                    .unwrap_or_else(|| "-".into())
            );
        }
        let _ = writeln!(md, "\nTime to come within 1% of the best reach found:\n");
        let _ = writeln!(md, "| algorithm | k | seconds | ε |");
        let _ = writeln!(md, "|---|---:|---:|---:|");
        for x in matched
            .iter()
            .filter(|x| &x.graph == g && &x.model == m && &x.probs == p)
        {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                x.algorithm,
                x.k,
                // An imported seed set's time is another tool's, not measured here.
                match x.seconds_to_99pct {
                    _ if x.algorithm.starts_with("import:") => "(imported)".into(),
                    Some(s) => format!("{s:.4}"),
                    None => "never".into(),
                },
                x.epsilon
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "-".into())
            );
        }
        let _ = writeln!(md);
    }
    md
}

fn charts(rows: &[Row], sweep: bool, dir: &Path) -> Result<Vec<String>> {
    let mut written = Vec::new();
    let groups = groups(rows);
    for (g, m, p) in &groups {
        let mut labels: Vec<String> = Vec::new();
        for r in rows
            .iter()
            .filter(|r| &r.graph == g && &r.model == m && &r.probs == p)
        {
            let l = label(r, sweep);
            if !labels.contains(&l) && !r.algorithm.starts_with("import:") {
                labels.push(l);
            }
        }
        let series = |f: &dyn Fn(&Row) -> f64| -> Vec<Series> {
            labels
                .iter()
                .map(|l| Series {
                    name: l.clone(),
                    points: rows
                        .iter()
                        .filter(|r| {
                            &r.graph == g && &r.model == m && &r.probs == p && &label(r, sweep) == l
                        })
                        .map(|r| (r.k as f64, f(r)))
                        .collect(),
                    band: Vec::new(),
                })
                .collect()
        };
        let safe = |s: &str| s.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_");
        let stem = format!("{}_{}_{}", safe(g), safe(m), safe(p));
        let reach = LineChart {
            title: format!("{g}: expected reach vs k ({m}, {p})"),
            x_label: "k (seeds)".into(),
            y_label: "expected reach".into(),
            log_y: false,
            log_x: false,
            series: series(&|r| r.reach),
        };
        let time = LineChart {
            title: format!("{g}: algorithm time vs k ({m}, {p})"),
            x_label: "k (seeds)".into(),
            y_label: "wall seconds (log)".into(),
            log_y: true,
            log_x: false,
            series: series(&|r| r.wall_seconds.max(1e-5)),
        };
        for (name, chart) in [("reach_vs_k", reach), ("time_vs_k", time)] {
            let file = format!("{name}_{stem}.svg");
            write_atomic(&dir.join(&file), chart.to_svg(900, 560).as_bytes())?;
            written.push(file);
        }
    }
    Ok(written)
}

/// Runs `seedplan bench`.
pub fn run(a: BenchArgs, quiet: bool, progress: &dyn Progress) -> Result<()> {
    let suite = suite_from(&a)?;
    if let Err(e) = bench::validate(&suite) {
        return Err(match (&a.suite, e) {
            (Some(path), Error::Usage(msg)) => in_suite(path, msg),
            (_, e) => e,
        });
    }
    // Its parent must be there, as every other command's output folder must: a failed run
    // left the parents it had made (and a typo made a tree).
    super::refuse_file_as_folder(Path::new(&a.output))?;
    // `out/.` is `out` (creating `out/.` failed when `out` did not exist yet).
    let dir: std::path::PathBuf = Path::new(&a.output).components().collect();
    let dir = dir.as_path();
    let created = !dir.exists();
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Runtime(format!("{}: cannot create directory: {e}", a.output)))?;
    let done = run_into(suite, dir, quiet, progress);
    if done.is_err() && created {
        // A run that failed before writing anything (a graph that does not load, Ctrl-C)
        // leaves no empty folder behind; `remove_dir` removes only an empty one.
        let _ = std::fs::remove_dir(dir);
    }
    done
}

fn run_into(suite: Suite, dir: &Path, quiet: bool, progress: &dyn Progress) -> Result<()> {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let tty = !quiet && std::io::stderr().is_terminal();
    // What each graph's load dropped, reported as `plan` does and kept in the manifest.
    let mut graphs: Vec<serde_json::Value> = Vec::new();
    let on_graph = |name: &str, path: &str, g: &seedplan::graph::Graph| {
        let r = g.report();
        if !quiet && (r.self_loops_dropped > 0 || r.duplicates_merged > 0) {
            note!(
                "note: {}: dropped {} self-loop(s), merged {} duplicate arc(s); {} nodes, {} arcs",
                path,
                r.self_loops_dropped,
                r.duplicates_merged,
                g.num_nodes(),
                g.num_edges()
            );
        }
        graphs.push(serde_json::json!({
            "name": name,
            "path": path,
            "nodes": g.num_nodes(),
            "edges": g.num_edges(),
            "self_loops_dropped": r.self_loops_dropped,
            "duplicates_merged": r.duplicates_merged,
        }));
    };
    let cells: Vec<Cell> = bench::run(&suite, progress, on_graph, |c| {
        if !quiet {
            let line =
                format!(
                "{:<18} {:<4} {:<16} eps {:<5} k {:<4} rep {}: reach {:>10.1} ± {:<7.1} {:>9.4}s",
                c.graph,
                c.model,
                c.algorithm,
                c.epsilon.map(|e| e.to_string()).unwrap_or_else(|| "-".into()),
                c.k,
                c.rep,
                c.reach.expected_reach,
                c.reach.std_error * seedplan::eval::Z95,
                c.wall_seconds
            );
            if tty {
                progress.note(&line);
            } else {
                note!("{line}");
            }
        }
    })?;
    for imp in &suite.imports {
        let tag = format!("import:{}", imp.name);
        if !cells.iter().any(|c| c.algorithm == tag) && !quiet {
            note!(
                "warning: --import {}: its labels match none of the graphs; not scored",
                imp.name
            );
        }
    }
    let rows = bench::summarize(&cells);
    let matched = bench::matched_quality(&rows);
    let sweep = suite.epsilons.len() > 1;

    let mut csv_out = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::Runtime(format!("formatting results.csv: {e}"));
    csv_out
        .write_record([
            "graph",
            "model",
            "probs",
            "algorithm",
            "epsilon",
            "k",
            "reps",
            "reach",
            "reach_ci_lo",
            "reach_ci_hi",
            "reach_sd",
            "of_best",
            "wall_seconds",
            "wall_sd",
            "cpu_seconds",
            "peak_memory_bytes",
            "rr_sets",
            "approximation",
        ])
        .map_err(io)?;
    for r in &rows {
        csv_out
            .write_record([
                r.graph.clone(),
                r.model.clone(),
                r.probs.clone(),
                r.algorithm.clone(),
                r.epsilon.map(|e| e.to_string()).unwrap_or_default(),
                r.k.to_string(),
                r.reps.to_string(),
                format!("{:.4}", r.reach),
                format!("{:.4}", r.reach_ci95[0]),
                format!("{:.4}", r.reach_ci95[1]),
                format!("{:.4}", r.reach_sd),
                format!("{:.6}", r.of_best),
                format!("{:.6}", r.wall_seconds),
                format!("{:.6}", r.wall_sd),
                format!("{:.6}", r.cpu_seconds),
                r.peak_memory_bytes
                    .map(|b| b.to_string())
                    .unwrap_or_default(),
                format!("{}", r.rr_sets as u64),
                r.approximation
                    .map(|a| format!("{a:.6}"))
                    .unwrap_or_default(),
            ])
            .map_err(io)?;
    }
    // Cells cut short by Ctrl-C would be saved as results: nothing is written (exit 130).
    if seedplan::limits::interrupted() {
        return Err(Error::Interrupted);
    }
    let csv_bytes = csv_out
        .into_inner()
        .map_err(|e| Error::Runtime(format!("formatting results.csv: {e}")))?;
    write_atomic(&dir.join("results.csv"), &csv_bytes)?;
    let json = serde_json::json!({ "rows": rows, "matched_quality": matched, "cells": cells });
    write_atomic(
        &dir.join("results.json"),
        serde_json::to_string_pretty(&json).unwrap().as_bytes(),
    )?;
    write_atomic(
        &dir.join("results.md"),
        markdown(&rows, &matched, sweep).as_bytes(),
    )?;
    let chart_files = charts(&rows, sweep, dir)?;
    let files: Vec<String> = ["results.csv", "results.json", "results.md"]
        .iter()
        .map(|s| s.to_string())
        .chain(chart_files)
        .collect();
    // Files an earlier run in this folder wrote (its manifest says which) and this one did not
    // go: charts of another graph stayed beside these results. Only a bench manifest is
    // trusted (one with `seedplan_version` and `suite`), and only for names bench writes: a
    // `manifest.json` of something else listed files that are not bench's to remove.
    let ours = |f: &String| {
        ["results.csv", "results.json", "results.md"].contains(&f.as_str())
            || ((f.starts_with("reach_vs_k_") || f.starts_with("time_vs_k_"))
                && f.ends_with(".svg"))
    };
    let earlier: Vec<String> = std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .filter(|m| m.get("seedplan_version").is_some() && m.get("suite").is_some())
        .and_then(|m| {
            m["files"].as_array().map(|fs| {
                fs.iter()
                    .filter_map(|f| f.as_str().map(str::to_string))
                    .collect()
            })
        })
        .unwrap_or_default();
    for old in earlier.iter().filter(|f| ours(f) && !files.contains(f)) {
        let plain = std::path::Path::new(old)
            .file_name()
            .is_some_and(|n| n == std::ffi::OsStr::new(old));
        let path = dir.join(old);
        if plain && path.is_file() {
            std::fs::remove_file(&path)
                .map_err(|e| Error::Runtime(format!("{}: cannot remove: {e}", path.display())))?;
        }
    }
    let manifest = serde_json::json!({
        "seedplan_version": env!("CARGO_PKG_VERSION"),
        "command": super::command_line(),
        "machine": seedplan::sys::machine(),
        "threads": rayon::current_num_threads(),
        "started_unix": started,
        "suite": suite,
        "graphs": graphs,
        "files": files,
    });
    write_atomic(
        &dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap().as_bytes(),
    )?;
    if !quiet {
        note!("wrote {} cells to {}", cells.len(), dir.display());
    }
    Ok(())
}
