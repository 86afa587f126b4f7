//! The tree-sitter queries in `queries/`, compiled once per process.

use std::sync::OnceLock;
use tree_sitter::{Language, Query};

/// Source of every query file, by name, so tests can check that each one compiles.
pub const QUERY_SOURCES: &[(&str, &str)] = &[
    (
        "instructions",
        include_str!("../../queries/instructions.scm"),
    ),
    ("flags", include_str!("../../queries/flags.scm")),
    ("env_pairs", include_str!("../../queries/env_pairs.scm")),
    ("from", include_str!("../../queries/from.scm")),
    ("comments", include_str!("../../queries/comments.scm")),
];

/// The compiled queries the model builder uses.
pub struct Queries {
    pub instructions: Query,
    pub flags: Query,
    pub env_pairs: Query,
    pub from: Query,
    pub comments: Query,
}

pub fn language() -> Language {
    tree_sitter_containerfile::LANGUAGE.into()
}

fn compile(name: &str) -> Query {
    let src = QUERY_SOURCES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
        .expect("query is listed in QUERY_SOURCES");
    Query::new(&language(), src)
        .unwrap_or_else(|e| panic!("queries/{name}.scm does not compile: {e}"))
}

/// The queries, compiled on first use.
pub fn queries() -> &'static Queries {
    static QUERIES: OnceLock<Queries> = OnceLock::new();
    QUERIES.get_or_init(|| Queries {
        instructions: compile("instructions"),
        flags: compile("flags"),
        env_pairs: compile("env_pairs"),
        from: compile("from"),
        comments: compile("comments"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_compiles() {
        for (name, src) in QUERY_SOURCES {
            Query::new(&language(), src).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
