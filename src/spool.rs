//! The findings of a run, kept out of memory.
//!
//! A dense export yields a finding every few dozen bytes, and each [`Finding`] in memory costs
//! a few hundred bytes: a run that held them all until the report was written grew with the
//! corpus (measured: 2.5 GB for 273 MB of exports). Instead, each input's findings are written
//! to a [`SpoolWriter`] the moment that input is done — an anonymous temporary file (mode 0600,
//! unlinked at creation, so nothing is left behind even on a crash) holding one compact JSON
//! line per finding — and the report reads them back, input by input, when it is written.
//!
//! [`Findings`] is the report's list: spooled segments for a scan, or a plain vector for a
//! report read from a file or built in a test. It serialises as a JSON array either way, so the
//! JSON report format does not depend on where the findings lived.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex};

use serde::de::Deserializer;
use serde::ser::{Error as _, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::finding::Finding;

/// Where one input's findings sit in the spool file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Byte offset of the first line.
    pub offset: u64,
    /// Bytes.
    pub len: u64,
    /// Findings (lines).
    pub count: u64,
}

/// Appends findings to the run's spool file. Shared by the scanning threads.
#[derive(Debug)]
pub struct SpoolWriter {
    inner: Mutex<Writer>,
    file: Arc<File>,
}

#[derive(Debug)]
struct Writer {
    out: BufWriter<File>,
    offset: u64,
    line: Vec<u8>,
}

impl SpoolWriter {
    /// A spool in the system temporary directory (`TMPDIR`).
    pub fn new() -> io::Result<SpoolWriter> {
        // `tempfile()` is created 0600 and unlinked at once (O_TMPFILE where the kernel has
        // it): the findings never appear under a name, and disappear when the run ends.
        let file = tempfile::tempfile()?;
        let reader = file.try_clone()?;
        Ok(SpoolWriter {
            inner: Mutex::new(Writer {
                out: BufWriter::with_capacity(1 << 20, file),
                offset: 0,
                line: Vec::with_capacity(512),
            }),
            file: Arc::new(reader),
        })
    }

    /// Appends `findings` (one input's, in report order) and says where they went.
    pub fn append(&self, findings: &[Finding]) -> io::Result<Segment> {
        let mut w = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let w = &mut *w;
        let offset = w.offset;
        for f in findings {
            w.line.clear();
            serde_json::to_writer(&mut w.line, f).map_err(io::Error::other)?;
            w.line.push(b'\n');
            w.out.write_all(&w.line)?;
            w.offset += w.line.len() as u64;
        }
        Ok(Segment {
            offset,
            len: w.offset - offset,
            count: findings.len() as u64,
        })
    }

    /// Flushes and returns the list over `segments` (in the order they should be read).
    pub fn finish(self, segments: Vec<Segment>) -> io::Result<Findings> {
        let mut w = self.inner.into_inner().unwrap_or_else(|p| p.into_inner());
        w.out.flush()?;
        Ok(Findings {
            repr: Repr::Spooled {
                file: self.file,
                count: segments.iter().map(|s| s.count).sum(),
                segments: Arc::new(segments),
            },
        })
    }
}

/// The findings of a report, in report order (path, then line, column, detector).
#[derive(Debug, Clone)]
pub struct Findings {
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    Memory(Vec<Finding>),
    Spooled {
        file: Arc<File>,
        segments: Arc<Vec<Segment>>,
        count: u64,
    },
}

impl Default for Findings {
    fn default() -> Self {
        Findings::from(Vec::new())
    }
}

impl From<Vec<Finding>> for Findings {
    fn from(v: Vec<Finding>) -> Self {
        Findings {
            repr: Repr::Memory(v),
        }
    }
}

impl PartialEq for Findings {
    /// Equal when they hold the same findings (reads spooled ones back; for tests).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|(a, b)| matches!((a, b), (Ok(a), Ok(b)) if a == b))
    }
}

