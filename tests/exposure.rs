//! Exposure report, end to end: generated corpora with known ground truth are scanned by the
//! real binary; distinct people, combinations and the plan's first action are checked exactly;
//! shard reports merge into exactly the whole scan; every format parses (JSON by deserialising
//! and by its JSON Schema, SARIF by the official 2.1.0 schema, HTML in headless Chromium); and
//! no raw value reaches any format.
//!
//! Schemas are checked by [`schema::validate`], a small validator for the JSON Schema keywords
//! the two schemas use (draft-04/07 `$ref`, `type`, `properties`, `required`,
//! `additionalProperties`, `propertyNames`, `items`, `enum`, `const`, `minItems`, `uniqueItems`,
//! `minimum`, `maximum`, `pattern`, `anyOf`, `oneOf`, `allOf`); `format` is not asserted, as
//! by default in most validators. TODO: switch to the `jsonschema` crate once it is a
//! dev-dependency; this validator then stays as a cross-check or goes.

use std::fmt::Write as _;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::common::{Run, piiscan};
use piiscan::exposure::{Action, Exposure};
use piiscan::report::{self, Report};

/// One synthetic person. Phones are in the 0491 570 xxx block (valid AU mobiles).
struct Person {
    email: String,
    phone: String,
    dob: String,
    ffn: String,
}

fn people(n: usize, seed: u64) -> Vec<Person> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| Person {
            email: format!("p{i}.{}@example.com", rng.gen_range(1000..9999)),
            phone: format!("0491 570 {:03}", 100 + i),
            dob: format!(
                "{}-{:02}-{:02}",
                rng.gen_range(1940..2000),
                rng.gen_range(1..=12),
                rng.gen_range(1..=28)
            ),
            ffn: format!("{}", 3_000_000_000u64 + rng.gen_range(0..999_999_999u64)),
        })
        .collect()
}

/// A corpus written as text lines (record = line), with its ground truth.
struct Corpus {
    dir: tempfile::TempDir,
    /// Indices of people per file.
    customers: Vec<usize>,
    contacts: Vec<usize>,
    notes: Vec<usize>,
    /// Lines with a DOB and nothing linking.
    loose_dobs: usize,
    people: Vec<Person>,
}

impl Corpus {
    /// `customers.txt`: email + DOB + frequent-flyer number (identity kits).
    /// `contacts.txt`: email + mobile. `notes.txt`: a mobile in prose. `births.txt`: DOBs only.
    /// Files go under `shard1/` or `shard2/` alternately when `shards`.
    fn generate(seed: u64, n: usize, shards: bool) -> Corpus {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        let people = people(n, seed);
        let pick = |rng: &mut ChaCha8Rng, p: f64| -> Vec<usize> {
            (0..n).filter(|_| rng.gen_bool(p)).collect()
        };
        let customers = pick(&mut rng, 0.5);
        let contacts = pick(&mut rng, 0.4);
        let notes = pick(&mut rng, 0.1);
        let loose_dobs = 7;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let sub = |name: &str, i: usize| {
            if shards {
                dir.path().join(format!("shard{}", 1 + i % 2)).join(name)
            } else {
                dir.path().join(name)
            }
        };
        let mut c = String::new();
        for &i in &customers {
            let p = &people[i];
            let _ = writeln!(
                c,
                "email: {} DOB: {} Frequent flyer number: {}",
                p.email, p.dob, p.ffn
            );
        }
        let mut k = String::new();
        for &i in &contacts {
            let _ = writeln!(k, "email: {} mobile: {}", people[i].email, people[i].phone);
        }
        let mut t = String::new();
        for &i in &notes {
            let _ = writeln!(t, "call me on {} about the refund", people[i].phone);
        }
        let mut b = String::new();
        for i in 0..loose_dobs {
            let _ = writeln!(b, "DOB: 19{}-0{}-1{}", 50 + i, 1 + i, i);
        }
        for (idx, (name, text)) in [
            ("customers.txt", c),
            ("contacts.txt", k),
            ("notes.txt", t),
            ("births.txt", b),
        ]
        .into_iter()
        .enumerate()
        {
            let path = sub(name, idx);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
            }
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("write: {e}"));
        }
        Corpus {
            dir,
            customers,
            contacts,
            notes,
            loose_dobs,
            people,
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Distinct linked people. Values link only when shared: customers.txt carries a person's
    /// email, contacts.txt their email and phone, notes.txt their phone. Someone in contacts.txt
    /// is therefore one cluster however many files they are in; someone absent from it is one
    /// cluster per other file they appear in (their email and phone never meet).
    fn linked_people(&self) -> usize {
        (0..self.people.len())
            .map(|i| {
                if self.contacts.contains(&i) {
                    1
                } else {
                    usize::from(self.customers.contains(&i)) + usize::from(self.notes.contains(&i))
                }
            })
            .sum()
    }

    /// Every raw value written, in the forms a report could leak.
    fn raw_values(&self) -> Vec<String> {
        let mut v = Vec::new();
        for p in &self.people {
            v.push(p.email.clone());
            v.push(p.phone.clone());
            v.push(p.phone.replace(' ', ""));
            v.push(format!("+61{}", &p.phone.replace(' ', "")[1..]));
            v.push(p.dob.clone());
            v.push(p.ffn.clone());
        }
        v
    }
}

