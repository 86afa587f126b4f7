//! Every rule's documentation shows an Example that the rule reports and a "Use instead" that it
//! does not: both are checked here, in a build context made for them (go.mod, go.sum, main.go;
//! a `# go.mod says: go 1.23` comment in the example sets go.mod's go line), with more files for
//! the rules that need them (see `setups`).

use std::fs;

use gomodfix::engine::ContextCache;
use gomodfix::rules::{Settings, registry};

/// The first ```dockerfile block after `heading` in a rule's documentation.
fn block<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let after = &doc[doc.find(heading)? + heading.len()..];
    let start = after.find("```dockerfile\n")? + "```dockerfile\n".len();
    let end = after[start..].find("```")?;
    Some(&after[start..start + end])
}

/// A documentation fragment (`RUN go env -w …`) as a whole Dockerfile: on a golang image.
fn with_from(block: &str) -> String {
    if block
        .lines()
        .any(|l| l.trim_start().to_ascii_uppercase().starts_with("FROM "))
    {
        block.to_string()
    } else {
        format!("FROM golang:1.22\n{block}")
    }
}

/// The build context an Example or Use instead is checked in: the default files (go.mod with
/// one requirement, go.sum, main.go), changed by `files`, with the Dockerfile at `dockerfile`
/// and the context at `context` (folders of the temp dir, `""` its root; `None`: no context
/// named, the Dockerfile's folder as `docker build` takes it).
struct Setup {
    dockerfile_text: String,
    dockerfile: &'static str,
    context: Option<&'static str>,
    /// (path, text) written over the defaults; `None` removes a default file.
    files: Vec<(&'static str, Option<String>)>,
    /// More codes to run (GM100 reports only suppressions of rules that run).
    also_select: &'static [&'static str],
}

impl Setup {
    fn new(dockerfile_text: String) -> Setup {
        Setup {
            dockerfile_text,
            dockerfile: "Dockerfile",
            context: Some(""),
            files: Vec::new(),
            also_select: &[],
        }
    }
    fn file(mut self, path: &'static str, text: &str) -> Setup {
        self.files.push((path, Some(text.to_string())));
        self
    }
    fn without(mut self, path: &'static str) -> Setup {
        self.files.push((path, None));
        self
    }
}

/// The first ```text block after `heading`.
fn text_block<'a>(doc: &'a str, heading: &str) -> &'a str {
    let after = &doc[doc.find(heading).unwrap() + heading.len()..];
    let start = after.find("```text\n").unwrap() + "```text\n".len();
    let end = after[start..].find("```").unwrap();
    &after[start..start + end]
}

const REQUIRES_UUID: &str =
    "module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n";

/// The contexts of the rules whose Example needs more than the default one (a .dockerignore,
/// vendor/, a go.work with members, a replace target, …), as (Example, Use instead); the other
/// rules' blocks run in the default context. Where a doc block is not a Dockerfile (GM014's
/// .dockerignore, GM028's command lines) the Dockerfile is made from what the block says.
fn setups(code: &str, doc: &str, example: String, instead: String) -> (Setup, Setup) {
    let both = |f: &dyn Fn(Setup) -> Setup| {
        (
            f(Setup::new(example.clone())),
            f(Setup::new(instead.clone())),
        )
    };
    match code {
        // vendor/ in the repository; go.mod says go 1.13, where vendor mode is not the default.
        "GM005" => both(&|s| {
            s.file(
                "go.mod",
                "module example.com/app\n\ngo 1.13\n\nrequire github.com/google/uuid v1.6.0\n",
            )
            .file(
                "vendor/modules.txt",
                "# github.com/google/uuid v1.6.0\n## explicit\ngithub.com/google/uuid\n",
            )
            .file("vendor/github.com/google/uuid/uuid.go", "package uuid\n")
        }),
        // A module without requirements, so without go.sum.
        "GM013" => both(&|s| {
            s.file("go.mod", "module example.com/app\n\ngo 1.22\n")
                .without("go.sum")
        }),
        // The blocks are the .dockerignore; the Dockerfile copies go.mod and go.sum first.
        "GM014" => {
            let dockerfile = "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n";
            let with =
                |ignore: &str| Setup::new(dockerfile.to_string()).file(".dockerignore", ignore);
            (
                with(text_block(doc, "## Example")),
                with(text_block(doc, "## Use instead")),
            )
        }
        // A workspace of ./api and ./tools, no module at the root.
        "GM015" => both(&|s| {
            s.without("go.mod")
                .without("go.sum")
                .without("main.go")
                .file("go.work", "go 1.22\n\nuse (\n\t./api\n\t./tools\n)\n")
                .file("api/go.mod", "module example.com/api\n\ngo 1.22\n")
                .file("api/main.go", "package main\n\nfunc main() {}\n")
                .file("tools/go.mod", "module example.com/tools\n\ngo 1.22\n")
        }),
        // A local replace target with its own module files.
        "GM025" => both(&|s| {
            s.file(
                "go.mod",
                &format!("{REQUIRES_UUID}\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ./lib\n"),
            )
            .file("lib/go.mod", "module example.com/lib\n\ngo 1.22\n")
            .file("lib/go.sum", "")
            .file("lib/lib.go", "package lib\n")
        }),
        // go.mod requires a module that needs cgo; the fragment's go build runs on the
        // context's sources (`COPY . .` after FROM).
        "GM027" => both(&|mut s| {
            s.dockerfile_text = s
                .dockerfile_text
                .replacen('\n', "\nWORKDIR /src\nCOPY . .\n", 1);
            s.file(
                "go.mod",
                "module example.com/app\n\ngo 1.22\n\nrequire github.com/mattn/go-sqlite3 v1.14.22\n",
            )
            .file(
                "main.go",
                "package main\n\nimport _ \"github.com/mattn/go-sqlite3\"\n\nfunc main() {}\n",
            )
        }),
        // The Dockerfile in services/api copies the line the Example shows; built with its
        // own folder as the context (`docker build services/api`: none named, the Example) or
        // the repository root (Use instead).
        "GM028" => {
            let copy = text_block(doc, "## Example")
                .lines()
                .find_map(|l| l.split_once("Dockerfile:").map(|(_, c)| c.trim()))
                .unwrap();
            let dockerfile = format!(
                "FROM golang:1.22\nWORKDIR /src\n{copy}\nRUN go mod download\nCOPY services/api/ ./\nRUN go build -o /app .\n"
            );
            let repo = |context| {
                let mut s = Setup::new(dockerfile.clone())
                    .without("go.mod")
                    .without("go.sum")
                    .without("main.go")
                    .file("services/api/go.mod", REQUIRES_UUID)
                    .file(
                        "services/api/go.sum",
                        "github.com/google/uuid v1.6.0 h1:x=\n",
                    )
                    .file("services/api/main.go", "package main\n\nfunc main() {}\n")
                    // The repository's root: folders above the Dockerfile's are searched up to it.
                    .file(".git/HEAD", "ref: refs/heads/main\n");
                s.dockerfile = "services/api/Dockerfile";
                s.context = context;
                s
            };
            (repo(None), repo(Some("")))
        }
        // Suppressions count only for rules that run.
        "GM100" => both(&|mut s| {
            s.also_select = &["GM003"];
            s
        }),
        _ => both(&|s| s),
    }
}

