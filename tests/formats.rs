//! Structured formats through the real binary: CSV/TSV (with and without headers, lying
//! extensions, UTF-16), JSON/NDJSON (nested, a one-line 50 MB array), SQL dumps (pg_dump COPY,
//! mysqldump extended INSERT), and malformed variants that must fail alone. Each test asserts
//! path, line, column, field and kind of parsed JSONL findings.

use std::io::Write;
use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use crate::common::*;

/// 1-based (line, column) of the first occurrence of `needle` in `text`.
fn pos_of(text: &str, needle: &str) -> (u64, u64) {
    let i = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in fixture"));
    let line = text[..i].matches('\n').count() as u64 + 1;
    let col = i - text[..i].rfind('\n').map_or(0, |p| p + 1) + 1;
    (line, col as u64)
}

/// The findings of `kind` in the file `name`.
fn of<'a>(findings: &'a [Value], name: &str, kind: &str) -> Vec<&'a Value> {
    findings
        .iter()
        .filter(|f| f["path"].as_str().is_some_and(|p| p.ends_with(name)) && f["kind"] == kind)
        .collect()
}

/// Asserts a finding of `kind` in `name` at the position of `needle` in `text`, with `field`.
fn assert_at(findings: &[Value], name: &str, text: &str, needle: &str, kind: &str, field: &str) {
    let (line, col) = pos_of(text, needle);
    let hits = of(findings, name, kind);
    assert!(
        hits.iter()
            .any(|f| f["line"] == line && f["column"] == col && f["field"] == field),
        "no {kind} at {name}:{line}:{col} field {field}; got {hits:#?}\nall: {findings:#?}"
    );
}

fn scan_dir(dir: &Path) -> (i32, Vec<Value>) {
    let run = scan_jsonl(dir, &[]);
    assert!(
        run.code == 1 || run.code == 0,
        "code {}: {}",
        run.code,
        run.stderr
    );
    (run.code, run.jsonl())
}

const PEOPLE_CSV: &str = "id,name,email,dob,phone\n\
1,Ann Example,ann@example.com,1980-04-12,0491 570 156\n\
2,\"Bob, \"\"Jr\"\" Example\",bob@example.com,1975-11-30,\"0491 570 157\"\n\
3,\"Multi\nLine\",cat@example.com,1990-01-02,+61 491 570 158\n";

#[test]
fn csv_header_names_fields_and_positions() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "people.csv", PEOPLE_CSV);
    let (code, f) = scan_dir(dir.path());
    assert_eq!(code, 1);
    let t = PEOPLE_CSV;
    assert_at(&f, "people.csv", t, "ann@example.com", "email", "email");
    assert_at(&f, "people.csv", t, "1980-04-12", "date_of_birth", "dob");
    assert_at(&f, "people.csv", t, "1975-11-30", "date_of_birth", "dob");
    assert_at(&f, "people.csv", t, "0491 570 157", "phone", "phone");
    // After a quoted field with an embedded newline: line 5, true column.
    assert_at(&f, "people.csv", t, "cat@example.com", "email", "email");
    assert_at(&f, "people.csv", t, "1990-01-02", "date_of_birth", "dob");
}

#[test]
fn tsv_and_lying_extensions_are_sniffed_by_content() {
    let dir = TempDir::new().unwrap();
    let tsv = "customer_id\tcontact_email\tdate_of_birth\n\
        7\tdee@example.com\t1985-07-08\n\
        8\teve@example.com\t1979-03-04\n";
    write(dir.path(), "export.tsv", tsv);
    // CSV content named .txt, JSON content named .csv.
    let csv_txt = "email;mobile\nfay@example.com;0491 570 159\ngus@example.com;0491 570 110\n";
    write(dir.path(), "notes.txt", csv_txt);
    let json_csv = "[{\"contact\": {\"email\": \"hal@example.com\"}}]";
    write(dir.path(), "data.csv", json_csv);
    let (_, f) = scan_dir(dir.path());
    assert_at(
        &f,
        "export.tsv",
        tsv,
        "eve@example.com",
        "email",
        "contact_email",
    );
    assert_at(
        &f,
        "export.tsv",
        tsv,
        "1985-07-08",
        "date_of_birth",
        "date_of_birth",
    );
    assert_at(
        &f,
        "notes.txt",
        csv_txt,
        "gus@example.com",
        "email",
        "email",
    );
    assert_at(&f, "notes.txt", csv_txt, "0491 570 159", "phone", "mobile");
    assert_at(
        &f,
        "data.csv",
        json_csv,
        "hal@example.com",
        "email",
        "contact.email",
    );
}

