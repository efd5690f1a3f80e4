//! An input's clusters — the sets of linking values its records hold — in memory or in the
//! run's cluster spool.
//!
//! Clusters are the one part of the exposure state that grows with the data: a dense export
//! has a cluster per customer, each with its linking fingerprints (16 bytes each). Held as
//! `Vec<Cluster>` they cost ~165 bytes per cluster (measured on the 1 GB bench corpus: 2.4
//! million clusters, 414 MB resident before derivation), so a scan of a share held every
//! customer of every file in memory until the report was written. A scan therefore appends each
//! input's clusters to a [`ClusterSpool`] — an anonymous temporary file, like the findings
//! spool — as soon as the input is done, and keeps only where they sit. Derivation and the JSON
//! report read them back in order with a [`ClusterCursor`]; a state read from a report file, or
//! built in a test, keeps them in memory. Both serialise as the same JSON array.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::sync::{Arc, Mutex};

use serde::ser::{Error as _, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::fp::{Cluster, Fp};
use crate::scan::spool::SegmentReader;

/// The run's cluster file, shared by the scanning threads.
#[derive(Debug)]
pub struct ClusterSpool {
    inner: Mutex<SpoolWriter>,
    /// A second handle on the same file, for positioned reads.
    file: File,
}

#[derive(Debug)]
struct SpoolWriter {
    out: BufWriter<File>,
    offset: u64,
}

impl ClusterSpool {
    /// A spool in the system temporary directory (`TMPDIR`), mode 0600 and already unlinked,
    /// so nothing is left behind, even after a crash.
    pub fn new() -> io::Result<Arc<ClusterSpool>> {
        let file = tempfile::tempfile()?;
        let reader = file.try_clone()?;
        Ok(Arc::new(ClusterSpool {
            inner: Mutex::new(SpoolWriter {
                out: BufWriter::with_capacity(1 << 20, file),
                offset: 0,
            }),
            file: reader,
        }))
    }

    /// Appends one input's clusters (in their canonical order) and returns the handle that
    /// reads them back.
    pub fn append(self: &Arc<Self>, clusters: &[Cluster]) -> io::Result<Clusters> {
        Ok(Clusters {
            repr: Repr::Spooled(self.write(clusters)?),
        })
    }

    fn write(self: &Arc<Self>, clusters: &[Cluster]) -> io::Result<Spooled> {
        let mut buf = Vec::new();
        let (mut fps, mut places) = (0u64, 0u64);
        for c in clusters {
            encode(&c.fingerprints, &c.places, c.records, &mut buf)?;
            fps += c.fingerprints.len() as u64;
            places += c.places.len() as u64;
        }
        let mut w = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let offset = w.offset;
        w.out.write_all(&buf)?;
        w.offset += buf.len() as u64;
        Ok(Spooled {
            spool: self.clone(),
            pieces: vec![Piece {
                offset,
                len: buf.len() as u64,
                count: clusters.len() as u64,
            }],
            remap: None,
            count: clusters.len() as u64,
            fingerprints: fps,
            places,
        })
    }

    /// Writes out what is buffered, so that positioned reads see every appended cluster.
    fn flush(&self) -> io::Result<()> {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .out
            .flush()
    }
}

// The record format: fingerprint count and place count (u32, little-endian) and the records
// count (u64), then the fingerprints (16 bytes each) and place indices (4 bytes each). Fixed
// width, because the fingerprints are uniformly random and would not compress.
const HEADER: usize = 16;

fn encode(fps: &[Fp], places: &[u32], records: u64, out: &mut Vec<u8>) -> io::Result<()> {
    let too_big = |_| io::Error::new(io::ErrorKind::InvalidInput, "cluster too large to spool");
    out.extend_from_slice(&u32::try_from(fps.len()).map_err(too_big)?.to_le_bytes());
    out.extend_from_slice(&u32::try_from(places.len()).map_err(too_big)?.to_le_bytes());
    out.extend_from_slice(&records.to_le_bytes());
    for fp in fps {
        out.extend_from_slice(&fp.0.to_le_bytes());
    }
    for p in places {
        out.extend_from_slice(&p.to_le_bytes());
    }
    Ok(())
}

/// One run of an input's clusters in the spool.
#[derive(Debug, Clone, Copy)]
struct Piece {
    offset: u64,
    len: u64,
    count: u64,
}

/// Where one input's clusters sit in the spool.
#[derive(Debug, Clone)]
struct Spooled {
    spool: Arc<ClusterSpool>,
    /// Usually one; an input too large to build in memory at once writes several (see
    /// [`super::InputBuilder`]).
    pieces: Vec<Piece>,
    /// Place numbers as written → the input's final place numbers (pieces written before the
    /// input's places were numbered).
    remap: Option<Arc<[u32]>>,
    count: u64,
    fingerprints: u64,
    places: u64,
}

#[derive(Debug, Clone)]
enum Repr {
    Memory(Vec<Cluster>),
    Spooled(Spooled),
}

/// An input's clusters, sorted (see the module docs).
#[derive(Debug, Clone)]
pub struct Clusters {
    repr: Repr,
}

impl Default for Clusters {
    fn default() -> Self {
        Clusters::from(Vec::new())
    }
}

impl From<Vec<Cluster>> for Clusters {
    fn from(v: Vec<Cluster>) -> Self {
        Clusters {
            repr: Repr::Memory(v),
        }
    }
}

impl Clusters {
    /// How many clusters.
    pub fn len(&self) -> u64 {
        match &self.repr {
            Repr::Memory(v) => v.len() as u64,
            Repr::Spooled(s) => s.count,
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Joins spooled pieces of one input, written with raw place numbers, under `remap` (raw
    /// place → final place). Pieces held in memory are spooled first. The result is not in
    /// canonical order, and one set of values can appear in more than one piece: derivation
    /// links clusters by their values and adds their records, so every count is unchanged.
    pub(super) fn joined(
        spool: &Arc<ClusterSpool>,
        parts: Vec<Clusters>,
        remap: Arc<[u32]>,
    ) -> io::Result<Clusters> {
        let mut out = Spooled {
            spool: spool.clone(),
            pieces: Vec::new(),
            remap: Some(remap),
            count: 0,
            fingerprints: 0,
            places: 0,
        };
        for part in parts {
            let s = match part.repr {
                Repr::Spooled(s) => s,
                Repr::Memory(v) => spool.write(&v)?,
            };
            out.pieces.extend(s.pieces);
            out.count += s.count;
            out.fingerprints += s.fingerprints;
            out.places += s.places;
        }
        Ok(Clusters {
            repr: Repr::Spooled(out),
        })
    }

    /// Fingerprints over all clusters (to size derivation's passes).
    pub fn fingerprints(&self) -> u64 {
        match &self.repr {
            Repr::Memory(v) => v.iter().map(|c| c.fingerprints.len() as u64).sum(),
            Repr::Spooled(s) => s.fingerprints,
        }
    }

    /// Place references over all clusters (to size derivation's passes).
    pub fn place_refs(&self) -> u64 {
        match &self.repr {
            Repr::Memory(v) => v.iter().map(|c| c.places.len() as u64).sum(),
            Repr::Spooled(s) => s.places,
        }
    }

    /// The clusters, if they are held in memory (a state read from a file, or built in a
    /// test): the only ones that may need repairs before derivation (see [`super::State::check`]).
    pub fn in_memory_mut(&mut self) -> Option<&mut Vec<Cluster>> {
        match &mut self.repr {
            Repr::Memory(v) => Some(v),
            Repr::Spooled(_) => None,
        }
    }

    /// The clusters, if they are held in memory.
    pub fn in_memory(&self) -> Option<&[Cluster]> {
        match &self.repr {
            Repr::Memory(v) => Some(v),
            Repr::Spooled(_) => None,
        }
    }

    /// Reads every cluster into memory.
    pub fn to_vec(&self) -> io::Result<Vec<Cluster>> {
        let mut out = Vec::with_capacity(usize::try_from(self.len()).unwrap_or(0));
        let mut cur = self.cursor()?;
        while let Some((fps, places, records)) = cur.next_cluster()? {
            out.push(Cluster {
                fingerprints: fps.to_vec(),
                places: places.to_vec(),
                records,
            });
        }
        Ok(out)
    }

    /// A cursor over the clusters in order. Reading a spooled cluster back can fail (an I/O
    /// error on the temporary file); the cursor says so instead of returning fewer clusters.
    pub fn cursor(&self) -> io::Result<ClusterCursor<'_>> {
        let repr = match &self.repr {
            Repr::Memory(v) => CursorRepr::Memory(v.iter()),
            Repr::Spooled(s) => {
                s.spool.flush()?;
                CursorRepr::Spooled {
                    file: &s.spool.file,
                    pieces: &s.pieces,
                    next: 0,
                    remap: s.remap.as_deref(),
                    reader: None,
                    left: 0,
                    body: Vec::new(),
                }
            }
        };
        Ok(ClusterCursor {
            repr,
            fps: Vec::new(),
            places: Vec::new(),
        })
    }
}

/// One cluster as a cursor reads it: fingerprints, places and records.
pub type ClusterRef<'a> = (&'a [Fp], &'a [u32], u64);

/// Reads an input's clusters one at a time, reusing its buffers.
pub struct ClusterCursor<'a> {
    repr: CursorRepr<'a>,
    fps: Vec<Fp>,
    places: Vec<u32>,
}

enum CursorRepr<'a> {
    Memory(std::slice::Iter<'a, Cluster>),
    Spooled {
        file: &'a File,
        pieces: &'a [Piece],
        /// The next piece to open once this one is read.
        next: usize,
        remap: Option<&'a [u32]>,
        /// The current piece.
        reader: Option<BufReader<SegmentReader<'a>>>,
        /// Clusters of this piece not yet returned.
        left: u64,
        /// The current cluster's bytes after its header.
        body: Vec<u8>,
    },
}

/// Read buffer per piece being read.
const READ_CHUNK: usize = 1 << 20;

impl ClusterCursor<'_> {
    /// The next cluster's fingerprints, places and records, or `None` after the last.
    pub fn next_cluster(&mut self) -> io::Result<Option<ClusterRef<'_>>> {
        let (reader, body, remap) = match &mut self.repr {
            CursorRepr::Memory(it) => {
                return Ok(it
                    .next()
                    .map(|c| (&c.fingerprints[..], &c.places[..], c.records)));
            }
            CursorRepr::Spooled {
                file,
                pieces,
                next,
                remap,
                reader,
                left,
                body,
            } => {
                while *left == 0 {
                    let Some(p) = pieces.get(*next) else {
                        return Ok(None);
                    };
                    *next += 1;
                    *left = p.count;
                    // No larger than the piece: a buffer is zeroed before its first read,
                    // and each input's piece (most hold a few KB) paid for a whole MiB: ~2,000
                    // instructions per finding of the ledger's dense CSV (callgrind).
                    *reader = Some(BufReader::with_capacity(
                        usize::try_from(p.len)
                            .unwrap_or(usize::MAX)
                            .clamp(1, READ_CHUNK),
                        SegmentReader::new(file, p.offset, p.len),
                    ));
                }
                *left -= 1;
                match reader {
                    Some(r) => (r, body, *remap),
                    None => return Err(corrupt("a piece without a reader")),
                }
            }
        };
        let mut header = [0u8; HEADER];
        reader.read_exact(&mut header)?;
        let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let n_fps = word(&header);
        let n_places = word(&header[4..]);
        let mut rec = [0u8; 8];
        rec.copy_from_slice(&header[8..16]);
        let records = u64::from_le_bytes(rec);
        let need = n_fps
            .checked_mul(16)
            .and_then(|f| f.checked_add(n_places.checked_mul(4)?))
            .ok_or_else(|| corrupt("cluster size overflows"))?;
        // Checked before allocating: a damaged header must not ask for gigabytes.
        let left_in_piece = reader.get_ref().remaining() + reader.buffer().len() as u64;
        if need as u64 > left_in_piece {
            return Err(corrupt("a cluster runs past its input's piece"));
        }
        body.resize(need, 0);
        reader.read_exact(body)?;
        let body = &body[..];
        self.fps.clear();
        self.fps
            .extend(body[..n_fps * 16].chunks_exact(16).map(|c| {
                let mut b = [0u8; 16];
                b.copy_from_slice(c);
                Fp(u128::from_le_bytes(b))
            }));
        self.places.clear();
        self.places
            .extend(body[n_fps * 16..].chunks_exact(4).map(|c| word(c) as u32));
        if let Some(map) = remap {
            for p in &mut self.places {
                *p = map
                    .get(*p as usize)
                    .copied()
                    .ok_or_else(|| corrupt("a place outside the input's remap"))?;
            }
            self.places.sort_unstable();
            self.places.dedup();
        }
        Ok(Some((&self.fps, &self.places, records)))
    }
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("cluster spool is corrupt: {what}"),
    )
}

