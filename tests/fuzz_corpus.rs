//! Replays the fuzz corpora (`tests/fuzz/corpus/*`, including any crashers saved there as
//! regressions) through the same readers on stable Rust, so `cargo test` guards what the fuzzers
//! found. The fuzz targets themselves live in `tests/fuzz/` (see README, "Fuzzing").

use seedplan::graph::{build_graph, BuildOptions, Graph, NodeTable};
use seedplan::input::snapshot::read_snapshot;
use seedplan::input::{
    read_costs_from_bytes, read_edges_from_bytes, Column, CostReadOptions, EdgeFormat,
    EdgeReadOptions,
};
use std::path::PathBuf;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz/corpus")
        .join(target);
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    out.sort();
    assert!(!out.is_empty(), "empty corpus {}", dir.display());
    out
}

#[test]
fn edge_list_corpus_parses_without_panics() {
    let mut accepted = 0;
    for data in corpus("edge_list") {
        for (format, prob) in [
            (EdgeFormat::Snap, None),
            (EdgeFormat::Snap, Some(Column::Index(3))),
            (EdgeFormat::Csv, None),
            (EdgeFormat::Csv, Some(Column::Index(3))),
        ] {
            let opts = EdgeReadOptions {
                format,
                prob_col: prob,
                ..Default::default()
            };
            let mut nodes = NodeTable::new();
            if let Ok(raw) = read_edges_from_bytes(&data, "corpus", format, &opts, &mut nodes) {
                let n = nodes.len();
                let g = build_graph(nodes, raw, &BuildOptions::default(), "corpus");
                assert_eq!(g.num_nodes(), n);
                accepted += 1;
            }
        }
    }
    assert!(
        accepted > 0,
        "no corpus file parsed: the corpus lost its valid seeds"
    );
}

#[test]
fn cost_table_corpus_parses_without_panics() {
    let g = Graph::from_edges(6, &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)], None);
    let mut accepted = 0;
    for data in corpus("cost_table") {
        if let Ok(t) = read_costs_from_bytes(&data, "corpus", &g, &CostReadOptions::default()) {
            assert!(t.cost.iter().flatten().all(|c| c.is_finite() && *c > 0.0));
            accepted += 1;
        }
    }
    assert!(accepted > 0);
}

#[test]
fn snapshot_corpus_loads_or_is_rejected_cleanly() {
    let mut accepted = 0;
    for data in corpus("snapshot") {
        if let Ok(g) = read_snapshot(&data, "corpus") {
            assert!(g.num_nodes() > 0);
            accepted += 1;
        }
    }
    assert!(accepted > 0);
}
