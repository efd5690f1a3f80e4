//! Derivation: state → people, combinations, overlaps, risk and the greedy plan.
//!
//! Everything is flattened into dense arrays first: *units* (places of all inputs, globally
//! numbered), *groups* and *signatures*. A group is every (person, kind) exposure with the same
//! kind and the same set of units exposing it, with how many people that is: the plan only
//! asks "which people lose their last exposure to a kind if these units go", and people with
//! the same units answer alike, so the model holds one entry per group, not per person (a
//! customer export of a million people makes a handful of groups). Scoring an action then
//! touches only the action's units, their groups and their input's signatures, with no
//! hashing.
//!
//! People are found without holding them in memory at once (see [`link_people`] and
//! [`group_people`]): clusters are streamed from the state (spooled on disk during a scan) in
//! passes sized to [`PASS_BYTES`], so derivation's memory is a 4-byte slot per cluster plus
//! one pass's buffer, whatever the number of people.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::ops::Range;

use super::folders::Tree;
use super::fp::{Fp, FpSet, passes, slice_of};
use super::state::{MAX_LINK_PARTNERS, State};
use super::{
    Action, Combination, Exposure, FolderExposure, FolderStep, InputExposure, KindExposure,
    LINKING, Overlap, PlaceExposure, PlanStep, SharedReason, SharedValue, Summary, Weights,
    kind_bit, kinds_of,
};
use crate::finding::Kind;

struct Unit {
    kind: Kind,
    bit: u16,
    values: u64,
    /// Group ids this unit exposes (distinct).
    groups: Vec<u32>,
}

struct Sig {
    units: Vec<u32>,
    linked: bool,
    records: u64,
}

/// What removing some units would remove.
#[derive(Debug, Default, Clone, Copy)]
struct Delta {
    score: f64,
    values: u64,
    people: u64,
    kits: u64,
}

struct Model<'w> {
    w: &'w Weights,
    units: Vec<Unit>,
    /// Per group: the weight of one of its (person, kind) exposures, times its people.
    group_weight: Vec<f64>,
    /// Per group: people in it.
    group_people: Vec<u64>,
    /// Per group: units still exposing it (it is gone at 0).
    group_left: Vec<u32>,
    sigs: Vec<Sig>,
    input_sigs: Vec<Range<usize>>,
    /// Signatures each unit occurs in: an action touches only these, so evaluating it costs its
    /// own size, not the input's (an input with one signature per record and one place per
    /// field made every evaluation walk every record — quadratic on hostile inputs).
    unit_sigs: Vec<Vec<u32>>,
    removed: Vec<bool>,
    in_action: Vec<bool>,
    /// Signatures already visited by the current evaluation.
    sig_seen: Vec<bool>,
    dec: Vec<u32>,
}

impl Model<'_> {
    fn value_score(&self, u: &Unit) -> f64 {
        self.w.value * self.w.kind(u.kind) * u.values as f64
    }

    fn unlinked_score(&self, lost: u16, records: u64) -> f64 {
        kinds_of(lost)
            .into_iter()
            .map(|k| self.w.person * self.w.kind(k) * records as f64)
            .sum()
    }

    fn mask(&self, sig: &Sig, skip_action: bool) -> u16 {
        sig.units
            .iter()
            .filter(|&&u| {
                !self.removed[u as usize] && (!skip_action || !self.in_action[u as usize])
            })
            .fold(0, |m, &u| m | self.units[u as usize].bit)
    }

    /// The risk score of what is still exposed.
    fn total(&self) -> f64 {
        let mut r = 0.0;
        for (u, unit) in self.units.iter().enumerate() {
            if !self.removed[u] {
                r += self.value_score(unit);
            }
        }
        for (g, &left) in self.group_left.iter().enumerate() {
            if left > 0 {
                r += self.group_weight[g];
            }
        }
        for sig in &self.sigs {
            let m = self.mask(sig, false);
            if !sig.linked {
                r += self.unlinked_score(m, sig.records);
            }
            if self.w.is_identity_kit(m) {
                r += self.w.identity_kit * sig.records as f64;
            }
        }
        r
    }

    /// Scores removing `action` (units of one input) given what is already removed.
    fn evaluate(&mut self, action: &[u32]) -> Delta {
        let mut d = Delta::default();
        let live: Vec<u32> = action
            .iter()
            .copied()
            .filter(|&u| !self.removed[u as usize])
            .collect();
        if live.is_empty() {
            return d;
        }
        let mut touched = Vec::new();
        for &u in &live {
            self.in_action[u as usize] = true;
            let unit = &self.units[u as usize];
            d.values += unit.values;
            d.score += self.value_score(unit);
            for &g in &unit.groups {
                if self.dec[g as usize] == 0 {
                    touched.push(g);
                }
                self.dec[g as usize] += 1;
            }
        }
        for g in touched {
            if self.group_left[g as usize] == self.dec[g as usize] {
                d.people += self.group_people[g as usize];
                d.score += self.group_weight[g as usize];
            }
            self.dec[g as usize] = 0;
        }
        let mut visited = Vec::new();
        for &u in &live {
            for &s in &self.unit_sigs[u as usize] {
                if !self.sig_seen[s as usize] {
                    self.sig_seen[s as usize] = true;
                    visited.push(s);
                }
            }
        }
        for &s in &visited {
            let sig = &self.sigs[s as usize];
            let (before, after) = (self.mask(sig, false), self.mask(sig, true));
            if !sig.linked {
                let lost = before & !after;
                d.people += lost.count_ones() as u64 * sig.records;
                d.score += self.unlinked_score(lost, sig.records);
            }
            if self.w.is_identity_kit(before) && !self.w.is_identity_kit(after) {
                d.kits += sig.records;
                d.score += self.w.identity_kit * sig.records as f64;
            }
        }
        for &u in &live {
            self.in_action[u as usize] = false;
        }
        for s in visited {
            self.sig_seen[s as usize] = false;
        }
        d
    }

    fn apply(&mut self, action: &[u32]) {
        for &u in action {
            if !self.removed[u as usize] {
                self.removed[u as usize] = true;
                for &g in &self.units[u as usize].groups {
                    self.group_left[g as usize] -= 1;
                }
            }
        }
    }
}

