//! `gomodfix pr`: fix a checkout, commit the fixes on a branch, push it, and open (or update) one
//! pull request through the GitHub REST API, or one merge request through GitLab's. Git is driven
//! through the real `git` program.
//!
//! The token is only ever sent in the authentication header of API requests and, for the push,
//! in a one-off `-c http.extraHeader` that git does not persist; it is never printed.

mod body;
mod forge;
mod git;
mod github;
mod gitlab;
mod http;
mod verify;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use body::{PrContent, render};
use forge::Forge;
use git::Git;
use github::GitHub;
use gitlab::GitLab;

use crate::config::{ForgeKind, Overrides};
use crate::engine::{
    ContextCache, Fixes, Options, discover_with, merge_side_files, process_file, side_proposals,
    write_atomic,
};

/// What `gomodfix pr` is asked, free of how it was asked (the command line's `PrArgs` become
/// these). The forge's address and token come from the environment: GITHUB_TOKEN,
/// GITHUB_REPOSITORY, GITHUB_API_URL on GitHub; GITLAB_TOKEN, CI_PROJECT_PATH or CI_PROJECT_ID,
/// CI_API_V4_URL on GitLab.
#[derive(Debug, Clone, Default)]
pub struct PrOptions {
    /// Where to open the change request: a GitHub pull request or a GitLab merge request
    /// (default: auto, GitLab when GitLab CI's variables are set).
    pub forge: Option<ForgeKind>,
    /// Branch the fixes are committed on, created or reset (default `gomodfix/fix`).
    pub branch: Option<String>,
    /// Remote to push to (default `origin`).
    pub remote: Option<String>,
    /// Base branch of the pull request (default: the branch checked out).
    pub base: Option<String>,
    /// Also apply unsafe fixes.
    pub unsafe_fixes: bool,
    /// Print the branch, commit message and PR body; touch nothing.
    pub dry_run: bool,
    /// When nothing is left to fix and a gomodfix PR is open: comment and close it.
    pub close_when_clean: bool,
    /// Labels for the pull request (repeatable).
    pub labels: Vec<String>,
    /// Reviewers to request (repeatable).
    pub reviewers: Vec<String>,
    /// Commit author, `Name <email>` (default: git config).
    pub author: Option<String>,
    /// Add a Signed-off-by line.
    pub signoff: bool,
    /// Build each changed Dockerfile before and after the fixes (`docker buildx build`, else
    /// `docker build`); a fix that breaks a build that succeeded before is not committed (exit 2).
    pub verify: bool,
    /// The repository checkout.
    pub path: PathBuf,
}

/// What the fixes did in a checkout.
struct Fixed {
    content: PrContent,
    /// Files to write: path → (old bytes, new bytes).
    writes: BTreeMap<PathBuf, (String, String)>,
    /// (Dockerfile, build context) whose build the fixes change, for `--verify`.
    targets: Vec<(PathBuf, PathBuf)>,
}

