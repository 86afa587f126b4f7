use super::{Diagnostic, RuleContext, RuleMeta, Severity, Violation, effective_env};
use crate::fix::Edit;
use crate::syntax::{Instruction, Kind, Stage};

/// Hosts whose modules are public, from `data/public_module_hosts.txt` (built from real go.mod
/// files); `rules.public-hosts` in the config adds more.
fn public_hosts() -> impl Iterator<Item = &'static str> {
    include_str!("../../data/public_module_hosts.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Public module proxies; anything else in GOPROXY is an organisation's own.
const PUBLIC_PROXIES: &[&str] = &[
    "direct",
    "off",
    "https://proxy.golang.org",
    "https://goproxy.io",
    "https://goproxy.cn",
    "https://goproxy.dev",
];

declare_rule! {
    pub struct PrivateModuleAuth;
    code: "GM024",
    name: "private-module-auth",
    summary: "Private modules without GOPRIVATE/credentials, leaked tokens, or an internal GOPROXY baked in",
    severity: Warning,
    fix: Unsafe,
    doc: r#"## What it does
Five checks around private modules:

1. go.mod requires private modules and the stage that downloads them has neither
   GOPRIVATE/GONOPROXY/GONOSUMDB nor a secret or ssh mount. Private means known private: a
   pattern of the config's `private:` list (a warning; the unsafe fix adds
   `ENV GOPRIVATE=<patterns>` and `--mount=type=secret,id=netrc,target=<HOME>/.netrc` to the go
   RUNs that download; build with `docker build --secret id=netrc,src=$HOME/.netrc .`), or a host
   that can only be an organisation's own (`.internal`, `.corp`, `.local`, `.lan`, an IP address,
   a port: an info hint **without** a fix, because GOPRIVATE switches off checksum verification
   and must never be set for a host that is not known private). Vanity hosts (`go.uber.org`,
   `go.opencensus.io`, `gomodules.xyz`, …: `data/public_module_hosts.txt`, extended by
   `rules.public-hosts`) are public; other unknown hosts are hinted at only under `--hardening`.

2. A token, password or .netrc passed through ARG or ENV (`ARG GITHUB_TOKEN`,
   `ENV GOPRIVATE_TOKEN=…`) and used by a RUN of a stage that runs go (a git rewrite, a
   .netrc, a go command): a warning (the image history keeps it; the build itself works), no
   fix. An ENV with an empty value or a file path carries no secret and is not reported.
3. An organisation-internal GOPROXY or GONOSUMDB baked into ENV, or a git `insteadOf` rewrite
   to an HTTPS URL in a RUN: the build fails for everyone outside the organisation. Reported; the
   unsafe fix turns the ENV into an `ARG` without a default, so each builder supplies its own
   value. A rewrite to SSH (`url."git@github.com:".insteadOf`) is how modules are fetched with
   the builder's SSH agent, and is not reported.
4. Git fetches over SSH (such a rewrite, in the stage or a stage it is FROM), GOPRIVATE sends
   modules to git, but a RUN that downloads has no `--mount=type=ssh`: the download fails with
   `Permission denied (publickey)`. The unsafe fix adds the mount; build with `--ssh default`.
   In the same situation without GOPRIVATE, check 1's fix mounts the SSH agent instead of a
   .netrc secret.
5. Git fetches over SSH but nothing before the download sets up the host's key (`ssh-keyscan`, a
   copied or mounted `known_hosts`, `StrictHostKeyChecking`): the first fetch fails with
   `Host key verification failed`. The unsafe fix adds
   `RUN mkdir -p -m 0700 ~/.ssh && ssh-keyscan <host> >> ~/.ssh/known_hosts` before it; check the
   keys it records against the host's published fingerprints.

## Why is this bad?
Private modules fail with `unknown revision`, `410 Gone` (the public checksum database does not
know them) or `terminal prompts disabled` (git wants credentials) unless GOPRIVATE routes them
around the public proxy and credentials reach the go command. Credentials in ARG or ENV are
recorded in the image history and leak with every pushed image; a secret mount is not.

