//! Campaign rules: budget, seed cap, must-include / exclude lists, per-category quotas and spend
//! caps. Read from flags and from a TOML file (`--constraints`), resolved against the graph and
//! the cost table, and checked for feasibility before any sampling.

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::input::CostTable;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Rules for one category (TOML `[category.NAME]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CategoryRule {
    /// At least this many seeds from the category.
    pub min_count: Option<usize>,
    /// At most this many seeds from the category.
    pub max_count: Option<usize>,
    /// At most this much spent on the category.
    pub max_spend: Option<f64>,
}

/// The `--constraints` file, as written by the user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstraintsFile {
    /// Same as `--budget`.
    pub budget: Option<f64>,
    /// Same as `--k`.
    pub max_seeds: Option<usize>,
    /// Labels that must be in the plan.
    #[serde(default)]
    pub include: Vec<String>,
    /// Labels never in the plan.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rules by category name.
    #[serde(default)]
    pub category: BTreeMap<String, CategoryRule>,
    /// Where the values came from, for messages (`parse` and the `with_*` merges set it).
    #[serde(skip)]
    pub origin: Origin,
}

/// Where a `ConstraintsFile`'s values came from: the file (its path and text, to find the line
/// of a key) and the flags merged over it.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    file: Option<(String, String)>,
    budget_flag: Option<&'static str>,
    max_seeds_flag: bool,
    /// `include` / `exclude` labels from these indices on came from flags.
    include_flags_from: Option<usize>,
    exclude_flags_from: Option<usize>,
}

/// A value a message is about.
#[derive(Clone, Copy)]
enum Key<'a> {
    Budget,
    MaxSeeds,
    Include(usize),
    Exclude(usize),
    Category(&'a str),
}

impl ConstraintsFile {
    /// Parses TOML text; errors name the file and line.
    pub fn parse(path: &str, text: &str) -> Result<Self> {
        let mut file: Self = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|sp| text[..sp.start.min(text.len())].matches('\n').count() as u64 + 1);
            match line {
                Some(l) => Error::at_line(path, l, e.message().to_string()),
                None => Error::in_file(path, e.message().to_string()),
            }
        })?;
        file.origin.file = Some((path.to_string(), text.to_string()));
        Ok(file)
    }

    /// `--budget` over the file's.
    pub fn with_budget_flag(&mut self, budget: f64) {
        self.with_budget_from(budget, "--budget");
    }

    /// A budget over the file's, from `flag` (`curve`'s points come from `--budgets`).
    pub fn with_budget_from(&mut self, budget: f64, flag: &'static str) {
        self.budget = Some(budget);
        self.origin.budget_flag = Some(flag);
    }

    /// `-k` over the file's `max_seeds`.
    pub fn with_max_seeds_flag(&mut self, k: usize) {
        self.max_seeds = Some(k);
        self.origin.max_seeds_flag = true;
    }

    /// `--include` and `--exclude` labels, after the file's.
    pub fn with_flag_labels(&mut self, include: &[String], exclude: &[String]) {
        self.origin.include_flags_from = Some(self.include.len());
        self.origin.exclude_flags_from = Some(self.exclude.len());
        self.include.extend(include.iter().cloned());
        self.exclude.extend(exclude.iter().cloned());
    }

    /// An error about `key`, said where its value came from: the file's line that sets it, or
    /// the flag that gave it (`where_` when neither is known).
    fn error(&self, key: Key<'_>, where_: &str, msg: String) -> Error {
        let o = &self.origin;
        let flag = match key {
            Key::Budget if o.budget_flag.is_some() => o.budget_flag,
            Key::MaxSeeds if o.max_seeds_flag => Some("-k"),
            Key::Include(i) if o.include_flags_from.is_some_and(|f| i >= f) => Some("--include"),
            Key::Exclude(i) if o.exclude_flags_from.is_some_and(|f| i >= f) => Some("--exclude"),
            _ => None,
        };
        if let Some(flag) = flag {
            return Error::usage(format!("{flag}: {msg}"));
        }
        let Some((path, text)) = &o.file else {
            return Error::usage(format!("{where_}: {msg}"));
        };
        let line = match key {
            Key::Budget => key_line(text, "budget"),
            Key::MaxSeeds => key_line(text, "max_seeds"),
            Key::Include(_) => key_line(text, "include"),
            Key::Exclude(_) => key_line(text, "exclude"),
            Key::Category(name) => category_line(text, name),
        };
        match line {
            Some(l) => Error::at_line(path, l, msg),
            None => Error::in_file(path, msg),
        }
    }

    /// Where `key` came from, for a message that names two values.
    fn source_of(&self, key: Key<'_>, where_: &str) -> String {
        match self.error(key, where_, String::new()) {
            Error::Input { loc, .. } => loc.to_string(),
            e => e.to_string().trim_end_matches(": ").to_string(),
        }
    }
}

/// The line of `text` (TOML) where top-level `key` is set, if a line starts with `key =`.
fn key_line(text: &str, key: &str) -> Option<u64> {
    let mut top = true;
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            if t.starts_with('[') {
                top = false;
            }
            top && t
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i as u64 + 1)
}

/// The line of the `[category.NAME]` table (bare or quoted name), or of a dotted
/// `category.NAME.…` / `NAME = {…}` entry.
fn category_line(text: &str, name: &str) -> Option<u64> {
    let forms = [
        format!("[category.{name}]"),
        format!("[category.\"{name}\"]"),
        format!("category.{name}."),
        format!("category.\"{name}\"."),
    ];
    text.lines()
        .position(|l| {
            let t: String = l.chars().filter(|c| !c.is_whitespace()).collect();
            forms.iter().any(|f| t.starts_with(f.as_str()))
        })
        .map(|i| i as u64 + 1)
}

/// A rule no plan can keep (`key`, where the message is said), the rules it clashes with, and
/// what is wrong.
struct Conflict<'c> {
    key: Option<Key<'c>>,
    with: Vec<Key<'c>>,
    msg: String,
}

/// Rules resolved to node and category ids.
#[derive(Debug, Clone)]
pub struct Constraints {
    /// Budget.
    pub budget: f64,
    /// Maximum number of seeds.
    pub max_seeds: usize,
    /// Nodes that must be picked.
    pub include: Vec<u32>,
    /// Nodes never picked.
    pub exclude: Vec<u32>,
    /// Per category id: (min_count, max_count, max_spend).
    pub category: Vec<(usize, usize, f64)>,
}

impl Constraints {
    /// Resolves labels and category names, then checks that some plan can satisfy everything.
    pub fn resolve(
        file: &ConstraintsFile,
        graph: &Graph,
        costs: &CostTable,
        where_: &str,
    ) -> Result<Self> {
        let budget = file.budget.ok_or_else(|| {
            Error::usage("a budget is needed: give --budget or `budget = ...` in --constraints")
        })?;
        if !(budget.is_finite() && budget > 0.0) {
            return Err(file.error(
                Key::Budget,
                where_,
                format!("budget {budget} must be a finite number > 0"),
            ));
        }
        let lookup = |l: &str, key: Key<'_>, what: &str| -> Result<u32> {
            graph
                .nodes()
                .get(l)
                .ok_or_else(|| file.error(key, where_, format!("{what} '{l}' is not in the graph")))
        };
        let mut include = Vec::new();
        let mut include_at = Vec::new();
        for (i, l) in file.include.iter().enumerate() {
            let v = lookup(l, Key::Include(i), "include")?;
            if costs.cost_of(v).is_none() {
                return Err(file.error(
                    Key::Include(i),
                    where_,
                    format!("include '{l}' has no cost in the cost table"),
                ));
            }
            if !include.contains(&v) {
                include.push(v);
                include_at.push(i);
            }
        }
        let mut exclude = Vec::new();
        for (i, l) in file.exclude.iter().enumerate() {
            let v = lookup(l, Key::Exclude(i), "exclude")?;
            if let Some(j) = include.iter().position(|&u| u == v) {
                // The include's source too, when the two were given in different places.
                let inc = file.source_of(Key::Include(include_at[j]), where_);
                let inc = if inc == file.source_of(Key::Exclude(i), where_) {
                    String::new()
                } else {
                    format!(" ({inc})")
                };
                return Err(file.error(
                    Key::Exclude(i),
                    where_,
                    format!("'{l}' is both included{inc} and excluded"),
                ));
            }
            exclude.push(v);
        }
        let ncat = costs.categories.len();
        let mut category = vec![(0usize, usize::MAX, f64::INFINITY); ncat];
        for (name, rule) in &file.category {
            let here = |msg: String| file.error(Key::Category(name), where_, msg);
            let Some(c) = costs.categories.iter().position(|x| x == name) else {
                return Err(here(format!(
                    "category '{name}' does not occur in the cost table (categories: {})",
                    costs.categories.join(", ")
                )));
            };
            let r = (
                rule.min_count.unwrap_or(0),
                rule.max_count.unwrap_or(usize::MAX),
                rule.max_spend.unwrap_or(f64::INFINITY),
            );
            if r.0 > r.1 {
                return Err(here(format!(
                    "category '{name}' has min_count {} > max_count {}",
                    r.0, r.1
                )));
            }
            if r.2.is_nan() || r.2 <= 0.0 {
                return Err(here(format!("category '{name}' max_spend must be > 0")));
            }
            category[c] = r;
        }
        let max_seeds = file.max_seeds.unwrap_or(usize::MAX);
        if max_seeds == 0 {
            return Err(file.error(
                Key::MaxSeeds,
                where_,
                "the seed cap (max_seeds, -k) must be at least 1".into(),
            ));
        }
        let c = Constraints {
            budget,
            max_seeds,
            include,
            exclude,
            category,
        };
        if let Some(clash) = c.conflict(graph, costs) {
            // Said where the rule was written (the file's line, or the flag), and where the
            // rules it clashes with were.
            // A rule of the same file is named by its line alone.
            let here = clash.key.map(|k| file.source_of(k, where_));
            let same_file = |w: &str| {
                let (path, line) = w.rsplit_once(':')?;
                let (here_path, _) = here.as_deref()?.rsplit_once(':')?;
                (path == here_path && line.parse::<u64>().is_ok()).then(|| format!("line {line}"))
            };
            let with: Vec<String> = clash
                .with
                .iter()
                .map(|&k| file.source_of(k, where_))
                .filter(|w| !w.is_empty())
                .map(|w| same_file(&w).unwrap_or(w))
                .collect();
            let msg = if with.is_empty() {
                clash.msg
            } else {
                format!("{} (clashes with {})", clash.msg, with.join(", "))
            };
            return Err(match clash.key {
                Some(key) => file.error(key, where_, msg),
                None => Error::usage(format!("{where_}: {msg}")),
            });
        }
        Ok(c)
    }

    /// Whether `v` may be picked at all: priced, not excluded, and not ruled out by its
    /// category alone (a `max_count` of 0, or a price above the category's `max_spend`).
    pub fn allowed(&self, costs: &CostTable, v: u32) -> bool {
        self.priced_and_in_category(costs, v) && !self.exclude.contains(&v)
    }

    /// [`Constraints::allowed`] but for the exclude list (which it scans), for callers that
    /// keep the list as a mask.
    pub fn priced_and_in_category(&self, costs: &CostTable, v: u32) -> bool {
        let Some(cost) = costs.cost_of(v) else {
            return false;
        };
        if let Some(&(_, max, max_spend)) = costs
            .category
            .get(v as usize)
            .copied()
            .flatten()
            .and_then(|c| self.category.get(c as usize))
        {
            if max == 0 || cost > max_spend + 1e-9 {
                return false;
            }
        }
        true
    }

    /// The first rule `seeds` breaks, in words; `None` when the plan keeps every rule.
    pub fn violation(&self, costs: &CostTable, seeds: &[u32]) -> Option<String> {
        if let Some(v) = self.budget_violation(costs, seeds) {
            return Some(v);
        }
        if let Some(&v) = seeds.iter().find(|&&v| costs.cost_of(v).is_none()) {
            return Some(format!("node {v} has no price"));
        }
        if let Some(&v) = seeds.iter().find(|v| self.exclude.contains(v)) {
            return Some(format!("node {v} is excluded"));
        }
        if let Some(&v) = self.include.iter().find(|v| !seeds.contains(v)) {
            return Some(format!("must-include node {v} is missing"));
        }
        self.category_violation(costs, seeds)
    }

    /// The budget and the seed cap, in the words of [`Constraints::violation`]. With
    /// [`Constraints::category_violation`], every rule but the membership ones (prices, excludes,
    /// must-includes), which a caller that changes one seed at a time can check for that seed
    /// alone (the exclude list is a scan). Sums are taken in plan order, as `violation` does.
    pub fn budget_violation(&self, costs: &CostTable, seeds: &[u32]) -> Option<String> {
        let spent: f64 = seeds.iter().filter_map(|&v| costs.cost_of(v)).sum();
        if spent > self.budget + 1e-6 {
            return Some(format!("spends {spent}, over the budget {}", self.budget));
        }
        if seeds.len() > self.max_seeds {
            return Some(format!(
                "{} seeds, over the cap of {}",
                seeds.len(),
                self.max_seeds
            ));
        }
        None
    }

    /// The category counts and spends (see [`Constraints::budget_violation`]).
    pub fn category_violation(&self, costs: &CostTable, seeds: &[u32]) -> Option<String> {
        for (c, &(min, max, max_spend)) in self.category.iter().enumerate() {
            let members: Vec<u32> = seeds
                .iter()
                .copied()
                .filter(|&v| costs.category.get(v as usize).copied().flatten() == Some(c as u32))
                .collect();
            let spend: f64 = members.iter().filter_map(|&v| costs.cost_of(v)).sum();
            let name = &costs.categories[c];
            if members.len() < min || members.len() > max {
                return Some(format!(
                    "{} seeds in category '{name}', outside [{min}, {max}]",
                    members.len()
                ));
            }
            if spend > max_spend + 1e-6 {
                return Some(format!(
                    "spends {spend} on category '{name}', over its max_spend {max_spend}"
                ));
            }
        }
        None
    }

    /// The cheapest way to meet every min_count given `chosen`: (extra seeds, extra cost), or
    /// None if some category cannot meet its minimum at all.
    pub fn reserve(
        &self,
        costs: &CostTable,
        by_cat: &[Vec<(f64, u32)>],
        chosen: &[bool],
    ) -> Option<(usize, f64)> {
        self.reserve_or_blocked(costs, by_cat, chosen).ok()
    }

    /// As [`Constraints::reserve`], or the first category whose minimum cannot be met: too few
    /// members left, or its cheapest way over the category's `max_spend` (the cheapest members
    /// are the least any plan spends on it, so no other choice fits either).
    fn reserve_or_blocked(
        &self,
        costs: &CostTable,
        by_cat: &[Vec<(f64, u32)>],
        chosen: &[bool],
    ) -> std::result::Result<(usize, f64), usize> {
        let mut seeds = 0;
        let mut spend = 0.0;
        for (c, &(min, _, max_spend)) in self.category.iter().enumerate() {
            if min == 0 {
                continue;
            }
            let (have, have_spend) = by_cat[c]
                .iter()
                .filter(|(_, v)| chosen[*v as usize])
                .fold((0, 0.0), |(n, s), x| (n + 1, s + x.0));
            let need = min.saturating_sub(have);
            let cheapest: Vec<f64> = by_cat[c]
                .iter()
                .filter(|(_, v)| !chosen[*v as usize])
                .take(need)
                .map(|x| x.0)
                .collect();
            let extra: f64 = cheapest.iter().sum();
            if cheapest.len() < need || have_spend + extra > max_spend + 1e-9 {
                return Err(c);
            }
            seeds += need;
            spend += extra;
        }
        let _ = costs;
        Ok((seeds, spend))
    }

    /// Allowed candidates of each category, sorted by cost (for reservations).
    pub fn by_category(&self, costs: &CostTable, n: usize) -> Vec<Vec<(f64, u32)>> {
        let mut by = vec![Vec::new(); self.category.len()];
        for v in 0..n as u32 {
            if let (true, Some(c), Some(cost)) = (
                self.allowed(costs, v),
                costs.category.get(v as usize).copied().flatten(),
                costs.cost_of(v),
            ) {
                by[c as usize].push((cost, v));
            }
        }
        for b in &mut by {
            b.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        by
    }

    /// Whether some plan can keep every rule; the error names the conflict.
    pub fn check_feasible(&self, graph: &Graph, costs: &CostTable) -> Result<()> {
        match self.conflict(graph, costs) {
            Some(c) => Err(Error::usage(c.msg)),
            None => Ok(()),
        }
    }

    /// The first rule that no plan can keep, with the rules it clashes with (for `resolve` to
    /// say where each was written).
    fn conflict<'c>(&self, graph: &Graph, costs: &'c CostTable) -> Option<Conflict<'c>> {
        let n = graph.num_nodes();
        let label = |v: u32| graph.label(v).into_owned();
        let clash = |key: Option<Key<'c>>, with: Vec<Key<'c>>, msg: String| {
            Some(Conflict { key, with, msg })
        };
        // `+ 0.0`: an empty float sum is -0, which the messages below printed as "-0".
        let inc_cost: f64 = self
            .include
            .iter()
            .filter_map(|&v| costs.cost_of(v))
            .sum::<f64>()
            + 0.0;
        if inc_cost > self.budget + 1e-9 {
            return clash(
                Some(Key::Budget),
                vec![Key::Include(0)],
                format!(
                    "infeasible: the must-include seeds ({}) cost {inc_cost} together, over the \
                     budget {}",
                    self.include
                        .iter()
                        .map(|&v| label(v))
                        .collect::<Vec<_>>()
                        .join(", "),
                    self.budget
                ),
            );
        }
        if self.include.len() > self.max_seeds {
            return clash(
                Some(Key::MaxSeeds),
                vec![Key::Include(0)],
                format!(
                    "infeasible: {} must-include seeds but at most {} seeds",
                    self.include.len(),
                    self.max_seeds
                ),
            );
        }
        // Includes against category caps.
        for (c, &(_, max, spend)) in self.category.iter().enumerate() {
            let inc: Vec<u32> = self
                .include
                .iter()
                .copied()
                .filter(|&v| costs.category.get(v as usize).copied().flatten() == Some(c as u32))
                .collect();
            let s: f64 = inc.iter().filter_map(|&v| costs.cost_of(v)).sum::<f64>() + 0.0;
            let name = costs.categories[c].as_str();
            let broken = if inc.len() > max {
                Some(format!(
                    "{} must-include seed(s) in category '{name}', over its max_count {max}",
                    inc.len()
                ))
            } else if s > spend + 1e-9 {
                Some(format!(
                    "the must-include seeds in category '{name}' cost {s}, over its max_spend \
                     {spend}"
                ))
            } else {
                None
            };
            if let Some(why) = broken {
                return clash(
                    Some(Key::Category(name)),
                    vec![Key::Include(0)],
                    format!("infeasible: {why}"),
                );
            }
        }
        let mut chosen = vec![false; n];
        self.include.iter().for_each(|&v| chosen[v as usize] = true);
        let by = self.by_category(costs, n);
        // The exclude list, when it took some of category `c` (or any account, for `None`).
        let excluded = |c: Option<usize>| -> Vec<Key<'c>> {
            let took = self.exclude.iter().any(|&v| {
                c.is_none_or(|c| {
                    costs.category.get(v as usize).copied().flatten() == Some(c as u32)
                })
            });
            if took {
                vec![Key::Exclude(0)]
            } else {
                vec![]
            }
        };
        for (c, &(min, _, max_spend)) in self.category.iter().enumerate() {
            if by[c].len() < min {
                let within = if max_spend.is_finite() {
                    format!(", at a price within its max_spend {max_spend}")
                } else {
                    String::new()
                };
                return clash(
                    Some(Key::Category(costs.categories[c].as_str())),
                    excluded(Some(c)),
                    format!(
                        "infeasible: category '{}' needs min_count {min} but has only {} \
                         allowed candidate(s) (priced and not excluded{within})",
                        costs.categories[c],
                        by[c].len()
                    ),
                );
            }
        }
        let (seeds, spend) = match self.reserve_or_blocked(costs, &by, &chosen) {
            Ok(x) => x,
            Err(c) => {
                let (min, _, max_spend) = self.category[c];
                let (have, have_spend) = by[c]
                    .iter()
                    .filter(|(_, v)| chosen[*v as usize])
                    .fold((0, 0.0), |(n, s), x| (n + 1, s + x.0));
                let need = min.saturating_sub(have);
                let rest: f64 = by[c]
                    .iter()
                    .filter(|(_, v)| !chosen[*v as usize])
                    .take(need)
                    .map(|x| x.0)
                    .sum();
                let inc = if have > 0 {
                    format!("its {have} must-include member(s) cost {have_spend} and ")
                } else {
                    String::new()
                };
                return clash(
                    Some(Key::Category(costs.categories[c].as_str())),
                    vec![],
                    format!(
                        "infeasible: category '{}' needs min_count {min}, but {inc}the {need} \
                         cheapest other member(s) cost {rest}: together {}, over its max_spend \
                         {max_spend}",
                        costs.categories[c],
                        have_spend + rest
                    ),
                );
            }
        };
        let minimums: Vec<Key<'c>> = self
            .category
            .iter()
            .enumerate()
            .filter(|(_, r)| r.0 > 0)
            .map(|(c, _)| Key::Category(costs.categories[c].as_str()))
            .take(1)
            .collect();
        if self.include.len() + seeds > self.max_seeds {
            return clash(
                Some(Key::MaxSeeds),
                minimums,
                format!(
                    "infeasible: the category minimums need {seeds} more seed(s) beyond the {} \
                     must-include, over the limit of {} seeds",
                    self.include.len(),
                    self.max_seeds
                ),
            );
        }
        if inc_cost + spend > self.budget + 1e-9 {
            return clash(
                Some(Key::Budget),
                minimums,
                format!(
                    "infeasible: must-include seeds ({inc_cost}) plus the cheapest way to meet \
                     the category minimums ({spend}) exceed the budget {}",
                    self.budget
                ),
            );
        }
        let cheapest = (0..n as u32)
            .filter(|&v| self.allowed(costs, v))
            .filter_map(|v| costs.cost_of(v))
            .fold(f64::INFINITY, f64::min);
        if self.include.is_empty() && cheapest.is_infinite() {
            return clash(
                excluded(None).first().copied(),
                vec![],
                "infeasible: no candidate is left (every priced node is excluded or outside the \
                 allowed categories)"
                    .into(),
            );
        }
        if self.include.is_empty() && cheapest > self.budget {
            return clash(
                Some(Key::Budget),
                vec![],
                format!(
                    "infeasible: the budget {} is below every candidate's cost (cheapest: \
                     {cheapest})",
                    self.budget
                ),
            );
        }
        None
    }
}
