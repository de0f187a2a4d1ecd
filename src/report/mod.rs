//! Things people look at: SVG charts (and the HTML report built from them).

pub mod charts;
pub mod html;

pub use charts::{LineChart, Series};