fn scan(paths: &[&Path], format: &str) -> Run {
    let mut cmd = piiscan();
    // --no-config: a piiscan.toml above the temp dir must not change the ground truth.
    cmd.arg("scan")
        .arg("--no-config")
        .arg("--format")
        .arg(format)
        .arg("--color")
        .arg("never");
    for p in paths {
        cmd.arg(p);
    }
    let run = Run::from(cmd.output().unwrap_or_else(|e| panic!("run: {e}")));
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    run
}

fn report(paths: &[&Path]) -> Report {
    let run = scan(paths, "json");
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("json report: {e}"))
}

fn exposure_of(paths: &[&Path]) -> Exposure {
    report(paths).exposure
}

#[test]
fn distinct_people_and_combinations_are_exact() {
    let c = Corpus::generate(7, 300, false);
    let r = report(&[c.root()]);
    let by_kind = |k: &str| {
        serde_json::to_value(&r.totals.by_kind)
            .ok()
            .and_then(|v| v.get(k).and_then(Value::as_u64))
            .unwrap_or(0) as usize
    };
    // The detectors must see exactly what was written, or nothing below is meaningful.
    assert_eq!(by_kind("email"), c.customers.len() + c.contacts.len());
    assert_eq!(by_kind("phone"), c.contacts.len() + c.notes.len());
    assert_eq!(by_kind("date_of_birth"), c.customers.len() + c.loose_dobs);
    assert_eq!(by_kind("loyalty_number"), c.customers.len());
    let e = &r.exposure;
    eprintln!(
        "DEBUG {:?} {:?} {} {} {}",
        e.inputs
            .iter()
            .map(|i| (&i.path, i.people))
            .collect::<Vec<_>>(),
        e.overlaps,
        c.customers.len(),
        c.contacts.len(),
        c.notes.len()
    );
    assert_eq!(e.summary.linked_people as usize, c.linked_people());
    assert_eq!(e.summary.unlinked_people as usize, c.loose_dobs);
    assert_eq!(e.summary.people as usize, c.linked_people() + c.loose_dobs);
    assert_eq!(e.summary.identity_kit_records as usize, c.customers.len());
    let combo = |kinds: &[&str]| {
        e.combinations
            .iter()
            .find(|x| x.kinds.iter().map(|k| k.as_str()).eq(kinds.iter().copied()))
            .map(|x| (x.records as usize, x.identity_kit))
    };
    assert_eq!(
        combo(&["email", "date_of_birth", "loyalty_number"]),
        Some((c.customers.len(), true))
    );
    assert_eq!(combo(&["email", "phone"]), Some((c.contacts.len(), false)));
    assert_eq!(combo(&["phone"]), Some((c.notes.len(), false)));
    assert_eq!(combo(&["date_of_birth"]), Some((c.loose_dobs, false)));
    assert_eq!(e.combinations.len(), 4);
    let per_input: Vec<(String, u64)> = e
        .inputs
        .iter()
        .map(|i| {
            let name = Path::new(&i.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, i.people)
        })
        .collect();
    let want = vec![
        ("births.txt".to_string(), c.loose_dobs as u64),
        ("contacts.txt".to_string(), c.contacts.len() as u64),
        ("customers.txt".to_string(), c.customers.len() as u64),
        ("notes.txt".to_string(), c.notes.len() as u64),
    ];
    assert_eq!(per_input, want);
    // notes.txt's people all have their phone in contacts.txt: a 100% overlap.
    let notes_in_contacts = e
        .overlaps
        .iter()
        .find(|o| o.input.ends_with("notes.txt") && o.other.ends_with("contacts.txt"));
    let expect = c.notes.iter().filter(|i| c.contacts.contains(i)).count();
    assert_eq!(
        notes_in_contacts.map(|o| o.shared_people as usize),
        (expect > 0).then_some(expect)
    );
}

