//! The HTTP side shared by the forges: one JSON call, and clear errors for 401/403/404/409/422
//! and rate limits, in the words of the forge's own environment variables.

use std::time::Duration;

use serde_json::{Value, json};

/// A forge's REST API: where it is, how requests authenticate, what its settings are called.
pub struct Api {
    agent: ureq::Agent,
    base: String,
    /// `GitHub API`, `GitLab API`: how errors name it.
    pub name: &'static str,
    /// Headers sent with every request (Accept, authentication).
    headers: Vec<(&'static str, String)>,
    /// The environment variables a user fixes after a 401 or a 404.
    token_var: &'static str,
    repo_var: &'static str,
}

impl Api {
    pub fn new(
        name: &'static str,
        base: &str,
        headers: Vec<(&'static str, String)>,
        token_var: &'static str,
        repo_var: &'static str,
    ) -> Api {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Api {
            agent,
            base: base.trim_end_matches('/').to_string(),
            name,
            headers,
            token_var,
            repo_var,
        }
    }

    /// `method` (GET, POST, PATCH, PUT) on `base + path` with a JSON body; the JSON answer.
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let name = self.name;
        macro_rules! with_headers {
            ($req:expr) => {{
                let mut r = $req.header("User-Agent", "gomodfix");
                for (k, v) in &self.headers {
                    r = r.header(*k, v);
                }
                r
            }};
        }
        let body = body.unwrap_or(json!({})).to_string();
        let result = match method {
            "GET" => with_headers!(self.agent.get(&url)).call(),
            "POST" => with_headers!(self.agent.post(&url))
                .content_type("application/json")
                .send(body),
            "PATCH" => with_headers!(self.agent.patch(&url))
                .content_type("application/json")
                .send(body),
            "PUT" => with_headers!(self.agent.put(&url))
                .content_type("application/json")
                .send(body),
            _ => unreachable!("only GET, POST, PATCH and PUT are used"),
        };
        let mut resp = result.map_err(|e| format!("{name} {method} {path}: {e}"))?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = header("retry-after");
        // GitHub says x-ratelimit-*, GitLab ratelimit-*.
        let remaining = header("x-ratelimit-remaining").or_else(|| header("ratelimit-remaining"));
        let reset = header("x-ratelimit-reset").or_else(|| header("ratelimit-reset"));
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let message = api_message(&value);
        let (token_var, repo_var) = (self.token_var, self.repo_var);
        match status {
            200..=299 => Ok(value),
            401 => Err(format!(
                "{name} {method} {path}: 401 unauthorized: check {token_var} ({message})"
            )),
            403 | 429 if retry_after.is_some() || remaining.as_deref() == Some("0") => {
                Err(match (retry_after, reset) {
                    (Some(s), _) => format!("{name} rate limit: retry after {s} seconds"),
                    (None, Some(r)) => {
                        format!("{name} rate limit exhausted: it resets at {r} (Unix time)")
                    }
                    _ => format!("{name} rate limit exhausted"),
                })
            }
            403 => Err(format!(
                "{name} {method} {path}: 403 forbidden: the token lacks permission ({message})"
            )),
            404 => Err(format!(
                "{name} {method} {path}: 404 not found: check {repo_var} and the token's access ({message})"
            )),
            409 => Err(format!("{name} {method} {path}: 409 conflict: {message}")),
            422 => Err(format!(
                "{name} {method} {path}: 422 rejected: {message} {}",
                value["errors"]
            )),
            _ => Err(format!("{name} {method} {path}: HTTP {status} {message}")),
        }
    }
}

/// The error text of an answer: GitHub's `message`, GitLab's `message` (a string, a list or a
/// map of field errors) or `error`.
fn api_message(v: &Value) -> String {
    match (&v["message"], &v["error"]) {
        (Value::String(s), _) => s.clone(),
        (Value::Array(a), _) => a
            .iter()
            .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join("; "),
        (Value::Object(_), _) => v["message"].to_string(),
        (_, Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}
