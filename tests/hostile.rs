//! Hostile input: every case is generated in a temp dir at test time and run through the real
//! binary, asserting exit status, bounded time (a generous timeout, not a speed claim), bounded
//! peak memory (the child's `VmHWM`, sampled from `/proc` while it runs), findings still found
//! where expected, errors reported per input, the tree unchanged (bytes and metadata), and no
//! raw fixture value in stdout, stderr or the report file.
//!
//! Sizes are chosen so the whole module runs in a few minutes on 2 cores with a debug build;
//! `two_gib_single_line_memory_bound` is `#[ignore]`d and run by hand (see SECURITY.md).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use crate::common::*;

/// The documented peak-memory bound with default settings (SECURITY.md).
const RSS_BOUND_KIB: u64 = 256 * 1024;

/// `O_NOATIME` (Linux): the snapshot's own reads must not move access times.
const O_NOATIME: i32 = 0o1_000_000;

// ---------------------------------------------------------------------------------------------
// Running the binary with a timeout and a peak-RSS probe.
// ---------------------------------------------------------------------------------------------

/// One measured run of the binary.
struct Measured {
    run: Run,
    /// Peak resident set (KiB) observed in `/proc/<pid>/status` (`VmHWM`).
    peak_kib: u64,
    elapsed: Duration,
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let s = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `piiscan <args>` in `cwd` with `TMPDIR` = `tmp`, killing it after `timeout` (a hang is
/// a failure), sampling its peak RSS every few milliseconds.
fn run_measured(args: &[&str], cwd: &Path, tmp: &Path, timeout: Duration) -> Measured {
    let bin = assert_cmd::cargo::cargo_bin("piiscan");
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .env("PIISCAN_FINGERPRINT_KEY", "test-key-0123456789abcdef")
        .env("TMPDIR", tmp)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        out.read_to_end(&mut v).unwrap();
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        err.read_to_end(&mut v).unwrap();
        v
    });
    let start = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!("piiscan {args:?} still running after {timeout:?} (hang?)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let stdout = t_out.join().unwrap();
    let stderr = t_err.join().unwrap();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    // A signal (SIGSEGV from a stack overflow, SIGBUS, abort) has no exit code.
    assert!(
        run.code >= 0,
        "piiscan {args:?} was killed by a signal: {status:?}\n{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("internal error"),
        "piiscan {args:?} panicked:\n{}",
        run.stderr
    );
    eprintln!(
        "piiscan {args:?}: exit {}, peak RSS {peak} KiB, {elapsed:?}",
        run.code
    );
    Measured {
        run,
        peak_kib: peak,
        elapsed,
    }
}

/// A scan of `root` with a JSON report written to `out/report.json` (checked for 0600) and
/// stdout in `format`, in a fresh private TMPDIR that must be empty again afterwards.
struct Scan {
    m: Measured,
    report: Value,
}

fn scan_hostile(root: &Path, extra: &[&str], timeout: Duration) -> Scan {
    let work = TempDir::new().unwrap();
    let tmp = work.path().join("tmp");
    fs::create_dir(&tmp).unwrap();
    let report_path = work.path().join("report.json");
    let mut args = vec!["scan", "--format", "json", "-o"];
    let rp = report_path.to_str().unwrap().to_string();
    args.push(&rp);
    args.extend_from_slice(extra);
    let r = root.to_str().unwrap().to_string();
    args.push(&r);
    let m = run_measured(&args, work.path(), &tmp, timeout);
    let mode = fs::metadata(&report_path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "report file mode");
    let text = fs::read_to_string(&report_path).unwrap();
    let report: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad report: {e}\n{}", m.run.stderr));
    // Spooled archives live in unlinked temp files: nothing may be left in TMPDIR.
    let left: Vec<_> = fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "temp files left behind: {left:?}");
    // The working directory holds only what we put there.
    let names: Vec<String> = fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "unexpected files in the working dir: {names:?}"
    );
    assert_no_leak(&m.run, &text, &[]);
    Scan { m, report }
}

/// No raw fixture value (nor any of `extra`) in stdout, stderr or the report.
fn assert_no_leak(run: &Run, report: &str, extra: &[&str]) {
    let fixed = [EMAIL, PHONE, PHONE_INTL, CARD, DOB, IP, "4111111111111111"];
    for v in fixed.iter().chain(extra) {
        for (what, s) in [
            ("stdout", &run.stdout),
            ("stderr", &run.stderr),
            ("report", &report.to_string()),
        ] {
            assert!(!s.contains(v), "raw value {v:?} leaked into {what}");
        }
    }
}

fn findings(report: &Value) -> &[Value] {
    report["findings"].as_array().unwrap()
}

fn reasons<'a>(report: &'a Value, list: &str) -> Vec<(&'a str, &'a str)> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["path"].as_str().unwrap(), e["reason"].as_str().unwrap()))
        .collect()
}

fn reason_for<'a>(report: &'a Value, list: &str, suffix: &str) -> Option<&'a str> {
    reasons(report, list)
        .into_iter()
        .find(|(p, _)| p.ends_with(suffix))
        .map(|(_, r)| r)
}

fn emails_in<'a>(report: &'a Value, suffix: &str) -> Vec<&'a Value> {
    findings(report)
        .iter()
        .filter(|f| f["kind"] == "email" && f["path"].as_str().unwrap().ends_with(suffix))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Tree snapshots: bytes and metadata, read without moving access times.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, PartialEq, Eq)]
struct Entry {
    kind: &'static str,
    len: u64,
    mode: u32,
    mtime: (i64, i64),
    atime: (i64, i64),
    ctime: (i64, i64),
    ino: u64,
    content: Option<[u8; 32]>,
    link: Option<PathBuf>,
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let md = fs::symlink_metadata(&p).unwrap();
        let ft = md.file_type();
        let kind = if ft.is_dir() {
            "dir"
        } else if ft.is_symlink() {
            "symlink"
        } else if ft.is_file() {
            "file"
        } else {
            "special"
        };
        let content = ft.is_file().then(|| {
            let mut f = fs::OpenOptions::new()
                .read(true)
                .custom_flags(O_NOATIME)
                .open(&p)
                .unwrap();
            let mut h = Sha256::new();
            std::io::copy(&mut f, &mut h).unwrap();
            h.finalize().into()
        });
        out.insert(
            p.clone(),
            Entry {
                kind,
                len: if ft.is_dir() { 0 } else { md.len() },
                mode: md.mode(),
                mtime: (md.mtime(), md.mtime_nsec()),
                // Directory atimes move when the walker lists them (getdents has no O_NOATIME),
                // and a symlink's when it is resolved (readlink, by this snapshot too).
                atime: if ft.is_dir() || ft.is_symlink() {
                    (0, 0)
                } else {
                    (md.atime(), md.atime_nsec())
                },
                ctime: (md.ctime(), md.ctime_nsec()),
                ino: md.ino(),
                content,
                link: ft.is_symlink().then(|| fs::read_link(&p).unwrap()),
            },
        );
        if ft.is_dir() {
            for e in fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        }
    }
    out
}

