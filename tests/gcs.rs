//! Google Cloud Storage as an input (`scan gs://bucket/prefix`), through the same code paths as
//! `s3://` (tests/s3.rs), against a real server started on 127.0.0.1.
//!
//! The server: `object_store` reads GCS through its XML API (`GET /bucket?list-type=2`, `GET`
//! and `HEAD /bucket/key` with ETag, Last-Modified and `If-Match`), which is the S3 protocol with
//! bearer-token auth. No GCS emulator from the package registries serves it:
//! `gcp-storage-emulator` (PyPI) answers the listing and `HEAD` with 501 and sends no ETag, and
//! `fake-gcs-server` lacks the XML API (fsouza/fake-gcs-server#331; object_store's own CI uses a
//! fork). So these tests run the GCS client against moto's S3 server (the one tests/s3.rs starts,
//! installed by `.ci/s3-setup.sh`): what is tested is piiscan's `gs://` path — URL, GCS client,
//! `STORAGE_EMULATOR_HOST`/`GOOGLE_*` configuration, listing pages, streaming, archives, policy,
//! cache, shards, errors and secret scrubbing — over the wire protocol GCS's XML API speaks.
//! Objects are made world-readable (`x-amz-acl: public-read`): the GCS client sends no AWS
//! signature, and moto refuses an anonymous GET of a private object.
//!
//! Skipped (loudly) without `moto_server`, except under `PIISCAN_REQUIRE_S3=1`. Fake data only.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::common::{Run, piiscan};
use crate::s3::{AUTH, binary_has_s3, csv, gzip, http_as, input, paths, server, zip};

/// A service-account key given inline in every run: not one line of it may appear in any
/// output (the emulator setting sends no credentials, but the key is still parsed).
const PEM_LINE: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDpiiscanFAKE0042";
const KEY_ID: &str = "kid-piiscan-fake-7c1e90aa";
const BEARER: &str = "ya29.piiscan-fake-bearer-Do-Not-Echo-51d2";