fn findings(code: &str, setup: &Setup) -> Vec<String> {
    let dir = tempfile::TempDir::new().unwrap();
    let go_line = setup
        .dockerfile_text
        .lines()
        .find_map(|l| l.trim().strip_prefix("# go.mod says: "))
        .unwrap_or("go 1.22");
    let mut files = vec![
        (
            "go.mod",
            Some(format!(
                "module example.com/app\n\n{go_line}\n\nrequire github.com/google/uuid v1.6.0\n"
            )),
        ),
        (
            "go.sum",
            Some("github.com/google/uuid v1.6.0 h1:x=\n".to_string()),
        ),
        (
            "main.go",
            Some("package main\n\nfunc main() {}\n".to_string()),
        ),
    ];
    files.extend(setup.files.iter().cloned());
    for (path, text) in &files {
        let path = dir.path().join(path);
        match text {
            Some(text) => {
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(&path, text).unwrap();
            }
            None => {
                let _ = fs::remove_file(&path);
            }
        }
    }
    let df = dir.path().join(setup.dockerfile);
    fs::create_dir_all(df.parent().unwrap()).unwrap();
    fs::write(&df, &setup.dockerfile_text).unwrap();
    let cache = ContextCache::default();
    let ctx = cache
        .prepare_contexts(
            &df,
            &setup.dockerfile_text,
            None,
            setup.context.map(|c| dir.path().join(c)).as_deref(),
            None,
        )
        .remove(0)
        .unwrap();
    let mut select = vec![code.to_string()];
    select.extend(setup.also_select.iter().map(|c| c.to_string()));
    let settings = Settings {
        select,
        ..Default::default()
    };
    gomodfix::check(&setup.dockerfile_text, Some(&ctx), &settings)
        .into_iter()
        .map(|d| d.code.to_string())
        .collect()
}

#[test]
fn rule_examples_trigger_and_their_fixes_do_not() {
    let mut failures = Vec::new();
    for rule in registry() {
        let meta = rule.meta();
        // GM014 and GM028 show a .dockerignore and command lines: `setups` makes their
        // Dockerfiles.
        let example = block(meta.doc, "## Example");
        if example.is_none() && !["GM014", "GM028"].contains(&meta.code) {
            failures.push(format!("{}: no dockerfile Example block", meta.code));
            continue;
        }
        // "Use instead: nothing" (remove the line) is the base image alone.
        let instead = block(meta.doc, "## Use instead").unwrap_or("");
        let (example, instead) = (with_from(example.unwrap_or("")), with_from(instead));
        let (example, instead) = setups(meta.code, meta.doc, example, instead);
        if !findings(meta.code, &example).iter().any(|c| c == meta.code) {
            failures.push(format!("{}: the Example is not reported", meta.code));
        }
        if findings(meta.code, &instead).iter().any(|c| c == meta.code) {
            failures.push(format!("{}: the Use instead is reported", meta.code));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
