//! Plan writers: aligned table for people, CSV and JSON for programs, labels only for pipelines.

use super::SeedingPlan;
use std::io::{self, Write};

/// Output format of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    /// Aligned text table plus summary.
    Table,
    /// One CSV row per seed.
    Csv,
    /// The full plan as JSON (the documented contract).
    Json,
    /// One label a line.
    SeedsOnly,
}

fn fmt_num(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// Money as written: whole amounts without decimals, cents as cents (`12.50`), and every digit
/// a price has beyond them (`0.004` showed as `0.00`). The shortest digits that read back as the
/// amount, as the CSV and JSON outputs give it (`{:.0}` wrote 12345678901234567168 for a price
/// written 12345678901234567890).
fn fmt_money(x: Option<f64>) -> String {
    x.map(money_text).unwrap_or_default()
}

/// A lower bound in percent shown to one decimal without passing it: 81.07% is ">= 81.0%", not
/// the 81.1% rounding gave, which the bound does not promise.
pub fn floor_tenth(pct: f64) -> f64 {
    // The bound itself can be a float a hair under a tenth (81.1 as 81.09999...).
    (pct * 10.0 + 1e-9).floor() / 10.0
}

/// An amount of money as [`fmt_money`] shows it, for every output that shows one (the table,
/// the HTML report).
pub fn money_text(v: f64) -> String {
    let shortest = format!("{v}");
    match shortest.split_once('.') {
        Some((_, decimals)) if decimals.len() <= 2 => format!("{v:.2}"),
        // 1e-300 written out is a 300-digit cell.
        _ if shortest.len() > 24 => format!("{v:e}"),
        _ => shortest,
    }
}

/// A label as one table cell: control characters escaped (`\n`), so that a label holding a
/// line break or a tab keeps its row on one line and the columns aligned. The CSV and JSON
/// outputs keep it as it is.
fn shown(label: &str) -> String {
    // Line and paragraph separators and the bidirectional controls move text too.
    let moves = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
            )
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    if label.chars().any(moves) {
        label
            .chars()
            .map(|c| {
                if moves(c) {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        label.to_string()
    }
}

/// A CSV writer for rows holding `labels`: fields are quoted where needed, and every text field
/// when a label has blanks at its ends, which readers (this one's too) would otherwise trim.
pub fn csv_writer<'a, W: Write>(
    out: W,
    labels: impl IntoIterator<Item = &'a str>,
) -> csv::Writer<W> {
    let blanks = labels.into_iter().any(|l| l.trim() != l);
    csv::WriterBuilder::new()
        .quote_style(if blanks {
            csv::QuoteStyle::NonNumeric
        } else {
            csv::QuoteStyle::Necessary
        })
        .from_writer(out)
}

/// Writes `plan` in `format` to `out`.
pub fn write_plan(plan: &SeedingPlan, format: PlanFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        PlanFormat::SeedsOnly => {
            for r in &plan.seeds {
                writeln!(out, "{}", r.node)?;
            }
        }
        PlanFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, plan).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        PlanFormat::Csv => {
            let mut w = csv_writer(
                &mut *out,
                plan.seeds
                    .iter()
                    .flat_map(|r| [Some(r.node.as_str()), r.category.as_deref()])
                    .flatten(),
            );
            w.write_record([
                "rank",
                "node",
                "marginal_reach",
                "cumulative_reach",
                "cost",
                "category",
                "cumulative_spend",
                "exclusive_reach",
                "cp1k_u",
                "marginal_ci95_lo",
                "marginal_ci95_hi",
                "cumulative_ci95_lo",
                "cumulative_ci95_hi",
            ])?;
            for r in &plan.seeds {
                w.write_record([
                    r.rank.to_string(),
                    r.node.clone(),
                    format!("{:.4}", r.marginal_reach),
                    format!("{:.4}", r.cumulative_reach),
                    r.cost.map(|c| c.to_string()).unwrap_or_default(),
                    r.category.clone().unwrap_or_default(),
                    r.cumulative_spend
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                    format!("{:.4}", r.exclusive_reach),
                    r.cp1k_u.map(|c| format!("{c:.4}")).unwrap_or_default(),
                    format!("{:.4}", r.marginal_ci95[0]),
                    format!("{:.4}", r.marginal_ci95[1]),
                    format!("{:.4}", r.cumulative_ci95[0]),
                    format!("{:.4}", r.cumulative_ci95[1]),
                ])?;
            }
            w.flush()?;
        }
        PlanFormat::Table => {
            let has_cost = plan.seeds.iter().any(|r| r.cost.is_some());
            // Each reach with the half-width of its 95% interval (the bounds themselves are in
            // the CSV and JSON).
            let mut header = vec![
                "rank",
                "node",
                "marginal",
                "±95%",
                "cumulative",
                "±95%",
                "exclusive",
            ];
            let num = |h: f64| match h {
                h if h >= 10.0 => format!("{h:.1}"),
                h if h >= 1.0 => format!("{h:.2}"),
                h => format!("{h:.3}"),
            };
            // The half-width where the interval is about even around the estimate; where it is
            // not (no hit seen, every world alike: all of it on one side), both sides, `+up/-down`
            // ("0.000 ± 0.038" read as symmetric an interval of 0 to 0.076).
            let half = |x: f64, ci: [f64; 2]| {
                let (up, down) = ((ci[1] - x).max(0.0), (x - ci[0]).max(0.0));
                if (up - down).abs() <= 0.25 * up.max(down) {
                    num((ci[1] - ci[0]) / 2.0)
                } else {
                    format!("+{}/-{}", num(up), num(down))
                }
            };
            if has_cost {
                header.extend(["cost", "category", "spend", "CP1K-U"]);
            }
            let rows: Vec<Vec<String>> = plan
                .seeds
                .iter()
                .map(|r| {
                    let mut row = vec![
                        r.rank.to_string(),
                        shown(&r.node),
                        fmt_num(r.marginal_reach),
                        half(r.marginal_reach, r.marginal_ci95),
                        fmt_num(r.cumulative_reach),
                        half(r.cumulative_reach, r.cumulative_ci95),
                        fmt_num(r.exclusive_reach),
                    ];
                    if has_cost {
                        row.push(fmt_money(r.cost));
                        row.push(shown(r.category.as_deref().unwrap_or_default()));
                        row.push(fmt_money(r.cumulative_spend));
                        row.push(r.cp1k_u.map(|c| format!("{c:.2}")).unwrap_or_default());
                    }
                    row
                })
                .collect();
            // Columns as a terminal shows them: a CJK label takes two columns a character.
            let cols = |c: &str| unicode_width::UnicodeWidthStr::width(c);
            let mut width: Vec<usize> = header.iter().map(|h| cols(h)).collect();
            for row in &rows {
                for (i, c) in row.iter().enumerate() {
                    width[i] = width[i].max(cols(c));
                }
            }
            let line = |cells: &[String], out: &mut dyn Write| -> io::Result<()> {
                let mut s = String::new();
                for (i, c) in cells.iter().enumerate() {
                    let pad = " ".repeat(width[i] - cols(c));
                    // Names left-aligned, numbers right-aligned.
                    if i == 1 || (has_cost && i == 8) {
                        s.push_str(&format!("{c}{pad}  "));
                    } else {
                        s.push_str(&format!("{pad}{c}  "));
                    }
                }
                writeln!(out, "{}", s.trim_end())
            };
            line(
                &header.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                out,
            )?;
            for row in &rows {
                line(row, out)?;
            }
            writeln!(out)?;
            writeln!(
                out,
                "expected reach  {} (95% CI {} to {}), {}",
                fmt_num(plan.expected_reach),
                fmt_num(plan.ci95[0]),
                fmt_num(plan.ci95[1]),
                // Under `--target` the reach is in audience weight, not in nodes.
                match &plan.target {
                    Some(t) => format!(
                        "{} of the audience's weight {}",
                        pct(plan.expected_reach / t.total_weight.max(f64::MIN_POSITIVE)),
                        fmt_num(t.total_weight)
                    ),
                    None => format!(
                        "{} of {} nodes",
                        pct(plan.expected_reach / plan.graph.nodes.max(1) as f64),
                        plan.graph.nodes
                    ),
                }
            )?;
            if plan.estimate.method == "worlds" {
                writeln!(
                    out,
                    "estimated on    {} independent forward worlds (relative std. error {:.2}%)",
                    plan.estimate.samples,
                    plan.estimate.relative_std_error * 100.0
                )?;
            } else {
                writeln!(
                    out,
                    "estimated on    {} independent RR sets + {:.1} credited exactly (relative \
                     std. error {:.2}%)",
                    plan.estimate.samples,
                    plan.estimate.exact_reach,
                    plan.estimate.relative_std_error * 100.0
                )?;
            }
            match (plan.spent, plan.budget) {
                (Some(s), Some(b)) => writeln!(
                    out,
                    "spent           {} of budget {}{}",
                    fmt_money(Some(s)),
                    fmt_money(Some(b)),
                    plan.cp1k_u
                        .map(|c| format!(" ({c:.2} per 1,000 reached)"))
                        .unwrap_or_default()
                )?,
                (Some(s), None) => writeln!(out, "spent           {}", fmt_money(Some(s)))?,
                _ => {}
            }
            if let Some(c) = plan.certificate {
                writeln!(
                    out,
                    "certificate     reaches >= {:.1}% of the best possible plan{}",
                    floor_tenth(c * 100.0),
                    if plan.include.is_empty() {
                        ""
                    } else {
                        " with the same must-includes"
                    }
                )?;
            }
            if let Some(sv) = &plan.solver {
                if sv.greedy_variant.is_empty() {
                    // Nothing was optimized (every candidate taken).
                    writeln!(out, "method          {} ({})", plan.method, sv.status)?;
                } else {
                    writeln!(
                        out,
                        "method          {} ({}; {}; solvers {:.2}s)",
                        plan.method, sv.greedy_variant, sv.status, sv.seconds
                    )?;
                }
            }
            match plan.approximation {
                Some(a) => writeln!(
                    out,
                    "approximation   {:.3} ({}){}",
                    floor_tenth(a * 100.0) / 100.0,
                    plan.status,
                    plan.upper_bound
                        .map(|u| format!(
                            ", best possible reach <= {}{}",
                            fmt_num(u),
                            if plan.worlds > 0 {
                                " on the sampled worlds"
                            } else {
                                ""
                            }
                        ))
                        .unwrap_or_default()
                )?,
                None => writeln!(out, "approximation   none ({})", plan.status)?,
            }
            writeln!(
                out,
                "algorithm       {} (model {}, probs {}, seed {}, {}), {:.3}s",
                plan.algorithm,
                plan.model,
                plan.probs,
                plan.seed,
                if plan.worlds > 0 {
                    format!("{} forward worlds of the pool", plan.worlds)
                } else {
                    format!("{} RR sets", plan.rr_sets)
                },
                plan.timings.algorithm_seconds
            )?;
            writeln!(out, "{}", resources_lines(plan))?;
            writeln!(out, "reproduce       {}", plan.command)?;
        }
    }
    Ok(())
}

