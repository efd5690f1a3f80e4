//! Names that are values: a key, a column, a header, a file or a member named by a person's
//! data must not carry that data into any report format, the baseline or the cache. Fields
//! show placeholders (`users.{email}.phone`); paths show the value masked.

use std::io::Write;
use std::path::Path;

use tempfile::TempDir;

use crate::common::*;

/// Keys of every kind, as written in the fixtures (fake: reserved domains, ACMA's fictional
/// range, published test card and IBAN, checksum-valid TFN from the pattern file's example).
const KEYS: &[(&str, &str)] = &[
    ("email", EMAIL),
    ("email_plain", "jane@example.com"),
    ("phone", "+61 491 570 157"),
    ("phone_digits", "+61491570158"),
    ("card", "4111111111111111"),
    ("iban", "GB82WEST12345698765432"),
    ("national_id", "123 456 782"),
    ("dob", "1985-03-12"),
    ("uuid", "550e8400-e29b-41d4-a716-446655440000"),
    ("long_id", "98765432109"),
    ("hash", "d41d8cd98f00b204e9800998ecf8427e"),
    ("ip", "203.0.113.77"),
];

/// A file and an archive member named by a person.
const FILE_EMAIL: &str = "grace.hopper@example.org";
const MEMBER_EMAIL: &str = "alan.turing@example.net";

fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, data) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The tree: a JSON map keyed by values of every kind (objects and scalars beneath them),
/// key/value text and YAML keyed by values, a CSV whose header cell is an email, an SQL dump
/// whose column is one, a file and an archive member named by an email.
fn tree() -> TempDir {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let mut users = serde_json::Map::new();
    let mut by_key = serde_json::Map::new();
    for (i, (_, key)) in KEYS.iter().enumerate() {
        users.insert(
            key.to_string(),
            serde_json::json!({
                "phone": format!("+61 491 570 {:03}", 100 + i),
                "email": format!("person{i}@example.com"),
            }),
        );
        by_key.insert(
            key.to_string(),
            serde_json::json!(format!("0491 570 {:03}", 200 + i)),
        );
    }
    let map = serde_json::json!({ "users": users, "phones_by_key": by_key });
    write(d, "map.json", serde_json::to_string_pretty(&map).unwrap());
    // The same map as NDJSON records, one per key.
    let mut nd = String::new();
    for (i, (_, key)) in KEYS.iter().enumerate() {
        nd.push_str(
            &serde_json::json!({ *key: { "mobile": format!("0491 570 {:03}", 300 + i) } })
                .to_string(),
        );
        nd.push('\n');
    }
    write(d, "records.ndjson", nd);
    let mut kv = String::new();
    let mut yaml = String::from("contacts:\n");
    for (i, (_, key)) in KEYS.iter().enumerate() {
        kv.push_str(&format!(
            "{key}={}\n",
            format_args!("person{i}@example.com")
        ));
        yaml.push_str(&format!("  {key}: +61 491 570 {:03}\n", 400 + i));
    }
    write(d, "contacts.log", kv);
    write(d, "contacts.yaml", yaml);
    // `Key: value` lines whose keys hold values: the key is the field.
    let mut form = String::from("Name: Jane\n");
    for (i, (_, key)) in KEYS.iter().enumerate() {
        form.push_str(&format!("Ref {key}: 0491 570 {:03}\n", 450 + i));
    }
    write(d, "form.txt", form);
    // A header cell that holds a phone number (and is still read as a header).
    let mut csv2 = String::from("id,customer_tel_0491570160_home,note\n");
    for i in 0..5 {
        csv2.push_str(&format!("{i},0491 570 {:03},ok\n", 550 + i));
    }
    write(d, "header2.csv", csv2);
    let mut csv = format!("id,{EMAIL},phone\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "{i},person{i}@example.com,0491 570 {:03}\n",
            500 + i
        ));
    }
    write(d, "header.csv", csv);
    let mut sql = format!(
        "CREATE TABLE customers (id integer, \"{EMAIL}\" text, phone text);\n\
         INSERT INTO customers (id, \"{EMAIL}\", phone) VALUES\n"
    );
    for i in 0..5 {
        let sep = if i == 4 { ";" } else { "," };
        sql.push_str(&format!(
            "({i}, 'person{i}@example.com', '0491 570 {:03}'){sep}\n",
            600 + i
        ));
    }
    write(d, "dump.sql", sql);
    write(
        d,
        &format!("exports/{FILE_EMAIL}.csv"),
        "name,phone\nGrace,0491 570 700\n",
    );
    let member = format!("people/{MEMBER_EMAIL}.txt");
    let phone_member = "by-phone/+61491570159.txt";
    write(
        d,
        "bundle.zip",
        zip(&[
            (member.as_str(), b"mobile: 0491 570 701\n"),
            (phone_member, b"mobile: 0491 570 702\n"),
        ]),
    );
    dir
}

