//! The mergeable exposure state: per input, places, record signatures and person clusters,
//! kept in a canonical order so that equal scans give equal states, whatever the thread
//! interleaving or shard split.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::clusters::{ClusterSpool, Clusters};
use super::distinct::DistinctSpill;
use super::is_linking;
use crate::finding::{Confidence, Finding, Kind};

/// A 128-bit keyed fingerprint (see [`crate::finding::Fingerprinter`]), hex in JSON.
///
/// Held as a number, not a string, because the state may hold tens of millions of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fp(pub u128);

impl Fp {
    /// Reads a finding's fingerprint. Fingerprints piiscan writes are 32 hex digits; anything
    /// else (a hand-edited report) is hashed, so distinct strings still stay distinct.
    pub fn from_finding(s: &str) -> Fp {
        if s.len() == 32
            && let Ok(v) = u128::from_str_radix(s, 16)
        {
            return Fp(v);
        }
        let d = Sha256::digest(s.as_bytes());
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        Fp(u128::from_be_bytes(b))
    }
}

/// Hashes a [`Fp`] by folding its bits: a keyed HMAC output is already uniformly distributed
/// (and not choosable by whoever wrote the input, who does not know the key), so running it
/// through SipHash again only costs time — measured as the top hashing cost of a dense scan.
#[derive(Debug, Clone, Copy, Default)]
pub struct FpHash;

/// The [`std::hash::Hasher`] behind [`FpHash`].
#[derive(Debug, Default)]
pub struct FpHasher(u64);

impl std::hash::Hasher for FpHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only reached for types other than `Fp` (never, here); still a valid hash.
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 ^= (v as u64) ^ ((v >> 64) as u64);
    }
}

impl std::hash::BuildHasher for FpHash {
    type Hasher = FpHasher;
    fn build_hasher(&self) -> FpHasher {
        FpHasher(0)
    }
}

/// A set of fingerprints hashed with [`FpHash`].
pub type FpSet = std::collections::HashSet<Fp, FpHash>;

impl fmt::Display for Fp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl Serialize for Fp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Fp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fp, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        if s.len() != 32 {
            return Err(serde::de::Error::custom(
                "fingerprint must be 32 hex digits",
            ));
        }
        u128::from_str_radix(&s, 16)
            .map(Fp)
            .map_err(|_| serde::de::Error::custom("fingerprint must be 32 hex digits"))
    }
}

/// Findings per confidence level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfidenceMix {
    /// Low-confidence findings.
    pub low: u64,
    /// Medium-confidence findings.
    pub medium: u64,
    /// High-confidence findings.
    pub high: u64,
}

impl ConfidenceMix {
    fn add(&mut self, c: Confidence) {
        match c {
            Confidence::Low => self.low += 1,
            Confidence::Medium => self.medium += 1,
            Confidence::High => self.high += 1,
        }
    }
}

/// One (field, kind) of an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceState {
    /// Field, if the format has fields.
    pub field: Option<String>,
    /// Kind.
    pub kind: Kind,
    /// Values found.
    pub values: u64,
    /// Distinct values by fingerprint.
    pub distinct_values: u64,
    /// Records carrying this place.
    pub records: u64,
    /// Confidence mix.
    pub confidence: ConfidenceMix,
}

/// Records that carry exactly one set of places.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Indices into the input's `places`, ascending.
    pub places: Vec<u32>,
    /// Whether these records carry a linking identifier (else each is its own person).
    pub linked: bool,
    /// How many records.
    pub records: u64,
}

/// One person as seen inside one input: linking fingerprints joined by co-occurrence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// Linking fingerprints, ascending (never empty).
    pub fingerprints: Vec<Fp>,
    /// Indices into the input's `places` that expose this person, ascending.
    pub places: Vec<u32>,
}

/// One input's exposure state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputState {
    /// Display path.
    pub path: String,
    /// Records scanned.
    pub records: u64,
    /// Places, sorted by (field, kind).
    pub places: Vec<PlaceState>,
    /// Record signatures, sorted.
    pub signatures: Vec<Signature>,
    /// Person clusters, sorted by fingerprints; in the run's cluster spool during a scan.
    pub clusters: Clusters,
}

impl InputState {
    /// The state of an input without findings.
    pub fn empty(path: &str, records: u64) -> InputState {
        InputState {
            path: path.to_string(),
            records,
            places: Vec::new(),
            signatures: Vec::new(),
            clusters: Clusters::default(),
        }
    }

