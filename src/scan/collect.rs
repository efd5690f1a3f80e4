//! What happens to an input's results the moment it has been scanned.
//!
//! The scanning threads hand every finished [`InputReport`] to a [`Collector`], which
//! (1) applies the run's filter (baseline, `allow.paths`, `--staged` line ranges), (2) sorts the
//! input's findings into report order, (3) counts them, (4) reduces them to the input's exposure
//! state ([`InputState`]: places, record signatures, person clusters), and (5) moves them to the
//! [`SpoolWriter`] — so what stays in memory per input is counts and exposure state, not
//! findings. The state's person clusters, which grow with the people an input holds, go to a
//! [`ClusterSpool`] the same way. The report is then built from [`Collected`] inputs and the
//! spooled [`Findings`].
//!
//! While one input is being scanned, the scanner hands its findings over in chunks
//! ([`Collector::spill`], wired through [`crate::scan::Scanner::with_spill`]), so even a single
//! file with millions of findings holds at most one chunk of them in memory.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use crate::exposure::{ClusterSpool, InputBuilder, InputState};
use crate::finding::{Confidence, Finding, Kind};
use crate::scan::InputReport;
use crate::scan::spool::{Findings, Segment, SpoolWriter};

/// A filter run on every input's findings before anything is counted (drops accepted
/// findings): the input's display path and (a chunk of) its findings.
pub type InputFilter = dyn Fn(&str, &mut Vec<Finding>) + Send + Sync;

/// One input, reduced: its report without findings, their counts and exposure state.
#[derive(Debug)]
pub struct Collected {
    /// The input's report; `findings` is empty (they are spooled).
    pub input: InputReport,
    /// Findings kept after filtering.
    pub findings: u64,
    /// Findings per (kind, confidence).
    pub by_kind_confidence: BTreeMap<(Kind, Confidence), u64>,
    /// Exposure state.
    pub state: InputState,
    parts: Vec<Part>,
}

#[derive(Debug)]
enum Part {
    Memory(Vec<Finding>),
    Spooled(Segment),
}

/// An input being scanned whose findings have started to arrive in chunks.
#[derive(Debug)]
struct Pending {
    builder: InputBuilder,
    findings: u64,
    by_kind_confidence: BTreeMap<(Kind, Confidence), u64>,
    parts: Vec<Part>,
}

impl Pending {
    fn new(path: &str, spool: Option<&Arc<ClusterSpool>>) -> Pending {
        Pending {
            builder: match spool {
                Some(s) => InputBuilder::spooled(path, s.clone()),
                None => InputBuilder::new(path),
            },
            findings: 0,
            by_kind_confidence: BTreeMap::new(),
            parts: Vec::new(),
        }
    }
}

impl Collected {
    /// Findings per kind.
    pub fn by_kind(&self) -> BTreeMap<Kind, u64> {
        let mut m = BTreeMap::new();
        for ((k, _), n) in &self.by_kind_confidence {
            *m.entry(*k).or_insert(0) += n;
        }
        m
    }
}

/// Receives finished inputs from any thread (see the module docs).
pub struct Collector {
    spool: Option<SpoolWriter>,
    clusters: Option<Arc<ClusterSpool>>,
    filter: Option<Box<InputFilter>>,
    out: Mutex<Vec<Collected>>,
    failed: Mutex<Option<io::Error>>,
    /// Inputs mid-scan, by scanning thread and path (one thread scans one input at a time).
    pending: Mutex<HashMap<(ThreadId, Arc<str>), Pending>>,
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector")
            .field("spooled", &self.spool.is_some())
            .finish_non_exhaustive()
    }
}

