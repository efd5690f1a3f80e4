//! `redact`: minimised copies of generated, seeded corpora (CSV, UTF-16 CSV, JSON, NDJSON,
//! pg_dump SQL, text), through the library API the `redact` command runs.
//!
//! Checked: zero residual findings of redacted kinds on re-scan; unredacted fields byte-equal;
//! tokens equal across files for equal values; CSV keeps one column count; JSON parses; a
//! dropped column is gone from the header / keys / COPY list and every row; encodings, line
//! endings and modes kept; the source untouched; DST inside SRC refused; archives re-packed
//! (gzip, zip, tar.gz, nested) with the same names, modes and times, caps honoured; SQLite
//! databases rewritten with SQL (no old value left in the file); every action keeps typed SQL
//! columns loadable (pg_dump and mysqldump); plan delete steps leave the input out or count as
//! not applied; workbooks inside archives are copied unchanged.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use piiscan::detect::{Engine, builtin};
use piiscan::finding::{Confidence, Fingerprinter, Kind};
use piiscan::redact::verify::{self, Receipt, Verification};
use piiscan::redact::{FileStatus, Redactor, Rules, TreeOutcome};
use piiscan::scan::{ScanOptions, Scanner};
use piiscan::validate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const KEY: &[u8] = b"test-key-0123456789abcdef";

struct Person {
    first: &'static str,
    last: &'static str,
    email: String,
    phone: String,
    dob: String,
}

fn people(seed: u64, n: usize) -> Vec<Person> {
    const FIRST: &[&str] = &["Olivia", "Noah", "Charlotte", "Jack", "Amelia", "Oliver"];
    const LAST: &[&str] = &["Testperson", "Sampleton", "Fakeworth", "Placeholder"];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let first = FIRST[rng.gen_range(0..FIRST.len())];
            let last = LAST[rng.gen_range(0..LAST.len())];
            Person {
                first,
                last,
                email: format!(
                    "{}.{}{i}@example.com",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                phone: format!("0491 570 {:03}", 100 + i),
                dob: format!(
                    "19{}-{:02}-{:02}",
                    rng.gen_range(50..99),
                    rng.gen_range(1..13),
                    rng.gen_range(1..29)
                ),
            }
        })
        .collect()
}

fn utf16le_bom(s: &str) -> Vec<u8> {
    let mut v = vec![0xFF, 0xFE];
    for u in s.encode_utf16() {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}

/// Writes the corpus; returns the people.
fn corpus(dir: &Path) -> Vec<Person> {
    let ps = people(7, 40);
    let mut csv = String::from("customer_id,first_name,email,mobile,dob,order_total,note\r\n");
    let mut ndjson = String::new();
    let mut json = Vec::new();
    let mut copy = String::new();
    let mut inserts = String::new();
    let mut text = String::new();
    for (i, p) in ps.iter().enumerate() {
        csv.push_str(&format!(
            "{},{},{},{},{},{}.{:02},\"ok, thanks\"\r\n",
            1000 + i,
            p.first,
            p.email,
            p.phone,
            p.dob,
            100 + i,
            i % 100
        ));
        ndjson.push_str(&format!(
            "{{\"order_id\":\"ORD-{}\",\"customer\":{{\"email\":\"{}\",\"contact\":{{\"phone\":\"{}\"}}}},\"total\":{}.5}}\n",
            5000 + i,
            p.email,
            p.phone,
            i
        ));
        json.push(format!(
            "  {{\"id\": {}, \"email\": \"{}\", \"dob\": \"{}\", \"plan\": \"gold\"}}",
            1000 + i,
            p.email,
            p.dob
        ));
        copy.push_str(&format!(
            "{}\t{} {}\t{}\t{}\t{}\n",
            1000 + i,
            p.first,
            p.last,
            p.email,
            p.dob,
            100 + i
        ));
        if i < 5 {
            inserts.push_str(&format!(
                "INSERT INTO public.contacts VALUES ({}, '{}', '{}');\n",
                i, p.email, p.phone
            ));
        }
        if i < 10 {
            text.push_str(&format!(
                "Customer {} called from {} today.\n",
                p.email, p.phone
            ));
        }
    }
    let sql = format!(
        "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.passengers (\n    id integer NOT NULL,\n    full_name text,\n    email text,\n    date_of_birth date,\n    points integer\n);\n\nCREATE TABLE public.contacts (\n    id integer,\n    email text,\n    phone text\n);\n\nCOPY public.passengers (id, full_name, email, date_of_birth, points) FROM stdin;\n{copy}\\.\n\n{inserts}"
    );
    std::fs::create_dir_all(dir.join("db")).unwrap();
    std::fs::write(dir.join("customers.csv"), &csv).unwrap();
    std::fs::write(dir.join("customers-utf16.csv"), utf16le_bom(&csv)).unwrap();
    std::fs::write(dir.join("events.ndjson"), &ndjson).unwrap();
    std::fs::write(
        dir.join("members.json"),
        format!("[\n{}\n]\n", json.join(",\n")),
    )
    .unwrap();
    std::fs::write(dir.join("db/dump.sql"), &sql).unwrap();
    std::fs::write(dir.join("tickets.txt"), &text).unwrap();
    ps
}

fn engine() -> Engine {
    let specs = builtin::load(&[]).unwrap();
    let vctx = validate::Ctx {
        region: "AU".into(),
        ..validate::Ctx::default()
    };
    Engine::new(specs, vctx).unwrap()
}

struct Run {
    outcome: TreeOutcome,
    verification: Verification,
    rules: Rules,
}

fn redact(src: &Path, dst: &Path, flags: &[&str], default: Option<piiscan::redact::Action>) -> Run {
    let engine = engine();
    let fp = Fingerprinter::new(KEY);
    let mut rules = Rules {
        default,
        ..Rules::default()
    };
    for f in flags {
        rules.add_flag(f).unwrap();
    }
    let r = Redactor {
        engine: &engine,
        fingerprinter: &fp,
        rules,
        min_confidence: Confidence::Medium,
        max_filesize: 1 << 30,
        limits: piiscan::input::archive::Limits::default(),
        omit: Vec::new(),
    };
    let outcome = r.redact_tree(src, dst).unwrap();
    let rules = r.rules;
    let scanner = Scanner::new(engine, fp, ScanOptions::default());
    let verification = verify::verify(&scanner, &outcome, &rules);
    Run {
        outcome,
        verification,
        rules,
    }
}

fn read(p: &Path) -> String {
    String::from_utf8(std::fs::read(p).unwrap()).unwrap()
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    for e in ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .build()
    {
        let e = e.unwrap();
        if e.file_type().is_some_and(|t| t.is_file()) {
            m.insert(
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            );
        }
    }
    m
}

#[test]
fn default_masks_everything_and_keeps_structure() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("out"));
    let ps = corpus(&src);
    let before = snapshot(&src);
    let run = redact(&src, &dst, &[], Some(piiscan::redact::Action::Mask));
    assert_eq!(snapshot(&src), before, "the source was modified");
    for f in &run.outcome.files {
        assert!(
            matches!(f.status, FileStatus::Redacted),
            "{}: {:?}",
            f.path,
            f.status
        );
    }
    let v = &run.verification;
    assert!(v.residual.is_empty(), "residual: {:?}", v.residual);
    assert!(v.passed());
    for k in [Kind::Email, Kind::Phone, Kind::DateOfBirth] {
        assert!(
            v.before.by_kind.get(&k).is_some_and(|c| c.values > 0),
            "{k} not in corpus"
        );
        assert!(!v.after.by_kind.contains_key(&k), "{k} remains");
    }
    // No raw value anywhere in the copies.
    for (path, b) in snapshot(&dst) {
        let all = String::from_utf8_lossy(&b).replace('\0', "");
        for p in &ps {
            for v in [&p.email, &p.phone, &p.dob] {
                assert!(!all.contains(v.as_str()), "a raw value is left in {path}");
            }
        }
    }
    // CSV: same shape, unredacted fields byte-equal, CRLF kept.
    let (a, b) = (
        read(&src.join("customers.csv")),
        read(&dst.join("customers.csv")),
    );
    let (ra, rb) = (csv_rows(&a), csv_rows(&b));
    assert_eq!(ra.len(), rb.len());
    assert_eq!(a.matches("\r\n").count(), b.matches("\r\n").count());
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(x.len(), y.len());
        for c in [0, 5, 6] {
            assert_eq!(x[c], y[c], "unredacted column {c} changed");
        }
    }
    assert_eq!(
        rb[1][2].matches('@').count(),
        1,
        "email masked keeping its shape"
    );
    // UTF-16LE with BOM stays UTF-16LE with BOM.
    let u = std::fs::read(dst.join("customers-utf16.csv")).unwrap();
    assert_eq!(&u[..2], &[0xFF, 0xFE]);
    let units: Vec<u16> = u[2..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(String::from_utf16(&units).unwrap(), b);
    // JSON and NDJSON parse; non-PII values unchanged.
    let j: serde_json::Value = serde_json::from_str(&read(&dst.join("members.json"))).unwrap();
    assert_eq!(j[3]["plan"], "gold");
    assert_eq!(j[3]["id"], 1003);
    for line in read(&dst.join("events.ndjson")).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["order_id"].as_str().unwrap().starts_with("ORD-"));
    }
    // Text keeps its lines.
    let (ta, tb) = (
        read(&src.join("tickets.txt")),
        read(&dst.join("tickets.txt")),
    );
    assert_eq!(ta.lines().count(), tb.lines().count());
}