#[test]
fn structured_csv_combinations_and_plan_are_exact() {
    use std::collections::BTreeMap;
    let n = 300;
    let ppl = people(n, 41);
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // customers.csv: every person, with mobile / dob / membership number sometimes empty.
    let mut csv = String::from("email,mobile,dob,membership_number\n");
    let mut combos: BTreeMap<Vec<&str>, usize> = BTreeMap::new();
    let (mut dobs, mut kits) = (0usize, 0usize);
    for p in &ppl {
        let mobile = rng.gen_bool(0.7);
        let dob = rng.gen_bool(0.8);
        let ffn = rng.gen_bool(0.75);
        let _ = writeln!(
            csv,
            "{},{},{},{}",
            p.email,
            if mobile { p.phone.as_str() } else { "" },
            if dob { p.dob.as_str() } else { "" },
            if ffn { p.ffn.as_str() } else { "" }
        );
        let mut kinds = vec!["email"];
        if mobile {
            kinds.push("phone");
        }
        if dob {
            kinds.push("date_of_birth");
            dobs += 1;
        }
        if ffn {
            kinds.push("loyalty_number");
        }
        kits += usize::from(dob && ffn);
        *combos.entry(kinds).or_default() += 1;
    }
    // marketing.csv: a tenth of them again, plus people nobody else holds.
    let mut mk = String::from("email,mobile\n");
    let extra = people(20, 43);
    let again: Vec<&Person> = ppl.iter().filter(|_| rng.gen_bool(0.1)).collect();
    // Phones from blocks the customers file does not use, distinct between the two groups.
    for (p, block) in again
        .iter()
        .map(|p| (*p, "0491 571"))
        .chain(extra.iter().map(|p| (p, "0491 572")))
    {
        let _ = writeln!(mk, "{},{}", p.email, p.phone.replace("0491 570", block));
    }
    *combos.entry(vec!["email", "phone"]).or_default() += again.len() + extra.len();
    std::fs::write(dir.path().join("customers.csv"), csv).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("marketing.csv"), mk).unwrap_or_else(|e| panic!("{e}"));
    let e = exposure_of(&[dir.path()]);
    let got: BTreeMap<Vec<&str>, usize> = e
        .combinations
        .iter()
        .map(|c| {
            (
                c.kinds.iter().map(|k| k.as_str()).collect(),
                c.records as usize,
            )
        })
        .collect();
    assert_eq!(got, combos);
    assert_eq!(e.summary.identity_kit_records as usize, kits);
    // Emails link marketing's repeat people to customers; its extra people are new.
    assert_eq!(e.summary.people as usize, n + extra.len());
    let dob = e.inputs[0]
        .places
        .iter()
        .find(|p| p.field.as_deref() == Some("dob"));
    assert_eq!(
        dob.map(|p| (p.values as usize, p.records as usize)),
        Some((dobs, dobs))
    );
    // Best first action: generalise customers.csv's dob column. It removes 3 per DOB value,
    // 3 per person exposed to a DOB (each row is a different person) and 10 per identity kit.
    let first = &e.plan[0];
    assert!(
        matches!(&first.action, Action::GeneraliseDob { input, field: Some(f) }
            if input.ends_with("customers.csv") && f == "dob"),
        "{:?}",
        first.action
    );
    assert_eq!(first.score, (6 * dobs + 10 * kits) as f64);
}

#[test]
fn plan_first_action_is_the_known_best() {
    let c = Corpus::generate(11, 200, false);
    let e = exposure_of(&[c.root()]);
    // Generalising customers.txt's DOBs removes, per kit line: its DOB value (3), that
    // person's only DOB exposure (3) and the identity kit (10) = 16. Loyalty numbers give 14,
    // emails at most 14, any contacts/notes place at most 4 per line, loose DOBs 6 per line.
    let n = c.customers.len() as f64;
    assert!(n * 16.0 > 6.0 * c.loose_dobs as f64 && n * 16.0 > 4.0 * c.contacts.len() as f64);
    let first = &e.plan[0];
    match &first.action {
        Action::GeneraliseDob { input, field } => {
            assert!(input.ends_with("customers.txt"), "{input}");
            assert_eq!(field, &None);
        }
        other => panic!("first action {other:?}"),
    }
    assert_eq!(first.score, 16.0 * n);
    assert_eq!(first.kits_dissolved as f64, n);
    assert!(
        e.plan
            .windows(2)
            .all(|w| w[0].cumulative <= w[1].cumulative)
    );
    let last = e.plan.last().map(|s| s.cumulative_share).unwrap_or(0.0);
    assert!(last > 0.9, "plan covers {last}");
}

