//! Column classification by values through the real binary: a column whose header says nothing
//! (`value`) but whose values are weak-form phone numbers (each `low` on its own, so dropped at
//! the default threshold) is classified as phone, its values are reported at `medium`, and the JSON
//! report's input carries the column summary (validated against the report schema). Hard
//! negatives: 9-digit `id` / `order_no` columns (sequential and scattered), which the engine
//! alone scores as low-confidence national ids, must never be classified.

use serde_json::Value;
use tempfile::TempDir;

use crate::common::*;

/// `n` fake phone numbers in ACMA's fictional mobile range, written without separators (the
/// weak form the phone validator scores `low` without a header or context).
fn weak_phones(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("0491570{:03}", 100 + i % 900))
        .collect()
}

fn scan_json(dir: &TempDir) -> (Run, Value) {
    let run = scan(&["--format", "json", &dir.path().to_string_lossy()]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let json = run.json();
    (run, json)
}

fn input<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["inputs"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|i| i["path"].as_str().is_some_and(|p| p.ends_with(name)))
        })
        .unwrap_or_else(|| panic!("no input {name} in {report:#}"))
}

#[test]
fn a_column_of_weak_phones_is_classified_by_its_values() {
    let dir = TempDir::new().unwrap();
    let phones = weak_phones(30);
    let mut csv = String::from("n,value,amount\n");
    for (i, p) in phones.iter().enumerate() {
        csv.push_str(&format!("{i},{p},{i}.50\n"));
    }
    write(dir.path(), "export.csv", &csv);
    // The same values, too few of them to classify the column (under 20).
    let mut few = String::from("n,value,amount\n");
    for (i, p) in phones.iter().take(10).enumerate() {
        few.push_str(&format!("{i},{p},{i}.50\n"));
    }
    write(dir.path(), "few.csv", &few);
    let (run, report) = scan_json(&dir);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = report["findings"].as_array().unwrap();
    let mine: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("export.csv"))
        })
        .collect();
    // Every row, including the 19 seen before the decision, at medium, in field `value`.
    assert_eq!(mine.len(), 30, "{mine:#?}");
    for (i, f) in mine.iter().enumerate() {
        assert_eq!(f["kind"], "phone", "{f:#}");
        assert_eq!(f["field"], "value", "{f:#}");
        assert_eq!(f["confidence"], "medium", "{f:#}");
        assert_eq!(f["line"], i as u64 + 2, "{f:#}");
    }
    let columns = input(&report, "export.csv")["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 1, "{columns:#?}");
    assert_eq!(columns[0]["field"], "value");
    assert_eq!(columns[0]["kind"], "phone");
    assert_eq!(columns[0]["share"], 1.0);
    assert_eq!(columns[0]["values"], 30);
    assert_eq!(columns[0]["confidence"], "high");
    // Ten values are not a column's worth of evidence: nothing reported, no summary.
    assert!(
        !findings
            .iter()
            .any(|f| f["path"].as_str().is_some_and(|p| p.ends_with("few.csv")))
    );
    assert!(input(&report, "few.csv").get("columns").is_none());
    // No raw value in the report.
    assert!(!run.stdout.contains(&phones[0]));
    let schema: Value = serde_json::from_str(piiscan::report::JSON_SCHEMA).unwrap();
    let errs = crate::exposure::schema::validate(&schema, &report);
    assert!(errs.is_empty(), "{errs:#?}");
}

#[test]
fn the_column_summary_survives_the_cache() {
    let dir = TempDir::new().unwrap();
    let cache = TempDir::new().unwrap();
    let mut csv = String::from("n,value,amount\n");
    for (i, p) in weak_phones(25).iter().enumerate() {
        csv.push_str(&format!("{i},{p},{i}.50\n"));
    }
    write(dir.path(), "export.csv", &csv);
    let args = [
        "--format",
        "json",
        "--cache",
        &cache.path().to_string_lossy(),
        &dir.path().to_string_lossy(),
    ]
    .map(|s| s.to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let first = scan(&args).json();
    let second = scan(&args).json();
    for report in [&first, &second] {
        let columns = &input(report, "export.csv")["columns"];
        assert_eq!(columns[0]["kind"], "phone", "{report:#}");
        assert_eq!(report["totals"]["findings"], 25, "{report:#}");
    }
}

#[test]
fn allowlisted_values_in_held_hits_count_only_when_the_column_is_classified() {
    let dir = TempDir::new().unwrap();
    let config = TempDir::new().unwrap();
    let phones = weak_phones(25);
    // The first value of each file is accepted by the allowlist.
    write(
        config.path(),
        "piiscan.toml",
        format!("[allow]\nvalues = ['^{}$']\n", phones[0]),
    );
    for (name, n) in [("export.csv", 25), ("few.csv", 10)] {
        let mut csv = String::from("n,value,amount\n");
        for (i, p) in phones.iter().take(n).enumerate() {
            csv.push_str(&format!("{i},{p},{i}.50\n"));
        }
        write(dir.path(), name, &csv);
    }
    let cfg = config.path().join("piiscan.toml");
    let run = scan(&[
        "--format",
        "json",
        "--config",
        &cfg.to_string_lossy(),
        &dir.path().to_string_lossy(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    // 24 reported in the classified column; the held, accepted one is counted as suppressed;
    // nothing of the unclassified few.csv is reported or counted.
    assert_eq!(report["totals"]["findings"], 24, "{report:#}");
    assert!(
        run.stderr.contains("1 finding suppressed by"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_mostly_free_text_column_is_not_classified() {
    let dir = TempDir::new().unwrap();
    let mut csv = String::from("n,value,amount\n");
    for (i, p) in weak_phones(40).iter().enumerate() {
        // Only 70% of the values are a bare phone; a phone inside a sentence is not the value.
        let v = if i % 10 < 7 {
            p.clone()
        } else {
            format!("ring {p} later")
        };
        csv.push_str(&format!("{i},{v},{i}.50\n"));
    }
    write(dir.path(), "mixed.csv", &csv);
    let (_, report) = scan_json(&dir);
    assert!(
        input(&report, "mixed.csv").get("columns").is_none(),
        "{report:#}"
    );
    // The 28 bare values stay low (dropped); at most the 12 in sentences are reported.
    let f = report["findings"].as_array().unwrap();
    assert!(f.len() <= 12, "{f:#?}");
    for x in f {
        // Row i sits on line i + 2; its value starts after "{i},".
        let i = x["line"].as_u64().unwrap() - 2;
        let bare_at = i.to_string().len() as u64 + 2;
        assert_ne!(x["column"], bare_at, "a bare value was reported: {x:#}");
    }
}

#[test]
fn nine_digit_id_columns_are_never_classified() {
    let dir = TempDir::new().unwrap();
    let mut csv = String::from("id,order_no,c7\n");
    for i in 0..200u64 {
        let id = 100_000_001 + i;
        let order = 123_456_789 + i * 7_919;
        let other = 234_567_890 + i * 104_729;
        csv.push_str(&format!("{id},{order},{other}\n"));
    }
    write(dir.path(), "orders.csv", &csv);
    let (run, report) = scan_json(&dir);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(report["totals"]["findings"], 0, "{report:#}");
    assert!(
        input(&report, "orders.csv").get("columns").is_none(),
        "{report:#}"
    );
    // At --min-confidence low the engine does see national-id look-alikes here: the guard is
    // what keeps them from being promoted, not an absence of hits.
    let low = scan(&[
        "--format",
        "json",
        "--min-confidence",
        "low",
        &dir.path().to_string_lossy(),
    ]);
    let low = low.json();
    let f = low["findings"].as_array().unwrap();
    assert!(!f.is_empty(), "expected low hits to guard against");
    assert!(f.iter().all(|x| x["confidence"] == "low"), "{f:#?}");
}

/// A CSV without a header row: its columns are `column N`. The column of names and the column
/// of birth dates are classified by their values' shape and every row is reported at `medium`
/// (the rows before the decision too), masked; the order dates, timestamps and cities beside
/// them are not classified and yield nothing.
#[test]
fn a_headerless_csv_is_classified_by_its_values_shape() {
    let dir = TempDir::new().unwrap();
    let given = [
        "Olivia", "Jack", "Amelia", "Noah", "Emma", "James", "Sophia", "Liam",
    ];
    let family = ["Smith", "Brown", "Wilson", "Jones", "Taylor", "Walker"];
    let cities = ["Melbourne", "Hamburg", "Leeds", "Osaka", "Porto", "Toronto"];
    let mut csv = String::new();
    for i in 0..30 {
        csv.push_str(&format!(
            "{} {},{}-{:02}-{:02},{:02}/{:02}/2024,2024-03-{:02} 10:{:02}:00,{}\n",
            given[i % 8],
            family[i % 6],
            1950 + i,
            1 + i % 12,
            1 + i % 28,
            1 + i % 28,
            1 + i % 12,
            1 + i % 28,
            i,
            cities[i % 6]
        ));
    }
    write(dir.path(), "people.csv", &csv);
    let (run, report) = scan_json(&dir);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = report["findings"].as_array().unwrap();
    for (field, kind) in [("column 1", "person_name"), ("column 2", "date_of_birth")] {
        let mine: Vec<&Value> = findings.iter().filter(|f| f["field"] == field).collect();
        assert_eq!(mine.len(), 30, "{field}: {mine:#?}");
        for f in mine {
            assert_eq!(f["kind"], kind, "{f:#}");
            assert_eq!(f["confidence"], "medium", "{f:#}");
        }
    }
    assert!(
        findings
            .iter()
            .all(|f| f["field"] == "column 1" || f["field"] == "column 2"),
        "{findings:#?}"
    );
    // Masked: no raw name or date in the report.
    assert!(!run.stdout.contains("Olivia Smith") && !run.stdout.contains("1950-01-01"));
    let columns = input(&report, "people.csv")["columns"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = columns
        .iter()
        .map(|c| (c["field"].as_str().unwrap(), c["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [("column 1", "person_name"), ("column 2", "date_of_birth")]
    );
}