fn tokens_in(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(i) = rest.find("tok_") {
        let t: String = rest[i..].chars().take(20).collect();
        out.insert(t);
        rest = &rest[i + 4..];
    }
    out
}

#[test]
fn tokens_join_across_files_and_drop_removes_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("out"));
    let ps = corpus(&src);
    let run = redact(
        &src,
        &dst,
        &[
            "email=tokenise",
            "field:dob=drop",
            "field:date_of_birth=drop",
            "field:mobile=null",
        ],
        None,
    );
    assert!(
        run.verification.residual.is_empty(),
        "{:?}",
        run.verification.residual
    );
    let csv = read(&dst.join("customers.csv"));
    let rows = csv_rows(&csv);
    assert_eq!(
        rows[0],
        [
            "customer_id",
            "first_name",
            "email",
            "mobile",
            "order_total",
            "note"
        ]
    );
    assert!(rows.iter().all(|r| r.len() == 6));
    assert!(rows[1..].iter().all(|r| r[3].is_empty()), "mobile nulled");
    // Equal emails → equal tokens in CSV, NDJSON, JSON and SQL.
    let csv_tok: Vec<String> = rows[1..].iter().map(|r| r[2].clone()).collect();
    assert!(csv_tok.iter().all(|t| t.starts_with("tok_")));
    let nd: Vec<serde_json::Value> = read(&dst.join("events.ndjson"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (i, v) in nd.iter().enumerate() {
        assert_eq!(v["customer"]["email"], csv_tok[i].as_str(), "row {i}");
    }
    let j: serde_json::Value = serde_json::from_str(&read(&dst.join("members.json"))).unwrap();
    for (i, v) in j.as_array().unwrap().iter().enumerate() {
        assert_eq!(v["email"], csv_tok[i].as_str());
        assert!(v.get("dob").is_none(), "dob key dropped");
    }
    let sql = read(&dst.join("db/dump.sql"));
    assert!(sql.contains("COPY public.passengers (id, full_name, email, points) FROM stdin;"));
    let sql_tokens = tokens_in(&sql);
    assert_eq!(tokens_in(&csv), csv_tok.iter().cloned().collect());
    assert!(sql_tokens.is_superset(&csv_tok.iter().cloned().collect()));
    for line in sql.lines().skip_while(|l| !l.starts_with("COPY")).skip(1) {
        if line == "\\." {
            break;
        }
        assert_eq!(line.split('\t').count(), 4, "COPY row keeps 4 columns");
    }
    // Nothing but the redacted kinds changed: phones in text stay (kept by default: none).
    assert!(read(&dst.join("tickets.txt")).contains(&ps[0].phone));
}

#[test]
fn generalise_dob_to_year_and_receipt_has_no_values() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("out"));
    let ps = corpus(&src);
    let run = redact(&src, &dst, &["date_of_birth=generalise"], None);
    assert!(
        run.verification.residual.is_empty(),
        "{:?}",
        run.verification.residual
    );
    let rows = csv_rows(&read(&dst.join("customers.csv")));
    for (p, r) in ps.iter().zip(&rows[1..]) {
        assert_eq!(r[4], p.dob[..4], "dob → year");
        assert_eq!(r[2], p.email, "email kept");
    }
    let receipt = Receipt::new(
        &run.outcome,
        &run.verification,
        &run.rules,
        verify::ruleset_version(&engine()),
        "kid".into(),
        "now".into(),
    );
    let json = serde_json::to_string(&receipt).unwrap();
    for p in &ps {
        assert!(!json.contains(&p.email) && !json.contains(&p.dob) && !json.contains(&p.phone));
    }
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["verified"], true);
    assert_eq!(v["files"][0]["input_sha256"].as_str().unwrap().len(), 64);
    assert!(
        v["before"]["by_kind"]["date_of_birth"]["values"]
            .as_u64()
            .unwrap()
            > 0
    );
    // The typed `date` column of the dump holds `YYYY-01-01` (loadable), the CSV a bare year:
    // only the dump's dates are still dates to the scanner, and they are not residuals.
    let years: BTreeSet<&str> = ps.iter().map(|p| &p.dob[..4]).collect();
    assert_eq!(
        v["after"]["by_kind"]["date_of_birth"]["distinct"].as_u64(),
        Some(years.len() as u64)
    );
    let sql = read(&dst.join("db/dump.sql"));
    let copy: Vec<&str> = sql
        .lines()
        .skip_while(|l| !l.starts_with("COPY public.passengers"))
        .skip(1)
        .take(ps.len())
        .collect();
    for (p, line) in ps.iter().zip(copy) {
        assert_eq!(
            line.split('\t').nth(3),
            Some(format!("{}-01-01", &p.dob[..4]).as_str())
        );
    }
}

