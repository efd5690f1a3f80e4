//! Criterion benches per pipeline stage: decoding, the detector engine on dense (export-like)
//! and sparse (code/prose-like) text and on key/value lines with a new key on every line,
//! fingerprinting, and long lines (`long-lines`: the same input cut into short and long lines,
//! whose per-byte costs must match). Inputs are generated from a fixed seed so runs are
//! comparable. `cargo bench --bench engine`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use piiscan::detect::{Engine, Scratch, builtin};
use piiscan::finding::{Fingerprinter, Kind};
use piiscan::input::decode::decode_all;
use piiscan::scan::{ScanOptions, Scanner};
use piiscan::validate::Ctx;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Export-like text: every line carries an email, a phone, a date and an order id.
fn dense(n_lines: usize) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut out = Vec::new();
    for i in 0..n_lines {
        let line = format!(
            "{i},user{}@example.com,0491 570 {:03},19{}-0{}-1{},ORD-{},{}.{:02}\n",
            rng.gen_range(0..100_000),
            rng.gen_range(100..999),
            rng.gen_range(50..99),
            rng.gen_range(1..9),
            rng.gen_range(0..9),
            rng.gen_range(100_000..999_999),
            rng.gen_range(1..999),
            rng.gen_range(0..99)
        );
        out.extend_from_slice(line.as_bytes());
    }
    out
}

/// Code/prose-like text with rare hits.
fn sparse(n_lines: usize) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let words = [
        "let", "value", "match", "return", "self", "config", "error", "the", "of", "buffer",
    ];
    let mut out = Vec::new();
    for i in 0..n_lines {
        for _ in 0..10 {
            out.extend_from_slice(words[rng.gen_range(0..words.len())].as_bytes());
            out.push(b' ');
        }
        if i % 500 == 0 {
            out.extend_from_slice(b"contact: someone@example.org");
        }
        if i % 7 == 0 {
            out.extend_from_slice(format!("x = {};", rng.gen_range(0..100_000)).as_bytes());
        }
        out.push(b'\n');
    }
    out
}

/// `Key: value` lines as the key/value format hands them over (the text before the value, then
/// the value with its key as field), every key new: generated bindings read this way
/// (`pub const EHOSTUNREACH: u32 = 148;`) cost one field-name classification per line.
fn keyed_lines(n_lines: usize) -> Vec<(String, String)> {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let stems = [
        "EHOST",
        "MPOL_F",
        "RECLAIM",
        "IORING_OP",
        "SO_RCV",
        "TCP_USER",
    ];
    (0..n_lines)
        .map(|i| {
            let key = format!("pub const {}_{i}", stems[rng.gen_range(0..stems.len())]);
            (key, format!("u32 = {};", rng.gen_range(0..100_000)))
        })
        .collect()
}

fn bench_keyed_lines(c: &mut Criterion) {
    let engine = engine();
    let lines = keyed_lines(20_000);
    let bytes: usize = lines.iter().map(|(k, v)| k.len() + 2 + v.len() + 1).sum();
    let mut g = c.benchmark_group("engine/keyed-lines");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("scan", |b| {
        let mut scratch = Scratch::default();
        let mut hits = Vec::new();
        let mut key_part = String::new();
        b.iter(|| {
            for (key, value) in &lines {
                key_part.clear();
                key_part.push_str(key);
                key_part.push_str(": ");
                for (text, field) in [
                    (key_part.as_str(), None),
                    (value.as_str(), Some(key.as_str())),
                ] {
                    scan_cell(&engine, text.as_bytes(), field, &mut scratch, &mut hits);
                }
            }
            black_box(hits.len())
        })
    });
    g.finish();
}

/// One cell through the engine, all of it accepted, as the scan glue hands it over.
fn scan_cell(
    engine: &Engine,
    text: &[u8],
    field: Option<&str>,
    scratch: &mut Scratch,
    hits: &mut Vec<piiscan::detect::Hit>,
) {
    hits.clear();
    engine.scan(black_box(text), field, 0..text.len(), false, scratch, hits);
}

fn engine() -> Engine {
    let specs = builtin::load(&[]).unwrap_or_default();
    match Engine::new(specs, Ctx::default()) {
        Ok(e) => e,
        Err(e) => panic!("engine: {e}"),
    }
}

fn bench_engine(c: &mut Criterion) {
    let engine = engine();
    for (name, text) in [("dense", dense(20_000)), ("sparse", sparse(20_000))] {
        let mut g = c.benchmark_group(format!("engine/{name}"));
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("scan", |b| {
            let mut scratch = Scratch::default();
            let mut hits = Vec::new();
            b.iter(|| {
                scan_cell(&engine, &text, None, &mut scratch, &mut hits);
                black_box(hits.len())
            })
        });
        g.finish();
    }
}

