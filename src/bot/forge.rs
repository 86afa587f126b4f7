//! What `gomodfix pr` needs of a code forge: find, open, update, comment on and close one change
//! request, label it, ask for reviews. GitHub has pull requests, GitLab merge requests.

/// A forge's change-request API.
pub trait Forge {
    /// `pull request` or `merge request`.
    fn noun(&self) -> &'static str;
    /// How a change request is referred to: `#12` on GitHub, `!12` on GitLab.
    fn reference(&self, number: u64) -> String;
    /// The user name that goes with the token in a git push over HTTPS.
    fn push_user(&self) -> &'static str;
    /// The open change request from `branch`, if any.
    fn open_request(&self, branch: &str) -> Result<Option<u64>, String>;
    fn create(&self, title: &str, head: &str, base: &str, body: &str) -> Result<u64, String>;
    fn update(&self, number: u64, title: &str, body: &str) -> Result<(), String>;
    fn comment(&self, number: u64, text: &str) -> Result<(), String>;
    fn close(&self, number: u64) -> Result<(), String>;
    fn add_labels(&self, number: u64, labels: &[String]) -> Result<(), String>;
    fn request_reviewers(&self, number: u64, reviewers: &[String]) -> Result<(), String>;
    /// Before anything is pushed: are these reviewers known? (GitLab looks user names up.)
    fn check_reviewers(&self, _reviewers: &[String]) -> Result<(), String> {
        Ok(())
    }
}
