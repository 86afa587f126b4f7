//! What a stage's image says about the Go it runs: the version in a `golang:` tag, a tag that
//! floats to the newest release, or nothing that can be known. Rules that depend on the Go
//! version (module mode, `go get`, toolchain lines) ask here instead of reading tags themselves.

use crate::context::gomod::go_version;
use crate::syntax::{Dockerfile, Kind, Stage};

/// The Go a stage's image provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageGo {
    /// A golang image whose tag names a version (`1.22`, `1.22.5-alpine`); `has_patch` tells
    /// whether the tag pins the patch release (`golang:1.22` is the newest 1.22.x).
    Version {
        version: (u32, u32, u32),
        has_patch: bool,
    },
    /// A golang image whose tag floats to the newest release: no tag, `latest`, `alpine`,
    /// `bookworm`, `1`, `1-alpine`. Newer than any rule's threshold.
    Newest,
    /// Not a golang image (a base that installs Go some other way), or a tag from an ARG without
    /// a default: the version cannot be known.
    Unknown,
}

impl ImageGo {
    /// Whether the image's Go is known to be at least `major.minor`.
    pub fn at_least(self, major: u32, minor: u32) -> bool {
        match self {
            ImageGo::Version { version, .. } => (version.0, version.1) >= (major, minor),
            ImageGo::Newest => true,
            ImageGo::Unknown => false,
        }
    }

    /// Whether the image's Go is known to be older than `major.minor`.
    pub fn older_than(self, major: u32, minor: u32) -> bool {
        match self {
            ImageGo::Version { version, .. } => (version.0, version.1) < (major, minor),
            _ => false,
        }
    }
}

/// `1.22.5-alpine3.20` → (`1.22.5`, `-alpine3.20`).
pub fn split_tag(tag: &str) -> (&str, &str) {
    match tag.find('-') {
        Some(i) => (&tag[..i], &tag[i..]),
        None => (tag, ""),
    }
}

/// The tag of an image reference (`golang:1.22@sha256:…` → `1.22`), `None` without one.
pub fn tag_of(reference: &str) -> Option<&str> {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let (_, tag) = without_digest.rsplit_once(':')?;
    (!tag.contains('/')).then_some(tag)
}

/// What a golang tag says about its Go version.
pub fn go_of_tag(tag: Option<&str>) -> ImageGo {
    let Some(tag) = tag else {
        return ImageGo::Newest;
    };
    let (version, _) = split_tag(tag);
    // `1` and `1-alpine` float over every 1.x release; words (`latest`, `alpine3.20`,
    // `bookworm`) float too.
    if !version.contains('.') {
        return ImageGo::Newest;
    }
    match go_version(version) {
        Some(v) => ImageGo::Version {
            version: v,
            has_patch: version.matches('.').count() >= 2,
        },
        None => ImageGo::Newest,
    }
}

/// The Go of a stage: the image at the root of its `FROM <stage>` chain.
pub fn stage_go(df: &Dockerfile, stage: &Stage) -> ImageGo {
    let Some(root) = df.stage_chain(stage).last() else {
        return ImageGo::Unknown;
    };
    if !root.golang {
        return ImageGo::Unknown;
    }
    match root.image.expanded.as_deref() {
        Some(expanded) => go_of_tag(tag_of(expanded)),
        None => ImageGo::Unknown,
    }
}

/// Whether the container started from `stage` runs the go command: `CMD`/`ENTRYPOINT` whose
/// program is `go` (exec form `["go", …]` or shell form `go …`).
pub fn runs_go_at_start(df: &Dockerfile, stage: &Stage) -> bool {
    let start = df.instructions[stage.from].range.end;
    // Up to the next stage's FROM (CMD/ENTRYPOINT are not instructions of the model).
    let end = df
        .stages
        .get(stage.index + 1)
        .map_or(df.source.len(), |next| {
            df.instructions[next.from].range.start
        });
    // CMD/ENTRYPOINT are not in the model; read their lines. The last of each wins, but a go
    // command in either is enough to say the image runs go.
    df.source[start..end.max(start)].lines().any(|line| {
        let line = line.trim_start();
        let upper = line.get(..10).unwrap_or(line).to_ascii_uppercase();
        let rest = if upper.starts_with("CMD ") {
            &line[4..]
        } else if upper.starts_with("ENTRYPOINT") {
            &line[10..]
        } else {
            return false;
        };
        let rest = rest.trim_start();
        let first = if let Some(json) = rest.strip_prefix('[') {
            json.trim_start()
                .trim_start_matches('"')
                .split('"')
                .next()
                .unwrap_or("")
        } else {
            rest.split_whitespace().next().unwrap_or("")
        };
        first == "go" || first.ends_with("/go")
    })
}

/// Whether a stage (or a stage it is FROM) has Go: a golang image, a go command run in a RUN,
/// or a package install of Go.
pub fn stage_has_go(df: &Dockerfile, stage: &Stage) -> bool {
    df.stage_chain(stage).any(|st| {
        st.golang
            || df.instructions[st.body.clone()].iter().any(|ins| {
                ins.kind == Kind::Run
                    && (ins.run.as_ref().is_some_and(|r| !r.go.is_empty())
                        || installs_go(&df.source[ins.range.clone()]))
            })
    })
}

/// A RUN that installs a Go toolchain: a distribution package (`apk add go`, `apt-get install
/// golang-go`) or Go's release tarball.
fn installs_go(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let installs = words
        .iter()
        .any(|w| matches!(*w, "add" | "install" | "-S" | "-Sy" | "-Syu"));
    let package = words.iter().any(|w| {
        matches!(
            *w,
            "go" | "golang" | "golang-go" | "golang-bin" | "go-toolset" | "golang-src"
        ) || w.starts_with("golang-1.")
    });
    (installs && package) || (text.contains("go.dev/dl/go") || text.contains("golang.org/dl/go"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(go_of_tag(None), ImageGo::Newest);
        assert_eq!(go_of_tag(Some("latest")), ImageGo::Newest);
        assert_eq!(go_of_tag(Some("1")), ImageGo::Newest);
        assert_eq!(go_of_tag(Some("1-alpine")), ImageGo::Newest);
        assert_eq!(go_of_tag(Some("alpine3.20")), ImageGo::Newest);
        assert_eq!(
            go_of_tag(Some("1.22-alpine")),
            ImageGo::Version {
                version: (1, 22, 0),
                has_patch: false
            }
        );
        assert_eq!(
            go_of_tag(Some("1.12.17-stretch")),
            ImageGo::Version {
                version: (1, 12, 17),
                has_patch: true
            }
        );
        assert!(go_of_tag(Some("1")).at_least(1, 16));
        assert!(go_of_tag(Some("1.15")).older_than(1, 16));
        assert!(!ImageGo::Unknown.older_than(1, 16) && !ImageGo::Unknown.at_least(1, 16));
    }

    #[test]
    fn go_at_start_and_installs() {
        let df = Dockerfile::parse(
            "FROM alpine\nRUN apk add --no-cache go git\nCMD [\"go\", \"test\", \"./...\"]\n",
        );
        assert!(runs_go_at_start(&df, &df.stages[0]));
        assert!(stage_has_go(&df, &df.stages[0]));
        let df = Dockerfile::parse("FROM alpine\nRUN apk add git\nCMD /app\n");
        assert!(!runs_go_at_start(&df, &df.stages[0]));
        assert!(!stage_has_go(&df, &df.stages[0]));
    }
}
