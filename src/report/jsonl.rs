//! `--format jsonl`: one finding per line, with exactly the documented fields (plus `explain`
//! under `--explain`), for piping into `jq`, log pipelines and SIEMs.
//!
//! A dense export yields millions of lines (~1 GB of JSONL for 270 MB of input), and writing
//! them was a serial tail of the scan. The findings are split into parts of whole spool
//! segments, each read back and serialised on rayon's pool (sized by `-j`); this thread only
//! writes the buffers, strictly in order, so the output is the same bytes as a serial write.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::mpsc;

use std::sync::Arc;

use super::{Report, Reporter};
use crate::scan::spool::{FindingRef, Findings};

/// The JSONL reporter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jsonl;

/// Findings per batch handed to a serialising thread.
const BATCH: usize = 4096;
/// Bytes of lines gathered before a one-thread write hands them on.
const FLUSH_AT: usize = 64 << 10;

/// Appends the JSONL line of `f` to `buf`: the documented fields, in order
/// (`path`, `line`, `column`, `kind`, `detector`, `confidence`, `field`, `masked`,
/// `fingerprint`, then `explain` only under `--explain`).
///
/// Written by hand rather than through `serde_json::to_writer` on a struct: a dense export has
/// ~16,000 findings per MB, and serde's generic path (a map serialiser, a byte-by-byte escape
/// of every string) took ~3,400 instructions a line on a customer export (callgrind). The bytes
/// are serde_json's: a string with nothing to escape is copied between quotes, any other is
/// handed to serde_json itself, and a test compares the two writers on generated findings.
/// Paths, detectors and fields repeat from line to line as the same shared string: their JSON
/// is kept in `seen` and copied.
fn serialise(f: &FindingRef<'_>, seen: &mut Seen, buf: &mut Vec<u8>) -> io::Result<()> {
    let mut num = itoa::Buffer::new();
    buf.extend_from_slice(b"{\"path\":");
    seen.string(f.path, buf)?;
    buf.extend_from_slice(b",\"line\":");
    buf.extend_from_slice(num.format(f.line).as_bytes());
    buf.extend_from_slice(b",\"column\":");
    buf.extend_from_slice(num.format(f.column).as_bytes());
    // Kinds and confidences are fixed snake_case words: nothing to escape.
    buf.extend_from_slice(b",\"kind\":\"");
    buf.extend_from_slice(f.kind.as_str().as_bytes());
    buf.extend_from_slice(b"\",\"detector\":");
    seen.string(f.detector, buf)?;
    buf.extend_from_slice(b",\"confidence\":\"");
    buf.extend_from_slice(f.confidence.as_str().as_bytes());
    buf.extend_from_slice(b"\",\"field\":");
    match f.field {
        Some(field) => seen.string(field, buf)?,
        None => buf.extend_from_slice(b"null"),
    }
    buf.extend_from_slice(b",\"masked\":");
    string(buf, f.masked)?;
    buf.extend_from_slice(b",\"fingerprint\":");
    string(buf, f.fingerprint)?;
    if let Some(explain) = f.explain {
        buf.extend_from_slice(b",\"explain\":");
        string(buf, explain)?;
    }
    buf.extend_from_slice(b"}\n");
    Ok(())
}

/// Shared strings (paths, detectors, fields) recently written, with their JSON: a CSV row's
/// findings take turns among a few detectors and fields, each the same `Arc` every time (the
/// scanner interns them, the spool reader hands out one per slot). A direct-mapped table by
/// the string's address, spread by a multiplicative hash (one probe; a miss rewrites the
/// entry in its own buffer, no allocation once warm). Holding the `Arc` keeps that address
/// from being reused by another string while it is here.
struct Seen {
    entries: Vec<(Option<Arc<str>>, Vec<u8>)>,
}

/// log2 of the entries of [`Seen`].
const SEEN_BITS: u32 = 8;

impl Default for Seen {
    fn default() -> Self {
        Seen {
            entries: (0..1 << SEEN_BITS).map(|_| (None, Vec::new())).collect(),
        }
    }
}

impl Seen {
    /// Appends `s` as a JSON string (as [`string`] does).
    fn string(&mut self, s: &Arc<str>, buf: &mut Vec<u8>) -> io::Result<()> {
        let addr = Arc::as_ptr(s) as *const u8 as usize as u64;
        let slot = (addr.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SEEN_BITS)) as usize;
        let (key, json) = &mut self.entries[slot];
        if !key.as_ref().is_some_and(|k| Arc::ptr_eq(k, s)) {
            // Emptied first: a failed write leaves no entry behind.
            *key = None;
            json.clear();
            string(json, s)?;
            *key = Some(s.clone());
        }
        buf.extend_from_slice(json);
        Ok(())
    }
}

