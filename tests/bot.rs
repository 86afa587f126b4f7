//! `gomodfix pr` against a real git repository with a real bare remote, and a GitHub stand-in on
//! 127.0.0.1 that implements the endpoints the bot uses.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tempfile::TempDir;

const TOKEN: &str = "ghp_s3cretTokenValue1234567890";
const BROKEN: &str = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n\nFROM scratch\nCOPY --from=build /app /app\n";

#[derive(Default)]
struct State {
    prs: Vec<Value>,
    requests: Vec<(String, String, String, String)>,
    /// Answer the next POST /pulls with this status (422, 401, 403-rate-limit).
    fail_create: Option<u16>,
}

struct Server {
    url: String,
    state: Arc<Mutex<State>>,
}

fn server() -> Server {
    let http = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", http.server_addr().to_ip().unwrap());
    let state = Arc::new(Mutex::new(State::default()));
    let st = state.clone();
    std::thread::spawn(move || {
        for mut req in http.incoming_requests() {
            let mut body = String::new();
            let _ = req.as_reader().read_to_string(&mut body);
            let method = req.method().to_string();
            let url = req.url().to_string();
            let auth = req
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.to_string())
                .unwrap_or_default();
            let mut s = st.lock().unwrap();
            s.requests
                .push((method.clone(), url.clone(), auth, body.clone()));
            let input: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let path = url
                .split('?')
                .next()
                .unwrap()
                .trim_start_matches("/repos/acme/app")
                .to_string();
            let (status, reply, headers): (u16, Value, Vec<(&str, &str)>) = match (
                method.as_str(),
                path.as_str(),
            ) {
                ("GET", "/pulls") => {
                    let head = url
                        .split("head=")
                        .nth(1)
                        .unwrap_or("")
                        .split('&')
                        .next()
                        .unwrap_or("")
                        .to_string();
                    let open: Vec<Value> = s
                        .prs
                        .iter()
                        .filter(|p| {
                            p["state"] == "open"
                                && format!("acme:{}", p["head"].as_str().unwrap()) == head
                        })
                        .cloned()
                        .collect();
                    (200, Value::Array(open), vec![])
                }
                ("POST", "/pulls") => match s.fail_create.take() {
                    Some(422) => (
                        422,
                        json!({"message": "Validation Failed", "errors": [{"message": "No commits between main and gomodfix/fix"}]}),
                        vec![],
                    ),
                    Some(401) => (401, json!({"message": "Bad credentials"}), vec![]),
                    Some(403) => (
                        403,
                        json!({"message": "API rate limit exceeded"}),
                        vec![
                            ("x-ratelimit-remaining", "0"),
                            ("x-ratelimit-reset", "1700000000"),
                        ],
                    ),
                    _ => {
                        let n = s.prs.len() as u64 + 1;
                        let pr = json!({"number": n, "state": "open", "head": input["head"], "base": input["base"], "title": input["title"], "body": input["body"], "labels": [], "comments": [], "reviewers": []});
                        s.prs.push(pr.clone());
                        (201, pr, vec![])
                    }
                },
                ("PATCH", p) if p.starts_with("/pulls/") => {
                    let n: usize = p["/pulls/".len()..].parse().unwrap();
                    let pr = &mut s.prs[n - 1];
                    for k in ["title", "body", "state"] {
                        if !input[k].is_null() {
                            pr[k] = input[k].clone();
                        }
                    }
                    (200, pr.clone(), vec![])
                }
                ("POST", p)
                    if p.ends_with("/comments")
                        || p.ends_with("/labels")
                        || p.ends_with("/requested_reviewers") =>
                {
                    let n: usize = p.split('/').nth(2).unwrap().parse().unwrap();
                    let pr = &mut s.prs[n - 1];
                    if p.ends_with("/comments") {
                        pr["comments"]
                            .as_array_mut()
                            .unwrap()
                            .push(input["body"].clone());
                    } else if p.ends_with("/labels") {
                        pr["labels"] = input["labels"].clone();
                    } else {
                        pr["reviewers"] = input["reviewers"].clone();
                    }
                    (200, json!({}), vec![])
                }
                _ => (404, json!({"message": "Not Found"}), vec![]),
            };
            let mut resp =
                tiny_http::Response::from_string(reply.to_string()).with_status_code(status);
            for (k, v) in headers {
                resp.add_header(tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap());
            }
            let _ = req.respond(resp);
        }
    });
    Server { url, state }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A checkout on `main` with a broken Dockerfile, and a bare remote as origin.
fn repo() -> (TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = TempDir::new().unwrap();
    let remote = tmp.path().join("remote.git");
    let work = tmp.path().join("work");
    git(
        tmp.path(),
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            remote.to_str().unwrap(),
        ],
    );
    git(
        tmp.path(),
        &["init", "-q", "-b", "main", work.to_str().unwrap()],
    );
    for (k, v) in [("user.name", "Dev"), ("user.email", "dev@example.com")] {
        git(&work, &["config", k, v]);
    }
    fs::write(
        work.join("go.mod"),
        "module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
    )
    .unwrap();
    fs::write(work.join("go.sum"), "x\n").unwrap();
    fs::write(work.join("Dockerfile"), BROKEN).unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "init"]);
    git(
        &work,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
    git(&work, &["push", "-q", "origin", "main"]);
    (tmp, work, remote)
}

fn pr(dir: &Path, server: &Server, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gomodfix"))
        .arg("pr")
        .args(args)
        .current_dir(dir)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_API_URL", &server.url)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_no_token(work: &Path, texts: &[&str]) {
    for t in texts {
        assert!(!t.contains(TOKEN), "token leaked: {t}");
    }
    let config = fs::read_to_string(work.join(".git/config")).unwrap();
    assert!(
        !config.contains(TOKEN) && !config.to_lowercase().contains("extraheader"),
        "{config}"
    );
}

