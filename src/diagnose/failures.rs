//! Recognising the Go (and BuildKit/runtime) failures gomodfix knows, from one line of output.
//! The patterns are the messages the go command, git, BuildKit, buildah and the container
//! runtime print, verbatim.

use serde::Serialize;

/// A failure gomodfix can name. Declared from the most specific to the least: when several lines
/// of one failing step match, the first kind in this order is the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// `'go get' is no longer supported outside a module`, `installing executables with 'go get'
    /// in module mode is deprecated`.
    GoGetInstall,
    /// `go: go.mod requires go >= 1.23 (running go 1.22.10; GOTOOLCHAIN=local)`, `toolchain not
    /// available`.
    GoVersion,
    /// `go: go.work requires go >= …`.
    GoWorkVersion,
    /// `go: cannot load module tools listed in go.work file: open tools/go.mod: …`.
    WorkspaceMember,
    /// `go: example.com/lib@v0.0.0 (replaced by ./lib): reading lib/go.mod: open …: no such file`.
    ReplaceTarget,
    /// `inconsistent vendoring`.
    InconsistentVendoring,
    /// `missing go.sum entry`.
    MissingGoSum,
    /// `go.mod file not found in current directory or any parent directory`.
    GoModNotFound,
    /// `"/go.sum": not found` and other COPY/ADD sources missing from the context.
    CopySourceNotFound,
    /// `cannot find module providing package`, `no required module provides package`.
    PackageNotProvided,
    /// GOPATH mode: `cannot find package "…" in any of`.
    GopathPackage,
    /// `terminal prompts disabled`, `could not read Username`, `Host key verification failed`.
    PrivateModule,
    /// `GOPROXY list is not the empty string, but contains no entries`.
    GoproxyEmpty,
    /// `package fmt is not in std`, `cannot find GOROOT directory`.
    Goroot,
    /// `go-sqlite3 requires cgo to work`.
    CgoRequired,
    /// `exec format error`.
    ExecFormat,
    /// `exec /app: no such file or directory` (a dynamically linked binary without its loader).
    ExecNotFound,
    /// `ignoring go.mod in $GOPATH`, `$GOPATH/go.mod exists but should not`.
    GopathGoMod,
}

