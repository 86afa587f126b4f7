//! `.gomodfix.yaml` (or `.gomodfix.yml`): found by walking up from each Dockerfile, or named by
//! `--config`. The nearest file wins; the command line wins over it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::rules::{Settings, Severity};

pub const CONFIG_FILES: &[&str] = &[".gomodfix.yaml", ".gomodfix.yml"];

/// The file as written. Unknown keys and wrong types are errors.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Codes or prefixes to run (default: all).
    pub select: Option<Vec<String>>,
    /// Codes or prefixes added to `select`.
    pub extend_select: Option<Vec<String>>,
    /// Codes or prefixes never to run.
    pub ignore: Option<Vec<String>>,
    /// Apply unsafe fixes with `--write` without `--unsafe-fixes`.
    pub unsafe_fixes: Option<bool>,
    /// The hardening profile: GM002/GM004 also report where the explicit setting changes
    /// nothing on today's images (`--hardening`).
    pub hardening: Option<bool>,
    /// Severity per code: `info`, `warning`, `error`.
    pub severity: Option<BTreeMap<String, Severity>>,
    /// Build contexts by Dockerfile glob (relative to this file's folder).
    pub contexts: Option<Vec<ContextEntry>>,
    /// Private module path patterns (`github.com/acme/*`), for GM024.
    pub private: Option<Vec<String>>,
    /// Options of single rules.
    pub rules: Option<RuleOptions>,
    /// Defaults for `gomodfix pr` (the command line wins).
    pub pr: Option<PrConfig>,
}

/// Where `gomodfix pr` opens its change request.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ForgeKind {
    /// GitLab when the GitLab CI variables are set (GITLAB_CI, or CI_PROJECT_PATH without
    /// GITHUB_REPOSITORY), else GitHub.
    #[default]
    Auto,
    Github,
    Gitlab,
}

/// `pr:` — defaults for `gomodfix pr`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PrConfig {
    pub forge: Option<ForgeKind>,
    pub branch: Option<String>,
    pub remote: Option<String>,
    pub base: Option<String>,
    pub labels: Option<Vec<String>>,
    pub reviewers: Option<Vec<String>>,
    pub close_when_clean: Option<bool>,
    pub signoff: Option<bool>,
    pub author: Option<String>,
    pub unsafe_fixes: Option<bool>,
}

/// `contexts:` entry.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContextEntry {
    /// Glob of Dockerfile paths, relative to the config file's folder.
    pub dockerfile: String,
    /// The context folder, relative to the config file's folder.
    pub context: String,
    pub target: Option<String>,
    #[serde(default)]
    pub args: BTreeMap<String, String>,
}

/// `rules:` options.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleOptions {
    /// More hosts whose modules are public (GM024 never treats them as private).
    pub public_hosts: Option<Vec<String>>,
    /// The WORKDIR GM011 inserts (default `/src`).
    pub module_workdir: Option<String>,
    /// More image repositories to treat as official golang images (mirrors), e.g.
    /// `registry.example.com/library/golang`.
    pub golang_images: Option<Vec<String>>,
    /// Cache-mount targets GM003 uses instead of the ones it derives from the stage.
    pub cache_targets: Option<CacheTargets>,
}

/// `rules.cache-targets`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CacheTargets {
    /// The module cache (GOMODCACHE), e.g. `/go/pkg/mod`.
    pub module: Option<String>,
    /// The build cache (GOCACHE), e.g. `/root/.cache/go-build`.
    pub build: Option<String>,
}

/// A config file that was read, with where it lives.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub config: Config,
}

impl LoadedConfig {
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// Parse a config file's text; errors name the file, line and key.
pub fn parse(path: &Path, text: &str) -> Result<Config, String> {
    serde_saphyr::from_str::<Config>(text).map_err(|e| {
        let msg = e.to_string();
        let first = msg.lines().next().unwrap_or(&msg).to_string();
        format!("{}: {first}", path.display())
    })
}

/// Read one config file.
pub fn load(path: &Path) -> Result<LoadedConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(LoadedConfig {
        path: path.to_path_buf(),
        config: parse(path, &text)?,
    })
}

/// The nearest config file at or above `dir`.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let mut d = Some(dir);
    while let Some(dir) = d {
        for name in CONFIG_FILES {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        d = dir.parent();
    }
    None
}

/// A front end's choices that take part in the merge (command-line flags, editor settings).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub unsafe_fixes: bool,
    pub hardening: bool,
}

/// The settings in force: defaults, then the config file, then the front end's overrides. The
/// stage built is not among them: the engine sets it per build context.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Effective {
    pub config_file: Option<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub unsafe_fixes: bool,
    pub hardening: bool,
    pub severity: BTreeMap<String, Severity>,
    pub private: Vec<String>,
    pub public_hosts: Vec<String>,
    pub module_workdir: Option<String>,
    pub golang_images: Vec<String>,
    pub cache_targets: CacheTargets,
    #[serde(skip)]
    pub contexts: Vec<ContextEntry>,
}

