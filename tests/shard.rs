//! Sharded scans (`scan --shard`): N processes of the binary, each told its shard the way a
//! Kubernetes Indexed Job tells it (JOB_COMPLETION_INDEX, PIISCAN_SHARDS), over a generated tree
//! → disjoint reports covering every input, whose `merge` is the single scan's report field for
//! field; a missing, duplicated or foreign shard is refused; bad `--shard` values are clear
//! errors. Fake data only: example.com addresses, ACMA's fictitious 0491 570 xxx numbers.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::common::{Run, piiscan, write};

/// Every variable `--shard auto` reads: removed so a test run inside a scheduler (or a CI job
/// array) is not steered by its own environment.
const SCHEDULER_VARS: [&str; 7] = [
    "JOB_COMPLETION_INDEX",
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_COUNT",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "PIISCAN_SHARDS",
    "SLURM_ARRAY_TASK_STEP",
];

fn cmd() -> assert_cmd::Command {
    let mut c = piiscan();
    for v in SCHEDULER_VARS {
        c.env_remove(v);
    }
    c
}

fn zip(members: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        w.start_file(*name, opts)
            .unwrap_or_else(|e| panic!("zip: {e}"));
        w.write_all(data.as_bytes())
            .unwrap_or_else(|e| panic!("zip: {e}"));
    }
    w.finish()
        .unwrap_or_else(|e| panic!("zip: {e}"))
        .into_inner()
}

/// A tree of CSV, text and JSON files in nested directories, one zip of two CSVs, a clean file
/// and a symlink (reported as skipped). People recur across files (by email), so distinct
/// people only come out right when the shards are linked again by the merge.
fn tree(root: &Path) {
    let mut rng = ChaCha8Rng::seed_from_u64(28);
    let people: Vec<(String, String, String)> = (0..60)
        .map(|i| {
            (
                format!("person{i}.{}@example.com", rng.gen_range(100..999)),
                format!("0491 570 {:03}", 100 + i),
                format!(
                    "{}-{:02}-{:02}",
                    rng.gen_range(1940..2000),
                    rng.gen_range(1..=12),
                    rng.gen_range(1..=28)
                ),
            )
        })
        .collect();
    let mut pick = |n: usize| -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).map(|_| rng.gen_range(0..people.len())).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let csv = |ids: &[usize]| {
        let mut s = String::from("name,email,date_of_birth\n");
        for &i in ids {
            s.push_str(&format!("Customer {i},{},{}\n", people[i].0, people[i].2));
        }
        s
    };
    let text = |ids: &[usize]| {
        let mut s = String::new();
        for &i in ids {
            s.push_str(&format!(
                "Call back {} on mobile {} about the refund.\n",
                people[i].0, people[i].1
            ));
        }
        s
    };
    for d in 0..4 {
        for f in 0..3 {
            write(
                root,
                &format!("region{d}/exports/customers-{f}.csv"),
                csv(&pick(12)),
            );
        }
        write(
            root,
            &format!("region{d}/tickets/notes.txt"),
            text(&pick(8)),
        );
        let ids = pick(5);
        let json: Vec<Value> = ids
            .iter()
            .map(|&i| serde_json::json!({"id": i, "email": people[i].0}))
            .collect();
        write(
            root,
            &format!("region{d}/events.json"),
            serde_json::to_string(&json).unwrap_or_default(),
        );
    }
    write(
        root,
        "archive/2024.zip",
        zip(&[
            ("jan/customers.csv", csv(&pick(10))),
            ("feb/customers.csv", csv(&pick(10))),
        ]),
    );
    write(root, "README.txt", "Nothing personal in here.\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("README.txt"), root.join("link-to-readme"))
        .unwrap_or_else(|e| panic!("symlink: {e}"));
}

fn schema() -> Value {
    serde_json::from_str(piiscan::report::JSON_SCHEMA).unwrap_or_else(|e| panic!("schema: {e}"))
}

