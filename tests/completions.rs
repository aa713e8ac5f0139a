//! `tfguard completions SHELL` and `tfguard man`: generated from the clap definition, so they
//! must name the real subcommands and flags, parse in their shell, and render as a man page.

mod common;
use common::*;

use std::process::{Command, Stdio};

/// Every visible subcommand and a few flags of `check`, as the clap definition has them.
fn subcommands() -> Vec<String> {
    use clap::CommandFactory;
    let cmd = tfguard::cli::Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect();
    for want in [
        "check",
        "rules",
        "explain",
        "apply",
        "token",
        "completions",
        "man",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    names
}

const CHECK_FLAGS: [&str; 4] = ["--format", "--fail-on", "--vault-secret", "--max-memory"];

fn completions(shell: &str) -> String {
    let o = run(tfguard().args(["completions", shell]));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{shell}: {err}");
    assert!(err.is_empty(), "{shell}: {err}");
    out
}

#[test]
fn each_shell_gets_a_script_naming_the_subcommands_and_flags() {
    let subs = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = completions(shell);
        for s in &subs {
            assert!(script.contains(s.as_str()), "{shell}: no `{s}`");
        }
        for f in CHECK_FLAGS {
            // fish and powershell spell long flags without the dashes in places.
            let bare = f.trim_start_matches('-');
            assert!(script.contains(bare), "{shell}: no `{f}`");
        }
        // Value completions come from the definition too: the formats, gitlab included
        // (clap_complete's powershell and elvish scripts complete flags, not values).
        if ["bash", "zsh", "fish"].contains(&shell) {
            for v in ["sarif", "junit", "gitlab"] {
                assert!(script.contains(v), "{shell}: no format `{v}`");
            }
        }
    }
    let o = run(tfguard().args(["completions", "tcsh"]));
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn bash_completion_parses_and_completes() {
    let script = completions("bash");
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "tfguard.bash", &script);
    let o = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(o.status.success(), "bash -n: {}", text(&o).1);
    // Source it and ask for completions as bash would on `tfguard ch<TAB>` and
    // `tfguard check --form<TAB>` and `tfguard check --format <TAB>`.
    let probe = format!(
        r#"source {file}
complete -p tfguard
ask() {{ COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}; COMPREPLY=(); _tfguard tfguard "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"; echo "$1 ${{*:2}} => ${{COMPREPLY[*]}}"; }}
ask tfguard ch
ask tfguard check --form
ask tfguard check --format ''
"#,
        file = file.display()
    );
    let o = Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &probe])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(out.contains(" -F _tfguard tfguard"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let answer = |q: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(q))
            .map(|l| l.split_once("=> ").map(|x| x.1).unwrap_or(""))
            .unwrap_or_else(|| panic!("no answer for {q}: {out}"))
            .to_string()
    };
    assert_eq!(answer("tfguard ch "), "check");
    assert!(
        answer("tfguard check --form ").contains("--format"),
        "{out}"
    );
    let formats = answer("tfguard check --format ");
    for f in ["human", "json", "sarif", "github", "junit", "gitlab"] {
        assert!(formats.split(' ').any(|x| x == f), "{f} not in {formats}");
    }
}

/// The roff source's section names (`.SH NAME` → `NAME`).
fn sections(roff: &str) -> Vec<String> {
    roff.lines()
        .filter_map(|l| l.strip_prefix(".SH "))
        .map(|s| s.trim_matches('"').to_string())
        .collect()
}

#[test]
fn man_page_is_roff_with_the_subcommands_and_renders() {
    let o = run(tfguard().arg("man"));
    let (page, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains("\n.TH "),
        "{page}"
    );
    let th = page
        .lines()
        .find(|l| l.starts_with(".TH "))
        .expect(".TH line");
    assert!(th.starts_with(".TH tfguard 1 "), "{th}");
    let s = sections(&page);
    for want in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "SUBCOMMANDS",
        "EXIT STATUS",
        "VERSION",
    ] {
        assert!(s.iter().any(|x| x == want), "no {want} in {s:?}");
    }
    for sub in subcommands() {
        assert!(
            page.contains(&format!("tfguard\\-{sub}")),
            "subcommand {sub} not in the page"
        );
    }
    // It renders: man's formatter (groff or mandoc, whichever is here) turns it into text.
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "tfguard.1", &page);
    let rendered = ["mandoc", "groff", "nroff"].iter().find_map(|tool| {
        let mut c = Command::new(tool);
        match *tool {
            "mandoc" => c.args(["-T", "utf8"]),
            "groff" => c.args(["-man", "-T", "utf8"]),
            _ => c.args(["-man"]),
        };
        c.arg(&file).output().ok().filter(|o| o.status.success())
    });
    match rendered {
        Some(o) => {
            let txt = String::from_utf8_lossy(&o.stdout);
            // Formatters may embolden by overstriking; strip backspace pairs.
            let plain: String = {
                let mut v: Vec<char> = Vec::new();
                for ch in txt.chars() {
                    if ch == '\u{8}' {
                        v.pop();
                    } else {
                        v.push(ch);
                    }
                }
                v.into_iter().collect()
            };
            assert!(plain.contains("SUBCOMMANDS"), "{plain}");
            assert!(plain.contains("tfguard-check"), "{plain}");
            assert!(plain.contains("EXIT STATUS"), "{plain}");
        }
        None => eprintln!(
            "note: no roff formatter (mandoc, groff, nroff) here; checked the source only"
        ),
    }
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(tfguard().args(["man", "--dir"]).arg(dir.path()));
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert!(o.stdout.is_empty());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = subcommands()
        .iter()
        .map(|s| format!("tfguard-{s}.1"))
        .collect();
    want.push("tfguard.1".into());
    want.sort();
    assert_eq!(names, want);
    let check = std::fs::read_to_string(dir.path().join("tfguard-check.1")).unwrap();
    assert!(check.contains(".TH tfguard-check 1 "), "{check}");
    for f in CHECK_FLAGS {
        let roff_flag = f.replace('-', "\\-");
        assert!(check.contains(&roff_flag), "{f} not in tfguard-check.1");
    }
    // A missing directory is a usage error, and nothing is written.
    let o = run(tfguard()
        .args(["man", "--dir"])
        .arg(dir.path().join("missing")));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("not a directory"));
}