#[test]
fn refuses_overlap_reports_archives_and_keeps_modes() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    corpus(&src);
    let engine = engine();
    let fp = Fingerprinter::new(KEY);
    let r = Redactor {
        engine: &engine,
        fingerprinter: &fp,
        rules: Rules {
            default: Some(piiscan::redact::Action::Mask),
            ..Rules::default()
        },
        min_confidence: Confidence::Medium,
        max_filesize: 1 << 30,
        limits: piiscan::input::archive::Limits::default(),
        omit: Vec::new(),
    };
    assert!(r.redact_tree(&src, &src).is_err());
    assert!(r.redact_tree(&src, &src.join("out")).is_err());
    assert!(!src.join("out").exists(), "nothing created inside SRC");
    std::fs::set_permissions(
        src.join("customers.csv"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    std::os::unix::fs::symlink(src.join("customers.csv"), src.join("link.csv")).unwrap();
    let dst = tmp.path().join("out");
    let o = r.redact_tree(&src, &dst).unwrap();
    let mode = std::fs::metadata(dst.join("customers.csv"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    let bad: Vec<&str> = o.not_redacted().map(|f| f.path.as_str()).collect();
    assert_eq!(bad, ["link.csv"]);
    assert!(!dst.join("link.csv").exists());
}

fn gzip(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::GzBuilder::new()
        .filename(name)
        .mtime(1_600_000_000)
        .write(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, bytes).unwrap();
    gz.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// A zip of `(name, bytes, stored)` members; names ending in `/` are directories.
fn zip_of(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let when = zip::DateTime::from_date_and_time(2021, 3, 4, 5, 6, 8).unwrap();
    for (name, bytes, stored) in members {
        let o = SimpleFileOptions::default()
            .last_modified_time(when)
            .unix_permissions(0o640)
            .compression_method(if *stored {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            });
        if name.ends_with('/') {
            w.add_directory(*name, o).unwrap();
        } else {
            w.start_file(*name, o).unwrap();
            std::io::Write::write_all(&mut w, bytes).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

/// Name, size, method, mtime and mode of every member, in order.
fn zip_listing(bytes: &[u8]) -> Vec<(String, bool, String, String, Option<u32>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let e = z.by_index(i).unwrap();
            (
                e.name().unwrap().into_owned(),
                e.is_dir(),
                format!("{:?}", e.compression()),
                format!("{:?}", e.last_modified()),
                e.unix_mode(),
            )
        })
        .collect()
}

fn zip_member(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut z.by_name(name).unwrap(), &mut out).unwrap();
    out
}

/// A tar of `(name, bytes, mode, mtime)`; the name is written into the header as raw bytes
/// (so `../x` and absolute names can be made), names over 100 bytes through a GNU long name.
fn tar_of(members: &[(&str, &[u8], u32, u64)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes, mode, mtime) in members {
        let mut h = tar::Header::new_gnu();
        if name.len() <= 100 {
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        }
        h.set_size(bytes.len() as u64);
        h.set_mode(*mode);
        h.set_mtime(*mtime);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        if name.len() > 100 {
            b.append_data(&mut h, name, *bytes).unwrap();
        } else {
            b.append(&h, *bytes).unwrap();
        }
    }
    b.into_inner().unwrap()
}

fn tar_listing(bytes: &[u8]) -> Vec<(String, u32, u64, Vec<u8>)> {
    let mut a = tar::Archive::new(bytes);
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            (
                String::from_utf8_lossy(&e.path_bytes()).into_owned(),
                e.header().mode().unwrap(),
                e.header().mtime().unwrap(),
                data,
            )
        })
        .collect()
}

fn no_raw_values(ps: &[Person], bytes: &[u8], what: &str) {
    let all = String::from_utf8_lossy(bytes);
    for p in ps {
        for v in [&p.email, &p.phone, &p.dob] {
            assert!(!all.contains(v.as_str()), "a raw value is left in {what}");
        }
    }
}

#[test]
fn archives_are_repacked_with_the_same_names_modes_and_times() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("out"));
    let corpus_dir = tmp.path().join("corpus");
    let ps = corpus(&corpus_dir);
    let csv = std::fs::read(corpus_dir.join("customers.csv")).unwrap();
    let text = std::fs::read(corpus_dir.join("tickets.txt")).unwrap();
    let json = std::fs::read(corpus_dir.join("members.json")).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let binary: Vec<u8> = (0..4096).map(|_| rng.r#gen::<u8>()).collect();
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("customers.csv.gz"), gzip("customers.csv", &csv)).unwrap();
    let zip = zip_of(&[
        ("data/", b"", true),
        ("data/customers.csv", &csv, false),
        ("notes.txt", &text, true),
        ("../../escape.json", &json, false),
        ("/abs/blob.bin", &binary, false),
    ]);
    std::fs::write(src.join("bundle.zip"), &zip).unwrap();
    let inner_zip = zip_of(&[("c.csv", &csv, false)]);
    let long = format!("export/{}/people.csv", "d".repeat(120));
    let tar = tar_of(&[
        ("export/tickets.txt", &text, 0o640, 1_500_000_000),
        ("inner.zip", &inner_zip, 0o600, 1_500_000_001),
        (&long, &csv, 0o644, 1_500_000_002),
        ("../up.bin", &binary, 0o755, 1_500_000_003),
    ]);
    std::fs::write(src.join("backup.tar.gz"), gzip("backup.tar", &tar)).unwrap();
    let before = snapshot(&src);
    let run = redact(&src, &dst, &[], Some(piiscan::redact::Action::Mask));
    assert_eq!(snapshot(&src), before, "the source was modified");
    for f in &run.outcome.files {
        assert!(
            matches!(f.status, FileStatus::Redacted),
            "{}: {:?}",
            f.path,
            f.status
        );
    }
    let v = &run.verification;
    assert!(
        v.passed(),
        "residual {:?}, errors {}",
        v.residual,
        v.after.errors
    );
    assert!(v.before.by_kind[&Kind::Email].values >= 4 * ps.len() as u64);
    assert!(!v.after.by_kind.contains_key(&Kind::Email));
    // Nothing was extracted by name anywhere.
    for p in ["escape.json", "abs", "up.bin"] {
        assert!(!tmp.path().join(p).exists() && !dst.join(p).exists(), "{p}");
    }
    assert_eq!(
        std::fs::read_dir(&dst).unwrap().count(),
        3,
        "only the three copies"
    );
    // gzip stays gzip with its header name.
    let gz = std::fs::read(dst.join("customers.csv.gz")).unwrap();
    let d = flate2::read::GzDecoder::new(&gz[..]);
    assert_eq!(d.header().unwrap().filename(), Some(&b"customers.csv"[..]));
    let plain = gunzip(&gz);
    no_raw_values(&ps, &plain, "customers.csv.gz");
    assert_eq!(
        csv_rows(&String::from_utf8(plain).unwrap()).len(),
        ps.len() + 1
    );
    // zip: same names, order, directory entries, methods, times, modes; binary member equal.
    let out_zip = std::fs::read(dst.join("bundle.zip")).unwrap();
    assert_eq!(zip_listing(&out_zip), zip_listing(&zip));
    assert_eq!(zip_member(&out_zip, "/abs/blob.bin"), binary);
    for m in ["data/customers.csv", "notes.txt", "../../escape.json"] {
        no_raw_values(&ps, &zip_member(&out_zip, m), m);
    }
    let j: serde_json::Value =
        serde_json::from_slice(&zip_member(&out_zip, "../../escape.json")).unwrap();
    assert_eq!(j[2]["plan"], "gold");
    // tar.gz: same names (long one included), modes, times; nested zip redacted.
    let out_tar = gunzip(&std::fs::read(dst.join("backup.tar.gz")).unwrap());
    let (a, b) = (tar_listing(&tar), tar_listing(&out_tar));
    let meta = |l: &[(String, u32, u64, Vec<u8>)]| {
        l.iter()
            .map(|(n, m, t, _)| (n.clone(), *m, *t))
            .collect::<Vec<_>>()
    };
    assert_eq!(meta(&a), meta(&b));
    assert_eq!(b[1].0, "inner.zip");
    assert_eq!(b[2].0, long);
    assert_eq!(b[3].3, binary, "binary member copied byte for byte");
    no_raw_values(&ps, &zip_member(&b[1].3, "c.csv"), "inner.zip!c.csv");
    no_raw_values(&ps, &b[2].3, "long member");
    no_raw_values(&ps, &b[0].3, "tickets");
    // The receipt notes the binary members copied unchanged, by member path.
    let notes: Vec<&String> = run.outcome.files.iter().flat_map(|f| &f.notes).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("bundle.zip!/abs/blob.bin: copied unchanged")),
        "{notes:?}"
    );
}