impl FailureKind {
    /// What the failure means, in a few words.
    pub fn title(self) -> &'static str {
        match self {
            FailureKind::GoGetInstall => "`go get` used to install a tool (no longer supported)",
            FailureKind::GoVersion => "the image's Go is older than go.mod requires",
            FailureKind::GoWorkVersion => "the image's Go is older than go.work requires",
            FailureKind::WorkspaceMember => "a go.work member module is missing in the image",
            FailureKind::ReplaceTarget => "a local `replace` target is missing in the image",
            FailureKind::InconsistentVendoring => {
                "vendor/ does not match go.mod (inconsistent vendoring)"
            }
            FailureKind::MissingGoSum => "go.sum does not reach the build (missing go.sum entry)",
            FailureKind::GoModNotFound => "no go.mod where the go command runs",
            FailureKind::CopySourceNotFound => "a COPY source is not in the build context",
            FailureKind::PackageNotProvided => "no module provides an imported package",
            FailureKind::GopathPackage => "the go command runs in GOPATH mode (modules off)",
            FailureKind::PrivateModule => "a private module is fetched without credentials",
            FailureKind::GoproxyEmpty => "GOPROXY is set but empty",
            FailureKind::Goroot => "GOROOT points to the wrong place",
            FailureKind::CgoRequired => "a module needs cgo but the build disabled it",
            FailureKind::ExecFormat => "the binary was built for another CPU architecture",
            FailureKind::ExecNotFound => {
                "the binary cannot start (a cgo-linked binary in an image without its C library)"
            }
            FailureKind::GopathGoMod => "the module sits at the GOPATH root",
        }
    }

    /// The rules whose findings explain this failure, the root cause first: a file the context
    /// hides (GM014) or a Dockerfile built from another context (GM028) before what follows from
    /// it (a COPY that misses go.sum, `-mod=vendor` without vendor/).
    pub fn rules(self) -> &'static [&'static str] {
        match self {
            FailureKind::GoGetInstall => &["GM020"],
            FailureKind::GoVersion => &["GM016"],
            FailureKind::GoWorkVersion => &["GM016", "GM015"],
            FailureKind::WorkspaceMember => &["GM015"],
            FailureKind::ReplaceTarget => &["GM014", "GM025"],
            FailureKind::InconsistentVendoring => &["GM014", "GM005"],
            // Last, GM016: a Go before 1.17 on a go ≥ 1.17 module needs go.sum lines the pruned
            // go.sum no longer has.
            FailureKind::MissingGoSum => &["GM014", "GM028", "GM010", "GM013", "GM016"],
            FailureKind::GoModNotFound => &["GM014", "GM028", "GM010", "GM012"],
            FailureKind::CopySourceNotFound => &["GM014", "GM028", "GM013"],
            FailureKind::PackageNotProvided => &[
                "GM014", "GM028", "GM010", "GM012", "GM025", "GM015", "GM002",
            ],
            FailureKind::GopathPackage => &["GM002", "GM010"],
            FailureKind::PrivateModule => &["GM024"],
            FailureKind::GoproxyEmpty => &["GM023", "GM024"],
            FailureKind::Goroot => &["GM022"],
            FailureKind::CgoRequired => &["GM027"],
            FailureKind::ExecFormat => &["GM026"],
            FailureKind::ExecNotFound => &["GM017"],
            FailureKind::GopathGoMod => &["GM011", "GM002"],
        }
    }
}

/// A line of the log that names a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    pub kind: FailureKind,
    /// The line as printed (without the `#N 0.123 ` step prefix).
    pub message: String,
    /// What the line names: the missing COPY source, the Go version required.
    pub detail: Option<String>,
}

/// Recognise one line of output (without step prefixes).
pub fn recognise(line: &str) -> Option<Recognised> {
    let kind = kind_of(line)?;
    Some(Recognised {
        kind,
        message: line.trim().to_string(),
        detail: detail(kind, line),
    })
}

fn kind_of(l: &str) -> Option<FailureKind> {
    use FailureKind::*;
    let has = |s: &str| l.contains(s);
    if has("'go get' is no longer supported outside a module")
        || has("installing executables with 'go get' in module mode is deprecated")
        || has("'go get' is no longer supported")
    {
        return Some(GoGetInstall);
    }
    if has("go.work requires go >= ") {
        return Some(GoWorkVersion);
    }
    if has("go.mod requires go >= ")
        || has("requires go >= ") && has("GOTOOLCHAIN=")
        || has(": toolchain not available")
    {
        return Some(GoVersion);
    }
    if has("listed in go.work file") {
        return Some(WorkspaceMember);
    }
    if has("(replaced by ") && (has("go.mod: no such file") || has("no such file or directory"))
        || has("replacement directory ") && has("does not exist")
        // Go 1.11/1.12: `go: parsing ../lib/go.mod: open /lib/go.mod: no such file or directory`.
        || has("go: parsing ") && has("go.mod: open ") && has("no such file or directory")
    {
        return Some(ReplaceTarget);
    }
    if has("inconsistent vendoring") {
        return Some(InconsistentVendoring);
    }
    if has("missing go.sum entry") {
        return Some(MissingGoSum);
    }
    if has("go.mod file not found in current directory or any parent directory")
        || has("go: cannot find main module")
    {
        return Some(GoModNotFound);
    }
    if copy_source(l).is_some()
        || has("COPY failed: file not found in build context")
        || has("COPY failed: stat ") && has("no such file or directory")
    {
        return Some(CopySourceNotFound);
    }
    if has("cannot find module providing package") || has("no required module provides package") {
        return Some(PackageNotProvided);
    }
    if has("cannot find package \"") && (has(" in any of") || has("($GOROOT)")) {
        return Some(GopathPackage);
    }
    if has("terminal prompts disabled")
        || has("could not read Username")
        || has("could not read Password")
        || has("Host key verification failed")
        || has("Permission denied (publickey)")
        || has("sum.golang.org/lookup/") && (has("404 Not Found") || has("410 Gone"))
    {
        return Some(PrivateModule);
    }
    if has("GOPROXY list is not the empty string, but contains no entries") {
        return Some(GoproxyEmpty);
    }
    if has(" is not in std (") || has("is not in GOROOT (") || has("cannot find GOROOT directory") {
        return Some(Goroot);
    }
    if has("requires cgo to work") {
        return Some(CgoRequired);
    }
    if has("exec format error") {
        return Some(ExecFormat);
    }
    if exec_not_found(l) {
        return Some(ExecNotFound);
    }
    if has("ignoring go.mod in $GOPATH") || has("$GOPATH/go.mod exists but should not") {
        return Some(GopathGoMod);
    }
    None
}