## Example
```dockerfile
FROM golang:1.22
ARG GITHUB_TOKEN
RUN git config --global url."https://${GITHUB_TOKEN}@github.com/".insteadOf "https://github.com/"
RUN go mod download
```

## Use instead
```dockerfile
FROM golang:1.22
ENV GOPRIVATE=github.com/acme
RUN --mount=type=secret,id=netrc,target=/root/.netrc go mod download
```

## Fix safety
Unsafe: which modules are private and how credentials arrive is the team's decision; the fix
changes how the build must be invoked (`--secret`).

## Context needed
The module's go.mod for the first check."#,
}

fn host(module: &str) -> &str {
    module.split('/').next().unwrap_or(module)
}

fn is_public(module: &str, extra: &[String]) -> bool {
    let h = host(module);
    let listed = |p: &str| h == p || h.ends_with(&format!(".{p}"));
    !h.contains('.') || public_hosts().any(listed) || extra.iter().any(|p| listed(p))
}

/// A host that can only be an organisation's own: an internal domain (`.local`, `.internal`,
/// `.corp`, `.lan`, `.intranet`, `.home.arpa`), an IP address, or a host with a port.
fn looks_internal(module: &str) -> bool {
    let h = host(module);
    h.contains(':')
        || h.split('.').all(|p| p.chars().all(|c| c.is_ascii_digit()))
        || [
            ".local",
            ".internal",
            ".corp",
            ".lan",
            ".intranet",
            ".home.arpa",
            ".private",
        ]
        .iter()
        .any(|t| h.ends_with(t))
}

/// A name that holds a credential: it says TOKEN, PASSWORD, SECRET… and does not end in a word
/// that names something about one (`HSM_TOKEN_LABEL`, `SECRET_FILE`, `TOKEN_URL`: a label, a
/// path, an address are not the secret).
fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    let about = [
        "_LABEL",
        "_NAME",
        "_FILE",
        "_PATH",
        "_DIR",
        "_URL",
        "_URI",
        "_HOST",
        "_PORT",
        "_ID",
        "_TYPE",
        "_HEADER",
        "_MOUNT",
        "_ENDPOINT",
        "_EXPIRY",
        "_TTL",
    ];
    if about.iter().any(|s| n.ends_with(s)) {
        return false;
    }
    [
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "NETRC",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// GM024's findings, by check (see the doc).
enum Finding {
    /// 1: private modules (`hosts`) and no GOPRIVATE or credentials; the fix mounts the SSH agent
    /// (`ssh`) or a .netrc secret. Fixtures: `pos_private_requirement`,
    /// `pos_private_requirement_over_ssh`.
    PrivateRequirement { hosts: String, ssh: bool },
    /// 1: modules from hosts that look private (an info hint, no fix). Fixtures:
    /// `pos_internal_host_hint_without_fix`.
    PrivateLookingHosts { hosts: String },
    /// 2: a credential passed through ARG or ENV (`via`). Fixtures: `pos_token_in_arg`.
    CredentialInImage { name: String, via: &'static str },
    /// 3: an organisation's GOPROXY/GONOSUMDB in ENV. Fixtures: `pos_internal_goproxy`.
    InternalSetting { name: String, value: String },
    /// 3: a git `insteadOf` rewrite to HTTPS. Fixtures: `pos_token_in_arg`.
    HttpsRewrite,
    /// 4: git fetches over SSH, the download (`go {sub}`) has no ssh mount. Fixtures:
    /// `pos_ssh_rewrite_without_agent`.
    SshWithoutAgent { sub: String },
    /// 5: git fetches over SSH from `host` without known_hosts. Fixtures:
    /// `pos_ssh_without_known_hosts`, `pos_ssh_rewrite_without_agent`.
    SshWithoutKnownHosts { host: String, sub: String },
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match self {
            Finding::PrivateRequirement { hosts, .. } => format!(
                "go.mod requires private modules ({hosts}) and this stage has no GOPRIVATE or credentials"
            ),
            Finding::PrivateLookingHosts { hosts } => format!(
                "go.mod requires modules from {hosts} (not a public code host: private?) and this stage has no GOPRIVATE or credentials"
            ),
            Finding::CredentialInImage { name, via } => format!(
                "credential `{name}` passed through {via}: it is recorded in the image history; use `RUN --mount=type=secret` instead"
            ),
            Finding::InternalSetting { name, value } => format!(
                "`{name}={value}` bakes an organisation's setting into the image: builds outside it fail"
            ),
            Finding::HttpsRewrite => "a git `insteadOf` rewrite in the image sends every builder to one organisation's git server or credentials; use `--mount=type=ssh` or a secret".into(),
            Finding::SshWithoutAgent { sub } => format!(
                "git is set to fetch over SSH (`insteadOf`), but this `go {sub}` has no `--mount=type=ssh`: private modules fail with `Permission denied (publickey)`"
            ),
            Finding::SshWithoutKnownHosts { host, sub } => format!(
                "git fetches over SSH from {host}, but no known_hosts entry is set up before this `go {sub}`: it fails with `Host key verification failed`"
            ),
        }
    }

    fn fix_title(&self) -> Option<String> {
        match self {
            Finding::PrivateRequirement { ssh: true, .. } => Some(
                "Set GOPRIVATE and mount the SSH agent (build with `--ssh default`)".into(),
            ),
            Finding::PrivateRequirement { ssh: false, .. } => Some(
                "Set GOPRIVATE and mount a .netrc secret (build with `--secret id=netrc,src=$HOME/.netrc`)".into(),
            ),
            Finding::InternalSetting { name, .. } => {
                Some(format!("Turn {name} into an ARG without a default"))
            }
            Finding::SshWithoutAgent { .. } => {
                Some("Mount the SSH agent (build with `--ssh default`)".into())
            }
            Finding::SshWithoutKnownHosts { host, .. } => Some(format!(
                "Add {host}'s host keys to known_hosts (ssh-keyscan: check them)"
            )),
            _ => None,
        }
    }
}

impl PrivateModuleAuth {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        if !cx.df.runs_go() {
            return;
        }
        leaked_credentials(cx, out);
        internal_settings(cx, out);
        missing_private_setup(cx, out);
        ssh_without_agent(cx, out);
        ssh_without_known_hosts(cx, out);
    }
}

