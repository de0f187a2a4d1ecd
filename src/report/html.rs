//! The campaign report: one self-contained HTML file (inline CSS and SVG, no scripts or fonts
//! fetched from anywhere) with the ranked plan, the summary with its confidence interval and
//! certificate, the reach curve, the audience-overlap heat map, and the inputs and command.

use super::charts::{LineChart, Series};
use crate::plan::SeedingPlan;
use std::fmt::Write;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A reach curve for the report.
#[derive(Debug, Clone)]
pub struct ReportCurve {
    /// Chart title.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Section heading ("Reach versus budget").
    pub heading: String,
    /// The line under the chart: how to read it.
    pub note: String,
    /// (x, expected reach) points.
    pub points: Vec<(f64, f64)>,
    /// (x, low, high): each point's 95% interval, drawn as a band (empty: none).
    pub band: Vec<(f64, f64, f64)>,
}

/// Pairwise overlap of the chosen seeds.
#[derive(Debug, Clone)]
pub struct ReportOverlap {
    /// Labels.
    pub labels: Vec<String>,
    /// Expected shared reach; the diagonal is each seed's own reach.
    pub matrix: Vec<Vec<f64>>,
}

fn heatmap_svg(o: &ReportOverlap) -> String {
    let k = o.labels.len();
    let cell = if k <= 12 {
        44
    } else if k <= 30 {
        24
    } else {
        14
    };
    let left = 150;
    let top = 130;
    let w = left + cell * k + 20;
    let h = top + cell * k + 20;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="audience overlap heat map">"#
    );
    for (i, l) in o.labels.iter().enumerate() {
        let y = top + i * cell + cell / 2 + 4;
        let _ = write!(
            s,
            r#"<text x="{}" y="{y}" text-anchor="end" font-size="11">{}</text>"#,
            left - 6,
            esc(l)
        );
        let x = left + i * cell + cell / 2;
        let _ = write!(
            s,
            r#"<text x="{x}" y="{}" font-size="11" transform="rotate(-60 {x} {})">{}</text>"#,
            top - 6,
            top - 6,
            esc(l)
        );
    }
    for i in 0..k {
        for j in 0..k {
            let own = o.matrix[i][i].min(o.matrix[j][j]).max(1e-9);
            // Shade by the share of the smaller audience that is shared; the diagonal is grey.
            let share = (o.matrix[i][j] / own).clamp(0.0, 1.0);
            let fill = if i == j {
                "#d9d9d9".to_string()
            } else {
                let r = 255.0 - share * (255.0 - 178.0);
                let g = 255.0 - share * (255.0 - 24.0);
                let b = 255.0 - share * (255.0 - 43.0);
                format!("rgb({:.0},{:.0},{:.0})", r, g, b)
            };
            let _ = write!(
                s,
                r##"<rect x="{}" y="{}" width="{cell}" height="{cell}" fill="{fill}" stroke="#fff"><title>{} &amp; {}: {:.1} shared ({:.0}% of the smaller audience)</title></rect>"##,
                left + j * cell,
                top + i * cell,
                esc(&o.labels[i]),
                esc(&o.labels[j]),
                o.matrix[i][j],
                share * 100.0
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Prices as written, as in the table (cents rounded here showed a price of 0.004 as 0.00).
fn money(x: f64) -> String {
    crate::plan::money_text(x)
}

fn num(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// Renders the report.
pub fn plan_report(
    plan: &SeedingPlan,
    curve: Option<&ReportCurve>,
    overlap: Option<&ReportOverlap>,
) -> String {
    let mut h = String::new();
    let title = format!(
        "Seeding plan: {} seeds, expected reach {}",
        plan.seeds.len(),
        num(plan.expected_reach)
    );
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="seedplan {ver}">
<title>{t}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }}
h1 {{ font-size: 1.6rem; margin-bottom: .2rem; }}
h2 {{ font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }}
.summary {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: .8rem; margin: 1rem 0; }}
.card {{ background: #f6f8fa; border-radius: 8px; padding: .8rem 1rem; }}
.card .v {{ font-size: 1.4rem; font-weight: 600; }}
.card .l {{ color: #555; font-size: .85rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9rem; }}
th, td {{ padding: .35rem .6rem; border-bottom: 1px solid #eee; text-align: right; }}
th {{ background: #f0f3f6; position: sticky; top: 0; }}
td.node, th.node, td.cat {{ text-align: left; }}
code {{ background: #f3f3f3; padding: .15rem .3rem; border-radius: 4px; word-break: break-all; }}
.note {{ color: #555; font-size: .85rem; }}
svg {{ max-width: 100%; height: auto; }}
</style></head><body>
<h1>{t}</h1>
<p class="note">Generated by seedplan {ver}. Reach is the expected number of people reached (seeds included){tgt}, estimated on {samples} independent of those used to choose the seeds.</p>
"#,
        ver = esc(&plan.version),
        t = esc(&title),
        samples = if plan.estimate.method == "worlds" {
            format!("{} random live-edge worlds", plan.estimate.samples)
        } else {
            format!("{} random reverse-reachable samples", plan.estimate.samples)
        },
        tgt = if plan.target.is_some() {
            ", weighted by the target audience"
        } else {
            ""
        },
    );
    h.push_str(r#"<div class="summary" id="summary">"#);
    let mut card = |v: String, l: &str| {
        let _ = write!(
            h,
            r#"<div class="card"><div class="v">{}</div><div class="l">{}</div></div>"#,
            esc(&v),
            esc(l)
        );
    };
    card(num(plan.expected_reach), "expected reach");
    card(
        format!("{} – {}", num(plan.ci95[0]), num(plan.ci95[1])),
        "95% confidence interval",
    );
    if let Some(c) = plan.certificate {
        card(
            format!("≥ {:.1}%", crate::plan::floor_tenth(c * 100.0)),
            "of the best possible plan (certified)",
        );
    }
    if let Some(b) = plan.budget {
        card(
            format!("{} of {}", money(plan.spent.unwrap_or(0.0)), money(b)),
            "spent of budget",
        );
    } else if let Some(s) = plan.spent {
        card(money(s), "total cost");
    }
    if let Some(c) = plan.cp1k_u {
        card(format!("{c:.2}"), "cost per 1,000 unique reached");
    }
    card(
        format!("{} ({})", plan.method, plan.model),
        "method and model",
    );
    h.push_str("</div>\n<h2>Ranked plan</h2>\n<table id=\"plan\"><thead><tr><th>rank</th><th class=\"node\">influencer</th>");
    let has_cost = plan.seeds.iter().any(|r| r.cost.is_some());
    if has_cost {
        h.push_str("<th class=\"node\">category</th><th>cost</th><th>cumulative spend</th>");
    }
    h.push_str("<th>marginal reach</th><th>cumulative reach</th><th>exclusive reach</th>");
    if has_cost {
        h.push_str("<th>cost per 1k unique</th>");
    }
    h.push_str("</tr></thead><tbody>\n");
    for r in &plan.seeds {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"node\">{}</td>",
            r.rank,
            esc(&r.node)
        );
        if has_cost {
            let _ = write!(
                h,
                "<td class=\"cat\">{}</td><td>{}</td><td>{}</td>",
                esc(r.category.as_deref().unwrap_or("")),
                r.cost.map(money).unwrap_or_default(),
                r.cumulative_spend.map(money).unwrap_or_default()
            );
        }
        // Each reach with its 95% interval beneath, small.
        let _ = write!(
            h,
            "<td>{}<br><small>{}&ndash;{}</small></td><td>{}<br><small>{}&ndash;{}</small></td><td>{}</td>",
            num(r.marginal_reach),
            num(r.marginal_ci95[0]),
            num(r.marginal_ci95[1]),
            num(r.cumulative_reach),
            num(r.cumulative_ci95[0]),
            num(r.cumulative_ci95[1]),
            num(r.exclusive_reach)
        );
        if has_cost {
            let _ = write!(
                h,
                "<td>{}</td>",
                r.cp1k_u.map(|x| format!("{x:.2}")).unwrap_or_default()
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    if let Some(c) = curve {
        let chart = LineChart {
            title: c.title.clone(),
            x_label: c.x_label.clone(),
            y_label: "expected reach".into(),
            log_y: false,
            log_x: false,
            series: vec![Series {
                name: "expected reach (band: 95% interval)".into(),
                points: c.points.clone(),
                band: c.band.clone(),
            }],
        };
        let _ = write!(
            h,
            "<h2>{}</h2>\n<div class=\"chart\" id=\"curve\">{}</div>\n<p class=\"note\">{}</p>\n",
            esc(&c.heading),
            strip_xml_decl(&chart.to_svg(1000, 480)),
            esc(&c.note)
        );
    }
    if let Some(o) = overlap {
        let _ = write!(
            h,
            "<h2>Audience overlap</h2>\n<div class=\"chart\" id=\"overlap\">{}</div>\n<p class=\"note\">Darker cells: a larger share of the smaller audience is reached by both influencers (hover for numbers).</p>\n",
            heatmap_svg(o)
        );
    }
    let _ = write!(
        h,
        "<h2>Inputs and reproduction</h2>\n<table id=\"inputs\"><tbody>\
<tr><td class=\"node\">graph</td><td class=\"node\">{} ({} nodes, {} arcs)</td></tr>\
<tr><td class=\"node\">model</td><td class=\"node\">{} with probabilities {}</td></tr>\
<tr><td class=\"node\">algorithm</td><td class=\"node\">{} (status {}, {})</td></tr>\
<tr><td class=\"node\">seed</td><td class=\"node\">{}</td></tr>\
<tr><td class=\"node\">time</td><td class=\"node\">{:.3}s algorithm, {:.3}s total</td></tr>\
</tbody></table>\n<p>Command: <code>{}</code></p>\n</body></html>\n",
        esc(&plan.graph.path),
        plan.graph.nodes,
        plan.graph.edges,
        esc(&plan.model),
        esc(&plan.probs),
        esc(&plan.algorithm),
        plan.status,
        if plan.worlds > 0 {
            format!("{} forward worlds of the pool", plan.worlds)
        } else if plan.estimate.method == "worlds" {
            "estimated on forward worlds".to_string()
        } else {
            format!(
                "{} RR sets, ε = {}, δ = {:.3e}",
                plan.rr_sets, plan.epsilon, plan.delta
            )
        },
        plan.seed,
        plan.timings.algorithm_seconds,
        plan.timings.total_seconds,
        esc(&plan.command)
    );
    h
}

fn strip_xml_decl(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}
