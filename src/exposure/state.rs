//! The mergeable exposure state: per input, places, record signatures and person clusters,
//! kept in a canonical order so that equal scans give equal states, whatever the thread
//! interleaving or shard split.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::clusters::{ClusterSpool, Clusters};
use super::distinct::DistinctSpill;
use super::fp::{Cluster, Fp, FpHash, FpSet};
use super::is_linking;
use crate::finding::{Confidence, Finding, Kind};

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

/// A linking value a detector marked as a placeholder or test value (`noreply@…`, a published
/// test card number; see [`crate::validate::placeholder`]): it never links records.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placeholder {
    /// Its fingerprint.
    pub fingerprint: Fp,
    /// Its kind.
    pub kind: Kind,
    /// Records of the input holding it.
    pub records: u64,
}

/// Distinct linking values one record keeps together. A record holding more is a list of
/// people, not one person, at any allowed [`super::Weights::max_link_partners`] (at most
/// [`MAX_LINK_PARTNERS`]): it makes a cluster of the first `LINK_SET_CAP` values and one
/// cluster per further value, so one huge record (a 10 GB JSON object) costs bounded memory.
pub const LINK_SET_CAP: usize = 64;

/// The largest allowed [`super::Weights::max_link_partners`]: a record of more than
/// `max_link_partners + 1` linking values is a list, and the builder keeps [`LINK_SET_CAP`]
/// values of a record together.
pub const MAX_LINK_PARTNERS: usize = LINK_SET_CAP - 2;

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
    /// Sets of linking values held together by records, sorted; in the run's cluster spool
    /// during a scan.
    pub clusters: Clusters,
    /// Placeholder linking values, sorted by fingerprint.
    pub placeholders: Vec<Placeholder>,
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
            placeholders: Vec::new(),
        }
    }

    /// Adds another reading of the same path: records, places (by field and kind), signatures
    /// and placeholders add up; clusters are kept side by side (derivation links them, as it
    /// links any clusters sharing a value). Distinct values are summed, so a value in both
    /// readings counts twice there. Spooled clusters are read back into memory to be merged
    /// (two readings of one path are rare), which can fail on an I/O error.
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
        let mut clusters: BTreeMap<(Vec<Fp>, Vec<u32>), u64> = BTreeMap::new();
        for c in self.clusters.to_vec()? {
            *clusters.entry((c.fingerprints, c.places)).or_insert(0) += c.records;
        }
        for c in other.clusters.to_vec()? {
            *clusters.entry((c.fingerprints, map(c.places))).or_insert(0) += c.records;
        }
        self.clusters = Clusters::from(into_clusters(clusters));
        let mut placeholders: BTreeMap<Fp, (Kind, u64)> = BTreeMap::new();
        for p in std::mem::take(&mut self.placeholders)
            .into_iter()
            .chain(other.placeholders)
        {
            placeholders.entry(p.fingerprint).or_insert((p.kind, 0)).1 += p.records;
        }
        self.placeholders = into_placeholders(placeholders);
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

/// Records kept open (their places and values still accumulating): a record is closed when
/// this many others have been current since it last was. Most formats give a record's
/// findings contiguously; a nested JSON record interrupts its parent (an order's items come
/// between its customer and its shipping address, a wrapper's members come before and after
/// its list), and the parent must still be open when its values resume, or it would count as
/// two records whose values do not meet. A parent interrupted by more records than this is
/// split that way.
const OPEN_RECORDS: usize = 4096;

#[derive(Default)]
struct RecordAcc {
    /// Raw places, distinct.
    places: Vec<u32>,
    /// Linking values (not placeholders), distinct, at most [`LINK_SET_CAP`].
    links: Vec<Fp>,
    /// Placeholder linking values, distinct.
    placeholders: Vec<(Fp, Kind)>,
    /// When it was last current (see [`InputBuilder::enter`]).
    stamp: u64,
}

/// Places kept per input before the smallest fields are folded together (see [`InputBuilder`]).
pub const MAX_PLACES_PER_INPUT: usize = 1024;

/// Places [`InputBuilder`] tries by identity before hashing (a customer export row has ~8).
const RECENT_PLACES: usize = 12;
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

/// Distinct values (per place) and cluster fingerprints a spooling [`InputBuilder`] holds
/// before it writes a piece out. A distinct value is a hash-table entry of 16 bytes; a cluster
/// counts one entry per fingerprint plus one (its two vectors and table entry), before the
/// tables' slack.
pub const PIECE_ENTRIES: usize = 1 << 19;