/// 2: secrets in ARG/ENV that RUNs use.
fn leaked_credentials(cx: &RuleContext, out: &mut Vec<Diagnostic>) {
    for ins in &cx.df.instructions {
        if !matches!(ins.kind, Kind::Arg | Kind::Env) {
            continue;
        }
        for p in ins.pairs.iter().filter(|p| secret_name(&p.name)) {
            // An empty value or a file path (`/kaniko/config.json`) carries no secret.
            if ins.kind == Kind::Env
                && p.value
                    .as_deref()
                    .is_none_or(|v| v.is_empty() || v.starts_with('/') || v.starts_with("./"))
            {
                continue;
            }
            // Used by a RUN of a stage that runs go: a git rewrite, a .netrc, a go command.
            let refs = [format!("${}", p.name), format!("${{{}}}", p.name)];
            let used = cx.df.stages.iter().any(|st| {
                !cx.go_commands(st).is_empty()
                    && cx.df.instructions[st.body.clone()].iter().any(|r| {
                        r.run.is_some()
                            && refs
                                .iter()
                                .any(|x| cx.df.source[r.range.clone()].contains(x.as_str()))
                    })
            });
            if used {
                let finding = Finding::CredentialInImage {
                    name: p.name.clone(),
                    via: if ins.kind == Kind::Arg { "ARG" } else { "ENV" },
                };
                out.push(cx.report(&finding, ins.range.clone()));
            }
        }
    }
}