/// `exec /app: no such file or directory` (runc, docker run), `exec user process caused: no such
/// file or directory` (older runc), not `exec: "gcc": executable file not found`.
fn exec_not_found(l: &str) -> bool {
    if l.contains("exec user process caused") && l.contains("no such file or directory") {
        return true;
    }
    let Some(i) = l.find("exec /") else {
        return false;
    };
    let rest = &l[i + 5..];
    rest.split_once(": ").is_some_and(|(path, why)| {
        !path.contains(' ') && why.starts_with("no such file or directory")
    })
}

/// The source of a failed COPY: `"/go.sum": not found` (BuildKit ≥ 0.11), `"/go.sum" not found:
/// not found` (BuildKit in dockerd 20.10), `copier: stat: "/go.sum": no such file or directory`
/// (buildah, podman).
pub fn copy_source(l: &str) -> Option<String> {
    for pat in [
        "\": not found",
        "\" not found: not found",
        "\": no such file or directory",
    ] {
        if let Some(end) = l.find(pat) {
            let start = l[..end].rfind('"')? + 1;
            let path = &l[start..end];
            if !path.starts_with('/') {
                continue;
            }
            if pat.contains("no such file") && !l[..start].contains("copier: stat: ") {
                continue;
            }
            return Some(path.to_string());
        }
    }
    None
}