pub(super) fn derive(state: State, weights: Weights) -> io::Result<Exposure> {
    derive_with_budget(state, weights, PASS_BYTES)
}

/// [`derive()`] with another pass budget (tests force many small passes with it).
pub(super) fn derive_with_budget(
    mut state: State,
    weights: Weights,
    budget: u64,
) -> io::Result<Exposure> {
    // A state read from a file is input: make every index below valid (a no-op for states
    // built here or passed through `State::merge`).
    state.sanitise();

    // Units.
    let mut units: Vec<Unit> = Vec::new();
    let mut base = Vec::with_capacity(state.inputs.len());
    let mut unit_input: Vec<u32> = Vec::new();
    for (i, input) in state.inputs.iter().enumerate() {
        base.push(units.len() as u32);
        units.extend(input.places.iter().map(|p| Unit {
            kind: p.kind,
            bit: kind_bit(p.kind),
            values: p.values,
            groups: Vec::new(),
        }));
        unit_input.resize(units.len(), i as u32);
    }

    // People: values that do not link found first, then clusters linked across inputs
    // through the others, then grouped by what exposes them.
    let bound = weights.max_link_partners.min(MAX_LINK_PARTNERS);
    let shared = shared_values(&state, bound, budget)?;
    let (person, linked_people) = link_people(&state, &shared.set, bound, budget)?;
    let unit_bits: Vec<u16> = units.iter().map(|u| u.bit).collect();
    let tree = Tree::build(state.inputs.iter().map(|i| i.path.as_str()));
    let people = group_people(
        &state,
        &person,
        linked_people,
        (&base, &unit_bits, &unit_input, &tree),
        (bound, budget),
    )?;
    drop(person);
    let mut group_weight = Vec::with_capacity(people.groups.len());
    let mut group_people = Vec::with_capacity(people.groups.len());
    let mut group_left = Vec::with_capacity(people.groups.len());
    let mut kind_people: BTreeMap<Kind, u64> = BTreeMap::new();
    for (g, (key, &n)) in people.groups.iter().enumerate() {
        // Keys are the kind's bit, then the units (never empty, all of that kind).
        let members = &key[1..];
        let kind = units[members[0] as usize].kind;
        group_weight.push(weights.person * weights.kind(kind) * n as f64);
        group_people.push(n);
        group_left.push(members.len() as u32);
        *kind_people.entry(kind).or_default() += n;
        for &u in members {
            units[u as usize].groups.push(g as u32);
        }
    }
    let n_groups = group_weight.len();

    // Signatures.
    let mut sigs = Vec::new();
    let mut input_sigs = Vec::with_capacity(state.inputs.len());
    for (i, input) in state.inputs.iter().enumerate() {
        let start = sigs.len();
        sigs.extend(input.signatures.iter().map(|s| Sig {
            units: s.places.iter().map(|&p| base[i] + p).collect(),
            linked: s.linked,
            records: s.records,
        }));
        input_sigs.push(start..sigs.len());
    }
    let n_units = units.len();
    let mut unit_sigs: Vec<Vec<u32>> = vec![Vec::new(); n_units];
    for (si, sig) in sigs.iter().enumerate() {
        for &u in &sig.units {
            if let Some(list) = unit_sigs.get_mut(u as usize) {
                list.push(si as u32);
            }
        }
    }
    let n_sigs = sigs.len();
    let mut m = Model {
        w: &weights,
        units,
        group_weight,
        group_people,
        group_left,
        sigs,
        input_sigs,
        unit_sigs,
        removed: vec![false; n_units],
        in_action: vec![false; n_units],
        sig_seen: vec![false; n_sigs],
        dec: vec![0; n_groups],
    };
    let risk_score = m.total();

    // Per kind, combinations, kits, unlinked people.
    let mut kind_values: BTreeMap<Kind, u64> = BTreeMap::new();
    let mut kind_inputs: BTreeMap<Kind, u64> = BTreeMap::new();
    let mut combos: BTreeMap<u16, u64> = BTreeMap::new();
    let mut summary = Summary {
        linked_people,
        risk_score,
        shared_values: shared.total,
        ..Summary::default()
    };
    let mut inputs_out = Vec::with_capacity(state.inputs.len());
    for (i, input) in state.inputs.iter().enumerate() {
        let mut kits = 0;
        let mut with_pii = 0;
        let mut place_unlinked = vec![0u64; input.places.len()];
        // Records whose linking values are all shared (their people are in the groups).
        let mut unlinked = people.unlinked_per_input[i];
        for sig in &m.sigs[m.input_sigs[i].clone()] {
            let mask = m.mask(sig, false);
            with_pii += sig.records;
            *combos.entry(mask).or_default() += sig.records;
            if weights.is_identity_kit(mask) {
                kits += sig.records;
            }
            if !sig.linked {
                unlinked += sig.records;
                for k in kinds_of(mask) {
                    *kind_people.entry(k).or_default() += sig.records;
                }
                for &u in &sig.units {
                    place_unlinked[(u - base[i]) as usize] += sig.records;
                }
            }
        }
        let mut input_kinds = 0u16;
        let places: Vec<PlaceExposure> = input
            .places
            .iter()
            .enumerate()
            .map(|(p, ps)| {
                let g = base[i] + p as u32;
                *kind_values.entry(ps.kind).or_default() += ps.values;
                input_kinds |= kind_bit(ps.kind);
                PlaceExposure {
                    field: ps.field.clone(),
                    kind: ps.kind,
                    values: ps.values,
                    distinct_values: ps.distinct_values,
                    records: ps.records,
                    people: m.units[g as usize]
                        .groups
                        .iter()
                        .map(|&grp| m.group_people[grp as usize])
                        .sum::<u64>()
                        + place_unlinked[p],
                    confidence: ps.confidence,
                    risk: m.evaluate(&[g]).score,
                    rows_exposed_estimate: None,
                }
            })
            .collect();
        for k in kinds_of(input_kinds) {
            *kind_inputs.entry(k).or_default() += 1;
        }
        let all: Vec<u32> = (base[i]..base[i] + input.places.len() as u32).collect();
        summary.records += input.records;
        summary.records_with_pii += with_pii;
        summary.unlinked_people += unlinked;
        summary.identity_kit_records += kits;
        inputs_out.push(InputExposure {
            path: input.path.clone(),
            records: input.records,
            records_with_pii: with_pii,
            people: people.per_input[i] + unlinked,
            identity_kit_records: kits,
            risk: m.evaluate(&all).score,
            places,
        });
    }
    summary.people = summary.linked_people + summary.unlinked_people;
    // Before the plan: it removes units from the model as it goes.
    let (folders, folder_plan) = folders(&state, &tree, &people, &inputs_out, &base, &mut m);

    let kinds = kind_values
        .iter()
        .map(|(&kind, &values)| KindExposure {
            kind,
            values,
            people: kind_people.get(&kind).copied().unwrap_or(0),
            inputs: kind_inputs.get(&kind).copied().unwrap_or(0),
        })
        .collect();
    let mut combinations: Vec<Combination> = combos
        .into_iter()
        .map(|(mask, records)| Combination {
            kinds: kinds_of(mask),
            records,
            identity_kit: weights.is_identity_kit(mask),
        })
        .collect();
    combinations.sort_by(|a, b| b.records.cmp(&a.records).then(a.kinds.cmp(&b.kinds)));

    let overlaps = overlaps(&state, &people.shared, &people.per_input);
    let copies = redundant_copies(&state, &overlaps, &people.per_input, &inputs_out, budget)?;
    let plan = plan(&state, &mut m, &base, &copies, &inputs_out);
    Ok(Exposure {
        linking_kinds: LINKING.to_vec(),
        weights: weights.clone(),
        summary,
        inputs: inputs_out,
        kinds,
        combinations,
        overlaps,
        plan,
        folders,
        folder_plan,
        shared_values: shared.listed,
        state,
    })
}