impl Collector {
    /// Keeps findings in memory (small runs, tests, merged reports).
    pub fn in_memory() -> Collector {
        Collector {
            spool: None,
            clusters: None,
            filter: None,
            out: Mutex::new(Vec::new()),
            failed: Mutex::new(None),
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// Spools findings to an anonymous temporary file (see [`crate::scan::spool`]).
    pub fn spooled() -> io::Result<Collector> {
        Ok(Collector {
            spool: Some(SpoolWriter::new()?),
            clusters: Some(ClusterSpool::new()?),
            ..Collector::in_memory()
        })
    }

    /// Runs `filter` on every input before it is counted.
    pub fn with_filter(mut self, filter: Box<InputFilter>) -> Collector {
        self.filter = Some(filter);
        self
    }

    /// Takes a chunk of the findings of `path`, which the calling thread is still scanning;
    /// the input's report follows later through [`Collector::add`] on the same thread.
    pub fn spill(&self, path: &Arc<str>, findings: Vec<Finding>) {
        let key = (std::thread::current().id(), path.clone());
        let mut p = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key)
            .unwrap_or_else(|| Pending::new(path, self.clusters.as_ref()));
        self.take(path, findings, &mut p);
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, p);
    }

    /// Filters, sorts, counts, reduces and stores one chunk of an input's findings.
    fn take(&self, path: &str, mut findings: Vec<Finding>, p: &mut Pending) {
        if let Some(f) = &self.filter {
            f(path, &mut findings);
        }
        // Report order. A chunk is one input's, nearly in order already, and its paths and
        // detectors are shared strings: equal by address is equal, without comparing text.
        let text = |a: &Arc<str>, b: &Arc<str>| {
            if Arc::ptr_eq(a, b) {
                std::cmp::Ordering::Equal
            } else {
                a.cmp(b)
            }
        };
        findings.sort_by(|a, b| {
            text(&a.path, &b.path)
                .then(a.line.cmp(&b.line))
                .then(a.column.cmp(&b.column))
                .then_with(|| text(&a.detector, &b.detector))
        });
        // Counted in a table, then into the map once per chunk (a map entry per finding was
        // ~25 instructions of a dense export's finding).
        let mut counts = [[0u64; 3]; Kind::ALL.len()];
        for f in &findings {
            counts[f.kind as usize][f.confidence as usize] += 1;
            p.builder.add(f);
        }
        for (k, row) in Kind::ALL.into_iter().zip(counts) {
            for (c, n) in [Confidence::Low, Confidence::Medium, Confidence::High]
                .into_iter()
                .zip(row)
            {
                if n > 0 {
                    *p.by_kind_confidence.entry((k, c)).or_insert(0) += n;
                }
            }
        }
        p.findings += findings.len() as u64;
        if findings.is_empty() {
            return;
        }
        p.parts.push(match &self.spool {
            None => Part::Memory(findings),
            Some(spool) => match spool.append(&findings) {
                Ok(seg) => Part::Spooled(seg),
                Err(e) => {
                    let mut g = self.failed.lock().unwrap_or_else(|p| p.into_inner());
                    g.get_or_insert(io::Error::new(
                        e.kind(),
                        format!("writing findings to the temporary spool: {e}"),
                    ));
                    Part::Memory(Vec::new())
                }
            },
        });
    }

