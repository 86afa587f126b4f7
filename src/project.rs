//! The project's address and build identity, defined once: `repository`/`homepage` in
//! Cargo.toml, the commit by build.rs. Every link gomodfix prints (JSON `url`, SARIF `helpUri`
//! and `informationUri`, LSP `codeDescription`, pull-request bodies) comes from here.

/// The source repository (Cargo.toml `repository`).
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The project's home page (Cargo.toml `homepage`).
pub const HOMEPAGE: &str = env!("CARGO_PKG_HOMEPAGE");

/// The git commit this binary was built from (`git rev-parse --short HEAD` at build time), or
/// `unknown` when it was not built from a git checkout (the packaged crate).
pub const COMMIT: &str = env!("GOMODFIX_COMMIT");

/// What `gomodfix --version` prints after the name: `0.1.0 (abc1234)`.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("GOMODFIX_COMMIT"),
    ")"
);

/// Documentation page of a rule: `docs/rules/CODE.md` of the repository.
pub fn rule_url(code: &str) -> String {
    format!("{REPOSITORY}/blob/main/docs/rules/{code}.md")
}

#[cfg(test)]
mod tests {
    #[test]
    fn rule_url_is_under_the_repository() {
        assert_eq!(
            super::rule_url("GM001"),
            "https://github.com/gomodfix/gomodfix/blob/main/docs/rules/GM001.md"
        );
        assert!(super::HOMEPAGE.starts_with("https://"));
    }
}