/// 3: an organisation's proxy or checksum settings baked into ENV, git `insteadOf` in a RUN.
fn internal_settings(cx: &RuleContext, out: &mut Vec<Diagnostic>) {
    for ins in &cx.df.instructions {
        if ins.kind == Kind::Env {
            for p in &ins.pairs {
                let Some(v) = &p.value else { continue };
                let internal = match p.name.as_str() {
                    "GOPROXY" => v.split([',', '|']).any(|u| {
                        !u.is_empty()
                            && !u.contains('$')
                            && !PUBLIC_PROXIES.contains(&u.trim_end_matches('/'))
                    }),
                    "GONOSUMDB" => !v.is_empty() && !v.contains('$'),
                    _ => false,
                };
                if !internal {
                    continue;
                }
                let finding = Finding::InternalSetting {
                    name: p.name.clone(),
                    value: v.clone(),
                };
                let mut d = cx.report(&finding, ins.range.clone());
                if !ins.near_error {
                    let edit = if ins.pairs.len() == 1 {
                        let start = cx.df.line_start(ins.range.start)
                            + cx.df.indent_at(ins.range.start).len();
                        Edit::replace(start..ins.range.end, format!("ARG {}", p.name))
                    } else {
                        Edit::delete(super::with_leading_space(&cx.df.source, p.range.clone()))
                    };
                    let mut edits = vec![edit];
                    if ins.pairs.len() > 1 {
                        edits.push(cx.insert_lines_after(ins, &[format!("ARG {}", p.name)]));
                    }
                    d.fix = Some(finding.unsafe_fix(edits));
                }
                out.push(d);
            }
        }
        if let Some(run) = &ins.run
            && rewrites(run).any(|url| !is_ssh_url(url))
        {
            out.push(cx.report(&Finding::HttpsRewrite, ins.range.clone()));
        }
    }
}

/// 1: private-looking requirements without GOPRIVATE or credentials.
fn missing_private_setup(cx: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stage in &cx.df.stages {
        let Some(module) = cx.main_module(stage) else {
            continue;
        };
        let Some(go_mod) = module.go_mod else {
            continue;
        };
        // Configured private patterns are facts; unknown hosts are only a hint.
        let private_modules: Vec<&str> = go_mod
            .requires
            .iter()
            .map(|(p, _, _)| p.as_str())
            .filter(|p| {
                cx.settings
                    .private
                    .iter()
                    .any(|pat| matches_private(pat, p))
            })
            .collect();
        let mut hosts: Vec<&str> = go_mod
            .requires
            .iter()
            .map(|(p, _, _)| p.as_str())
            .filter(|p| {
                // Configured private modules and internal-looking hosts are facts; other
                // unknown hosts only a hint, and only under the hardening profile (most
                // vanity hosts are public).
                let unknown = !is_public(p, &cx.settings.public_hosts)
                    && (looks_internal(p) || cx.settings.hardening);
                (unknown || private_modules.contains(p))
                    && !go_mod.replaces.iter().any(|r| &r.module == p)
            })
            .map(|p| {
                if private_modules.contains(&p) {
                    private_prefix(&cx.settings.private, p)
                } else {
                    host(p)
                }
            })
            .collect();
        hosts.sort();
        hosts.dedup();
        if hosts.is_empty() {
            continue;
        }
        let downloads: Vec<_> = cx
            .go_commands(stage)
            .into_iter()
            .filter(|(_, _, g)| g.wants_cache() && g.sub != "generate")
            .collect();
        let Some(&(_, first, go)) = downloads.first() else {
            continue;
        };
        let configured = ["GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOFLAGS"]
            .iter()
            .any(|k| {
                effective_env(first, go, k)
                    .is_some_and(|v| !v.is_empty() && (*k != "GOFLAGS" || v.contains("insecure")))
            })
            || effective_env(first, go, "GOPROXY").is_some_and(|v| v == "direct" || v == "off")
            || downloads.iter().any(|(_, i, _)| {
                i.mounts
                    .iter()
                    .any(|m| m.kind() == "secret" || m.kind() == "ssh")
            });
        if configured {
            continue;
        }
        // The finding, and (for known private modules) the same finding with the fix it gets.
        let reported_hosts = hosts.join(", ");
        let private = |ssh| Finding::PrivateRequirement {
            hosts: reported_hosts.clone(),
            ssh,
        };
        let mut d = if private_modules.is_empty() {
            let finding = Finding::PrivateLookingHosts {
                hosts: reported_hosts.clone(),
            };
            cx.report(&finding, first.range.clone())
        } else {
            cx.report(&private(false), first.range.clone())
        };
        if private_modules.is_empty() {
            d.severity = Severity::Info;
        }
        // GOPRIVATE switches off checksum verification: it is only added for modules known to
        // be private (the config's `private:` patterns), never for a host that only looks so.
        if private_modules.is_empty() {
            out.push(d);
            continue;
        }
        let hosts: Vec<&str> = hosts
            .into_iter()
            .filter(|h| private_modules.iter().any(|m| m.starts_with(h)))
            .collect();
        let home = first.state.home();
        // Where git already fetches over SSH, credentials come from the SSH agent.
        let ssh = downloads
            .first()
            .is_some_and(|(idx, _, _)| ssh_rewrite(cx, stage, *idx).is_some());
        if let Some(home) = home.filter(|_| !cx.df.instructions[stage.from].near_error) {
            let mut edits = vec![cx.add_env_to_stage(stage, "GOPRIVATE", &hosts.join(","))];
            let mut seen = Vec::new();
            for (idx, ins, _) in &downloads {
                if seen.contains(idx) || ins.near_error {
                    continue;
                }
                seen.push(*idx);
                let mount = if ssh {
                    " --mount=type=ssh".to_string()
                } else {
                    format!(
                        " --mount=type=secret,id=netrc,target={}/.netrc",
                        home.trim_end_matches('/')
                    )
                };
                edits.push(Edit::insert(super::flags_end(ins), mount));
            }
            d.fix = Some(private(ssh).unsafe_fix(edits));
        }
        out.push(d);
    }
}