#[test]
fn merged_shards_equal_one_scan() {
    let c = Corpus::generate(23, 250, true);
    let whole = report(&[c.root()]);
    let a = report(&[&c.root().join("shard1")]);
    let b = report(&[&c.root().join("shard2")]);
    // People link across shards (contacts.txt and customers.txt sit in different shards).
    assert!(a.exposure.summary.people + b.exposure.summary.people > whole.exposure.summary.people);
    let merged =
        report::merge::merge(vec![b.clone(), a.clone()]).unwrap_or_else(|e| panic!("merge: {e}"));
    // `whole` went through JSON, whose float parsing (serde_json without `float_roundtrip`)
    // may be 1 ulp off the computed value; send `merged` the same way, as `merge` output would.
    let merged: Report = serde_json::to_string(&merged)
        .ok()
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_else(|| panic!("merged report does not round-trip through JSON"));
    assert_eq!(merged.totals, whole.totals);
    assert_eq!(merged.inputs, whole.inputs);
    assert_eq!(merged.findings, whole.findings);
    assert_eq!(merged.errors, whole.errors);
    if merged.exposure != whole.exposure {
        let dump = |name: &str, e: &Exposure| {
            let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
            let _ = std::fs::write(&p, serde_json::to_string_pretty(e).unwrap_or_default());
            p
        };
        panic!(
            "merged exposure differs from the whole scan: compare {} and {}",
            dump("merged-exposure.json", &merged.exposure).display(),
            dump("whole-exposure.json", &whole.exposure).display()
        );
    }
    assert_eq!(merged.settings, whole.settings);
    // The same through the binary: `piiscan merge a.json b.json --format json`.
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, shard) in [("a.json", "shard1"), ("b.json", "shard2")] {
        let mut cmd = piiscan();
        cmd.args(["scan", "--no-config", "--format", "json", "-o"])
            .arg(out.path().join(name))
            .arg(c.root().join(shard));
        let run = Run::from(cmd.output().unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(run.code, 1, "{}", run.stderr);
    }
    let mut cmd = piiscan();
    cmd.args(["merge", "--format", "json"])
        .arg(out.path().join("a.json"))
        .arg(out.path().join("b.json"));
    let run = Run::from(cmd.output().unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(run.code, 1, "{}", run.stderr);
    let cli: Report = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cli.exposure, whole.exposure);
    assert_eq!(cli.totals, whole.totals);
    let mut cmd = piiscan();
    cmd.arg("merge")
        .arg(out.path().join("a.json"))
        .arg(out.path().join("a.json"));
    let run = Run::from(cmd.output().unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("more than one report"),
        "{}",
        run.stderr
    );
    // Merging a shard twice would double count it.
    let dup = report::merge::merge(vec![a.clone(), a.clone()]);
    assert!(
        matches!(dup, Err(report::merge::ReportMergeError::Exposure(_))),
        "{dup:?}"
    );
    // A random per-run key links nothing across runs.
    let mut random = b;
    random.settings.fingerprint_key = "random".into();
    assert!(report::merge::merge(vec![a, random]).is_err());
}