fn overlaps(state: &State, shared: &BTreeMap<(u32, u32), u64>, per_input: &[u64]) -> Vec<Overlap> {
    let path = |i: u32| state.inputs[i as usize].path.as_str();
    let share = |a: u32, n: u64| n as f64 / per_input[a as usize].max(1) as f64;
    let order = |x: &(u32, u32, u64), y: &(u32, u32, u64)| {
        share(y.0, y.2)
            .total_cmp(&share(x.0, x.2))
            .then_with(|| y.2.cmp(&x.2))
            .then_with(|| path(x.0).cmp(path(y.0)))
            .then_with(|| path(x.1).cmp(path(y.1)))
    };
    // Pairs can number millions (a million files, each person in twenty of them): the listed
    // ones are chosen before any path is copied — copying both paths of every pair first took
    // gigabytes.
    let mut pairs: Vec<(u32, u32, u64)> = shared.iter().map(|(&(a, b), &n)| (a, b, n)).collect();
    if pairs.len() > MAX_OVERLAPS {
        pairs.select_nth_unstable_by(MAX_OVERLAPS - 1, order);
        pairs.truncate(MAX_OVERLAPS);
    }
    pairs.sort_by(order);
    pairs
        .into_iter()
        .map(|(a, b, n)| Overlap {
            input: path(a).to_string(),
            other: path(b).to_string(),
            shared_people: n,
            share: share(a, n),
        })
        .collect()
}

/// Memory one derivation pass may use for its buffer. Passes re-read the clusters (from the
/// spool's page cache during a scan), so a smaller budget costs time, not correctness.
pub const PASS_BYTES: u64 = 32 << 20;

/// What derivation decides about linking values before it links people (module docs, "Shared
/// values").
pub(super) struct Shared {
    /// Values with more partners than the bound: they do not link.
    pub(super) set: FpSet,
    /// Those values and the placeholders, most records first, at most [`MAX_SHARED_LISTED`].
    pub(super) listed: Vec<SharedValue>,
    /// How many there are in all.
    pub(super) total: u64,
}

/// Shared values listed in the report (the most frequent; the summary counts them all).
pub const MAX_SHARED_LISTED: usize = 100;

/// Whether a cluster of `k` linking values is one person's (else a list of people: its values
/// neither link to each other nor count as each other's partners).
fn one_person(k: usize, bound: usize) -> bool {
    k <= bound + 1
}

