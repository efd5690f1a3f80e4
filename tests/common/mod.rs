//! Shared helpers for the integration tests: run the real binary, parse its output.

#![allow(dead_code)]

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// The `piiscan` binary under test, with a fixed fingerprint key so runs are comparable.
pub fn piiscan() -> Command {
    let mut cmd = Command::cargo_bin("piiscan").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.env("PIISCAN_FINGERPRINT_KEY", "test-key-0123456789abcdef");
    cmd.env_remove("NO_COLOR");
    // Under the pre-commit framework (PRE_COMMIT set) text output defaults to `--list`.
    cmd.env_remove("PRE_COMMIT");
    cmd
}

/// Runs the `piiscan` binary in `dir` with `args` and a standard output that is a pipe whose
/// reader is already gone (as after `| head` has read enough), so the first write fails with
/// `EPIPE`. Returns the exit code and stderr.
pub fn run_with_stdout_closed(dir: &Path, args: &[&str]) -> (i32, String) {
    let (reader, writer) = std::io::pipe().unwrap_or_else(|e| panic!("pipe: {e}"));
    drop(reader);
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("piiscan"))
        .current_dir(dir)
        .args(args)
        .env("PIISCAN_FINGERPRINT_KEY", "test-key-0123456789abcdef")
        .env_remove("PRE_COMMIT")
        .stdin(std::process::Stdio::null())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One line of `scan --list`: `path:line:col kind confidence masked [field]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub path: String,
    pub line: u64,
    pub column: u64,
    pub kind: String,
    pub confidence: String,
    pub masked: String,
    pub field: Option<String>,
}

/// Parses one `scan --list` line; `None` if it is not one.
pub fn parse_listed(l: &str) -> Option<Listed> {
    let (loc, rest) = l.split_once(' ')?;
    let mut loc = loc.rsplitn(3, ':');
    let column = loc.next()?.parse().ok()?;
    let line = loc.next()?.parse().ok()?;
    let path = loc.next()?.to_string();
    let mut rest = rest.splitn(3, ' ');
    let kind = rest.next()?.to_string();
    let confidence = rest.next()?.to_string();
    let tail = rest.next()?;
    let (masked, field) = match tail.rfind(" [") {
        Some(i) if tail.ends_with(']') => {
            (&tail[..i], Some(tail[i + 2..tail.len() - 1].to_string()))
        }
        _ => (tail, None),
    };
    Some(Listed {
        path,
        line,
        column,
        kind,
        confidence,
        masked: masked.to_string(),
        field,
    })
}

/// Result of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Parses stdout as JSONL.
    pub fn jsonl(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSONL line {l:?}: {e}"))
            })
            .collect()
    }

    /// Parses stdout as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("bad JSON: {e}\n{}", self.stdout))
    }
}

/// Runs `piiscan scan <args>` and returns the result.
pub fn scan(args: &[&str]) -> Run {
    Run::from(
        piiscan()
            .arg("scan")
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("run: {e}")),
    )
}

/// Runs `piiscan scan --format jsonl <args> <path>`.
pub fn scan_jsonl(path: &Path, args: &[&str]) -> Run {
    let p = path.to_string_lossy().into_owned();
    let mut all = vec!["--format", "jsonl"];
    all.extend_from_slice(args);
    all.push(&p);
    scan(&all)
}

/// Runs `piiscan scan --format json -o <dir>/r.json <input>`; returns the run and the report's
/// text (empty when none was written), for tests that check the report as text and as JSON.
pub fn scan_json_report(dir: &Path, input: &Path) -> (Run, String) {
    let out = dir.join("r.json");
    let run = scan(&[
        "--format",
        "json",
        "-o",
        &out.to_string_lossy(),
        &input.to_string_lossy(),
    ]);
    (run, std::fs::read_to_string(&out).unwrap_or_default())
}

/// Writes `contents` to `dir/rel`, creating parent directories.
pub fn write(dir: &Path, rel: &str, contents: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("mkdir {}: {e}", parent.display()));
    }
    std::fs::write(&p, contents).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
}

/// Findings of `kind` in parsed JSONL.
pub fn of_kind<'a>(findings: &'a [Value], kind: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["kind"] == kind).collect()
}

/// Fake values used across tests: reserved domains, ACMA's fictional mobile range, published
/// test card numbers, carrier-grade NAT space for the IP (documentation ranges are not reported).
/// None is a real person's data, but tests treat them as if they were.
pub const EMAIL: &str = "olivia.testperson@example.com";
pub const PHONE: &str = "0491 570 156";
pub const PHONE_INTL: &str = "+61 491 570 157";
pub const CARD: &str = "4111 1111 1111 1111";
pub const DOB: &str = "12/03/1985";
pub const IP: &str = "100.64.113.77";

/// A small text ticket carrying every fake value above, with context words.
pub fn ticket() -> String {
    format!(
        "Ticket #4471\nCustomer email: {EMAIL}\nMobile: {PHONE}, alt phone {PHONE_INTL}\nDOB: {DOB}\n\
         Paid with card {CARD}.\nLogin from IP {IP}.\nFrequent flyer number: 9876543210\n"
    )
}

/// The `reason` of the entry of `list` (a report's `errors` or `skipped`) whose path ends with
/// `name`; empty if there is none.
pub fn reason_for(list: &Value, name: &str) -> String {
    list.as_array()
        .into_iter()
        .flatten()
        .find(|e| e["path"].as_str().is_some_and(|p| p.ends_with(name)))
        .and_then(|e| e["reason"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// Runs `redact` on `dir/in/<name>` into `dir/out` and asserts it refuses to rewrite it: exit 2
/// (the run is incomplete), the summary says `reason`, no raw value (`example.com`) is printed,
/// and no copy is written.
pub fn assert_redact_refuses(dir: &Path, name: &str, reason: &str) {
    let out = dir.join("out");
    let o = piiscan()
        .env("PIISCAN_FINGERPRINT_KEY", "refusal-test-key-0123456789")
        .args(["redact", "--out"])
        .arg(&out)
        .arg(dir.join("in").join(name))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(said.contains(reason), "{said}");
    assert!(!said.contains("example.com"), "{said}");
    assert!(!out.join(name).exists());
}
