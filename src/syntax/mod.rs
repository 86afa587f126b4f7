//! Parsing and the Dockerfile model: stages, instructions, the state (WORKDIR, ENV, ARG, USER)
//! in effect at each instruction, and the go commands each RUN invokes.
//!
//! - [`model`]: the types ([`Dockerfile`], [`Stage`], [`Instruction`], [`Kind`], …).
//! - [`lower`]: tree-sitter parsing and lowering of the tree into the model.
//! - [`state`]: the state at each instruction ([`State`]) and variable expansion.
//! - [`text`]: path and line utilities ([`join_path`], [`LineIndex`], [`line_col`]).
//! - [`shell`], [`go`], [`follow`]: RUN bodies as shell, the go commands in them, and the scripts
//!   and make recipes they run.

pub mod go;
pub mod lower;
pub mod model;
pub mod queries;
pub mod shell;
pub mod state;
pub mod text;

pub use go::GoCommand;
pub use lower::{error_count, parse_tree};
pub use model::*;
pub use shell::Word;
pub use state::{EnvMap, State, expand_with};
pub use text::{LineIndex, floor_char_boundary, join_path, line_col, line_number, line_start};

#[cfg(test)]
mod tests;
