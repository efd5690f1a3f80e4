//! Archives and compressed streams: members are scanned under `outer!inner` paths, nested
//! containers work, corrupt containers are per-input errors, and bombs hit reported caps.

use std::io::Write;

use tempfile::TempDir;

use crate::common::*;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        // Written raw so hostile names like `../x` survive as names.
        let bytes = name.as_bytes();
        h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn csv_rows() -> Vec<u8> {
    format!("name,email,note\nA,{EMAIL},x\n").into_bytes()
}

#[test]
fn members_are_scanned_with_nested_paths() {
    let dir = TempDir::new().unwrap();
    let inner_zip = zip(&[("dir/inner.csv", &csv_rows()), ("empty/", b"")]);
    let tgz = gzip(&tar(&[
        ("data/export.zip", &inner_zip),
        ("notes.txt", ticket().as_bytes()),
    ]));
    write(dir.path(), "bundle.tar.gz", &tgz);
    write(dir.path(), "plain.csv.gz", gzip(&csv_rows()));
    let run = scan_jsonl(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.jsonl();
    let paths: std::collections::BTreeSet<String> = findings
        .iter()
        .map(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .take(3)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    let has = |suffix: &str| {
        findings
            .iter()
            .any(|f| f["path"].as_str().unwrap().ends_with(suffix))
    };
    assert!(
        has("bundle.tar.gz!data/export.zip!dir/inner.csv"),
        "{paths:?}"
    );
    assert!(has("bundle.tar.gz!notes.txt"), "{paths:?}");
    assert!(has("plain.csv.gz"), "{paths:?}");
    // The member's finding keeps its true line and column.
    let f = findings
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("inner.csv") && f["kind"] == "email")
        .unwrap();
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(3))
    );
}

#[test]
fn corrupt_containers_are_per_input_errors_and_the_scan_goes_on() {
    let dir = TempDir::new().unwrap();
    let gz = gzip(ticket().repeat(50).as_bytes());
    write(dir.path(), "truncated.log.gz", &gz[..gz.len() / 2]);
    let mut z = zip(&[("a.csv", &csv_rows())]);
    let n = z.len();
    z.truncate(n - 30); // central directory gone
    write(dir.path(), "corrupt.zip", &z);
    write(dir.path(), "good.txt", ticket());
    let run = scan(&["--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let report = run.json();
    let errors: Vec<String> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["path"], e["reason"]))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("truncated.log.gz")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("corrupt.zip") && e.contains("zip")),
        "{errors:?}"
    );
    let good = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().ends_with("good.txt"))
        .count();
    assert!(good >= 5);
}

#[test]
fn bombs_hit_reported_caps_quickly() {
    let dir = TempDir::new().unwrap();
    // 300 MiB of one letter gzips to ~300 KiB: a 1000:1 ratio (text, so it is not skipped as binary).
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b'x'; 1 << 20];
    for _ in 0..300 {
        gz.write_all(&zeros).unwrap();
    }
    write(dir.path(), "bomb.gz", gz.finish().unwrap());
    // Nested deeper than the depth cap: gz(gz(gz(gz(gz(gz(text)))))).
    let mut nested = ticket().into_bytes();
    for _ in 0..7 {
        nested = gzip(&nested);
    }
    write(dir.path(), "deep.gz", &nested);
    let run = scan(&["--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    let report = run.json();
    let reason = |name: &str| reason_for(&report["errors"], name);
    assert!(reason("bomb.gz").contains("ratio cap"), "{report:#}");
    assert!(reason("deep.gz").contains("depth cap"), "{report:#}");
}

#[test]
fn hostile_member_names_are_only_names_and_links_are_not_followed() {
    let dir = TempDir::new().unwrap();
    let out = TempDir::new().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    h.as_old_mut().name[..8].copy_from_slice(b"evil-lnk");
    h.set_link_name("/etc/passwd").unwrap();
    h.set_cksum();
    b.append(&h, &b""[..]).unwrap();
    let mut t = b.into_inner().unwrap();
    // Drop the end-of-archive blocks and append a member with a traversal name.
    t.truncate(t.len() - 1024);
    let rest = tar(&[("../../escaped.txt", format!("email {EMAIL}\n").as_bytes())]);
    t.extend_from_slice(&rest);
    write(dir.path(), "evil.tar", &t);
    let before: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
    let run = crate::common::Run::from(
        piiscan()
            .current_dir(out.path())
            .args(["scan", "--format", "json", dir.path().to_str().unwrap()])
            .output()
            .unwrap(),
    );
    let report = run.json();
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.ends_with("evil.tar!../../escaped.txt")),
        "{paths:?}"
    );
    let skipped = report["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["path"].as_str().unwrap().ends_with("evil.tar!evil-lnk")),
        "{report:#}"
    );
    // Nothing was written anywhere near the scan or the working directory.
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), before.len());
    assert!(!dir.path().parent().unwrap().join("escaped.txt").exists());
}

#[test]
fn a_zip_on_stdin_is_spooled_and_scanned() {
    let z = zip(&[("in/stdin.csv", &csv_rows())]);
    let run = crate::common::Run::from(
        piiscan()
            .args(["scan", "--format", "jsonl", "-"])
            .write_stdin(z)
            .output()
            .unwrap(),
    );
    let f = run.jsonl();
    assert_eq!(f.len(), 1, "{}", run.stderr);
    assert_eq!(f[0]["path"], "-!in/stdin.csv");
}