/// Finds the values with more than `bound` distinct partners — other linking values held in
/// one person's record with them, over every input — and lists them with the placeholders.
///
/// Partners are counted exactly, one slice of the fingerprint hash space per pass, in two
/// steps. First an upper bound: each occurrence of a value in a cluster of one person's size
/// adds that cluster's other values (records holding the same set share a cluster, so one
/// customer on 50 order rows adds 1, not 50); values whose bound is within `bound` cannot be
/// shared, which is nearly all of them. Then, for the rest only, the (value, partner) pairs,
/// whose distinct count is the partners. Buffers are compacted (summed, deduplicated) whenever
/// they fill and grow only if that does not free half of them. A last read sums the records
/// of the values found. Everything is taken from the whole state, so a value whose partners
/// are spread over shards is found in the merged report as in one scan.
fn shared_values(state: &State, bound: usize, budget: u64) -> io::Result<Shared> {
    let fingerprints: u64 = state.inputs.iter().map(|i| i.clusters.fingerprints()).sum();
    // (fingerprint halves, count): 24 bytes.
    let n_passes = passes(fingerprints, 24, budget);
    let mut cap = usize::try_from(budget / 24).unwrap_or(usize::MAX).max(2);
    let mut pair_cap = usize::try_from(budget / 32).unwrap_or(usize::MAX).max(2);
    let mut upper: Vec<(u64, u64, u64)> = Vec::new();
    let mut pairs: Vec<(u128, u128)> = Vec::new();
    let mut found: Vec<(Fp, u64)> = Vec::new();
    let linkable = |k: usize| k >= 2 && one_person(k, bound);
    for pass in 0..n_passes {
        let in_slice = |fp: &Fp| slice_of((fp.0 >> 64) as u64, n_passes) == pass;
        upper.clear();
        for input in &state.inputs {
            let mut cur = input.clusters.cursor()?;
            while let Some((fps, _, _)) = cur.next_cluster()? {
                if !linkable(fps.len()) {
                    continue;
                }
                for v in fps.iter().filter(|v| in_slice(v)) {
                    if upper.len() == cap {
                        sum_runs(&mut upper);
                        if upper.len() > cap / 2 {
                            cap = cap.saturating_mul(2);
                        }
                    }
                    upper.push(((v.0 >> 64) as u64, v.0 as u64, fps.len() as u64 - 1));
                }
            }
        }
        sum_runs(&mut upper);
        let candidates: Vec<u128> = upper
            .iter()
            .filter(|e| e.2 > bound as u64)
            .map(|e| (u128::from(e.0) << 64) | u128::from(e.1))
            .collect();
        if candidates.is_empty() {
            continue;
        }
        pairs.clear();
        for input in &state.inputs {
            let mut cur = input.clusters.cursor()?;
            while let Some((fps, _, _)) = cur.next_cluster()? {
                if !linkable(fps.len()) {
                    continue;
                }
                for v in fps {
                    if !in_slice(v) || candidates.binary_search(&v.0).is_err() {
                        continue;
                    }
                    if pairs.len() + fps.len() > pair_cap {
                        pairs.sort_unstable();
                        pairs.dedup();
                        if pairs.len() + fps.len() > pair_cap / 2 {
                            pair_cap = pair_cap.saturating_mul(2).max(pairs.len() + fps.len());
                        }
                    }
                    pairs.extend(fps.iter().filter(|w| *w != v).map(|w| (v.0, w.0)));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        for run in pairs.chunk_by(|a, b| a.0 == b.0) {
            if run.len() > bound {
                found.push((Fp(run[0].0), run.len() as u64));
            }
        }
    }
    found.sort_unstable();
    let set: Vec<Fp> = found.iter().map(|&(fp, _)| fp).collect();
    let mut records = vec![0u64; set.len()];
    if !set.is_empty() {
        for input in &state.inputs {
            let mut cur = input.clusters.cursor()?;
            while let Some((fps, _, n)) = cur.next_cluster()? {
                for fp in fps {
                    if let Ok(i) = set.binary_search(fp) {
                        records[i] += n;
                    }
                }
            }
        }
    }
    let mut placeholders: BTreeMap<Fp, (Kind, u64)> = BTreeMap::new();
    for input in &state.inputs {
        for p in &input.placeholders {
            placeholders.entry(p.fingerprint).or_insert((p.kind, 0)).1 += p.records;
        }
    }
    let mut listed: Vec<SharedValue> = placeholders
        .into_iter()
        .map(|(fingerprint, (kind, records))| SharedValue {
            fingerprint,
            kind: Some(kind),
            reason: SharedReason::Placeholder,
            records,
            partners: 0,
        })
        .chain(
            found
                .iter()
                .zip(&records)
                .map(|(&(fingerprint, partners), &records)| SharedValue {
                    fingerprint,
                    kind: None,
                    reason: SharedReason::Partners,
                    records,
                    partners,
                }),
        )
        .collect();
    let total = listed.len() as u64;
    listed.sort_by(|a, b| {
        b.records
            .cmp(&a.records)
            .then(b.partners.cmp(&a.partners))
            .then(a.fingerprint.cmp(&b.fingerprint))
    });
    listed.truncate(MAX_SHARED_LISTED);
    Ok(Shared {
        set: set.into_iter().collect(),
        listed,
        total,
    })
}

/// Sorts (fingerprint halves, count) entries and sums the counts of each fingerprint.
fn sum_runs(buf: &mut Vec<(u64, u64, u64)>) {
    buf.sort_unstable();
    buf.dedup_by(|next, kept| {
        let same = (next.0, next.1) == (kept.0, kept.1);
        if same {
            kept.2 = kept.2.saturating_add(next.2);
        }
        same
    });
}

/// A person number for a node that belongs to nobody: every value it holds is shared.
const NOBODY: u32 = u32::MAX;

/// Calls `f(cluster index, first node, its values)` for every cluster in state order. A
/// cluster of one person's size is one node; a larger one (a list of people) is one node per
/// value, so its values stay apart.
fn for_each_cluster(
    state: &State,
    bound: usize,
    mut f: impl FnMut(usize, u32, &[Fp], &[u32], u64),
) -> io::Result<u32> {
    let mut node = 0u32;
    for (i, input) in state.inputs.iter().enumerate() {
        let mut cur = input.clusters.cursor()?;
        while let Some((fps, places, records)) = cur.next_cluster()? {
            f(i, node, fps, places, records);
            let n = if one_person(fps.len(), bound) {
                1
            } else {
                fps.len()
            };
            node = u32::try_from(n)
                .ok()
                .and_then(|n| node.checked_add(n))
                .ok_or_else(|| io::Error::other("more than 4 billion person clusters"))?;
        }
    }
    Ok(node)
}

/// The node of `fps[j]` in a cluster whose first node is `first`.
fn node_of(first: u32, j: usize, k: usize, bound: usize) -> u32 {
    if one_person(k, bound) {
        first
    } else {
        first + j as u32
    }
}

/// Links clusters that share a value that is not in `shared`, across all inputs, and numbers
/// the people. Returns the person of every node (see [`for_each_cluster`]; [`NOBODY`] for a
/// node whose values are all shared) and how many people there are.
///
/// Each pass takes the fingerprints of one slice of the hash space (fingerprints are keyed
/// HMACs, so uniform), sorts (fingerprint, node) pairs and unions the nodes of each run.
/// The union-find links the larger root under the smaller, so a node's parent never
/// follows it, which lets the final numbering overwrite the parents in place: 4 bytes per
/// node in all, and a bit per node for whether it holds an unshared value.
fn link_people(
    state: &State,
    shared: &FpSet,
    bound: usize,
    budget: u64,
) -> io::Result<(Vec<u32>, u64)> {
    let is_shared = |fp: &Fp| !shared.is_empty() && shared.contains(fp);
    let fingerprints: u64 = state.inputs.iter().map(|i| i.clusters.fingerprints()).sum();
    // Nodes, and which of them hold a value that links.
    let mut live: Vec<u64> = Vec::new();
    let n = for_each_cluster(state, bound, |_, first, fps, _, _| {
        for (j, fp) in fps.iter().enumerate() {
            if !is_shared(fp) {
                let node = node_of(first, j, fps.len(), bound) as usize;
                if live.len() <= node / 64 {
                    live.resize(node / 64 + 1, 0);
                }
                live[node / 64] |= 1 << (node % 64);
            }
        }
    })?;
    let is_live = |c: usize| live.get(c / 64).is_some_and(|w| w & (1 << (c % 64)) != 0);
    let mut parent: Vec<u32> = (0..n).collect();
    // (fingerprint halves, node): 24 bytes, where a u128 key would be aligned to 32.
    let n_passes = passes(fingerprints, 24, budget);
    let mut cap = usize::try_from(budget / 24).unwrap_or(usize::MAX).max(2);
    let mut buf: Vec<(u64, u64, u32)> =
        Vec::with_capacity(cap.min(usize::try_from(fingerprints).unwrap_or(cap)));
    for pass in 0..n_passes {
        buf.clear();
        for_each_cluster(state, bound, |_, first, fps, _, _| {
            for (j, fp) in fps.iter().enumerate() {
                let hi = (fp.0 >> 64) as u64;
                if slice_of(hi, n_passes) != pass || is_shared(fp) {
                    continue;
                }
                if buf.len() == cap {
                    union_runs(&mut buf, &mut parent);
                    // Mostly distinct values (or fingerprints chosen to land in one slice,
                    // from an edited report): grow rather than compact forever.
                    if buf.len() > cap / 2 {
                        cap *= 2;
                    }
                }
                buf.push((hi, fp.0 as u64, node_of(first, j, fps.len(), bound)));
            }
        })?;
        union_runs(&mut buf, &mut parent);
    }
    drop(buf);
    // Number the roots in node order. A parent is never above its child, so when `c` is
    // reached its parent's slot already holds the component's number. A node without an
    // unshared value was never joined to anything: it is nobody.
    let mut people = 0u32;
    for c in 0..parent.len() {
        let p = parent[c] as usize;
        if !is_live(c) {
            parent[c] = NOBODY;
        } else if p == c {
            parent[c] = people;
            people += 1;
        } else {
            parent[c] = parent[p];
        }
    }
    Ok((parent, u64::from(people)))
}

/// Sorts `buf`, unions the nodes of each run of one fingerprint and keeps one entry per
/// fingerprint: enough to link nodes that arrive later, so a full buffer can be compacted
/// and filled again (a pass can hold more occurrences than fit when values repeat).
fn union_runs(buf: &mut Vec<(u64, u64, u32)>, parent: &mut [u32]) {
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let gp = parent[parent[x as usize] as usize];
            parent[x as usize] = gp;
            x = gp;
        }
        x
    }
    buf.sort_unstable();
    for w in buf.windows(2) {
        if (w[0].0, w[0].1) == (w[1].0, w[1].1) {
            let (a, b) = (find(parent, w[0].2), find(parent, w[1].2));
            // The larger root goes under the smaller: parents never follow their children.
            if a < b {
                parent[b as usize] = a;
            } else if b < a {
                parent[a as usize] = b;
            }
        }
    }
    buf.dedup_by_key(|e| (e.0, e.1));
}

/// What [`group_people`] finds out about the people.
struct People {
    /// (kind bit, units…) → people exposed to that kind by exactly those units.
    groups: BTreeMap<Vec<u32>, u64>,
    /// Linked people per input.
    per_input: Vec<u64>,
    /// Per input: records whose linking values are all shared, each one person.
    unlinked_per_input: Vec<u64>,
    /// (input, other input) → linked people in both (both orders).
    shared: BTreeMap<(u32, u32), u64>,
    /// Linked people per folder of the inputs' [`Tree`] (a person counts once per folder).
    per_folder: Vec<u64>,
}

/// Rolls inputs up into their listed folders (`folders.rs`), highest risk first, and plans
/// which folders to restrict or purge (greedy, as the main plan; `m` is left as it was).
fn folders(
    state: &State,
    tree: &Tree,
    people: &People,
    inputs: &[InputExposure],
    base: &[u32],
    m: &mut Model<'_>,
) -> (Vec<FolderExposure>, Vec<FolderStep>) {
    let listed = tree.listed(state.inputs.len() as u64);
    let mut out: Vec<FolderExposure> = (0..tree.len())
        .map(|f| FolderExposure {
            path: tree.names[f].clone(),
            files: tree.inputs[f],
            files_with_pii: 0,
            records_with_pii: 0,
            values: 0,
            people: people.per_folder.get(f).copied().unwrap_or(0),
            identity_kit_records: 0,
            risk: 0.0,
            risk_share: 0.0,
        })
        .collect();
    let mut units: Vec<Vec<u32>> = vec![Vec::new(); tree.len()];
    for (i, (input, ex)) in state.inputs.iter().zip(inputs).enumerate() {
        let unlinked = ex.people - people.per_input[i];
        let values: u64 = input.places.iter().map(|p| p.values).sum();
        for &f in tree.of(i) {
            let (f, o) = (f as usize, &mut out[f as usize]);
            if !listed[f] {
                continue;
            }
            o.files_with_pii += u64::from(ex.records_with_pii > 0 || values > 0);
            o.records_with_pii += ex.records_with_pii;
            o.values += values;
            o.people += unlinked;
            o.identity_kit_records += ex.identity_kit_records;
            units[f].extend(base[i]..base[i] + input.places.len() as u32);
        }
    }
    let total = m.total();
    let mut kept = Vec::new();
    for (f, mut o) in out.into_iter().enumerate() {
        if !listed[f] || o.files_with_pii == 0 {
            continue;
        }
        o.risk = m.evaluate(&units[f]).score;
        o.risk_share = if total > 0.0 { o.risk / total } else { 0.0 };
        kept.push((o, std::mem::take(&mut units[f])));
    }
    kept.sort_by(|a, b| {
        b.0.risk
            .total_cmp(&a.0.risk)
            .then_with(|| a.0.path.cmp(&b.0.path))
    });
    let steps = folder_plan(m, &kept, total);
    (kept.into_iter().map(|(o, _)| o).collect(), steps)
}

/// Greedy over folders, like [`plan`] over places and inputs: take the folder whose removal
/// removes the most of what is left, apply it, re-score the rest; at most
/// [`Weights::max_actions`] steps, stopping when nothing more is removed. Every round scores
/// every folder (removing one folder can make another worth more: a person in both is only
/// unexposed when both go), so a round costs the folders' units, at most the inputs' units
/// times the tree's depth. The model is restored afterwards for the main plan.
fn folder_plan(
    m: &mut Model<'_>,
    folders: &[(FolderExposure, Vec<u32>)],
    total: f64,
) -> Vec<FolderStep> {
    let (removed, left) = (m.removed.clone(), m.group_left.clone());
    let mut steps = Vec::new();
    let mut taken = vec![false; folders.len()];
    let mut cumulative = 0.0;
    for rank in 1..=m.w.max_actions {
        let mut best: Option<(usize, f64)> = None;
        for (f, (_, units)) in folders.iter().enumerate() {
            if taken[f] {
                continue;
            }
            let score = m.evaluate(units).score;
            if score > best.map_or(1e-9, |b| b.1) {
                best = Some((f, score));
            }
        }
        let Some((f, score)) = best else { break };
        taken[f] = true;
        m.apply(&folders[f].1);
        cumulative += score;
        let o = &folders[f].0;
        steps.push(FolderStep {
            rank: rank as u32,
            path: o.path.clone(),
            files_with_pii: o.files_with_pii,
            score,
            cumulative_share: if total > 0.0 { cumulative / total } else { 0.0 },
        });
    }
    m.removed = removed;
    m.group_left = left;
    steps
}

/// Gathers each person's units (over all their nodes) and reduces them to groups, people
/// per input and shared people per pair of inputs. Each pass handles a range of people,
/// sized so that its (person, unit) pairs would fit in `budget` if people were even.
/// They are not: one person can own most nodes (a customer on every order row), so the
/// buffer is sorted and deduplicated whenever it fills — a person's distinct units are at
/// most the places there are — and only grows if that does not free half of it.
///
/// A cluster whose values are all shared links to nobody: like a record without a linking
/// value, each of its records is one person of its own, exposed by its places (counted in the
/// first pass).
fn group_people(
    state: &State,
    person: &[u32],
    people: u64,
    (base, unit_bits, unit_input, tree): (&[u32], &[u16], &[u32], &Tree),
    (bound, budget): (usize, u64),
) -> io::Result<People> {
    let refs: u64 = state.inputs.iter().map(|i| i.clusters.place_refs()).sum();
    let n_passes = passes(refs, 8, budget);
    let span = people.div_ceil(n_passes).max(1);
    let mut out = People {
        groups: BTreeMap::new(),
        per_input: vec![0; state.inputs.len()],
        unlinked_per_input: vec![0; state.inputs.len()],
        shared: BTreeMap::new(),
        per_folder: vec![0; tree.len()],
    };
    // Per folder: the last person counted in it, so a person in several of its inputs counts
    // once (people are numbered from 0; u64::MAX is nobody).
    let mut folder_seen = vec![u64::MAX; tree.len()];
    let mut groups: HashMap<Vec<u32>, u64> = HashMap::new();
    let mut cap = usize::try_from(budget / 8).unwrap_or(usize::MAX).max(2);
    let mut buf: Vec<(u32, u32)> = Vec::new();
    let (mut inputs, mut key) = (Vec::new(), Vec::new());
    let add_group =
        |groups: &mut HashMap<Vec<u32>, u64>, key: &[u32], n: u64| match groups.get_mut(key) {
            Some(g) => *g += n,
            None => {
                groups.insert(key.to_vec(), n);
            }
        };
    for pass in 0..n_passes.max(1) {
        let range = pass * span..((pass + 1) * span).min(people);
        buf.clear();
        for_each_cluster(state, bound, |i, first, fps, places, records| {
            let nodes = if one_person(fps.len(), bound) {
                1
            } else {
                fps.len()
            };
            let mut anybody = false;
            for node in first..first + nodes as u32 {
                let p = person[node as usize];
                if p == NOBODY {
                    continue;
                }
                anybody = true;
                if !range.contains(&u64::from(p)) {
                    continue;
                }
                if buf.len() + places.len() > cap {
                    buf.sort_unstable();
                    buf.dedup();
                    if buf.len() + places.len() > cap / 2 {
                        cap = cap.saturating_mul(2).max(buf.len() + places.len());
                    }
                    buf.reserve_exact(cap - buf.len());
                }
                buf.extend(places.iter().map(|&pl| (p, base[i] + pl)));
            }
            if !anybody && pass == 0 && records > 0 {
                out.unlinked_per_input[i] += records;
                let mut bits = places
                    .iter()
                    .fold(0u16, |m, &pl| m | unit_bits[(base[i] + pl) as usize]);
                while bits != 0 {
                    let bit = bits & bits.wrapping_neg();
                    bits &= !bit;
                    let mut key = vec![u32::from(bit)];
                    key.extend(
                        places
                            .iter()
                            .map(|&pl| base[i] + pl)
                            .filter(|&u| unit_bits[u as usize] == bit),
                    );
                    add_group(&mut groups, &key, records);
                }
            }
        })?;
        buf.sort_unstable();
        buf.dedup();
        for run in buf.chunk_by(|a, b| a.0 == b.0) {
            // Units are numbered input by input, so a person's inputs come out sorted.
            inputs.clear();
            let mut mask = 0u16;
            for &(_, u) in run {
                let i = unit_input[u as usize];
                if inputs.last() != Some(&i) {
                    inputs.push(i);
                }
                mask |= unit_bits[u as usize];
            }
            let who = u64::from(run[0].0);
            for &i in &inputs {
                out.per_input[i as usize] += 1;
                for &f in tree.of(i as usize) {
                    if folder_seen[f as usize] != who {
                        folder_seen[f as usize] = who;
                        out.per_folder[f as usize] += 1;
                    }
                }
            }
            // Pairwise counting is quadratic in the inputs one person appears in: a person
            // present in thousands of files (a support address in every ticket) would make
            // millions of pairs. Such people are left out of the pairwise table (they overlap
            // everything), and the table keeps the strongest MAX_OVERLAPS pairs.
            if inputs.len() > 1 && inputs.len() <= MAX_OVERLAP_FANOUT {
                for &a in &inputs {
                    for &b in &inputs {
                        if a != b {
                            *out.shared.entry((a, b)).or_default() += 1;
                        }
                    }
                }
            }
            let mut bits = mask;
            while bits != 0 {
                let bit = bits & bits.wrapping_neg();
                bits &= !bit;
                key.clear();
                key.push(u32::from(bit));
                key.extend(
                    run.iter()
                        .filter(|&&(_, u)| unit_bits[u as usize] == bit)
                        .map(|&(_, u)| u),
                );
                add_group(&mut groups, &key, 1);
            }
        }
    }
    // Sorted, so that group numbers (and the order scores are summed in) do not depend on
    // hashing.
    out.groups = groups.into_iter().collect();
    Ok(out)
}

/// People present in more inputs than this are not counted in pairwise overlaps.
pub const MAX_OVERLAP_FANOUT: usize = 64;
/// Overlap pairs reported (the strongest first).
pub const MAX_OVERLAPS: usize = 1000;

/// Pairs (input, other input) where the first is a redundant copy: every one of its linked
/// people is in the other, it has no unlinked records (those people cannot be shown to exist
/// elsewhere), and the other holds their *values* too — see [`values_missing`]. Sorted as
/// `overlaps` is (share, shared people, paths), so the plan's order is deterministic.
fn redundant_copies(
    state: &State,
    overlaps: &[Overlap],
    per_input: &[u64],
    inputs: &[InputExposure],
    budget: u64,
) -> io::Result<Vec<(usize, usize)>> {
    let index: HashMap<&str, usize> = state
        .inputs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.path.as_str(), i))
        .collect();
    let mut out = Vec::new();
    for o in overlaps {
        let (Some(&a), Some(&x)) = (index.get(o.input.as_str()), index.get(o.other.as_str()))
        else {
            continue;
        };
        let linked = per_input[a];
        if linked == 0 || inputs[a].people != linked || o.shared_people != linked {
            continue;
        }
        if !values_missing(state, a, x, budget)? {
            out.push((a, x));
        }
    }
    Ok(out)
}