fn redactor_with<'a>(
    engine: &'a Engine,
    fp: &'a Fingerprinter,
    limits: piiscan::input::archive::Limits,
) -> Redactor<'a> {
    Redactor {
        engine,
        fingerprinter: fp,
        rules: Rules {
            default: Some(piiscan::redact::Action::Mask),
            ..Rules::default()
        },
        min_confidence: Confidence::Medium,
        max_filesize: 1 << 30,
        limits,
        omit: Vec::new(),
    }
}

#[test]
fn capped_archives_are_reported_and_not_written() {
    use piiscan::input::archive::Limits;
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let csv = b"email\njane.testperson@example.com\n";
    std::fs::write(
        src.join("three.zip"),
        zip_of(&[
            ("a.csv", csv, false),
            ("b.csv", csv, false),
            ("c.csv", csv, false),
        ]),
    )
    .unwrap();
    let nested = gzip("x", &gzip("x", &gzip("x.csv", csv)));
    std::fs::write(src.join("deep.csv.gz"), nested).unwrap();
    std::fs::write(src.join("bomb.csv.gz"), gzip("b.csv", &vec![b'a'; 4 << 20])).unwrap();
    let engine = engine();
    let fp = Fingerprinter::new(KEY);
    let r = redactor_with(
        &engine,
        &fp,
        Limits {
            max_members: 2,
            max_depth: 2,
            max_ratio: 10,
            ..Limits::default()
        },
    );
    let dst = tmp.path().join("out");
    let o = r.redact_tree(&src, &dst).unwrap();
    let why = |p: &str| match &o.files.iter().find(|f| f.path == p).unwrap().status {
        FileStatus::NotRedacted(w) => w.clone(),
        FileStatus::Redacted | FileStatus::Omitted(_) => panic!("{p} was written or left out"),
    };
    assert!(
        why("three.zip").contains("member cap"),
        "{}",
        why("three.zip")
    );
    assert!(
        why("deep.csv.gz").contains("depth cap"),
        "{}",
        why("deep.csv.gz")
    );
    assert!(
        why("bomb.csv.gz").contains("ratio cap"),
        "{}",
        why("bomb.csv.gz")
    );
    for p in ["three.zip", "deep.csv.gz", "bomb.csv.gz"] {
        assert!(!dst.join(p).exists(), "{p} written");
        assert!(!why(p).contains("jane"), "reason quotes a value");
    }
    // With the default caps the zip and the nested streams are redacted.
    std::fs::remove_file(src.join("bomb.csv.gz")).unwrap();
    let r = redactor_with(&engine, &fp, Limits::default());
    let o = r.redact_tree(&src, &tmp.path().join("out2")).unwrap();
    assert_eq!(o.not_redacted().count(), 0);
}

/// A real SQLite database of `ps`: customers (id, name, email, dob DATE, phone indexed, mobile,
/// total), an audit table fed by an UPDATE trigger, and an `ANALYZE`d index.
fn sqlite_db(path: &Path, ps: &[Person]) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, dob DATE, \
         phone TEXT, mobile TEXT, total REAL);
         CREATE INDEX customers_phone ON customers(phone);
         CREATE TABLE audit (at INTEGER, old_email TEXT);
         CREATE TRIGGER keep_old AFTER UPDATE OF email ON customers \
         BEGIN INSERT INTO audit VALUES (1, OLD.email); END;",
    )
    .unwrap();
    for (i, p) in ps.iter().enumerate() {
        db.execute(
            "INSERT INTO customers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                i as i64 + 1,
                format!("{} {}", p.first, p.last),
                p.email,
                p.dob,
                p.phone,
                p.phone.replace("0491 570", "0491 571"),
                i as f64 + 0.5
            ],
        )
        .unwrap();
    }
    // Old values in free pages: rows deleted from the source must not matter either.
    db.execute_batch("ANALYZE;").unwrap();
}