impl Findings {
    /// How many.
    pub fn len(&self) -> u64 {
        match &self.repr {
            Repr::Memory(v) => v.len() as u64,
            Repr::Spooled { count, .. } => *count,
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every finding in order. Reading a spooled finding back can fail (an I/O error on the
    /// temporary file): the error is yielded, and the caller's write fails with it.
    pub fn iter(&self) -> Box<dyn Iterator<Item = io::Result<Finding>> + '_> {
        match &self.repr {
            Repr::Memory(v) => Box::new(v.iter().cloned().map(Ok)),
            Repr::Spooled { file, segments, .. } => Box::new(SpoolIter {
                file,
                segments,
                next: 0,
                reader: None,
                line: Vec::new(),
            }),
        }
    }

    /// Reads every finding into memory (for callers that need them all at once, such as
    /// `baseline create`, whose output lists every accepted value anyway).
    pub fn to_vec(&self) -> io::Result<Vec<Finding>> {
        self.iter().collect()
    }
}

struct SpoolIter<'a> {
    file: &'a File,
    segments: &'a [Segment],
    next: usize,
    reader: Option<BufReader<SegmentReader<'a>>>,
    line: Vec<u8>,
}

impl Iterator for SpoolIter<'_> {
    type Item = io::Result<Finding>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(r) = &mut self.reader {
                self.line.clear();
                match r.read_until(b'\n', &mut self.line) {
                    Err(e) => return Some(Err(e)),
                    Ok(0) => self.reader = None,
                    Ok(_) => {
                        return Some(serde_json::from_slice(&self.line).map_err(io::Error::other));
                    }
                }
            }
            let seg = self.segments.get(self.next)?;
            self.next += 1;
            self.reader = Some(BufReader::with_capacity(
                1 << 16,
                SegmentReader {
                    file: self.file,
                    pos: seg.offset,
                    end: seg.offset + seg.len,
                },
            ));
        }
    }
}

/// Positional reads of one segment (`pread`: no shared file cursor to fight over).
struct SegmentReader<'a> {
    file: &'a File,
    pos: u64,
    end: u64,
}

impl Read for SegmentReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min((self.end - self.pos) as usize);
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "findings spool is shorter than written",
            ));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Serialize for Findings {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(usize::try_from(self.len()).ok())?;
        for f in self.iter() {
            seq.serialize_element(&f.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Findings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Finding>::deserialize(d).map(Findings::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Kind};

    fn finding(line: u64) -> Finding {
        Finding {
            path: Arc::from("a.csv"),
            line,
            column: 1,
            kind: Kind::Email,
            detector: Arc::from("email"),
            confidence: Confidence::High,
            field: Some(Arc::from("email")),
            masked: "j***@e******.com".into(),
            fingerprint: format!("{line:032x}"),
            record: Some(line),
            explain: None,
        }
    }

    #[test]
    fn spooled_findings_read_back_in_segment_order() {
        let w = SpoolWriter::new().unwrap();
        let a = w.append(&[finding(1), finding(2)]).unwrap();
        let empty = w.append(&[]).unwrap();
        let b = w.append(&[finding(3)]).unwrap();
        assert_eq!((a.count, empty.count, b.count), (2, 0, 1));
        // Read b before a: the order is the segments', not the file's.
        let f = w.finish(vec![b, empty, a]).unwrap();
        assert_eq!(f.len(), 3);
        let lines: Vec<u64> = f.iter().map(|f| f.unwrap().line).collect();
        assert_eq!(lines, [3, 1, 2]);
        assert_eq!(f, Findings::from(vec![finding(3), finding(1), finding(2)]));
    }

    #[test]
    fn serialises_like_a_vector() {
        let w = SpoolWriter::new().unwrap();
        let s = w.append(&[finding(7), finding(8)]).unwrap();
        let spooled = w.finish(vec![s]).unwrap();
        let memory = Findings::from(vec![finding(7), finding(8)]);
        let a = serde_json::to_string(&spooled).unwrap();
        assert_eq!(a, serde_json::to_string(&memory).unwrap());
        let back: Findings = serde_json::from_str(&a).unwrap();
        assert_eq!(back, memory);
    }
}
