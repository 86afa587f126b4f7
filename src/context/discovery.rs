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

/// A compose file under another name (`docker-compose.dev.yml`, `docker-compose-test.yaml`,
/// `compose.ci.yml`): used with `-f`, and read as evidence of how a Dockerfile is built.
pub fn is_compose_variant(name: &str) -> bool {
    (name.starts_with("docker-compose") || name.starts_with("compose."))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
        && !COMPOSE_FILES.contains(&name)
}

/// What kind of file describes a build; compose and bake files outrank the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpecSource {
    Compose,
    Bake,
    /// `docker/build-push-action` in a GitHub Actions workflow.
    BuildPushAction,
    /// A build command in a CI job's script.
    Run,
    /// A build command in a Makefile or shell script.
    Command,
    /// A compose file under another name ([`is_compose_variant`]).
    ComposeVariant,
    /// goreleaser's `dockers` / `dockers_v2` (platforms only).
    Goreleaser,
}

impl SpecSource {
    /// Compose and bake files say how a build is meant to be done; CI jobs, Makefiles and
    /// scripts are the next best evidence.
    pub fn is_build_definition(self) -> bool {
        matches!(self, SpecSource::Compose | SpecSource::Bake)
    }
}

impl std::fmt::Display for SpecSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SpecSource::Compose => "compose",
            SpecSource::Bake => "bake",
            SpecSource::BuildPushAction => "docker/build-push-action",
            SpecSource::Run | SpecSource::Command => "docker build",
            SpecSource::Goreleaser => "goreleaser dockers",
            SpecSource::ComposeVariant => "compose",
        })
    }
}

/// One way a Dockerfile is built, as a compose, bake, CI, release or make file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSpec {
    /// The file that says so.
    pub file: PathBuf,
    /// The line in it, when known.
    pub line: Option<usize>,
    /// Service (compose) or target (bake) name; what the command is for the others.
    pub entry: String,
    pub source: SpecSource,
    /// Absolute context directory; `None` when the build does not use a folder of the
    /// repository (goreleaser builds in a folder of its own).
    pub context: Option<PathBuf>,
    /// Absolute Dockerfile path (not canonicalised).
    pub dockerfile: PathBuf,
    pub target: Option<String>,
    pub args: BTreeMap<String, String>,
    pub platforms: Vec<String>,
    /// What runs before the build and may make files in the context: a Makefile target's
    /// prerequisites and the words of its earlier recipe lines (`build`, `mkdir -p dist`).
    pub prepared_by: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ComposeFile {
    #[serde(default)]
    services: BTreeMap<String, Option<ComposeService>>,
}

