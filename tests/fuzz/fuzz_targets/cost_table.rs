//! Any bytes as a cost table for a small graph: never a panic; accepted costs are finite, > 0.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seedplan::graph::Graph;
use seedplan::input::{read_costs_from_bytes, CostReadOptions};

fuzz_target!(|data: &[u8]| {
    let g = Graph::from_edges(6, &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)], None);
    for strict in [false, true] {
        let opts = CostReadOptions {
            strict,
            ..Default::default()
        };
        if let Ok(t) = read_costs_from_bytes(data, "fuzz", &g, &opts) {
            assert!(t.cost.iter().flatten().all(|c| c.is_finite() && *c > 0.0));
            assert!(t.priced > 0);
        }
    }
});