#[test]
fn headerless_csv_names_columns_by_number() {
    let dir = TempDir::new().unwrap();
    let csv = "1001,ida@example.com,0491 570 111\n1002,jon@example.com,0491 570 112\n";
    write(dir.path(), "raw.csv", csv);
    let (_, f) = scan_dir(dir.path());
    assert_at(&f, "raw.csv", csv, "ida@example.com", "email", "column 2");
    assert_at(&f, "raw.csv", csv, "0491 570 112", "phone", "column 3");
}

#[test]
fn utf16le_csv_with_bom_positions_are_in_decoded_text() {
    let dir = TempDir::new().unwrap();
    let csv = "name,email,dob\r\nKim Example,kim@example.com,1982-12-24\r\nLou,lou@example.com,1970-06-15\r\n";
    let mut raw = vec![0xFF, 0xFE];
    for u in csv.encode_utf16() {
        raw.extend_from_slice(&u.to_le_bytes());
    }
    write(dir.path(), "excel.csv", raw);
    let (_, f) = scan_dir(dir.path());
    assert_at(&f, "excel.csv", csv, "lou@example.com", "email", "email");
    assert_at(&f, "excel.csv", csv, "1982-12-24", "date_of_birth", "dob");
}

#[test]
fn ndjson_and_nested_json_give_key_paths() {
    let dir = TempDir::new().unwrap();
    let nd = "{\"id\": 1, \"email\": \"max@example.com\"}\n\
        {\"id\": 2, \"profile\": {\"phone\": \"+61 491 570 113\", \"dob\": \"1991-09-09\"}}\n";
    write(dir.path(), "events.ndjson", nd);
    let doc = "{\n  \"customer\": {\n    \"contact\": {\"email\": \"ned@example.com\", \"mobile\": \"0491 570 114\"},\n    \"date_of_birth\": \"1968-02-29\"\n  },\n  \"items\": [\n    {\"sku\": \"A1\", \"card\": \"4111 1111 1111 1111\"},\n    {\"sku\": \"B2\", \"card\": 4111111111111111}\n  ]\n}\n";
    write(dir.path(), "order.json", doc);
    let (_, f) = scan_dir(dir.path());
    assert_at(&f, "events.ndjson", nd, "max@example.com", "email", "email");
    assert_at(
        &f,
        "events.ndjson",
        nd,
        "+61 491 570 113",
        "phone",
        "profile.phone",
    );
    assert_at(
        &f,
        "events.ndjson",
        nd,
        "1991-09-09",
        "date_of_birth",
        "profile.dob",
    );
    assert_at(
        &f,
        "order.json",
        doc,
        "ned@example.com",
        "email",
        "customer.contact.email",
    );
    assert_at(
        &f,
        "order.json",
        doc,
        "0491 570 114",
        "phone",
        "customer.contact.mobile",
    );
    assert_at(
        &f,
        "order.json",
        doc,
        "1968-02-29",
        "date_of_birth",
        "customer.date_of_birth",
    );
    assert_at(
        &f,
        "order.json",
        doc,
        "4111 1111 1111 1111",
        "credit_card",
        "items[].card",
    );
    assert_at(
        &f,
        "order.json",
        doc,
        "4111111111111111",
        "credit_card",
        "items[].card",
    );
}

#[test]
fn one_line_50mb_json_array_streams_with_true_columns() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("big.json");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let filler = "x".repeat(2000);
    let mut written = 0usize;
    let mut put = |s: &str| {
        out.write_all(s.as_bytes()).unwrap();
        written += s.len();
        written
    };
    put("[{\"email\": \"first@example.com\"}");
    let mut i = 0u64;
    while put("") < 50 << 20 {
        put(&format!(",{{\"id\": {i}, \"note\": \"{filler}\"}}"));
        i += 1;
    }
    let before = put(",{\"id\": 0, \"contact\": {\"email\": \"");
    put("last@example.com\"}}]");
    out.flush().unwrap();
    drop(out);
    let (_, f) = scan_dir(dir.path());
    let emails = of(&f, "big.json", "email");
    assert!(
        emails
            .iter()
            .any(|e| e["line"] == 1 && e["column"] == 13 && e["field"] == "email"),
        "{emails:#?}"
    );
    assert!(
        emails.iter().any(|e| e["line"] == 1
            && e["column"] == before as u64 + 1
            && e["field"] == "contact.email"),
        "want column {}: {emails:#?}",
        before + 1
    );
}