impl PartialEq for Clusters {
    /// Equal when they hold the same clusters (reads spooled ones back; for tests).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && matches!((self.to_vec(), other.to_vec()), (Ok(a), Ok(b)) if a == b)
    }
}

impl Eq for Clusters {}

/// One cluster on the wire (the same fields as [`Cluster`], borrowed).
#[derive(Serialize)]
struct Wire<'a> {
    fingerprints: &'a [Fp],
    places: &'a [u32],
    records: u64,
}

impl Serialize for Clusters {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(usize::try_from(self.len()).ok())?;
        let mut cur = self.cursor().map_err(S::Error::custom)?;
        while let Some((fingerprints, places, records)) =
            cur.next_cluster().map_err(S::Error::custom)?
        {
            seq.serialize_element(&Wire {
                fingerprints,
                places,
                records,
            })?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Clusters {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Clusters, D::Error> {
        Vec::<Cluster>::deserialize(d).map(Clusters::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(seed: u128, fps: usize, places: &[u32]) -> Cluster {
        Cluster {
            fingerprints: (0..fps as u128).map(|i| Fp(seed * 1000 + i)).collect(),
            places: places.to_vec(),
            records: seed as u64 % 3,
        }
    }

    #[test]
    fn spooled_clusters_read_back_equal_and_serialise_the_same() {
        let spool = ClusterSpool::new().expect("spool");
        let a: Vec<Cluster> = (0..5000)
            .map(|i| cluster(i, 1 + (i as usize % 4), &[0, (i % 7) as u32]))
            .collect();
        let b = vec![cluster(u128::MAX / 2000, 2, &[3])];
        let sa = spool.append(&a).expect("append a");
        let sb = spool.append(&b).expect("append b");
        assert_eq!(sa.to_vec().expect("read a"), a);
        assert_eq!(sb.to_vec().expect("read b"), b);
        assert_eq!(sa.len(), 5000);
        assert_eq!(
            sa.fingerprints(),
            a.iter().map(|c| c.fingerprints.len() as u64).sum::<u64>()
        );
        let mem = Clusters::from(a);
        assert_eq!(sa, mem);
        assert_eq!(
            serde_json::to_string(&sa).expect("json"),
            serde_json::to_string(&mem).expect("json")
        );
        let back: Clusters =
            serde_json::from_str(&serde_json::to_string(&sb).expect("json")).expect("parse");
        assert_eq!(back, sb);
    }

    #[test]
    fn a_cluster_larger_than_the_read_chunk_reads_back() {
        let spool = ClusterSpool::new().expect("spool");
        let big = vec![
            cluster(1, READ_CHUNK / 16 + 100, &[1, 2]),
            cluster(2, 1, &[0]),
        ];
        let s = spool.append(&big).expect("append");
        assert_eq!(s.to_vec().expect("read"), big);
    }
}
