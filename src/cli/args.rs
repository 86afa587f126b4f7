//! The command line's grammar (clap): the check's flags and each subcommand's arguments.
//! Nothing here runs anything; [`crate::app`] hands each command to its front end.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "gomodfix",
    version = crate::project::LONG_VERSION,
    about = "Find and fix the Dockerfile mistakes that break Go builds",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a rule's documentation (what, why, example, fix safety).
    Explain {
        /// Rule code (GM003) or name (go-cache-mounts).
        code: String,
    },
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        output_format: RulesFormat,
    },
    /// Run the language server on stdin/stdout (for editors).
    Lsp,
    /// Fix the checkout and open or update one pull request with the fixes (GitHub).
    Pr(PrArgs),
    /// Read a failed build's log, find the failing step and show the finding that explains it.
    Diagnose(DiagnoseArgs),
    /// Show the configuration in force for a folder or Dockerfile (default: the current folder).
    Config {
        /// Print the merged configuration.
        #[arg(long)]
        show: bool,
        /// A config file to use instead of the nearest `.gomodfix.yaml`.
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        path: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Each finding with its source line underlined, then the diff of the fixes.
    Full,
    /// One line per finding, then the diff of the fixes.
    Concise,
    /// The versioned JSON schema of the README, fixes included as edits.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
    /// Checkstyle XML.
    Checkstyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check (directories are walked, honouring .gitignore).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Print only the patch of the fixes (unified diff), nothing else on stdout.
    #[arg(long, conflicts_with = "write")]
    pub diff: bool,
    /// Apply the fixes to the files.
    #[arg(long)]
    pub write: bool,
    /// Also apply fixes marked unsafe.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Hardening profile: also ask for `GO111MODULE=on` in every module stage and `GOENV=off`
    /// in every final image, where they change nothing today.
    #[arg(long)]
    pub hardening: bool,
    /// Build context directory for every Dockerfile (default: each Dockerfile's folder).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// The stage that is built (`docker build --target`); default: the last stage.
    #[arg(long)]
    pub target: Option<String>,
    /// Also treat files matching this glob as Dockerfiles (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Print each Dockerfile's build context(s) and where they were found, then exit.
    #[arg(long)]
    pub show_contexts: bool,
    /// Rule codes or prefixes to run, comma-separated (`ALL` for all); replaces the config's
    /// `select`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,
    /// Codes or prefixes to run in addition to those selected.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub extend_select: Vec<String>,
    /// Codes or prefixes never to run (added to the config's `ignore`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Use this config file for every Dockerfile instead of the nearest `.gomodfix.yaml`.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full)]
    pub output_format: OutputFormat,
    /// With `-` as path: where the Dockerfile read from stdin lives (for its context and config).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `gomodfix pr` options (environment: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL on
/// GitHub; GITLAB_TOKEN, CI_PROJECT_PATH or CI_PROJECT_ID, CI_API_V4_URL on GitLab).
#[derive(Debug, Clone, clap::Args)]
pub struct PrArgs {
    /// Where to open the change request: a GitHub pull request or a GitLab merge request
    /// (default: auto, GitLab when GitLab CI's variables are set).
    #[arg(long, value_enum)]
    pub forge: Option<ForgeArg>,
    /// Branch the fixes are committed on, created or reset (default `gomodfix/fix`).
    #[arg(long)]
    pub branch: Option<String>,
    /// Remote to push to (default `origin`).
    #[arg(long)]
    pub remote: Option<String>,
    /// Base branch of the pull request (default: the branch checked out).
    #[arg(long)]
    pub base: Option<String>,
    /// Also apply unsafe fixes.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the branch, commit message and PR body; touch nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// When nothing is left to fix and a gomodfix PR is open: comment and close it.
    #[arg(long)]
    pub close_when_clean: bool,
    /// Labels for the pull request (repeatable).
    #[arg(long = "label")]
    pub labels: Vec<String>,
    /// Reviewers to request (repeatable).
    #[arg(long = "reviewer")]
    pub reviewers: Vec<String>,
    /// Commit author, `Name <email>` (default: git config).
    #[arg(long)]
    pub author: Option<String>,
    /// Add a Signed-off-by line.
    #[arg(long)]
    pub signoff: bool,
    /// Build each changed Dockerfile before and after the fixes (`docker buildx build`, else
    /// `docker build`); a fix that breaks a build that succeeded before is not committed (exit 2).
    #[arg(long)]
    pub verify: bool,
    /// The repository checkout (default: the current directory).
    #[arg(default_value = ".")]
    pub path: PathBuf,
}

// `--forge` (the config file's `ForgeKind`, which knows nothing of clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ForgeArg {
    /// GitLab when the GitLab CI variables are set (GITLAB_CI, or CI_PROJECT_PATH without
    /// GITHUB_REPOSITORY), else GitHub.
    Auto,
    Github,
    Gitlab,
}

// `gomodfix diagnose` options (the subcommand in src/diagnose/).
#[derive(Debug, Clone, clap::Args)]
pub struct DiagnoseArgs {
    /// The build log (`docker build --progress=plain`, tty output, `--progress=rawjson`,
    /// podman/buildah, a CI job log); `-` for stdin.
    #[arg(default_value = "-")]
    pub log: PathBuf,
    /// The Dockerfile that was built (default: named in the log, else ./Dockerfile).
    #[arg(long, short = 'f', value_name = "PATH")]
    pub dockerfile: Option<PathBuf>,
    /// The build context (default: as a check finds it).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// The stage that was built (`docker build --target`).
    #[arg(long)]
    pub target: Option<String>,
    /// Print only the patch of the fixes.
    #[arg(long, conflicts_with = "write")]
    pub diff: bool,
    /// Apply the fixes to the files.
    #[arg(long)]
    pub write: bool,
    /// Also apply fixes marked unsafe.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Use this config file instead of the nearest `.gomodfix.yaml`.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full)]
    pub output_format: OutputFormat,
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}