/// Every raw value that must not appear: each key as written and, for numbers, its digits.
fn raws() -> Vec<String> {
    let mut out: Vec<String> = KEYS.iter().map(|(_, k)| k.to_string()).collect();
    out.extend([FILE_EMAIL, MEMBER_EMAIL, "+61491570159", "0491570160"].map(String::from));
    // Local parts and digits alone, so a half-masked value is caught too.
    out.extend(["olivia.testperson", "grace.hopper", "alan.turing", "jane@"].map(String::from));
    for (_, k) in KEYS {
        let digits: String = k.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 8 {
            out.push(digits);
        }
    }
    out
}

fn assert_clean(what: &str, text: &str) {
    let squeezed = text.replace([' ', '-'], "");
    for raw in raws() {
        assert!(!text.contains(&raw), "{what} leaks {raw:?}");
        if raw.chars().all(|c| c.is_ascii_digit()) {
            assert!(!squeezed.contains(&raw), "{what} leaks the digits {raw:?}");
        }
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    Run::from(
        piiscan()
            .current_dir(dir)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("run: {e}")),
    )
}

#[test]
fn no_raw_value_through_keys_columns_headers_or_names() {
    let dir = tree();
    let d = dir.path();
    for format in ["text", "json", "jsonl", "sarif", "csv", "markdown", "html"] {
        let run = run_in(d, &["scan", "--format", format, "--explain", "."]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert_clean(&format!("{format} stdout"), &run.stdout);
        assert_clean(&format!("{format} stderr"), &run.stderr);
    }
    let base = run_in(d, &["baseline", "create", "-o", "baseline.json", "."]);
    assert_eq!(base.code, 0, "{}", base.stderr);
    let baseline = std::fs::read_to_string(d.join("baseline.json")).unwrap();
    assert!(baseline.contains("\"entries\""), "{baseline}");
    assert_clean("baseline", &baseline);
    // The baseline still matches: the masked names are the same on every run.
    let again = run_in(
        d,
        &[
            "scan",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            ".",
        ],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["totals"]["findings"], 0, "{}", again.stdout);
    // The cache file holds findings and member names too.
    let cached = run_in(d, &["scan", "--cache", "cache", "--format", "json", "."]);
    assert_eq!(cached.code, 1, "{}", cached.stderr);
    for f in std::fs::read_dir(d.join("cache")).unwrap() {
        let f = f.unwrap().path();
        assert_clean(
            &f.display().to_string(),
            &std::fs::read_to_string(&f).unwrap(),
        );
    }
}

/// The fields show placeholders, so a map's fields aggregate across keys; the keys are still
/// findings themselves (only under `--reveal` do their values show, which proves the checks
/// above could see a leak).
#[test]
fn keys_become_placeholders_and_are_still_reported() {
    let dir = tree();
    let d = dir.path();
    let run = run_in(d, &["scan", "--format", "jsonl", "--reveal", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.jsonl();
    let fields: std::collections::BTreeSet<&str> = findings
        .iter()
        .filter(|f| f["path"] == "map.json")
        .filter_map(|f| f["field"].as_str())
        .collect();
    for want in [
        "users.{email}.phone",
        "users.{email}.email",
        "users.{phone}.phone",
        "users.{credit_card}.phone",
        "users.{iban}.phone",
        "users.{uuid}.phone",
        "users.{hash}.phone",
    ] {
        assert!(fields.contains(want), "no field {want:?} in {fields:#?}");
    }
    for f in &fields {
        assert!(
            f.starts_with("users") || f.starts_with("phones_by_key"),
            "{f:?}"
        );
    }
    let fields_of = |path: &str| -> std::collections::BTreeSet<&str> {
        findings
            .iter()
            .filter(|f| f["path"] == path)
            .filter_map(|f| f["field"].as_str())
            .collect()
    };
    let form = fields_of("form.txt");
    for want in ["Ref {id}", "Ref {credit_card}", "Ref {iban}", "Ref {uuid}"] {
        assert!(form.contains(want), "no field {want:?} in {form:#?}");
    }
    let header = fields_of("header2.csv");
    assert!(
        header.iter().any(|f| f.starts_with("customer_tel_{")),
        "{header:#?}"
    );
    let sql = fields_of("dump.sql");
    assert!(sql.contains("customers.{email}"), "{sql:#?}");
    // Fewer distinct fields than keys: the keys of one kind are one field.
    let under_users = fields
        .iter()
        .filter(|f| f.starts_with("users.") && f.ends_with(".phone"))
        .count();
    assert!(under_users < KEYS.len(), "{fields:#?}");
    // The keys themselves are findings, with the map's path as field; --reveal shows them.
    for key in [
        EMAIL,
        "jane@example.com",
        "4111111111111111",
        "GB82WEST12345698765432",
    ] {
        assert!(
            findings
                .iter()
                .any(|f| f["masked"] == key && f["field"] == "users" && f["path"] == "map.json"),
            "key {key:?} not reported: {findings:#?}"
        );
    }
    // Under --reveal values show, but field names and paths stay as they are without it.
    assert!(run.stdout.contains(EMAIL));
    for f in &findings {
        for key in [EMAIL, FILE_EMAIL, MEMBER_EMAIL] {
            assert!(!f["field"].as_str().unwrap_or("").contains(key), "{f}");
            assert!(!f["path"].as_str().unwrap_or("").contains(key), "{f}");
        }
    }
    // Paths are masked, not dropped: the named file and the members are still scanned.
    let paths: std::collections::BTreeSet<&str> =
        findings.iter().filter_map(|f| f["path"].as_str()).collect();
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("exports/g*") && p.ends_with(".csv")),
        "{paths:#?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("bundle.zip!people/a*") && p.ends_with(".txt")),
        "{paths:#?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("bundle.zip!by-phone/") && p.ends_with("0159.txt")),
        "{paths:#?}"
    );
}

/// A report names fields and inputs by their display names; `redact --plan` of that report
/// still finds them in the files (which hold the raw names), applies every step and verifies.
#[test]
fn redact_plan_steps_match_display_names() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let mut users = serde_json::Map::new();
    for i in 0..5 {
        users.insert(
            format!("user{i}.name@example.com"),
            serde_json::json!({ "phone": format!("+61 491 570 {:03}", 100 + i) }),
        );
    }
    write(
        d,
        "src/map.json",
        serde_json::json!({ "users": users }).to_string(),
    );
    write(
        d,
        &format!("src/exports/{FILE_EMAIL}.csv"),
        "id,phone\n1,0491 570 700\n2,0491 570 701\n",
    );
    let scan = run_in(d, &["scan", "--format", "json", "-o", "report.json", "src"]);
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let report = std::fs::read_to_string(d.join("report.json")).unwrap();
    assert!(report.contains("users.{email}.phone"), "{report}");
    assert_clean("report", &report);
    let run = run_in(
        d,
        &[
            "redact",
            "--plan",
            "report.json",
            "--top",
            "10",
            "--default",
            "keep",
            "--out",
            "out",
            "src",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let map = std::fs::read_to_string(d.join("out/map.json")).unwrap();
    let csv = std::fs::read_to_string(d.join(format!("out/exports/{FILE_EMAIL}.csv"))).unwrap();
    for i in 0..5 {
        assert!(!map.contains(&format!("570 {:03}", 100 + i)), "{map}");
    }
    assert!(
        !csv.contains("570 700") && !csv.contains("570 701"),
        "{csv}"
    );
}