    /// Adds another reading of the same path: records, places (by field and kind) and
    /// signatures add up; clusters are kept side by side (people are not linked across the
    /// two readings, so one person seen in both counts twice: an over-count, never an
    /// under-count). Spooled clusters are read back into memory to be merged (two readings
    /// of one path are rare), which can fail on an I/O error.
    pub fn absorb(&mut self, other: InputState) -> io::Result<()> {
        self.records += other.records;
        let mut remap = Vec::with_capacity(other.places.len());
        for p in other.places {
            let at = self
                .places
                .iter()
                .position(|q| q.field == p.field && q.kind == p.kind);
            match at {
                Some(i) => {
                    let q = &mut self.places[i];
                    q.values += p.values;
                    q.distinct_values += p.distinct_values;
                    q.records += p.records;
                    q.confidence.low += p.confidence.low;
                    q.confidence.medium += p.confidence.medium;
                    q.confidence.high += p.confidence.high;
                    remap.push(i as u32);
                }
                None => {
                    self.places.push(p);
                    remap.push((self.places.len() - 1) as u32);
                }
            }
        }
        let map = |ps: Vec<u32>| -> Vec<u32> {
            let mut v: Vec<u32> = ps
                .into_iter()
                .filter_map(|p| remap.get(p as usize).copied())
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut sigs: BTreeMap<(Vec<u32>, bool), u64> = BTreeMap::new();
        for s in std::mem::take(&mut self.signatures) {
            *sigs.entry((s.places, s.linked)).or_insert(0) += s.records;
        }
        for s in other.signatures {
            *sigs.entry((map(s.places), s.linked)).or_insert(0) += s.records;
        }
        self.signatures = sigs
            .into_iter()
            .map(|((places, linked), records)| Signature {
                places,
                linked,
                records,
            })
            .collect();
        let mut clusters = self.clusters.to_vec()?;
        clusters.extend(other.clusters.to_vec()?.into_iter().map(|c| Cluster {
            fingerprints: c.fingerprints,
            places: map(c.places),
        }));
        clusters.sort_unstable();
        self.clusters = Clusters::from(clusters);
        Ok(())
    }
}

/// The exposure state of a scan: one [`InputState`] per input, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Inputs, sorted by path.
    pub inputs: Vec<InputState>,
}

/// Why states (or reports) cannot be merged, or a state is inconsistent.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MergeError {
    /// Two states describe the same input: merging would double count it.
    #[error("input {0:?} appears in more than one report (shards must not overlap)")]
    DuplicateInput(String),
    /// A state refers to a place that does not exist.
    #[error("exposure state of {0:?} is inconsistent: {1}")]
    Inconsistent(String, String),
}

impl State {
    /// Reduces findings to state. `inputs` gives every input's display path and records
    /// scanned (inputs without findings still count their records); findings of a path not in
    /// `inputs` get an input of their own.
    pub fn build<'a>(
        inputs: impl IntoIterator<Item = (&'a str, u64)>,
        findings: &[Finding],
    ) -> State {
        let mut by_path: BTreeMap<&str, (u64, Vec<&Finding>)> = BTreeMap::new();
        for (path, records) in inputs {
            by_path.entry(path).or_default().0 += records;
        }
        for f in findings {
            by_path.entry(&f.path).or_default().1.push(f);
        }
        State {
            inputs: by_path
                .into_iter()
                .map(|(path, (records, fs))| build_input(path, records, &fs))
                .collect(),
        }
    }

    /// Assembles per-input states collected one input at a time (in any order). Two states
    /// with the same path (an archive holding two members of one name, overlapping roots) are
    /// combined with [`InputState::absorb`] (which fails only on an I/O error reading spooled
    /// clusters back).
    pub fn from_inputs(mut inputs: Vec<InputState>) -> io::Result<State> {
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        let mut out: Vec<InputState> = Vec::with_capacity(inputs.len());
        for i in inputs {
            match out.last_mut() {
                Some(last) if last.path == i.path => last.absorb(i)?,
                _ => out.push(i),
            }
        }
        Ok(State { inputs: out })
    }