const PG_DUMP: &str = "--\n-- PostgreSQL database dump\n--\n\n\
SET statement_timeout = 0;\n\
SET standard_conforming_strings = on;\n\n\
CREATE TABLE public.members (\n    id integer NOT NULL,\n    email text,\n    dob date,\n    phone text\n);\n\n\
COPY public.members (id, email, dob, phone) FROM stdin;\n\
1\toli@example.com\t1983-05-06\t0491 570 115\n\
2\t\\N\t1977-08-09\t\\N\n\
\\.\n\n\
INSERT INTO public.members (id, email, dob, phone) VALUES (3, 'pam@example.com', '1999-10-11', '0491 570 116');\n";

const MYSQL_DUMP: &str = "-- MySQL dump 10.13  Distrib 8.0.36\n\
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n\
DROP TABLE IF EXISTS `customers`;\n\
CREATE TABLE `customers` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `email` varchar(255) DEFAULT NULL,\n  `dob` date DEFAULT NULL,\n  `card` varchar(32),\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\n\
LOCK TABLES `customers` WRITE;\n\
INSERT INTO `customers` VALUES (1,'quinn@example.com','1986-01-15','4111111111111111'),(2,'O\\'Rourke ray@example.com','1972-04-03',NULL);\n\
INSERT INTO `customers` (`card`,`email`) VALUES ('4111 1111 1111 1111','sue@example.com');\n\
UNLOCK TABLES;\n";

#[test]
fn sql_dumps_give_table_column_fields() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "pg.sql", PG_DUMP);
    write(dir.path(), "my.dump", MYSQL_DUMP);
    let (_, f) = scan_dir(dir.path());
    assert_at(
        &f,
        "pg.sql",
        PG_DUMP,
        "oli@example.com",
        "email",
        "members.email",
    );
    assert_at(
        &f,
        "pg.sql",
        PG_DUMP,
        "1983-05-06",
        "date_of_birth",
        "members.dob",
    );
    assert_at(
        &f,
        "pg.sql",
        PG_DUMP,
        "1977-08-09",
        "date_of_birth",
        "members.dob",
    );
    assert_at(
        &f,
        "pg.sql",
        PG_DUMP,
        "0491 570 115",
        "phone",
        "members.phone",
    );
    assert_at(
        &f,
        "pg.sql",
        PG_DUMP,
        "pam@example.com",
        "email",
        "members.email",
    );
    assert_at(
        &f,
        "my.dump",
        MYSQL_DUMP,
        "quinn@example.com",
        "email",
        "customers.email",
    );
    assert_at(
        &f,
        "my.dump",
        MYSQL_DUMP,
        "1986-01-15",
        "date_of_birth",
        "customers.dob",
    );
    assert_at(
        &f,
        "my.dump",
        MYSQL_DUMP,
        "4111111111111111",
        "credit_card",
        "customers.card",
    );
    assert_at(
        &f,
        "my.dump",
        MYSQL_DUMP,
        "ray@example.com",
        "email",
        "customers.email",
    );
    assert_at(
        &f,
        "my.dump",
        MYSQL_DUMP,
        "4111 1111 1111 1111",
        "credit_card",
        "customers.card",
    );
    assert_at(
        &f,
        "my.dump",
        MYSQL_DUMP,
        "sue@example.com",
        "email",
        "customers.email",
    );
}