fn assert_unchanged(before: &BTreeMap<PathBuf, Entry>, after: &BTreeMap<PathBuf, Entry>) {
    assert_eq!(before.len(), after.len(), "entries added or removed");
    for (p, b) in before {
        let a = after
            .get(p)
            .unwrap_or_else(|| panic!("{} vanished", p.display()));
        assert_eq!(b, a, "{} changed", p.display());
    }
}

fn mkfifo(paths: &[&Path]) {
    let status = Command::new("mkfifo").args(paths).status().unwrap();
    assert!(status.success(), "mkfifo");
}

// ---------------------------------------------------------------------------------------------
// Generators.
// ---------------------------------------------------------------------------------------------

/// Filler with no digits, `@` or keywords, `n` bytes, written in 1 MiB pieces.
fn write_filler(w: &mut impl Write, n: u64) {
    let unit = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do ";
    let block: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
    let mut left = n;
    while left > 0 {
        let k = left.min(block.len() as u64) as usize;
        w.write_all(&block[..k]).unwrap();
        left -= k as u64;
    }
}

/// A file of one line of `n` filler bytes, then ` email: EMAIL` on the same line.
fn long_line_file(path: &Path, n: u64) {
    let mut f = std::io::BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    write_filler(&mut f, n);
    writeln!(f, " contact email: {EMAIL}").unwrap();
    f.flush().unwrap();
}

