//! The cost table: what each influencer charges, with an optional category.

use super::edges::{csv_error, open_csv, record_line, Column, CsvReader};
use crate::error::{Error, Result};
use crate::graph::Graph;
use serde::Serialize;

/// Column choices of the cost table.
#[derive(Debug, Clone, Default)]
pub struct CostReadOptions {
    /// Node column (default `node`, else the first column).
    pub node_col: Option<Column>,
    /// Cost column (default `cost`, else the second column).
    pub cost_col: Option<Column>,
    /// Category column (default `category` when present).
    pub category_col: Option<Column>,
    /// Nodes absent from the graph are an error rather than a warning.
    pub strict: bool,
}

/// Costs and categories by node id. Only nodes with a cost are candidates.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CostTable {
    /// Cost of each node, `None` when not listed.
    #[serde(skip)]
    pub cost: Vec<Option<f64>>,
    /// Category index of each node.
    #[serde(skip)]
    pub category: Vec<Option<u32>>,
    /// Category names, indexed by category index, in order of first appearance.
    pub categories: Vec<String>,
    /// Rows whose node is not in the graph: (line, label).
    pub unknown_nodes: Vec<(u64, String)>,
    /// Number of priced nodes in the graph.
    pub priced: usize,
}

impl CostTable {
    /// Cost of `v`.
    pub fn cost_of(&self, v: u32) -> Option<f64> {
        self.cost.get(v as usize).copied().flatten()
    }

    /// Category name of `v`.
    pub fn category_of(&self, v: u32) -> Option<&str> {
        self.category
            .get(v as usize)
            .copied()
            .flatten()
            .map(|c| self.categories[c as usize].as_str())
    }

    /// Candidate mask: nodes with a cost.
    pub fn candidates(&self) -> Vec<bool> {
        self.cost.iter().map(|c| c.is_some()).collect()
    }
}

fn pick(
    path: &str,
    headers: &csv::StringRecord,
    c: &Option<Column>,
    default_name: &str,
    default_pos: Option<usize>,
    what: &str,
) -> Result<Option<usize>> {
    let by_name = |n: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(n));
    match c {
        Some(Column::Index(i)) if *i <= headers.len() => Ok(Some(i - 1)),
        Some(Column::Index(i)) => Err(Error::at_line(
            path,
            1,
            format!(
                "{what} column {i} does not exist; the header has {} columns",
                headers.len()
            ),
        )),
        Some(Column::Name(n)) => by_name(n).map(Some).ok_or_else(|| {
            Error::at_line(
                path,
                1,
                format!(
                    "unknown {what} column '{n}'; the header has {}",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            )
        }),
        None => Ok(by_name(default_name).or(default_pos)),
    }
}

/// Reads `node,cost[,category]` rows. Costs must be finite and > 0; duplicate nodes are errors;
/// nodes absent from the graph are listed in `unknown_nodes` (an error when `strict`).
pub fn read_costs(path: &str, graph: &Graph, opts: &CostReadOptions) -> Result<CostTable> {
    read_costs_from(open_csv(path)?, path, graph, opts)
}

/// Reads a cost table held in memory (`name` stands in for the path in messages).
pub fn read_costs_from_bytes(
    bytes: &[u8],
    name: &str,
    graph: &Graph,
    opts: &CostReadOptions,
) -> Result<CostTable> {
    let input = super::reader::from_bytes(bytes.to_vec(), name)?;
    read_costs_from(super::edges::csv_from(input, name)?, name, graph, opts)
}

fn read_costs_from(
    rdr: CsvReader,
    path: &str,
    graph: &Graph,
    opts: &CostReadOptions,
) -> Result<CostTable> {
    let at = super::edges::header_line(&rdr);
    read_cost_rows(rdr, path, graph, opts).map_err(|e| e.header_at(at))
}

