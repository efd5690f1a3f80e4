//! Where piiscan runs unattended: git pre-commit (`--staged`, `--since`, `hook install`), inline
//! suppression, `--fail-on`, `piiscan.toml`, baselines, `diff` of two reports, and `--cache`.
//! Git repositories are real ones, made in temp dirs.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command as StdCommand;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use tempfile::TempDir;

use crate::common::*;

/// Runs piiscan with `args` in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    Run::from(
        piiscan()
            .current_dir(dir)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("run: {e}")),
    )
}

/// Runs git in `dir` with a fixed identity and no user/system configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = StdCommand::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("PIISCAN_FINGERPRINT_KEY", "test-key-0123456789abcdef")
        .output()
        .unwrap_or_else(|e| panic!("git: {e}"));
    assert!(
        out.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    dir
}

fn findings_of(run: &Run) -> Vec<Value> {
    run.jsonl()
}

const CLEAN: &str = "Nothing personal here.\nJust build notes.\n";

// ---------------------------------------------------------------- git: --staged, --since, hook

#[test]
fn staged_scans_the_index_and_only_added_lines() {
    let r = repo();
    let d = r.path();
    // Committed PII in an existing file is not the commit's doing.
    write(d, "old.txt", format!("Customer email: {EMAIL}\n"));
    git(d, &["add", "old.txt"]);
    git(d, &["commit", "-q", "-m", "old"]);
    write(
        d,
        "old.txt",
        format!("Customer email: {EMAIL}\nmore notes\n"),
    );
    git(d, &["add", "old.txt"]);
    let run = run_in(d, &["scan", "--staged", "--format", "jsonl"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.jsonl().is_empty());

    // A new value added to the existing file is found, at its true line.
    write(
        d,
        "old.txt",
        format!("Customer email: {EMAIL}\nmore notes\nMobile: {PHONE}\n"),
    );
    git(d, &["add", "old.txt"]);
    // Staged PII in a new file, then removed from the working tree only: the index is scanned.
    write(d, "new.txt", format!("DOB: {DOB}\nPaid with card {CARD}\n"));
    git(d, &["add", "new.txt"]);
    write(d, "new.txt", CLEAN);
    // Unstaged PII is not part of the commit.
    write(d, "unstaged.txt", format!("Customer email: {EMAIL}\n"));
    let run = run_in(d, &["scan", "--staged", "--format", "jsonl"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = findings_of(&run);
    let places: Vec<(String, String, u64)> = f
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        places.contains(&("old.txt".into(), "phone".into(), 3)),
        "{places:?}"
    );
    assert!(places.contains(&("new.txt".into(), "credit_card".into(), 2)));
    assert!(places.iter().all(|p| p.0 != "unstaged.txt"));
    assert!(!places.contains(&("old.txt".into(), "email".into(), 1)));
    // .piiscanignore and --exclude opt paths out, as in a walk.
    write(d, ".piiscanignore", "fixtures/\n");
    write(
        d,
        "fixtures/deep/f.txt",
        format!("Customer email: {EMAIL}\n"),
    );
    git(d, &["add", ".piiscanignore", "fixtures"]);
    let run = run_in(
        d,
        &[
            "scan",
            "--staged",
            "--format",
            "jsonl",
            "--exclude",
            "new.txt",
        ],
    );
    let paths: Vec<&str> = run
        .jsonl()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .map(|p| {
            if p.starts_with("fixtures") {
                "fixtures"
            } else if p == "new.txt" {
                "new.txt"
            } else {
                "other"
            }
        })
        .collect();
    assert!(
        !paths.contains(&"fixtures") && !paths.contains(&"new.txt"),
        "{}",
        run.stdout
    );
    // Paths limit the staged scan.
    let run = run_in(d, &["scan", "--staged", "--format", "jsonl", "old.txt"]);
    assert!(findings_of(&run).iter().all(|f| f["path"] == "old.txt"));
    assert!(!run.stdout.contains(CARD) && !run.stdout.contains(PHONE));
}

#[test]
fn since_scans_what_changed_after_a_revision() {
    let r = repo();
    let d = r.path();
    write(d, "a.txt", CLEAN);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "one"]);
    let first = git(d, &["rev-parse", "HEAD"]).trim().to_string();
    write(d, "b.txt", format!("Customer email: {EMAIL}\n"));
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "two"]);
    let run = run_in(d, &["scan", "--since", &first, "--format", "jsonl"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(of_kind(&run.jsonl(), "email").len(), 1);
    let run = run_in(d, &["scan", "--since", "HEAD", "--format", "jsonl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = run_in(d, &["scan", "--since", "no-such-rev"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-rev"), "{}", run.stderr);
}

#[test]
fn hook_install_is_idempotent_refuses_foreign_hooks_and_gates_commits() {
    let r = repo();
    let d = r.path();
    let run = run_in(d, &["hook", "install"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hook = d.join(".git/hooks/pre-commit");
    let first = std::fs::read_to_string(&hook).unwrap();
    assert!(first.contains("piiscan-hook") && first.contains("scan --staged"));
    assert!(std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111 != 0);
    let run = run_in(d, &["hook", "install"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), first);

    // The hook gates real commits.
    write(d, "clean.txt", CLEAN);
    git(d, &["add", "clean.txt"]);
    git(d, &["commit", "-q", "-m", "clean"]);
    write(d, "pii.txt", format!("Customer email: {EMAIL}\n"));
    git(d, &["add", "pii.txt"]);
    let out = StdCommand::new("git")
        .current_dir(d)
        .args(["commit", "-q", "-m", "pii"])
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(!out.status.success(), "commit with PII must fail");
    let log = git(d, &["log", "--oneline"]);
    assert_eq!(log.lines().count(), 1, "{log}");

    // A foreign hook is never overwritten.
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let run = run_in(d, &["hook", "install"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
}

/// The lines a commit gate prints, parsed; panics on a line before the first blank one that is
/// not a `--list` line.
fn listed_lines(stdout: &str) -> Vec<Listed> {
    stdout
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| parse_listed(l).unwrap_or_else(|| panic!("not a --list line: {l:?}\n{stdout}")))
        .collect()
}

#[test]
fn a_commit_gate_lists_the_lines_by_default_and_says_how_to_accept_them() {
    let r = repo();
    let d = r.path();
    write(d, "clean.txt", CLEAN);
    git(d, &["add", "clean.txt"]);
    git(d, &["commit", "-q", "-m", "clean"]);
    write(d, "pii.txt", format!("notes\nCustomer email: {EMAIL}\n"));
    git(d, &["add", "pii.txt"]);
    let want = |l: &Listed| {
        (l.path.as_str(), l.line, l.column, l.kind.as_str()) == ("pii.txt", 2, 17, "email")
    };
    let hints = ["piiscan:allow", "[allow]", "piiscan baseline create"];

    // The plain-git hook runs `scan --staged`.
    let run = run_in(d, &["scan", "--staged", "--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines = listed_lines(&run.stdout);
    assert!(lines.iter().any(want), "{}", run.stdout);
    assert!(!lines[0].masked.contains("olivia"), "{lines:?}");
    assert!(!run.stdout.contains("risk score"), "{}", run.stdout);
    for h in hints {
        assert!(run.stdout.contains(h), "no {h:?} in {}", run.stdout);
    }
    // --no-list gives the summary back.
    let run = run_in(d, &["scan", "--staged", "--no-list", "--color", "never"]);
    assert!(run.stdout.contains("risk score"), "{}", run.stdout);

    // The pre-commit framework (it sets PRE_COMMIT) runs each entry of .pre-commit-hooks.yaml
    // with the files being committed appended.
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let entries: Vec<&str> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("entry: piiscan "))
        .collect();
    assert_eq!(entries.len(), 2, "{hooks}");
    for entry in entries {
        let mut args: Vec<&str> = entry.split_whitespace().collect();
        args.extend(["--color", "never", "pii.txt"]);
        let run = Run::from(
            piiscan()
                .current_dir(d)
                .env("PRE_COMMIT", "1")
                .args(&args)
                .output()
                .unwrap(),
        );
        assert_eq!(run.code, 1, "{entry}: {}", run.stderr);
        assert!(
            listed_lines(&run.stdout).iter().any(want),
            "{entry}: {}",
            run.stdout
        );
        assert!(run.stdout.contains(hints[0]), "{entry}: {}", run.stdout);
        // Another format asked for in `args:` is honoured, not refused.
        let mut json = args.clone();
        json.extend(["--format", "jsonl"]);
        let run = Run::from(
            piiscan()
                .current_dir(d)
                .env("PRE_COMMIT", "1")
                .args(&json)
                .output()
                .unwrap(),
        );
        assert_eq!(run.code, 1, "{entry}: {}", run.stderr);
        assert!(!run.jsonl().is_empty());
    }

    // The installed hook shows the committer the line.
    assert_eq!(run_in(d, &["hook", "install"]).code, 0);
    let out = StdCommand::new("git")
        .current_dir(d)
        .args(["commit", "-q", "-m", "pii"])
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("PIISCAN_FINGERPRINT_KEY", "test-key-0123456789abcdef")
        .env_remove("PRE_COMMIT")
        .output()
        .unwrap();
    assert!(!out.status.success(), "commit with PII must fail");
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("pii.txt:2:17 email "), "{shown}");
    assert!(shown.contains("piiscan:allow"), "{shown}");

    // Following the advice lets the commit through.
    write(
        d,
        "pii.txt",
        format!("notes\nCustomer email: {EMAIL} # piiscan:allow\n"),
    );
    git(d, &["add", "pii.txt"]);
    let run = run_in(d, &["scan", "--staged", "--color", "never"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("0 findings"), "{}", run.stdout);
    assert!(
        run.stdout.lines().all(|l| parse_listed(l).is_none()),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------- suppression and fail-on

#[test]
fn inline_suppression_on_the_line_in_any_comment_syntax() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "a.txt",
        format!(
            "Customer email: {EMAIL}  # piiscan:allow\n\
             <!-- piiscan:allow --> Mobile: {PHONE}\n\
             Card {CARD} /* test card, piiscan:allow */\n\
             DOB: {DOB}\n"
        ),
    );
    let run = scan_jsonl(dir.path(), &[]);
    let f = run.jsonl();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let kinds: Vec<&str> = f.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["date_of_birth"], "{f:?}");
    assert!(
        run.stderr.contains("3 findings suppressed"),
        "{}",
        run.stderr
    );

    // Structured formats: the marker in another cell of the same row / object line.
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "a.csv",
        "id,email,note\n1,ann.test@example.org,\n2,ben.test@example.org,piiscan:allow\n",
    );
    write(
        dir.path(),
        "b.ndjson",
        "{\"email\":\"cat.test@example.org\",\"note\":\"piiscan:allow\"}\n\
         {\"email\":\"dan.test@example.org\"}\n",
    );
    let f = scan_jsonl(dir.path(), &[]).jsonl();
    let lines: Vec<(&str, u64)> = f
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .map(|(p, l)| (p.rsplit('/').next().unwrap(), l))
        .collect();
    assert_eq!(lines, vec![("a.csv", 2), ("b.ndjson", 2)], "{f:?}");
    // An audit of data can refuse markers anyone writing a row could add.
    write(dir.path(), "piiscan.toml", "inline_allow = false\n");
    assert_eq!(scan_jsonl(dir.path(), &[]).jsonl().len(), 4);
}

#[test]
fn fail_on_policy_changes_exit_1_only() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "t.txt", ticket());
    let p = dir.path().to_string_lossy().into_owned();
    assert_eq!(scan(&["--fail-on", "credit_card", &p]).code, 1);
    let run = scan(&["--fail-on", "passport_number", "--format", "jsonl", &p]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.jsonl().is_empty(), "findings are still reported");
    assert_eq!(
        scan(&["--fail-on", "high,credit_card", "--fail-on", "email", &p]).code,
        1
    );
    assert_eq!(scan(&["--fail-on", "nonsense", &p]).code, 2);
    // An incomplete scan stays 2 whatever the policy.
    let missing = dir.path().join("missing.txt");
    let run = scan(&[
        "--fail-on",
        "passport_number",
        &p,
        &missing.to_string_lossy(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

// ---------------------------------------------------------------- piiscan.toml

#[test]
fn config_is_discovered_upward_and_applied() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "piiscan.toml",
        "fail_on = \"credit_card\"\n[kinds]\ndisable = [\"ip_address\"]\n\
         [allow]\nvalues = ['@example\\.com$']\npaths = [\"fixtures/**\"]\n\
         [risk_weights]\ncredit_card = 5.0\n",
    );
    write(dir.path(), "data/t.txt", ticket());
    write(dir.path(), "fixtures/f.txt", ticket());
    let sub = dir.path().join("data");
    let run = scan_jsonl(&sub, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = run.jsonl();
    assert!(of_kind(&f, "email").is_empty(), "allowlisted value: {f:?}");
    assert!(of_kind(&f, "ip_address").is_empty(), "disabled kind");
    assert!(!of_kind(&f, "credit_card").is_empty());
    let run = scan_jsonl(dir.path(), &[]);
    assert!(
        run.jsonl()
            .iter()
            .all(|f| !f["path"].as_str().unwrap().contains("fixtures"))
    );
    // Flags override the file; --no-config ignores it.
    let run = scan_jsonl(&sub, &["--no-config"]);
    assert_eq!(of_kind(&run.jsonl(), "email").len(), 1);
    let run = scan_jsonl(&sub, &["--fail-on", "passport_number"]);
    assert_eq!(run.code, 0);
}

#[test]
fn config_errors_name_the_key_and_the_file() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "t.txt", ticket());
    write(
        dir.path(),
        "piiscan.toml",
        "min_confidence = \"high\"\ncolour = 1\n",
    );
    let run = scan_jsonl(dir.path(), &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("colour") && run.stderr.contains("piiscan.toml"),
        "{}",
        run.stderr
    );
    let run = run_in(dir.path(), &["config", "check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("colour"), "{}", run.stderr);

    write(dir.path(), "bad.toml", "[allow]\nvalues = ['(']\n");
    let run = run_in(dir.path(), &["config", "check", "bad.toml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("bad.toml") && run.stderr.contains("allow.values"),
        "{}",
        run.stderr
    );
    write(
        dir.path(),
        "det.toml",
        "[detectors]\ndisable = [\"no_such\"]\n",
    );
    let run = run_in(dir.path(), &["config", "check", "det.toml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("detectors.disable") && run.stderr.contains("no_such"),
        "{}",
        run.stderr
    );
    write(
        dir.path(),
        "good.toml",
        "region = \"GB\"\n[kinds]\nenable = [\"email\"]\n",
    );
    let run = run_in(dir.path(), &["config", "check", "good.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("ok"));
}

// ---------------------------------------------------------------- baselines

fn csv(rows: &[(&str, &str)]) -> String {
    let mut s = String::from("id,email\n");
    for (id, email) in rows {
        s.push_str(&format!("{id},{email}\n"));
    }
    s
}

#[test]
fn baseline_survives_reordering_and_catches_a_new_value_on_an_accepted_line() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let rows = [
        ("1", "ann.test@example.org"),
        ("2", "ben.test@example.org"),
        ("3", "cat.test@example.org"),
    ];
    write(d, "data/customers.csv", csv(&rows));
    let run = run_in(
        d,
        &["baseline", "create", "-o", ".piiscan-baseline.json", "data"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bpath = d.join(".piiscan-baseline.json");
    let first = std::fs::read(&bpath).unwrap();
    let text = String::from_utf8(first.clone()).unwrap();
    assert_eq!(
        std::fs::metadata(&bpath).unwrap().permissions().mode() & 0o777,
        0o600
    );
    for raw in ["ann.test", "example.org", "\"line\"", "masked", "started"] {
        assert!(!text.contains(raw), "baseline holds {raw:?}: {text}");
    }
    let b: Value = serde_json::from_str(&text).unwrap();
    let entries = b["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["path"] == "data/customers.csv"));
    assert!(entries.iter().all(|e| e["field"] == "email"));

    // Rows move: nothing new, nothing stale, and a re-created baseline is byte-identical.
    write(d, "data/customers.csv", csv(&[rows[2], rows[0], rows[1]]));
    let run = run_in(
        d,
        &[
            "scan",
            "--baseline",
            ".piiscan-baseline.json",
            "--format",
            "jsonl",
            "data",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("3 findings accepted") && run.stderr.contains("0 stale"));
    let run = run_in(d, &["baseline", "create", "-o", "again.json", "data"]);
    assert_eq!(run.code, 0);
    assert_eq!(std::fs::read(d.join("again.json")).unwrap(), first);

    // A different value on line 2 — the line a position-based baseline would silence.
    write(
        d,
        "data/customers.csv",
        csv(&[("1", "dan.test@example.org"), rows[1], rows[2]]),
    );
    let run = run_in(
        d,
        &[
            "scan",
            "--baseline",
            ".piiscan-baseline.json",
            "--format",
            "jsonl",
            "data",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = run.jsonl();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["kind"], "email");
    assert!(run.stderr.contains("1 stale"), "{}", run.stderr);

    // A file that is gone leaves its entries stale.
    write(d, "data/other.txt", CLEAN);
    std::fs::rename(d.join("data/customers.csv"), d.join("moved.csv")).unwrap();
    let run = run_in(d, &["scan", "--baseline", ".piiscan-baseline.json", "data"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("3 stale"), "{}", run.stderr);
    std::fs::rename(d.join("moved.csv"), d.join("data/customers.csv")).unwrap();

    // Scanning from elsewhere (absolute path) matches the same entries.
    let run = scan_jsonl(&d.join("data"), &["--baseline", &bpath.to_string_lossy()]);
    assert_eq!(run.jsonl().len(), 1, "{}", run.stderr);
}

#[test]
fn baseline_refuses_a_random_key_and_a_different_key() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "t.txt", ticket());
    let run = Run::from(
        piiscan()
            .current_dir(dir.path())
            .env_remove("PIISCAN_FINGERPRINT_KEY")
            .args(["baseline", "create", "-o", "b.json", "."])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("random") && run.stderr.contains("never match"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("b.json").exists());
    assert_eq!(
        run_in(dir.path(), &["baseline", "create", "-o", "b.json", "t.txt"]).code,
        0
    );
    let run = Run::from(
        piiscan()
            .current_dir(dir.path())
            .env("PIISCAN_FINGERPRINT_KEY", "another-key-0123456789")
            .args(["scan", "--baseline", "b.json", "t.txt"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("different fingerprint key"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------- diff

#[test]
fn diff_reports_new_resolved_grown_and_exits_1_on_growth() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "s/a.txt", "Customer email: ann.test@example.org\n");
    write(d, "s/c.txt", format!("Paid with card {CARD}\n"));
    let run = run_in(d, &["scan", "--format", "json", "-o", "old.json", "s"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    write(
        d,
        "s/a.txt",
        "Customer email: ann.test@example.org\nCustomer email: ben.test@example.org\n",
    );
    std::fs::remove_file(d.join("s/c.txt")).unwrap();
    write(d, "s/b.txt", format!("Mobile: {PHONE}\n"));
    let run = run_in(d, &["scan", "--format", "json", "-o", "new.json", "s"]);
    assert_eq!(run.code, 1, "{}", run.stderr);

    let run = run_in(d, &["diff", "old.json", "new.json", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let j = run.json();
    assert_eq!(j["grew"], true);
    assert_eq!(j["compared_by"], "fingerprint");
    assert_eq!(
        (
            j["new"].as_u64(),
            j["grown"].as_u64(),
            j["resolved"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(j["distinct_values_added"]["email"], 1);
    assert_eq!(j["distinct_values_added"]["phone"], 1);
    let grown = j["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "grown")
        .unwrap();
    assert_eq!(grown["path"], "s/a.txt");
    assert_eq!(
        (grown["old_values"].as_u64(), grown["new_values"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        (grown["old_people"].as_u64(), grown["new_people"].as_u64()),
        (Some(1), Some(2))
    );
    assert!(j["people"].is_array(), "{j}");

    let run = run_in(d, &["diff", "old.json", "new.json"]);
    assert!(
        run.stdout.contains("GROWN")
            && run.stdout.contains("RESOLVED")
            && run.stdout.contains("exposure grew")
    );
    assert!(!run.stdout.contains("ben.test"));
    // Shrinking is not growth (but the reverse diff has c.txt as new).
    let run = run_in(d, &["diff", "new.json", "old.json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("SHRUNK") && run.stdout.contains("NEW"));
    write(d, "s/a.txt", "Customer email: ben.test@example.org\n");
    run_in(d, &["scan", "--format", "json", "-o", "shrunk.json", "s"]);
    let run = run_in(d, &["diff", "new.json", "shrunk.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("exposure did not grow"),
        "{}",
        run.stdout
    );
    let run = run_in(d, &["diff", "new.json", "new.json"]);
    assert_eq!(run.code, 0);
}

#[test]
fn diff_and_merge_into_a_closed_pipe_keep_their_exit_code_and_say_nothing() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "s/a.txt", "Customer email: ann.test@example.org\n");
    assert_eq!(
        run_in(d, &["scan", "--format", "json", "-o", "old.json", "s"]).code,
        1
    );
    for i in 0..200 {
        write(d, &format!("s/n{i}.txt"), format!("Mobile: {PHONE}\n"));
    }
    assert_eq!(
        run_in(d, &["scan", "--format", "json", "-o", "new.json", "s"]).code,
        1
    );
    // `piiscan diff … | head -c1`: the reader is gone before the first write.
    for (args, code) in [
        (vec!["diff", "old.json", "new.json"], 1),
        (vec!["diff", "old.json", "new.json", "--format", "json"], 1),
        (vec!["diff", "new.json", "new.json"], 0),
        (vec!["merge", "new.json"], 1),
        (vec!["merge", "new.json", "--format", "jsonl"], 1),
    ] {
        // The same code as with a reader.
        assert_eq!(run_in(d, &args).code, code, "{args:?}");
        let (got, stderr) = run_with_stdout_closed(d, &args);
        assert_eq!((got, stderr.as_str()), (code, ""), "{args:?}");
    }
}

// ---------------------------------------------------------------- cache

fn age(path: &Path) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
}

fn cache_counts(stderr: &str) -> (u64, u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.contains("piiscan: cache:") && l.contains("scanned"))
        .unwrap_or_else(|| panic!("no cache line in {stderr}"));
    let nums: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect();
    (nums[0], nums[1], nums[2])
}

#[test]
fn cached_rescan_reads_only_changed_files() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    for (name, body) in [
        ("share/a.txt", format!("Customer email: {EMAIL}\n")),
        ("share/b.txt", format!("Mobile: {PHONE}\n")),
        ("share/c.txt", CLEAN.to_string()),
        ("share/d.txt", format!("Paid with card {CARD}\n")),
    ] {
        write(d, name, body);
        age(&d.join(name));
    }
    let args = ["scan", "--cache", "cache", "--format", "jsonl", "share"];
    let first = run_in(d, &args);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert_eq!(cache_counts(&first.stderr), (0, 0, 4));
    let cache_file = d.join("cache/piiscan-cache.json");
    assert_eq!(
        std::fs::metadata(&cache_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&cache_file).unwrap();
    for raw in [EMAIL, PHONE, CARD, "testperson"] {
        assert!(!text.contains(raw), "cache holds {raw}");
    }

    let second = run_in(d, &args);
    assert_eq!(cache_counts(&second.stderr), (4, 0, 0));
    assert_eq!(second.jsonl(), first.jsonl());

    // One file changes, one is only touched: one scan, one re-hash, two untouched.
    write(d, "share/c.txt", format!("{CLEAN}DOB: {DOB}\n"));
    let f = std::fs::File::options()
        .write(true)
        .open(d.join("share/b.txt"))
        .unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(60))
        .unwrap();
    let third = run_in(d, &args);
    assert_eq!(cache_counts(&third.stderr), (2, 1, 1), "{}", third.stderr);
    let uncached = scan_jsonl(&d.join("share"), &[]);
    let strip = |v: Vec<Value>| -> Vec<Value> {
        v.into_iter()
            .map(|mut f| {
                let p = f["path"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string();
                f["path"] = Value::String(p);
                f
            })
            .collect()
    };
    assert_eq!(strip(third.jsonl()), strip(uncached.jsonl()));
    assert_eq!(of_kind(&third.jsonl(), "date_of_birth").len(), 1);

    // A different ruleset starts afresh.
    let run = run_in(
        d,
        &[
            "scan",
            "--cache",
            "cache",
            "--min-confidence",
            "high",
            "share",
        ],
    );
    assert_eq!(cache_counts(&run.stderr), (0, 0, 4), "{}", run.stderr);
    // Never with --reveal.
    assert_eq!(
        run_in(d, &["scan", "--cache", "cache", "--reveal", "share"]).code,
        2
    );
}