impl Effective {
    pub fn merge(config: Option<&LoadedConfig>, cli: &Overrides) -> Effective {
        let c = config.map(|l| l.config.clone()).unwrap_or_default();
        let mut select = cli.select.clone().or(c.select).unwrap_or_default();
        let extend: Vec<String> = c
            .extend_select
            .unwrap_or_default()
            .into_iter()
            .chain(cli.extend_select.clone())
            .collect();
        if !select.is_empty() {
            select.extend(extend);
        }
        let ignore = c
            .ignore
            .unwrap_or_default()
            .into_iter()
            .chain(cli.ignore.clone())
            .collect();
        let rules = c.rules.unwrap_or_default();
        Effective {
            config_file: config.map(|l| l.path.clone()),
            select,
            ignore,
            unsafe_fixes: cli.unsafe_fixes || c.unsafe_fixes.unwrap_or(false),
            hardening: cli.hardening || c.hardening.unwrap_or(false),
            severity: c
                .severity
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k.to_ascii_uppercase(), v))
                .collect(),
            private: c.private.unwrap_or_default(),
            public_hosts: rules.public_hosts.unwrap_or_default(),
            module_workdir: rules.module_workdir,
            golang_images: rules.golang_images.unwrap_or_default(),
            cache_targets: rules.cache_targets.unwrap_or_default(),
            contexts: c.contexts.unwrap_or_default(),
        }
    }

    /// The rules' settings, for no particular stage (`target` is the engine's to set).
    pub fn settings(&self) -> Settings {
        Settings {
            target: None,
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            hardening: self.hardening,
            severity: self.severity.clone(),
            private: self.private.clone(),
            public_hosts: self.public_hosts.clone(),
            module_workdir: self.module_workdir.clone(),
            golang_images: self.golang_images.clone(),
            module_cache: self.cache_targets.module.clone(),
            build_cache: self.cache_targets.build.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_file_parses() {
        let text = "select: [GM0]\nignore: [GM004]\nunsafe-fixes: true\nseverity:\n  GM003: error\ncontexts:\n  - dockerfile: services/*/Dockerfile\n    context: .\n    target: build\n    args: {GOPROXY: off}\nprivate: [github.com/acme/*]\nrules:\n  module-workdir: /app\n  golang-images: [registry.example.com/library/golang]\n";
        let c = parse(Path::new(".gomodfix.yaml"), text).unwrap();
        assert_eq!(c.select.as_deref(), Some(&["GM0".to_string()][..]));
        assert_eq!(c.severity.unwrap().get("GM003"), Some(&Severity::Error));
        assert_eq!(
            c.contexts.unwrap()[0]
                .args
                .get("GOPROXY")
                .map(String::as_str),
            Some("off")
        );
        assert_eq!(c.rules.unwrap().module_workdir.as_deref(), Some("/app"));
    }

    #[test]
    fn unknown_keys_and_bad_values_name_file_line_and_key() {
        let e = parse(
            Path::new("x/.gomodfix.yaml"),
            "select: [GM001]\nignroe: [GM004]\n",
        )
        .unwrap_err();
        assert!(e.contains("x/.gomodfix.yaml"), "{e}");
        assert!(e.contains("ignroe"), "{e}");
        assert!(e.contains("line 2"), "{e}");
        let e = parse(
            Path::new(".gomodfix.yaml"),
            "select: [GM001]\nseverity:\n  GM003: fatal\n",
        )
        .unwrap_err();
        assert!(e.contains("fatal") || e.contains("variant"), "{e}");
        assert!(e.contains("line 3"), "{e}");
        let e = parse(Path::new(".gomodfix.yaml"), "unsafe-fixes: maybe\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn cli_wins_over_config() {
        let loaded = LoadedConfig {
            path: PathBuf::from("/r/.gomodfix.yaml"),
            config: Config {
                select: Some(vec!["GM001".into()]),
                ignore: Some(vec!["GM004".into()]),
                ..Default::default()
            },
        };
        let cli = Overrides {
            select: Some(vec!["GM003".into()]),
            ignore: vec!["GM005".into()],
            extend_select: vec!["GM010".into()],
            ..Default::default()
        };
        let e = Effective::merge(Some(&loaded), &cli);
        assert_eq!(e.select, ["GM003", "GM010"]);
        assert_eq!(e.ignore, ["GM004", "GM005"]);
        let s = e.settings();
        assert!(
            s.enabled("GM003") && s.enabled("GM010") && !s.enabled("GM001") && !s.enabled("GM004")
        );
    }
}