fn utf16le(s: &str, bom: bool) -> Vec<u8> {
    let mut v = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    for u in s.encode_utf16() {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(data);
    c.sum()
}

/// One stored or deflated zip member, already compressed.
struct RawMember {
    name: String,
    deflated: bool,
    data: Vec<u8>,
    crc: u32,
    size: u32,
}

impl RawMember {
    fn deflated(name: &str, plain: &[u8]) -> RawMember {
        RawMember {
            name: name.into(),
            deflated: true,
            data: deflate(plain),
            crc: crc32(plain),
            size: plain.len() as u32,
        }
    }
}

fn le16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn le32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn local_header(v: &mut Vec<u8>, m: &RawMember) {
    le32(v, 0x0403_4b50);
    le16(v, 20);
    le16(v, 0);
    le16(v, if m.deflated { 8 } else { 0 });
    le16(v, 0);
    le16(v, 0x21);
    le32(v, m.crc);
    le32(v, m.data.len() as u32);
    le32(v, m.size);
    le16(v, m.name.len() as u16);
    le16(v, 0);
    v.extend_from_slice(m.name.as_bytes());
}

fn central_header(v: &mut Vec<u8>, m: &RawMember, name: &str, offset: u32) {
    le32(v, 0x0201_4b50);
    le16(v, 0x031e);
    le16(v, 20);
    le16(v, 0);
    le16(v, if m.deflated { 8 } else { 0 });
    le16(v, 0);
    le16(v, 0x21);
    le32(v, m.crc);
    le32(v, m.data.len() as u32);
    le32(v, m.size);
    le16(v, name.len() as u16);
    le16(v, 0);
    le16(v, 0);
    le16(v, 0);
    le16(v, 0);
    le32(v, 0o100644 << 16);
    le32(v, offset);
    v.extend_from_slice(name.as_bytes());
}

fn end_of_directory(v: &mut Vec<u8>, entries: usize, cd_start: usize) {
    let cd_len = v.len() - cd_start;
    le32(v, 0x0605_4b50);
    le16(v, 0);
    le16(v, 0);
    le16(v, entries as u16);
    le16(v, entries as u16);
    le32(v, cd_len as u32);
    le32(v, cd_start as u32);
    le16(v, 0);
}

/// A well-formed zip of `members`, built by hand.
fn zip_raw(members: &[RawMember]) -> Vec<u8> {
    let mut v = Vec::new();
    let mut offsets = Vec::new();
    for m in members {
        offsets.push(v.len() as u32);
        local_header(&mut v, m);
        v.extend_from_slice(&m.data);
    }
    let cd = v.len();
    for (m, off) in members.iter().zip(offsets) {
        central_header(&mut v, m, &m.name, off);
    }
    end_of_directory(&mut v, members.len(), cd);
    v
}

/// Fifield-style overlapping zip: one local file (a compressed kernel) and `n` central
/// directory entries, all pointing at it.
fn overlapping_zip(kernel: &[u8], n: usize) -> Vec<u8> {
    let m = RawMember::deflated("kernel.txt", kernel);
    let mut v = Vec::new();
    local_header(&mut v, &m);
    v.extend_from_slice(&m.data);
    let cd = v.len();
    for i in 0..n {
        central_header(&mut v, &m, &format!("copy{i:05}.txt"), 0);
    }
    end_of_directory(&mut v, n, cd);
    v
}

/// A tar header written raw, so hostile names, links and device entries survive as they are.
fn tar_member(out: &mut Vec<u8>, name: &[u8], kind: tar::EntryType, link: &[u8], data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
    h.set_entry_type(kind);
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

// ---------------------------------------------------------------------------------------------
// The cases.
// ---------------------------------------------------------------------------------------------

/// PII after a 300 MB single line, and inside long-lined UTF-16 (with and without a BOM), is
/// still found, and peak memory stays under the bound.
#[test]
fn pii_after_a_300mb_line_and_inside_utf16_is_found_in_bounded_memory() {
    let dir = TempDir::new().unwrap();
    long_line_file(&dir.path().join("one-line.txt"), 300_000_000);
    let mut filler = Vec::new();
    write_filler(&mut filler, 8 << 20);
    let text = String::from_utf8(filler).unwrap() + &format!(" email {EMAIL}\nMobile: {PHONE}\n");
    write(dir.path(), "wide-bom.txt", utf16le(&text, true));
    write(
        dir.path(),
        "wide-nobom.txt",
        utf16le(&text[text.len() - 4096..], false),
    );
    let before = snapshot(dir.path());
    let s = scan_hostile(dir.path(), &[], secs(300));
    assert_eq!(s.m.run.code, 1, "{}", s.m.run.stderr);
    let one = emails_in(&s.report, "one-line.txt");
    assert_eq!(one.len(), 1, "{:#}", s.report["findings"]);
    assert_eq!(one[0]["line"], 1);
    assert_eq!(
        one[0]["column"],
        300_000_000 + " contact email: ".len() as u64 + 1
    );
    assert_eq!(emails_in(&s.report, "wide-bom.txt").len(), 1);
    assert_eq!(emails_in(&s.report, "wide-nobom.txt").len(), 1);
    for input in s.report["inputs"].as_array().unwrap() {
        if input["path"].as_str().unwrap().contains("wide") {
            assert_eq!(input["encoding"], "utf-16le", "{input:#}");
        }
    }
    assert!(
        s.m.peak_kib < RSS_BOUND_KIB,
        "peak RSS {} KiB over the bound",
        s.m.peak_kib
    );
    assert_unchanged(&before, &snapshot(dir.path()));
}

/// The 2 GiB single-line case of the issue. Too slow for every CI run (it writes 2 GiB); run by
/// hand with `cargo test --test main hostile::two_gib -- --ignored --nocapture`.
#[test]
#[ignore = "writes 2 GiB; run by hand (SECURITY.md records the measured peak)"]
fn two_gib_single_line_memory_bound() {
    let dir = TempDir::new().unwrap();
    long_line_file(&dir.path().join("two-gib.txt"), 2 << 30);
    let s = scan_hostile(dir.path(), &[], secs(1800));
    assert_eq!(s.m.run.code, 1, "{}", s.m.run.stderr);
    assert_eq!(emails_in(&s.report, "two-gib.txt").len(), 1);
    eprintln!(
        "2 GiB single line: peak RSS {} KiB in {:?}",
        s.m.peak_kib, s.m.elapsed
    );
    assert!(
        s.m.peak_kib < RSS_BOUND_KIB,
        "peak RSS {} KiB",
        s.m.peak_kib
    );
}

/// A CSV with 100 000 columns: the value in the last column is found under its header. The
/// million-column case of the issue is `csv_with_a_million_columns` (ignored: ~200 s in a debug
/// build, ~10 s in release).
#[test]
fn csv_with_a_hundred_thousand_columns() {
    wide_csv(100_000);
}

#[test]
#[ignore = "~200 s with the debug binary; run by hand (SECURITY.md)"]
fn csv_with_a_million_columns() {
    wide_csv(1_000_000);
}

fn wide_csv(n: usize) {
    let dir = TempDir::new().unwrap();
    let mut header = String::with_capacity(n * 9);
    let mut row = String::with_capacity(n * 2);
    for i in 0..n - 1 {
        header.push_str(&format!("col{i},"));
        row.push_str("x,");
    }
    header.push_str("email\n");
    row.push_str(EMAIL);
    row.push('\n');
    write(dir.path(), "wide.csv", format!("{header}{row}{row}"));
    let s = scan_hostile(dir.path(), &[], secs(600));
    assert_eq!(s.m.run.code, 1, "{}", s.m.run.stderr);
    let found = emails_in(&s.report, "wide.csv");
    assert_eq!(found.len(), 2, "{:#}", s.report["inputs"]);
    assert!(
        s.m.peak_kib < RSS_BOUND_KIB,
        "peak RSS {} KiB",
        s.m.peak_kib
    );
}

/// 2 000 matches in one file: all reported, masked, in bounded memory.
#[test]
fn many_matches_in_one_file() {
    many_matches(2_000);
}

/// The 250 000 matches in one file. Findings leave the scanner in chunks and are
/// spooled to a temporary file, so memory does not grow with them (measured, debug build:
/// 406 MiB when every finding was held until the report, 193 MiB now).
#[test]
fn a_quarter_million_matches() {
    many_matches(250_000);
}

/// Findings handed over in chunks mid-file keep their order, and a `piiscan:allow` marker
/// still suppresses its line's findings wherever the chunk boundary fell.
#[test]
fn chunked_findings_keep_order_and_inline_allows() {
    let dir = TempDir::new().unwrap();
    let n = 40_000; // > 2 chunks of findings
    let mut f = std::io::BufWriter::new(File::create(dir.path().join("big.txt")).unwrap());
    for i in 0..n {
        if i % 9_999 == 0 {
            writeln!(f, "email: p{i}.testperson@example.com # piiscan:allow").unwrap();
        } else {
            writeln!(f, "email: p{i}.testperson@example.com").unwrap();
        }
    }
    f.flush().unwrap();
    drop(f);
    let s = scan_hostile(dir.path(), &[], secs(600));
    let allowed = (0..n).filter(|i| i % 9_999 == 0).count();
    let lines: Vec<u64> = s.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines.len(), n - allowed, "{}", s.m.run.stderr);
    assert!(
        lines.windows(2).all(|w| w[0] < w[1]),
        "findings out of order"
    );
    for i in (0..n).filter(|i| i % 9_999 == 0) {
        assert!(
            !lines.contains(&(i as u64 + 1)),
            "allowed line {} reported",
            i + 1
        );
    }
    assert_eq!(s.report["inputs"][0]["findings"], n - allowed);
}

fn many_matches(n: usize) {
    let dir = TempDir::new().unwrap();
    let mut f = std::io::BufWriter::new(File::create(dir.path().join("many.txt")).unwrap());
    for i in 0..n {
        writeln!(f, "row {i} email: p{i}.testperson@example.com").unwrap();
    }
    f.flush().unwrap();
    drop(f);
    let s = scan_hostile(dir.path(), &[], secs(3600));
    assert_eq!(s.m.run.code, 1, "{}", s.m.run.stderr);
    assert_eq!(emails_in(&s.report, "many.txt").len(), n);
    assert_eq!(s.report["totals"]["findings"], n);
    let text = s.report.to_string();
    for i in [0, 1, 777, n / 2, n - 1] {
        let raw = format!("p{i}.testperson@example.com");
        assert!(!text.contains(&raw) && !s.m.run.stdout.contains(&raw));
    }
    assert!(
        s.m.peak_kib < RSS_BOUND_KIB,
        "peak RSS {} KiB",
        s.m.peak_kib
    );
}

/// A directory of 100 000 files: every one reported, the few with PII found, bounded time.
#[test]
fn a_hundred_thousand_file_directory() {
    let dir = TempDir::new().unwrap();
    let n = 100_000;
    for d in 0..100 {
        let sub = dir.path().join(format!("d{d:03}"));
        fs::create_dir(&sub).unwrap();
        for i in 0..n / 100 {
            let body = if i == 7 {
                format!("email: {EMAIL}\n")
            } else {
                format!("nothing here {d} {i}\n")
            };
            fs::write(sub.join(format!("f{i:04}.txt")), body).unwrap();
        }
    }
    let s = scan_hostile(dir.path(), &["-q"], secs(600));
    assert_eq!(s.m.run.code, 1, "{}", s.m.run.stderr);
    assert_eq!(s.report["totals"]["inputs"], n);
    assert_eq!(s.report["totals"]["scanned"], n);
    assert_eq!(findings(&s.report).len(), 100);
    assert!(
        s.m.peak_kib < RSS_BOUND_KIB,
        "peak RSS {} KiB",
        s.m.peak_kib
    );
}

/// JSON nested 100 000 levels deep (arrays and objects): no stack overflow; the depth cap is
/// reported for the input, and the value before the deep part is still found.
#[test]
fn json_nested_a_hundred_thousand_levels() {
    let dir = TempDir::new().unwrap();
    let depth = 100_000;
    let arrays = format!(
        "[{{\"email\": \"{EMAIL}\"}}, {}{}]",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    write(dir.path(), "arrays.json", &arrays);
    let mut objects = format!("{{\"email\": \"{EMAIL}\", \"deep\": ");
    objects.push_str(&"{\"a\":".repeat(depth));
    objects.push('1');
    objects.push_str(&"}".repeat(depth + 1));
    write(dir.path(), "objects.json", &objects);
    // Unclosed, as a truncated hostile file would be.
    write(dir.path(), "unclosed.json", "[".repeat(depth));
    let s = scan_hostile(dir.path(), &[], secs(120));
    assert_eq!(s.m.run.code, 2, "{}", s.m.run.stderr);
    for name in ["arrays.json", "objects.json", "unclosed.json"] {
        let why = reason_for(&s.report, "errors", name)
            .unwrap_or_else(|| panic!("{name} not reported: {:#}", s.report["inputs"]));
        assert!(
            why.contains("depth") || why.contains("nest"),
            "{name}: {why}"
        );
    }
    assert_eq!(emails_in(&s.report, "arrays.json").len(), 1);
    assert_eq!(emails_in(&s.report, "objects.json").len(), 1);
}

/// 42.zip-style recursive bomb: zips of 16 zips of 16 zips ... of 1 MiB of zeros (16^5 leaves,
/// 1 TiB expanded). Cut by the total-bytes cap (each leaf of zeros is read through, as a log
/// with a zero-filled head must be: ~8,000 leaves make the 8 GiB; when leaves were skipped
/// after one 64 KiB block, the 100,000-member cap came first, after ~6 GiB) in bounded time
/// and memory; a sibling still scanned.
#[test]
fn nested_zip_bomb_of_the_42_zip_kind() {
    let dir = TempDir::new().unwrap();
    let mut level = vec![0u8; 1 << 20];
    for depth in 0..5 {
        let members: Vec<RawMember> = (0..16)
            .map(|i| {
                let name = if depth == 0 {
                    format!("{i:x}.dll")
                } else {
                    format!("l{depth}-{i:x}.zip")
                };
                RawMember::deflated(&name, &level)
            })
            .collect();
        level = zip_raw(&members);
    }
    assert!(
        level.len() < 1 << 20,
        "bomb is small: {} bytes",
        level.len()
    );
    write(dir.path(), "42.zip", &level);
    write(dir.path(), "sibling.txt", ticket());
    let before = snapshot(dir.path());
    let s = scan_hostile(dir.path(), &["-q"], secs(600));
    assert_eq!(s.m.run.code, 2, "{}", s.m.run.stderr);
    let errors = reasons(&s.report, "errors");
    assert!(
        errors
            .iter()
            .any(|(p, r)| p.ends_with("42.zip") && r.contains("total expanded bytes cap")),
        "{errors:?}"
    );
    assert_eq!(emails_in(&s.report, "sibling.txt").len(), 1);
    assert!(
        s.m.peak_kib < RSS_BOUND_KIB,
        "peak RSS {} KiB",
        s.m.peak_kib
    );
    assert_unchanged(&before, &snapshot(dir.path()));
}

/// Zip in zip deeper than the depth cap: reported, the inner text never reached.
#[test]
fn zip_nested_deeper_than_the_depth_cap() {
    let dir = TempDir::new().unwrap();
    let mut z = ticket().into_bytes();
    for d in 0..12 {
        z = zip_raw(&[RawMember::deflated(&format!("level{d}.zip"), &z)]);
    }
    write(dir.path(), "deep.zip", &z);
    let s = scan_hostile(dir.path(), &[], secs(60));
    assert_eq!(s.m.run.code, 2, "{}", s.m.run.stderr);
    let errors = reasons(&s.report, "errors");
    assert!(
        errors.iter().any(|(_, r)| r.contains("depth cap")),
        "{errors:?}"
    );
    assert!(findings(&s.report).is_empty());
}

/// Fifield-style overlapping-entry zip: 5 000 central-directory entries share one 64 MiB
/// kernel. Refused before expansion, reported, in bounded time and memory.
#[test]
fn overlapping_entry_zip_is_refused() {
    let dir = TempDir::new().unwrap();
    let mut kernel = Vec::new();
    write_filler(&mut kernel, 64 << 20);
    kernel.extend_from_slice(format!("\nemail {EMAIL}\n").as_bytes());
    write(dir.path(), "overlap.zip", overlapping_zip(&kernel, 5000));
    let s = scan_hostile(dir.path(), &[], secs(120));
    assert_eq!(s.m.run.code, 2, "{}", s.m.run.stderr);
    let why = reason_for(&s.report, "errors", "overlap.zip").unwrap();
    assert!(why.contains("overlap"), "{why}");
    assert!(
        s.m.peak_kib < RSS_BOUND_KIB,
        "peak RSS {} KiB",
        s.m.peak_kib
    );
}

/// Gzip bombs: 256 MiB of text in ~250 KiB trips the ratio cap (the value before the cut is
/// found); 1 GiB of zeros (~4.5 MiB gzipped, inside the cap) is read through — a NUL-padded
/// log would hold its text after them — in bounded memory, finding nothing; a gzip of many
/// members too.
#[test]
fn gzip_bombs_hit_reported_caps() {
    let dir = TempDir::new().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    writeln!(gz, "email: {EMAIL}").unwrap();
    write_filler(&mut gz, 256 << 20);
    write(dir.path(), "text-bomb.txt.gz", gz.finish().unwrap());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        gz.write_all(&zeros).unwrap();
    }
    write(dir.path(), "zeros.gz", gz.finish().unwrap());
    // gzip of gzip of gzip of text: every layer stays under its own ratio.
    let mut filler = Vec::new();
    write_filler(&mut filler, 4 << 20);
    write(dir.path(), "layers.gz", gzip(&gzip(&gzip(&filler))));
    let s = scan_hostile(dir.path(), &[], secs(300));
    assert_eq!(s.m.run.code, 2, "{}", s.m.run.stderr);
    let why = reason_for(&s.report, "errors", "text-bomb.txt.gz").unwrap();
    assert!(why.contains("ratio cap"), "{why}");
    assert_eq!(emails_in(&s.report, "text-bomb.txt.gz").len(), 1);
    let zeros = s.report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with("zeros.gz"))
        .unwrap();
    assert_eq!(zeros["status"], "scanned", "{zeros:#}");
    assert_eq!(zeros["bytes"], 1u64 << 30, "{zeros:#}");
    assert_eq!(zeros["findings"], 0, "{zeros:#}");
    assert!(
        s.m.peak_kib < RSS_BOUND_KIB,
        "peak RSS {} KiB",
        s.m.peak_kib
    );
}