#[test]
fn malformed_inputs_fail_alone_and_the_run_goes_on() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "good.csv", PEOPLE_CSV);
    write(
        dir.path(),
        "unbalanced.csv",
        "email,phone\numa@example.com,0491 570 117\n\"vic@example.com,0491 570 118\n",
    );
    write(
        dir.path(),
        "broken.sql",
        "CREATE TABLE t (e text);\nINSERT INTO t VALUES ('wes@example.com'), ('never closed);\n",
    );
    write(
        dir.path(),
        "truncated.json",
        "[{\"email\": \"xia@example.com\"}, {\"email\": \"yan@exa",
    );
    let run = scan(&["--format", "json", &dir.path().to_string_lossy()]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let report = run.json();
    let errors = report["errors"].as_array().unwrap();
    for name in ["unbalanced.csv", "broken.sql", "truncated.json"] {
        let e = errors
            .iter()
            .find(|e| e["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("no error for {name}: {errors:#?}"));
        let reason = e["reason"].as_str().unwrap();
        assert!(reason.contains("line"), "{name}: {reason}");
        // Errors never quote input text.
        assert!(!reason.contains("@example.com"), "{name}: {reason}");
    }
    assert_eq!(errors.len(), 3, "{errors:#?}");
    let findings = report["findings"].as_array().unwrap();
    assert_at(
        findings,
        "good.csv",
        PEOPLE_CSV,
        "ann@example.com",
        "email",
        "email",
    );
    // Values before the point of failure are still reported.
    assert!(!of(findings, "truncated.json", "email").is_empty());
    assert!(!of(findings, "unbalanced.csv", "email").is_empty());
}

#[test]
fn logfmt_and_email_give_keys_as_fields() {
    let dir = TempDir::new().unwrap();
    let log = "ts=2024-05-01T10:00:00Z level=info msg=\"signup\" email=zed@example.com\n\
        ts=2024-05-01T10:00:01Z level=info msg=\"call back\" phone=\"0491 570 119\"\n\
        ts=2024-05-01T10:00:02Z level=warn msg=\"retry\" attempt=2\n";
    write(dir.path(), "app.log", log);
    let eml = "Return-Path: <amy@example.com>\r\nFrom: Amy Example <amy@example.com>\r\nTo: desk@example.com,\r\n  ben@example.com\r\nSubject: my details\r\n\r\nHi,\r\nMobile: 0491 570 120\r\nThanks\r\n";
    write(dir.path(), "ticket.eml", eml);
    let (_, f) = scan_dir(dir.path());
    assert_at(&f, "app.log", log, "zed@example.com", "email", "email");
    assert_at(&f, "app.log", log, "0491 570 119", "phone", "phone");
    let (line, col) = pos_of(eml, "ben@example.com");
    assert!(
        of(&f, "ticket.eml", "email")
            .iter()
            .any(|e| e["line"] == line && e["column"] == col && e["field"] == "To"),
        "{f:#?}"
    );
    assert_at(&f, "ticket.eml", eml, "0491 570 120", "phone", "Mobile");
}

/// Mail: message and part identifiers (`Message-ID`, `In-Reply-To`, `References`, folded or
/// not, `Content-ID`, `cid:`) are not email addresses; display names are person names in
/// `<Header>.name`; private and documentation IP addresses are not a person's, a subscriber's
/// (carrier-grade NAT) address is.
#[test]
fn mail_identifiers_display_names_and_address_ranges() {
    let dir = TempDir::new().unwrap();
    let eml = "Message-ID: <CAF=abc123xyz@mail.gmail.com>\r\n\
        In-Reply-To: <20240315093012.12345@mail.example.com>\r\n\
        References: <a1b2@mail.example.com>\r\n \
        <20240316101500.77777@mail.example.org>\r\n\
        From: Jane Smith <jane.smith@example.com>\r\n\
        To: \"Smith, Robert\" <bob.smith@example.com>\r\n\
        Subject: photos\r\n\
        Content-Type: multipart/related; boundary=b1\r\n\r\n\
        --b1\r\nContent-ID: <part1.06090408.01060107@example.com>\r\n\r\n\
        <img src=\"cid:part1.06090408.01060107@example.com\">\r\n\
        Sent from 192.168.1.20 via 10.0.0.1, seen as 100.64.7.9 (docs say 203.0.113.5)\r\n";
    write(dir.path(), "thread.eml", eml);
    let (code, f) = scan_dir(dir.path());
    assert_eq!(code, 1);
    let emails: Vec<(u64, u64)> = of(&f, "thread.eml", "email")
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["column"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        emails,
        [
            pos_of(eml, "jane.smith@example.com"),
            pos_of(eml, "bob.smith@example.com")
        ],
        "{f:#?}"
    );
    assert_at(
        &f,
        "thread.eml",
        eml,
        "Jane Smith",
        "person_name",
        "From.name",
    );
    assert_at(
        &f,
        "thread.eml",
        eml,
        "Smith, Robert",
        "person_name",
        "To.name",
    );
    let ips: Vec<(u64, u64)> = of(&f, "thread.eml", "ip_address")
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["column"].as_u64().unwrap()))
        .collect();
    assert_eq!(ips, [pos_of(eml, "100.64.7.9")], "{f:#?}");
}

/// YAML: nested keys give a field path (`customer.contact.email`), sequences `[]`, and each
/// sequence item is a record.
#[test]
fn yaml_nested_keys_give_field_paths() {
    let dir = TempDir::new().unwrap();
    let yaml = "\
customer:
  contact:
    email: quinn@example.com
    phone: \"0491 570 121\"
  name: Quinn Smith
passengers:
  - name: Rhea Jones
    email: rhea@example.com   # lead passenger
  - name: Sam Taylor
";
    write(dir.path(), "booking.yml", yaml);
    let (_, f) = scan_dir(dir.path());
    assert_at(
        &f,
        "booking.yml",
        yaml,
        "quinn@example.com",
        "email",
        "customer.contact.email",
    );
    assert_at(
        &f,
        "booking.yml",
        yaml,
        "0491 570 121",
        "phone",
        "customer.contact.phone",
    );
    assert_at(
        &f,
        "booking.yml",
        yaml,
        "Quinn Smith",
        "person_name",
        "customer.name",
    );
    assert_at(
        &f,
        "booking.yml",
        yaml,
        "Rhea Jones",
        "person_name",
        "passengers[].name",
    );
    assert_at(
        &f,
        "booking.yml",
        yaml,
        "rhea@example.com",
        "email",
        "passengers[].email",
    );
    assert_at(
        &f,
        "booking.yml",
        yaml,
        "Sam Taylor",
        "person_name",
        "passengers[].name",
    );
}

/// Issue 27: an export with a header row in Japanese (TSV) and one in German and Korean (CSV),
/// and a nested JSON export, through the binary: every column classified by its header, the
/// 12-digit My Number column not reported as phones, key paths read with their parents.
#[test]
fn multilingual_headers_and_nested_key_paths() {
    let dir = TempDir::new().unwrap();
    let jp = "氏名\tメールアドレス\t電話番号\t生年月日\t住所\tマイナンバー\t旅券番号\n\
山田 太郎\ttaro@example.com\t03-5555-0142\t1980-01-02\t42 Wallaby Way, Sydney NSW 2000\t123456789018\tTR7654321\n";
    let de = "Vollständiger Name;E-Mail;Telefonnummer;Geburtsdatum;Anschrift\n\
Jürgen Schmidt;js@example.de;030 12345678;12.03.1985;12 Example Street, Springfield IL 62704\n";
    let ko =
        "이름,이메일,전화번호,생년월일\nMinji Kim,minji@example.com,+82 2-312-3456,1990-07-15\n";
    let json = r#"{"profile":{"name":{"full":"Jane Smith"}},"addresses":[{"line1":"12 Example Street, Sydney NSW 2000"}],"contact":{"phones":["0491 570 156"]},"product":{"name":"Jane Smith"},"jobs":{"x":{"name":"Olivia Brown"}}}"#;
    for (name, text) in [
        ("jp.tsv", jp),
        ("de.csv", de),
        ("ko.csv", ko),
        ("n.json", json),
    ] {
        write(dir.path(), name, text);
    }
    let (_, f) = scan_dir(dir.path());
    assert_at(&f, "jp.tsv", jp, "山田 太郎", "person_name", "氏名");
    assert_at(&f, "jp.tsv", jp, "taro@", "email", "メールアドレス");
    assert_at(&f, "jp.tsv", jp, "03-5555-0142", "phone", "電話番号");
    assert_at(&f, "jp.tsv", jp, "1980-01-02", "date_of_birth", "生年月日");
    assert_at(&f, "jp.tsv", jp, "42 Wallaby", "street_address", "住所");
    assert_at(&f, "jp.tsv", jp, "TR7654321", "passport_number", "旅券番号");
    assert!(
        !f.iter()
            .any(|x| x["field"] == "マイナンバー" && x["kind"] == "phone"),
        "{f:#?}"
    );
    assert_at(
        &f,
        "de.csv",
        de,
        "Jürgen",
        "person_name",
        "Vollständiger Name",
    );
    assert_at(&f, "de.csv", de, "030 1", "phone", "Telefonnummer");
    assert_at(
        &f,
        "de.csv",
        de,
        "12.03.1985",
        "date_of_birth",
        "Geburtsdatum",
    );
    assert_at(
        &f,
        "de.csv",
        de,
        "12 Example",
        "street_address",
        "Anschrift",
    );
    assert_at(&f, "ko.csv", ko, "1990-07-15", "date_of_birth", "생년월일");
    assert_at(&f, "ko.csv", ko, "Minji Kim", "person_name", "이름");
    assert_at(
        &f,
        "n.json",
        json,
        "Jane Smith",
        "person_name",
        "profile.name.full",
    );
    assert_at(
        &f,
        "n.json",
        json,
        "12 Example",
        "street_address",
        "addresses[].line1",
    );
    assert_at(
        &f,
        "n.json",
        json,
        "0491 570 156",
        "phone",
        "contact.phones[]",
    );
    let names: Vec<_> = of(&f, "n.json", "person_name");
    assert_eq!(
        names.len(),
        1,
        "product.name and jobs.x.name are no person: {names:#?}"
    );
}