fn detail(kind: FailureKind, l: &str) -> Option<String> {
    match kind {
        FailureKind::CopySourceNotFound => copy_source(l).or_else(|| {
            // The classic builder: `… excluded by .dockerignore: stat go.sum: file does not exist`.
            let i = l.find(": stat ")? + ": stat ".len();
            let (path, _) = l[i..].split_once(": ")?;
            Some(format!("/{}", path.trim_start_matches('/')))
        }),
        FailureKind::GoVersion | FailureKind::GoWorkVersion => {
            let i = l.find("requires go >= ")? + "requires go >= ".len();
            let v: String = l[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect();
            Some(format!("go >= {v}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FailureKind::*;

    fn kind(l: &str) -> Option<FailureKind> {
        recognise(l).map(|r| r.kind)
    }

    #[test]
    fn real_go_messages() {
        // Verbatim from real builds (go 1.22.10 / 1.23, BuildKit, buildah).
        let cases = [
            (
                "go: go.mod file not found in current directory or any parent directory; see 'go help modules'",
                GoModNotFound,
            ),
            (
                "main.go:3:8: missing go.sum entry for module providing package example.com/greet (imported by example.com/app); to add:",
                MissingGoSum,
            ),
            (
                "go: go.mod requires go >= 1.23 (running go 1.22.10; GOTOOLCHAIN=local)",
                GoVersion,
            ),
            (
                "go: downloading go1.23.0 (linux/amd64)\ngo: download go1.23.0 for linux/amd64: toolchain not available",
                GoVersion,
            ),
            (
                "go: go.work requires go >= 1.23 (running go 1.22.10; GOTOOLCHAIN=local)",
                GoWorkVersion,
            ),
            (
                "go: cannot load module tools listed in go.work file: open tools/go.mod: no such file or directory",
                WorkspaceMember,
            ),
            (
                "go: example.com/lib@v0.0.0 (replaced by ./lib): reading lib/go.mod: open /src/lib/go.mod: no such file or directory",
                ReplaceTarget,
            ),
            (
                "go: parsing ../lib/go.mod: open /lib/go.mod: no such file or directory",
                ReplaceTarget,
            ),
            ("go: inconsistent vendoring in /src:", InconsistentVendoring),
            ("go: warning: ignoring go.mod in $GOPATH /go", GopathGoMod),
            ("$GOPATH/go.mod exists but should not", GopathGoMod),
            (
                "main.go:4:2: no required module provides package github.com/google/uuid; to add it:",
                PackageNotProvided,
            ),
            (
                "cannot find module providing package github.com/google/uuid: import lookup disabled by -mod=vendor",
                PackageNotProvided,
            ),
            (
                "main.go:3:8: cannot find package \"example.com/greet\" in any of:",
                GopathPackage,
            ),
            (
                "ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref 0f3b: \"/go.sum\": not found",
                CopySourceNotFound,
            ),
            (
                "#7 ERROR: \"/go.sum\" not found: not found",
                CopySourceNotFound,
            ),
            (
                "Error: building at STEP \"COPY go.mod go.sum ./\": checking on sources under \"/ctx\": copier: stat: \"/go.sum\": no such file or directory",
                CopySourceNotFound,
            ),
            (
                "COPY failed: file not found in build context or excluded by .dockerignore: stat go.sum: file does not exist",
                CopySourceNotFound,
            ),
            ("exec /app: no such file or directory", ExecNotFound),
            ("exec /usr/local/bin/app: exec format error", ExecFormat),
            (
                "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
                PrivateModule,
            ),
            ("Host key verification failed.", PrivateModule),
            (
                "go: GOPROXY list is not the empty string, but contains no entries",
                GoproxyEmpty,
            ),
            (
                "go: go.mod file not found in current directory or any parent directory.",
                GoModNotFound,
            ),
            (
                "\t'go get' is no longer supported outside a module.",
                GoGetInstall,
            ),
            (
                "go get: installing executables with 'go get' in module mode is deprecated.",
                GoGetInstall,
            ),
            (
                "main.go:3:8: package fmt is not in std (/usr/lib/go/src/fmt)",
                Goroot,
            ),
        ];
        for (line, want) in cases {
            assert_eq!(kind(line), Some(want), "{line}");
        }
    }

    #[test]
    fn not_failures() {
        for l in [
            "go: downloading example.com/greet v1.0.0",
            "cgo: C compiler \"gcc\" not found: exec: \"gcc\": executable file not found in $PATH",
            "#5 [internal] load .dockerignore",
            "ERROR: failed to solve: process \"/bin/sh -c go build -o /app .\" did not complete successfully: exit code: 1",
        ] {
            assert_eq!(kind(l), None, "{l}");
        }
    }

    #[test]
    fn details() {
        let r =
            recognise("failed to compute cache key: \"/vendor/modules.txt\": not found").unwrap();
        assert_eq!(r.detail.as_deref(), Some("/vendor/modules.txt"));
        let r = recognise("COPY failed: file not found in build context or excluded by .dockerignore: stat go.sum: file does not exist").unwrap();
        assert_eq!(r.detail.as_deref(), Some("/go.sum"));
        let r =
            recognise("go: go.mod requires go >= 1.23.4 (running go 1.22.10; GOTOOLCHAIN=local)")
                .unwrap();
        assert_eq!(r.detail.as_deref(), Some("go >= 1.23.4"));
    }
}