#[test]
fn opens_then_updates_then_closes_one_pull_request() {
    let (_tmp, work, remote) = repo();
    let s = server();
    // Labels and sign-off from the repository's config; the reviewer from the command line.
    fs::write(
        work.join(".gomodfix.yaml"),
        "pr:\n  labels: [gomodfix]\n  signoff: true\n",
    )
    .unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "config"]);
    let (code, out, err) = pr(&work, &s, &["--reviewer", "octocat"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("opened pull request #1 from gomodfix/fix"),
        "{out}"
    );
    // The branch is on the remote with the fix commit; the user is back on main, clean.
    let log = git(&remote, &["log", "-1", "--format=%B", "gomodfix/fix"]);
    assert!(
        log.starts_with("Fix Go builds in Dockerfiles (GM001, GM002, GM003, GM004, GM017)"),
        "{log}"
    );
    assert!(
        log.contains("- GM003 go-cache-mounts (2 fixes)")
            && log.contains("Signed-off-by: Dev <dev@example.com>"),
        "{log}"
    );
    assert_eq!(git(&work, &["rev-parse", "--abbrev-ref", "HEAD"]), "main");
    assert_eq!(git(&work, &["status", "--porcelain"]), "");
    assert_eq!(fs::read_to_string(work.join("Dockerfile")).unwrap(), BROKEN);
    {
        let st = s.state.lock().unwrap();
        assert_eq!(st.prs.len(), 1);
        let p = &st.prs[0];
        assert_eq!(p["head"], "gomodfix/fix");
        assert_eq!(p["base"], "main");
        assert_eq!(p["labels"], json!(["gomodfix"]));
        assert_eq!(p["reviewers"], json!(["octocat"]));
        let body = p["body"].as_str().unwrap();
        assert!(
            body.contains("| `Dockerfile` | [GM001]")
                && body.contains("<details><summary>Diff</summary>"),
            "{body}"
        );
        assert!(
            st.requests
                .iter()
                .all(|(_, _, auth, _)| auth == &format!("Bearer {TOKEN}"))
        );
    }
    assert_no_token(&work, &[&out, &err]);

    // More to fix: the same pull request is updated, not a second one opened.
    fs::write(
        work.join("api.Dockerfile"),
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /api .\n",
    )
    .unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "api"]);
    let (code, out, err) = pr(&work, &s, &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("updated pull request #1"), "{out}");
    assert_eq!(s.state.lock().unwrap().prs.len(), 1);
    assert!(
        git(&remote, &["show", "--stat", "--format=", "gomodfix/fix"]).contains("api.Dockerfile")
    );

    // Everything fixed on main: with --close-when-clean the pull request is commented and closed.
    git(&work, &["checkout", "-q", "gomodfix/fix", "--", "."]);
    git(&work, &["commit", "-q", "-am", "merge fixes"]);
    let (code, out, err) = pr(&work, &s, &["--close-when-clean"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("closed pull request #1"), "{out}");
    let st = s.state.lock().unwrap();
    assert_eq!(st.prs[0]["state"], "closed");
    assert_eq!(st.prs[0]["comments"].as_array().unwrap().len(), 1);
}

#[test]
fn api_errors_are_clear_and_leave_nothing_behind() {
    for (status, expect) in [
        (422, "422 rejected: Validation Failed"),
        (401, "401 unauthorized"),
        (403, "rate limit exhausted: it resets at 1700000000"),
    ] {
        let (_tmp, work, _remote) = repo();
        let s = server();
        s.state.lock().unwrap().fail_create = Some(status);
        let (code, out, err) = pr(&work, &s, &[]);
        assert_eq!(code, 2, "{status}: {out}\n{err}");
        assert!(err.contains(expect), "{status}: {err}");
        assert_eq!(git(&work, &["rev-parse", "--abbrev-ref", "HEAD"]), "main");
        assert_eq!(git(&work, &["status", "--porcelain"]), "");
        assert_eq!(fs::read_to_string(work.join("Dockerfile")).unwrap(), BROKEN);
        assert_no_token(&work, &[&out, &err]);
    }
}

#[test]
fn a_dirty_tree_is_refused_and_dry_run_touches_nothing() {
    let (_tmp, work, remote) = repo();
    let s = server();
    fs::write(work.join("notes.txt"), "wip\n").unwrap();
    let (code, _, err) = pr(&work, &s, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("uncommitted changes"), "{err}");
    fs::remove_file(work.join("notes.txt")).unwrap();
    let (code, out, _) = pr(&work, &s, &["--dry-run"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("branch: gomodfix/fix\n"), "{out}");
    assert!(
        s.state.lock().unwrap().requests.is_empty(),
        "dry run calls no API"
    );
    assert!(
        Command::new("git")
            .args(["rev-parse", "--verify", "-q", "gomodfix/fix"])
            .current_dir(&remote)
            .output()
            .unwrap()
            .stdout
            .is_empty()
    );
}

#[test]
fn dry_run_body_for_a_multi_rule_fixture() {
    let tmp = TempDir::new().unwrap();
    let work = tmp.path().join("w");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats");
    let status = Command::new("cp")
        .arg("-r")
        .arg(&fixture)
        .arg(&work)
        .status()
        .unwrap();
    assert!(status.success());
    git(&work, &["init", "-q", "-b", "main"]);
    let s = server();
    let (code, out, err) = pr(&work, &s, &["--dry-run"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("bot_dry_run_formats_fixture", out);
}