#[test]
fn sqlite_databases_get_a_redacted_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("out"));
    std::fs::create_dir_all(&src).unwrap();
    let ps = people(23, 30);
    sqlite_db(&src.join("shop.db"), &ps);
    // The same database inside a zip is redacted too.
    let db_bytes = std::fs::read(src.join("shop.db")).unwrap();
    std::fs::write(src.join("db.zip"), zip_of(&[("shop.db", &db_bytes, false)])).unwrap();
    let before = snapshot(&src);
    let run = redact(
        &src,
        &dst,
        &[
            "email=tokenise",
            "date_of_birth=generalise",
            "field:phone=drop",
            "field:mobile=drop",
        ],
        None,
    );
    assert_eq!(snapshot(&src), before, "the source was modified");
    for f in &run.outcome.files {
        assert!(
            matches!(f.status, FileStatus::Redacted),
            "{}: {:?}",
            f.path,
            f.status
        );
        assert_eq!(
            f.format,
            Some(if f.path == "db.zip" { "zip" } else { "sqlite" })
        );
    }
    let v = &run.verification;
    assert!(v.passed(), "residual {:?}", v.residual);
    assert!(v.before.by_kind[&Kind::Email].values >= 2 * ps.len() as u64);
    assert!(!v.after.by_kind.contains_key(&Kind::Email));
    assert!(!v.after.by_kind.contains_key(&Kind::Phone));
    let out_bytes = std::fs::read(dst.join("shop.db")).unwrap();
    let inner = zip_member(&std::fs::read(dst.join("db.zip")).unwrap(), "shop.db");
    for (what, bytes) in [("shop.db", &out_bytes), ("db.zip!shop.db", &inner)] {
        // No raw value anywhere in the file: not in rows, indexes, free pages or statistics.
        for p in &ps {
            for raw in [&p.email, &p.phone, &p.dob] {
                assert!(
                    memchr::memmem::find(bytes, raw.as_bytes()).is_none(),
                    "a raw value is left in {what}"
                );
            }
        }
    }
    let db = rusqlite::Connection::open_with_flags(
        dst.join("shop.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let cols: Vec<String> = db
        .prepare("SELECT name FROM pragma_table_info('customers')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // mobile is dropped; phone is indexed, so SQLite keeps it and it is nulled (noted).
    assert_eq!(cols, ["id", "name", "email", "dob", "phone", "total"]);
    let notes = &run
        .outcome
        .files
        .iter()
        .find(|f| f.path == "shop.db")
        .unwrap()
        .notes;
    assert!(notes.iter().any(|n| n.contains("set to NULL")), "{notes:?}");
    let rows: Vec<(i64, String, String, String, Option<String>, f64)> = db
        .prepare("SELECT id, name, email, dob, phone, total FROM customers ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), ps.len());
    for (i, (p, row)) in ps.iter().zip(&rows).enumerate() {
        assert_eq!(row.0, i as i64 + 1, "unredacted id");
        assert_eq!(row.5, i as f64 + 0.5, "unredacted total");
        assert!(row.2.starts_with("tok_"), "email tokenised");
        assert_eq!(
            row.3,
            format!("{}-01-01", &p.dob[..4]),
            "DATE column keeps a date"
        );
        assert_eq!(row.4, None, "phone nulled");
    }
    // The audit trigger is restored but did not copy old values while rows changed.
    let audit: i64 = db
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audit, 0);
    let triggers: i64 = db
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 1);
    // Tokens join with the CSV writer's tokens for the same value.
    let fp = Fingerprinter::new(KEY);
    let tok = piiscan::redact::action::token(&fp, Kind::Email, &ps[0].email.to_lowercase());
    assert_eq!(rows[0].2, tok);
    // No temp or journal files left beside the copies.
    let mut names: Vec<String> = std::fs::read_dir(&dst)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["db.zip", "shop.db"]);
}