/// Archive members named `..`, absolute, with control characters, links and device entries are
/// names only: nothing extracted, links and devices skipped with reasons, names escaped.
#[test]
fn hostile_member_names_and_entry_types() {
    let dir = TempDir::new().unwrap();
    let cwd = TempDir::new().unwrap();
    let body = format!("email {EMAIL}\n");
    let mut t = Vec::new();
    use tar::EntryType as T;
    tar_member(
        &mut t,
        b"../../escaped.txt",
        T::Regular,
        b"",
        body.as_bytes(),
    );
    tar_member(
        &mut t,
        b"/etc/cron.d/abs.txt",
        T::Regular,
        b"",
        body.as_bytes(),
    );
    tar_member(
        &mut t,
        b"ctl\x1b[2J\x07name.txt",
        T::Regular,
        b"",
        body.as_bytes(),
    );
    tar_member(&mut t, b"link-out", T::Symlink, b"/etc/shadow", b"");
    tar_member(&mut t, b"hard-link", T::Link, b"../../escaped.txt", b"");
    tar_member(&mut t, b"dev/zero", T::Char, b"", b"");
    tar_member(&mut t, b"dev/sda", T::Block, b"", b"");
    tar_member(&mut t, b"a-fifo", T::Fifo, b"", b"");
    t.extend_from_slice(&[0u8; 1024]);
    write(dir.path(), "evil.tar", &t);
    let z = zip_raw(&[
        RawMember::deflated("../../../zip-escaped.txt", body.as_bytes()),
        RawMember::deflated("/abs/zip.txt", body.as_bytes()),
        RawMember::deflated("C:\\windows\\zip.txt", body.as_bytes()),
    ]);
    write(dir.path(), "evil.zip", &z);
    let before = snapshot(dir.path());
    let s = scan_hostile(dir.path(), &[], secs(60));
    assert_eq!(s.m.run.code, 1, "{}", s.m.run.stderr);
    for suffix in [
        "evil.tar!../../escaped.txt",
        "evil.tar!/etc/cron.d/abs.txt",
        "evil.zip!../../../zip-escaped.txt",
        "evil.zip!/abs/zip.txt",
        "evil.zip!C:\\windows\\zip.txt",
    ] {
        assert_eq!(emails_in(&s.report, suffix).len(), 1, "{suffix}");
    }
    for (suffix, want) in [
        ("evil.tar!link-out", "link"),
        ("evil.tar!hard-link", "link"),
        ("evil.tar!dev/zero", "not a regular file"),
        ("evil.tar!dev/sda", "not a regular file"),
        ("evil.tar!a-fifo", "not a regular file"),
    ] {
        let why = reason_for(&s.report, "skipped", suffix)
            .unwrap_or_else(|| panic!("{suffix} not reported: {:#}", s.report["skipped"]));
        assert!(why.contains(want), "{suffix}: {why}");
    }
    assert_unchanged(&before, &snapshot(dir.path()));
    assert!(!dir.path().parent().unwrap().join("escaped.txt").exists());
    assert!(!Path::new("/etc/cron.d/abs.txt").exists());
    assert!(!Path::new("/abs").exists());
    // The text report escapes control characters in names.
    let tmp = TempDir::new().unwrap();
    let m = run_measured(
        &["scan", "--color", "never", dir.path().to_str().unwrap()],
        cwd.path(),
        tmp.path(),
        secs(60),
    );
    assert_eq!(m.run.code, 1);
    for out in [&m.run.stdout, &m.run.stderr] {
        assert!(
            !out.contains('\x1b') && !out.contains('\x07'),
            "raw control char"
        );
    }
    assert_no_leak(&m.run, "", &[]);
    assert_eq!(fs::read_dir(cwd.path()).unwrap().count(), 0);
}

