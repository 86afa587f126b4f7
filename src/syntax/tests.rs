use super::*;

const MULTI: &str = "# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build
WORKDIR src
ENV CGO_ENABLED=0 GOFLAGS=\"-mod=vendor\"
COPY --chown=1000:1000 go.mod go.sum ./
RUN --mount=target=/go/pkg/mod,type=cache go mod download && \\
    go build -mod=readonly -o /app ./cmd/x
RUN [\"go\", \"build\", \"-o\", \"/app\", \".\"]
FROM build AS test
WORKDIR ../app
RUN go test ./...
FROM scratch
COPY --from=build /app /app
ENTRYPOINT [\"/app\"]
";

#[test]
fn stages_images_and_parents() {
    let df = Dockerfile::parse(MULTI);
    assert_eq!(df.error_count(), 0);
    assert_eq!(df.stages.len(), 3);
    let build = &df.stages[0];
    assert_eq!(build.alias.as_deref(), Some("build"));
    assert_eq!(build.image.name, "golang");
    assert_eq!(build.image.tag.as_deref(), Some("${GO_VERSION}-alpine"));
    assert_eq!(build.image.expanded.as_deref(), Some("golang:1.22-alpine"));
    assert!(build.golang);
    assert_eq!(build.platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(df.stages[1].parent, Some(0));
    assert!(df.stages[1].golang);
    assert_eq!(df.stages[2].parent, None);
    assert_eq!(df.final_stage(None).unwrap().index, 2);
    assert_eq!(df.final_stage(Some("test")).unwrap().index, 1);
    assert_eq!(df.final_stage(Some("0")).unwrap().index, 0);
}

#[test]
fn workdir_env_and_go_commands() {
    let df = Dockerfile::parse(MULTI);
    let run = df
        .instructions
        .iter()
        .find(|i| i.kind == Kind::Run)
        .unwrap();
    assert_eq!(run.state.workdir.as_deref(), Some("/go/src"));
    assert_eq!(
        run.state.env.get("GOFLAGS").map(String::as_str),
        Some("-mod=vendor")
    );
    assert_eq!(run.mounts[0].kind(), "cache");
    assert_eq!(run.mounts[0].target(), Some("/go/pkg/mod"));
    let go = &run.run.as_ref().unwrap().go;
    assert_eq!(go.len(), 2);
    assert_eq!(go[0].sub, "mod download");
    assert_eq!(go[1].sub, "build");
    assert_eq!(go[1].mod_flag().unwrap().0, "readonly");
    let exec = df
        .instructions
        .iter()
        .filter(|i| i.kind == Kind::Run)
        .nth(1)
        .unwrap();
    assert_eq!(exec.run.as_ref().unwrap().form, RunForm::Exec);
    assert_eq!(exec.run.as_ref().unwrap().go[0].sub, "build");
    let test = df
        .instructions
        .iter()
        .filter(|i| i.kind == Kind::Run)
        .nth(2)
        .unwrap();
    assert_eq!(test.state.workdir.as_deref(), Some("/go/app"));
    assert_eq!(test.state.gomodcache().as_deref(), Some("/go/pkg/mod"));
    assert_eq!(
        test.state.gocache().as_deref(),
        Some("/root/.cache/go-build")
    );
}

#[test]
fn copy_sources_and_dest() {
    let df = Dockerfile::parse(MULTI);
    let copies: Vec<_> = df
        .instructions
        .iter()
        .filter_map(|i| i.copy.as_ref())
        .collect();
    let texts: Vec<_> = copies[0].sources.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(texts, ["go.mod", "go.sum"]);
    assert_eq!(copies[0].dest.as_ref().unwrap().text, "./");
    assert_eq!(copies[1].from.as_deref(), Some("build"));
}

/// What the one COPY parser answers: where sources come from, which are literal, whether the
/// destination is a folder, `--parents`.
#[test]
fn copy_from_context_literal_sources_and_folder_dest() {
    let df = Dockerfile::parse(
        "FROM golang:1.22\nCOPY --parents go.mod ${DIR}/x *.go https://e.x/a ./\nCOPY [\"main.go\", \"/app/main.go\"]\nCOPY --from=build /app /app\nCOPY <<EOF /f\nx\nEOF\n",
    );
    let copies: Vec<&Copy> = df
        .instructions
        .iter()
        .filter_map(|i| i.copy.as_ref())
        .collect();
    let literal: Vec<&str> = copies[0]
        .literal_sources()
        .map(|w| w.text.as_str())
        .collect();
    assert_eq!(literal, ["go.mod"]);
    assert!(copies[0].parents && copies[0].dest_is_dir() && copies[0].from_context());
    assert!(!copies[1].parents && !copies[1].dest_is_dir());
    assert_eq!(copies[1].literal_sources().count(), 1);
    assert!(!copies[2].from_context() && copies[2].literal_sources().next().is_none());
    assert!(copies[3].heredoc && !copies[3].from_context());
}

#[test]
fn heredoc_run_and_escape_directive() {
    let src = "# escape=`\r\nFROM golang:1.22\r\nRUN go mod download && `\r\n    go build .\r\nRUN <<EOF\r\nset -e\r\ngo test ./...\r\nEOF\r\n";
    let df = Dockerfile::parse(src);
    assert_eq!(df.escape, '`');
    assert_eq!(df.newline, "\r\n");
    let runs: Vec<_> = df
        .instructions
        .iter()
        .filter_map(|i| i.run.as_ref())
        .collect();
    let subs: Vec<_> = runs[0].go.iter().map(|g| g.sub.as_str()).collect();
    assert_eq!(subs, ["mod download", "build"]);
    assert_eq!(runs[1].form, RunForm::Heredoc);
    assert_eq!(runs[1].go[0].sub, "test");
}

#[test]
fn legacy_env_and_unknown_image() {
    let df = Dockerfile::parse("FROM $BASE\nENV GOPATH /gopath\nWORKDIR app\nRUN go build\n");
    let run = df.instructions.last().unwrap();
    assert!(!df.stages[0].golang);
    assert_eq!(run.state.workdir, None);
    assert_eq!(
        run.state.env.get("GOPATH").map(String::as_str),
        Some("/gopath")
    );
    assert!(df.instructions[1].pairs[0].legacy);
}

#[test]
fn expansion() {
    let lookup = |n: &str| (n == "A").then(|| "x".to_string());
    assert_eq!(
        expand_with("$A/${A}/${B:-d}", &lookup).as_deref(),
        Some("x/x/d")
    );
    assert_eq!(expand_with("$B", &lookup), None);
    assert_eq!(join_path("/go", "../src/./a"), "/src/a");
    assert_eq!(
        image_name("registry:5000/library/golang:1.22@sha256:abc"),
        "registry:5000/library/golang"
    );
}

#[test]
fn hash_inside_a_copy_source_is_part_of_the_path() {
    let df = Dockerfile::parse("FROM golang:1.22\nCOPY a#b/go.mod c#d ./x#y/\n");
    let copy = df.instructions[1].copy.as_ref().unwrap();
    let sources: Vec<&str> = copy.sources.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(sources, ["a#b/go.mod", "c#d"]);
    assert_eq!(copy.dest.as_ref().unwrap().text, "./x#y/");
}

#[test]
fn runs_the_dockerfile_grammar_trips_over_are_read_as_shell() {
    // tree-sitter-containerfile stops at the backtick inside double quotes (a MISSING quote, or
    // an ERROR after the RUN); the RUN is still one instruction and good shell.
    let src = "FROM golang:1.21\nRUN echo \"`date`\" \\\n  && go build .\nRUN go build -ldflags \"-X main.d=`date`\" -o /app .\nCOPY . .\n";
    let df = Dockerfile::parse(src);
    assert!(
        df.error_count() > 0,
        "the grammar still reports the quoting"
    );
    let runs: Vec<&Instruction> = df
        .instructions
        .iter()
        .filter(|i| i.kind == Kind::Run)
        .collect();
    assert_eq!(runs.len(), 2);
    for r in &runs {
        assert!(!r.near_error);
        let go = &r.run.as_ref().unwrap().go;
        assert_eq!(go.len(), 1);
        assert_eq!(go[0].sub, "build");
    }
    assert_eq!(
        &src[runs[1].range.clone()],
        "RUN go build -ldflags \"-X main.d=`date`\" -o /app ."
    );
    let ldflags = runs[1].run.as_ref().unwrap().go[0]
        .flag_value("ldflags")
        .unwrap();
    assert_eq!(ldflags.0, "-X main.d=`date`");
    assert!(!df.instructions.last().unwrap().near_error);
    // A RUN whose shell is broken too stays untouched.
    let bad = Dockerfile::parse("FROM golang:1.21\nRUN echo \"`date`\" && go build $(oops\n");
    assert!(bad.instructions[1].near_error);
}

#[test]
fn cmd_and_entrypoint_go_commands_are_run_time() {
    let src = "FROM golang:1.22 AS dev\nWORKDIR /src\nCOPY . .\nCMD [\"go\", \"run\", \".\"]\n\nFROM dev AS test\nCMD go test ./...\n\nFROM dev AS inherit\n\nFROM scratch\nENTRYPOINT [\"/app\"]\n";
    let df = Dockerfile::parse(src);
    let dev = &df.stages[0].runtime_go;
    assert_eq!(dev.len(), 1);
    assert_eq!(dev[0].sub, "run");
    assert!(dev[0].runtime);
    assert_eq!(
        dev[0]
            .workdir(df.stages[0].end_state.workdir.as_deref())
            .as_deref(),
        Some("/src")
    );
    assert_eq!(df.stages[1].runtime_go[0].sub, "test");
    assert_eq!(df.stages[2].runtime_go[0].sub, "run");
    assert!(df.stages[3].runtime_go.is_empty());
    // Never part of the build: no RUN holds them.
    assert!(!df.runs_go());
}

/// Line/column lookups belong to their text: two texts of the same length at the same address
/// (a reused buffer) get their own answers, and an offset inside a UTF-8 character does not
/// panic.
#[test]
fn line_columns_of_reused_buffers_and_inside_characters() {
    let mut buf = String::from("ab\ncd\nef");
    assert_eq!(line_col(&buf, 4), (2, 2));
    buf.clear();
    buf.push_str("abcd\nefgh");
    assert_eq!(line_col(&buf, 4), (1, 5));
    let text = "é\nx";
    assert_eq!(line_col(text, 1), (1, 1));
    let index = LineIndex::new(text);
    assert_eq!(index.line_col(text, 3), (2, 1));
    assert_eq!(index.line_col(text, 1), (1, 1));
}

/// A stage alias that shadows an image name (`FROM golang:1.22 AS golang` … `FROM golang AS
/// tools`) names the stage, as BuildKit resolves it.
#[test]
fn stage_alias_shadowing_an_image_name_is_the_stage() {
    let df = Dockerfile::parse(
        "FROM golang:1.22 AS golang\nENV GOFLAGS=-mod=mod\nFROM golang AS tools\nRUN go version\n",
    );
    assert_eq!(df.stages[1].parent, Some(0));
    assert!(df.stages[1].golang);
    let state = &df.instructions[3].state;
    assert_eq!(
        state.env.get("GOFLAGS").map(String::as_str),
        Some("-mod=mod")
    );
}
