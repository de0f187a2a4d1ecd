//! Any bytes as a snapshot: never a panic; an accepted snapshot is a consistent graph.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seedplan::input::snapshot::read_snapshot;

fuzz_target!(|data: &[u8]| {
    if let Ok(g) = read_snapshot(data, "fuzz") {
        for v in 0..g.num_nodes() as u32 {
            for &u in g.in_neighbors(v) {
                assert!((u as usize) < g.num_nodes());
            }
            let _ = g.label(v);
        }
    }
});
