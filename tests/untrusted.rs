//! A scanned repository is untrusted input: nothing in it runs, blocks the scan or is lost
//! silently, and every output names a file by one path (issue 12, items 3, 4, 6, 7 and 9).
//! Fixtures are generated here: FIFOs, devices, hostile `.git` files and configs, unreadable
//! folders, file names that are not UTF-8. Every run has a timeout, so a regression fails
//! instead of hanging the test suite.

mod git_support;
use git_support::git;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

const POLICY: &str = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({Statement=[{Effect=\"Allow\",Action=\"*\",Resource=\"*\"}]})\n}\n";
const ROLE: &str = "resource \"aws_iam_role\" \"r\" {\n  name = \"x\"\n}\n";

struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

fn nhilint_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(dir)
        .env("NHILINT_TODAY", "2026-01-01")
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("nhilint {args:?} was killed (timeout?)"));
    Run {
        code,
        json: serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn findings(r: &Run) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = r.json["findings"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn errors(r: &Run) -> Vec<(String, String)> {
    r.json["errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Repro 10: `core.fsmonitor`, a clean filter, a textconv driver, an external diff, a pager and
/// hooks configured in the scanned repository's `.git/config` never run.
#[test]
fn repository_config_never_runs_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let markers = tmp.path().join("markers");
    std::fs::create_dir(&markers).unwrap();
    let repo = tmp.path().join("repo");
    write(&repo.join("main.tf"), ROLE);
    write(&repo.join("infra/iam.tf"), ROLE);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    std::fs::write(repo.join("infra/iam.tf"), format!("{ROLE}{POLICY}")).unwrap();
    write(&repo.join("new.tf"), POLICY);
    let m = |name: &str| format!("touch {}/{name}; cat", markers.display());
    for (k, v) in [
        ("core.fsmonitor", m("fsmonitor")),
        ("filter.evil.clean", m("clean")),
        ("filter.evil.smudge", m("smudge")),
        ("filter.evil.process", m("process")),
        ("diff.evil.textconv", m("textconv")),
        ("diff.external", m("external")),
        ("core.pager", m("pager")),
        (
            "core.hooksPath",
            markers.join("hooks").display().to_string(),
        ),
    ] {
        git(&repo, &["config", k, &v]);
    }
    let hooks = markers.join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    for h in [
        "post-checkout",
        "post-index-change",
        "reference-transaction",
    ] {
        let p = hooks.join(h);
        std::fs::write(&p, format!("#!/bin/sh\ntouch {}/hook\n", markers.display())).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    write(&repo.join(".gitattributes"), "*.tf filter=evil diff=evil\n");

    let r = nhilint_in(
        tmp.path(),
        &[
            "check",
            "--format",
            "json",
            "--changed-since",
            "main",
            "repo",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r),
        vec![
            ("infra/iam.tf".into(), "iam-wildcard-action".into()),
            ("new.tf".into(), "iam-wildcard-action".into()),
        ],
        "{}",
        r.stderr
    );
    let r = nhilint_in(&repo, &["inventory", "--since", "main"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let made: Vec<_> = std::fs::read_dir(&markers)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "hooks")
        .collect();
    assert!(made.is_empty(), "the repository ran commands: {made:?}");
}

/// Repro 11: a `.git` file whose `commondir` is a FIFO or `/dev/zero` neither blocks nor
/// exhausts memory; the scan goes on with its findings.
#[cfg(unix)]
#[test]
fn hostile_git_links_do_not_block() {
    for target in ["fifo", "/dev/zero", "dir-fifo"] {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        write(&repo.join("main.tf"), POLICY);
        std::fs::create_dir_all(repo.join("g/objects")).unwrap();
        match target {
            "fifo" => {
                std::fs::write(repo.join(".git"), "gitdir: g\n").unwrap();
                nhilint::fsafe::mkfifo(&repo.join("g/commondir"));
            }
            "dir-fifo" => nhilint::fsafe::mkfifo(&repo.join(".git")),
            dev => {
                std::fs::write(repo.join(".git"), "gitdir: g\n").unwrap();
                std::os::unix::fs::symlink(dev, repo.join("g/commondir")).unwrap();
            }
        }
        let r = nhilint_in(tmp.path(), &["check", "--format", "json", "repo"]);
        assert_eq!(r.code, 1, "{target}: {}", r.stderr);
        assert_eq!(
            findings(&r),
            vec![("repo/main.tf".into(), "iam-wildcard-action".into())],
            "{target}"
        );
        // Diff mode refuses such a repository instead of hanging.
        let r = nhilint_in(tmp.path(), &["check", "--changed-since", "HEAD", "repo"]);
        assert_eq!(r.code, 2, "{target}: {}", r.stderr);
    }
}

/// Repro 12: FIFOs and devices given as arguments or met while walking (even as an ignore file)
/// are never opened; arguments are reported, the other files' findings kept.
#[cfg(unix)]
#[test]
fn fifos_and_devices_are_never_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join("main.tf"), POLICY);
    nhilint::fsafe::mkfifo(&d.join("fifo.tf"));
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.tf")).unwrap();
    write(&d.join("sub/x.tf"), POLICY);
    nhilint::fsafe::mkfifo(&d.join("sub/.gitignore"));
    nhilint::fsafe::mkfifo(&d.join(".nhilintignore"));
    nhilint::fsafe::mkfifo(&d.join("nhilint.toml"));

    let r = nhilint_in(
        d,
        &["check", "--format", "json", "fifo.tf", "zero.tf", "main.tf"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r),
        vec![("main.tf".into(), "iam-wildcard-action".into())]
    );
    let errs = errors(&r);
    assert!(
        errs.contains(&(
            "fifo.tf".into(),
            "not a regular file (fifo); not read".into()
        )),
        "{errs:?}"
    );
    assert!(
        errs.contains(&(
            "zero.tf".into(),
            "not a regular file (device); not read".into()
        )),
        "{errs:?}"
    );
    // Walking: the FIFOs (a `.gitignore` among them) and the symlink are skipped.
    let r = nhilint_in(d, &["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r),
        vec![
            ("main.tf".into(), "iam-wildcard-action".into()),
            ("sub/x.tf".into(), "iam-wildcard-action".into()),
        ]
    );
}

/// Repro 13: two names that are not UTF-8 stay two files, escaped losslessly, and are reported.
#[cfg(target_os = "linux")]
#[test]
fn non_utf8_names_never_collapse() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    for b in [0xffu8, 0xfe] {
        let bytes = [b'a', b, b'.', b't', b'f'];
        std::fs::write(repo.join(std::ffi::OsStr::from_bytes(&bytes)), POLICY).unwrap();
    }
    let r = nhilint_in(tmp.path(), &["check", "--format", "json", "repo"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r),
        vec![
            ("repo/a\\xfe.tf".into(), "iam-wildcard-action".into()),
            ("repo/a\\xff.tf".into(), "iam-wildcard-action".into()),
        ]
    );
    assert_eq!(r.json["stats"]["files_scanned"], 2);
    let errs = errors(&r);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs.iter().all(|(_, m)| m.contains("not valid UTF-8")));
    // --strict fails on them.
    let r = nhilint_in(
        tmp.path(),
        &["check", "--strict", "--fail-on", "none", "repo"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
}

/// Repro 21: an unreadable folder is an error (and `--strict` fails), not a silent skip. Root
/// reads everything, so as root the scan runs as `nobody` through `setpriv` (util-linux).
#[cfg(target_os = "linux")]
#[test]
fn unreadable_folders_are_errors() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    let repo = d.join("repo");
    write(&repo.join("locked/x.tf"), POLICY);
    write(&repo.join("ok.tf"), "variable \"a\" {}\n");
    write(&repo.join("secret.tf"), POLICY);
    std::fs::set_permissions(repo.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(
        repo.join("secret.tf"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_nhilint"));
    let run = |args: &[&str]| -> (i32, Value) {
        // The binary copy may still be open for writing in a child that another test thread
        // forked meanwhile (ETXTBSY, "Text file busy"): try again a few times.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut c = if root {
                // Copy the binary where `nobody` can run it.
                let b = d.join("nhilint");
                if !b.exists() {
                    std::fs::copy(&bin, &b).unwrap();
                    std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o755)).unwrap();
                }
                let mut c = Command::new("setpriv");
                c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                    .arg(b);
                c
            } else {
                Command::new(&bin)
            };
            let out = c
                .current_dir(d)
                .args(args)
                .timeout(Duration::from_secs(60))
                .output()
                .expect("setpriv (util-linux) runs the scan as a user without root's permissions");
            if attempt < 10 && String::from_utf8_lossy(&out.stderr).contains("Text file busy") {
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
            return (
                out.status.code().expect("not killed"),
                serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
            );
        }
    };
    let (code, v) = run(&["check", "--format", "json", "repo"]);
    assert_eq!(code, 0, "{v}");
    let errs: Vec<(String, String)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].0, "repo/locked");
    assert!(errs[0].1.contains("cannot read directory"), "{errs:?}");
    assert_eq!(errs[1].0, "repo/secret.tf");
    assert!(errs[1].1.contains("cannot read"), "{errs:?}");
    let (code, _) = run(&["check", "--strict", "--format", "json", "repo"]);
    assert_eq!(code, 1, "--strict fails on an unreadable folder");
    std::fs::set_permissions(repo.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Item 4: a file over `max-file-size` is an error (not a silent skip); paths that do not exist
/// are a usage error.
#[test]
fn oversized_files_and_missing_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join("nhilint.toml"), "[scan]\nmax-file-size = 1000\n");
    write(&d.join("big.tf"), &format!("{POLICY}{}", "#".repeat(2000)));
    write(&d.join("small.tf"), POLICY);
    let r = nhilint_in(d, &["check", "--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        findings(&r),
        vec![("small.tf".into(), "iam-wildcard-action".into())]
    );
    let errs = errors(&r);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, "big.tf");
    assert!(errs[0].1.contains("max-file-size"), "{errs:?}");
    let r = nhilint_in(d, &["check", "--strict", "--fail-on", "none"]);
    assert_eq!(r.code, 1, "--strict fails on an oversized file");
    let r = nhilint_in(d, &["check", "no-such-dir", "nor-this.tf"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// Item 6: one path root. In a repository (here a bare `.git` folder: found by reading, not by
/// running git), paths are relative to its top level whatever is scanned and from wherever;
/// classification sees that path, a symlinked root works, files outside the current folder are
/// scanned.
#[test]
fn every_output_names_a_file_from_the_repository_root() {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().join("proj");
    std::fs::create_dir_all(top.join(".git")).unwrap();
    write(&top.join("infra/k8s/rbac.tf"), POLICY);
    write(&top.join("infra/main.tf"), ROLE);
    let wf = "on: push\npermissions: write-all\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";
    write(&top.join(".github/workflows/ci.yml"), wf);
    let action = "name: x\nruns:\n  using: composite\n  steps:\n    - uses: some-org/notify-action@v1\n      with:\n        token: ${{ secrets.TOKEN }}\n";
    write(&top.join("tools/deploy/action.yml"), action);

    let all = nhilint_in(&top, &["check", "--format", "json"]);
    let whole = findings(&all);
    assert!(
        whole.iter().any(|f| f.0 == ".github/workflows/ci.yml"),
        "{whole:?}"
    );
    assert!(
        whole.iter().any(|f| f.0 == "tools/deploy/action.yml"),
        "{whole:?}"
    );
    let only = |prefix: &str| -> Vec<(String, String)> {
        whole
            .iter()
            .filter(|f| f.0.starts_with(prefix))
            .cloned()
            .collect()
    };
    for (cwd, arg, prefix) in [
        (top.clone(), "infra", "infra/"),
        (top.clone(), "infra/k8s", "infra/k8s/"),
        (top.join("infra"), "k8s", "infra/k8s/"),
        (top.join("infra/k8s"), ".", "infra/k8s/"),
        (top.clone(), ".github/workflows", ".github/workflows/"),
        (top.clone(), "tools/deploy/action.yml", "tools/deploy/"),
        (top.join("tools"), "deploy/action.yml", "tools/deploy/"),
        (top.join("infra/k8s"), "../../.github", ".github/"),
        (tmp.path().to_path_buf(), "proj/infra", "infra/"),
    ] {
        let r = nhilint_in(&cwd, &["check", "--format", "json", arg]);
        assert_eq!(
            findings(&r),
            only(prefix),
            "check {arg} from {}",
            cwd.display()
        );
        let sarif = nhilint_in(&cwd, &["check", "--format", "sarif", arg]);
        let uris: Vec<&str> = sarif.json["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert!(uris.iter().all(|u| u.starts_with(prefix)), "{uris:?}");
    }
    // Baselines use the same paths and fingerprints whatever was scanned.
    let b = tmp.path().join("b.json");
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(&top)
        .args(["baseline", "infra", "-o"])
        .arg(&b)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success());
    let r = nhilint_in(
        &top.join("infra/k8s"),
        &[
            "check",
            "--format",
            "json",
            "--baseline",
            b.to_str().unwrap(),
            ".",
        ],
    );
    assert_eq!(findings(&r), vec![], "{}", r.stderr);
    // A symlinked root argument is followed.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(top.join("infra"), tmp.path().join("link")).unwrap();
        let r = nhilint_in(tmp.path(), &["check", "--format", "json", "link"]);
        assert_eq!(findings(&r), only("infra/"));
    }
    // Outside any repository: relative to the current folder; a folder outside it is scanned.
    let plain = tempfile::tempdir().unwrap();
    write(&plain.path().join("a/x.tf"), POLICY);
    write(&plain.path().join("b/y.tf"), POLICY);
    let r = nhilint_in(
        &plain.path().join("a"),
        &["check", "--format", "json", ".", "../b"],
    );
    assert_eq!(
        findings(&r),
        vec![
            ("a/x.tf".into(), "iam-wildcard-action".into()),
            ("b/y.tf".into(), "iam-wildcard-action".into()),
        ]
    );
}

/// Item 9: the config is as strict as the command line.
#[test]
fn config_rule_tokens_and_fail_on_none() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join("main.tf"), POLICY);
    for (toml, line) in [
        (
            "select = [\"tf-*\"]\nignore = [\n  \"tf-iam-wildcrd-action\",\n]\n",
            3,
        ),
        ("select = [\"NHI11\"]\n", 1),
        ("\nselect = [\"nosuch-*\"]\n", 2),
    ] {
        write(&d.join("nhilint.toml"), toml);
        let r = nhilint_in(d, &["check"]);
        assert_eq!(r.code, 2, "{toml}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("nhilint.toml:{line}:")),
            "{toml}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("matches no rule"), "{}", r.stderr);
    }
    write(&d.join("nhilint.toml"), "fail-on = \"none\"\n");
    let r = nhilint_in(d, &["check", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(findings(&r).len(), 1);
    // The command line still wins.
    let r = nhilint_in(d, &["check", "--fail-on", "high"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

/// Item 7: UTF-16 (LE/BE, with a BOM) and Latin-1/Windows-1252 files are decoded and scanned,
/// with the lines and columns of the UTF-8 original; binaries are skipped without an error.
#[test]
fn non_utf8_text_is_scanned_and_binaries_skipped() {
    let text = "# café € über\nresource \"aws_iam_policy\" \"p\" {\n  description = \"é\"\n  policy = jsonencode({Sid=\"ü€\", Statement=[{Effect=\"Allow\",Action=\"*\",Resource=\"*\"}]})\n}\n";
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join("utf8.tf"), text);
    let utf16 = |be: bool| -> Vec<u8> {
        let mut v = if be {
            vec![0xfe, 0xff]
        } else {
            vec![0xff, 0xfe]
        };
        for u in text.encode_utf16() {
            v.extend(if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        v
    };
    std::fs::write(d.join("le.tf"), utf16(false)).unwrap();
    std::fs::write(d.join("be.tf"), utf16(true)).unwrap();
    let latin: Vec<u8> = text
        .chars()
        .map(|c| if c == '€' { 0x80 } else { c as u32 as u8 })
        .collect();
    std::fs::write(d.join("latin1.tf"), latin).unwrap();
    // Binaries, even with a scanned extension: skipped, no error line.
    std::fs::write(d.join("logo.tf"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    std::fs::write(d.join("tool.py"), b"\x7fELF\x02\x01\x01\x00\x00\x00").unwrap();
    std::fs::write(d.join("data.yaml"), b"\x01\x00\x02\x00\x00\x07\x00\x00k: v").unwrap();

    let r = nhilint_in(d, &["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(errors(&r), vec![], "no error line for binaries");
    let at = |path: &str| -> Vec<(String, u64, u64)> {
        let mut v: Vec<(String, u64, u64)> = r.json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == path)
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["start_line"].as_u64().unwrap(),
                    f["start_column"].as_u64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let reference = at("utf8.tf");
    assert!(
        reference
            .iter()
            .any(|f| f.0 == "iam-wildcard-action" && f.1 == 4),
        "{reference:?}"
    );
    for p in ["le.tf", "be.tf", "latin1.tf"] {
        assert_eq!(at(p), reference, "{p}");
    }
    assert_eq!(r.json["stats"]["files_scanned"], 4);
    assert_eq!(r.json["stats"]["files_skipped"], 3);
}

/// Item 3: every git run has a timeout. A repository whose config includes a FIFO blocks git
/// itself; diff mode gives up with a usage error instead of hanging.
#[cfg(unix)]
#[test]
fn a_blocked_git_is_killed() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    write(&repo.join("main.tf"), POLICY);
    git(repo, &["init", "-q"]);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "base"]);
    nhilint::fsafe::mkfifo(&repo.join(".git/blocker"));
    let cfg = repo.join(".git/config");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("{text}[include]\n\tpath = blocker\n")).unwrap();
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(repo)
        .env("NHILINT_GIT_TIMEOUT", "2")
        .args(["check", "--changed-since", "HEAD"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("did not finish within 2 s"), "{stderr}");
}
