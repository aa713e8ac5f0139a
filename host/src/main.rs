use std::process::ExitCode;

use clap::Parser;
use tfguard::cli::{Cli, Command};
use tfguard::commands;

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, which turns `tfguard rules | head` into a panic; the default action
    // ends the process quietly, as every Unix filter does (exit 141 still fails a pipefail gate).
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is always valid.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Before any HTTP client (Vault, Genesys) is built: reqwest has no provider of its own.
    tfguard::tls::init();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // clap's help/version are successes; every other parse error is a usage error (2).
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match &cli.command {
        Command::Check(args) => commands::check::run(args),
        Command::Fix(args) => commands::fix::run(args),
        Command::Rules => commands::rules::list(),
        Command::Explain { rule } => commands::rules::explain(rule),
        Command::Plan(args) => commands::plan::run(args),
        Command::Apply(args) => commands::apply::run(args),
        Command::Rotate(args) => commands::rotate::run(args),
        Command::Destroy(args) => commands::destroy::run(args),
        Command::Token(args) => commands::token::run(args),
        Command::Completions { shell } => commands::shell::completions(*shell),
        Command::Man { dir } => commands::shell::man(dir.as_deref()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            e.report();
            ExitCode::from(e.exit_code())
        }
    }
}
