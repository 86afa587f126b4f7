//! The checking engine the front ends (the command line, the language server, the PR bot) share:
//! finding Dockerfiles ([`walk`]), their build contexts and config files, read once per run
//! ([`contexts`]), checking and fixing one file in each of its contexts ([`process`], [`lint`]),
//! and writing the fixes ([`write`]). It is driven by [`Options`], a plain struct each front end
//! fills from its own input; nothing here knows about command-line parsing or editors.

pub mod contexts;
pub mod lint;
pub mod process;
pub mod walk;
pub mod write;

use std::path::PathBuf;

pub use crate::config::Overrides;
pub use contexts::{ContextCache, DirInfo, OnceMap};
pub use lint::{Linted, check, check_only, check_only_parsed, lint, lint_parsed, parse_options};
pub use process::{FileReport, decode, process_file, process_source, read_dockerfile};
pub use walk::{SKIPPED_DIRS, discover, discover_with, display_path, is_dockerfile_name};
pub use write::{merge_side_files, side_proposals, write_atomic, write_context_file};

/// Files larger than this are refused.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// How far a check goes beyond the diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Fixes {
    /// Diagnostics only: the fixed text is the input (the language server computes the fixes
    /// when they are asked for).
    None,
    /// Also the fixed text and the context files the fixes change (nothing is written).
    #[default]
    Compute,
    /// Also the diagnostics that stand once the fixes are written ([`FileReport::remaining`]).
    Apply,
}

/// What a front end asks of a check, whatever its input was (command-line flags, editor
/// settings, `gomodfix pr` options).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rule selection and fix choices, merged over each Dockerfile's config file.
    pub overrides: Overrides,
    /// The build context folder for every Dockerfile (default: found for each one).
    pub context: Option<PathBuf>,
    /// The stage that is built (`docker build --target`; default: the last stage, or the one a
    /// build file names for the context).
    pub target: Option<String>,
    pub fixes: Fixes,
}
