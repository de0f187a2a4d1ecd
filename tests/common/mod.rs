//! Shared test helpers: tiny graphs with the awkward cases (sources, sinks, isolated nodes,
//! probability 0 and 1 edges, disconnected parts), and paths into the shared datasets.
#![allow(dead_code)]

use seedplan::graph::Graph;
use std::path::PathBuf;

/// A tiny graph exercising sources, sinks, an isolated node, p=0 and p=1 edges and two
/// components. Nodes 0..=9; node 9 is isolated.
pub fn tricky_graph() -> (Graph, usize) {
    let edges = [
        (0, 1),
        (0, 2),
        (1, 3),
        (2, 3),
        (3, 4),
        (4, 1),
        (2, 5),
        (6, 7),
        (7, 8),
        (8, 6),
        (5, 0),
    ];
    let probs = [0.5, 0.3, 1.0, 0.7, 0.4, 0.0, 0.6, 0.9, 0.5, 0.2, 0.25];
    let mut e: Vec<(u32, u32)> = edges.to_vec();
    // One isolated node: listed as a self-loop, which loading drops while keeping the node.
    e.push((9, 9));
    let mut p = probs.to_vec();
    p.push(1.0);
    (Graph::from_edges(10, &e, Some(&p)), edges.len())
}

/// LT-valid weights on the same shape (each node's incoming weights sum to at most 1).
pub fn tricky_lt_graph() -> Graph {
    let edges = [
        (0, 1),
        (0, 2),
        (1, 3),
        (2, 3),
        (3, 4),
        (4, 1),
        (2, 5),
        (6, 7),
        (7, 8),
        (8, 6),
        (5, 0),
    ];
    let w = [0.5, 0.3, 0.6, 0.4, 1.0, 0.5, 0.0, 1.0, 0.5, 0.2, 0.9];
    Graph::from_edges(10, &edges, Some(&w))
}

/// Path to a file in `../shared/datasets/`.
pub fn shared(rel: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/datasets")
        .join(rel);
    assert!(
        p.exists(),
        "{} is missing: the tests expect ../shared/datasets beside the repository",
        p.display()
    );
    p
}

/// Path to a file in the repository's `datasets/`.
pub fn dataset(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("datasets")
        .join(rel)
}

/// A small random graph from a seed (for property tests).
pub fn random_graph(n: u32, m: usize, seed: u64) -> (Vec<(u32, u32)>, Vec<f32>) {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut e = Vec::new();
    let mut p = Vec::new();
    for _ in 0..m {
        let a = (next() % n as u64) as u32;
        let b = (next() % n as u64) as u32;
        e.push((a, b));
        let r = next() % 10;
        p.push(match r {
            0 => 0.0,
            1 => 1.0,
            _ => (next() % 1000) as f32 / 1000.0,
        });
    }
    (e, p)
}