/// The URLs of `git config … url.<URL>.insteadOf …` commands in a RUN.
fn rewrites(run: &crate::syntax::Run) -> impl Iterator<Item = &str> {
    run.commands
        .iter()
        .filter(|c| c.words.first().is_some_and(|w| w.text == "git"))
        .flat_map(|c| c.words.iter())
        .filter_map(|w| {
            let rest = w.text.strip_prefix("url.")?;
            rest.strip_suffix(".insteadOf")
                .or_else(|| rest.strip_suffix(".insteadof"))
        })
}

fn is_ssh_url(url: &str) -> bool {
    url.starts_with("ssh://") || (url.contains('@') && !url.contains("://"))
}

/// A RUN before `before`, in the stage or a stage it is FROM, that makes git fetch over SSH
/// (`url."git@host:".insteadOf`): that RUN, for messages.
fn ssh_rewrite<'a>(cx: &RuleContext<'a>, stage: &Stage, before: usize) -> Option<&'a Instruction> {
    chain_before(cx, stage, before).find(|ins| {
        ins.run
            .as_ref()
            .is_some_and(|run| rewrites(run).any(is_ssh_url))
    })
}

/// The instructions before `before` in a stage and the stages it is FROM (what shaped the
/// image a RUN runs in).
fn chain_before<'a>(
    cx: &RuleContext<'a>,
    stage: &Stage,
    before: usize,
) -> impl Iterator<Item = &'a Instruction> {
    let df = cx.df;
    let stage = &df.stages[stage.index];
    df.stage_chain(stage).flat_map(move |st| {
        df.instructions[st.body.clone()]
            .iter()
            .enumerate()
            .filter(move |(i, _)| st.body.start + i < before)
            .map(|(_, ins)| ins)
    })
}

/// 4: git fetches over SSH, GOPRIVATE sends modules to git, but a downloading RUN has no SSH agent.
fn ssh_without_agent(cx: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stage in &cx.df.stages {
        for (idx, ins, go) in cx.go_commands(stage) {
            if !go.wants_cache() || go.sub == "generate" || ins.near_error {
                continue;
            }
            let private = ["GOPRIVATE", "GONOPROXY"]
                .iter()
                .any(|k| effective_env(ins, go, k).is_some_and(|v| !v.is_empty()));
            let has_agent = ins.mounts.iter().any(|m| m.kind() == "ssh");
            if !private || has_agent || ssh_rewrite(cx, stage, idx).is_none() {
                continue;
            }
            let finding = Finding::SshWithoutAgent {
                sub: go.sub.clone(),
            };
            let mut d = cx.report(&finding, ins.range.clone());
            d.fix = Some(finding.unsafe_fix(vec![Edit::insert(
                super::flags_end(ins),
                " --mount=type=ssh",
            )]));
            out.push(d);
        }
    }
}

