//! `--output-format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it. Rules carry their
//! documentation as help text and a `helpUri`; results carry regions; fixes become
//! `fixes[].artifactChanges`.

use serde_json::{Value, json};

use super::{FileResult, Position, RuleInfo, rule_url};
use crate::diagnostics::Severity;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region(index: &crate::syntax::LineIndex, source: &str, range: &std::ops::Range<usize>) -> Value {
    let start = Position::indexed(index, source, range.start);
    let end = Position::indexed(index, source, range.end);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

/// The SARIF log of the files; `rules` is the tool's rule list, in its order.
pub fn render(files: &[FileResult], rules: &[RuleInfo]) -> String {
    let rule_list: Vec<Value> = rules
        .iter()
        .map(|m| {
            json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": { "text": m.summary },
                "fullDescription": { "text": m.summary },
                "help": { "text": m.doc, "markdown": m.doc },
                "helpUri": rule_url(m.code),
                "defaultConfiguration": { "level": level(m.severity) },
                "properties": { "tags": ["go", "dockerfile"] },
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for f in files {
        if let Some(e) = f.error {
            notifications.push(json!({
                "level": "error",
                "message": { "text": format!("{}: {e}", f.path) },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": f.path } } }],
            }));
        }
        let lines = crate::syntax::LineIndex::new(f.source);
        for d in f.diagnostics {
            let index = rules.iter().position(|r| r.code == d.code).unwrap_or(0);
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": index,
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.path },
                        "region": region(&lines, f.source, &d.range),
                    }
                }],
            });
            if let Some(fix) = &d.fix {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .filter(|e| e.file.is_none())
                    .map(|e| json!({ "deletedRegion": region(&lines, f.source, &e.range), "insertedContent": { "text": e.text } }))
                    .collect();
                if !replacements.is_empty() {
                    result["fixes"] = json!([{
                        "description": { "text": format!("{} ({:?})", fix.title, fix.applicability).to_lowercase() },
                        "artifactChanges": [{ "artifactLocation": { "uri": f.path }, "replacements": replacements }],
                    }]);
                }
            }
            results.push(result);
        }
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "gomodfix",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": crate::project::HOMEPAGE,
                    "rules": rule_list,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }],
    });
    let mut s = serde_json::to_string_pretty(&sarif).expect("serialisable");
    s.push('\n');
    s
}
