//! The program: parse the command line ([`cli::Cli`]) and hand each command to its front end,
//! translating its arguments on the way. The front ends ([`cli`], [`lsp`], [`bot`]) never call
//! each other; this is the one place that knows them all.

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{self, Cli, Command, EXIT_CLEAN, EXIT_ERROR, ForgeArg, PrArgs};
use crate::config::ForgeKind;
use crate::{bot, diagnose, lsp};

/// Run the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    ExitCode::from(match cli.command {
        Some(Command::Explain { code }) => cli::info::explain(&code),
        Some(Command::Rules { output_format }) => cli::info::list_rules(output_format),
        Some(Command::Pr(pr)) => bot::run(&pr_options(pr)),
        Some(Command::Diagnose(d)) => diagnose::run(&d),
        Some(Command::Lsp) => match lsp::run() {
            Ok(()) => EXIT_CLEAN,
            Err(e) => {
                eprintln!("gomodfix lsp: {e}");
                EXIT_ERROR
            }
        },
        Some(Command::Config {
            show: _,
            config,
            path,
        }) => cli::info::show_config(config, path),
        None => cli::run_check(&cli.check),
    })
}

/// `gomodfix pr`'s flags as the bot's options.
fn pr_options(a: PrArgs) -> bot::PrOptions {
    bot::PrOptions {
        forge: a.forge.map(|f| match f {
            ForgeArg::Auto => ForgeKind::Auto,
            ForgeArg::Github => ForgeKind::Github,
            ForgeArg::Gitlab => ForgeKind::Gitlab,
        }),
        branch: a.branch,
        remote: a.remote,
        base: a.base,
        unsafe_fixes: a.unsafe_fixes,
        dry_run: a.dry_run,
        close_when_clean: a.close_when_clean,
        labels: a.labels,
        reviewers: a.reviewers,
        author: a.author,
        signoff: a.signoff,
        verify: a.verify,
        path: a.path,
    }
}
