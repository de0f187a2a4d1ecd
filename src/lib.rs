//! # seedplan
//!
//! Decide whom to seed so a message spreads furthest for the money.
//!
//! The pipeline: **input** (edge lists, cost tables) → **graph** (forward and reverse CSR) →
//! **diffusion** (IC/LT models: forward simulation and reverse sampling from one definition) →
//! **rrset** (reverse-reachable sets) → **select** (IMM, OPIM-C, CELF, heuristics behind one
//! trait) → **eval** (Monte Carlo and exact oracles) → **plan** (ranked seeding plan and its
//! writers). The binary in `src/main.rs` is a thin CLI over this library; see `ARCHITECTURE.md`.
//!
//! ```
//! use seedplan::{diffusion::{Model, ModelKind, ProbScheme}, graph::Graph, eval};
//! let g = Graph::from_edges(3, &[(0, 1), (1, 2)], None);
//! let m = Model::new(&g, ModelKind::IndependentCascade, ProbScheme::WeightedCascade, 1).unwrap();
//! // WC gives both arcs probability 1 here (each target has one in-neighbour).
//! assert_eq!(eval::exact::exact_spread(&m, &[0]), Some(3.0));
//! ```
#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod bench;
pub mod budget;
pub mod diffusion;
pub mod error;
pub mod eval;
pub mod generate;
pub mod graph;
pub mod input;
pub mod limits;
pub mod plan;
pub mod progress;
pub mod report;
pub mod rng;
pub mod rrset;
pub mod select;
pub mod sys;

pub use error::{Error, Result};