    /// Concatenates the states of scans over disjoint inputs. Fails if an input appears twice.
    pub fn merge(states: impl IntoIterator<Item = State>) -> Result<State, MergeError> {
        let mut inputs: Vec<InputState> = states.into_iter().flat_map(|s| s.inputs).collect();
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        if let Some(w) = inputs.windows(2).find(|w| w[0].path == w[1].path) {
            return Err(MergeError::DuplicateInput(w[0].path.clone()));
        }
        let state = State { inputs };
        state.check()?;
        Ok(state)
    }

    /// Checks that every index points at a place (a state read from a file is input). Spooled
    /// clusters are not read back: a scan writes them from places it has just numbered.
    pub fn check(&self) -> Result<(), MergeError> {
        for i in &self.inputs {
            let clusters: &[Cluster] = i.clusters.in_memory().unwrap_or(&[]);
            let n = i.places.len() as u32;
            let bad = |what: &str| MergeError::Inconsistent(i.path.clone(), what.to_string());
            if i.signatures
                .iter()
                .any(|s| s.places.iter().any(|&p| p >= n))
            {
                return Err(bad("a signature names a missing place"));
            }
            if clusters.iter().any(|c| c.places.iter().any(|&p| p >= n)) {
                return Err(bad("a cluster names a missing place"));
            }
            if clusters.iter().any(|c| c.fingerprints.is_empty()) {
                return Err(bad("a cluster has no fingerprints"));
            }
        }
        Ok(())
    }
}

impl State {
    /// Drops what [`State::check`] would complain about (out-of-range place indices, clusters
    /// without fingerprints), so that deriving from an unchecked state read from a file can
    /// never index out of bounds.
    pub(super) fn sanitise(&mut self) {
        for i in &mut self.inputs {
            let n = i.places.len() as u32;
            for s in &mut i.signatures {
                s.places.retain(|&p| p < n);
            }
            if let Some(clusters) = i.clusters.in_memory_mut() {
                clusters.retain(|c| !c.fingerprints.is_empty());
                for c in clusters {
                    c.places.retain(|&p| p < n);
                }
            }
        }
    }
}

/// Union-find over `u32` ids with path halving and union by size.
#[derive(Debug, Default)]
pub(super) struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    pub(super) fn add(&mut self) -> u32 {
        let id = self.parent.len() as u32;
        self.parent.push(id);
        self.size.push(1);
        id
    }

    pub(super) fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let gp = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = gp;
            x = gp;
        }
        x
    }

    pub(super) fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

/// Interns fingerprints as dense ids for a [`UnionFind`].
#[derive(Debug, Default)]
pub(super) struct Interner {
    ids: HashMap<Fp, u32, FpHash>,
    pub(super) uf: UnionFind,
}

impl Interner {
    pub(super) fn id(&mut self, fp: Fp) -> u32 {
        *self.ids.entry(fp).or_insert_with(|| self.uf.add())
    }
}

/// Records kept open (their places still accumulating) before all are closed. Findings arrive
/// in input order, where one record's findings are contiguous, so a record is normally closed
/// as soon as the next begins; the bound only matters for findings given in arbitrary order,
/// where a record reappearing after being closed would count twice.
const OPEN_RECORDS: usize = 1 << 16;

#[derive(Default)]
struct RecordAcc {
    places: Vec<u32>,
    first_link: Option<u32>,
}

/// Places kept per input before the smallest fields are folded together (see [`InputBuilder`]).
pub const MAX_PLACES_PER_INPUT: usize = 1024;
/// The field name of the folded place.
pub const OTHER_FIELDS: &str = "(other fields)";

fn build_input(path: &str, records: u64, findings: &[&Finding]) -> InputState {
    let mut b = InputBuilder::new(path);
    for f in findings {
        b.add(f);
    }
    match b.finish(records) {
        Ok(state) => state,
        // A builder without a spool never writes a file, so it cannot fail.
        Err(e) => unreachable!("in-memory exposure state failed: {e}"),
    }
}

/// Distinct values (per place) and linking fingerprints a spooling [`InputBuilder`] holds before
/// it writes a piece out. Each is a hash-table entry of 16 bytes (a distinct value) or 20 bytes
/// plus 8 of union-find (a linking value), before the tables' slack.
pub const PIECE_ENTRIES: usize = 1 << 19;

