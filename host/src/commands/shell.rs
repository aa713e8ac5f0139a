//! `tfguard completions SHELL` and `tfguard man`: generated from the clap definition in
//! `cli.rs`, so they cannot drift from the real flags. Packagers run the installed binary
//! (`tfguard completions bash > …`, `tfguard man --dir share/man/man1`), the way Homebrew's
//! `generate_completions_from_executable` and most distribution recipes expect.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::{Error, Result};
use crate::output::write_atomic;

/// The clap command as users see it (no `help` subcommand page, names like `tfguard-check`).
fn command() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

pub fn completions(shell: clap_complete::Shell) -> Result<u8> {
    let mut cmd = command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "tfguard", &mut buf);
    std::io::stdout()
        .lock()
        .write_all(&buf)
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(0)
}

/// Every command shares these (README "Exit codes"); clap has no place for them but the
/// free-form after-help, which clap_mangen would file under a section called EXTRA.
const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
No finding at or above the failing severity.
.TP
\fB1\fR
Findings at or above the failing severity, or a refused apply.
.TP
\fB2\fR
Usage, input, configuration, sandbox or internal error: the gate fails closed.
"#;

/// The roff page of one command: clap_mangen's sections, with EXIT STATUS before VERSION.
pub fn render_man(cmd: &clap::Command) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut buf)?;
    }
    buf.extend_from_slice(EXIT_STATUS.as_bytes());
    if cmd.get_version().is_some() {
        man.render_version_section(&mut buf)?;
    }
    Ok(buf)
}

/// `tfguard.1` on stdout, or with `dir` one page per command (`tfguard.1`, `tfguard-check.1`,
/// ...) written atomically into it. Returns nothing on stdout then, so `man --dir` composes.
pub fn man(dir: Option<&Path>) -> Result<u8> {
    let cmd = command();
    let Some(dir) = dir else {
        let page = render_man(&cmd).map_err(|e| Error::io("<man page>", e))?;
        std::io::stdout()
            .lock()
            .write_all(&page)
            .map_err(|e| Error::io("<stdout>", e))?;
        return Ok(0);
    };
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--dir {}: not a directory",
            dir.display()
        )));
    }
    let mut pages = vec![cmd.clone()];
    pages.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    for page in &pages {
        let name = format!(
            "{}.1",
            page.get_display_name().unwrap_or_else(|| page.get_name())
        );
        let path = dir.join(name);
        let bytes = render_man(page).map_err(|e| Error::io(&path, e))?;
        write_atomic(&path, &bytes).map_err(|e| Error::io(&path, e))?;
    }
    Ok(0)
}