/// FIFOs and sockets in the tree are skipped by type, never opened (a FIFO without a writer
/// would block a read forever), with and without `--follow`; file names with control
/// characters are escaped.
#[test]
fn fifos_and_sockets_are_never_opened() {
    let dir = TempDir::new().unwrap();
    let p = dir.path();
    write(p, "ok.txt", ticket());
    write(p, "bad\x1b]0;title\x07name.txt", ticket());
    mkfifo(&[&p.join("pipe"), &p.join("pipe.csv")]);
    let _sock = std::os::unix::net::UnixListener::bind(p.join("sock")).unwrap();
    std::os::unix::fs::symlink(p.join("pipe"), p.join("link-to-pipe")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", p.join("link-to-dev-zero")).unwrap();
    let before = snapshot(p);
    for follow in [false, true] {
        let extra: &[&str] = if follow { &["--follow"] } else { &[] };
        let s = scan_hostile(p, extra, secs(60));
        assert_eq!(s.m.run.code, 1, "{}", s.m.run.stderr);
        assert_eq!(emails_in(&s.report, "ok.txt").len(), 1);
        assert_eq!(emails_in(&s.report, "name.txt").len(), 1);
        for name in ["/pipe", "/pipe.csv"] {
            let why = reason_for(&s.report, "skipped", name).unwrap();
            assert!(why.contains("fifo"), "{name}: {why}");
        }
        let why = reason_for(&s.report, "skipped", "/sock").unwrap();
        assert!(why.contains("socket"), "{why}");
        let why = reason_for(&s.report, "skipped", "link-to-dev-zero").unwrap();
        assert!(
            why.contains(if follow { "outside" } else { "symlink" }),
            "{why}"
        );
        assert!(reason_for(&s.report, "skipped", "link-to-pipe").is_some());
        assert!(!s.m.run.stderr.contains('\x1b'));
    }
    assert_unchanged(&before, &snapshot(p));
}

/// Symlink loops and links out of the root with `--follow`: reported and skipped, the rest
/// scanned, no hang.
#[test]
fn symlink_loops_with_follow() {
    let dir = TempDir::new().unwrap();
    let outside = TempDir::new().unwrap();
    let p = dir.path();
    write(p, "a/b/data.txt", ticket());
    write(outside.path(), "secret.txt", ticket());
    use std::os::unix::fs::symlink;
    symlink("..", p.join("a/b/up")).unwrap();
    symlink(p.join("a"), p.join("a/b/abs-loop")).unwrap();
    symlink("self", p.join("self")).unwrap();
    symlink("ping", p.join("pong")).unwrap();
    symlink("pong", p.join("ping")).unwrap();
    symlink(outside.path(), p.join("out-dir")).unwrap();
    symlink(outside.path().join("secret.txt"), p.join("out-file")).unwrap();
    symlink("a/b/data.txt", p.join("inside-link.txt")).unwrap();
    let before = snapshot(p);
    let s = scan_hostile(p, &["--follow"], secs(60));
    assert_eq!(s.m.run.code, 2, "{}", s.m.run.stderr);
    let errors = reasons(&s.report, "errors");
    assert!(errors.iter().any(|(_, r)| r.contains("loop")), "{errors:?}");
    for name in ["self", "ping", "pong"] {
        let reported = errors.iter().any(|(p, _)| p.ends_with(name))
            || reason_for(&s.report, "skipped", name).is_some();
        assert!(reported, "{name} not reported: {errors:?}");
    }
    assert!(reason_for(&s.report, "skipped", "out-file").is_some());
    assert!(
        findings(&s.report)
            .iter()
            .all(|f| !f["path"].as_str().unwrap().contains("secret.txt")),
        "scanned outside the root"
    );
    assert_eq!(emails_in(&s.report, "a/b/data.txt").len(), 1);
    assert_eq!(emails_in(&s.report, "inside-link.txt").len(), 1);
    assert_unchanged(&before, &snapshot(p));
}

/// Files that vanish, shrink, grow, or are swapped for FIFOs, symlinks or directories while the
/// scan runs: no crash, no hang, and every file left untouched is scanned with its finding.
#[test]
fn files_changing_during_the_scan() {
    let dir = TempDir::new().unwrap();
    let stage = TempDir::new().unwrap();
    let root = dir.path().to_path_buf();
    let n = 4000;
    let mut filler = Vec::new();
    write_filler(&mut filler, 16 << 10);
    for i in 0..n {
        let sub = root.join(format!("d{}", i % 40));
        fs::create_dir_all(&sub).unwrap();
        // Distinct values: one value in thousands of places is an exposure-model cost, not a
        // race (see `exposure`).
        let body = [
            filler.as_slice(),
            format!("\nemail p{i}.testperson@example.com\n").as_bytes(),
        ]
        .concat();
        fs::write(sub.join(format!("f{i:05}.txt")), &body).unwrap();
    }
    // FIFOs and symlinks made in advance, renamed over files mid-scan (rename is atomic).
    let fifos: Vec<PathBuf> = (0..50)
        .map(|i| stage.path().join(format!("q{i}")))
        .collect();
    mkfifo(&fifos.iter().map(|p| p.as_path()).collect::<Vec<_>>());
    let links: Vec<PathBuf> = (0..50)
        .map(|i| {
            let l = stage.path().join(format!("l{i}"));
            std::os::unix::fs::symlink("/etc/hostname", &l).unwrap();
            l
        })
        .collect();
    let touched: Arc<std::sync::Mutex<Vec<PathBuf>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let mutator = {
        let (root, touched, done) = (root.clone(), touched.clone(), done.clone());
        std::thread::spawn(move || {
            // A fixed stride over the files, so the run is reproducible.
            let mut i = 0usize;
            let mut k = 0usize;
            while !done.load(Ordering::Relaxed) && k < n / 3 {
                let f = root.join(format!("d{}/f{:05}.txt", i % 40, i));
                i = (i + 37) % n;
                k += 1;
                let r = match k % 6 {
                    0 => fs::remove_file(&f),
                    1 => fs::OpenOptions::new()
                        .write(true)
                        .open(&f)
                        .and_then(|h| h.set_len(7)),
                    2 => fs::OpenOptions::new()
                        .append(true)
                        .open(&f)
                        .and_then(|mut h| h.write_all(&filler)),
                    3 => fifos.get(k / 6).map_or(Ok(()), |q| fs::rename(q, &f)),
                    4 => links.get(k / 6).map_or(Ok(()), |l| fs::rename(l, &f)),
                    _ => fs::remove_file(&f).and_then(|_| fs::create_dir(&f)),
                };
                if r.is_ok() {
                    touched.lock().unwrap().push(f);
                }
                std::thread::sleep(Duration::from_micros(300));
            }
        })
    };
    let s = scan_hostile(&root, &["-q", "-j", "2"], secs(300));
    done.store(true, Ordering::Relaxed);
    mutator.join().unwrap();
    let touched = touched.lock().unwrap().clone();
    assert!(
        s.m.run.code == 1 || s.m.run.code == 2,
        "exit {}: {}",
        s.m.run.code,
        s.m.run.stderr
    );
    let inputs = s.report["inputs"].as_array().unwrap();
    let mut seen = std::collections::HashMap::new();
    for input in inputs {
        let p = input["path"].as_str().unwrap().to_string();
        assert!(
            seen.insert(p.clone(), input).is_none(),
            "{p} reported twice"
        );
    }
    let touched_set: std::collections::HashSet<String> = touched
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let mut untouched_checked = 0;
    for i in 0..n {
        let f = root
            .join(format!("d{}/f{i:05}.txt", i % 40))
            .to_string_lossy()
            .into_owned();
        if touched_set.contains(&f) {
            continue;
        }
        let input = seen
            .get(&f)
            .unwrap_or_else(|| panic!("untouched {f} not reported"));
        assert_eq!(input["status"], "scanned", "{input:#}");
        assert_eq!(input["findings"], 1, "{input:#}");
        untouched_checked += 1;
    }
    assert!(untouched_checked > n / 2);
    // Whatever was touched is either absent (gone before it was listed), or reported once.
    for input in inputs {
        let status = input["status"].as_str().unwrap();
        assert!(
            matches!(status, "scanned" | "skipped" | "error"),
            "{input:#}"
        );
    }
    eprintln!(
        "race: {} touched, {} inputs, {} errors",
        touched.len(),
        inputs.len(),
        s.report["errors"].as_array().unwrap().len()
    );
}

/// A mixed tree scanned twice (with and without `--follow`) is unchanged: bytes, sizes, modes,
/// mtimes, ctimes, inodes, and access times of files (piiscan opens with `O_NOATIME` where it
/// may; the files' atime equals their mtime, so under `relatime` any plain read would move it).
#[test]
fn never_modifies_input() {
    let dir = TempDir::new().unwrap();
    let p = dir.path();
    write(p, "ticket.txt", ticket());
    write(p, "export.csv", format!("name,email\nA,{EMAIL}\n"));
    write(p, "wide.txt", utf16le(&ticket(), true));
    write(
        p,
        "bundle.csv.gz",
        gzip(format!("name,email\nA,{EMAIL}\n").as_bytes()),
    );
    write(
        p,
        "bundle.zip",
        zip_raw(&[RawMember::deflated("in/t.txt", ticket().as_bytes())]),
    );
    let mut t = Vec::new();
    tar_member(
        &mut t,
        b"t.txt",
        tar::EntryType::Regular,
        b"",
        ticket().as_bytes(),
    );
    t.extend_from_slice(&[0u8; 1024]);
    write(p, "bundle.tar", &t);
    write(p, "ro.txt", ticket());
    fs::set_permissions(p.join("ro.txt"), fs::Permissions::from_mode(0o400)).unwrap();
    mkfifo(&[&p.join("fifo")]);
    std::os::unix::fs::symlink("ticket.txt", p.join("link.txt")).unwrap();
    // Make every file's atime equal its mtime, as on a fresh file (relatime updates it on read).
    let when = std::time::SystemTime::now() - Duration::from_secs(3600);
    for name in [
        "ticket.txt",
        "export.csv",
        "wide.txt",
        "bundle.csv.gz",
        "bundle.zip",
        "bundle.tar",
    ] {
        let f = File::options().write(true).open(p.join(name)).unwrap();
        f.set_times(fs::FileTimes::new().set_accessed(when).set_modified(when))
            .unwrap();
    }
    let before = snapshot(p);
    for extra in [&[][..], &["--follow"][..]] {
        let s = scan_hostile(p, extra, secs(60));
        assert_eq!(s.m.run.code, 1, "{}", s.m.run.stderr);
        assert!(findings(&s.report).len() >= 6);
        assert_unchanged(&before, &snapshot(p));
    }
}

/// Archives with nothing to scan (an empty zip, a zip of directories only, an empty tar, the
/// fuzzer's zip whose directory lists no member) are still reported as inputs. Regression for
/// the `archive` fuzz target's first finding (an input that produced no report at all).
#[test]
fn archives_without_members_are_still_reported() {
    let dir = TempDir::new().unwrap();
    let mut empty = Vec::new();
    end_of_directory(&mut empty, 0, 0);
    write(dir.path(), "empty.zip", &empty);
    let dirs = RawMember {
        name: "only/".into(),
        deflated: false,
        data: Vec::new(),
        crc: 0,
        size: 0,
    };
    write(dir.path(), "dirs.zip", zip_raw(&[dirs]));
    let mut tar = Vec::new();
    tar_member(&mut tar, b"d/", tar::EntryType::Directory, b"", b"");
    tar.extend_from_slice(&[0u8; 1024]);
    write(dir.path(), "dirs.tar", &tar);
    // A local header, then an end-of-directory record that lists no member.
    let mut odd = Vec::new();
    local_header(&mut odd, &RawMember::deflated("a.csv", b"x"));
    let cd = odd.len();
    end_of_directory(&mut odd, 0, cd);
    write(dir.path(), "odd.zip", &odd);
    let s = scan_hostile(dir.path(), &[], secs(60));
    let inputs = s.report["inputs"].as_array().unwrap();
    for name in ["/empty.zip", "/dirs.zip", "/dirs.tar", "/odd.zip"] {
        assert!(
            inputs
                .iter()
                .any(|i| i["path"].as_str().unwrap().ends_with(name)),
            "{name} missing: {inputs:#?}"
        );
    }
}

/// NUL bytes do not hide text. A 1 MB log whose head was zeroed (`copytruncate` while the writer
/// kept its offset) and a sparse 64 MiB one are read past their zeros — in bounded memory — and
/// their emails found at their true lines and columns, exit 1; BOM-less UTF-16 is still UTF-16.
/// Real binaries (an ELF header, a deflate stream) stay skipped as binary, and NUL-separated
/// records with control bytes are listed apart as "possibly text", never silently; with
/// `--fail-on-skip` any skip makes the run exit 2.
#[test]
fn nul_bytes_do_not_hide_text() {
    use rand::{Rng, SeedableRng};
    let dir = TempDir::new().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(24);
    // The padded log: 300 kB of NULs, then ~700 kB of lines, the email on the last one.
    let mut lines = String::new();
    while lines.len() < 700_000 {
        lines.push_str("2024-05-01T10:00:00Z INFO request served in 12ms\n");
    }
    lines.push_str(&format!("2024-05-01T10:00:01Z INFO signup email={EMAIL}\n"));
    let log = [vec![0u8; 300_000], lines.clone().into_bytes()].concat();
    write(dir.path(), "app.log", &log);
    let want_line = lines.matches('\n').count() as u64;
    let want_col = lines.lines().last().unwrap().find(EMAIL).unwrap() as u64 + 1;
    // A sparse file: 64 MiB of zeros (never written), then the writer's next line.
    let big = dir.path().join("big.log");
    File::create(&big).unwrap().set_len(64 << 20).unwrap();
    let mut f = fs::OpenOptions::new().append(true).open(&big).unwrap();
    writeln!(f, "2024-05-01T10:00:02Z INFO contact {EMAIL}").unwrap();
    drop(f);
    write(
        dir.path(),
        "excel.txt",
        utf16le(&format!("name\tnote\nx\tcontact {EMAIL}\n"), false),
    );
    // Binaries, each with the email inside: never read as text.
    let noise = |rng: &mut rand_chacha::ChaCha8Rng, n: usize| -> Vec<u8> {
        (0..n).map(|_| rng.r#gen::<u8>()).collect()
    };
    let elf = [
        &b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"[..],
        &noise(&mut rng, 8000),
        EMAIL.as_bytes(),
        &noise(&mut rng, 8000),
    ]
    .concat();
    write(dir.path(), "tool", &elf);
    let text: String = (0..2000)
        .map(|i| format!("row {i} value {}\n", i * 7))
        .collect();
    let deflated = [
        deflate(text.as_bytes()),
        EMAIL.as_bytes().to_vec(),
        vec![0; 4],
    ]
    .concat();
    assert!(
        deflated[..deflated.len() - 4].contains(&0),
        "the stream holds NULs"
    );
    write(dir.path(), "blob.z", &deflated);
    // Records split by ASCII record separators, NUL-terminated: not clearly either.
    let records: String = (0..300)
        .map(|i| format!("id={i:04}\x1ename=customer record {i}\x1enote={EMAIL}\0\n"))
        .collect();
    write(dir.path(), "records.dat", &records);

    let s = scan_hostile(dir.path(), &[], secs(120));
    assert_eq!(s.m.run.code, 1, "{}", s.m.run.stderr);
    let at = |name: &str| -> Vec<(u64, u64)> {
        emails_in(&s.report, name)
            .iter()
            .map(|f| (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()))
            .collect()
    };
    assert_eq!(at("app.log"), [(want_line, want_col)]);
    assert_eq!(at("big.log"), [(1, (64 << 20) + 35)]);
    assert_eq!(at("excel.txt").len(), 1);
    for name in ["tool", "blob.z", "records.dat"] {
        assert!(at(name).is_empty(), "{name} was read as text");
    }
    assert_eq!(
        reason_for(&s.report, "skipped", "/tool"),
        Some("binary content (ELF executable)")
    );
    let why = reason_for(&s.report, "skipped", "blob.z").unwrap();
    assert!(why.starts_with("binary content (NUL bytes, "), "{why}");
    let why = reason_for(&s.report, "skipped", "records.dat").unwrap();
    assert!(why.starts_with("possibly text, not scanned ("), "{why}");
    assert_eq!(s.report["totals"]["skipped"], 3);
    let input = |name: &str| {
        s.report["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["path"].as_str().unwrap().ends_with(name))
            .unwrap()
            .clone()
    };
    assert_eq!(
        input("big.log")["bytes"],
        (64 << 20) + 35 + EMAIL.len() as u64
    );
    assert_eq!(input("excel.txt")["encoding"], "utf-16le");
    assert!(
        s.m.peak_kib < RSS_BOUND_KIB,
        "peak RSS {} KiB",
        s.m.peak_kib
    );

    // Any skip fails the run when asked to.
    let s = scan_hostile(dir.path(), &["--fail-on-skip"], secs(120));
    assert_eq!(s.m.run.code, 2, "{}", s.m.run.stderr);
    assert!(
        s.m.run
            .stderr
            .contains("records.dat: skipped: possibly text"),
        "{}",
        s.m.run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Long lines: cost linear in the line's length (issue 26's two pathologies). Each case is
// sized so the old, quadratic code visibly hangs on it (debug binary, by hand: 44 CPU-s instead
// of 1.9 for the dump, over 180 s instead of 0.1 for the dotted line); they assert what is
// found, not how fast (the timeouts only turn a hang into a failure; the per-byte cost is
// tracked by the `long-lines` group of benches/engine.rs).
// ---------------------------------------------------------------------------------------------

/// A mysqldump whose extended INSERT lines of ~1 MB hold 36,000 and 17,000 emails: more
/// findings on one line than the scanner hands on per chunk, which it must keep until the line
/// ends (a later `piiscan:allow` on the line could still suppress them). It used to retry the
/// hand-over at every cell, re-partitioning the whole line's findings each time: a dump with
/// ~1 MiB lines took ~300 s. Every email is found, in order, under its column — except on the
/// last line, whose final value carries a `piiscan:allow` marker that suppresses them all.
#[test]
fn mysqldump_extended_insert_lines_with_tens_of_thousands_of_findings() {
    let dir = TempDir::new().unwrap();
    let lines = [36_000, 100, 17_000];
    let total: usize = lines.iter().sum();
    let mut dump = String::from(
        "-- MySQL dump 10.13\nCREATE TABLE `members` (`id` int, `email` varchar(200));\n",
    );
    let mut i = 0;
    for rows in lines {
        dump.push_str("INSERT INTO `members` VALUES ");
        for k in 0..rows {
            let sep = if k + 1 < rows { "," } else { ";\n" };
            let allow = if i + 1 == total { " piiscan:allow" } else { "" };
            dump.push_str(&format!("({i},'m{i}.testperson@example.com{allow}'){sep}"));
            i += 1;
        }
    }
    let reported = lines[0] + lines[1];
    assert!(dump.len() > 1 << 20);
    write(dir.path(), "members.sql", &dump);
    let s = scan_hostile(dir.path(), &[], secs(120));
    assert_eq!(s.m.run.code, 1, "{}", s.m.run.stderr);
    let found = emails_in(&s.report, "members.sql");
    assert_eq!(found.len(), reported, "{}", s.m.run.stderr);
    assert!(
        s.m.run
            .stderr
            .contains(&format!("{} findings suppressed", lines[2])),
        "{}",
        s.m.run.stderr
    );
    let mut last = (0, 0);
    for (n, f) in found.iter().enumerate() {
        assert_eq!(f["field"], "members.email", "{f}");
        assert_eq!(f["line"], if n < lines[0] { 3 } else { 4 }, "{f}");
        let at = (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap());
        assert!(at > last, "findings out of order at {n}: {f}");
        last = at;
    }
    assert_eq!(s.report["inputs"][0]["records"], i);
    assert_no_leak(
        &s.m.run,
        &s.report.to_string(),
        &["m0.testperson@example.com", "m36099.testperson@example.com"],
    );
}

/// A seeded base64 run of `n` bytes (no padding).
fn base64_run(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            ALPHABET[(seed % 64) as usize] as char
        })
        .collect()
}

/// Single lines of 1.2 MB (more than the text format's 1 MiB block) of the shapes that stress candidate finding — digits joined by dots
/// (`1.1.1.…`, one digit cluster the length of the line, thousands of IP-shaped candidates),
/// spaces and dashes, `@` runs, `(` runs, `+61 4` repeated, base64 — as text, as a JSON string,
/// a quoted CSV field and an SQL string literal, each followed on the same line by an email.
/// The dotted line used to cost O(line) per candidate (a validator's context was cut at the
/// line's start by searching back to it): 800 KB took 33 s, 4 MB never finished. Each email is
/// found exactly once, at its column.
#[test]
fn long_lines_of_candidate_shapes_are_scanned_to_their_end() {
    let dir = TempDir::new().unwrap();
    let n = 1_200_000;
    let rep = |unit: &str| unit.repeat(n / unit.len() + 1)[..n].to_string();
    let tail = format!(" contact email: {EMAIL}");
    let texts = [
        ("dotted.txt", rep("1.")),
        ("zero-dotted.txt", rep("0.")),
        ("digit-spaces.txt", rep("1 ")),
        ("digit-dashes.txt", rep("1-")),
        ("at-signs.txt", rep("a@")),
        ("open-parens.txt", rep("(")),
        ("plus61.txt", rep("+61 4")),
        ("base64.txt", base64_run(n)),
    ];
    let mut files: Vec<(&str, String)> = texts
        .iter()
        .map(|(name, body)| (*name, format!("{body}{tail}\n")))
        .collect();
    files.push((
        "blob.json",
        format!("{{\"blob\":\"{}\",\"email\":\"{EMAIL}\"}}\n", base64_run(n)),
    ));
    files.push((
        "field.csv",
        format!("id,notes,email\n1,\"{}\",{EMAIL}\n", rep("1.")),
    ));
    files.push((
        "string.sql",
        format!(
            "INSERT INTO t (ip, email) VALUES ('{}', '{EMAIL}');\n",
            rep("1.")
        ),
    ));
    for (name, body) in &files {
        write(dir.path(), name, body);
    }
    let s = scan_hostile(dir.path(), &[], secs(120));
    assert_eq!(s.m.run.code, 1, "{}", s.m.run.stderr);
    for (name, body) in &files {
        // Where the email is: 1-based line, and byte column within it.
        let at = body.find(EMAIL).unwrap();
        let line = body[..at].matches('\n').count() + 1;
        let column = at - body[..at].rfind('\n').map_or(0, |p| p + 1) + 1;
        let found = emails_in(&s.report, &format!("/{name}"));
        assert_eq!(found.len(), 1, "{name}: {found:?}\n{}", s.m.run.stderr);
        assert_eq!(
            (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
            (Some(line as u64), Some(column as u64)),
            "{name}"
        );
    }
    for input in s.report["inputs"].as_array().unwrap() {
        assert_eq!(input["status"], "scanned", "{input}");
    }
}