fn cli(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("piiscan")
        .unwrap()
        .current_dir(dir)
        .env("PIISCAN_FINGERPRINT_KEY", "test-key-0123456789abcdef")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn config_redact_section_sets_rules_and_flags_override_it() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let ps = corpus(&src);
    std::fs::write(
        tmp.path().join("piiscan.toml"),
        "[redact]\ndefault = \"keep\"\nactions = { email = \"tokenise\" }\n\
         fields = { dob = \"drop\", mobile = \"null\" }\n",
    )
    .unwrap();
    let (code, out, err) = cli(tmp.path(), &["redact", "src", "--out", "a", "-q"]);
    assert_eq!(code, 0, "{out}{err}");
    let rows = csv_rows(&read(&tmp.path().join("a/customers.csv")));
    assert_eq!(rows[0].len(), 6, "dob dropped by the file's field rule");
    assert!(!rows[0].contains(&"dob".to_string()));
    for (p, r) in ps.iter().zip(&rows[1..]) {
        assert!(r[2].starts_with("tok_"), "email tokenised by the file");
        assert!(r[3].is_empty(), "mobile nulled by the file");
        assert_eq!(r[1], p.first, "default keep from the file");
    }
    // A flag beats the file at the same specificity; --default beats the file's default.
    let (code, out, err) = cli(
        tmp.path(),
        &[
            "redact",
            "src",
            "--out",
            "b",
            "-q",
            "--action",
            "email=mask",
            "--default",
            "mask",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let rows = csv_rows(&read(&tmp.path().join("b/customers.csv")));
    for r in &rows[1..] {
        assert!(
            !r[2].starts_with("tok_") && r[2].contains("***"),
            "flag wins"
        );
    }
    // Unknown keys and values are errors naming the key and the file, in `config check` too.
    for (toml, key) in [
        ("[redact]\nactoins = {}\n", "actoins"),
        (
            "[redact]\nactions = { email = \"shred\" }\n",
            "redact.actions.email",
        ),
        (
            "[redact]\nfields = { dob = \"burn\" }\n",
            "redact.fields.dob",
        ),
    ] {
        std::fs::write(tmp.path().join("piiscan.toml"), toml).unwrap();
        for args in [
            &["config", "check"][..],
            &["redact", "src", "--out", "c"][..],
        ] {
            let (code, out, err) = cli(tmp.path(), args);
            assert_eq!(code, 2, "{args:?}: {out}{err}");
            assert!(err.contains(key) && err.contains("piiscan.toml"), "{err}");
        }
        assert!(!tmp.path().join("c").exists());
    }
}

#[test]
fn unsupported_databases_and_workbooks_are_reported_not_written() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let email = "olivia.testperson7@example.com";
    let db = rusqlite::Connection::open(src.join("norowid.db")).unwrap();
    db.execute_batch("CREATE TABLE t (email TEXT PRIMARY KEY) WITHOUT ROWID;")
        .unwrap();
    db.execute("INSERT INTO t VALUES (?1)", [email]).unwrap();
    drop(db);
    // Two emails that mask alike in a UNIQUE column: the UPDATE breaks the constraint.
    let db = rusqlite::Connection::open(src.join("unique.db")).unwrap();
    db.execute_batch("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE);")
        .unwrap();
    for (i, e) in ["ab1@example.com", "ab2@example.com"].iter().enumerate() {
        db.execute(
            "INSERT INTO u VALUES (?1, ?2)",
            rusqlite::params![i as i64, e],
        )
        .unwrap();
    }
    drop(db);
    std::fs::write(
        src.join("book.xlsx"),
        zip_of(&[
            ("[Content_Types].xml", b"<Types/>", false),
            ("xl/workbook.xml", b"<workbook/>", false),
        ]),
    )
    .unwrap();
    let dst = tmp.path().join("out");
    let run = redact(&src, &dst, &[], Some(piiscan::redact::Action::Mask));
    let why = |p: &str| match &run
        .outcome
        .files
        .iter()
        .find(|f| f.path == p)
        .unwrap()
        .status
    {
        FileStatus::NotRedacted(w) => w.clone(),
        FileStatus::Redacted | FileStatus::Omitted(_) => panic!("{p} was written or left out"),
    };
    assert!(
        why("norowid.db").contains("WITHOUT ROWID"),
        "{}",
        why("norowid.db")
    );
    assert!(why("unique.db").contains("UNIQUE"), "{}", why("unique.db"));
    // The reason says workbook, not archive: to the user an xlsx is a spreadsheet.
    assert_eq!(
        why("book.xlsx"),
        "book.xlsx: xlsx workbooks are not redacted; no copy written"
    );
    for p in ["norowid.db", "unique.db", "book.xlsx"] {
        assert!(!dst.join(p).exists(), "{p} written");
        assert!(!why(p).contains("example.com"), "a value in the reason");
    }
    assert_eq!(
        std::fs::read_dir(&dst).unwrap().count(),
        0,
        "no temp files left"
    );
}

#[test]
fn compressed_streams_keep_their_format() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("out"));
    let corpus_dir = tmp.path().join("corpus");
    let ps = corpus(&corpus_dir);
    let csv = std::fs::read(corpus_dir.join("customers.csv")).unwrap();
    std::fs::create_dir_all(&src).unwrap();
    let xz = |b: &[u8]| {
        let mut w =
            lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
        std::io::Write::write_all(&mut w, b).unwrap();
        w.finish().unwrap()
    };
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::new(5));
    std::io::Write::write_all(&mut bz, &csv).unwrap();
    std::fs::write(src.join("c.csv.bz2"), bz.finish().unwrap()).unwrap();
    std::fs::write(src.join("c.csv.xz"), xz(&csv)).unwrap();
    let clean = xz(b"order_id,total\n1,2.50\n");
    std::fs::write(src.join("clean.csv.xz"), &clean).unwrap();
    std::fs::write(
        src.join("c.csv.zst"),
        ruzstd::encoding::compress_to_vec(&csv[..], ruzstd::encoding::CompressionLevel::Fastest),
    )
    .unwrap();
    let run = redact(&src, &dst, &[], Some(piiscan::redact::Action::Mask));
    assert_eq!(
        run.outcome.not_redacted().count(),
        0,
        "{:?}",
        run.outcome.files
    );
    assert!(run.verification.passed(), "{:?}", run.verification.residual);
    let open = |name: &str, kind: piiscan::input::archive::Container| {
        let bytes = std::fs::read(dst.join(name)).unwrap();
        assert_eq!(piiscan::input::archive::sniff(&bytes), Some(kind), "{name}");
        let mut out = Vec::new();
        std::io::Read::read_to_end(
            &mut piiscan::input::archive::decompressor(kind, &bytes[..], 64 << 20).unwrap(),
            &mut out,
        )
        .unwrap();
        out
    };
    use piiscan::input::archive::Container as C;
    for (name, kind) in [
        ("c.csv.bz2", C::Bzip2),
        ("c.csv.xz", C::Xz),
        ("c.csv.zst", C::Zstd),
    ] {
        let plain = open(name, kind);
        no_raw_values(&ps, &plain, name);
        let rows = csv_rows(&String::from_utf8(plain).unwrap());
        assert_eq!(rows.len(), ps.len() + 1, "{name}");
        assert_eq!(rows[3][0], "1002", "{name}: unredacted field kept");
    }
    let bz = std::fs::read(dst.join("c.csv.bz2")).unwrap();
    assert_eq!(&bz[..4], b"BZh5", "bzip2 block size kept");
    assert_eq!(
        std::fs::read(dst.join("clean.csv.xz")).unwrap(),
        clean,
        "nothing to redact: same bytes"
    );
}