fn bench_decode(c: &mut Criterion) {
    let text = sparse(20_000);
    let mut u16 = vec![0xFF, 0xFE];
    for u in String::from_utf8_lossy(&text).encode_utf16() {
        u16.extend_from_slice(&u.to_le_bytes());
    }
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("utf8", |b| {
        b.iter(|| decode_all(black_box(&text)).map(|o| o.map(|v| v.len())))
    });
    g.bench_function("utf16le", |b| {
        b.iter(|| decode_all(black_box(&u16)).map(|o| o.map(|v| v.len())))
    });
    g.finish();
}

/// A mysqldump of about `total` bytes whose extended INSERT lines are about `line` bytes: a
/// members table (member number, name, email, phone, date of birth), five findings a row.
fn mysqldump(total: usize, line: usize) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let first = [
        "olivia", "noah", "aroha", "priya", "mei", "omar", "james", "lucia",
    ];
    let last = [
        "smith", "nguyen", "tan", "patel", "singh", "kim", "lee", "wilson",
    ];
    let mut out = b"-- MySQL dump 10.13  Distrib 8.0.36\nCREATE TABLE `members` (`id` int, \
        `member_no` varchar(20), `full_name` varchar(100), `email` varchar(200), \
        `phone` varchar(40), `dob` date);\n"
        .to_vec();
    let mut id = 0u64;
    while out.len() < total {
        let start = out.len();
        out.extend_from_slice(b"INSERT INTO `members` VALUES ");
        while out.len() - start < line {
            id += 1;
            let (f, l) = (
                first[rng.gen_range(0..first.len())],
                last[rng.gen_range(0..last.len())],
            );
            let row = format!(
                "({id},'M{}','{f} {l}','{f}.{l}{}@example.com','+61 4{} {} {}','{}-{:02}-{:02}'),",
                rng.gen_range(10_000_000..100_000_000),
                rng.gen_range(0..1000),
                rng.gen_range(10..100),
                rng.gen_range(100..1000),
                rng.gen_range(100..1000),
                rng.gen_range(1940..2005),
                rng.gen_range(1..13),
                rng.gen_range(1..29)
            );
            out.extend_from_slice(row.as_bytes());
        }
        out.pop();
        out.extend_from_slice(b";\n");
    }
    out
}

/// The same bytes cut into short and long lines: linear work costs the same per byte at both
/// lengths. `mysqldump` runs the whole scan glue as the CLI does (format, engine, findings
/// handed on in chunks): ~1 MiB INSERT lines hold more findings than one chunk, which once
/// made the hand-over quadratic in a line's findings. `dotted-digits` is one cell of
/// `1.1.1.…` through the engine: one digit cluster the length of the cell, full of IP-shaped
/// candidates, once quadratic in the cell's length.
fn bench_long_lines(c: &mut Criterion) {
    let opts = ScanOptions {
        split_after: None,
        ..ScanOptions::default()
    };
    let scanner = Scanner::new(
        engine(),
        Fingerprinter::new(b"bench-key-0123456789abcdef"),
        opts,
    )
    .with_spill(Arc::new(|_, findings| {
        black_box(findings.len());
    }));
    let mut g = c.benchmark_group("long-lines");
    // ~0.5 s an iteration for the dumps.
    g.sample_size(10)
        .measurement_time(std::time::Duration::from_secs(8));
    for line in [64 << 10, 1 << 20] {
        let dump = mysqldump(2 << 20, line);
        g.throughput(Throughput::Bytes(dump.len() as u64));
        let id = BenchmarkId::new("mysqldump", format!("{}KiB-lines", line >> 10));
        g.bench_function(id, |b| {
            let mut scratch = Scratch::default();
            b.iter(|| {
                let path: Arc<str> = Arc::from("members.sql");
                let report = scanner.scan_text(path, &mut &dump[..], &mut scratch);
                black_box(report.findings.len())
            })
        });
    }
    for len in [64 << 10, 1 << 20] {
        let text = b"1.".repeat(len / 2);
        g.throughput(Throughput::Bytes(text.len() as u64));
        let id = BenchmarkId::new("dotted-digits", format!("{}KiB-line", len >> 10));
        g.bench_function(id, |b| {
            let mut scratch = Scratch::default();
            let mut hits = Vec::new();
            b.iter(|| {
                scan_cell(scanner.engine(), &text, None, &mut scratch, &mut hits);
                black_box(hits.len())
            })
        });
    }
    g.finish();
}

fn bench_fingerprint(c: &mut Criterion) {
    let fp = Fingerprinter::new(b"bench-key-0123456789abcdef");
    c.bench_function("fingerprint/phone", |b| {
        b.iter(|| fp.fingerprint(Kind::Phone, black_box("+61491570156")))
    });
}

criterion_group!(
    benches,
    bench_engine,
    bench_keyed_lines,
    bench_decode,
    bench_fingerprint,
    bench_long_lines
);
criterion_main!(benches);