#[test]
fn json_report_matches_its_schema() {
    let c = Corpus::generate(3, 60, false);
    let run = scan(&[c.root()], "json");
    let doc: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    let schema: Value =
        serde_json::from_str(report::JSON_SCHEMA).unwrap_or_else(|e| panic!("schema: {e}"));
    let errs = schema::validate(&schema, &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    // The validator itself must catch violations.
    let mut bad = doc.clone();
    bad["exposure"]["summary"]["people"] = Value::from("many");
    bad["totals"]["surprise"] = Value::from(1);
    assert_eq!(schema::validate(&schema, &bad).len(), 2);
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let c = Corpus::generate(5, 40, false);
    let run = scan(&[c.root()], "sarif");
    let doc: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
    )
    .unwrap_or_else(|e| panic!("vendored SARIF schema: {e}"));
    let schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let errs = schema::validate(&schema, &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    let mut bad = doc.clone();
    bad["runs"][0]["results"][0]["level"] = Value::from("catastrophic");
    assert!(!schema::validate(&schema, &bad).is_empty());
    // Results point at rules, locations and keyed fingerprints.
    let json = report(&[c.root()]);
    let run0 = &doc["runs"][0];
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default();
    let results = run0["results"].as_array().cloned().unwrap_or_default();
    let findings = json.findings.to_vec().expect("findings");
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(&findings) {
        let idx = r["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(rules.get(idx).copied(), r["ruleId"].as_str());
        assert_eq!(r["ruleId"].as_str(), Some(&*f.detector));
        let fp = &r["partialFingerprints"][report::sarif::FINGERPRINT_KEY];
        assert_eq!(fp.as_str(), Some(&*f.fingerprint));
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"].as_u64(), Some(f.line));
    }
}

#[test]
fn csv_markdown_and_text_show_the_exposure() {
    let c = Corpus::generate(9, 80, false);
    let e = exposure_of(&[c.root()]);
    let places: usize = e.inputs.iter().map(|i| i.places.len()).sum();
    let csv = scan(&[c.root()], "csv").stdout;
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = rd
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    assert_eq!(header, report::csv::HEADER);
    let rows: Vec<csv::StringRecord> = rd.records().filter_map(Result::ok).collect();
    assert_eq!(rows.len(), places);
    let md = scan(&[c.root()], "markdown").stdout;
    assert!(md.contains("### Redaction plan"), "{md}");
    assert!(md.contains(&format!("**{}** distinct people", e.summary.people)));
    let text = scan(&[c.root()], "text").stdout;
    assert!(!text.contains('\x1b'), "colour without --color");
    assert!(text.contains(&format!("{} distinct people exposed", e.summary.people)));
    assert!(text.contains("Redaction plan"));
    assert!(text.contains("of the risk score."));
    let mut cmd = piiscan();
    cmd.args(["scan", "--no-config", "--color", "always"])
        .arg(c.root());
    let coloured = Run::from(cmd.output().unwrap_or_else(|e| panic!("{e}")));
    assert!(coloured.stdout.contains("\x1b["));
}

#[test]
fn no_raw_value_in_any_format() {
    let c = Corpus::generate(31, 120, false);
    let raws = c.raw_values();
    for format in report::FORMATS {
        let out = scan(&[c.root()], format).stdout;
        assert!(out.len() > 200, "{format} output is suspiciously short");
        for raw in &raws {
            assert!(
                !out.contains(raw.as_str()),
                "{format} output contains a raw value"
            );
        }
    }
}

/// Writes `name` under `dir`.
fn put(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("write {name}: {e}"));
}

/// The fingerprint of the findings of `kind` in `r`, if they all share one.
fn only_fingerprint(r: &Report, kind: &str) -> Option<String> {
    let fs = r
        .findings
        .to_vec()
        .unwrap_or_else(|e| panic!("findings: {e}"));
    let mut fps: Vec<&str> = fs
        .iter()
        .filter(|f| f.kind.as_str() == kind)
        .map(|f| &*f.fingerprint)
        .collect();
    fps.dedup();
    (fps.len() == 1).then(|| fps[0].to_string())
}

/// A wrapper object is not one record: `{"customers":[…]}` of 50 people gives 50 people and
/// 50 identity kits, as the bare array and NDJSON do (issue 24, "Records and people").
#[test]
fn a_wrapper_object_of_50_customers_is_50_people() {
    let ppl = people(50, 61);
    let objects: Vec<String> = ppl
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                r#"{{"id":{i},"email":"{}","phones":["{}"],"dob":"{}","frequent_flyer_number":"{}","orders":[{{"sku":"A{i}"}}]}}"#,
                p.email, p.phone, p.dob, p.ffn
            )
        })
        .collect();
    for (name, text) in [
        (
            "wrapped.json",
            format!(
                r#"{{"exported":"2024-05-01","customers":[{}]}}"#,
                objects.join(",")
            ),
        ),
        (
            "deep.json",
            format!(
                r#"{{"data":{{"page":1,"users":[{}]}}}}"#,
                objects.join(",\n")
            ),
        ),
        ("bare.json", format!("[{}]", objects.join(","))),
        ("lines.ndjson", objects.join("\n")),
    ] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        put(dir.path(), name, &text);
        let r = report(&[dir.path()]);
        let e = &r.exposure;
        assert_eq!(e.summary.people, 50, "{name}");
        assert_eq!(e.summary.linked_people, 50, "{name}");
        assert_eq!(e.summary.identity_kit_records, 50, "{name}");
        assert_eq!(e.summary.shared_values, 0, "{name}");
        // Records: one per customer; each order line is a record of its own (no PII), and a
        // wrapper holding a value of its own (`exported`, `page`) is one more.
        let own = usize::from(name == "wrapped.json" || name == "deep.json");
        assert_eq!(r.totals.records as usize, 100 + own, "{name}");
    }
}