    /// Takes one finished input (see the module docs).
    pub fn add(&self, mut r: InputReport) {
        let key = (std::thread::current().id(), r.path.clone());
        let pending = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key);
        let mut p = pending.unwrap_or_else(|| Pending::new(&r.path, self.clusters.as_ref()));
        let findings = std::mem::take(&mut r.findings);
        let path = r.path.clone();
        self.take(&path, findings, &mut p);
        // A small input's clusters are still in memory: spool them too.
        let state = p.builder.finish(r.records).and_then(|mut state| {
            if let Some(spool) = &self.clusters
                && let Some(clusters) = state.clusters.in_memory()
            {
                state.clusters = spool.append(clusters)?;
            }
            Ok(state)
        });
        let state = state.unwrap_or_else(|e| {
            let mut g = self.failed.lock().unwrap_or_else(|p| p.into_inner());
            g.get_or_insert(io::Error::new(
                e.kind(),
                format!("person clusters in the temporary spool: {e}"),
            ));
            InputState::empty(&r.path, r.records)
        });
        let c = Collected {
            state,
            input: r,
            findings: p.findings,
            by_kind_confidence: p.by_kind_confidence,
            parts: p.parts,
        };
        self.out.lock().unwrap_or_else(|p| p.into_inner()).push(c);
    }

    /// Every input, sorted by path, and their findings in the same order. Fails if the spool
    /// could not be written (a full disk): the report would be missing findings.
    pub fn finish(self) -> io::Result<(Vec<Collected>, Findings)> {
        if let Some(e) = self.failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        let mut out = self.out.into_inner().unwrap_or_else(|p| p.into_inner());
        out.sort_by(|a, b| a.input.path.cmp(&b.input.path));
        let findings = match self.spool {
            None => {
                let mut all = Vec::new();
                for c in &mut out {
                    for part in &mut c.parts {
                        if let Part::Memory(v) = part {
                            all.append(v);
                        }
                    }
                }
                Findings::from(all)
            }
            Some(spool) => {
                let segments = out
                    .iter()
                    .flat_map(|c| &c.parts)
                    .filter_map(|part| match part {
                        Part::Spooled(s) => Some(*s),
                        Part::Memory(_) => None,
                    })
                    .collect();
                spool.finish(segments)?
            }
        };
        Ok((out, findings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Status;

    fn input(path: &str, lines: &[u64]) -> InputReport {
        let mut r = InputReport::not_scanned(Arc::from(path), Status::Scanned);
        r.records = 10;
        r.findings = lines
            .iter()
            .map(|&line| Finding {
                path: Arc::from(path),
                line,
                column: 1,
                kind: Kind::Email,
                detector: Arc::from("email"),
                confidence: Confidence::High,
                field: None,
                masked: "x".into(),
                fingerprint: format!("{line:032x}").into(),
                record: None,
                explain: None,
                placeholder: false,
            })
            .collect();
        r
    }

    #[test]
    fn spooled_and_in_memory_collect_the_same() {
        let run = |c: Collector| {
            c.add(input("b.txt", &[3, 1]));
            c.add(input("a.txt", &[2]));
            let (inputs, findings) = c.finish().unwrap();
            let paths: Vec<&str> = inputs.iter().map(|c| &*c.input.path).collect();
            assert_eq!(paths, ["a.txt", "b.txt"]);
            assert!(inputs.iter().all(|c| c.input.findings.is_empty()));
            assert_eq!(inputs[1].findings, 2);
            assert_eq!(inputs[1].state.places[0].values, 2);
            findings
                .iter()
                .map(|f| {
                    let f = f.unwrap();
                    (f.path.to_string(), f.line)
                })
                .collect::<Vec<_>>()
        };
        let want = vec![
            ("a.txt".into(), 2),
            ("b.txt".into(), 1),
            ("b.txt".into(), 3),
        ];
        assert_eq!(run(Collector::in_memory()), want);
        assert_eq!(run(Collector::spooled().unwrap()), want);
    }

    /// The counting table is indexed by `kind as usize` and `confidence as usize`: every kind
    /// and confidence counted in its own cell, so the map says what was found.
    #[test]
    fn every_kind_and_confidence_is_counted_as_itself() {
        let c = Collector::in_memory();
        let mut r = input("a.txt", &[]);
        let conf = [Confidence::Low, Confidence::Medium, Confidence::High];
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            for (j, confidence) in conf.into_iter().enumerate() {
                for n in 0..=(i * 3 + j) as u64 {
                    let mut f = input("a.txt", &[n + 1]).findings.remove(0);
                    (f.kind, f.confidence) = (kind, confidence);
                    r.findings.push(f);
                }
            }
        }
        c.add(r);
        let (inputs, _) = c.finish().unwrap();
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            for (j, confidence) in conf.into_iter().enumerate() {
                let n = inputs[0].by_kind_confidence.get(&(kind, confidence));
                assert_eq!(n, Some(&((i * 3 + j) as u64 + 1)), "{kind} {confidence}");
            }
        }
    }

    #[test]
    fn the_filter_runs_before_counting() {
        let c = Collector::in_memory().with_filter(Box::new(|_: &str, f: &mut Vec<Finding>| {
            f.retain(|f| f.line != 1)
        }));
        c.add(input("a.txt", &[1, 2]));
        let (inputs, findings) = c.finish().unwrap();
        assert_eq!((inputs[0].findings, findings.len()), (1, 1));
    }
}