#[test]
fn cli_redacts_archives_and_databases_with_a_clean_receipt() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let corpus_dir = tmp.path().join("corpus");
    let ps = corpus(&corpus_dir);
    let csv = std::fs::read(corpus_dir.join("customers.csv")).unwrap();
    let json = std::fs::read(corpus_dir.join("members.json")).unwrap();
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("export.zip"),
        zip_of(&[
            ("customers.csv", &csv, false),
            ("members.json", &json, false),
        ]),
    )
    .unwrap();
    std::fs::set_permissions(
        src.join("export.zip"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    sqlite_db(&src.join("shop.db"), &ps);
    std::fs::set_permissions(src.join("shop.db"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let before = snapshot(&src);
    let (code, out, err) = cli(
        tmp.path(),
        &[
            "redact",
            "src",
            "--out",
            "out",
            "--action",
            "email=tokenise",
            "--receipt",
            "r.json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(snapshot(&src), before);
    let receipt = std::fs::read_to_string(tmp.path().join("r.json")).unwrap();
    for text in [&out, &err, &receipt] {
        for p in &ps {
            for v in [&p.email, &p.phone, &p.dob] {
                assert!(
                    !text.contains(v.as_str()),
                    "a raw value in the output or receipt"
                );
            }
        }
    }
    let r: serde_json::Value = serde_json::from_str(&receipt).unwrap();
    assert_eq!(r["verified"], true);
    assert_eq!(r["files"][0]["format"], "zip");
    assert_eq!(r["files"][1]["format"], "sqlite");
    assert!(out.contains("written      export.zip (zip):"), "{out}");
    assert!(out.contains("written      shop.db (sqlite):"), "{out}");
    for (name, mode) in [("export.zip", 0o640), ("shop.db", 0o600)] {
        let m = std::fs::metadata(tmp.path().join("out").join(name)).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, mode, "{name}");
    }
}

/// A pg_dump (COPY and both INSERT forms) and a mysqldump whose PII sits in typed columns —
/// date, timestamp/datetime, numeric/decimal, integer NOT NULL, inet, varchar(n), text NOT NULL
/// and text NULL — with a uuid NOT NULL column beside them.
fn typed_dumps(dir: &Path) -> Vec<Person> {
    let ps = people(11, 12);
    let cards = ["4111111111111111", "5555555555554444", "4012888888881881"];
    let mut pg = String::from(
        "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.customers (\n    id integer NOT NULL,\n    ref uuid NOT NULL,\n    email text NOT NULL,\n    backup_email text,\n    date_of_birth date,\n    birthdate date NOT NULL,\n    birthday timestamp without time zone,\n    last_login_ip inet,\n    tfn integer NOT NULL,\n    card_number numeric(19,0),\n    balance numeric(10,2) NOT NULL,\n    phone character varying(16),\n    note text\n);\n\nCOPY public.customers (id, ref, email, backup_email, date_of_birth, birthdate, birthday, last_login_ip, tfn, card_number, balance, phone, note) FROM stdin;\n",
    );
    let mut my = String::from(
        "-- MySQL dump 10.13\n\nCREATE TABLE `customers` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `email` varchar(64) NOT NULL,\n  `date_of_birth` date DEFAULT NULL,\n  `birthday` datetime NOT NULL,\n  `tfn` int(11) NOT NULL,\n  `card_number` decimal(19,0) DEFAULT NULL,\n  `phone` varchar(16) DEFAULT NULL,\n  `balance` decimal(10,2) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\n\nINSERT INTO `customers` VALUES ",
    );
    let mut tuples = Vec::new();
    for (i, p) in ps.iter().enumerate() {
        let card = cards[i % cards.len()];
        if i < 8 {
            pg.push_str(&format!(
                "{i}\t{i:08x}-e89b-12d3-a456-426614174000\t{}\t{}\t{}\t{}\t{} 00:00:00\t100.64.0.{}\t123456782\t{card}\t{i}.50\t{}\tcalled {}\n",
                p.email,
                if i % 2 == 1 { p.email.replace('@', "+b@") } else { "\\N".into() },
                p.dob,
                p.dob,
                p.dob,
                i + 1,
                p.phone,
                p.phone
            ));
        }
        tuples.push(format!(
            "({i},'{}','{}','{} 00:00:00',123456782,{card},'{}',{i}.50)",
            p.email, p.dob, p.dob, p.phone
        ));
    }
    pg.push_str("\\.\n\n");
    for (i, p) in ps.iter().enumerate().skip(8) {
        let cols = if i % 2 == 0 {
            ""
        } else {
            " (id, ref, email, backup_email, date_of_birth, birthdate, birthday, last_login_ip, tfn, card_number, balance, phone, note)"
        };
        pg.push_str(&format!(
            "INSERT INTO public.customers{cols} VALUES ({i}, '{i:08x}-e89b-12d3-a456-426614174000', '{}', NULL, '{}', '{}', '{} 00:00:00', '100.64.0.{}', 123456782, {}, {i}.50, '{}', 'called {}');\n",
            p.email,
            p.dob,
            p.dob,
            p.dob,
            i + 1,
            cards[i % cards.len()],
            p.phone,
            p.phone
        ));
    }
    my.push_str(&tuples.join(","));
    my.push_str(";\n");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("pg.sql"), pg).unwrap();
    std::fs::write(dir.join("my.sql"), my).unwrap();
    ps
}

/// Every action keeps typed SQL columns loadable: each copy passes the static type check
/// verification runs (every value in a typed column parses as its type, no NULL in a NOT NULL
/// column), the run verifies, and what each typed column holds follows the rule of
/// `redact::sql` (NULL where allowed, else the type's placeholder, the generalised form where
/// there is one). `.ci/postgres-test.sh` loads such copies into a real PostgreSQL.
#[test]
fn every_action_keeps_typed_sql_columns_loadable() {
    use piiscan::redact::Action;
    use piiscan::redact::sql::type_check;
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let ps = typed_dumps(&src);
    for name in ["pg.sql", "my.sql"] {
        let c = type_check(&std::fs::read(src.join(name)).unwrap()).unwrap();
        assert!(c.values().all(|c| c.bad == 0), "{name}: source {c:?}");
        assert!(
            c.contains_key("customers.date_of_birth"),
            "{name}: typed columns read"
        );
    }
    for action in Action::ALL {
        let dst = tmp.path().join(format!("out-{action}"));
        let run = redact(&src, &dst, &[], Some(action));
        assert_eq!(run.outcome.not_redacted().count(), 0, "{action}");
        assert!(
            run.verification.passed(),
            "{action}: residual {:?}, type errors {:?}",
            run.verification.residual,
            run.verification.type_errors
        );
        for name in ["pg.sql", "my.sql"] {
            let out = std::fs::read(dst.join(name)).unwrap();
            for (col, c) in type_check(&out).unwrap() {
                assert_eq!(
                    c.bad, 0,
                    "{action}: {name}: {col} ({}) would not load",
                    c.sql_type
                );
            }
            let text = String::from_utf8(out).unwrap();
            for p in &ps {
                for v in [&p.email, &p.dob, &p.phone] {
                    // (A date of birth on 1 January is its own generalised form.)
                    if action == Action::Generalise && v.ends_with("-01-01") {
                        continue;
                    }
                    assert!(!text.contains(v.as_str()), "{action}: {v} in {name}");
                }
            }
            assert!(!text.contains("4111111111111111") && !text.contains("123456782"));
        }
        let pg = read(&dst.join("pg.sql"));
        let row: Vec<&str> = pg
            .lines()
            .find(|l| l.starts_with("0\t"))
            .unwrap()
            .split('\t')
            .collect();
        // id, ref, email, backup_email, date_of_birth, birthdate, birthday, ip, tfn, card, …
        match action {
            Action::Mask | Action::Tokenise => {
                assert_eq!(
                    &row[4..10],
                    ["\\N", "1900-01-01", "\\N", "\\N", "0", "\\N"],
                    "{action}"
                );
                let notes = &run
                    .outcome
                    .files
                    .iter()
                    .find(|f| f.path == "pg.sql")
                    .unwrap()
                    .notes;
                assert!(
                    notes
                        .iter()
                        .any(|n| n.starts_with("customers.tfn (integer, NOT NULL):")),
                    "{notes:?}"
                );
            }
            Action::Generalise => {
                let year = &ps[0].dob[..4];
                assert_eq!(row[4], format!("{year}-01-01"));
                assert_eq!(
                    row[6],
                    format!("{year}-01-01"),
                    "timestamp: the year's first day"
                );
                assert_eq!(row[7], "100.64.0.0/24", "inet: the /24");
                assert_eq!(row[2], "example.com");
            }
            Action::Null => {
                assert_eq!(
                    &row[2..10],
                    ["", "\\N", "\\N", "1900-01-01", "\\N", "\\N", "0", "\\N"]
                );
            }
            Action::Drop => {
                // Nullable columns go; NOT NULL ones without a default stay with placeholders.
                assert!(
                    pg.contains("COPY public.customers (id, ref, email, birthdate, tfn, balance) FROM stdin;"),
                    "{pg}"
                );
                assert_eq!(
                    row,
                    [
                        "0",
                        "00000000-e89b-12d3-a456-426614174000",
                        "",
                        "1900-01-01",
                        "0",
                        "0.50"
                    ]
                );
                let my = read(&dst.join("my.sql"));
                assert!(
                    my.contains("INSERT INTO `customers` (`id`, `email`, `birthday`, `tfn`, `balance`) VALUES (0,'','1900-01-01 00:00:00','0',0.50),"),
                    "{my}"
                );
            }
        }
    }
}

/// `--plan P --top N`: a step that deletes an input leaves it out of the copy (listed as
/// omitted in the receipt); the summary says how many of the N steps were applied; a step
/// that cannot be done makes the run incomplete (exit 2, not verified).
#[test]
fn plan_delete_steps_leave_the_input_out_or_count_as_not_applied() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let ps = people(5, 20);
    let rows = |n: usize| {
        let mut s = String::from("customer_id,email,mobile\n");
        for (i, p) in ps.iter().take(n).enumerate() {
            s.push_str(&format!("{i},{},{}\n", p.email, p.phone));
        }
        s
    };
    std::fs::write(src.join("big.csv"), rows(20)).unwrap();
    std::fs::write(src.join("copy.csv"), rows(5)).unwrap();
    let (code, out, err) = cli(
        tmp.path(),
        &["scan", "--format", "json", "-o", "report.json", "src"],
    );
    assert_eq!(code, 1, "{out}{err}");
    let report: serde_json::Value =
        serde_json::from_str(&read(&tmp.path().join("report.json"))).unwrap();
    let plan = report["exposure"]["plan"].as_array().unwrap();
    let delete = plan
        .iter()
        .position(|s| s["action"] == "delete_input")
        .expect("a delete step for the copy");
    assert_eq!(plan[delete]["input"], "src/copy.csv");
    let top = (delete + 1).to_string();
    let redact_args = |from: &str, to: &str, receipt: &str| {
        vec![
            "redact".to_string(),
            from.into(),
            "--out".into(),
            to.into(),
            "--plan".into(),
            "report.json".into(),
            "--top".into(),
            top.clone(),
            "--receipt".into(),
            receipt.into(),
        ]
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cli(tmp.path(), &args)
    };
    // The whole tree: every step applied, the copy left out.
    let (code, out, err) = run(redact_args("src", "out", "r1.json"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("plan: {top} of the top {top} step(s) applied")),
        "{out}"
    );
    assert!(out.contains("left out     copy.csv"), "{out}");
    assert!(
        out.contains("1 input(s) left out of the copy by the plan"),
        "{out}"
    );
    assert!(!tmp.path().join("out/copy.csv").exists());
    assert!(tmp.path().join("out/big.csv").exists());
    let r: serde_json::Value = serde_json::from_str(&read(&tmp.path().join("r1.json"))).unwrap();
    assert_eq!(r["verified"], true);
    assert_eq!(r["omitted"], 1);
    let copy = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "copy.csv")
        .unwrap();
    assert_eq!(copy["status"], "omitted");
    assert!(copy["input_sha256"].as_str().unwrap().len() == 64);
    assert!(
        r["plan"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["applied"] == true)
    );
    // Only big.csv: the delete step's input is not there, so it is not applied.
    let (code, out, err) = run(redact_args("src/big.csv", "out2", "r2.json"));
    assert_eq!(code, 2, "{out}{err}");
    let applied = delete; // every step but the delete one
    assert!(
        out.contains(&format!("plan: {applied} of the top {top} step(s) applied")),
        "{out}"
    );
    assert!(
        out.contains("not applied (its input is not in the source tree)"),
        "{out}"
    );
    assert!(
        out.contains("INCOMPLETE") && out.contains("1 of the top"),
        "{out}"
    );
    let r: serde_json::Value = serde_json::from_str(&read(&tmp.path().join("r2.json"))).unwrap();
    assert_eq!(r["verified"], false);
    // A file already at the left-out input's place in DST would stay in the copy: refused.
    std::fs::create_dir_all(tmp.path().join("out3")).unwrap();
    std::fs::write(tmp.path().join("out3/copy.csv"), "stale\n").unwrap();
    let (code, out, _) = run(redact_args("src", "out3", "r3.json"));
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("NOT REDACTED copy.csv") && out.contains("already holds"),
        "{out}"
    );
    for text in [&out, &read(&tmp.path().join("r1.json"))] {
        for p in &ps {
            assert!(
                !text.contains(p.email.as_str()),
                "a raw value in the output"
            );
        }
    }
}