/// 100 rows sharing one office phone beside 100 distinct emails are 100 people, and the phone
/// is listed (by fingerprint, with its records and partners) in the JSON and text reports.
#[test]
fn a_shared_office_phone_does_not_merge_its_callers() {
    let ppl = people(100, 71);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut csv = String::from("email,phone\n");
    for p in &ppl {
        let _ = writeln!(csv, "{},0491 570 999", p.email);
    }
    put(dir.path(), "tickets.csv", &csv);
    let r = report(&[dir.path()]);
    let e = &r.exposure;
    assert_eq!(e.summary.people, 100);
    assert_eq!(e.summary.shared_values, 1);
    let phone = only_fingerprint(&r, "phone").unwrap_or_else(|| panic!("one phone value"));
    let s = &e.shared_values[0];
    assert_eq!(s.fingerprint.to_string(), phone);
    assert_eq!((s.records, s.partners), (100, 100));
    let place_people = e.inputs[0]
        .places
        .iter()
        .find(|p| p.field.as_deref() == Some("phone"))
        .map(|p| p.people);
    assert_eq!(
        place_people,
        Some(100),
        "every caller is still exposed to the phone"
    );
    let doc: Value =
        serde_json::from_str(&scan(&[dir.path()], "json").stdout).unwrap_or_else(|e| panic!("{e}"));
    let schema: Value =
        serde_json::from_str(report::JSON_SCHEMA).unwrap_or_else(|e| panic!("schema: {e}"));
    assert_eq!(schema::validate(&schema, &doc), Vec::<String>::new());
    let text = scan(&[dir.path()], "text").stdout;
    assert!(
        text.contains("1 shared values not used to link people") && text.contains(&phone),
        "{text}"
    );
    assert!(!text.contains("0491 570 999") && !text.contains("+61491570999"));
}

/// One customer's email on 50 order rows is one person; a `noreply@` sender on every row links
/// nobody (each row, with nothing else to link by, is a person), is marked in the findings and
/// is listed as a placeholder.
#[test]
fn repeated_customer_and_noreply_sender() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut orders = String::from("order_id,email,card\n");
    for i in 0..50 {
        let _ = writeln!(orders, "A{i:04},jo.citizen@example.com,4000 0000 0000 0002");
    }
    put(dir.path(), "orders.csv", &orders);
    let r = report(&[dir.path()]);
    assert_eq!(r.exposure.summary.people, 1);
    assert_eq!(r.exposure.summary.shared_values, 0);

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ppl = people(40, 81);
    let mut mail = String::from("from,dob\n");
    for p in &ppl {
        let _ = writeln!(mail, "No-Reply@shop.example.com,{}", p.dob);
    }
    put(dir.path(), "mail.csv", &mail);
    let r = report(&[dir.path()]);
    let e = &r.exposure;
    assert_eq!(
        (e.summary.linked_people, e.summary.unlinked_people),
        (0, 40)
    );
    assert_eq!(e.summary.shared_values, 1);
    let s = &e.shared_values[0];
    assert_eq!(
        (s.reason, s.kind.map(|k| k.as_str()), s.records),
        (
            piiscan::exposure::SharedReason::Placeholder,
            Some("email"),
            40
        )
    );
    let fs = r.findings.to_vec().unwrap_or_else(|e| panic!("{e}"));
    let emails: Vec<_> = fs.iter().filter(|f| f.kind.as_str() == "email").collect();
    assert_eq!(emails.len(), 40);
    assert!(emails.iter().all(|f| f.placeholder));
    let doc: Value =
        serde_json::from_str(&scan(&[dir.path()], "json").stdout).unwrap_or_else(|e| panic!("{e}"));
    let schema: Value =
        serde_json::from_str(report::JSON_SCHEMA).unwrap_or_else(|e| panic!("schema: {e}"));
    assert_eq!(schema::validate(&schema, &doc), Vec::<String>::new());
    assert_eq!(doc["findings"][0]["placeholder"], Value::Bool(true));
    assert!(
        fs.iter()
            .filter(|f| f.kind.as_str() != "email")
            .all(|f| !f.placeholder)
    );
}

