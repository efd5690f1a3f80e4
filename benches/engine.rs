//! Criterion benches per pipeline stage: decoding, the detector engine on dense (export-like)
//! and sparse (code/prose-like) text and on key/value lines with a new key on every line, and
//! fingerprinting. Inputs are generated from a fixed seed
//! so runs are comparable. `cargo bench --bench engine`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use piiscan::decode::decode_all;
use piiscan::detect::{Engine, Scratch, builtin};
use piiscan::finding::{Fingerprinter, Kind};
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
    bench_fingerprint
);
criterion_main!(benches);
