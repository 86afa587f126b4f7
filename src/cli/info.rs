//! The informational subcommands: `explain`, `rules` and `config --show`.

use std::path::PathBuf;

use super::{EXIT_CLEAN, EXIT_ERROR, RulesFormat};
use crate::engine::ContextCache;
use crate::rules;

/// `gomodfix rules`: every rule, as text or JSON.
pub fn list_rules(format: RulesFormat) -> u8 {
    match format {
        RulesFormat::Json => {
            let list: Vec<&rules::RuleMeta> = rules::registry().iter().map(|r| r.meta()).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).expect("serialisable")
            );
        }
        RulesFormat::Text => {
            for r in rules::registry() {
                let m = r.meta();
                println!(
                    "{}  {:<32} {:<7} {}",
                    m.code,
                    m.name,
                    fix_label(m.fix),
                    m.summary
                );
            }
        }
    }
    EXIT_CLEAN
}

fn fix_label(f: rules::FixAvailability) -> &'static str {
    match f {
        rules::FixAvailability::None => "none",
        rules::FixAvailability::Safe => "safe",
        rules::FixAvailability::Unsafe => "unsafe",
        rules::FixAvailability::Mixed => "mixed",
    }
}

/// `gomodfix explain CODE`: a rule's documentation.
pub fn explain(code: &str) -> u8 {
    match rules::find(code) {
        Some(r) => {
            let m = r.meta();
            println!(
                "# {} {}\n\n{}\n\nFix: {}. Default severity: {}.\n\n{}",
                m.code,
                m.name,
                m.summary,
                fix_label(m.fix),
                m.severity,
                m.doc
            );
            EXIT_CLEAN
        }
        None => {
            eprintln!("gomodfix: unknown rule `{code}` (see `gomodfix rules`)");
            EXIT_ERROR
        }
    }
}

/// `gomodfix config --show`: the merged settings for a folder or Dockerfile, as YAML-ish JSON.
pub fn show_config(config: Option<PathBuf>, path: Option<PathBuf>) -> u8 {
    let target = path.unwrap_or_else(|| PathBuf::from("."));
    let probe = if target.is_dir() {
        target.join("Dockerfile")
    } else {
        target.clone()
    };
    let cache = ContextCache::new(config);
    let dir = probe
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let lookup = if probe.exists() {
        probe.clone()
    } else {
        dir.canonicalize().unwrap_or(dir).join("Dockerfile")
    };
    match cache.config_for(&lookup) {
        Ok(cfg) => {
            let eff = crate::config::Effective::merge(cfg.as_ref(), &Default::default());
            println!(
                "{}",
                serde_json::to_string_pretty(&Shown {
                    settings: &eff,
                    target: None
                })
                .expect("serialisable")
            );
            EXIT_CLEAN
        }
        Err(e) => {
            eprintln!("gomodfix: {e}");
            EXIT_ERROR
        }
    }
}

/// What `config --show` prints: the merged settings, then the stage built, which no config file
/// sets (it is always `null` here; the key stays for the output's readers).
#[derive(serde::Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    settings: &'a crate::config::Effective,
    target: Option<String>,
}