/// Two halves, each with five callers of one office phone: alone, each half links its five
/// through the phone; together (one scan, or the merge of the halves) the phone has ten
/// partners and links nobody. The merge equals the single scan, shared values included.
#[test]
fn merged_halves_apply_the_partner_bound_as_one_scan() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ppl = people(10, 91);
    for (half, group) in ppl.chunks(5).enumerate() {
        let sub = dir.path().join(format!("half{half}"));
        std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
        let mut csv = String::from("email,phone\n");
        for p in group {
            let _ = writeln!(csv, "{},0491 570 999", p.email);
        }
        put(&sub, "calls.csv", &csv);
    }
    let whole = report(&[dir.path()]);
    assert_eq!(whole.exposure.summary.people, 10);
    assert_eq!(whole.exposure.summary.shared_values, 1);
    let a = report(&[&dir.path().join("half0")]);
    let b = report(&[&dir.path().join("half1")]);
    for h in [&a, &b] {
        assert_eq!(h.exposure.summary.people, 1);
        assert_eq!(h.exposure.summary.shared_values, 0);
    }
    let merged = report::merge::merge(vec![b, a]).unwrap_or_else(|e| panic!("merge: {e}"));
    let merged: Report = serde_json::to_string(&merged)
        .ok()
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_else(|| panic!("merged report does not round-trip through JSON"));
    assert_eq!(merged.exposure, whole.exposure);
}

/// `max_link_partners` in piiscan.toml sets the bound (and is reported with the weights); a
/// value outside its range is an error naming the key.
#[test]
fn max_link_partners_is_configurable() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap_or_else(|e| panic!("{e}"));
    let mut csv = String::from("email,phone\n");
    for p in people(20, 101) {
        let _ = writeln!(csv, "{},0491 570 999", p.email);
    }
    put(&data, "calls.csv", &csv);
    let run_with = |toml: &str| {
        put(dir.path(), "piiscan.toml", toml);
        let mut cmd = piiscan();
        cmd.args(["scan", "--format", "json", "--config"])
            .arg(dir.path().join("piiscan.toml"))
            .arg(&data);
        Run::from(cmd.output().unwrap_or_else(|e| panic!("run: {e}")))
    };
    let run = run_with("max_link_partners = 30\n");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r: Report = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.exposure.weights.max_link_partners, 30);
    assert_eq!(r.exposure.summary.people, 1);
    let run = run_with("max_link_partners = 63\n");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("max_link_partners"), "{}", run.stderr);
}

fn chromium() -> Option<std::path::PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists())
}

