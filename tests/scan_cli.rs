//! `piiscan scan`: the output contract, exit codes, walking policy, decoding, streaming, and the
//! rule that no raw value reaches any output without `--reveal`.

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;
use tempfile::TempDir;

use crate::common::*;

fn tree_with_ticket() -> TempDir {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "ticket.txt", ticket());
    dir
}

#[test]
fn jsonl_has_exactly_the_contract_fields_and_true_positions() {
    let dir = tree_with_ticket();
    let run = scan_jsonl(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let findings = run.jsonl();
    let want = [
        "path",
        "line",
        "column",
        "kind",
        "detector",
        "confidence",
        "field",
        "masked",
        "fingerprint",
    ];
    for f in &findings {
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        let mut sorted_keys = keys.clone();
        sorted_keys.sort();
        let mut sorted_want = want.to_vec();
        sorted_want.sort();
        assert_eq!(sorted_keys, sorted_want, "{f}");
        assert!(f["path"].as_str().unwrap().ends_with("ticket.txt"));
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
        assert!(["high", "medium", "low"].contains(&f["confidence"].as_str().unwrap()));
    }
    // Position of each planted value: line and 1-based byte column in the ticket.
    let text = ticket();
    for (kind, value) in [
        ("email", EMAIL),
        ("phone", PHONE),
        ("phone", PHONE_INTL),
        ("credit_card", CARD),
        ("date_of_birth", DOB),
        ("ip_address", IP),
    ] {
        let off = text.find(value).unwrap();
        let line = text[..off].matches('\n').count() as u64 + 1;
        let col = (off - text[..off].rfind('\n').map_or(0, |p| p + 1)) as u64 + 1;
        let hit = findings
            .iter()
            .find(|f| f["kind"] == kind && f["line"] == line && f["column"] == col);
        assert!(
            hit.is_some(),
            "{kind} at {line}:{col} not found in {findings:#?}"
        );
    }
    assert_eq!(of_kind(&findings, "loyalty_number").len(), 1);
}

#[test]
fn exit_codes_clean_findings_incomplete() {
    let clean = TempDir::new().unwrap();
    write(
        clean.path(),
        "readme.md",
        "Nothing personal here. Version 1.2.3.4, build 20240105.\n",
    );
    assert_eq!(scan(&[clean.path().to_str().unwrap()]).code, 0);

    let dirty = tree_with_ticket();
    assert_eq!(scan(&[dirty.path().to_str().unwrap()]).code, 1);

    // A dangling symlink that --follow must resolve: an input that cannot be scanned → 2,
    // while the ticket beside it is still scanned and reported.
    let broken = tree_with_ticket();
    std::os::unix::fs::symlink(
        broken.path().join("gone.csv"),
        broken.path().join("link.csv"),
    )
    .unwrap();
    let run = scan(&[
        "--follow",
        "--format",
        "json",
        broken.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["errors"].as_array().unwrap().len(), 1, "{report:#}");
    assert!(
        report["errors"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("link.csv")
    );
    assert!(report["totals"]["findings"].as_u64().unwrap() >= 6);
    assert!(
        run.stderr.contains("link.csv"),
        "error not on stderr: {}",
        run.stderr
    );
}

#[test]
fn no_raw_value_in_any_output_unless_revealed() {
    let dir = tree_with_ticket();
    let raws = [EMAIL, PHONE, PHONE_INTL, CARD, DOB, IP, "9876543210"];
    for format in ["text", "json", "jsonl"] {
        let run = scan(&[
            "--format",
            format,
            "--explain",
            dir.path().to_str().unwrap(),
        ]);
        assert_eq!(run.code, 1);
        for raw in raws {
            assert!(!run.stdout.contains(raw), "{format} stdout leaks {raw}");
            assert!(!run.stderr.contains(raw), "{format} stderr leaks {raw}");
            let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 8 {
                assert!(
                    !run.stdout.replace([' ', '-'], "").contains(&digits),
                    "{format} leaks digits of {raw}"
                );
            }
        }
    }
    // The same grep finds them when the user opts in, so the check above can fail.
    let run = scan(&[
        "--format",
        "jsonl",
        "--reveal",
        dir.path().to_str().unwrap(),
    ]);
    for raw in [EMAIL, CARD, DOB] {
        assert!(run.stdout.contains(raw), "--reveal did not reveal {raw}");
    }
}

#[test]
fn stdin_is_scanned_as_dash() {
    let run = crate::common::Run::from(
        piiscan()
            .args(["scan", "--format", "jsonl", "-"])
            .write_stdin(ticket())
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.jsonl();
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f["path"] == "-"));
}

#[test]
fn walk_scans_hidden_and_ignored_files_but_not_git_internals() {
    let dir = TempDir::new().unwrap();
    let p = dir.path();
    write(p, ".gitignore", "exports/\n*.log\n");
    write(p, "exports/customers.txt", format!("email {EMAIL}\n"));
    write(p, "app.log", format!("user {EMAIL}\n"));
    write(p, ".hidden/notes.txt", format!("email {EMAIL}\n"));
    write(p, ".git/objects/ab/cdef", format!("email {EMAIL}\n"));
    write(p, ".git/config", format!("email = {EMAIL}\n"));
    let paths = |run: &Run| -> Vec<String> {
        let mut v: Vec<String> = run
            .jsonl()
            .iter()
            .map(|f| {
                f["path"]
                    .as_str()
                    .unwrap()
                    .rsplit(p.file_name().unwrap().to_str().unwrap())
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let run = scan_jsonl(p, &[]);
    assert_eq!(
        paths(&run),
        ["/.hidden/notes.txt", "/app.log", "/exports/customers.txt"]
    );

    let run = scan_jsonl(p, &["--respect-gitignore"]);
    assert_eq!(paths(&run), ["/.hidden/notes.txt"]);

    write(p, ".piiscanignore", ".hidden/\n");
    let run = scan_jsonl(p, &["--exclude", "*.log"]);
    assert_eq!(paths(&run), ["/exports/customers.txt"]);
}

#[test]
fn binary_and_oversized_files_are_skipped_with_reasons_not_errors() {
    let dir = TempDir::new().unwrap();
    let mut blob = vec![0x7f, b'E', b'L', b'F', 0, 0, 0, 0];
    blob.extend_from_slice(EMAIL.as_bytes());
    write(dir.path(), "tool.bin", &blob);
    write(
        dir.path(),
        "big.txt",
        format!("{}\n{EMAIL}\n", "x".repeat(5000)),
    );
    write(dir.path(), "small.txt", "hello\n");
    let run = scan(&[
        "--format",
        "json",
        "--max-filesize",
        "1K",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "policy skips are not errors: {}", run.stdout);
    let report = run.json();
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{report:#}");
    let reason = |name: &str| reason_for(&report["skipped"], name);
    assert!(reason("tool.bin").contains("binary"), "{skipped:?}");
    assert!(reason("big.txt").contains("max-filesize"), "{skipped:?}");
    assert_eq!(report["totals"]["skipped"], 2);
    // The text summary counts them too: "clean" never hides "not looked at".
    let text = scan(&["--max-filesize", "1K", dir.path().to_str().unwrap()]);
    assert!(text.stdout.contains("2 skipped"), "{}", text.stdout);
    assert!(text.stdout.contains("tool.bin"), "{}", text.stdout);
}

#[test]
fn utf16_and_invalid_utf8_keep_true_positions() {
    let dir = TempDir::new().unwrap();
    let text = format!("name,note\nx,\"contact {EMAIL}\"\n");
    let mut u16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        u16.extend_from_slice(&u.to_le_bytes());
    }
    write(dir.path(), "excel-unicode.txt", &u16);
    // Invalid UTF-8 bytes before the value on the same line: columns count raw bytes.
    let mut latin = b"caf\xe9 \xff\xfe ok\nnote \xff\xff ".to_vec();
    latin.extend_from_slice(EMAIL.as_bytes());
    latin.extend_from_slice("\ncafé ok\n".as_bytes());
    write(dir.path(), "mixed.txt", &latin);
    let findings = scan_jsonl(dir.path(), &[]).jsonl();
    let at = |name: &str| -> (u64, u64) {
        let f = findings
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name) && f["kind"] == "email")
            .unwrap_or_else(|| panic!("no email in {name}: {findings:#?}"));
        (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap())
    };
    assert_eq!(at("excel-unicode.txt"), (2, 12));
    assert_eq!(at("mixed.txt"), (2, 9));
}

#[test]
fn values_straddling_internal_block_edges_are_found_once_with_true_columns() {
    // One 3.5 MiB line (no newline at all): the reader must cut it into blocks, and values placed
    // across each cut must be found exactly once, at their true column.
    // The text format reads 1 MiB blocks; a line with no newline is cut at the block's end and
    // the next block starts 4096 bytes (the overlap) before the cut, accepting from 512 bytes in.
    const BLOCK: usize = 1 << 20;
    const OVERLAP: usize = 4096;
    const CONTEXT: usize = 512;
    let mut line = vec![b'.'; BLOCK * 3 + BLOCK / 2];
    let mut planted = Vec::new();
    for k in 0..3 {
        let cut = BLOCK + k * (BLOCK - OVERLAP);
        let next_start = cut - OVERLAP;
        let accept_edge = next_start + CONTEXT;
        // Across the cut, just before the next block's start, and across the accept edge.
        for start in [cut - 10, next_start - 7, accept_edge - 3] {
            line[start - 1] = b' ';
            line[start..start + EMAIL.len()].copy_from_slice(EMAIL.as_bytes());
            line[start + EMAIL.len()] = b' ';
            planted.push(start as u64 + 1);
        }
    }
    let dir = TempDir::new().unwrap();
    write(dir.path(), "one-line.txt", &line);
    let findings = scan_jsonl(dir.path(), &[]).jsonl();
    let mut cols: Vec<u64> = of_kind(&findings, "email")
        .iter()
        .map(|f| f["column"].as_u64().unwrap())
        .collect();
    cols.sort();
    planted.sort();
    assert_eq!(cols, planted);
    assert!(findings.iter().all(|f| f["line"] == 1));
}

#[test]
fn symlinks_are_not_followed_by_default_and_never_out_of_the_root() {
    let outside = TempDir::new().unwrap();
    write(outside.path(), "secret.txt", format!("email {EMAIL}\n"));
    let root = TempDir::new().unwrap();
    write(root.path(), "inside.txt", format!("email {EMAIL}\n"));
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        root.path().join("out-link.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        root.path().join("inside.txt"),
        root.path().join("in-link.txt"),
    )
    .unwrap();

    let report = scan(&["--format", "json", root.path().to_str().unwrap()]).json();
    let emails: Vec<&Value> = report["findings"].as_array().unwrap().iter().collect();
    assert_eq!(emails.len(), 1, "{report:#}");
    let skipped: Vec<String> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped.iter().all(|r| r.contains("symlink")));

    let report = scan(&[
        "--follow",
        "--format",
        "json",
        root.path().to_str().unwrap(),
    ])
    .json();
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("in-link.txt")));
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("outside the scan root")
    );
}