fn read_cost_rows(
    mut rdr: CsvReader,
    path: &str,
    graph: &Graph,
    opts: &CostReadOptions,
) -> Result<CostTable> {
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_error(path, &rdr, e)),
    };
    if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
        return Err(Error::in_file(
            path,
            "empty file: expected a header row like 'node,cost'",
        ));
    }
    if headers.len() < 2 {
        return Err(Error::at_line(
            path,
            1,
            "the header has one column; expected 'node,cost[,category]' (wrong delimiter?)",
        ));
    }
    let ni = pick(path, &headers, &opts.node_col, "node", Some(0), "node")?.unwrap();
    let ci = pick(path, &headers, &opts.cost_col, "cost", Some(1), "cost")?.unwrap();
    let ki = pick(
        path,
        &headers,
        &opts.category_col,
        "category",
        None,
        "category",
    )?;
    {
        let all: Vec<&str> = headers.iter().collect();
        let is_node = graph.nodes().get(all[ni]).is_some();
        super::edges::refuse_data_as_header(
            path,
            &all,
            &[all[ci]],
            Some(is_node),
            "node,cost,category",
        )?;
    }
    let n = graph.num_nodes();
    let mut t = CostTable {
        cost: vec![None; n],
        category: vec![None; n],
        ..Default::default()
    };
    let mut first_line: Vec<u64> = vec![0; n];
    let mut cat_ids = std::collections::HashMap::<String, u32>::new();
    let mut seen_unknown = std::collections::HashSet::<String>::new();
    let mut rec = csv::StringRecord::new();
    let mut rows = 0u64;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(path, &rdr, e)),
        }
        super::edges::trim_unquoted_str(&rdr, &mut rec);
        rows += 1;
        let line = record_line(&rdr, rec.position());
        let label = &rec[ni];
        if label.is_empty() {
            return Err(Error::at_line(path, line, "empty node label"));
        }
        let raw = &rec[ci];
        let cost: f64 = raw.trim().parse().map_err(|_| {
            Error::at_line(
                path,
                line,
                format!("cost '{raw}' of '{label}' is not a number"),
            )
        })?;
        if !cost.is_finite() || cost <= 0.0 {
            return Err(Error::at_line(
                path,
                line,
                format!("cost {raw} of '{label}' must be a finite number > 0"),
            ));
        }
        let Some(v) = graph.nodes().get(label) else {
            if opts.strict {
                return Err(Error::at_line(
                    path,
                    line,
                    format!("node '{label}' is not in the graph (--strict)"),
                ));
            }
            if !seen_unknown.insert(label.to_string()) {
                return Err(Error::at_line(
                    path,
                    line,
                    format!("duplicate row for node '{label}'"),
                ));
            }
            t.unknown_nodes.push((line, label.to_string()));
            continue;
        };
        if t.cost[v as usize].is_some() {
            return Err(Error::at_line(
                path,
                line,
                format!(
                    "duplicate row for node '{label}' (first on line {})",
                    first_line[v as usize]
                ),
            ));
        }
        first_line[v as usize] = line;
        t.cost[v as usize] = Some(cost);
        t.priced += 1;
        if let Some(ki) = ki {
            // A category is a group's name, trimmed even when quoted: spreadsheets export
            // padded quoted cells, and `"food "` beside `food` split one group's rules.
            let c = rec[ki].trim();
            if !c.is_empty() {
                let next = cat_ids.len() as u32;
                let id = *cat_ids.entry(c.to_string()).or_insert_with(|| {
                    t.categories.push(c.to_string());
                    next
                });
                t.category[v as usize] = Some(id);
            }
        }
    }
    super::edges::refuse_lost_comment(path, &rdr, |l| graph.nodes().get(l).is_some())?;
    if rows == 0 {
        return Err(Error::in_file(path, "no cost rows after the header"));
    }
    if t.priced == 0 {
        return Err(Error::in_file(
            path,
            format!(
                "none of the {rows} priced nodes is in the graph (wrong file or --edge-meaning?)"
            ),
        ));
    }
    Ok(t)
}

/// A sum of prices as the prices were written: in binary floating point 0.1 + 0.2 is
/// 0.30000000000000004, so a plan that spends its budget of 0.3 reported `spent` above it, and a
/// script checking `spent <= budget` refused a legal plan. The sum is rounded to 12 significant
/// digits only when that moves it by rounding noise (at most 1e-13 of it, what a sum of a few
/// hundred prices can gather); a price written with more digits than that keeps them (rounding
/// 0.1234567890126 put `spent` above that very budget). A sum within `cap` (the budget) stays
/// within it: 0.49999999999995 + 0.5 rounds to 1, above a budget of 0.99999999999995.
pub fn money(x: f64, cap: Option<f64>) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let r: f64 = format!("{x:.11e}").parse().unwrap_or(x);
    let r = if (r - x).abs() <= 1e-13 * x.abs() {
        r
    } else {
        x
    };
    match cap {
        Some(c) if x <= c => r.min(c),
        _ => r,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sums_of_prices_read_as_written() {
        let money = |x| super::money(x, None);
        assert_eq!(money(0.1 + 0.2), 0.3);
        assert_eq!(money(0.7 + 0.1), 0.8);
        let cents: f64 = (0..1000).map(|_| 12_345.67).sum();
        assert_eq!(money(cents), 12_345_670.0);
        // Digits the prices had are kept: no sum passes a budget written with them.
        assert_eq!(money(0.1234567890126), 0.1234567890126);
        assert_eq!(money(1e-7 / 3.0), 1e-7 / 3.0);
        assert_eq!(money(0.0), 0.0);
        // Never above a budget the sum kept to.
        let b = 0.99999999999995;
        assert!(super::money(0.49999999999995 + 0.5, Some(b)) <= b);
        assert_eq!(super::money(0.1 + 0.2, Some(0.3)), 0.3);
    }
}
