//! The README's rule table lists every rule the registry has, with its code and name.

#[test]
fn readme_lists_every_rule() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for rule in gomodfix::rules::registry() {
        let m = rule.meta();
        let row = format!("| {} | {} |", m.code, m.name);
        assert!(readme.contains(&row), "README rule table lacks `{row}`");
    }
}

/// `docs/rules/<CODE>.md` (what SARIF's helpUri, JSON `url` and PR bodies link to) is the rule's
/// documentation as `gomodfix explain` prints it. `GOMODFIX_UPDATE_DOCS=1 cargo test --test docs`
/// regenerates the pages.
#[test]
fn rule_pages_match_the_rules() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let update = std::env::var_os("GOMODFIX_UPDATE_DOCS").is_some();
    std::fs::create_dir_all(&dir).unwrap();
    for rule in gomodfix::rules::registry() {
        let m = rule.meta();
        let page = format!(
            "# {} {}\n\n{}\n\nDefault severity: {}.\n\n{}\n",
            m.code, m.name, m.summary, m.severity, m.doc
        );
        let path = dir.join(format!("{}.md", m.code));
        if update {
            std::fs::write(&path, &page).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap_or_default(),
            page,
            "{} is stale: run GOMODFIX_UPDATE_DOCS=1 cargo test --test docs",
            path.display()
        );
    }
}