/// Appends `s` as a JSON string, as serde_json writes it.
fn string(buf: &mut Vec<u8>, s: &str) -> io::Result<()> {
    if !needs_escape(s.as_bytes()) {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
        Ok(())
    } else {
        serde_json::to_writer(&mut *buf, s).map_err(io::Error::from)
    }
}

/// Whether serde_json would escape anything in `s`: `"`, `\` or a control character below
/// 0x20. Eight bytes at a time (the classic "has a zero / a byte less than" word tricks):
/// the byte-at-a-time loop was ~290 instructions per string of a dense export's lines.
fn needs_escape(s: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        // A byte < 0x20: `w - 0x20..` borrows into its high bit, unless the byte is >= 0x80
        // (masked by `!w`). `"` and `\`: a zero byte after XOR with their repeated pattern.
        let low = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        if low | has_zero(w ^ (ONES * u64::from(b'"'))) | has_zero(w ^ (ONES * u64::from(b'\\')))
            != 0
        {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

impl Reporter for Jsonl {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let threads = rayon::current_num_threads();
        if threads <= 1 {
            // One reused buffer, handed on every 64 KiB rather than every line.
            let mut buf = Vec::with_capacity(FLUSH_AT + 4096);
            let mut seen = Seen::default();
            report.findings.for_each_ref(|f| {
                serialise(f, &mut seen, &mut buf)?;
                if buf.len() >= FLUSH_AT {
                    out.write_all(&buf)?;
                    buf.clear();
                }
                Ok(())
            })?;
            return out.write_all(&buf);
        }
        // Parts in flight, oldest first; at most two per thread, so memory stays a few MB. Each
        // part is read back from the spool *and* serialised on the pool: reading on this
        // thread left it the serial tail of a dense scan.
        let mut parts = report.findings.parts(BATCH as u64).into_iter();
        let mut pending: VecDeque<mpsc::Receiver<io::Result<Vec<u8>>>> = VecDeque::new();
        let mut done = false;
        while !done || !pending.is_empty() {
            if !done && pending.len() < 2 * threads {
                match parts.next() {
                    Some(part) => {
                        let (tx, rx) = mpsc::sync_channel(1);
                        rayon::spawn(move || {
                            let _ = tx.send(serialise_part(&part));
                        });
                        pending.push_back(rx);
                    }
                    None => done = true,
                }
                continue;
            }
            if let Some(rx) = pending.pop_front() {
                let buf = rx
                    .recv()
                    .map_err(|_| io::Error::other("JSONL serialiser stopped"))??;
                out.write_all(&buf)?;
            }
        }
        Ok(())
    }
}

/// Reads one part of the findings back and serialises it.
fn serialise_part(part: &Findings) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(usize::try_from(part.len()).unwrap_or(0) * 256);
    let mut seen = Seen::default();
    part.for_each_ref(|f| serialise(f, &mut seen, &mut buf))?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Finding, Kind};

    /// The documented wire form of one finding, serialised by serde_json: the reference the
    /// hand-written [`serialise`] must match byte for byte.
    #[derive(serde::Serialize)]
    struct Line<'a> {
        path: &'a str,
        line: u64,
        column: u64,
        kind: &'a str,
        detector: &'a str,
        confidence: &'a str,
        field: Option<&'a str>,
        masked: &'a str,
        fingerprint: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        explain: Option<&'a str>,
    }

    /// On seeded findings whose strings mix plain ASCII, every character serde_json escapes
    /// (quotes, backslashes, each control character), DEL, non-ASCII text and the empty
    /// string, with and without a field and an explanation, and numbers up to `u64::MAX`,
    /// `serialise` writes what serde_json writes.
    /// The word-at-a-time check agrees with the byte-at-a-time definition on every byte value
    /// at every position of strings of 0–24 bytes.
    #[test]
    fn needs_escape_matches_the_definition() {
        let naive = |s: &[u8]| s.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
        for len in 0..=24usize {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut s = vec![b'a'; len];
                    s[at] = b;
                    // A high byte elsewhere must not hide or fake a hit.
                    if len > 1 {
                        s[(at + 1) % len] = 0xc3;
                    }
                    assert_eq!(needs_escape(&s), naive(&s), "{s:?}");
                }
            }
            assert!(!needs_escape(&vec![b'a'; len]));
        }
    }

    #[test]
    fn lines_are_serde_json_byte_for_byte() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        let mut rng = StdRng::seed_from_u64(3);
        // Strings generated that need escaping, and that do not.
        let (mut escaped, mut plain) = (0, 0);
        let mut text = |rng: &mut StdRng| {
            let pieces = [
                "a",
                "dir/file.csv",
                "\"",
                "\\",
                "\u{7f}",
                "é",
                "氏",
                "😀",
                "",
                " ",
            ];
            let mut s = String::new();
            for _ in 0..rng.gen_range(0..5) {
                if rng.gen_range(0..4) == 0 {
                    s.push(char::from(rng.gen_range(0u8..0x20)));
                } else {
                    s.push_str(pieces[rng.gen_range(0..pieces.len())]);
                }
            }
            if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
                escaped += 1;
            } else {
                plain += 1;
            }
            s
        };
        let mut seen = Seen::default();
        for i in 0..5000u64 {
            let f = Finding {
                path: Arc::from(text(&mut rng).as_str()),
                line: [0, 1, i, u64::MAX][rng.gen_range(0..4)],
                column: rng.r#gen(),
                kind: Kind::ALL[rng.gen_range(0..Kind::ALL.len())],
                detector: Arc::from(text(&mut rng).as_str()),
                confidence: [Confidence::Low, Confidence::Medium, Confidence::High]
                    [rng.gen_range(0..3)],
                field: rng
                    .gen_bool(0.5)
                    .then(|| Arc::from(text(&mut rng).as_str())),
                masked: text(&mut rng).into(),
                fingerprint: format!("{:032x}", rng.r#gen::<u128>()).into(),
                record: Some(i),
                explain: rng.gen_bool(0.3).then(|| text(&mut rng)),
                placeholder: rng.gen_bool(0.1),
            };
            let mut want = serde_json::to_vec(&Line {
                path: &f.path,
                line: f.line,
                column: f.column,
                kind: f.kind.as_str(),
                detector: &f.detector,
                confidence: f.confidence.as_str(),
                field: f.field.as_deref(),
                masked: &f.masked,
                fingerprint: &f.fingerprint,
                explain: f.explain.as_deref(),
            })
            .unwrap();
            want.push(b'\n');
            let mut got = Vec::new();
            serialise(&FindingRef::from(&f), &mut seen, &mut got).unwrap();
            // Written again from the strings `seen` holds: the same bytes.
            let mut again = Vec::new();
            serialise(&FindingRef::from(&f), &mut seen, &mut again).unwrap();
            assert_eq!(again, got);
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&want)
            );
        }
        // Both paths of `string` are taken often.
        assert!(
            escaped > 5_000 && plain > 5_000,
            "{escaped} escaped, {plain} plain"
        );
    }

    #[test]
    fn parallel_output_is_the_serial_output_byte_for_byte() {
        let findings: Vec<Finding> = (0..3 * BATCH as u64 + 17)
            .map(|i| Finding {
                path: Arc::from(format!("dir/file-{}.csv", i / 1000).as_str()),
                line: i + 1,
                column: i % 80 + 1,
                kind: if i % 3 == 0 { Kind::Email } else { Kind::Phone },
                detector: Arc::from("d"),
                confidence: Confidence::High,
                field: (i % 2 == 0).then(|| Arc::from("contact \"x\"")),
                masked: format!("m{i}").into(),
                fingerprint: format!("{i:032x}").into(),
                record: Some(i),
                explain: (i % 7 == 0).then(|| format!("why {i}")),
                placeholder: false,
            })
            .collect();
        let mut report = crate::report::tests::empty_report();
        report.findings = crate::scan::spool::Findings::from(findings.clone());
        let run = |report: &Report, threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut out = Vec::new();
            pool.install(|| Jsonl.write(report, &mut out)).unwrap();
            out
        };
        let serial = run(&report, 1);
        assert_eq!(
            serial.iter().filter(|&&b| b == b'\n').count(),
            3 * BATCH + 17
        );
        assert!(serial.starts_with(b"{\"path\":\"dir/file-0.csv\",\"line\":1,"));
        for threads in [2, 3] {
            assert!(run(&report, threads) == serial, "{threads} threads");
        }
        // Spooled in segments of uneven sizes (parts are whole segments): the same bytes.
        let spool = crate::scan::spool::SpoolWriter::new().unwrap();
        let mut segments = Vec::new();
        let mut rest = &findings[..];
        for size in [1, 5000, 3, 4096, 700].into_iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (seg, tail) = rest.split_at(size.min(rest.len()));
            segments.push(spool.append(seg).unwrap());
            rest = tail;
        }
        report.findings = spool.finish(segments).unwrap();
        for threads in [1, 2, 3] {
            assert!(
                run(&report, threads) == serial,
                "spooled, {threads} threads"
            );
        }
    }
}
