//! The GitHub REST calls of `gomodfix pr` (list by head, create, update, comment, close, labels,
//! reviewers).

use serde_json::json;

use super::forge::Forge;
use super::http::Api;

pub struct GitHub {
    api: Api,
    repo: String,
}

impl GitHub {
    /// `repo` is `owner/name` (GITHUB_REPOSITORY).
    pub fn new(api_url: &str, repo: &str, token: Option<&str>) -> Result<GitHub, String> {
        if !repo.contains('/') {
            return Err(format!(
                "GITHUB_REPOSITORY must be owner/name, not `{repo}`"
            ));
        }
        let mut headers = vec![
            ("Accept", "application/vnd.github+json".to_string()),
            ("X-GitHub-Api-Version", "2022-11-28".to_string()),
        ];
        if let Some(t) = token {
            headers.push(("Authorization", format!("Bearer {t}")));
        }
        Ok(GitHub {
            api: Api::new(
                "GitHub API",
                api_url,
                headers,
                "GITHUB_TOKEN",
                "GITHUB_REPOSITORY",
            ),
            repo: repo.to_string(),
        })
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<serde_json::Value, String> {
        self.api
            .call(method, &format!("/repos/{}{path}", self.repo), body)
    }
}

impl Forge for GitHub {
    fn noun(&self) -> &'static str {
        "pull request"
    }

    fn reference(&self, number: u64) -> String {
        format!("#{number}")
    }

    fn push_user(&self) -> &'static str {
        "x-access-token"
    }

    fn open_request(&self, branch: &str) -> Result<Option<u64>, String> {
        let owner = self.repo.split('/').next().unwrap_or(&self.repo);
        let v = self.call(
            "GET",
            &format!("/pulls?state=open&head={owner}:{branch}"),
            None,
        )?;
        Ok(v.as_array()
            .and_then(|a| a.first())
            .and_then(|p| p["number"].as_u64()))
    }

    fn create(&self, title: &str, head: &str, base: &str, body: &str) -> Result<u64, String> {
        let v = self.call(
            "POST",
            "/pulls",
            Some(json!({"title": title, "head": head, "base": base, "body": body})),
        )?;
        v["number"]
            .as_u64()
            .ok_or_else(|| "GitHub API: no number in the created pull request".into())
    }

    fn update(&self, number: u64, title: &str, body: &str) -> Result<(), String> {
        self.call(
            "PATCH",
            &format!("/pulls/{number}"),
            Some(json!({"title": title, "body": body})),
        )
        .map(|_| ())
    }

    fn comment(&self, number: u64, text: &str) -> Result<(), String> {
        self.call(
            "POST",
            &format!("/issues/{number}/comments"),
            Some(json!({"body": text})),
        )
        .map(|_| ())
    }

    fn close(&self, number: u64) -> Result<(), String> {
        self.call(
            "PATCH",
            &format!("/pulls/{number}"),
            Some(json!({"state": "closed"})),
        )
        .map(|_| ())
    }

    fn add_labels(&self, number: u64, labels: &[String]) -> Result<(), String> {
        self.call(
            "POST",
            &format!("/issues/{number}/labels"),
            Some(json!({"labels": labels})),
        )
        .map(|_| ())
    }

    fn request_reviewers(&self, number: u64, reviewers: &[String]) -> Result<(), String> {
        self.call(
            "POST",
            &format!("/pulls/{number}/requested_reviewers"),
            Some(json!({"reviewers": reviewers})),
        )
        .map(|_| ())
    }
}