/// Time by phase, the process's peak memory, and what the RR sets took per stored id.
fn resources_lines(plan: &SeedingPlan) -> String {
    let t = &plan.timings;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let mut s = format!(
        "time            {:.3}s (load {:.3}s, algorithm {:.3}s, estimate {:.3}s)",
        t.total_seconds, t.load_seconds, t.algorithm_seconds, t.estimate_seconds
    );
    let mut mem = Vec::new();
    if let Some(p) = plan.peak_memory_bytes {
        mem.push(format!("peak {:.1} MiB", mib(p)));
    }
    if plan.rr_ids > 0 && plan.worlds > 0 {
        // Forward worlds keep each distinct set once, and a tally slot per node: a ratio per
        // stored id would read thousands of bytes on a small pool.
        mem.push(format!(
            "world set storage {:.1} MiB ({} ids in distinct sets, per-node tallies included)",
            mib(plan.rr_bytes),
            plan.rr_ids
        ));
    } else if plan.rr_ids > 0 {
        mem.push(format!(
            "RR storage {:.1} MiB ({:.1} bytes per stored id, offsets and index included)",
            mib(plan.rr_bytes),
            plan.rr_bytes as f64 / plan.rr_ids as f64
        ));
    }
    if !mem.is_empty() {
        s.push_str(&format!("\nmemory          {}", mem.join("; ")));
    }
    s
}

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

#[cfg(test)]
mod tests {
    /// Lower bounds shown to a tenth of a percent never pass the bound; prices show as written.
    #[test]
    fn bounds_round_down_and_prices_show_as_written() {
        assert_eq!(super::floor_tenth(72.6996), 72.6);
        assert_eq!(super::floor_tenth(81.1), 81.1);
        assert_eq!(super::floor_tenth(100.0), 100.0);
        for (v, shown) in [
            (7.0, "7"),
            (12.5, "12.50"),
            (0.004, "0.004"),
            (3.333, "3.333"),
            (1e-300, "1e-300"),
        ] {
            assert_eq!(super::money_text(v), shown);
        }
    }
}
