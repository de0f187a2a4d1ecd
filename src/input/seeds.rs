//! Seed lists: `a,b,c` on the command line, a file with one label a line, or a plan JSON written
//! by `seedplan plan`.

use super::reader::open;
use crate::error::{Error, Result};
use crate::graph::Graph;
use std::io::Read;

/// Seeds resolved to node ids, in the order given.
#[derive(Debug, Clone)]
pub struct SeedList {
    /// Node ids.
    pub ids: Vec<u32>,
    /// Where they came from (for messages).
    pub source: String,
    /// What a plan JSON was made under, to warn when it is scored under something else.
    pub planned_under: Option<PlannedUnder>,
}

/// The settings a plan JSON records that change what its seeds reach (each `None` when the
/// plan does not say: plans of earlier releases lack some).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlannedUnder {
    /// `"model"`: `ic` or `lt`.
    pub model: Option<String>,
    /// `"probs"`: `wc`, `uniform:P`, `trivalency`, `file`.
    pub probs: Option<String>,
    /// `"seed"`: trivalency probabilities are drawn from it.
    pub seed: Option<u64>,
    /// `"graph"."edge_meaning"`.
    pub edge_meaning: Option<String>,
    /// `"graph"."undirected"`.
    pub undirected: Option<bool>,
    /// `"target"."path"`: the plan counted reach by these audience weights.
    pub target: Option<String>,
}

impl PlannedUnder {
    fn of(v: &serde_json::Value) -> Self {
        let s = |x: Option<&serde_json::Value>| x.and_then(|x| x.as_str()).map(str::to_string);
        let graph = v.get("graph");
        PlannedUnder {
            model: s(v.get("model")),
            probs: s(v.get("probs")),
            seed: v.get("seed").and_then(|x| x.as_u64()),
            edge_meaning: s(graph.and_then(|g| g.get("edge_meaning"))),
            undirected: graph
                .and_then(|g| g.get("undirected"))
                .and_then(|x| x.as_bool()),
            target: s(v.get("target").and_then(|t| t.get("path"))),
        }
    }
}

/// Resolves `spec`: an existing file (label lines or plan JSON), else a comma-separated list.
/// Unknown or repeated labels are errors naming where they were found, and so is a `spec`
/// that names both a file and a node.
pub fn parse_seeds(spec: &str, graph: &Graph) -> Result<SeedList> {
    let (is_file, labels, planned) = read_labels(spec, graph)?;
    let mut list = resolve(spec, is_file, labels, graph)?;
    list.planned_under = planned;
    Ok(list)
}

/// Whether `spec` is a seed list for `graph` at all: at least one of its labels is a node.
/// A list none of whose labels are in the graph was made for another one (`bench --import`
/// over several graphs skips it there); one with some is a list with mistakes.
pub fn any_seed_in(spec: &str, graph: &Graph) -> Result<bool> {
    let (_, labels, _) = read_labels(spec, graph)?;
    Ok(labels.iter().any(|(_, l)| graph.nodes().get(l).is_some()))
}

/// The labels `spec` lists, with their line numbers in a file; whether it is a file.
type Labels = Vec<(Option<u64>, String)>;

fn read_labels(spec: &str, graph: &Graph) -> Result<(bool, Labels, Option<PlannedUnder>)> {
    // Anything there that is not a folder is read: a pipe (`<(echo a)`, `/dev/stdin`) too.
    let is_file = spec == "-" || std::fs::metadata(spec).is_ok_and(|m| !m.is_dir());
    // A name that is both a file here and a node of the graph: reading either would surprise
    // someone, so neither is read.
    if is_file && spec != "-" && !spec.contains(',') && graph.nodes().get(spec.trim()).is_some() {
        return Err(Error::usage(format!(
            "--seeds '{spec}' is both a file and a node of the graph {}: write ./{spec} for \
             the file, or '{spec},' for the node",
            graph.source()
        )));
    }
    let mut labels: Labels = Vec::new();
    let mut planned = None;
    if is_file {
        let mut text = String::new();
        open(spec)?.read_to_string(&mut text).map_err(|e| {
            Error::in_file(spec, format!("cannot read seed list as UTF-8 text: {e}"))
        })?;
        // A plan JSON: an object with seeds, or text starting with `{` that is not a list
        // of accounts (`{x}` is a label `plan --seeds-only` may write, and `{` an account
        // above a plan JSON's own first line).
        let first = text.lines().map(str::trim).find(|l| !l.is_empty());
        let parsed = if text.trim_start().starts_with('{') {
            Some(serde_json::from_str::<serde_json::Value>(&text))
        } else {
            None
        };
        let first_is_node = first.is_some_and(|l| graph.nodes().get(l).is_some());
        let json = match &parsed {
            Some(Ok(v)) => v.get("seeds").is_some() || !first_is_node,
            Some(Err(_)) => !first_is_node,
            None => false,
        };
        if json {
            let v = parsed.expect("parsed above").map_err(|e| {
                Error::at_line(spec, e.line() as u64, format!("invalid plan JSON: {e}"))
            })?;
            planned = Some(PlannedUnder::of(&v));
            // A plan from a later format could name its seeds differently: refuse to guess.
            if let Some(version) = v.get("format_version") {
                if version != &serde_json::json!(crate::plan::PLAN_FORMAT_VERSION) {
                    return Err(Error::in_file(
                        spec,
                        format!(
                            "plan JSON format_version {version} is not one this seedplan reads \
                             ({})",
                            crate::plan::PLAN_FORMAT_VERSION
                        ),
                    ));
                }
            }
            let seeds = v
                .get("seeds")
                .and_then(|s| s.as_array())
                .ok_or_else(|| Error::in_file(spec, "plan JSON has no \"seeds\" array"))?;
            for (i, s) in seeds.iter().enumerate() {
                let node = s.get("node").and_then(|n| n.as_str()).ok_or_else(|| {
                    Error::in_file(spec, format!("seeds[{i}] has no string \"node\""))
                })?;
                labels.push((None, node.to_string()));
            }
        } else {
            for (i, line) in text.lines().enumerate() {
                let l = line.trim();
                // `#` starts a comment, unless the whole line is a node's label: accounts
                // called `#brand` exist, and `plan --seeds-only` writes them as they are.
                if l.is_empty() || (l.starts_with('#') && graph.nodes().get(l).is_none()) {
                    continue;
                }
                labels.push((Some(i as u64 + 1), l.to_string()));
            }
        }
    } else {
        labels.extend(
            split_labels(spec, "--seeds")?
                .into_iter()
                .map(|l| (None, l)),
        );
    }
    Ok((is_file, labels, planned))
}

