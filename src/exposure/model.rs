//! Derivation: state → people, combinations, overlaps, risk and the greedy plan.
//!
//! Everything is flattened into dense arrays first: *units* (places of all inputs, globally
//! numbered), *pairs* ((person, kind) exposures, each with a live count of units exposing it)
//! and *signatures*. Scoring an action then touches only the action's units, their pairs and
//! their input's signatures, with no hashing.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use super::state::{Fp, Interner, State};
use super::{
    Action, Combination, Exposure, InputExposure, KindExposure, LINKING, Overlap, PlaceExposure,
    PlanStep, Summary, Weights, kind_bit, kinds_of,
};
use crate::finding::Kind;

struct Unit {
    kind: Kind,
    bit: u16,
    values: u64,
    /// Pair ids this unit exposes (distinct).
    pairs: Vec<u32>,
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
    pair_weight: Vec<f64>,
    pair_count: Vec<u32>,
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
        for (p, &c) in self.pair_count.iter().enumerate() {
            if c > 0 {
                r += self.pair_weight[p];
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
            for &p in &unit.pairs {
                if self.dec[p as usize] == 0 {
                    touched.push(p);
                }
                self.dec[p as usize] += 1;
            }
        }
        for p in touched {
            if self.pair_count[p as usize] == self.dec[p as usize] {
                d.people += 1;
                d.score += self.pair_weight[p as usize];
            }
            self.dec[p as usize] = 0;
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
                for &p in &self.units[u as usize].pairs {
                    self.pair_count[p as usize] -= 1;
                }
            }
        }
    }
}

pub(super) fn derive(mut state: State, weights: Weights) -> Exposure {
    // A state read from a file is input: make every index below valid (a no-op for states
    // built here or passed through `State::merge`).
    state.sanitise();
    // Global people: union clusters' fingerprints across all inputs.
    let mut interner = Interner::default();
    let mut cluster_first: Vec<Vec<u32>> = Vec::with_capacity(state.inputs.len());
    for input in &state.inputs {
        let mut firsts = Vec::with_capacity(input.clusters.len());
        for c in &input.clusters {
            let ids: Vec<u32> = c
                .fingerprints
                .iter()
                .map(|&fp: &Fp| interner.id(fp))
                .collect();
            for &id in &ids[1..] {
                interner.uf.union(ids[0], id);
            }
            firsts.push(ids[0]);
        }
        cluster_first.push(firsts);
    }
    let mut person_of_root: HashMap<u32, u32> = HashMap::new();
    let cluster_person: Vec<Vec<u32>> = cluster_first
        .iter()
        .map(|firsts| {
            firsts
                .iter()
                .map(|&f| {
                    let root = interner.uf.find(f);
                    let next = person_of_root.len() as u32;
                    *person_of_root.entry(root).or_insert(next)
                })
                .collect()
        })
        .collect();
    drop(interner);
    let linked_people = person_of_root.len() as u64;

    // Units and (person, kind) pairs.
    let mut units: Vec<Unit> = Vec::new();
    let mut base = Vec::with_capacity(state.inputs.len());
    for input in &state.inputs {
        base.push(units.len() as u32);
        units.extend(input.places.iter().map(|p| Unit {
            kind: p.kind,
            bit: kind_bit(p.kind),
            values: p.values,
            pairs: Vec::new(),
        }));
    }
    let mut pair_ids: HashMap<(u32, u16), u32> = HashMap::new();
    let mut pair_weight: Vec<f64> = Vec::new();
    let mut pair_kind: Vec<Kind> = Vec::new();
    let mut input_persons: Vec<Vec<u32>> = vec![Vec::new(); state.inputs.len()];
    for (i, input) in state.inputs.iter().enumerate() {
        for (c, cluster) in input.clusters.iter().enumerate() {
            let person = cluster_person[i][c];
            input_persons[i].push(person);
            for &p in &cluster.places {
                let g = (base[i] + p) as usize;
                let kind = units[g].kind;
                let next = pair_ids.len() as u32;
                let id = *pair_ids.entry((person, units[g].bit)).or_insert_with(|| {
                    pair_weight.push(weights.person * weights.kind(kind));
                    pair_kind.push(kind);
                    next
                });
                units[g].pairs.push(id);
            }
        }
        input_persons[i].sort_unstable();
        input_persons[i].dedup();
    }
    drop(pair_ids);
    let mut pair_count = vec![0u32; pair_weight.len()];
    for u in &mut units {
        u.pairs.sort_unstable();
        u.pairs.dedup();
        for &p in &u.pairs {
            pair_count[p as usize] += 1;
        }
    }

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
    let n_pairs = pair_weight.len();
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
        pair_weight,
        pair_count,
        sigs,
        input_sigs,
        unit_sigs,
        removed: vec![false; n_units],
        in_action: vec![false; n_units],
        sig_seen: vec![false; n_sigs],
        dec: vec![0; n_pairs],
    };
    let risk_score = m.total();

    // Per kind, combinations, kits, unlinked people.
    let mut kind_values: BTreeMap<Kind, u64> = BTreeMap::new();
    let mut kind_people: BTreeMap<Kind, u64> = BTreeMap::new();
    let mut kind_inputs: BTreeMap<Kind, u64> = BTreeMap::new();
    for k in &pair_kind {
        *kind_people.entry(*k).or_default() += 1;
    }
    let mut combos: BTreeMap<u16, u64> = BTreeMap::new();
    let mut summary = Summary {
        linked_people,
        risk_score,
        ..Summary::default()
    };
    let mut inputs_out = Vec::with_capacity(state.inputs.len());
    for (i, input) in state.inputs.iter().enumerate() {
        let mut unlinked = 0;
        let mut kits = 0;
        let mut with_pii = 0;
        let mut place_unlinked = vec![0u64; input.places.len()];
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
                    people: m.units[g as usize].pairs.len() as u64 + place_unlinked[p],
                    confidence: ps.confidence,
                    risk: m.evaluate(&[g]).score,
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
            people: input_persons[i].len() as u64 + unlinked,
            identity_kit_records: kits,
            risk: m.evaluate(&all).score,
            places,
        });
    }
    summary.people = summary.linked_people + summary.unlinked_people;

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

    let overlaps = overlaps(&state, &input_persons);
    let plan = plan(
        &state,
        &mut m,
        &base,
        &overlaps,
        &input_persons,
        &inputs_out,
    );
    Exposure {
        linking_kinds: LINKING.to_vec(),
        weights: weights.clone(),
        summary,
        inputs: inputs_out,
        kinds,
        combinations,
        overlaps,
        plan,
        state,
    }
}