#[derive(Debug, Deserialize)]
struct ComposeService {
    build: Option<serde_saphyr::Spanned<ComposeBuild>>,
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

/// Compose's interpolation: `$VAR`, `${VAR}`, `${VAR:-default}` (unset or empty),
/// `${VAR-default}` (unset), `${VAR:+alt}` / `${VAR+alt}`, `${VAR:?err}` / `${VAR?err}`, and
/// `$$` for a literal `$`. Values come from `vars` (the process environment, then the `.env`
/// file beside the compose file). A variable that is unset with no default (compose would put an
/// empty string and warn) or required with `?` makes the whole value unknown: `None`.
pub fn compose_interpolate(value: &str, vars: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(inner) = after.strip_prefix('{') {
            // The matching brace: defaults may hold `${…}` of their own.
            let mut depth = 1;
            let mut close = None;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let close = close?;
            let expr = &inner[..close];
            let name_len = expr
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(expr.len());
            let (name, op) = expr.split_at(name_len);
            if name.is_empty() {
                return None;
            }
            let v = vars(name);
            let set_nonempty = v.as_deref().is_some_and(|v| !v.is_empty());
            let resolved = if op.is_empty() {
                v?
            } else if let Some(d) = op.strip_prefix(":-") {
                if set_nonempty {
                    v?
                } else {
                    compose_interpolate(d, vars)?
                }
            } else if let Some(d) = op.strip_prefix('-') {
                match v {
                    Some(v) => v,
                    None => compose_interpolate(d, vars)?,
                }
            } else if let Some(a) = op.strip_prefix(":+") {
                if set_nonempty {
                    compose_interpolate(a, vars)?
                } else {
                    String::new()
                }
            } else if let Some(a) = op.strip_prefix('+') {
                if v.is_some() {
                    compose_interpolate(a, vars)?
                } else {
                    String::new()
                }
            } else if op.starts_with(":?") {
                if set_nonempty { v? } else { return None }
            } else if op.starts_with('?') {
                v?
            } else {
                return None;
            };
            out.push_str(&resolved);
            rest = &inner[close + 1..];
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(&vars(&after[..len])?);
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// The variables of a `.env` file: `KEY=value` lines (`export ` allowed), `#` comments,
/// single- or double-quoted values.
pub fn parse_dotenv(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = if let Some(q) = v.strip_prefix('"').and_then(|r| r.split_once('"')) {
            q.0.replace("\\n", "\n")
        } else if let Some(q) = v.strip_prefix('\'').and_then(|r| r.split_once('\'')) {
            q.0.to_string()
        } else {
            // An unquoted value ends at ` #`.
            v.split(" #").next().unwrap_or("").trim().to_string()
        };
        out.insert(k.trim().to_string(), v);
    }
    out
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Parse a compose file into the builds it describes, with variables from the process
/// environment and then the `.env` file beside it (as `docker compose` run in that folder).
pub fn parse_compose(path: &Path, text: &str) -> Result<Vec<BuildSpec>, String> {
    let dotenv = path
        .parent()
        .map(|d| d.join(".env"))
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|t| parse_dotenv(&t))
        .unwrap_or_default();
    parse_compose_with(path, text, &|name| {
        std::env::var(name)
            .ok()
            .or_else(|| dotenv.get(name).cloned())
    })
}

/// Parse a compose file with the given variables. Entries whose context or Dockerfile depend on
/// unknown variables are left out; an unknown target, platform or build arg is dropped.
pub fn parse_compose_with(
    path: &Path,
    text: &str,
    vars: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<BuildSpec>, String> {
    let interpolate = |v: &str| compose_interpolate(v, vars);
    let file: ComposeFile = serde_saphyr::from_str(text)
        .map_err(|e| format!("{}: {}", path.display(), first_line(&e.to_string())))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (name, service) in file.services {
        let Some(build) = service.and_then(|s| s.build) else {
            continue;
        };
        let line = build_line(text, build.referenced.line() as usize);
        let b = match build.value {
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
                .filter_map(|(k, v)| v.and_then(|v| Some((k, interpolate(&scalar(&v))?))))
                .collect(),
            Some(ComposeArgs::List(l)) => l
                .into_iter()
                .filter_map(|kv| {
                    let (k, v) = kv.split_once('=')?;
                    Some((k.to_string(), interpolate(v)?))
                })
                .collect(),
            None => BTreeMap::new(),
        };
        let platforms: Option<Vec<String>> = b.platforms.iter().map(|p| interpolate(p)).collect();
        out.push(BuildSpec {
            prepared_by: Vec::new(),
            file: path.to_path_buf(),
            line,
            entry: name,
            source: SpecSource::Compose,
            dockerfile: context.join(dockerfile),
            context: Some(context),
            target: b.target.and_then(|t| interpolate(&t)),
            args,
            platforms: platforms.unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The line of a service's `build:` key, from where its value starts: the same line
/// (`build: ./web`, `build: {context: .}`) or, for a block mapping, the line above its first key.
fn build_line(text: &str, value_line: usize) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    (1..=value_line).rev().take(2).find(|&n| {
        lines
            .get(n - 1)
            .is_some_and(|l| l.trim_start().starts_with("build:"))
    })
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
    let mut grouped = Vec::new();
    for block in body.blocks().filter(|b| b.identifier() == "group") {
        for attr in block.body().attributes().filter(|a| a.key() == "targets") {
            if let hcl::Expression::Array(a) = attr.expr() {
                grouped.extend(a.iter().filter_map(hcl_string));
            }
        }
    }
    let mut specs = bake_specs(path, &targets, &grouped);
    // hcl-rs keeps no positions: the line of each `target "name" {` is looked up in the text.
    for spec in &mut specs {
        let block = format!("\"{}\"", spec.entry);
        spec.line = text
            .lines()
            .position(|l| {
                let l = l.trim_start();
                l.starts_with("target") && l["target".len()..].trim_start().starts_with(&block)
            })
            .map(|i| i + 1);
    }
    Ok(specs)
}

#[derive(Debug, Deserialize)]
struct BakeJson {
    #[serde(default)]
    target: BTreeMap<String, BakeJsonTarget>,
    #[serde(default)]
    group: BTreeMap<String, BakeJsonGroup>,
}

#[derive(Debug, Deserialize)]
struct BakeJsonGroup {
    #[serde(default)]
    targets: Vec<String>,
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
    let grouped: Vec<String> = file
        .group
        .values()
        .flat_map(|g| g.targets.clone())
        .collect();
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
    Ok(bake_specs(path, &targets, &grouped))
}

/// Resolve `inherits` (parents first, the target's own values last) and turn targets into specs.
/// A target that others inherit from and that no group names (`_common`) is a template, not a
/// build: it is left out.
fn bake_specs(
    path: &Path,
    targets: &BTreeMap<String, BakeTarget>,
    grouped: &[String],
) -> Vec<BuildSpec> {
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
        let template = targets.values().any(|t| t.inherits.contains(name));
        if template && !grouped.contains(name) {
            continue;
        }
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
        // `cwd://` names the folder bake runs in: the bake file's, where bake finds it.
        let context = context.strip_prefix("cwd://").unwrap_or(&context);
        if context.contains("://") || context.starts_with("target:") {
            continue;
        }
        let context = dir.join(context);
        out.push(BuildSpec {
            prepared_by: Vec::new(),
            file: path.to_path_buf(),
            line: None,
            entry: name.clone(),
            source: SpecSource::Bake,
            dockerfile: context.join(dockerfile),
            context: Some(context),
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
        assert_eq!(api.context.as_deref(), Some(Path::new("/repo/.")));
        assert_eq!(api.dockerfile, Path::new("/repo/./services/api/Dockerfile"));
        assert_eq!(api.target.as_deref(), Some("build"));
        assert_eq!(
            api.args.get("GOPROXY").map(String::as_str),
            Some("https://proxy.example")
        );
        assert!(!api.args.contains_key("GOFLAGS"));
        assert_eq!(api.platforms.len(), 2);
        assert_eq!(
            specs[1].context.as_deref(),
            Some(Path::new("/repo/./tools"))
        );
        assert_eq!(specs[1].args.get("A").map(String::as_str), Some("1"));
        assert_eq!(specs[2].dockerfile, Path::new("/repo/./web/Dockerfile"));
        // The line of each service's `build:`.
        assert_eq!(api.line, Some(3));
        assert_eq!(specs[2].line, Some(12));
    }

    #[test]
    fn compose_interpolation_as_compose_does_it() {
        let vars = |n: &str| match n {
            "SET" => Some("v".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        let i = |s: &str| compose_interpolate(s, &vars);
        assert_eq!(i("${SET}/$SET").as_deref(), Some("v/v"));
        assert_eq!(i("${UNSET:-d}").as_deref(), Some("d"));
        assert_eq!(i("${EMPTY:-d}").as_deref(), Some("d"));
        assert_eq!(i("${EMPTY-d}").as_deref(), Some(""));
        assert_eq!(i("${UNSET-d}").as_deref(), Some("d"));
        assert_eq!(i("${SET:+alt}").as_deref(), Some("alt"));
        assert_eq!(i("${UNSET:+alt}").as_deref(), Some(""));
        assert_eq!(i("${UNSET:-${SET}x}").as_deref(), Some("vx"));
        assert_eq!(i("$$5 $${SET}").as_deref(), Some("$5 ${SET}"));
        assert_eq!(i("${UNSET}"), None);
        assert_eq!(i("$UNSET"), None);
        assert_eq!(i("${UNSET:?required}"), None);
        assert_eq!(i("${EMPTY:?required}"), None);
        assert_eq!(i("${SET?required}").as_deref(), Some("v"));
    }

    #[test]
    fn dotenv_lines() {
        let env = parse_dotenv(
            "# comment\nA=1\nexport B=two\nC=\"quoted # not a comment\"\nD='single'\nE=plain # comment\n\nnot a line\n",
        );
        assert_eq!(env["A"], "1");
        assert_eq!(env["B"], "two");
        assert_eq!(env["C"], "quoted # not a comment");
        assert_eq!(env["D"], "single");
        assert_eq!(env["E"], "plain");
        assert_eq!(env.len(), 5);
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
        assert_eq!(api.line, Some(8));
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