/// Fix the checkout in memory and describe it.
fn compute(root: &Path, unsafe_fixes: bool) -> Result<Fixed, String> {
    let options = Options {
        overrides: Overrides {
            unsafe_fixes,
            ..Default::default()
        },
        fixes: Fixes::Apply,
        ..Default::default()
    };
    let cache = ContextCache::default();
    // Checked in parallel as the walk finds them, in path order afterwards.
    let (found, errors) = discover_with(&[root.to_path_buf()], &[], |f| {
        process_file(f, &options, &cache)
    });
    if let Some(e) = errors.first() {
        return Err(e.clone());
    }
    let reports: Vec<_> = found.into_iter().map(|(_, r)| r).collect();
    let (side, side_errors) = merge_side_files(reports.iter().flat_map(side_proposals));
    if let Some(e) = side_errors.first() {
        return Err(e.clone());
    }
    let mut content = PrContent::default();
    let mut writes = BTreeMap::new();
    let mut targets = Vec::new();
    for r in &reports {
        if let Some(e) = &r.error {
            return Err(format!("{}: {e}", r.shown));
        }
        let rel = r
            .path
            .strip_prefix(root)
            .unwrap_or(&r.path)
            .to_string_lossy()
            .replace('\\', "/");
        let Some(out) = &r.fixed else { continue };
        for a in &out.applied {
            content
                .applied
                .push((rel.clone(), a.code, a.title.clone(), a.applicability));
        }
        for d in &r.remaining {
            if let Some(f) = &d.fix {
                content
                    .not_applied
                    .push((rel.clone(), d.code, f.title.clone()));
            }
        }
        if let Some(ctx) = &r.context_root
            && (out.output != r.source || !side_proposals(r).is_empty())
        {
            targets.push((r.path.clone(), ctx.clone()));
        }
        if out.output != r.source {
            content
                .diff
                .push_str(&crate::render::diff::unified(&rel, &r.source, &out.output));
            writes.insert(r.path.clone(), (r.source.clone(), out.output.clone()));
        }
    }
    for (path, (old, new)) in side {
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        content
            .diff
            .push_str(&crate::render::diff::unified(&rel, &old, &new));
        writes.insert(path, (old, new));
    }
    content.unsafe_fixes = unsafe_fixes;
    Ok(Fixed {
        content,
        writes,
        targets,
    })
}

/// Run `gomodfix pr`; returns the exit code.
pub fn run(args: &PrOptions) -> u8 {
    match run_inner(args) {
        Ok(msg) => {
            println!("{msg}");
            0
        }
        Err(e) => {
            eprintln!("gomodfix pr: {e}");
            2
        }
    }
}

/// Command-line options over the `pr:` section of the repository's `.gomodfix.yaml`.
fn merged(args: &PrOptions, root: &Path) -> Result<PrOptions, String> {
    let cfg = match crate::config::find(root) {
        Some(p) => crate::config::load(&p)?.config.pr.unwrap_or_default(),
        None => Default::default(),
    };
    let mut a = args.clone();
    a.forge = args.forge.or(cfg.forge);
    a.branch = Some(
        args.branch
            .clone()
            .or(cfg.branch)
            .unwrap_or_else(|| "gomodfix/fix".into()),
    );
    a.remote = Some(
        args.remote
            .clone()
            .or(cfg.remote)
            .unwrap_or_else(|| "origin".into()),
    );
    a.base = args.base.clone().or(cfg.base);
    a.author = args.author.clone().or(cfg.author);
    if a.labels.is_empty() {
        a.labels = cfg.labels.unwrap_or_default();
    }
    if a.reviewers.is_empty() {
        a.reviewers = cfg.reviewers.unwrap_or_default();
    }
    a.close_when_clean |= cfg.close_when_clean.unwrap_or(false);
    a.signoff |= cfg.signoff.unwrap_or(false);
    a.unsafe_fixes |= cfg.unsafe_fixes.unwrap_or(false);
    Ok(a)
}