#[test]
fn output_file_is_private_and_written_whole() {
    let dir = tree_with_ticket();
    let out_dir = TempDir::new().unwrap();
    let out = out_dir.path().join("report.json");
    let run = scan(&[
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert!(v["totals"]["findings"].as_u64().unwrap() > 0);
    // No temp files left beside it.
    assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 1);
}

#[test]
fn fingerprints_are_stable_with_a_key_and_unlinkable_without() {
    let dir = tree_with_ticket();
    let fps = |cmd: &mut assert_cmd::Command| -> Vec<String> {
        let run = Run::from(
            cmd.args(["scan", "--format", "jsonl", dir.path().to_str().unwrap()])
                .output()
                .unwrap(),
        );
        run.jsonl()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let a = fps(&mut piiscan());
    let b = fps(&mut piiscan());
    assert_eq!(a, b);
    let key_dir = TempDir::new().unwrap();
    let key = key_dir.path().join("key");
    std::fs::write(&key, b"another-key-with-32-bytes-of-len").unwrap();
    let c = fps(piiscan()
        .args(["--fingerprint-key-file"])
        .arg(&key)
        .env_remove("PIISCAN_FINGERPRINT_KEY"));
    assert_ne!(a, c);
    let r1 = fps(piiscan().env_remove("PIISCAN_FINGERPRINT_KEY"));
    let r2 = fps(piiscan().env_remove("PIISCAN_FINGERPRINT_KEY"));
    assert_eq!(r1.len(), a.len());
    assert!(
        r1.iter().zip(&r2).all(|(x, y)| x != y),
        "random per-run keys must differ"
    );
}

#[test]
fn min_confidence_filters() {
    let dir = TempDir::new().unwrap();
    // A bare national number with no context is low confidence; a labelled one is high.
    write(
        dir.path(),
        "a.txt",
        "ref 0491570158\nMobile: 0491 570 159\n",
    );
    let low = scan_jsonl(dir.path(), &["--min-confidence", "low"]).jsonl();
    let med = scan_jsonl(dir.path(), &[]).jsonl();
    let high = scan_jsonl(dir.path(), &["--min-confidence", "high"]).jsonl();
    assert!(
        low.len() > med.len() || low.len() > high.len(),
        "low={low:?} med={med:?}"
    );
    assert!(high.iter().all(|f| f["confidence"] == "high"));
    assert!(med.iter().all(|f| f["confidence"] != "low"));
}

#[test]
fn extra_pattern_dirs_add_detectors_and_bad_files_are_named() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "data/t.txt", "staff badge ZX-99812\n");
    write(
        dir.path(),
        "pat/badge.toml",
        r#"id = "badge"
kind = "national_id"
description = "Test badge id"
reference = "internal test"
trigger = "digit"
base = "high"
regex = '''ZX-[0-9]{5}'''
"#,
    );
    let data = dir.path().join("data");
    let pat = dir.path().join("pat");
    let run = scan_jsonl(&data, &["--patterns", pat.to_str().unwrap()]);
    let f = run.jsonl();
    assert_eq!(f.len(), 1, "{}", run.stderr);
    assert_eq!(f[0]["detector"], "badge");
    write(
        dir.path(),
        "pat/broken.toml",
        "id = 'broken'\nkind = 'nope'\n",
    );
    let run = scan_jsonl(&data, &["--patterns", pat.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("broken.toml"), "{}", run.stderr);
}

#[test]
fn terminal_output_escapes_control_characters_in_paths() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "evil\x1b[2Jname.txt",
        format!("email {EMAIL}\n"),
    );
    let run = scan(&[dir.path().to_str().unwrap()]);
    assert!(!run.stdout.contains('\x1b'), "{:?}", run.stdout);
    assert!(
        run.stdout.contains("evil\\u{1b}[2Jname.txt"),
        "{}",
        run.stdout
    );
}

