//! The git operations of `gomodfix pr`, through the `git` program.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Git {
    root: PathBuf,
}

impl Git {
    pub fn open(path: &Path) -> Result<Git, String> {
        let out = Command::new("git")
            .args(["rev-parse", "--show-toplevel"])
            .current_dir(path)
            .output()
            .map_err(|e| format!("git: {e}"))?;
        if !out.status.success() {
            return Err(format!("{} is not a git checkout", path.display()));
        }
        Ok(Git {
            root: PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn run(&self, args: &[&str]) -> Result<String, String> {
        self.run_with(args, &[])
    }

    /// Run git; `secret` values are blanked out of any error message.
    fn run_with(&self, args: &[&str], secrets: &[&str]) -> Result<String, String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.root)
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .map_err(|e| format!("git: {e}"))?;
        if out.status.success() {
            return Ok(String::from_utf8_lossy(&out.stdout).trim().to_string());
        }
        let mut msg = format!(
            "git {} failed: {}",
            args.iter()
                .find(|a| !a.starts_with('-') && !a.contains('='))
                .unwrap_or(&""),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        for s in secrets.iter().filter(|s| !s.is_empty()) {
            msg = msg.replace(s, "***");
        }
        Err(msg)
    }

    pub fn is_clean(&self) -> Result<bool, String> {
        Ok(self.run(&["status", "--porcelain"])?.is_empty())
    }

    pub fn current_branch(&self) -> Result<String, String> {
        match self.run(&["symbolic-ref", "--quiet", "--short", "HEAD"]) {
            Ok(b) => Ok(b),
            Err(_) => self.run(&["rev-parse", "HEAD"]),
        }
    }

    /// Create or reset `branch` at the current commit and check it out.
    pub fn checkout_new(&self, branch: &str) -> Result<(), String> {
        self.run(&["checkout", "-q", "-B", branch]).map(|_| ())
    }

    pub fn commit(
        &self,
        paths: &[&Path],
        message: &str,
        author: Option<&str>,
        signoff: bool,
    ) -> Result<(), String> {
        let mut add = vec!["add", "--"];
        let owned: Vec<String> = paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        add.extend(owned.iter().map(String::as_str));
        self.run(&add)?;
        let msg_file = self.root.join(".git").join("GOMODFIX_COMMIT_MSG");
        std::fs::write(&msg_file, message).map_err(|e| e.to_string())?;
        let msg_path = msg_file.to_string_lossy().into_owned();
        let mut args = vec!["commit", "-q", "-F", msg_path.as_str()];
        let author_flag;
        if let Some(a) = author {
            author_flag = format!("--author={a}");
            args.push(&author_flag);
        }
        if signoff {
            args.push("--signoff");
        }
        let r = self.run(&args).map(|_| ());
        let _ = std::fs::remove_file(&msg_file);
        r
    }

    /// Push with `--force-with-lease`. An HTTPS remote gets `(user, token)` as a one-off header;
    /// nothing is stored in the git config or the remote URL.
    pub fn push(
        &self,
        remote: &str,
        branch: &str,
        credentials: Option<(&str, &str)>,
    ) -> Result<(), String> {
        let url = self.run(&["remote", "get-url", remote]).unwrap_or_default();
        let header;
        let mut args: Vec<&str> = Vec::new();
        if let Some((user, t)) = credentials.filter(|_| url.starts_with("https://")) {
            use base64::Engine;
            let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{t}"));
            header = format!("http.extraHeader=Authorization: Basic {basic}");
            args.extend(["-c", header.as_str()]);
            let refspec = format!("HEAD:refs/heads/{branch}");
            let mut full = args.clone();
            full.extend(["push", "--force-with-lease", "-q", remote, refspec.as_str()]);
            return self.run_with(&full, &[t, &basic]).map(|_| ());
        }
        let refspec = format!("HEAD:refs/heads/{branch}");
        self.run(&["push", "--force-with-lease", "-q", remote, refspec.as_str()])
            .map(|_| ())
    }

    /// Back to the branch the user had, with a clean tree.
    pub fn restore(&self, branch: &str) -> Result<(), String> {
        self.run(&["reset", "-q", "--hard"])?;
        self.run(&["checkout", "-q", branch]).map(|_| ())
    }
}