/// The host of an SSH URL: `git@host:path` or `ssh://git@host[:port]/path`.
fn ssh_host(url: &str) -> Option<&str> {
    let rest = url.trim_matches(['"', '\'']);
    let rest = rest.strip_prefix("ssh://").unwrap_or(rest);
    let rest = rest.split_once('@').map_or(rest, |(_, h)| h);
    let host = rest.split([':', '/']).next()?;
    (!host.is_empty() && !host.contains('$')).then_some(host)
}

/// 5: git fetches over SSH but nothing sets up known_hosts before the download: the first fetch
/// fails with `Host key verification failed`. Once per stage, at its first downloading RUN.
fn ssh_without_known_hosts(cx: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stage in &cx.df.stages {
        let Some(&(idx, ins, go)) = cx
            .go_commands(stage)
            .iter()
            .find(|(_, _, g)| g.wants_cache() && g.sub != "generate")
        else {
            continue;
        };
        let Some(rewrite) = ssh_rewrite(cx, stage, idx) else {
            continue;
        };
        if ins.near_error || known_hosts_set_up(cx, stage, idx) || !git_fetches(ins, go) {
            continue;
        }
        let hosts: Vec<&str> = rewrite
            .run
            .iter()
            .flat_map(rewrites)
            .filter(|u| is_ssh_url(u))
            .filter_map(ssh_host)
            .collect();
        let Some(host) = hosts.first() else { continue };
        let finding = Finding::SshWithoutKnownHosts {
            host: host.to_string(),
            sub: go.sub.clone(),
        };
        let mut d = cx.report(&finding, ins.range.clone());
        if let Some(home) = ins.state.home() {
            let ssh_dir = format!("{}/.ssh", home.trim_end_matches('/'));
            d.fix = Some(finding.unsafe_fix(vec![cx.insert_lines_before(
                ins,
                &[format!(
                    "RUN mkdir -p -m 0700 {ssh_dir} && ssh-keyscan {host} >> {ssh_dir}/known_hosts"
                )],
            )]));
        }
        out.push(d);
    }
}

/// Whether the go command really runs git: modules go around the proxy (GOPRIVATE/GONOPROXY,
/// or `GOPROXY=direct`) and are not vendored.
fn git_fetches(ins: &Instruction, go: &crate::syntax::GoCommand) -> bool {
    let around_proxy = ["GOPRIVATE", "GONOPROXY"]
        .iter()
        .any(|k| effective_env(ins, go, k).is_some_and(|v| !v.is_empty()))
        || effective_env(ins, go, "GOPROXY").is_some_and(|v| v.trim() == "direct");
    around_proxy && super::mod_mode(ins, go).as_deref() != Some("vendor")
}

/// Something before `before` (in the stage or a stage it is FROM) that handles SSH host keys:
/// ssh-keyscan, a known_hosts file copied or mounted, StrictHostKeyChecking.
fn known_hosts_set_up(cx: &RuleContext, stage: &Stage, before: usize) -> bool {
    chain_before(cx, stage, before + 1).any(|i| {
        let text = &cx.df.source[i.range.clone()];
        ["known_hosts", "ssh-keyscan", "StrictHostKeyChecking"]
            .iter()
            .any(|w| text.contains(w))
    })
}

/// GOPRIVATE-style matching: the pattern (a path glob) matches a prefix of the module path.
fn matches_private(pattern: &str, module: &str) -> bool {
    let pat = pattern.trim_end_matches("/*").trim_end_matches('/');
    let parts = pat.split('/').count();
    let prefix: Vec<&str> = module.split('/').take(parts).collect();
    if prefix.len() < parts {
        return false;
    }
    globset::Glob::new(pat).is_ok_and(|g| g.compile_matcher().is_match(prefix.join("/")))
}

/// The GOPRIVATE entry for a module: the configured pattern it matches, as a prefix.
fn private_prefix<'a>(patterns: &'a [String], module: &'a str) -> &'a str {
    patterns
        .iter()
        .find(|p| matches_private(p, module))
        .map_or(host(module), |p| {
            p.trim_end_matches("/*").trim_end_matches('/')
        })
}