/// One input's [`InputState`], built one finding at a time, so the findings themselves need
/// not be kept.
///
/// In memory ([`InputBuilder::new`]) it grows with the input's distinct values and linking
/// fingerprints. With a spool ([`InputBuilder::spooled`]) it is bounded: past
/// [`PIECE_ENTRIES`] it writes the people found so far as a *piece* of clusters to the spool
/// and the distinct values to a temporary file, and starts afresh. A person seen before and
/// after the cut is then two clusters of the input, which derivation links again through their
/// shared fingerprints, so no count changes. A record still open at the cut (one huge JSON
/// object, a 10 GB line) carries its first linking fingerprint into the new piece, so its
/// values on both sides stay one person.
pub struct InputBuilder {
    path: String,
    /// Raw places in first-seen order; indices are remapped to (field, kind) order at the end.
    place_ids: HashMap<(Option<std::sync::Arc<str>>, Kind), u32>,
    places: Vec<RawPlace>,
    open: HashMap<u64, RecordAcc>,
    last_record: Option<u64>,
    /// Closed records: (raw places, linked) → how many.
    sigs: HashMap<(Vec<u32>, bool), u64>,
    /// Raw places of the records whose first linking fingerprint is this id.
    link_places: HashMap<u32, Vec<u32>>,
    interner: Interner,
    /// Where pieces go; `None` keeps everything in memory.
    spool: Option<Arc<ClusterSpool>>,
    /// Clusters of the pieces written so far (raw place numbers).
    pieces: Vec<Clusters>,
    /// Distinct values of the pieces written so far, per raw place.
    distinct_spill: Option<DistinctSpill>,
    /// Distinct values and linking fingerprints held now.
    entries: usize,
    piece_entries: usize,
    /// The first error writing a piece; `finish` returns it.
    failed: Option<io::Error>,
}

struct RawPlace {
    field: Option<std::sync::Arc<str>>,
    kind: Kind,
    values: u64,
    confidence: ConfidenceMix,
    distinct: FpSet,
}

impl std::fmt::Debug for InputBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputBuilder")
            .field("path", &self.path)
            .field("places", &self.places.len())
            .finish_non_exhaustive()
    }
}

impl InputBuilder {
    /// An empty state for the input shown as `path`.
    pub fn new(path: &str) -> InputBuilder {
        InputBuilder {
            path: path.to_string(),
            place_ids: HashMap::new(),
            places: Vec::new(),
            open: HashMap::new(),
            last_record: None,
            sigs: HashMap::new(),
            link_places: HashMap::new(),
            interner: Interner::default(),
            spool: None,
            pieces: Vec::new(),
            distinct_spill: None,
            entries: 0,
            piece_entries: PIECE_ENTRIES,
            failed: None,
        }
    }

    /// A state whose memory is bounded by writing pieces to `spool` (see the type's docs).
    pub fn spooled(path: &str, spool: Arc<ClusterSpool>) -> InputBuilder {
        InputBuilder {
            spool: Some(spool),
            ..InputBuilder::new(path)
        }
    }

    /// Sets how many entries are held before a piece is written (tests use tiny pieces).
    #[cfg(test)]
    pub(super) fn with_piece_entries(mut self, n: usize) -> InputBuilder {
        self.piece_entries = n;
        self
    }

    /// Writes the people found so far as a piece of clusters and the distinct values to the
    /// spill, and empties both.
    fn write_piece(&mut self) {
        let Some(spool) = self.spool.clone() else {
            return;
        };
        let interner = std::mem::take(&mut self.interner);
        let link_places = std::mem::take(&mut self.link_places);
        // Open records keep their first linking fingerprint under a new id: the new piece's
        // cluster for it shares that fingerprint with the old piece's, so derivation joins them.
        let open_links: std::collections::HashSet<u32> =
            self.open.values().filter_map(|r| r.first_link).collect();
        if !open_links.is_empty() {
            let fp_of: HashMap<u32, Fp> = interner
                .ids
                .iter()
                .filter(|(_, id)| open_links.contains(id))
                .map(|(fp, id)| (*id, *fp))
                .collect();
            for rec in self.open.values_mut() {
                // Never left pointing into the old interner (an id the new one may not have).
                rec.first_link = rec
                    .first_link
                    .and_then(|old| fp_of.get(&old))
                    .map(|fp| self.interner.id(*fp));
            }
        }
        let clusters = take_clusters(interner, link_places, |ps| ps.to_vec());
        let written = spool.append(&clusters).and_then(|piece| {
            self.pieces.push(piece);
            let spill = match &mut self.distinct_spill {
                Some(s) => s,
                None => self.distinct_spill.insert(DistinctSpill::new()?),
            };
            for (p, rp) in self.places.iter_mut().enumerate() {
                for fp in std::mem::take(&mut rp.distinct) {
                    spill.push(p as u32, fp)?;
                }
            }
            Ok(())
        });
        if let Err(e) = written {
            self.failed.get_or_insert(e);
        }
        // Carried fingerprints are not counted: at most one per open record (OPEN_RECORDS), and
        // counting them could make every later finding cut a piece.
        self.entries = 0;
    }