fn overlaps(state: &State, input_persons: &[Vec<u32>]) -> Vec<Overlap> {
    let mut person_inputs: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, persons) in input_persons.iter().enumerate() {
        for &p in persons {
            person_inputs.entry(p).or_default().push(i as u32);
        }
    }
    // Pairwise counting is quadratic in the inputs one person appears in: a person present in
    // thousands of files (a support address in every ticket) would make millions of pairs.
    // Such people are left out of the pairwise table (they overlap everything), and the table
    // keeps the strongest MAX_OVERLAPS pairs.
    let mut shared: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for ins in person_inputs
        .values()
        .filter(|v| v.len() > 1 && v.len() <= MAX_OVERLAP_FANOUT)
    {
        for &a in ins {
            for &b in ins {
                if a != b {
                    *shared.entry((a, b)).or_default() += 1;
                }
            }
        }
    }
    let mut out: Vec<Overlap> = shared
        .into_iter()
        .map(|((a, b), n)| Overlap {
            input: state.inputs[a as usize].path.clone(),
            other: state.inputs[b as usize].path.clone(),
            shared_people: n,
            share: n as f64 / input_persons[a as usize].len().max(1) as f64,
        })
        .collect();
    out.sort_by(|x, y| {
        y.share
            .total_cmp(&x.share)
            .then_with(|| y.shared_people.cmp(&x.shared_people))
            .then_with(|| x.input.cmp(&y.input))
            .then_with(|| x.other.cmp(&y.other))
    });
    out.truncate(MAX_OVERLAPS);
    out
}

/// People present in more inputs than this are not counted in pairwise overlaps.
pub const MAX_OVERLAP_FANOUT: usize = 64;
/// Overlap pairs reported (the strongest first).
pub const MAX_OVERLAPS: usize = 1000;

fn plan(
    state: &State,
    m: &mut Model<'_>,
    base: &[u32],
    overlaps: &[Overlap],
    input_persons: &[Vec<u32>],
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
    // Redundant copies: every linked person elsewhere, and no unlinked records (those people
    // cannot be shown to exist elsewhere).
    for (i, input) in state.inputs.iter().enumerate() {
        let linked = input_persons[i].len() as u64;
        if linked == 0 || inputs[i].people != linked {
            continue;
        }
        // One candidate per input that holds all of them: which copy survives decides whether
        // the deletion is still justified later (see the loop below). `overlaps` is sorted by
        // share, then shared people, then paths, so the order is deterministic.
        for o in overlaps
            .iter()
            .filter(|o| o.input == input.path && o.shared_people == linked)
        {
            candidates.push((
                Action::DeleteInput {
                    input: input.path.clone(),
                    duplicate_of: o.other.clone(),
                },
                (base[i]..base[i] + input.places.len() as u32).collect(),
            ));
        }
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
        steps.push(PlanStep {
            rank: steps.len() as u32 + 1,
            description: action.describe(),
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