#[test]
fn output_to_a_fifo_or_device_writes_in_place_and_never_replaces_it() {
    // `-o /dev/null` once replaced /dev/null with a regular file (temp file + rename). A FIFO in
    // a temp dir stands in for a device here, so a regression cannot break the machine.
    let dir = tree_with_ticket();
    let out_dir = TempDir::new().unwrap();
    let fifo = out_dir.path().join("report.fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let run = scan(&[
        "--format",
        "jsonl",
        "-o",
        fifo.to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let got = reader.join().unwrap();
    assert!(!got.is_empty());
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert_eq!(
        std::fs::read_dir(out_dir.path()).unwrap().count(),
        1,
        "temp file left behind"
    );
}

// ---------------------------------------------------------------- --list, plurals, errors

/// A tree with a free-text ticket, a CSV (findings with a field) and a path holding a control
/// character.
fn tree_for_listing() -> TempDir {
    let dir = tree_with_ticket();
    write(
        dir.path(),
        "customers.csv",
        format!("id,email,phone\n1,{EMAIL},{PHONE}\n2,ben.testperson@example.org,{PHONE_INTL}\n"),
    );
    write(dir.path(), "evil\x1b[2J.txt", format!("email {EMAIL}\n"));
    dir
}

/// The finding lines of a `--list` run: every line up to the first blank one.
fn listed(stdout: &str) -> Vec<Listed> {
    stdout
        .lines()
        .take_while(|l| !l.is_empty())
        .filter(|l| !l.starts_with("    "))
        .map(|l| parse_listed(l).unwrap_or_else(|| panic!("not a --list line: {l:?}")))
        .collect()
}

#[test]
fn list_prints_one_parseable_line_per_finding_and_how_to_accept_them() {
    let dir = tree_for_listing();
    let root = dir.path().to_str().unwrap();
    let jsonl = scan(&["--format", "jsonl", root]);
    let want: Vec<Listed> = jsonl
        .jsonl()
        .iter()
        .map(|f| Listed {
            path: piiscan_escape(f["path"].as_str().unwrap()),
            line: f["line"].as_u64().unwrap(),
            column: f["column"].as_u64().unwrap(),
            kind: f["kind"].as_str().unwrap().to_string(),
            confidence: f["confidence"].as_str().unwrap().to_string(),
            masked: f["masked"].as_str().unwrap().to_string(),
            field: f["field"].as_str().map(str::to_string),
        })
        .collect();
    assert!(want.len() >= 8, "{}", jsonl.stdout);
    assert!(want.iter().any(|f| f.field.as_deref() == Some("email")));

    let run = scan(&["--list", "--color", "never", root]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Every finding, in report order, with the same place, kind, confidence, mask and field.
    assert_eq!(listed(&run.stdout), want, "{}", run.stdout);
    // The control character in a path is escaped, and no raw value is printed.
    assert!(!run.stdout.contains('\x1b'), "{:?}", run.stdout);
    assert!(
        run.stdout.contains("evil\\u{1b}[2J.txt:1:7 email "),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(EMAIL) && !run.stdout.contains(CARD));
    // No risk score, but the totals and the way out: inline marker, allow-list, baseline.
    assert!(!run.stdout.contains("risk score"), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("{} findings", want.len())));
    for hint in [
        "piiscan:allow",
        "piiscan.toml",
        "[allow]",
        "piiscan baseline create",
    ] {
        assert!(run.stdout.contains(hint), "no {hint:?} in {}", run.stdout);
    }
    // The summary is still the default outside a commit gate.
    let summary = scan(&["--color", "never", root]);
    assert!(summary.stdout.contains("risk score"));
    assert!(
        !summary.stdout.contains("ticket.txt:2:"),
        "{}",
        summary.stdout
    );
    // --no-list overrides --list (the last one wins).
    let run = scan(&["--list", "--no-list", "--color", "never", root]);
    assert!(run.stdout.contains("risk score"), "{}", run.stdout);

    // Colour only when enabled.
    let run = scan(&["--list", "--color", "always", root]);
    assert!(run.stdout.contains("\x1b[35m"), "{:?}", run.stdout);
    assert!(
        !run.stdout.contains("\x1b[2J"),
        "the path's own escape must stay escaped"
    );

    // A clean tree lists nothing and gives no advice.
    let clean = TempDir::new().unwrap();
    write(clean.path(), "notes.txt", "Nothing personal.\n");
    let run = scan(&["--list", clean.path().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("piiscan:allow"), "{}", run.stdout);
    assert!(run.stdout.contains("0 findings"), "{}", run.stdout);

    // --list is for text output.
    let run = scan(&["--list", "--format", "json", root]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--list"), "{}", run.stderr);
}

/// What the text reporter prints for a path (control characters escaped as Rust does).
fn piiscan_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[test]
fn list_with_explain_gives_reasons_and_fingerprint_under_each_line() {
    let dir = tree_with_ticket();
    let root = dir.path().to_str().unwrap();
    let fps: Vec<String> = scan(&["--format", "jsonl", root])
        .jsonl()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    let run = scan(&["--list", "--explain", "--color", "never", root]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2 * fps.len(), "{}", run.stdout);
    for (pair, fp) in lines.chunks(2).zip(&fps) {
        assert!(parse_listed(pair[0]).is_some(), "{}", pair[0]);
        assert!(pair[1].starts_with("    why: "), "{}", pair[1]);
        assert!(
            pair[1].ends_with(&format!("fingerprint {fp}")),
            "{}",
            pair[1]
        );
        // A reason, not only the fingerprint.
        assert!(pair[1].len() > "    why:  · fingerprint ".len() + fp.len());
    }
}

/// Occurrences of "1 <plural noun>" (not part of a larger number) in `text`.
fn one_with_plural(text: &str) -> Vec<String> {
    const NOUNS: &[&str] = &[
        "people",
        "records",
        "inputs",
        "findings",
        "files",
        "errors",
        "values",
        "entries",
        "actions",
        "detectors",
    ];
    let mut bad = Vec::new();
    for noun in NOUNS {
        for (i, _) in text.match_indices(&format!("1 {noun}")) {
            let before = text[..i].chars().last();
            if !before.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',') {
                bad.push(format!("1 {noun}"));
            }
        }
    }
    bad
}

#[test]
fn counts_of_one_are_singular_in_every_human_format() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "one.txt", format!("Customer email: {EMAIL}\n"));
    let root = dir.path().to_str().unwrap();
    let text = scan(&["--color", "never", root]);
    assert_eq!(text.code, 1, "{}", text.stderr);
    assert_eq!(
        one_with_plural(&text.stdout),
        Vec::<String>::new(),
        "{}",
        text.stdout
    );
    for want in [
        "1 input,",
        "1 record",
        "1 finding",
        "1 distinct person exposed",
    ] {
        assert!(text.stdout.contains(want), "no {want:?} in {}", text.stdout);
    }
    let md = scan(&["--format", "markdown", root]);
    assert_eq!(
        one_with_plural(&md.stdout),
        Vec::<String>::new(),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout.contains("distinct person exposed"),
        "{}",
        md.stdout
    );
    assert!(md.stdout.contains("1 finding ·"), "{}", md.stdout);
    let html = scan(&["--format", "html", root]);
    assert_eq!(one_with_plural(&html.stdout), Vec::<String>::new());
    assert!(html.stdout.contains("distinct person exposed"));
    assert!(html.stdout.contains("<footer>1 finding."));

    // And plural for two.
    write(
        dir.path(),
        "two.txt",
        "Customer email: ben.testperson@example.org\n",
    );
    let text = scan(&["--color", "never", root]);
    for want in [
        "2 inputs,",
        "2 records",
        "2 findings",
        "2 distinct people exposed",
    ] {
        assert!(text.stdout.contains(want), "no {want:?} in {}", text.stdout);
    }
    let md = scan(&["--format", "markdown", root]);
    assert!(
        md.stdout.contains("distinct people exposed"),
        "{}",
        md.stdout
    );
}

