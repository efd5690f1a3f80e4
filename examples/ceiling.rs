//! The ceiling of a detect-first hot path (issue 26): the least work a scan of these files can
//! do, measured on the same corpus as the product.
//!
//! ```text
//! read a block ─▶ one automaton of every block detector, leftmost-first in priority order
//!             ─▶ validator (a winner that fails it lets the other patterns at its start try)
//!             ─▶ mask + keyed fingerprint ─▶ one JSONL line in a reused buffer
//! ```
//!
//! What it leaves out, on purpose (each is a feature the product moves onto this path one at a
//! time, with its cost in docs/performance.md): structure (fields, records, column
//! classification), context and negative words, keyword and field detectors, scoring, overlap
//! resolution between detectors, exposure, the spool and the report. Its findings are therefore
//! not the product's; its time is the floor the product's shape is measured against.
//!
//! ```sh
//! cargo run --release --example ceiling -- DIR_OR_FILE... > /dev/null
//! ```
//! Prints, per top-level argument: MB, candidates, findings, CPU seconds of this thread, ns per
//! byte, and which detectors the combined automaton could not hold (they are left out).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use piiscan::detect::builtin;
use piiscan::detect::spec::Trigger;
use piiscan::finding::{Fingerprinter, mask};
use piiscan::validate::{AROUND, Candidate, Ctx, Verdict};
use regex_automata::meta::{Cache, Regex};
use regex_automata::{Anchored, Input, PatternID, PatternSet};

/// Block size: large enough that per-block work vanishes, small enough to stay in cache.
const BLOCK: usize = 1 << 20;

struct Matcher {
    /// Every block detector's regex as one pattern, in priority order: at the leftmost position
    /// where any matches, the highest-priority one that matches wins (as `rg -f` does).
    re: Regex,
    /// Pattern id → spec index.
    detectors: Vec<usize>,
}

fn build(specs: &[piiscan::detect::Spec]) -> (Matcher, Vec<String>) {
    let mut left_out = Vec::new();
    let mut kept = Vec::new();
    let only = std::env::var("CEILING_ONLY").ok();
    for (i, s) in specs.iter().enumerate() {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|id| id == s.id))
        {
            continue;
        }
        if !matches!(s.trigger, Trigger::Digit | Trigger::At) || s.whole_cell {
            left_out.push(format!("{} (trigger {:?})", s.id, s.trigger));
            continue;
        }
        kept.push(i);
    }
    kept.sort_by_key(|&i| std::cmp::Reverse(specs[i].priority));
    // CEILING_ANCHOR=1: every pattern starts at a word boundary (as benches/pii-regexes.txt's
    // do), to see what an unanchored start costs the combined automaton. Not the product's
    // semantics (a `+61 …` phone after a space no longer matches): a measurement only.
    let anchor = std::env::var("CEILING_ANCHOR").is_ok_and(|v| v == "1");
    let srcs: Vec<String> = kept
        .iter()
        .map(|&i| match anchor {
            true => format!("(?-u:\\b)(?:{})", specs[i].regex_src),
            false => specs[i].regex_src.clone(),
        })
        .collect();
    // A combined automaton has many more states than any one pattern: give the lazy DFA room
    // (its default 2 MiB is rebuilt over and over on a dense export).
    let cap: usize = std::env::var("CEILING_CACHE_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let re = Regex::builder()
        .configure(Regex::config().hybrid_cache_capacity(cap << 20))
        .build_many(&srcs)
        .expect("each pattern compiles alone");
    (
        Matcher {
            re,
            detectors: kept,
        },
        left_out,
    )
}

#[derive(Default)]
struct Tally {
    bytes: u64,
    candidates: u64,
    findings: u64,
}

struct Run<'a> {
    m: &'a Matcher,
    specs: &'a [piiscan::detect::Spec],
    ctx: Ctx,
    fp: Fingerprinter,
    cache: Cache,
    set: PatternSet,
    line: Vec<u8>,
    out: io::BufWriter<io::StdoutLock<'static>>,
}