fn service_account_json(base_url: Option<&str>) -> String {
    let base = base_url.map_or(String::new(), |u| format!(r#","gcs_base_url":"{u}""#));
    format!(
        r#"{{"type":"service_account","client_email":"scan@example.iam.gserviceaccount.com","private_key_id":"{KEY_ID}","private_key":"-----BEGIN PRIVATE KEY-----\n{PEM_LINE}\n{PEM_LINE}\n-----END PRIVATE KEY-----\n"{base}}}"#
    )
}

/// The Authorization line for set-up requests, plus a public-read ACL (see the module doc).
fn public() -> String {
    format!("{AUTH}x-amz-acl: public-read\r\n")
}

fn make_bucket(port: u16, bucket: &str) {
    let (status, body) = http_as(
        port,
        "PUT",
        &format!("/{bucket}"),
        b"",
        "text/plain",
        &public(),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

fn put(port: u16, bucket: &str, key: &str, body: &[u8]) {
    let (status, resp) = http_as(
        port,
        "PUT",
        &format!("/{bucket}/{key}"),
        body,
        "application/octet-stream",
        &public(),
    );
    assert_eq!(status, 200, "{key}: {}", String::from_utf8_lossy(&resp));
}

/// `piiscan` pointed at the server as a GCS emulator (`STORAGE_EMULATOR_HOST`), with no other
/// cloud variable of the environment running the tests, and a fake key and token set.
fn cmd(port: u16) -> assert_cmd::Command {
    let mut c = piiscan();
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") || k.starts_with("GOOGLE_") || k == "STORAGE_EMULATOR_HOST" {
            c.env_remove(k);
        }
    }
    for v in [
        "JOB_COMPLETION_INDEX",
        "PIISCAN_SHARDS",
        "SLURM_ARRAY_TASK_ID",
        "SERVICE_ACCOUNT",
    ] {
        c.env_remove(v);
    }
    c.env("STORAGE_EMULATOR_HOST", format!("127.0.0.1:{port}"))
        .env("GOOGLE_SERVICE_ACCOUNT_KEY", service_account_json(None));
    c
}

/// Runs `c`; fails if any credential shows in stdout or stderr.
fn run(c: &mut assert_cmd::Command) -> Run {
    let r = Run::from(c.output().unwrap_or_else(|e| panic!("{e}")));
    for secret in [PEM_LINE, KEY_ID, BEARER, "PRIVATE KEY"] {
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "a credential ({secret}) was echoed:\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }
    r
}

fn scan_json(c: &mut assert_cmd::Command, args: &[&str]) -> (Run, Value) {
    let r = run(c
        .args(["scan", "--no-config", "--format", "json"])
        .args(args));
    let v = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\n{}", r.stdout, r.stderr));
    (r, v)
}

/// More than 1,000 keys (two listing pages), a gzip and a zip object, a key with spaces and
/// non-ASCII letters, `--exclude` and a `.piiscanignore` object, a URL naming one object: each
/// object is an input reported as `gs://bucket/key` (members after `!`).
#[test]
fn gs_bucket_is_listed_in_pages_and_read_like_a_tree() {
    if !binary_has_s3() {
        return;
    }
    let Some(s) = server() else { return };
    let p = s.port;
    make_bucket(p, "gcs-pages");
    for i in 0..1_050u32 {
        let body = match i % 50 {
            0 => format!("ticket {i}: call back person{i}@example.com\n"),
            _ => format!("ticket {i}: nothing personal\n"),
        };
        put(
            p,
            "gcs-pages",
            &format!("data/tickets/t{i:04}.txt"),
            body.as_bytes(),
        );
    }
    put(
        p,
        "gcs-pages",
        "data/exports/customers.csv.gz",
        &gzip(csv(0..40).as_bytes()),
    );
    put(
        p,
        "gcs-pages",
        "data/exports/a.zip",
        &zip(&[("b.csv", &csv(100..120)), ("notes/c.txt", "nothing\n")]),
    );
    put(
        p,
        "gcs-pages",
        "data/odd%20dir/100%25%20sure%20Z%C3%BCrich.csv",
        csv(0..3).as_bytes(),
    );
    put(p, "gcs-pages", "data/skip/big.csv", csv(0..10).as_bytes());
    put(p, "gcs-pages", "data/logs/x.log", csv(0..10).as_bytes());
    put(p, "gcs-pages", "data/.piiscanignore", b"skip/\n");
    put(p, "gcs-pages", "elsewhere/out.csv", csv(0..10).as_bytes());

    let (r, v) = scan_json(&mut cmd(p), &["--exclude", "*.log", "gs://gcs-pages/data"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let all = paths(&v);
    let tickets = all.iter().filter(|p| p.contains("/tickets/")).count();
    assert_eq!(tickets, 1_050, "every key of both listing pages");
    for want in [
        "gs://gcs-pages/data/exports/customers.csv.gz",
        "gs://gcs-pages/data/exports/a.zip!b.csv",
        "gs://gcs-pages/data/exports/a.zip!notes/c.txt",
        "gs://gcs-pages/data/.piiscanignore",
    ] {
        assert!(all.contains(want), "{want} not in the report");
    }
    for gone in ["skip/big.csv", "logs/x.log", "elsewhere/out.csv"] {
        assert!(
            !all.iter().any(|p| p.contains(gone)),
            "{gone} should not be scanned"
        );
    }
    assert_eq!(
        all.len(),
        1_050 + 5,
        "{:?}",
        all.iter().rev().take(8).collect::<Vec<_>>()
    );
    let gz = input(&v, "gs://gcs-pages/data/exports/customers.csv.gz");
    assert_eq!(gz["status"], "scanned", "{gz}");
    assert!(gz["findings"].as_u64().unwrap_or(0) >= 40, "{gz}");
    let member = input(&v, "gs://gcs-pages/data/exports/a.zip!b.csv");
    assert!(member["findings"].as_u64().unwrap_or(0) >= 20, "{member}");
    let odd = input(&v, "gs://gcs-pages/data/odd dir/100% sure Zürich.csv");
    assert_eq!(odd["findings"].as_u64(), Some(6), "{odd}");

    // A URL naming one object scans that object; so does one with a space in its key.
    let (r, v) = scan_json(
        &mut cmd(p),
        &[
            "gs://gcs-pages/data/exports/a.zip",
            "gs://gcs-pages/data/odd dir/100% sure Zürich.csv",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        paths(&v),
        BTreeSet::from([
            "gs://gcs-pages/data/exports/a.zip!b.csv".to_string(),
            "gs://gcs-pages/data/exports/a.zip!notes/c.txt".to_string(),
            "gs://gcs-pages/data/odd dir/100% sure Zürich.csv".to_string(),
        ])
    );
}

/// A missing bucket and a missing key: an error each for its URL (exit 2), the rest scanned;
/// a static bearer token (`GOOGLE_BEARER_TOKEN`, sent to the server) is echoed nowhere.
#[test]
fn gs_missing_bucket_and_key_are_errors_and_the_scan_goes_on() {
    if !binary_has_s3() {
        return;
    }
    let Some(s) = server() else { return };
    let p = s.port;
    make_bucket(p, "gcs-present");
    put(p, "gcs-present", "a.csv", csv(0..5).as_bytes());
    let mut c = cmd(p);
    // Configured the way a real deployment is: base URL and token, no emulator variable.
    c.env_remove("STORAGE_EMULATOR_HOST")
        .env_remove("GOOGLE_SERVICE_ACCOUNT_KEY")
        .env("GOOGLE_BASE_URL", format!("http://127.0.0.1:{p}"))
        .env("GOOGLE_ALLOW_HTTP", "true")
        .env("GOOGLE_BEARER_TOKEN", BEARER);
    let (r, v) = scan_json(
        &mut c,
        &[
            "gs://gcs-no-such-bucket/x",
            "gs://gcs-present/nothing/here",
            "gs://gcs-present",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(input(&v, "gs://gcs-no-such-bucket/x")["status"], "error");
    assert!(
        r.stderr
            .contains("gs://gcs-no-such-bucket/x: not found: no such bucket"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("gs://gcs-present/nothing/here: not found"),
        "{}",
        r.stderr
    );
    assert_eq!(
        input(&v, "gs://gcs-present/a.csv")["findings"].as_u64(),
        Some(10)
    );
}

/// Bad credentials: a service-account file whose private key is not a key. The server cannot
/// express a refused GCS token (moto answers a bearer token it checks with a 500), so the
/// failure tested is the one piiscan meets first: an error for the URL that says so, quoting
/// no line of the key; exit 2, and a local input beside it still scanned.
#[test]
fn gs_bad_credentials_are_an_error_without_the_key() {
    if !binary_has_s3() {
        return;
    }
    let Some(s) = server() else { return };
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // The key outside the scanned directory (its client_email would be a finding).
    let keys = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let key = keys.path().join("sa.json");
    let base = format!("http://127.0.0.1:{}", s.port);
    std::fs::write(&key, service_account_json(Some(&base))).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(tmp.path().join("a.txt"), "mail person1@example.com\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut c = cmd(s.port);
    c.env_remove("STORAGE_EMULATOR_HOST")
        .env_remove("GOOGLE_SERVICE_ACCOUNT_KEY")
        .env("GOOGLE_APPLICATION_CREDENTIALS", &key)
        .env("GOOGLE_ALLOW_HTTP", "true");
    let (r, v) = scan_json(
        &mut c,
        &[
            "gs://gcs-any/prefix",
            tmp.path().to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(input(&v, "gs://gcs-any/prefix")["status"], "error");
    assert!(
        r.stderr
            .contains("gs://gcs-any/prefix: cannot use the credentials or endpoint configured"),
        "{}",
        r.stderr
    );
    assert_eq!(v["totals"]["findings"], 1, "the local input is scanned");
}

/// `--cache` reuses an object whose ETag and size are unchanged, unread; a changed one is read.
#[test]
fn gs_cache_skips_unchanged_objects() {
    if !binary_has_s3() {
        return;
    }
    let Some(s) = server() else { return };
    let p = s.port;
    make_bucket(p, "gcs-cached");
    for i in 0..4u32 {
        put(
            p,
            "gcs-cached",
            &format!("k{i}.csv"),
            csv(i * 10..i * 10 + 10).as_bytes(),
        );
    }
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cache = tmp.path().join("cache");
    let cache = cache.to_str().unwrap_or_default();
    let (r1, v1) = scan_json(&mut cmd(p), &["--cache", cache, "gs://gcs-cached"]);
    assert_eq!(r1.code, 1, "{}", r1.stderr);
    let (r2, v2) = scan_json(&mut cmd(p), &["--cache", cache, "gs://gcs-cached"]);
    assert!(
        r2.stderr
            .contains("4 inputs reused unread, 0 reused after re-hashing, 0 scanned"),
        "{}",
        r2.stderr
    );
    assert_eq!(v1["totals"], v2["totals"]);
    put(p, "gcs-cached", "k0.csv", csv(90..99).as_bytes());
    let (r3, v3) = scan_json(&mut cmd(p), &["--cache", cache, "gs://gcs-cached"]);
    assert!(
        r3.stderr
            .contains("3 inputs reused unread, 0 reused after re-hashing, 1 scanned"),
        "{}",
        r3.stderr
    );
    assert_eq!(input(&v3, "gs://gcs-cached/k0.csv")["findings"], 18);
    let text =
        std::fs::read_to_string(Path::new(cache).join("piiscan-cache.json")).unwrap_or_default();
    assert!(
        text.contains("\"etag\"") && !text.contains(PEM_LINE),
        "{text}"
    );
}

/// Three shards of a `gs://` prefix are disjoint, cover the single scan, and merge into it.
#[test]
fn gs_shards_merge_into_one_scan() {
    if !binary_has_s3() {
        return;
    }
    let Some(s) = server() else { return };
    let p = s.port;
    make_bucket(p, "gcs-sharded");
    for f in 0..12u32 {
        let at = f * 7;
        put(
            p,
            "gcs-sharded",
            &format!("share/r{}/c{f}.csv", f % 3),
            csv(at..at + 12).as_bytes(),
        );
    }
    let (r, mut whole) = scan_json(&mut cmd(p), &["gs://gcs-sharded/share"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let all = paths(&whole);
    assert_eq!(all.len(), 12);
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut union = BTreeSet::new();
    let mut files = Vec::new();
    for k in 1..=3 {
        let out = tmp.path().join(format!("s{k}.json"));
        let r = run(cmd(p)
            .args(["scan", "--no-config", "--shard", &format!("{k}/3")])
            .args(["--format", "json", "-o"])
            .arg(&out)
            .arg("gs://gcs-sharded/share"));
        assert!(r.code < 2, "{}", r.stderr);
        let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        let mine = paths(&v);
        assert!(mine.is_disjoint(&union), "shard {k} repeats inputs");
        union.extend(mine);
        files.push(out);
    }
    assert_eq!(union, all);
    let r = run(cmd(p).args(["merge", "--format", "json"]).args(&files));
    let mut merged: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}"));
    for f in ["started", "finished"] {
        whole[f] = Value::Null;
        merged[f] = Value::Null;
    }
    assert_eq!(whole, merged, "the merged shards equal the single scan");
}

/// `az://` is recognised and refused, as not supported (not as "not compiled"), in a build
/// that reads object storage; the rest of the scan goes on.
#[test]
fn az_urls_are_refused_as_not_supported() {
    if !binary_has_s3() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(tmp.path().join("a.txt"), "mail person1@example.com\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (r, v) = scan_json(
        &mut cmd(1),
        &["az://container/p", tmp.path().to_str().unwrap_or_default()],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("az://container/p: az:// input is not supported yet"),
        "{}",
        r.stderr
    );
    assert_eq!(v["totals"]["findings"], 1);
}
