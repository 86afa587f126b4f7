//! gomodfix: find and fix the Dockerfile mistakes that break Go builds in containers.

pub mod syntax;
