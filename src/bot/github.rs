//! The GitHub REST calls of `gomodfix pr` (list by head, create, update, comment, close, labels,
//! reviewers), with clear errors for 401/403/404/422 and rate limits.

use std::time::Duration;

use serde_json::{Value, json};

pub struct GitHub {
    agent: ureq::Agent,
    base: String,
    repo: String,
    token: Option<String>,
}

impl GitHub {
    pub fn new(api_url: &str, repo: &str, token: Option<String>) -> Result<GitHub, String> {
        if !repo.contains('/') {
            return Err(format!(
                "GITHUB_REPOSITORY must be owner/name, not `{repo}`"
            ));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Ok(GitHub {
            agent,
            base: api_url.trim_end_matches('/').to_string(),
            repo: repo.to_string(),
            token,
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}/repos/{}{path}", self.base, self.repo);
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        macro_rules! headers {
            ($req:expr) => {{
                let mut r = $req
                    .header("Accept", "application/vnd.github+json")
                    .header("X-GitHub-Api-Version", "2022-11-28")
                    .header("User-Agent", "gomodfix");
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r
            }};
        }
        let result = match (method, body) {
            ("GET", _) => headers!(self.agent.get(&url)).call(),
            ("POST", b) => headers!(self.agent.post(&url))
                .content_type("application/json")
                .send(b.unwrap_or(json!({})).to_string()),
            ("PATCH", b) => headers!(self.agent.patch(&url))
                .content_type("application/json")
                .send(b.unwrap_or(json!({})).to_string()),
            _ => unreachable!("only GET, POST and PATCH are used"),
        };
        let mut resp = result.map_err(|e| format!("GitHub API {method} {path}: {e}"))?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = header("retry-after");
        let remaining = header("x-ratelimit-remaining");
        let reset = header("x-ratelimit-reset");
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let api_message = value["message"].as_str().unwrap_or("").to_string();
        match status {
            200..=299 => Ok(value),
            401 => Err(format!(
                "GitHub API {method} {path}: 401 unauthorized: check GITHUB_TOKEN ({api_message})"
            )),
            403 | 429 if retry_after.is_some() || remaining.as_deref() == Some("0") => {
                Err(match (retry_after, reset) {
                    (Some(s), _) => format!("GitHub API rate limit: retry after {s} seconds"),
                    (None, Some(r)) => {
                        format!("GitHub API rate limit exhausted: it resets at {r} (Unix time)")
                    }
                    _ => "GitHub API rate limit exhausted".to_string(),
                })
            }
            403 => Err(format!(
                "GitHub API {method} {path}: 403 forbidden: the token lacks permission ({api_message})"
            )),
            404 => Err(format!(
                "GitHub API {method} {path}: 404 not found: check GITHUB_REPOSITORY and the token's access ({api_message})"
            )),
            422 => Err(format!(
                "GitHub API {method} {path}: 422 rejected: {api_message} {}",
                value["errors"]
            )),
            _ => Err(format!(
                "GitHub API {method} {path}: HTTP {status} {api_message}"
            )),
        }
    }

    /// The open pull request from `owner:branch`, if any.
    pub fn open_pr(&self, owner: &str, branch: &str) -> Result<Option<u64>, String> {
        let v = self.call(
            "GET",
            &format!("/pulls?state=open&head={owner}:{branch}"),
            None,
        )?;
        Ok(v.as_array()
            .and_then(|a| a.first())
            .and_then(|p| p["number"].as_u64()))
    }

    pub fn create_pr(
        &self,
        title: &str,
        head: &str,
        base: &str,
        body: &str,
    ) -> Result<u64, String> {
        let v = self.call(
            "POST",
            "/pulls",
            Some(json!({"title": title, "head": head, "base": base, "body": body})),
        )?;
        v["number"]
            .as_u64()
            .ok_or_else(|| "GitHub API: no number in the created pull request".into())
    }

    pub fn update_pr(&self, number: u64, title: &str, body: &str) -> Result<(), String> {
        self.call(
            "PATCH",
            &format!("/pulls/{number}"),
            Some(json!({"title": title, "body": body})),
        )
        .map(|_| ())
    }

    pub fn comment(&self, number: u64, text: &str) -> Result<(), String> {
        self.call(
            "POST",
            &format!("/issues/{number}/comments"),
            Some(json!({"body": text})),
        )
        .map(|_| ())
    }

    pub fn close(&self, number: u64) -> Result<(), String> {
        self.call(
            "PATCH",
            &format!("/pulls/{number}"),
            Some(json!({"state": "closed"})),
        )
        .map(|_| ())
    }

    pub fn add_labels(&self, number: u64, labels: &[String]) -> Result<(), String> {
        self.call(
            "POST",
            &format!("/issues/{number}/labels"),
            Some(json!({"labels": labels})),
        )
        .map(|_| ())
    }

    pub fn request_reviewers(&self, number: u64, reviewers: &[String]) -> Result<(), String> {
        self.call(
            "POST",
            &format!("/pulls/{number}/requested_reviewers"),
            Some(json!({"reviewers": reviewers})),
        )
        .map(|_| ())
    }
}
