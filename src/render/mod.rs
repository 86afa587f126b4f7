//! Renderers: unified diffs and the human-readable report.

pub mod diff;
pub mod text;