/// `.ci/postgres-test.sh` loads a copy made with every action: its list is every action the
/// binary offers.
#[test]
fn postgres_test_covers_every_action() {
    let script =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/postgres-test.sh"))
            .unwrap();
    let line = script
        .lines()
        .find(|l| l.starts_with("ACTIONS=("))
        .expect("an ACTIONS=(…) line");
    let listed: Vec<&str> = line
        .trim_start_matches("ACTIONS=(")
        .trim_end_matches(')')
        .split_whitespace()
        .collect();
    let all: Vec<&str> = piiscan::redact::Action::ALL
        .iter()
        .map(|a| a.as_str())
        .collect();
    assert_eq!(listed, all);
}

/// A workbook inside a zip is copied unchanged (noted), as documented, and the zip is written
/// with its other members redacted; the same workbook as the input itself is not redacted, and
/// the reason says "workbook" (it used to say "archive not written").
#[test]
fn workbooks_inside_archives_are_copied_and_noted() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("out"));
    std::fs::create_dir_all(&src).unwrap();
    let book = zip_of(&[
        ("[Content_Types].xml", b"<Types/>", false),
        ("xl/workbook.xml", b"<workbook/>", false),
    ]);
    let csv = b"email\nolivia.testperson7@example.com\n";
    std::fs::write(
        src.join("bundle.zip"),
        zip_of(&[("book.xlsx", &book, false), ("c.csv", csv, false)]),
    )
    .unwrap();
    let run = redact(&src, &dst, &[], Some(piiscan::redact::Action::Mask));
    let f = &run.outcome.files[0];
    assert!(matches!(f.status, FileStatus::Redacted), "{:?}", f.status);
    assert!(
        f.notes.iter().any(
            |n| n == "bundle.zip!book.xlsx: copied unchanged (xlsx workbooks are not redacted)"
        ),
        "{:?}",
        f.notes
    );
    let out = std::fs::read(dst.join("bundle.zip")).unwrap();
    assert_eq!(
        zip_member(&out, "book.xlsx"),
        book,
        "the workbook is copied as it was"
    );
    assert!(!String::from_utf8_lossy(&zip_member(&out, "c.csv")).contains("olivia"));
}