#[test]
fn html_renders_in_headless_chromium() {
    let c = Corpus::generate(13, 150, false);
    let html = scan(&[c.root()], "html").stdout;
    // Self-contained: nothing that could fetch.
    for needle in ["src=", "href=", "url(", "@import", "http:", "https:"] {
        assert!(!html.contains(needle), "HTML contains {needle:?}");
    }
    assert!(html.contains("default-src 'none'"));
    let Some(browser) = chromium() else {
        if std::env::var("PIISCAN_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
            panic!("PIISCAN_REQUIRE_CHROMIUM=1 but chromium is not installed");
        }
        eprintln!("SKIPPED html_renders_in_headless_chromium: chromium not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).unwrap_or_else(|e| panic!("{e}"));
    let url = format!("file://{}", page.display());
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let shot = out_dir.join("exposure-report.png");
    let run_browser = |extra: &[&str]| {
        let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut cmd = assert_cmd::Command::new(&browser);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(&url)
        .timeout(std::time::Duration::from_secs(90));
        Run::from(cmd.output().unwrap_or_else(|e| panic!("chromium: {e}")))
    };
    let dom = run_browser(&["--dump-dom", "--virtual-time-budget=2000"]);
    assert_eq!(dom.code, 0, "{}", dom.stderr);
    // Console output reaches stderr as `CONSOLE(...)` lines; errors as `Uncaught ...`.
    let console: Vec<&str> = dom
        .stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Refused"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    // The script ran to its end and counted three charts, which hold their marks.
    assert!(
        dom.stdout.contains(r#"data-charts="3""#),
        "script did not run"
    );
    for id in ["chart-curve", "chart-kinds", "chart-places"] {
        assert!(
            dom.stdout.contains(&format!(r#"id="{id}""#)),
            "{id} missing"
        );
    }
    assert!(dom.stdout.matches("<circle").count() >= 1);
    assert!(dom.stdout.matches("<rect").count() >= 4);
    let shot_run = run_browser(&[
        &format!("--screenshot={}", shot.display()),
        "--window-size=1100,2200",
        "--hide-scrollbars",
    ]);
    assert_eq!(shot_run.code, 0, "{}", shot_run.stderr);
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10_000, "screenshot is {size} bytes");
    eprintln!("screenshot: {}", shot.display());
}

/// A small JSON Schema validator (see the module docs for the keywords it knows); also used by
/// `tests/columns.rs`.
pub(crate) mod schema {
    use serde_json::Value;

    /// Every violation of `schema` by `doc`, as "json pointer: message".
    pub fn validate(schema: &Value, doc: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        check(schema, schema, doc, "", &mut errs);
        errs
    }

    fn type_ok(t: &str, v: &Value) -> bool {
        match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            "number" => v.is_number(),
            "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
            _ => false,
        }
    }

    fn check(root: &Value, s: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
        let Some(s) = s.as_object() else {
            if s == &Value::Bool(false) {
                errs.push(format!("{at}: not allowed"));
            }
            return;
        };
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
                Some(target) => check(root, target, v, at, errs),
                None => errs.push(format!("{at}: unresolvable $ref {r}")),
            }
            return;
        }
        if let Some(t) = s.get("type") {
            let ok = match t {
                Value::String(t) => type_ok(t, v),
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).any(|t| type_ok(t, v)),
                _ => true,
            };
            if !ok {
                errs.push(format!("{at}: expected type {t}"));
                return;
            }
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array)
            && !e.contains(v)
        {
            errs.push(format!("{at}: not one of {e:?}"));
        }
        if let Some(c) = s.get("const")
            && c != v
        {
            errs.push(format!("{at}: expected {c}"));
        }
        if let Some(n) = v.as_f64() {
            if let Some(min) = s.get("minimum").and_then(Value::as_f64)
                && n < min
            {
                errs.push(format!("{at}: below minimum {min}"));
            }
            if let Some(max) = s.get("maximum").and_then(Value::as_f64)
                && n > max
            {
                errs.push(format!("{at}: above maximum {max}"));
            }
        }
        if let (Some(p), Some(text)) = (s.get("pattern").and_then(Value::as_str), v.as_str()) {
            match regex::Regex::new(p) {
                Ok(re) if re.is_match(text) => {}
                Ok(_) => errs.push(format!("{at}: does not match {p}")),
                Err(e) => errs.push(format!("{at}: bad pattern {p}: {e}")),
            }
        }
        if let Some(obj) = v.as_object() {
            let props = s.get("properties").and_then(Value::as_object);
            if let Some(req) = s.get("required").and_then(Value::as_array) {
                for r in req.iter().filter_map(Value::as_str) {
                    if !obj.contains_key(r) {
                        errs.push(format!("{at}: missing required {r}"));
                    }
                }
            }
            for (k, val) in obj {
                let here = format!("{at}/{k}");
                if let Some(ps) = s.get("propertyNames") {
                    check(root, ps, &Value::from(k.as_str()), &here, errs);
                }
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => check(root, ps, val, &here, errs),
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            errs.push(format!("{here}: additional property not allowed"))
                        }
                        Some(ap) => check(root, ap, val, &here, errs),
                        None => {}
                    },
                }
            }
        }
        if let Some(arr) = v.as_array() {
            if let Some(min) = s.get("minItems").and_then(Value::as_u64)
                && (arr.len() as u64) < min
            {
                errs.push(format!("{at}: fewer than {min} items"));
            }
            if s.get("uniqueItems") == Some(&Value::Bool(true)) {
                let mut seen = std::collections::HashSet::new();
                if !arr.iter().all(|x| seen.insert(x.to_string())) {
                    errs.push(format!("{at}: items not unique"));
                }
            }
            if let Some(items) = s.get("items") {
                for (i, x) in arr.iter().enumerate() {
                    check(root, items, x, &format!("{at}/{i}"), errs);
                }
            }
        }
        let count_ok = |key: &str| -> Option<usize> {
            s.get(key).and_then(Value::as_array).map(|subs| {
                subs.iter()
                    .filter(|sub| {
                        let mut e = Vec::new();
                        check(root, sub, v, at, &mut e);
                        e.is_empty()
                    })
                    .count()
            })
        };
        if let Some(n) = count_ok("anyOf")
            && n == 0
        {
            errs.push(format!("{at}: matches none of anyOf"));
        }
        if let Some(n) = count_ok("oneOf")
            && n != 1
        {
            errs.push(format!("{at}: matches {n} of oneOf"));
        }
        if let Some(subs) = s.get("allOf").and_then(Value::as_array) {
            for sub in subs {
                check(root, sub, v, at, errs);
            }
        }
    }
}