/// Whether input `a` holds a value of one of its people that input `x` lacks: "all its people
/// are also in `x`" must mean their values too, or deleting `a` loses data (a copy holding
/// cards and dates of birth next to the same emails is not redundant).
///
/// For each of `a`'s clusters (a person as seen in `a`): every linking fingerprint (email,
/// phone, card, ID, loyalty, passport) must be one of `x`'s, and every kind `a` exposes for the
/// person must be exposed by the clusters of `x` that share those fingerprints. Kinds that do
/// not link (date of birth, name, address, IBAN, IP) have no fingerprints in the state, so for
/// them "also in `x`" means `x` exposes that kind for the same person, not the same value. A
/// person `x` holds only through a third input counts as missing (the safe direction: the
/// copy is kept).
///
/// Streams both inputs' clusters in passes over slices of the fingerprint hash space sized to
/// `budget` (as [`link_people`]), holding 2 bytes per cluster of `a`.
fn values_missing(state: &State, a: usize, x: usize, budget: u64) -> io::Result<bool> {
    let (ia, ix) = (&state.inputs[a], &state.inputs[x]);
    let kinds_of_places = |input: &super::state::InputState, places: &[u32]| {
        places
            .iter()
            .filter_map(|&p| input.places.get(p as usize))
            .fold(0u16, |m, p| m | kind_bit(p.kind))
    };
    let n_passes = passes(ix.clusters.fingerprints(), 24, budget);
    // Per cluster of `a`: the kinds `x` exposes for the same person (via shared fingerprints).
    let mut covered: Vec<u16> = Vec::new();
    let mut cap = usize::try_from(budget / 24).unwrap_or(usize::MAX).max(2);
    let mut buf: Vec<(u128, u16)> = Vec::new();
    // One entry per fingerprint, with the kinds of every cluster holding it.
    let compact = |buf: &mut Vec<(u128, u16)>| {
        buf.sort_unstable();
        buf.dedup_by(|later, first| {
            let same = later.0 == first.0;
            if same {
                first.1 |= later.1;
            }
            same
        });
    };
    for pass in 0..n_passes {
        buf.clear();
        let mut cur = ix.clusters.cursor()?;
        while let Some((fps, places, _)) = cur.next_cluster()? {
            let kinds = kinds_of_places(ix, places);
            for fp in fps {
                if slice_of((fp.0 >> 64) as u64, n_passes) == pass {
                    if buf.len() == cap {
                        // Repeated values: compact; mostly distinct ones: grow (as
                        // `link_people` does).
                        compact(&mut buf);
                        if buf.len() > cap / 2 {
                            cap *= 2;
                        }
                    }
                    buf.push((fp.0, kinds));
                }
            }
        }
        compact(&mut buf);
        let mut cur = ia.clusters.cursor()?;
        let mut c = 0usize;
        while let Some((fps, _, _)) = cur.next_cluster()? {
            if covered.len() <= c {
                covered.push(0);
            }
            for fp in fps {
                if slice_of((fp.0 >> 64) as u64, n_passes) != pass {
                    continue;
                }
                match buf.binary_search_by_key(&fp.0, |e| e.0) {
                    Ok(k) => covered[c] |= buf[k].1,
                    // A linking value `x` does not hold.
                    Err(_) => return Ok(true),
                }
            }
            c += 1;
        }
    }
    let mut cur = ia.clusters.cursor()?;
    let mut c = 0usize;
    while let Some((_, places, _)) = cur.next_cluster()? {
        let wanted = kinds_of_places(ia, places);
        if wanted & !covered.get(c).copied().unwrap_or(0) != 0 {
            return Ok(true);
        }
        c += 1;
    }
    Ok(false)
}

