//! `redact`: minimised copies of generated, seeded corpora (CSV, UTF-16 CSV, JSON, NDJSON,
//! pg_dump SQL, text), through the library API the `redact` command runs.
//!
//! Checked: zero residual findings of redacted kinds on re-scan; unredacted fields byte-equal;
//! tokens equal across files for equal values; CSV keeps one column count; JSON parses; a
//! dropped column is gone from the header / keys / COPY list and every row; encodings, line
//! endings and modes kept; the source untouched; DST inside SRC refused; archives reported.

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
    assert!(v["after"]["by_kind"].get("date_of_birth").is_none());
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
    };
    assert!(r.redact_tree(&src, &src).is_err());
    assert!(r.redact_tree(&src, &src.join("out")).is_err());
    assert!(!src.join("out").exists(), "nothing created inside SRC");
    std::fs::set_permissions(
        src.join("customers.csv"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, b"email\njane@example.com\n").unwrap();
    std::fs::write(src.join("x.csv.gz"), gz.finish().unwrap()).unwrap();
    let dst = tmp.path().join("out");
    let o = r.redact_tree(&src, &dst).unwrap();
    let mode = std::fs::metadata(dst.join("customers.csv"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    let bad: Vec<&str> = o.not_redacted().map(|f| f.path.as_str()).collect();
    assert_eq!(bad, ["x.csv.gz"]);
    assert!(!dst.join("x.csv.gz").exists());
}
