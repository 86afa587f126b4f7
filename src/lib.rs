//! gomodfix: find and fix the Dockerfile mistakes that break Go builds in containers.
//!
//! Data flows one way: walker → source → parse/model ([`syntax`]) → build context
//! ([`context`]) → [`rules`] → fixer ([`fix`]) → renderer/writer ([`render`]).
//!
//! The [`engine`] runs that flow for a set of files (walk, contexts and configs read once per
//! run, check and fix each file) from a plain [`engine::Options`]. Three thin front ends drive
//! it, each translating its own input into those options and never importing another: [`cli`]
//! (the check command line), [`lsp`] (the language server) and [`bot`] (`gomodfix pr`).
//! [`diagnose`] reads a failed build's log and reuses the check command's output. [`app`]
//! parses the command line and hands each subcommand to its front end.

pub mod alloc;
pub mod app;
pub mod bot;
pub mod cli;
pub mod config;
pub mod context;
pub mod diagnose;
pub mod diagnostics;
pub mod engine;
pub mod fix;
pub mod follow;
pub mod image_fs;
pub mod lsp;
pub mod project;
pub mod render;
pub mod rules;
pub mod suppress;
pub mod syntax;

pub use engine::{Linted, check, check_only, check_only_parsed, lint, lint_parsed, parse_options};