/// One input's [`InputState`], built one finding at a time, so the findings themselves need
/// not be kept.
///
/// In memory ([`InputBuilder::new`]) it grows with the input's distinct values and clusters.
/// With a spool ([`InputBuilder::spooled`]) it is bounded: past [`PIECE_ENTRIES`] it writes
/// the clusters of the records closed so far as a *piece* to the spool and the distinct values
/// to a temporary file, and starts afresh. A set of values seen before and after the cut is
/// then two clusters, whose records derivation adds up, so no count changes; records still
/// open at the cut keep their values and go into a later piece whole.
pub struct InputBuilder {
    path: String,
    /// Raw places in first-seen order; indices are remapped to (field, kind) order at the end.
    /// foldhash, as `link_sets`: each of these is looked up once per finding or record.
    place_ids: foldhash::HashMap<(Option<std::sync::Arc<str>>, Kind), u32>,
    /// Places found most recently, tried before `place_ids` by the address of their field
    /// name: a finding's field is the input's one shared copy of it (the scanner interns
    /// them), so a row's few places are found without hashing the name (see `add`).
    recent_places: Vec<u32>,
    /// Where the next place found through `place_ids` goes in `recent_places`.
    recent_next: usize,
    places: Vec<RawPlace>,
    open: foldhash::HashMap<u64, RecordAcc>,
    /// Open records by when they were last current, oldest first: (record, stamp). An entry
    /// whose stamp is not its record's current one is stale and skipped.
    recency: VecDeque<(u64, u64)>,
    stamp: u64,
    last_record: Option<u64>,
    /// Closed records: (raw places, linked) → how many.
    sigs: foldhash::HashMap<(Vec<u32>, bool), u64>,
    /// Closed records' linking values: (fingerprints, raw places) → records. foldhash, not
    /// SipHash: one lookup per record (SipHash over the vectors was 2.5% of a dense scan).
    link_sets: foldhash::HashMap<(Vec<Fp>, Vec<u32>), u64>,
    /// Placeholder values: fingerprint → (kind, records).
    placeholders: HashMap<Fp, (Kind, u64), FpHash>,
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
            place_ids: foldhash::HashMap::default(),
            recent_places: Vec::new(),
            recent_next: 0,
            places: Vec::new(),
            open: foldhash::HashMap::default(),
            recency: VecDeque::new(),
            stamp: 0,
            last_record: None,
            sigs: foldhash::HashMap::default(),
            link_sets: foldhash::HashMap::default(),
            placeholders: HashMap::default(),
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

    /// Writes the clusters of the records closed so far as a piece and the distinct values to
    /// the spill, and empties both.
    fn write_piece(&mut self) {
        let Some(spool) = self.spool.clone() else {
            return;
        };
        let clusters = into_clusters(std::mem::take(&mut self.link_sets).into_iter().collect());
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
        // Open records' values are not counted: at most OPEN_RECORDS · LINK_SET_CAP, and
        // counting them could make every later finding cut a piece.
        self.entries = 0;
    }

    /// Makes `rec_id` the current record, opening it if new, and closes the record current
    /// longest ago once more than [`OPEN_RECORDS`] are open.
    fn enter(&mut self, rec_id: u64) {
        self.last_record = Some(rec_id);
        self.stamp += 1;
        let stamp = self.stamp;
        self.open.entry(rec_id).or_default().stamp = stamp;
        self.recency.push_back((rec_id, stamp));
        while self.open.len() > OPEN_RECORDS {
            let Some((id, at)) = self.recency.pop_front() else {
                break;
            };
            if self.open.get(&id).is_some_and(|r| r.stamp == at)
                && let Some(r) = self.open.remove(&id)
            {
                self.close(r);
            }
        }
        // Records that keep coming back leave stale entries behind: drop them now and then,
        // so the queue stays within a small multiple of the open records.
        if self.recency.len() > 2 * OPEN_RECORDS + 64 {
            let open = &self.open;
            self.recency
                .retain(|(id, at)| open.get(id).is_some_and(|r| r.stamp == *at));
        }
    }

    /// Adds one finding of this input.
    pub fn add(&mut self, f: &Finding) {
        let p = match self.recent_place(f) {
            Some(p) => p,
            None => self.find_place(f),
        };
        self.add_at(p, f);
    }