fn read_json(p: &Path) -> Value {
    let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn input_paths(report: &Value) -> BTreeSet<String> {
    report["inputs"]
        .as_array()
        .unwrap_or_else(|| panic!("no inputs in {report}"))
        .iter()
        .map(|i| i["path"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Scans `path` as shard `index` (0-based) of `count` through the Kubernetes variables.
fn scan_shard(path: &Path, index: usize, count: usize, out: &Path) -> Run {
    let mut c = cmd();
    c.env("JOB_COMPLETION_INDEX", index.to_string())
        .env("PIISCAN_SHARDS", count.to_string())
        .args([
            "scan",
            "--no-config",
            "--shard",
            "auto",
            "--format",
            "json",
            "-o",
        ])
        .arg(out)
        .arg(path);
    Run::from(c.output().unwrap_or_else(|e| panic!("{e}")))
}

fn merge(reports: &[&Path]) -> Run {
    let mut c = cmd();
    c.args(["merge", "--format", "json"]).args(reports);
    Run::from(c.output().unwrap_or_else(|e| panic!("{e}")))
}

/// Fields that legitimately differ between one scan and the merge of its shards: when it ran.
const DIFFERING: [&str; 2] = ["started", "finished"];

#[test]
fn three_shards_merge_into_the_single_scan() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = tmp.path().join("share");
    tree(&root);
    let whole_path = tmp.path().join("whole.json");
    let mut c = cmd();
    c.args(["scan", "--no-config", "--format", "json", "-o"])
        .arg(&whole_path)
        .arg(&root);
    let run = Run::from(c.output().unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut whole = read_json(&whole_path);
    assert!(
        whole.get("shard").is_none(),
        "a whole scan records no shard"
    );
    let all = input_paths(&whole);
    // The tree as generated: 21 plain files, the symlink, and the zip's 2 members.
    assert_eq!(all.len(), 24, "{all:?}");
    assert!(all.iter().any(|p| p.contains("2024.zip!jan/customers.csv")));

    let shards: Vec<_> = (0..3)
        .map(|k| tmp.path().join(format!("shard-{k}.json")))
        .collect();
    let mut union = BTreeSet::new();
    for (k, out) in shards.iter().enumerate() {
        let run = scan_shard(&root, k, 3, out);
        assert!(run.code == 0 || run.code == 1, "shard {k}: {}", run.stderr);
        let r = read_json(out);
        assert_eq!(
            r["shard"],
            serde_json::json!({"index": k + 1, "count": 3}),
            "shard {k} records its shard"
        );
        let errs = crate::exposure::schema::validate(&schema(), &r);
        assert!(errs.is_empty(), "shard {k}: {errs:#?}");
        let mine = input_paths(&r);
        assert!(!mine.is_empty(), "shard {k} is empty");
        assert!(
            mine.is_disjoint(&union),
            "shard {k} repeats inputs: {:?}",
            mine.intersection(&union).collect::<Vec<_>>()
        );
        // Members stay with their archive.
        let zips: Vec<_> = mine.iter().filter(|p| p.contains("2024.zip")).collect();
        assert!(zips.is_empty() || zips.len() == 2, "{zips:?}");
        union.extend(mine);
    }
    assert_eq!(
        union, all,
        "the shards cover exactly the inputs of one scan"
    );

    let refs: Vec<&Path> = shards.iter().map(|p| p.as_path()).collect();
    // Any order.
    let run = merge(&[refs[2], refs[0], refs[1]]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut merged: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("merged: {e}"));
    assert!(merged.get("shard").is_none(), "a merged report is whole");
    let errs = crate::exposure::schema::validate(&schema(), &merged);
    assert!(errs.is_empty(), "merged: {errs:#?}");
    assert!(
        whole["exposure"]["summary"]["people"].as_u64().unwrap_or(0) > 0,
        "{}",
        whole["exposure"]["summary"]
    );
    for f in DIFFERING {
        assert!(whole.get(f).is_some() && merged.get(f).is_some(), "{f}");
        whole[f] = Value::Null;
        merged[f] = Value::Null;
    }
    // Field for field, exposure (distinct people, combinations, plan, state) included.
    if let (Some(w), Some(m)) = (whole.as_object(), merged.as_object()) {
        assert_eq!(
            w.keys().collect::<Vec<_>>(),
            m.keys().collect::<Vec<_>>(),
            "same fields"
        );
        for (k, v) in w {
            assert_eq!(Some(v), m.get(k), "field {k} differs");
        }
    } else {
        panic!("reports are not objects");
    }

    // A missing shard is named, nothing is printed.
    let run = merge(&[refs[0], refs[2]]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("missing 1 of 3 shards: 2"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    // A shard twice: both files named.
    let run = merge(&[refs[0], refs[1], refs[0], refs[2]]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("both shard 1/3"), "{}", run.stderr);
    assert!(
        run.stderr.contains("shard-0.json and ") && run.stderr.contains("shard-0.json)"),
        "{}",
        run.stderr
    );
    // A shard of another split.
    let other = tmp.path().join("other.json");
    let run = scan_shard(&root, 0, 2, &other);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let run = merge(&[refs[0], refs[1], refs[2], &other]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("shard 1/2 of a different number of shards"),
        "{}",
        run.stderr
    );
    // A whole scan with shards.
    let run = merge(&[&whole_path, refs[0]]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("is a shard") && run.stderr.contains("is not a shard"),
        "{}",
        run.stderr
    );
}

/// The shard of an input depends on its path below the argument, not on where the tree is
/// mounted or how the argument is spelled.
#[test]
fn shards_agree_across_mount_points() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    tree(&tmp.path().join("mnt/share"));
    tree(&tmp.path().join("data/copy"));
    let rel = |report: &Value, prefix: &str| -> BTreeSet<String> {
        input_paths(report)
            .into_iter()
            .map(|p| {
                p.strip_prefix(prefix)
                    .unwrap_or_else(|| panic!("{p} not under {prefix}"))
                    .to_string()
            })
            .collect()
    };
    for k in 0..3 {
        let a = tmp.path().join(format!("a{k}.json"));
        let b = tmp.path().join(format!("b{k}.json"));
        let run = scan_shard(&tmp.path().join("mnt/share"), k, 3, &a);
        assert!(run.code < 2, "{}", run.stderr);
        // Relative, with a `./` and a trailing slash.
        let mut c = cmd();
        c.current_dir(tmp.path())
            .args(["scan", "--no-config", "--format", "json", "--shard"])
            .arg(format!("{}/3", k + 1))
            .arg("-o")
            .arg(&b)
            .arg("./data/copy/");
        let run = Run::from(c.output().unwrap_or_else(|e| panic!("{e}")));
        assert!(run.code < 2, "{}", run.stderr);
        let a_prefix = format!("{}/", tmp.path().join("mnt/share").display());
        assert_eq!(
            rel(&read_json(&a), &a_prefix),
            rel(&read_json(&b), "data/copy/"),
            "shard {}",
            k + 1
        );
    }
}

#[test]
fn stdin_belongs_to_shard_one() {
    for (shard, inputs) in [("1/3", 1), ("2/3", 0), ("3/3", 0)] {
        let mut c = cmd();
        c.args([
            "scan",
            "--no-config",
            "--format",
            "json",
            "--shard",
            shard,
            "-",
        ])
        .write_stdin("mail person1@example.com\n");
        let run = Run::from(c.output().unwrap_or_else(|e| panic!("{e}")));
        let r = run.json();
        assert_eq!(r["totals"]["inputs"], inputs, "{shard}: {}", run.stderr);
        assert_eq!(run.code, inputs, "{shard}");
    }
}

#[test]
fn bad_shard_values_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(tmp.path(), "a.txt", "mail person1@example.com\n");
    let out = tmp.path().join("r.json");
    let run_with = |shard: &str, env: &[(&str, &str)]| {
        let mut c = cmd();
        for (k, v) in env {
            c.env(k, v);
        }
        c.args([
            "scan",
            "--no-config",
            "--format",
            "json",
            "--shard",
            shard,
            "-o",
        ])
        .arg(&out)
        .arg(tmp.path());
        Run::from(c.output().unwrap_or_else(|e| panic!("{e}")))
    };
    for (shard, env, says) in [
        ("0/3", &[][..], "K must be from 1 to N"),
        ("4/3", &[][..], "K must be from 1 to N"),
        ("1/0", &[][..], "K must be from 1 to N"),
        ("x/y", &[][..], "expected K/N"),
        ("3", &[][..], "expected K/N"),
        ("auto", &[][..], "JOB_COMPLETION_INDEX"),
        ("auto", &[][..], "SLURM_ARRAY_TASK_ID"),
        ("auto", &[][..], "AWS_BATCH_JOB_ARRAY_INDEX"),
        (
            "auto",
            &[("JOB_COMPLETION_INDEX", "1")][..],
            "set PIISCAN_SHARDS",
        ),
        (
            "auto",
            &[("JOB_COMPLETION_INDEX", "3"), ("PIISCAN_SHARDS", "3")][..],
            "outside 0..3",
        ),
        (
            "auto",
            &[("SLURM_ARRAY_TASK_ID", "two"), ("PIISCAN_SHARDS", "3")][..],
            "SLURM_ARRAY_TASK_ID=\"two\" is not a non-negative integer",
        ),
    ] {
        let run = run_with(shard, env);
        assert_eq!(run.code, 2, "{shard} {env:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{shard} {env:?}: {}", run.stderr);
        assert!(!out.exists(), "{shard}: nothing is scanned or written");
    }
    // Not with the git modes, which pick their own inputs.
    let run = run_with("1/2", &[]);
    assert!(run.code < 2, "{}", run.stderr);
    let mut c = cmd();
    c.args(["scan", "--staged", "--shard", "1/2"]);
    let run = Run::from(c.output().unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--shard"), "{}", run.stderr);
}

/// Measures `merge` of 100 shard reports (printed, not asserted): `cargo test --release
/// merge_time -- --ignored --nocapture`.
#[test]
#[ignore = "measurement"]
fn merge_time_for_100_shards() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = tmp.path().join("share");
    // 40 copies of the tree: 21 files each, 840 files with findings.
    for i in 0..40 {
        tree(&root.join(format!("part{i}")));
    }
    let reports: Vec<_> = (0..100)
        .map(|k| tmp.path().join(format!("s{k}.json")))
        .collect();
    let t = std::time::Instant::now();
    for (k, out) in reports.iter().enumerate() {
        let run = scan_shard(&root, k, 100, out);
        assert!(run.code < 2, "{}", run.stderr);
    }
    let scans = t.elapsed();
    let bytes: u64 = reports
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    let refs: Vec<&Path> = reports.iter().map(|p| p.as_path()).collect();
    let mut times = Vec::new();
    let mut merged = Value::Null;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let run = merge(&refs);
        times.push(t.elapsed());
        assert_eq!(run.code, 1, "{}", run.stderr);
        merged = run.json();
    }
    eprintln!(
        "merge of 100 shard reports ({} MB of JSON, {} inputs, {} findings): {:?} (runs: {times:?}); the 100 shard scans took {scans:?}",
        bytes / 1_000_000,
        merged["totals"]["inputs"],
        merged["totals"]["findings"],
        times.iter().min()
    );
}

/// `--findings none|sample`: shard reports without (most of) their findings still merge into
/// the single scan's totals and exposure, and are smaller; `sample` keeps at most 5 findings
/// of each place; folders are rolled up the same way in the merge as in one scan.
#[test]
fn reports_without_findings_merge_into_the_same_numbers() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = tmp.path().join("share");
    tree(&root);
    let scan = |extra: &[&str], out: &Path| {
        let mut c = cmd();
        c.args(["scan", "--no-config", "--format", "json", "-o"])
            .arg(out)
            .args(extra)
            .arg(&root);
        let run = Run::from(c.output().unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(run.code, 1, "{}", run.stderr);
        read_json(out)
    };
    let whole = scan(&[], &tmp.path().join("whole.json"));
    let sample = scan(&["--findings", "sample"], &tmp.path().join("sample.json"));
    let none = scan(&["--findings", "none"], &tmp.path().join("none.json"));
    for (r, which) in [(&whole, "all"), (&sample, "sample"), (&none, "none")] {
        assert_eq!(r["findings_included"], which);
        let errs = crate::exposure::schema::validate(&schema(), r);
        assert!(errs.is_empty(), "{which}: {errs:#?}");
        assert_eq!(r["totals"], whole["totals"], "{which} counts every finding");
        assert_eq!(r["exposure"], whole["exposure"], "{which}");
    }
    let n = |r: &Value| r["findings"].as_array().map_or(0, |a| a.len());
    assert!(n(&whole) > 100, "{}", n(&whole));
    assert_eq!(n(&none), 0);
    assert!(n(&sample) > 0 && n(&sample) < n(&whole), "{}", n(&sample));
    let mut per_place = std::collections::BTreeMap::new();
    for f in sample["findings"].as_array().into_iter().flatten() {
        let key = (
            f["path"].to_string(),
            f["field"].to_string(),
            f["kind"].to_string(),
        );
        *per_place.entry(key).or_insert(0) += 1;
    }
    assert!(per_place.values().all(|&c| c <= 5), "{per_place:?}");
    let size = |p: &str| std::fs::metadata(tmp.path().join(p)).map_or(0, |m| m.len());
    assert!(size("none.json") < size("whole.json"));

    // The shard reports carry no findings; their merge has the single scan's numbers.
    let shards: Vec<_> = (0..3)
        .map(|k| tmp.path().join(format!("shard-{k}.json")))
        .collect();
    for (k, out) in shards.iter().enumerate() {
        let mut c = cmd();
        c.env("JOB_COMPLETION_INDEX", k.to_string())
            .env("PIISCAN_SHARDS", "3")
            .args([
                "scan",
                "--no-config",
                "--shard",
                "auto",
                "--findings",
                "none",
            ])
            .args(["--format", "json", "-o"])
            .arg(out)
            .arg(&root);
        let run = Run::from(c.output().unwrap_or_else(|e| panic!("{e}")));
        assert!(run.code < 2, "shard {k}: {}", run.stderr);
    }
    let refs: Vec<&Path> = shards.iter().map(|p| p.as_path()).collect();
    let run = merge(&refs);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let merged: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(merged["findings_included"], "none");
    assert_eq!(merged["totals"], whole["totals"]);
    assert_eq!(merged["exposure"], whole["exposure"]);
    let folders = whole["exposure"]["folders"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = folders.iter().filter_map(|f| f["path"].as_str()).collect();
    // Regions hold 5 files each; the zip holds two members; the scan root holds everything.
    assert!(
        names.iter().any(|n| n.ends_with("region0/"))
            && names.iter().any(|n| n.ends_with("2024.zip!")),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.ends_with("share/")), "{names:?}");

    // The text report of the merge lists the top N of each list and says what it left out.
    let mut c = cmd();
    c.args(["merge", "--top", "3"]).args(&refs);
    let run = Run::from(c.output().unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("Folders to restrict or purge"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("(top 3 of "), "{}", run.stdout);
}