/// The description of a delete step: what is also in the other input, and what else deleting
/// the input loses.
fn delete_description(input: &InputExposure, duplicate_of: &str) -> String {
    let mut kinds: Vec<Kind> = input.places.iter().map(|p| p.kind).collect();
    kinds.sort();
    kinds.dedup();
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    format!(
        "delete {} (its {} people and their {} values are all also in {duplicate_of}; \
         deleting it also loses whatever else its {} records hold)",
        input.path,
        input.people,
        kinds.join(", "),
        input.records
    )
}

fn plan(
    state: &State,
    m: &mut Model<'_>,
    base: &[u32],
    copies: &[(usize, usize)],
    inputs: &[InputExposure],
) -> Vec<PlanStep> {
    let mut candidates: Vec<(Action, Vec<u32>)> = Vec::new();
    for (i, input) in state.inputs.iter().enumerate() {
        for (p, place) in input.places.iter().enumerate() {
            let action = if place.kind == Kind::DateOfBirth {
                Action::GeneraliseDob {
                    input: input.path.clone(),
                    field: place.field.clone(),
                }
            } else {
                Action::Redact {
                    input: input.path.clone(),
                    field: place.field.clone(),
                    kind: place.kind,
                }
            };
            candidates.push((action, vec![base[i] + p as u32]));
        }
    }
    // Redundant copies (see `redundant_copies`): one candidate per input that holds all of
    // a copy's people and values — which copy survives decides whether the deletion is still
    // justified later (see the loop below).
    for &(i, x) in copies {
        let input = &state.inputs[i];
        candidates.push((
            Action::DeleteInput {
                input: input.path.clone(),
                duplicate_of: state.inputs[x].path.clone(),
            },
            (base[i]..base[i] + input.places.len() as u32).collect(),
        ));
    }
    // Inputs the plan has deleted: no later deletion may be justified by a copy that is gone,
    // and an input is deleted at most once (else "delete A, it is in B; delete B, it is in A").
    let mut deleted: Vec<&str> = Vec::new();
    let total = m.total();
    let mut used = vec![false; candidates.len()];
    let mut steps = Vec::new();
    let mut cumulative = 0.0;
    while steps.len() < m.w.max_actions {
        let mut best: Option<(usize, Delta)> = None;
        for (c, (action, units)) in candidates.iter().enumerate() {
            if used[c] {
                continue;
            }
            if let Action::DeleteInput {
                input,
                duplicate_of,
            } = action
                && (deleted.contains(&duplicate_of.as_str()) || deleted.contains(&input.as_str()))
            {
                continue;
            }
            let d = m.evaluate(units);
            if d.score > 1e-9 && best.is_none_or(|(_, b)| d.score > b.score) {
                best = Some((c, d));
            }
        }
        let Some((c, d)) = best else { break };
        used[c] = true;
        if let Action::DeleteInput { input, .. } = &candidates[c].0 {
            deleted.push(input.as_str());
        }
        m.apply(&candidates[c].1);
        cumulative += d.score;
        let action = candidates[c].0.clone();
        let description = match &action {
            Action::DeleteInput {
                input,
                duplicate_of,
            } => inputs.iter().find(|i| &i.path == input).map_or_else(
                || action.describe(),
                |i| delete_description(i, duplicate_of),
            ),
            _ => action.describe(),
        };
        steps.push(PlanStep {
            rank: steps.len() as u32 + 1,
            description,
            action,
            score: d.score,
            values: d.values,
            people_unexposed: d.people,
            kits_dissolved: d.kits,
            cumulative,
            cumulative_share: if total > 0.0 {
                (cumulative / total).min(1.0)
            } else {
                0.0
            },
        });
    }
    steps
}