#[test]
fn an_os_error_is_printed_once() {
    let dir = TempDir::new().unwrap();
    const ENOENT: &str = "No such file or directory";
    // A path that does not exist: an input that could not be scanned.
    let gone = dir.path().join("gone.csv");
    let run = scan(&[gone.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.matches(ENOENT).count(), 1, "{}", run.stderr);
    // Files the run itself needs: the whole run fails, with the error once.
    let missing = dir.path().join("missing.toml");
    for args in [
        vec!["--config", missing.to_str().unwrap()],
        vec!["--baseline", missing.to_str().unwrap()],
        vec!["--fingerprint-key-file", missing.to_str().unwrap()],
        vec!["--patterns", missing.to_str().unwrap()],
    ] {
        let mut all = args.clone();
        all.push(dir.path().to_str().unwrap());
        let run = scan(&all);
        assert_eq!(run.code, 2, "{args:?}");
        assert_eq!(
            run.stderr.matches(ENOENT).count(),
            1,
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("missing.toml"), "{}", run.stderr);
    }
}

#[test]
fn a_closed_stdout_is_a_normal_end_for_every_command_that_writes_there() {
    let dir = tree_with_ticket();
    let d = dir.path();
    write(d, "piiscan.toml", "min_confidence = \"medium\"\n");
    // Exit codes as the run would have had: findings → 1, clean → 0; and nothing on stderr.
    for (args, code) in [
        (vec!["scan", "--format", "jsonl", "."], 1),
        (vec!["scan", "--format", "json", "."], 1),
        (vec!["scan", "--list", "."], 1),
        (vec!["scan", "."], 1),
        (vec!["detectors"], 0),
        (vec!["config", "check", "piiscan.toml"], 0),
    ] {
        let (got, stderr) = run_with_stdout_closed(d, &args);
        assert_eq!((got, stderr.as_str()), (code, ""), "{args:?}");
    }
}

/// `--fail-on-skip` (or `fail_on_skip = true` in piiscan.toml) makes any skip exit 2, as an
/// unreadable input does: a binary, a file over `--max-filesize`. Without it a skip is listed,
/// not a failure.
#[test]
fn fail_on_skip_turns_any_skip_into_exit_2() {
    let dir = TempDir::new().unwrap();
    let p = dir.path();
    write(
        p,
        "data/tool.bin",
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00",
    );
    write(p, "data/notes.txt", "nothing to see here\n");
    let root = p.join("data");
    let root = root.to_str().unwrap();
    let no_config = ["--no-config", "--format", "json"];
    let run = scan(&[&no_config[..], &[root]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["totals"]["skipped"], 1);
    let run = scan(&[&no_config[..], &["--fail-on-skip", root]].concat());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("tool.bin: skipped: binary content (ELF executable)"),
        "{}",
        run.stderr
    );
    // Any skip, not only binaries.
    std::fs::remove_file(p.join("data/tool.bin")).unwrap();
    let run = scan(&[&no_config[..], &["--fail-on-skip", root]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = scan(
        &[
            &no_config[..],
            &["--fail-on-skip", "--max-filesize", "4", root],
        ]
        .concat(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    // The config key, found upward from the scan root; `--no-config` ignores it.
    write(p, "piiscan.toml", "fail_on_skip = true\n");
    let run = scan(&["--max-filesize", "4", root]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = scan(&["--no-config", "--max-filesize", "4", root]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    write(p, "piiscan.toml", "fail_on_skip = \"yes\"\n");
    let run = scan(&["--max-filesize", "4", root]);
    assert_eq!(run.code, 2, "a bad value is an error: {}", run.stderr);
    assert!(run.stderr.contains("fail_on_skip"), "{}", run.stderr);
}