    /// Adds one finding of this input.
    pub fn add(&mut self, f: &Finding) {
        let key = (f.field.clone(), f.kind);
        let p = match self.place_ids.get(&key) {
            Some(&p) => p,
            None => {
                let p = self.places.len() as u32;
                self.places.push(RawPlace {
                    field: f.field.clone(),
                    kind: f.kind,
                    values: 0,
                    confidence: ConfidenceMix::default(),
                    distinct: Default::default(),
                });
                self.place_ids.insert(key, p);
                p
            }
        };
        let fp = Fp::from_finding(&f.fingerprint);
        // A finding without a record id is its own record (scan.rs uses the line).
        let rec_id = f.record.unwrap_or(f.line);
        if self.last_record.is_some_and(|r| r != rec_id) && !self.open.contains_key(&rec_id) {
            // Contiguous records: the previous one is complete.
            if let Some(prev) = self.last_record.and_then(|r| self.open.remove(&r)) {
                self.close(prev);
            }
        }
        if self.entries >= self.piece_entries {
            self.write_piece();
        }
        let place = &mut self.places[p as usize];
        place.values += 1;
        place.confidence.add(f.confidence);
        if place.distinct.insert(fp) {
            self.entries += 1;
        }
        if self.open.len() >= OPEN_RECORDS && !self.open.contains_key(&rec_id) {
            for (_, r) in std::mem::take(&mut self.open) {
                self.close(r);
            }
        }
        self.last_record = Some(rec_id);
        let link = is_linking(f.kind).then(|| {
            let known = self.interner.ids.len();
            let id = self.interner.id(fp);
            self.entries += self.interner.ids.len() - known;
            id
        });
        let rec = self.open.entry(rec_id).or_default();
        if !rec.places.contains(&p) {
            rec.places.push(p);
        }
        if let Some(id) = link {
            match rec.first_link {
                Some(first) => self.interner.uf.union(first, id),
                None => rec.first_link = Some(id),
            }
        }
    }

    fn close(&mut self, mut rec: RecordAcc) {
        rec.places.sort_unstable();
        if let Some(first) = rec.first_link {
            let lp = self.link_places.entry(first).or_default();
            lp.extend(&rec.places);
            lp.sort_unstable();
            lp.dedup();
        }
        *self
            .sigs
            .entry((rec.places, rec.first_link.is_some()))
            .or_insert(0) += 1;
    }

