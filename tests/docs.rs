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