/// Splits an inline list as `evaluate` prints one: labels between commas, blanks around them
/// dropped, and a label in double quotes (a quote inside written `""`) kept exactly as quoted,
/// commas and blanks included. A quote inside an unquoted label is part of it, and empty
/// unquoted labels are skipped (`a,` names the node `a`, not a file). `flag` names the list
/// in messages.
pub fn split_labels(spec: &str, flag: &str) -> Result<Vec<String>> {
    let mut labels = Vec::new();
    let mut rest = spec;
    loop {
        let field = rest.trim_start();
        let Some(quoted) = field.strip_prefix('"') else {
            let (label, next) = match field.find(',') {
                Some(i) => (&field[..i], Some(&field[i + 1..])),
                None => (field, None),
            };
            if !label.trim().is_empty() {
                labels.push(label.trim().to_string());
            } else if next.is_some() {
                // An empty field between labels ("a,,c") is a typo, not a label: said so
                // rather than dropped. A trailing comma and an empty list are let through.
                return Err(Error::usage(format!(
                    "{flag}: empty label after {} label(s) in '{spec}' (two commas in a row?)",
                    labels.len()
                )));
            }
            match next {
                Some(next) => rest = next,
                None => return Ok(labels),
            }
            continue;
        };
        let mut label = String::new();
        let mut chars = quoted.char_indices().peekable();
        let after = loop {
            match chars.next() {
                None => {
                    return Err(Error::usage(format!(
                        "{flag}: no closing quote after \"{label}"
                    )))
                }
                Some((_, '"')) if chars.peek().is_some_and(|&(_, c)| c == '"') => {
                    chars.next();
                    label.push('"');
                }
                Some((i, '"')) => break quoted[i + 1..].trim_start(),
                Some((_, c)) => label.push(c),
            }
        };
        labels.push(label);
        if after.is_empty() {
            return Ok(labels);
        }
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None => {
                return Err(Error::usage(format!(
                    "{flag}: '{after}' follows the quoted label \"{}\" where a comma should be",
                    labels.last().expect("just pushed")
                )))
            }
        }
    }
}

fn resolve(spec: &str, is_file: bool, labels: Labels, graph: &Graph) -> Result<SeedList> {
    if labels.is_empty() {
        return Err(if is_file {
            Error::in_file(spec, "no seeds in file")
        } else {
            Error::usage("--seeds lists no node")
        });
    }
    let mut ids = Vec::with_capacity(labels.len());
    let mut seen = std::collections::HashSet::new();
    for (line, l) in labels {
        let err = |msg: String| match (is_file, line) {
            (true, Some(n)) => Error::at_line(spec, n, msg),
            (true, None) => Error::in_file(spec, msg),
            _ => Error::usage(format!("--seeds: {msg}")),
        };
        let id = graph.nodes().get(&l).ok_or_else(|| {
            // A lone "name" that looks like a path was most likely meant as a file.
            let path_like = !is_file && !spec.contains(',') && (l.contains('/') || l.contains('.'));
            err(if path_like {
                format!(
                    "'{l}' is neither a file (no such file) nor a node of the graph {}",
                    graph.source()
                )
            } else {
                format!("seed '{l}' is not in the graph {}", graph.source())
            })
        })?;
        if !seen.insert(id) {
            return Err(err(format!("seed '{l}' is listed twice")));
        }
        ids.push(id);
    }
    Ok(SeedList {
        ids,
        source: spec.to_string(),
        planned_under: None,
    })
}

#[cfg(test)]
mod tests {
    use super::split_labels;

    #[test]
    fn inline_lists_read_back_as_evaluate_prints_them() {
        let ok = |s: &str| split_labels(s, "--seeds").unwrap();
        assert_eq!(ok("a, b ,c,"), ["a", "b", "c"]);
        assert_eq!(ok(r#""Smith, J", b"#), ["Smith, J", "b"]);
        assert_eq!(
            ok(r#"" padded ","say ""hi""""#),
            [" padded ", r#"say "hi""#]
        );
        assert_eq!(ok(r#"a"b, c"#), [r#"a"b"#, "c"]);
        assert_eq!(ok(r#""",x"#), ["", "x"]);
        assert!(split_labels(r#""open, b"#, "--seeds").is_err());
        assert!(split_labels(r#""a" b, c"#, "--seeds").is_err());
    }
}
