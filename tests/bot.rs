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
    /// (method, url, credentials header, body): the credentials header is `Authorization` on
    /// GitHub and `PRIVATE-TOKEN` on GitLab.
    requests: Vec<(String, String, String, String)>,
    /// Answer the next create call with this status (422, 409, 401, 403/429 rate limit).
    fail_create: Option<u16>,
}

struct Server {
    url: String,
    state: Arc<Mutex<State>>,
}

type Reply = (u16, Value, Vec<(&'static str, &'static str)>);

/// A forge stand-in on 127.0.0.1: `handle(state, method, path, query, body)` answers each call.
fn serve(handle: fn(&mut State, &str, &str, &str, &Value) -> Reply) -> Server {
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
            let credentials = req
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization") || h.field.equiv("PRIVATE-TOKEN"))
                .map(|h| h.value.to_string())
                .unwrap_or_default();
            let mut s = st.lock().unwrap();
            s.requests
                .push((method.clone(), url.clone(), credentials, body.clone()));
            let input: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let (path, query) = url.split_once('?').unwrap_or((&url, ""));
            let (status, reply, headers) = handle(&mut s, &method, path, query, &input);
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

fn query_value<'a>(query: &'a str, key: &str) -> &'a str {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or("")
}

/// The GitHub endpoints `gomodfix pr` uses, for repository acme/app.
fn server() -> Server {
    serve(|s, method, path, query, input| {
        let path = path.trim_start_matches("/repos/acme/app");
        match (method, path) {
            ("GET", "/pulls") => {
                let head = query_value(query, "head");
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
        }
    })
}

/// The GitLab v4 endpoints `gomodfix pr` uses, for project acme/app (addressed as acme%2Fapp);
/// the MR objects reuse the pull request fields (head, base, body) for the tests' asserts.
fn gitlab_server() -> Server {
    serve(|s, method, path, query, input| {
        if (method, path) == ("GET", "/api/v4/users") {
            return match query_value(query, "username") {
                "octocat" => (200, json!([{"id": 7, "username": "octocat"}]), vec![]),
                _ => (200, json!([]), vec![]),
            };
        }
        let Some(path) = path.strip_prefix("/api/v4/projects/acme%2Fapp") else {
            return (404, json!({"message": "404 Project Not Found"}), vec![]);
        };
        match (method, path) {
            ("GET", "/merge_requests") => {
                assert_eq!(query_value(query, "state"), "opened");
                let branch = query_value(query, "source_branch").replace("%2F", "/");
                let open: Vec<Value> = s
                    .prs
                    .iter()
                    .filter(|m| m["state"] == "opened" && m["head"] == branch.as_str())
                    .cloned()
                    .collect();
                (200, Value::Array(open), vec![])
            }
            ("POST", "/merge_requests") => match s.fail_create.take() {
                Some(409) => (
                    409,
                    json!({"message": ["Another open merge request already exists for this source branch: !1"]}),
                    vec![],
                ),
                Some(401) => (401, json!({"message": "401 Unauthorized"}), vec![]),
                Some(429) => (
                    429,
                    json!({"message": "Retry later"}),
                    vec![("Retry-After", "60"), ("RateLimit-Remaining", "0")],
                ),
                _ => {
                    let iid = s.prs.len() as u64 + 1;
                    let mr = json!({"iid": iid, "state": "opened", "head": input["source_branch"], "base": input["target_branch"], "title": input["title"], "body": input["description"], "labels": [], "comments": [], "reviewers": []});
                    s.prs.push(mr.clone());
                    (201, mr, vec![])
                }
            },
            ("PUT", p) if p.starts_with("/merge_requests/") => {
                let n: usize = p["/merge_requests/".len()..].parse().unwrap();
                let mr = &mut s.prs[n - 1];
                if !input["title"].is_null() {
                    mr["title"] = input["title"].clone();
                }
                if !input["description"].is_null() {
                    mr["body"] = input["description"].clone();
                }
                if input["state_event"] == "close" {
                    mr["state"] = json!("closed");
                }
                if let Some(labels) = input["add_labels"].as_str() {
                    mr["labels"] = json!(labels.split(',').collect::<Vec<_>>());
                }
                if !input["reviewer_ids"].is_null() {
                    mr["reviewers"] = input["reviewer_ids"].clone();
                }
                (200, mr.clone(), vec![])
            }
            ("POST", p) if p.ends_with("/notes") => {
                let n: usize = p.split('/').nth(2).unwrap().parse().unwrap();
                s.prs[n - 1]["comments"]
                    .as_array_mut()
                    .unwrap()
                    .push(input["body"].clone());
                (201, json!({}), vec![])
            }
            _ => (404, json!({"message": "404 Not Found"}), vec![]),
        }
    })
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
    pr_with_env(
        dir,
        args,
        &[
            ("GITHUB_TOKEN", TOKEN),
            ("GITHUB_REPOSITORY", "acme/app"),
            ("GITHUB_API_URL", &server.url),
        ],
    )
}

/// `gomodfix pr` as GitLab CI runs it (forge detected from GITLAB_CI).
fn mr(dir: &Path, server: &Server, args: &[&str]) -> (i32, String, String) {
    let api = format!("{}/api/v4", server.url);
    pr_with_env(
        dir,
        args,
        &[
            ("GITLAB_CI", "true"),
            ("GITLAB_TOKEN", TOKEN),
            ("CI_PROJECT_PATH", "acme/app"),
            ("CI_API_V4_URL", &api),
        ],
    )
}

fn pr_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gomodfix"));
    cmd.arg("pr").args(args).current_dir(dir);
    for var in [
        "GITHUB_TOKEN",
        "GITHUB_REPOSITORY",
        "GITHUB_API_URL",
        "GITLAB_CI",
        "GITLAB_TOKEN",
        "CI_PROJECT_PATH",
        "CI_PROJECT_ID",
        "CI_API_V4_URL",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd.envs(env.iter().copied()).output().unwrap();
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
        log.starts_with("Fix Go builds in Dockerfiles (GM001, GM003, GM017)"),
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

    update_then_close(&work, &remote, &s, pr, "pull request #1");
}

/// A `gomodfix pr` run against a stand-in: (exit code, stdout, stderr).
type BotRun = fn(&Path, &Server, &[&str]) -> (i32, String, String);

/// The second and third runs of a bot's life: more to fix updates the one open request (not a
/// second one); with everything fixed, `--close-when-clean` comments on it and closes it.
fn update_then_close(work: &Path, remote: &Path, s: &Server, run: BotRun, request: &str) {
    fs::write(
        work.join("api.Dockerfile"),
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /api .\n",
    )
    .unwrap();
    git(work, &["add", "-A"]);
    git(work, &["commit", "-q", "-m", "api"]);
    let (code, out, err) = run(work, s, &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains(&format!("updated {request}")), "{out}");
    assert_eq!(s.state.lock().unwrap().prs.len(), 1);
    assert!(
        git(remote, &["show", "--stat", "--format=", "gomodfix/fix"]).contains("api.Dockerfile")
    );

    git(work, &["checkout", "-q", "gomodfix/fix", "--", "."]);
    git(work, &["commit", "-q", "-am", "merge fixes"]);
    let (code, out, err) = run(work, s, &["--close-when-clean"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains(&format!("closed {request}")), "{out}");
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

#[test]
fn gitlab_merge_request_is_opened_updated_and_closed() {
    let (_tmp, work, remote) = repo();
    let s = gitlab_server();
    let (code, out, err) = mr(
        &work,
        &s,
        &[
            "--label",
            "gomodfix",
            "--label",
            "docker",
            "--reviewer",
            "octocat",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("opened merge request !1 from gomodfix/fix"),
        "{out}"
    );
    let log = git(&remote, &["log", "-1", "--format=%s", "gomodfix/fix"]);
    assert!(log.starts_with("Fix Go builds in Dockerfiles"), "{log}");
    assert_eq!(git(&work, &["rev-parse", "--abbrev-ref", "HEAD"]), "main");
    assert_eq!(fs::read_to_string(work.join("Dockerfile")).unwrap(), BROKEN);
    {
        let st = s.state.lock().unwrap();
        assert_eq!(st.prs.len(), 1);
        let m = &st.prs[0];
        assert_eq!(
            (m["head"].as_str(), m["base"].as_str()),
            (Some("gomodfix/fix"), Some("main"))
        );
        assert_eq!(m["labels"], json!(["gomodfix", "docker"]));
        assert_eq!(m["reviewers"], json!([7]));
        assert!(
            m["body"]
                .as_str()
                .unwrap()
                .contains("| `Dockerfile` | [GM001]")
        );
        // Every call authenticates with the token in GitLab's header, none with a GitHub one.
        assert!(
            st.requests.iter().all(|(_, _, cred, _)| cred == TOKEN),
            "{:?}",
            st.requests
        );
    }
    assert_no_token(&work, &[&out, &err]);

    update_then_close(&work, &remote, &s, mr, "merge request !1");
}

#[test]
fn gitlab_errors_are_clear_and_leave_nothing_behind() {
    for (status, expect) in [
        (
            409,
            "409 conflict: Another open merge request already exists",
        ),
        (401, "401 unauthorized: check GITLAB_TOKEN"),
        (429, "GitLab API rate limit: retry after 60 seconds"),
    ] {
        let (_tmp, work, _remote) = repo();
        let s = gitlab_server();
        s.state.lock().unwrap().fail_create = Some(status);
        let (code, out, err) = mr(&work, &s, &[]);
        assert_eq!(code, 2, "{status}: {out}\n{err}");
        assert!(err.contains(expect), "{status}: {err}");
        assert_eq!(git(&work, &["rev-parse", "--abbrev-ref", "HEAD"]), "main");
        assert_eq!(git(&work, &["status", "--porcelain"]), "");
        assert_no_token(&work, &[&out, &err]);
    }
    // An unknown reviewer is named; a project the token cannot see is a 404 naming the variable.
    let (_tmp, work, remote) = repo();
    let s = gitlab_server();
    let (code, _, err) = mr(&work, &s, &["--reviewer", "nobody"]);
    assert_eq!(code, 2);
    assert!(err.contains("no user named `nobody`"), "{err}");
    // Found out before anything was pushed or opened.
    assert!(s.state.lock().unwrap().prs.is_empty());
    assert!(git(&remote, &["branch", "--list", "gomodfix/fix"]).is_empty());
    // The forge named in the config, not detected: no GITLAB_CI here.
    fs::write(work.join(".gomodfix.yaml"), "pr:\n  forge: gitlab\n").unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "config"]);
    let (code, _, err) = pr_with_env(
        &work,
        &[],
        &[
            ("GITLAB_TOKEN", TOKEN),
            ("CI_PROJECT_PATH", "acme/other"),
            ("CI_API_V4_URL", &format!("{}/api/v4", s.url)),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("404 not found: check CI_PROJECT_PATH"),
        "{err}"
    );
}