    /// The input's state; `records` is how many records the input had in all. Fails only for
    /// a spooled builder whose pieces could not be written or read back.
    pub fn finish(mut self, records: u64) -> io::Result<InputState> {
        for (_, r) in std::mem::take(&mut self.open) {
            self.close(r);
        }
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        // Place indices in (field, kind) order, so they are canonical. A hostile or odd input
        // can name a new field in every record (JSON keyed by email, `row 17 email: …` lines):
        // past MAX_PLACES_PER_INPUT places, the least-populated fields are folded into one
        // OTHER_FIELDS place per kind, so the state and the plan stay linear in the input's size.
        let mut folded = vec![false; self.places.len()];
        if self.places.len() > MAX_PLACES_PER_INPUT {
            let mut by_size: Vec<u32> = (0..self.places.len() as u32).collect();
            by_size.sort_by(|&a, &b| {
                let (pa, pb) = (&self.places[a as usize], &self.places[b as usize]);
                pb.values.cmp(&pa.values).then_with(|| {
                    (pa.field.as_deref(), pa.kind).cmp(&(pb.field.as_deref(), pb.kind))
                })
            });
            for &p in by_size.iter().skip(MAX_PLACES_PER_INPUT) {
                folded[p as usize] = true;
            }
        }
        let key_of = |p: usize, places: &[RawPlace]| -> (Option<String>, Kind) {
            let rp = &places[p];
            if folded[p] {
                (Some(OTHER_FIELDS.to_string()), rp.kind)
            } else {
                (rp.field.as_deref().map(str::to_string), rp.kind)
            }
        };
        let mut final_keys: BTreeMap<(Option<String>, Kind), u32> = BTreeMap::new();
        for p in 0..self.places.len() {
            final_keys.insert(key_of(p, &self.places), 0);
        }
        for (i, v) in final_keys.values_mut().enumerate() {
            *v = i as u32;
        }
        let remap: Vec<u32> = (0..self.places.len())
            .map(|p| final_keys[&key_of(p, &self.places)])
            .collect();
        let mut places: Vec<PlaceState> = final_keys
            .keys()
            .map(|(field, kind)| PlaceState {
                field: field.clone(),
                kind: *kind,
                values: 0,
                distinct_values: 0,
                records: 0,
                confidence: ConfidenceMix::default(),
            })
            .collect();
        let mut distinct: Vec<FpSet> = vec![Default::default(); places.len()];
        let mut spill = self.distinct_spill.take();
        for (p, rp) in self.places.into_iter().enumerate() {
            let q = &mut places[remap[p] as usize];
            q.values += rp.values;
            q.confidence.low += rp.confidence.low;
            q.confidence.medium += rp.confidence.medium;
            q.confidence.high += rp.confidence.high;
            if let Some(spill) = &mut spill {
                for fp in rp.distinct {
                    spill.push(p as u32, fp)?;
                }
                continue;
            }
            let d = &mut distinct[remap[p] as usize];
            if d.is_empty() {
                *d = rp.distinct;
            } else {
                d.extend(rp.distinct);
            }
        }
        let counts: Vec<u64> = match spill {
            Some(spill) => spill.count(&remap, places.len(), super::PASS_BYTES)?,
            None => distinct.iter().map(|d| d.len() as u64).collect(),
        };
        for (place, n) in places.iter_mut().zip(counts) {
            place.distinct_values = n;
        }
        drop(distinct);
        let map = |ps: &[u32]| -> Vec<u32> {
            let mut v: Vec<u32> = ps.iter().map(|&p| remap[p as usize]).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut sigs: BTreeMap<(Vec<u32>, bool), u64> = BTreeMap::new();
        for ((ps, linked), n) in self.sigs {
            *sigs.entry((map(&ps), linked)).or_insert(0) += n;
        }
        // Signatures partition the records: a place's records are those of the signatures
        // that name it.
        for ((ps, _), n) in &sigs {
            for &p in ps {
                places[p as usize].records += n;
            }
        }
        let clusters = match &self.spool {
            Some(spool) if !self.pieces.is_empty() => {
                // Pieces hold raw place numbers; the remap is applied when they are read.
                let last = take_clusters(self.interner, self.link_places, |ps| ps.to_vec());
                self.pieces.push(Clusters::from(last));
                Clusters::joined(spool, self.pieces, remap.into())?
            }
            _ => Clusters::from(take_clusters(self.interner, self.link_places, map)),
        };
        Ok(InputState {
            path: self.path,
            records,
            places,
            signatures: sigs
                .into_iter()
                .map(|((places, linked), records)| Signature {
                    places,
                    linked,
                    records,
                })
                .collect(),
            clusters,
        })
    }
}

/// The clusters of `interner`'s union-find: each root's fingerprints (sorted) and the places
/// (through `map`) of the records linked to it, sorted by fingerprints.
fn take_clusters(
    mut interner: Interner,
    link_places: HashMap<u32, Vec<u32>>,
    map: impl Fn(&[u32]) -> Vec<u32>,
) -> Vec<Cluster> {
    let mut cluster_places: HashMap<u32, BTreeSet<u32>> = HashMap::new();
    for (first, ps) in link_places {
        let root = interner.uf.find(first);
        cluster_places.entry(root).or_default().extend(map(&ps));
    }
    let mut cluster_fps: HashMap<u32, Vec<Fp>> = HashMap::new();
    let ids: Vec<(Fp, u32)> = interner.ids.iter().map(|(fp, id)| (*fp, *id)).collect();
    for (fp, id) in ids {
        let root = interner.uf.find(id);
        cluster_fps.entry(root).or_default().push(fp);
    }
    let mut clusters: Vec<Cluster> = cluster_fps
        .into_iter()
        .map(|(root, mut fps)| {
            fps.sort_unstable();
            Cluster {
                fingerprints: fps,
                places: cluster_places
                    .get(&root)
                    .map(|s| s.iter().copied().collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    clusters.sort_unstable();
    clusters
}
