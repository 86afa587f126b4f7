//! Where a Dockerfile is built from: compose files (`services.*.build`) and bake files
//! (`target` blocks in docker-bake.hcl / docker-bake.json) that name it.
//!
//! YAML is read with serde-saphyr (its alias-replay limits stop alias bombs), HCL with hcl-rs.
//! Values gomodfix cannot know without running anything (`${VAR}` with no default, HCL
//! variables and functions) make that entry unknown rather than guessed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Compose file names, in Docker Compose's order of preference.
pub const COMPOSE_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];
pub const BAKE_FILES: &[&str] = &["docker-bake.hcl", "docker-bake.json"];

/// One way a Dockerfile is built, as a compose or bake file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSpec {
    /// The file that says so.
    pub file: PathBuf,
    /// Service (compose) or target (bake) name.
    pub entry: String,
    /// Absolute context directory.
    pub context: PathBuf,
    /// Absolute Dockerfile path (not canonicalised).
    pub dockerfile: PathBuf,
    pub target: Option<String>,
    pub args: BTreeMap<String, String>,
    pub platforms: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ComposeFile {
    #[serde(default)]
    services: BTreeMap<String, Option<ComposeService>>,
}

#[derive(Debug, Deserialize)]
struct ComposeService {
    build: Option<ComposeBuild>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ComposeBuild {
    Context(String),
    Full(ComposeBuildMap),
}

#[derive(Debug, Default, Deserialize)]
struct ComposeBuildMap {
    context: Option<String>,
    dockerfile: Option<String>,
    args: Option<ComposeArgs>,
    target: Option<String>,
    #[serde(default)]
    platforms: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ComposeArgs {
    Map(BTreeMap<String, Option<serde_json::Value>>),
    List(Vec<String>),
}

/// `${VAR:-default}` / `${VAR-default}` resolve to their default; any other variable is unknown.
fn interpolate(value: &str) -> Option<String> {
    crate::syntax::expand_with(value, &|_| None)
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Parse a compose file into the builds it describes. Entries whose context or Dockerfile
/// depend on unknown variables are left out.
pub fn parse_compose(path: &Path, text: &str) -> Result<Vec<BuildSpec>, String> {
    let file: ComposeFile = serde_saphyr::from_str(text)
        .map_err(|e| format!("{}: {}", path.display(), first_line(&e.to_string())))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (name, service) in file.services {
        let Some(build) = service.and_then(|s| s.build) else {
            continue;
        };
        let b = match build {
            ComposeBuild::Context(c) => ComposeBuildMap {
                context: Some(c),
                ..Default::default()
            },
            ComposeBuild::Full(m) => m,
        };
        let Some(context) = interpolate(b.context.as_deref().unwrap_or(".")) else {
            continue;
        };
        if context.contains("://") || context.starts_with("git@") {
            continue;
        }
        let context = dir.join(context);
        let Some(dockerfile) = interpolate(b.dockerfile.as_deref().unwrap_or("Dockerfile")) else {
            continue;
        };
        let args = match b.args {
            Some(ComposeArgs::Map(m)) => m
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, scalar(&v))))
                .collect(),
            Some(ComposeArgs::List(l)) => l
                .into_iter()
                .filter_map(|kv| {
                    kv.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                })
                .collect(),
            None => BTreeMap::new(),
        };
        out.push(BuildSpec {
            file: path.to_path_buf(),
            entry: name,
            dockerfile: context.join(dockerfile),
            context,
            target: b.target,
            args,
            platforms: b.platforms,
        });
    }
    Ok(out)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

/// One bake target before inheritance is resolved.
#[derive(Debug, Default, Clone)]
struct BakeTarget {
    context: Option<Option<String>>,
    dockerfile: Option<Option<String>>,
    target: Option<String>,
    args: BTreeMap<String, String>,
    platforms: Vec<String>,
    inherits: Vec<String>,
}

fn hcl_string(e: &hcl::Expression) -> Option<String> {
    match e {
        hcl::Expression::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// Parse docker-bake.hcl.
pub fn parse_bake_hcl(path: &Path, text: &str) -> Result<Vec<BuildSpec>, String> {
    let body = hcl::parse(text)
        .map_err(|e| format!("{}: {}", path.display(), first_line(&e.to_string())))?;
    let mut targets = BTreeMap::new();
    for block in body.blocks().filter(|b| b.identifier() == "target") {
        let Some(name) = block.labels().first().map(|l| l.as_str().to_string()) else {
            continue;
        };
        let mut t = BakeTarget::default();
        for attr in block.body().attributes() {
            let e = attr.expr();
            match attr.key() {
                "context" => t.context = Some(hcl_string(e)),
                "dockerfile" => t.dockerfile = Some(hcl_string(e)),
                "target" => t.target = hcl_string(e),
                "args" => {
                    if let hcl::Expression::Object(o) = e {
                        for (k, v) in o {
                            let key = match k {
                                hcl::ObjectKey::Identifier(i) => i.to_string(),
                                hcl::ObjectKey::Expression(x) => match hcl_string(x) {
                                    Some(s) => s,
                                    None => continue,
                                },
                                _ => continue,
                            };
                            if let Some(v) = hcl_string(v) {
                                t.args.insert(key, v);
                            }
                        }
                    }
                }
                "platforms" => {
                    if let hcl::Expression::Array(a) = e {
                        t.platforms = a.iter().filter_map(hcl_string).collect();
                    }
                }
                "inherits" => {
                    if let hcl::Expression::Array(a) = e {
                        t.inherits = a.iter().filter_map(hcl_string).collect();
                    }
                }
                _ => {}
            }
        }
        targets.insert(name, t);
    }
    Ok(bake_specs(path, &targets))
}

#[derive(Debug, Deserialize)]
struct BakeJson {
    #[serde(default)]
    target: BTreeMap<String, BakeJsonTarget>,
}

#[derive(Debug, Deserialize)]
struct BakeJsonTarget {
    context: Option<String>,
    dockerfile: Option<String>,
    target: Option<String>,
    #[serde(default)]
    args: BTreeMap<String, Option<String>>,
    #[serde(default)]
    platforms: Vec<String>,
    #[serde(default)]
    inherits: Vec<String>,
}

/// Parse docker-bake.json.
pub fn parse_bake_json(path: &Path, text: &str) -> Result<Vec<BuildSpec>, String> {
    let file: BakeJson =
        serde_json::from_str(text).map_err(|e| format!("{}: {e}", path.display()))?;
    let targets = file
        .target
        .into_iter()
        .map(|(name, t)| {
            (
                name,
                BakeTarget {
                    context: t.context.map(Some),
                    dockerfile: t.dockerfile.map(Some),
                    target: t.target,
                    args: t
                        .args
                        .into_iter()
                        .filter_map(|(k, v)| v.map(|v| (k, v)))
                        .collect(),
                    platforms: t.platforms,
                    inherits: t.inherits,
                },
            )
        })
        .collect();
    Ok(bake_specs(path, &targets))
}

/// Resolve `inherits` (parents first, the target's own values last) and turn targets into specs.
fn bake_specs(path: &Path, targets: &BTreeMap<String, BakeTarget>) -> Vec<BuildSpec> {
    fn resolve(
        name: &str,
        targets: &BTreeMap<String, BakeTarget>,
        depth: usize,
    ) -> Option<BakeTarget> {
        let t = targets.get(name)?;
        if depth > 16 {
            return None;
        }
        let mut merged = BakeTarget::default();
        for parent in &t.inherits {
            let p = resolve(parent, targets, depth + 1)?;
            merged.context = p.context.or(merged.context);
            merged.dockerfile = p.dockerfile.or(merged.dockerfile);
            merged.target = p.target.or(merged.target);
            merged.args.extend(p.args);
            if !p.platforms.is_empty() {
                merged.platforms = p.platforms;
            }
        }
        merged.context = t.context.clone().or(merged.context);
        merged.dockerfile = t.dockerfile.clone().or(merged.dockerfile);
        merged.target = t.target.clone().or(merged.target);
        merged.args.extend(t.args.clone());
        if !t.platforms.is_empty() {
            merged.platforms = t.platforms.clone();
        }
        Some(merged)
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for name in targets.keys() {
        let Some(t) = resolve(name, targets, 0) else {
            continue;
        };
        // An attribute that is not a plain string is unknown: leave the target out.
        let (Some(context), Some(dockerfile)) = (
            t.context.unwrap_or(Some(".".into())),
            t.dockerfile.unwrap_or(Some("Dockerfile".into())),
        ) else {
            continue;
        };
        if context.contains("://") {
            continue;
        }
        let context = dir.join(context);
        out.push(BuildSpec {
            file: path.to_path_buf(),
            entry: name.clone(),
            dockerfile: context.join(dockerfile),
            context,
            target: t.target,
            args: t.args,
            platforms: t.platforms,
        });
    }
    out
}

/// Read and parse one compose or bake file by its name.
pub fn parse_file(path: &Path) -> Result<Vec<BuildSpec>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > 4 * 1024 * 1024 {
        return Err(format!("{}: larger than 4 MiB, not read", path.display()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.ends_with(".hcl") {
        parse_bake_hcl(path, &text)
    } else if name.ends_with(".json") {
        parse_bake_json(path, &text)
    } else {
        parse_compose(path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_string_and_map_builds() {
        let yaml = "services:
  api:
    build:
      context: .
      dockerfile: services/api/Dockerfile
      target: build
      args:
        GOPROXY: https://proxy.example
        GOFLAGS:
      platforms: [linux/amd64, linux/arm64]
  web:
    build: ./web
  db:
    image: postgres
  dyn:
    build:
      context: .
      dockerfile: ${CHECKOUT_DOCKERFILE}
  dflt:
    build:
      context: ${CTX:-./tools}
      args: [\"A=1\"]
";
        let specs = parse_compose(Path::new("/repo/compose.yaml"), yaml).unwrap();
        let names: Vec<_> = specs.iter().map(|s| s.entry.as_str()).collect();
        assert_eq!(names, ["api", "dflt", "web"]);
        let api = &specs[0];
        assert_eq!(api.context, Path::new("/repo/."));
        assert_eq!(api.dockerfile, Path::new("/repo/./services/api/Dockerfile"));
        assert_eq!(api.target.as_deref(), Some("build"));
        assert_eq!(
            api.args.get("GOPROXY").map(String::as_str),
            Some("https://proxy.example")
        );
        assert!(!api.args.contains_key("GOFLAGS"));
        assert_eq!(api.platforms.len(), 2);
        assert_eq!(specs[1].context, Path::new("/repo/./tools"));
        assert_eq!(specs[1].args.get("A").map(String::as_str), Some("1"));
        assert_eq!(specs[2].dockerfile, Path::new("/repo/./web/Dockerfile"));
    }

    #[test]
    fn compose_alias_bomb_is_refused() {
        let mut yaml =
            String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
        let names = ["b", "c", "d", "e", "f", "g", "h", "i", "j"];
        let mut prev = "a";
        for n in names {
            yaml.push_str(&format!("{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
            prev = n;
        }
        yaml.push_str("services: {}\n");
        assert!(parse_compose(Path::new("/r/compose.yaml"), &yaml).is_err());
    }

    #[test]
    fn bake_hcl_with_inherits_and_unknowns() {
        let hcl = r#"
variable "TAG" { default = "latest" }
target "base" {
  context = "."
  args = { GOPROXY = "off" }
  platforms = ["linux/amd64", "linux/arm64"]
}
target "api" {
  inherits = ["base"]
  dockerfile = "services/api/Dockerfile"
  target = "runtime"
  args = { GOFLAGS = "-mod=vendor" }
}
target "dyn" {
  dockerfile = "${TAG}.Dockerfile"
}
"#;
        let specs = parse_bake_hcl(Path::new("/repo/docker-bake.hcl"), hcl).unwrap();
        let api = specs.iter().find(|s| s.entry == "api").unwrap();
        assert_eq!(api.dockerfile, Path::new("/repo/./services/api/Dockerfile"));
        assert_eq!(api.args.len(), 2);
        assert_eq!(api.platforms.len(), 2);
        assert_eq!(api.target.as_deref(), Some("runtime"));
        assert!(specs.iter().all(|s| s.entry != "dyn"));
    }

    #[test]
    fn bake_json() {
        let json = r#"{"target": {"app": {"context": "src", "args": {"A": "1"}}}}"#;
        let specs = parse_bake_json(Path::new("/r/docker-bake.json"), json).unwrap();
        assert_eq!(specs[0].dockerfile, Path::new("/r/src/Dockerfile"));
    }

    #[test]
    fn malformed_files_are_errors() {
        assert!(parse_compose(Path::new("c.yaml"), "services: [").is_err());
        assert!(parse_bake_hcl(Path::new("b.hcl"), "target \"x\" {").is_err());
    }
}
