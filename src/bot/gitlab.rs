//! The GitLab REST (v4) calls of `gomodfix pr`: merge requests by source branch, create, update,
//! note, close, labels, reviewers (GitLab wants user ids: usernames are looked up).

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::{Value, json};

use super::forge::Forge;
use super::http::Api;

pub struct GitLab {
    api: Api,
    /// The project's id or its URL-encoded path (`group%2Fapp`).
    project: String,
    /// User ids looked up so far, by user name.
    users: RefCell<HashMap<String, u64>>,
}

/// Percent-encode a path segment or query value (RFC 3986 unreserved characters stay).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl GitLab {
    /// `project` is CI_PROJECT_PATH (`group/app`) or CI_PROJECT_ID; `api_url` is CI_API_V4_URL.
    pub fn new(api_url: &str, project: &str, token: Option<&str>) -> Result<GitLab, String> {
        if project.is_empty() {
            return Err("CI_PROJECT_PATH (group/project) or CI_PROJECT_ID is not set".into());
        }
        let headers = token
            .map(|t| vec![("PRIVATE-TOKEN", t.to_string())])
            .unwrap_or_default();
        Ok(GitLab {
            api: Api::new(
                "GitLab API",
                api_url,
                headers,
                "GITLAB_TOKEN",
                "CI_PROJECT_PATH",
            ),
            project: encode(project),
            users: RefCell::default(),
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.api
            .call(method, &format!("/projects/{}{path}", self.project), body)
    }

    fn edit(&self, iid: u64, fields: Value) -> Result<(), String> {
        self.call("PUT", &format!("/merge_requests/{iid}"), Some(fields))
            .map(|_| ())
    }

    fn user_id(&self, username: &str) -> Result<u64, String> {
        let name = username.trim_start_matches('@');
        if let Some(id) = self.users.borrow().get(name) {
            return Ok(*id);
        }
        let v = self
            .api
            .call("GET", &format!("/users?username={}", encode(name)), None)?;
        let id = v
            .as_array()
            .and_then(|a| a.first())
            .and_then(|u| u["id"].as_u64())
            .ok_or_else(|| format!("GitLab API: no user named `{name}` (a --reviewer)"))?;
        self.users.borrow_mut().insert(name.to_string(), id);
        Ok(id)
    }
}

impl Forge for GitLab {
    fn noun(&self) -> &'static str {
        "merge request"
    }

    fn reference(&self, number: u64) -> String {
        format!("!{number}")
    }

    fn push_user(&self) -> &'static str {
        "oauth2"
    }

    fn open_request(&self, branch: &str) -> Result<Option<u64>, String> {
        let v = self.call(
            "GET",
            &format!(
                "/merge_requests?state=opened&source_branch={}",
                encode(branch)
            ),
            None,
        )?;
        Ok(v.as_array()
            .and_then(|a| a.first())
            .and_then(|m| m["iid"].as_u64()))
    }

    fn create(&self, title: &str, head: &str, base: &str, body: &str) -> Result<u64, String> {
        let v = self.call(
            "POST",
            "/merge_requests",
            Some(json!({
                "source_branch": head,
                "target_branch": base,
                "title": title,
                "description": body,
            })),
        )?;
        v["iid"]
            .as_u64()
            .ok_or_else(|| "GitLab API: no iid in the created merge request".into())
    }

    fn update(&self, iid: u64, title: &str, body: &str) -> Result<(), String> {
        self.edit(iid, json!({"title": title, "description": body}))
    }

    fn comment(&self, iid: u64, text: &str) -> Result<(), String> {
        self.call(
            "POST",
            &format!("/merge_requests/{iid}/notes"),
            Some(json!({"body": text})),
        )
        .map(|_| ())
    }

    fn close(&self, iid: u64) -> Result<(), String> {
        self.edit(iid, json!({"state_event": "close"}))
    }

    fn add_labels(&self, iid: u64, labels: &[String]) -> Result<(), String> {
        self.edit(iid, json!({"add_labels": labels.join(",")}))
    }

    fn check_reviewers(&self, reviewers: &[String]) -> Result<(), String> {
        reviewers
            .iter()
            .try_for_each(|r| self.user_id(r).map(|_| ()))
    }

    fn request_reviewers(&self, iid: u64, reviewers: &[String]) -> Result<(), String> {
        let ids = reviewers
            .iter()
            .map(|r| self.user_id(r))
            .collect::<Result<Vec<u64>, String>>()?;
        self.edit(iid, json!({"reviewer_ids": ids}))
    }
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn paths_and_branches_are_percent_encoded() {
        assert_eq!(encode("group/sub/app"), "group%2Fsub%2Fapp");
        assert_eq!(encode("gomodfix/fix"), "gomodfix%2Ffix");
        assert_eq!(encode("a b+c"), "a%20b%2Bc");
        assert_eq!(encode("42"), "42");
    }
}
