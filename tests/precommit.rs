//! The real `pre-commit` tool (PyPI, installed by `scripts/setup --test`) running this
//! repository's `.pre-commit-hooks.yaml` in a temporary git repository: committing the seed's
//! `secrets.tf` is blocked with the finding shown; a clean commit passes.
//!
//! The manifest is copied into a throwaway hook repository and referenced by commit, exactly as
//! users reference tfguard's repository. The `tfguard-system` hook runs the binary cargo just
//! built (put first on PATH), so the test needs no `cargo install` (the `language: rust` hook
//! shares its entry and file pattern; the manifest test below checks they agree).

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Output};

const SEED_SECRET: &str = "Xk9mP2vL7qR4tW8nB3cF6hJ1dG5sA0zY";

/// The seed tutorial's `secrets.tf`, as it gives it.
const SECRETS_TF: &str = r#"# secrets.tf
# 1. Generate a cryptographically secure password
resource "random_password" "oauth_client_secret" {
  length  = 32
  special = false
  # Ensure the password contains uppercase, lowercase, and digits
  override_special = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
}

# 2. Store the generated password in HashiCorp Vault
# This ensures the secret is available for runtime retrieval by your application
resource "vault_generic_secret" "genesys_oauth_secret" {
  path = "secret/data/genesys/oauth/my-app"

  data_json = jsonencode({
    client_id     = genesyscloud_oauth_client.my_app.client_id
    client_secret = random_password.oauth_client_secret.result
  })
}
"#;

/// The fix: an ephemeral secret that only reaches a write-only argument.
const CLEAN_TF: &str = r#"ephemeral "random_password" "oauth_client_secret" {
  length  = 32
  special = false
}

resource "vault_kv_secret_v2" "oauth" {
  mount                = "secret"
  name                 = "genesys/oauth/my-app"
  data_json_wo         = jsonencode({ client_secret = ephemeral.random_password.oauth_client_secret.result })
  data_json_wo_version = 1
}
"#;

struct Env {
    _tmp: tempfile::TempDir,
    home: std::path::PathBuf,
    path: String,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().to_path_buf();
        let bin = Path::new(env!("CARGO_BIN_EXE_tfguard")).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Env {
            _tmp: tmp,
            home,
            path,
        }
    }

    fn cmd(&self, prog: &str, dir: &Path) -> Command {
        let mut c = Command::new(prog);
        c.current_dir(dir)
            .env("PATH", &self.path)
            .env("HOME", &self.home)
            .env("PRE_COMMIT_HOME", self.home.join("pre-commit-cache"))
            .env("TFGUARD_CACHE_DIR", root().join("target/test-cache"))
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env_remove("VAULT_ADDR")
            .env_remove("VAULT_TOKEN");
        c
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Output {
        self.cmd("git", dir).args(args).output().expect("git")
    }

    fn ok(&self, dir: &Path, args: &[&str]) -> String {
        let o = self.git(dir, args);
        assert!(o.status.success(), "git {args:?}: {:?}", text(&o));
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    }
}

fn init_repo(env: &Env, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    env.ok(dir, &["init", "-q", "-b", "main"]);
    env.ok(dir, &["config", "commit.gpgsign", "false"]);
}

/// A hook repository holding only our manifest, committed; returns its commit.
fn hook_repo(env: &Env, dir: &Path) -> String {
    init_repo(env, dir);
    std::fs::copy(
        root().join(".pre-commit-hooks.yaml"),
        dir.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    env.ok(dir, &["add", ".pre-commit-hooks.yaml"]);
    env.ok(dir, &["commit", "-q", "-m", "hooks"]);
    env.ok(dir, &["rev-parse", "HEAD"])
}

#[test]
fn commit_with_seed_secrets_tf_is_blocked_and_a_clean_commit_passes() {
    let env = Env::new();
    let hooks = env.home.join("hooks");
    let rev = hook_repo(&env, &hooks);
    let repo = env.home.join("repo");
    init_repo(&env, &repo);
    write(
        &repo,
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: tfguard-system\n",
            hooks.display()
        ),
    );
    let install = env
        .cmd("pre-commit", &repo)
        .arg("install")
        .output()
        .expect("`pre-commit` not found: run scripts/setup --test");
    assert!(install.status.success(), "{:?}", text(&install));

    // Clean commit: a fixed configuration plus an unrelated JSON file (skipped, not an error).
    write(&repo, "main.tf", CLEAN_TF);
    write(&repo, "package.json", "{\"name\": \"app\"}\n");
    env.ok(&repo, &["add", "."]);
    let o = env.git(&repo, &["commit", "-m", "clean"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "clean commit blocked:\n{out}{err}");
    assert!(
        format!("{out}{err}").contains("Passed"),
        "hook did not run:\n{out}{err}"
    );

    // The seed's secrets.tf: blocked, with the findings in the hook output.
    write(&repo, "secrets.tf", SECRETS_TF);
    env.ok(&repo, &["add", "secrets.tf"]);
    let o = env.git(&repo, &["commit", "-m", "add secrets.tf"]);
    let (out, err) = text(&o);
    let all = format!("{out}{err}");
    assert!(!o.status.success(), "commit was not blocked:\n{all}");
    assert!(all.contains("Failed"), "{all}");
    assert!(all.contains("error[TFG010]"), "{all}");
    assert!(all.contains("error[TFG012]"), "{all}");
    assert!(all.contains("--> secrets.tf:"), "{all}");
    assert!(all.contains("random_password.oauth_client_secret"), "{all}");
    assert!(!all.contains(SEED_SECRET));
    // Nothing was committed: HEAD is still the clean commit.
    assert_eq!(env.ok(&repo, &["log", "-1", "--format=%s"]), "clean");

    // A state file with the leaked secret is blocked too (state is checked, value never shown).
    env.ok(&repo, &["reset", "-q", "HEAD", "secrets.tf"]);
    std::fs::remove_file(repo.join("secrets.tf")).unwrap();
    std::fs::copy(
        root().join("examples/seed/terraform.tfstate"),
        repo.join("terraform.tfstate"),
    )
    .unwrap();
    env.ok(&repo, &["add", "terraform.tfstate"]);
    let o = env.git(&repo, &["commit", "-m", "add state"]);
    let all = format!("{}{}", text(&o).0, text(&o).1);
    assert!(!o.status.success(), "{all}");
    assert!(all.contains("error[TFG001]"), "{all}");
    assert!(!all.contains(SEED_SECRET), "secret shown in hook output");
}

#[test]
fn manifest_hooks_agree() {
    let m = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let field = |id: &str, key: &str| -> String {
        let block = m
            .split("\n- id: ")
            .find(|b| b.starts_with(&format!("{id}\n")))
            .unwrap_or_else(|| panic!("no hook {id}"));
        block
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("{id} has no {key}"))
            .to_string()
    };
    assert_eq!(field("tfguard", "language"), "rust");
    assert_eq!(field("tfguard-system", "language"), "system");
    for key in ["entry", "files", "require_serial"] {
        assert_eq!(field("tfguard", key), field("tfguard-system", key), "{key}");
    }
    assert_eq!(field("tfguard", "entry"), "tfguard check --skip-unknown");
    assert_eq!(
        field("tfguard", "files"),
        r"\.(tf|tfvars|tfstate|tfstate\.backup|json)$"
    );
}