fn run_inner(args: &PrOptions) -> Result<String, String> {
    let git = Git::open(&args.path)?;
    let root = git.root().to_path_buf();
    let args = &merged(args, &root)?;
    let branch = args.branch.as_deref().expect("merged");
    let remote = args.remote.as_deref().expect("merged");
    let mut fixed = compute(&root, args.unsafe_fixes)?;
    if args.verify && !fixed.writes.is_empty() {
        let engine = verify::Engine::detect();
        let builds = verify::verify(&engine, &root, &fixed.targets, &fixed.writes)?;
        if let Some(bad) = builds.iter().find(|b| b.is_regression()) {
            return Err(format!(
                "the fixes break the build of {}, which built before with `{}`; nothing committed. \
                 The end of the fixed build's output:\n{}",
                bad.dockerfile,
                engine.name(),
                bad.after_log
            ));
        }
        fixed.content.verified = builds;
        fixed.content.verified_with = engine.name();
    }
    let (title, body) = render(&fixed.content);
    let message = fixed.content.commit_message();
    if args.dry_run {
        return Ok(format!(
            "branch: {}\n\n--- commit message ---\n{message}\n--- pull request: {title} ---\n{body}",
            branch
        ));
    }
    if !git.is_clean()? {
        return Err("the working tree has uncommitted changes; commit or stash them first".into());
    }
    let (api, token) = connect(args.forge.unwrap_or_default())?;
    let noun = api.noun();
    let existing = api.open_request(branch)?;

    if fixed.writes.is_empty() {
        return match (existing, args.close_when_clean) {
            (Some(n), true) => {
                api.comment(n, "gomodfix finds nothing left to fix; closing.")?;
                api.close(n)?;
                Ok(format!(
                    "nothing to fix; closed {noun} {}",
                    api.reference(n)
                ))
            }
            (Some(n), false) => Ok(format!(
                "nothing to fix; {noun} {} left open",
                api.reference(n)
            )),
            (None, _) => Ok("nothing to fix".into()),
        };
    }
    api.check_reviewers(&args.reviewers)?;
    let original = git.current_branch()?;
    let base = args.base.clone().unwrap_or_else(|| original.clone());
    // From here on, any failure puts the user back where they were.
    let result = (|| -> Result<String, String> {
        git.checkout_new(branch)?;
        for (path, (old, new)) in &fixed.writes {
            if path.exists() {
                write_atomic(path, old.as_bytes(), new.as_bytes())?;
            } else {
                std::fs::write(path, new).map_err(|e| e.to_string())?;
            }
        }
        let paths: Vec<&Path> = fixed.writes.keys().map(PathBuf::as_path).collect();
        git.commit(&paths, &message, args.author.as_deref(), args.signoff)?;
        let credentials = token.as_deref().map(|t| (api.push_user(), t));
        git.push(remote, branch, credentials)?;
        let number = match existing {
            Some(n) => {
                api.update(n, &title, &body)?;
                n
            }
            None => api.create(&title, branch, &base, &body)?,
        };
        if !args.labels.is_empty() {
            api.add_labels(number, &args.labels)?;
        }
        if !args.reviewers.is_empty() {
            api.request_reviewers(number, &args.reviewers)?;
        }
        Ok(format!(
            "{} {noun} {} from {}",
            if existing.is_some() {
                "updated"
            } else {
                "opened"
            },
            api.reference(number),
            branch
        ))
    })();
    let restore = git.restore(&original);
    match (result, restore) {
        (Ok(msg), Ok(())) => Ok(msg),
        (Ok(_), Err(e)) => Err(format!(
            "done, but could not switch back to {original}: {e}"
        )),
        (Err(e), _) => Err(e),
    }
}

/// The forge's API client and its token, from the environment.
fn connect(kind: ForgeKind) -> Result<(Box<dyn Forge>, Option<String>), String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let gitlab = match kind {
        ForgeKind::Github => false,
        ForgeKind::Gitlab => true,
        ForgeKind::Auto => {
            var("GITLAB_CI").is_some()
                || (var("CI_PROJECT_PATH").is_some() && var("GITHUB_REPOSITORY").is_none())
        }
    };
    if gitlab {
        let token = var("GITLAB_TOKEN");
        let project = var("CI_PROJECT_PATH")
            .or_else(|| var("CI_PROJECT_ID"))
            .unwrap_or_default();
        let api_url = var("CI_API_V4_URL").unwrap_or_else(|| "https://gitlab.com/api/v4".into());
        let api = GitLab::new(&api_url, &project, token.as_deref())?;
        return Ok((Box::new(api), token));
    }
    let token = var("GITHUB_TOKEN");
    let repo = var("GITHUB_REPOSITORY")
        .ok_or_else(|| "GITHUB_REPOSITORY (owner/name) is not set".to_string())?;
    let api_url = var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into());
    let api = GitHub::new(&api_url, &repo, token.as_deref())?;
    Ok((Box::new(api), token))
}