impl Run<'_> {
    fn file(&mut self, path: &Path, t: &mut Tally) -> io::Result<()> {
        let mut f = std::fs::File::open(path)?;
        let shown = path.display().to_string();
        let mut buf = vec![0u8; BLOCK];
        let mut filled = 0;
        let mut line_no: u64 = 1;
        loop {
            let n = f.read(&mut buf[filled..])?;
            filled += n;
            if n == 0 {
                t.bytes += filled as u64;
                self.block(&shown, &buf[..filled], line_no, t)?;
                break;
            }
            if filled < buf.len() {
                continue;
            }
            // Cut at the last newline so no match straddles two blocks (a block with none is
            // taken whole: the prototype does not carry a tail across).
            let end = memchr::memrchr(b'\n', &buf[..filled]).map_or(filled, |p| p + 1);
            t.bytes += end as u64;
            line_no = self.block(&shown, &buf[..end], line_no, t)?;
            buf.copy_within(end..filled, 0);
            filled -= end;
        }
        Ok(())
    }

    fn block(
        &mut self,
        shown: &str,
        hay: &[u8],
        mut line_no: u64,
        t: &mut Tally,
    ) -> io::Result<u64> {
        let (mut pos, mut line_start, mut at) = (0usize, 0usize, 0usize);
        while at < hay.len() {
            let input = Input::new(hay).range(at..);
            let Some(m) = self.m.re.search_with(&mut self.cache, &input) else {
                break;
            };
            t.candidates += 1;
            let (start, mut end) = (m.start(), m.end());
            let mut found = self.validate(m.pattern(), hay, start, end);
            if found.is_none() {
                // The winner failed its validator: every other pattern matching at this start
                // gets its turn, in priority order.
                self.set.clear();
                let anchored = Input::new(hay).range(start..).anchored(Anchored::Yes);
                self.m
                    .re
                    .which_overlapping_matches(&anchored, &mut self.set);
                let others: Vec<PatternID> =
                    self.set.iter().filter(|&p| p != m.pattern()).collect();
                for p in others {
                    let one = Input::new(hay)
                        .range(start..)
                        .anchored(Anchored::Pattern(p));
                    if let Some(m2) = self.m.re.search_with(&mut self.cache, &one) {
                        t.candidates += 1;
                        if let Some(f) = self.validate(p, hay, start, m2.end()) {
                            end = m2.end();
                            found = Some(f);
                            break;
                        }
                    }
                }
            }
            at = if end > start { end } else { start + 1 };
            let Some((spec, normalised)) = found else {
                continue;
            };
            let text = std::str::from_utf8(&hay[start..end]).unwrap_or("");
            t.findings += 1;
            // Matches come in order; lines are counted forward from the last one.
            line_no += memchr::memchr_iter(b'\n', &hay[pos..start]).count() as u64;
            if let Some(p) = memchr::memrchr(b'\n', &hay[pos..start]) {
                line_start = pos + p + 1;
            }
            pos = start;
            let spec = &self.specs[spec];
            self.line.clear();
            let fp = self.fp.fingerprint(spec.kind, &normalised);
            let masked = mask(spec.kind, text);
            // `{:?}` is JSON for the ASCII paths and masks of the bench corpus, not in general.
            writeln!(
                self.line,
                "{{\"path\":{:?},\"line\":{},\"column\":{},\"kind\":\"{}\",\"detector\":\"{}\",\"masked\":{:?},\"fingerprint\":\"{}\"}}",
                shown,
                line_no,
                start - line_start + 1,
                spec.kind.as_str(),
                spec.id,
                masked,
                fp
            )?;
            self.out.write_all(&self.line)?;
        }
        line_no += memchr::memchr_iter(b'\n', &hay[pos..]).count() as u64;
        Ok(line_no)
    }

    /// The validator's answer for pattern `p` on `hay[start..end]`: (spec index, normalised).
    fn validate(
        &self,
        p: PatternID,
        hay: &[u8],
        start: usize,
        end: usize,
    ) -> Option<(usize, String)> {
        let i = self.m.detectors[p.as_usize()];
        let text = std::str::from_utf8(&hay[start..end]).ok()?;
        match &self.specs[i].validator {
            Some((_, v)) => {
                let cand = Candidate {
                    text,
                    before: &hay[start.saturating_sub(AROUND)..start],
                    after: &hay[end..(end + AROUND).min(hay.len())],
                    weak_counts: false,
                };
                match v(&cand, &self.ctx) {
                    Verdict::Valid { normalised, .. } => Some((i, normalised)),
                    Verdict::Invalid(_) => None,
                }
            }
            None => Some((i, text.to_string())),
        }
    }
}

fn files(root: &Path, out: &mut Vec<PathBuf>) {
    if root.is_dir() {
        let Ok(rd) = std::fs::read_dir(root) else {
            return;
        };
        let mut es: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        es.sort();
        for e in es {
            files(&e, out);
        }
    } else {
        out.push(root.to_path_buf());
    }
}

/// CPU time of this thread (user + system), from /proc: the prototype is one thread.
fn cpu_seconds() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/thread-self/stat") else {
        return f64::NAN;
    };
    let after = s.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let tick = 100.0;
    let ut: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    let st: f64 = f.get(12).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    (ut + st) / tick
}

fn main() -> io::Result<()> {
    let specs = builtin::load(&[]).map_err(io::Error::other)?;
    let (m, left_out) = build(&specs);
    eprintln!(
        "combined automaton: {} detectors; left out: {}",
        m.detectors.len(),
        left_out.join(", ")
    );
    let stdout: &'static io::Stdout = Box::leak(Box::new(io::stdout()));
    let mut run = Run {
        m: &m,
        specs: &specs,
        ctx: Ctx::default(),
        fp: Fingerprinter::new(b"ceiling-prototype-key-0123"),
        cache: m.re.create_cache(),
        set: PatternSet::new(m.re.pattern_len()),
        line: Vec::with_capacity(512),
        out: io::BufWriter::with_capacity(1 << 16, stdout.lock()),
    };
    eprintln!(
        "{:<28} {:>8} {:>11} {:>10} {:>8} {:>8} {:>10}",
        "input", "MB", "candidates", "findings", "CPU s", "ns/byte", "ns/finding"
    );
    for arg in std::env::args().skip(1) {
        let mut list = Vec::new();
        files(Path::new(&arg), &mut list);
        let (c0, w0) = (cpu_seconds(), Instant::now());
        let mut t = Tally::default();
        for p in &list {
            if let Err(e) = run.file(p, &mut t) {
                eprintln!("{}: {e}", p.display());
            }
        }
        run.out.flush()?;
        let cpu = cpu_seconds() - c0;
        let _ = w0;
        eprintln!(
            "{:<28} {:>8.1} {:>11} {:>10} {:>8.2} {:>8.2} {:>10.0}",
            arg,
            t.bytes as f64 / 1e6,
            t.candidates,
            t.findings,
            cpu,
            cpu * 1e9 / t.bytes.max(1) as f64,
            cpu * 1e9 / t.findings.max(1) as f64
        );
    }
    Ok(())
}
