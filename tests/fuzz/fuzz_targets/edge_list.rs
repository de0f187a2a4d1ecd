//! Any bytes as an edge list (text and CSV, with a probability column): never a panic; when
//! parsing succeeds the graph satisfies the CSR invariants.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seedplan::graph::{build_graph, BuildOptions, NodeTable};
use seedplan::input::{read_edges_from_bytes, Column, EdgeFormat, EdgeReadOptions};

fuzz_target!(|data: &[u8]| {
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
        if let Ok(raw) = read_edges_from_bytes(data, "fuzz", format, &opts, &mut nodes) {
            let n = nodes.len();
            let g = build_graph(nodes, raw, &BuildOptions::default(), "fuzz");
            assert_eq!(g.num_nodes(), n);
            for v in 0..n as u32 {
                let row = g.out_neighbors(v);
                assert!(row.windows(2).all(|w| w[0] < w[1]));
                assert!(!row.contains(&v));
            }
        }
    }
});