    /// One of the places found most recently, if `f`'s is one of them by the identity of its
    /// field name (the same shared string: the same name; another copy of the name falls
    /// through to the map, which compares text).
    fn recent_place(&self, f: &Finding) -> Option<u32> {
        self.recent_places.iter().copied().find(|&p| {
            let rp = &self.places[p as usize];
            rp.kind == f.kind
                && match (&rp.field, &f.field) {
                    (None, None) => true,
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    _ => false,
                }
        })
    }

    /// `f`'s place by its field name's text, made if new, and remembered as recent.
    fn find_place(&mut self, f: &Finding) -> u32 {
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
        if self.recent_places.len() < RECENT_PLACES {
            self.recent_places.push(p);
        } else {
            self.recent_places[self.recent_next] = p;
            self.recent_next = (self.recent_next + 1) % RECENT_PLACES;
        }
        p
    }

    /// Adds `f`, whose place is `p`.
    fn add_at(&mut self, p: u32, f: &Finding) {
        let fp = Fp::from_finding(&f.fingerprint);
        // A finding without a record id is its own record (scan.rs uses the line).
        let rec_id = f.record.unwrap_or(f.line);
        if self.last_record != Some(rec_id) {
            self.enter(rec_id);
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
        let rec = self.open.entry(rec_id).or_default();
        if !rec.places.contains(&p) {
            rec.places.push(p);
        }
        if !is_linking(f.kind) {
            return;
        }
        if f.placeholder {
            if !rec.placeholders.iter().any(|(x, _)| *x == fp) {
                rec.placeholders.push((fp, f.kind));
            }
        } else if rec.links.contains(&fp) {
        } else if rec.links.len() < LINK_SET_CAP {
            rec.links.push(fp);
        } else if let std::collections::hash_map::Entry::Vacant(e) =
            self.link_sets.entry((vec![fp], vec![p]))
        {
            // A list of people (LINK_SET_CAP): this value stands alone, with its own place.
            e.insert(0);
            self.entries += 2;
        }
    }

    fn close(&mut self, mut rec: RecordAcc) {
        rec.places.sort_unstable();
        let linked = !rec.links.is_empty();
        if linked {
            rec.links.sort_unstable();
            let n = rec.links.len();
            match self.link_sets.entry((rec.links, rec.places.clone())) {
                std::collections::hash_map::Entry::Occupied(mut e) => *e.get_mut() += 1,
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(1);
                    self.entries += n + 1;
                }
            }
        }
        for (fp, kind) in rec.placeholders {
            self.placeholders.entry(fp).or_insert((kind, 0)).1 += 1;
        }
        *self.sigs.entry((rec.places, linked)).or_insert(0) += 1;
    }

    /// The input's state; `records` is how many records the input had in all. Fails only for
    /// a spooled builder whose pieces could not be written or read back.
    pub fn finish(mut self, records: u64) -> io::Result<InputState> {
        for (_, r) in std::mem::take(&mut self.open) {
            self.close(r);
        }
        self.recency.clear();
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
                let last = into_clusters(self.link_sets.into_iter().collect());
                self.pieces.push(Clusters::from(last));
                Clusters::joined(spool, self.pieces, remap.into())?
            }
            _ => {
                let mut sets: BTreeMap<(Vec<Fp>, Vec<u32>), u64> = BTreeMap::new();
                for ((fps, ps), n) in self.link_sets {
                    *sets.entry((fps, map(&ps))).or_insert(0) += n;
                }
                Clusters::from(into_clusters(sets))
            }
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
            placeholders: into_placeholders(self.placeholders.into_iter().collect()),
        })
    }
}

/// Clusters from (fingerprints, places) → records, in canonical (sorted) order.
fn into_clusters(sets: BTreeMap<(Vec<Fp>, Vec<u32>), u64>) -> Vec<Cluster> {
    sets.into_iter()
        .map(|((fingerprints, places), records)| Cluster {
            fingerprints,
            places,
            records,
        })
        .collect()
}

/// Placeholders from fingerprint → (kind, records), sorted by fingerprint.
fn into_placeholders(map: BTreeMap<Fp, (Kind, u64)>) -> Vec<Placeholder> {
    map.into_iter()
        .map(|(fingerprint, (kind, records))| Placeholder {
            fingerprint,
            kind,
            records,
        })
        .collect()
}
