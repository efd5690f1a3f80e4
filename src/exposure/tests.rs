//! Table tests for the exposure model on hand-built findings with known answers.

use std::sync::Arc;

use super::*;
use crate::finding::{Confidence, Finding, Fingerprinter, Kind};

/// A finding in `path`, record `rec`, of `kind` with value `v` (fingerprinted with a fixed key).
fn f(path: &str, rec: u64, kind: Kind, field: Option<&str>, v: &str) -> Finding {
    let fp = Fingerprinter::new(b"unit-test-key-0123456789");
    Finding {
        path: Arc::from(path),
        line: rec,
        column: 1,
        kind,
        detector: Arc::from(kind.as_str()),
        confidence: Confidence::High,
        field: field.map(Arc::from),
        masked: "***".into(),
        fingerprint: fp.fingerprint(kind, v).into(),
        record: Some(rec),
        explain: None,
        placeholder: false,
    }
}

fn derive(inputs: &[(&str, u64)], findings: &[Finding]) -> Exposure {
    Exposure::from_findings(inputs.iter().copied(), findings, Weights::default())
}

#[test]
fn linking_values_join_records_and_others_do_not() {
    use Kind::*;
    let fs = vec![
        f("a", 1, Email, None, "a@x.com"),
        f("a", 1, Phone, None, "+61400000001"),
        f("a", 2, Phone, None, "+61400000001"),
        f("a", 2, LoyaltyNumber, None, "L1"),
        f("a", 3, Email, None, "b@x.com"),
        f("a", 4, DateOfBirth, None, "1980-01-01"),
        f("a", 5, PersonName, None, "Jo"),
        f("a", 5, DateOfBirth, None, "1980-01-01"),
        // Same DOB and name as records 4/5: still no link.
        f("a", 6, PersonName, None, "Jo"),
    ];
    let e = derive(&[("a", 10)], &fs);
    assert_eq!(e.summary.linked_people, 2);
    assert_eq!(e.summary.unlinked_people, 3);
    assert_eq!(e.summary.people, 5);
    assert_eq!(e.summary.records, 10);
    assert_eq!(e.summary.records_with_pii, 6);
    assert_eq!(e.inputs[0].people, 5);
    let email = e.kinds.iter().find(|k| k.kind == Email).map(|k| k.people);
    assert_eq!(email, Some(2));
    let dob = e
        .kinds
        .iter()
        .find(|k| k.kind == DateOfBirth)
        .map(|k| k.people);
    assert_eq!(dob, Some(2));
}

#[test]
fn people_link_across_inputs_and_overlap_is_reported() {
    use Kind::*;
    let fs = vec![
        f("a", 1, Email, None, "a@x.com"),
        f("a", 2, Email, None, "c@x.com"),
        f("b", 1, Email, None, "a@x.com"),
        f("b", 1, Phone, None, "+61400000001"),
        f("c", 1, Phone, None, "+61400000001"),
    ];
    let e = derive(&[("a", 2), ("b", 1), ("c", 1)], &fs);
    assert_eq!(e.summary.people, 2);
    let people: Vec<u64> = e.inputs.iter().map(|i| i.people).collect();
    assert_eq!(people, vec![2, 1, 1]);
    let o = e
        .overlaps
        .iter()
        .find(|o| o.input == "c" && o.other == "a")
        .map(|o| (o.shared_people, o.share));
    assert_eq!(o, Some((1, 1.0)));
    let o = e.overlaps.iter().find(|o| o.input == "a" && o.other == "b");
    assert_eq!(o.map(|o| o.share), Some(0.5));
}

#[test]
fn combinations_and_identity_kits_are_counted() {
    use Kind::*;
    let mut fs = Vec::new();
    for r in 0..7 {
        fs.push(f("a", r, Email, Some("email"), &format!("p{r}@x.com")));
        fs.push(f("a", r, DateOfBirth, Some("dob"), "1990-02-03"));
        fs.push(f("a", r, LoyaltyNumber, Some("ffn"), &format!("FF{r}")));
    }
    for r in 7..10 {
        fs.push(f("a", r, Email, Some("email"), &format!("p{r}@x.com")));
    }
    let e = derive(&[("a", 10)], &fs);
    assert_eq!(e.summary.identity_kit_records, 7);
    assert_eq!(e.combinations.len(), 2);
    assert_eq!(e.combinations[0].records, 7);
    assert!(e.combinations[0].identity_kit);
    assert_eq!(
        e.combinations[0].kinds,
        vec![Email, DateOfBirth, LoyaltyNumber]
    );
    assert_eq!(e.combinations[1].records, 3);
    assert!(!e.combinations[1].identity_kit);
    // DOB: 3·7 values + 3·7 people + 10·7 kits = 112, the biggest single removal.
    let first = &e.plan[0];
    assert_eq!(
        first.action,
        Action::GeneraliseDob {
            input: "a".into(),
            field: Some("dob".into())
        }
    );
    assert_eq!(first.score, 112.0);
    assert_eq!(first.kits_dissolved, 7);
    // Kits are gone after step 1: loyalty is next (2·7 + 2·7 = 28) vs email 2·10 + 2·10 = 40.
    assert!(matches!(
        e.plan[1].action,
        Action::Redact { kind: Email, .. }
    ));
}

#[test]
fn plan_covers_the_whole_score() {
    use Kind::*;
    let fs = vec![
        f("a", 1, Email, None, "a@x.com"),
        f("a", 1, NationalId, None, "123"),
        f("a", 2, DateOfBirth, None, "1980-01-01"),
        f("a", 2, PersonName, None, "Jo"),
        f("a", 2, LoyaltyNumber, None, "FF9"),
        f("b", 1, Email, None, "a@x.com"),
    ];
    let e = derive(&[("a", 2), ("b", 1)], &fs);
    let last = e.plan.last().map(|s| s.cumulative_share);
    assert_eq!(last, Some(1.0));
    let sum: f64 = e.plan.iter().map(|s| s.score).sum();
    assert!((sum - e.summary.risk_score).abs() < 1e-9);
    // Shares are non-decreasing and scores non-increasing is NOT guaranteed (interactions),
    // but the cumulative curve must be monotone.
    assert!(
        e.plan
            .windows(2)
            .all(|w| w[0].cumulative <= w[1].cumulative)
    );
}

#[test]
fn redundant_copy_is_a_delete_candidate() {
    use Kind::*;
    let mut fs = Vec::new();
    for r in 0..20 {
        fs.push(f("big", r, Email, Some("e"), &format!("p{r}@x.com")));
        fs.push(f("big", r, Phone, Some("m"), &format!("+614000000{r:02}")));
    }
    for r in 0..5 {
        fs.push(f("copy", r, Email, Some("e"), &format!("p{r}@x.com")));
        fs.push(f("copy", r, Phone, Some("m"), &format!("+614000000{r:02}")));
    }
    let e = derive(&[("big", 20), ("copy", 5)], &fs);
    let del = e
        .plan
        .iter()
        .find(|s| matches!(s.action, Action::DeleteInput { .. }));
    let del = del.unwrap_or_else(|| panic!("{:#?}", e.plan));
    assert_eq!(
        del.description,
        "delete copy (its 5 people and their email, phone values are all also in big; \
         deleting it also loses whatever else its 5 records hold)"
    );
    // The big input's email: 2·20 + 2·15 (5 people also in copy) = 70 beats deleting the copy
    // (2·5 + 2·5 = 20: every value and person of it is also in big).
    assert!(matches!(
        &e.plan[0].action,
        Action::Redact { input, kind: Email, .. } if input == "big"
    ));
}

/// "All its people are also in X" means their values too: a copy holding the same people
/// (by email) but a card, a date of birth or a phone number that X lacks is not redundant.
#[test]
fn a_copy_with_values_the_other_lacks_is_not_redundant() {
    use Kind::*;
    let big = |fs: &mut Vec<Finding>, dob: bool| {
        for r in 0..10 {
            fs.push(f("big", r, Email, Some("e"), &format!("p{r}@x.com")));
            if dob {
                fs.push(f(
                    "big",
                    r,
                    DateOfBirth,
                    Some("d"),
                    &format!("1980-01-{:02}", r + 1),
                ));
            }
        }
    };
    let deletes = |fs: &[Finding]| {
        derive(&[("big", 10), ("copy", 3)], fs)
            .plan
            .into_iter()
            .filter(|s| matches!(s.action, Action::DeleteInput { .. }))
            .count()
    };
    // Cards (a linking kind) big does not hold.
    let mut fs = Vec::new();
    big(&mut fs, false);
    for r in 0..3 {
        fs.push(f("copy", r, Email, Some("e"), &format!("p{r}@x.com")));
        fs.push(f(
            "copy",
            r,
            CreditCard,
            Some("c"),
            &format!("411111111111111{r}"),
        ));
    }
    assert_eq!(deletes(&fs), 0, "cards only in the copy");
    // Dates of birth (not linking) big does not hold for these people.
    let mut fs = Vec::new();
    big(&mut fs, false);
    for r in 0..3 {
        fs.push(f("copy", r, Email, Some("e"), &format!("p{r}@x.com")));
        fs.push(f("copy", r, DateOfBirth, Some("d"), "1980-01-01"));
    }
    assert_eq!(deletes(&fs), 0, "dates of birth only in the copy");
    // ... but which big does hold: redundant.
    let mut fs = Vec::new();
    big(&mut fs, true);
    for r in 0..3 {
        fs.push(f("copy", r, Email, Some("e"), &format!("p{r}@x.com")));
        fs.push(f(
            "copy",
            r,
            DateOfBirth,
            Some("d"),
            &format!("1980-01-{:02}", r + 1),
        ));
    }
    assert_eq!(deletes(&fs), 1, "every kind also in big");
    // Same people, one phone number that big has no record of.
    let mut fs = Vec::new();
    big(&mut fs, false);
    for r in 0..3 {
        fs.push(f("copy", r, Email, Some("e"), &format!("p{r}@x.com")));
    }
    fs.push(f("copy", 0, Phone, Some("m"), "+61400000099"));
    fs.push(f("big", 0, Phone, Some("m"), "+61400000042"));
    assert_eq!(deletes(&fs), 0, "a phone value only in the copy");
}

#[test]
fn merged_state_equals_one_scan() {
    use Kind::*;
    let fs = vec![
        f("a", 1, Email, None, "a@x.com"),
        f("a", 1, Phone, None, "+61400000001"),
        f("a", 2, DateOfBirth, None, "1980-01-01"),
        f("b", 1, Phone, None, "+61400000001"),
        f("b", 1, LoyaltyNumber, None, "FF1"),
        f("b", 2, Email, None, "z@x.com"),
        f("c", 1, LoyaltyNumber, None, "FF1"),
    ];
    let whole = derive(&[("a", 2), ("b", 2), ("c", 1)], &fs);
    let (left, right): (Vec<Finding>, Vec<Finding>) =
        fs.iter().cloned().partition(|x| &*x.path == "b");
    let s1 = State::build([("b", 2)], &left);
    let s2 = State::build([("a", 2), ("c", 1)], &right);
    let merged = State::merge([s1.clone(), s2]).map(|s| Exposure::derive(s, Weights::default()));
    assert!(matches!(merged, Ok(Ok(ref m)) if *m == whole));
    assert_eq!(whole.summary.linked_people, 2);
    assert_eq!(
        State::merge([s1.clone(), s1]),
        Err(MergeError::DuplicateInput("b".into()))
    );
}

#[test]
fn state_round_trips_through_json_and_rejects_bad_input() {
    use Kind::*;
    let fs = vec![
        f("a", 1, Email, None, "a@x.com"),
        f("a", 1, Phone, None, "+61400000001"),
    ];
    let e = derive(&[("a", 1)], &fs);
    let json = serde_json::to_string(&e).unwrap_or_default();
    let back: Result<Exposure, _> = serde_json::from_str(&json);
    assert_eq!(back.ok().as_ref(), Some(&e));
    let clusters = e.state.inputs[0].clusters.in_memory().unwrap_or(&[]);
    let bad = json.replace(&clusters[0].fingerprints[0].to_string(), "zz");
    assert!(serde_json::from_str::<Exposure>(&bad).is_err());
    let mut broken = e.state.clone();
    broken.inputs[0].signatures[0].places.push(7);
    let Some(clusters) = broken.inputs[0].clusters.in_memory_mut() else {
        panic!("a state built in memory keeps its clusters in memory");
    };
    clusters[0].places.push(99);
    clusters.push(Cluster {
        fingerprints: Vec::new(),
        places: vec![0],
        records: 1,
    });
    assert!(matches!(
        State::merge([broken.clone()]),
        Err(MergeError::Inconsistent(..))
    ));
    // Deriving from it anyway (a report read from a file) must not panic, and gives the
    // numbers of the repaired state.
    assert_eq!(
        Exposure::derive(broken, Weights::default())
            .map(|x| x.summary)
            .ok(),
        Some(e.summary)
    );
}

#[test]
fn kit_rule_and_kind_bits() {
    let w = Weights::default();
    let kit = kind_bit(Kind::PersonName) | kind_bit(Kind::DateOfBirth) | kind_bit(Kind::NationalId);
    assert!(w.is_identity_kit(kit));
    assert!(!w.is_identity_kit(kit & !kind_bit(Kind::DateOfBirth)));
    assert_eq!(
        kinds_of(kit),
        vec![Kind::DateOfBirth, Kind::PersonName, Kind::NationalId]
    );
    let none = Weights {
        identity_kit_roles: Vec::new(),
        ..Weights::default()
    };
    assert!(!none.is_identity_kit(u16::MAX));
}

/// Two copies of the same people: the plan may delete one, never both (each "justified" by the
/// other).
#[test]
fn plan_never_deletes_both_copies_of_a_duplicate() {
    use Kind::*;
    let mut fs = Vec::new();
    for path in ["a", "b"] {
        for r in 0..5 {
            fs.push(f(path, r, Email, Some("e"), &format!("p{r}@x.com")));
            fs.push(f(path, r, Phone, Some("m"), &format!("+6140000000{r}")));
        }
    }
    let e = derive(&[("a", 5), ("b", 5)], &fs);
    let deletes = e
        .plan
        .iter()
        .filter(|s| matches!(s.action, Action::DeleteInput { .. }))
        .count();
    assert!(deletes <= 1, "{:#?}", e.plan);
}

/// A new field name in every record (JSON keyed by email, `row 17 email: …`) cannot grow the
/// state past the place cap: the smallest fields fold into one place, and every value counts.
#[test]
fn places_per_input_are_capped() {
    use Kind::*;
    let n = state::MAX_PLACES_PER_INPUT as u64 + 500;
    let fs: Vec<Finding> = (0..n)
        .map(|r| {
            f(
                "a",
                r,
                Email,
                Some(&format!("row {r} email")),
                &format!("p{r}@x.com"),
            )
        })
        .collect();
    let e = derive(&[("a", n)], &fs);
    let places = &e.inputs[0].places;
    assert_eq!(places.len(), state::MAX_PLACES_PER_INPUT + 1);
    assert_eq!(places.iter().map(|p| p.values).sum::<u64>(), n);
    assert!(
        places
            .iter()
            .any(|p| p.field.as_deref() == Some(state::OTHER_FIELDS))
    );
}

/// A seeded spread of people over six inputs: each record carries some of its person's email,
/// phone and loyalty number (so people link across records and inputs, some transitively), and
/// non-linking kinds besides.
fn people_corpus() -> (Vec<(String, u64)>, Vec<Finding>) {
    use Kind::*;
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut inputs = Vec::new();
    let mut fs = Vec::new();
    for i in 0..6 {
        let path = format!("in{i}");
        let records = 300;
        for r in 0..records {
            let p = next(400);
            if next(3) != 0 {
                fs.push(f(&path, r, Email, Some("email"), &format!("p{p}@x.test")));
            }
            if next(2) == 0 {
                // Two people in ten share a household phone with the next person.
                let phone = if p % 10 < 2 { p + 1 } else { p };
                fs.push(f(
                    &path,
                    r,
                    Phone,
                    Some("phone"),
                    &format!("+6140000{phone:04}"),
                ));
            }
            if i % 2 == 0 && next(4) == 0 {
                fs.push(f(&path, r, LoyaltyNumber, None, &format!("FF{p}")));
            }
            if next(2) == 0 {
                fs.push(f(
                    &path,
                    r,
                    DateOfBirth,
                    Some("dob"),
                    &format!("19{:02}-01-01", p % 90),
                ));
            }
            fs.push(f(&path, r, PersonName, Some("name"), &format!("N{p}")));
        }
        inputs.push((path, records));
    }
    (inputs, fs)
}

/// People counted the plain way, under the module docs' rules: each record's distinct
/// linking values (placeholders left out); a record of more than `bound + 1` of them is a
/// list; a value's partners are the other values of the records that are not lists; values
/// with more than `bound` partners are shared; the others are joined by union-find within
/// each record that is not a list. Returns (linked people, records whose linking values are
/// all shared).
fn naive_people(fs: &[Finding], bound: usize) -> (u64, u64) {
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    let mut records: BTreeMap<(&str, u64), BTreeSet<&str>> = BTreeMap::new();
    for x in fs.iter().filter(|x| is_linking(x.kind) && !x.placeholder) {
        records
            .entry((&*x.path, x.record.unwrap_or(x.line)))
            .or_default()
            .insert(&x.fingerprint);
    }
    let person = |r: &BTreeSet<&str>| r.len() <= bound + 1;
    let mut partners: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for r in records.values().filter(|r| person(r)) {
        for &v in r {
            partners
                .entry(v)
                .or_default()
                .extend(r.iter().filter(|&&w| w != v));
        }
    }
    let shared = |v: &str| partners.get(v).is_some_and(|p| p.len() > bound);
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            x = p[x];
        }
        x
    }
    let mut dead = 0;
    for r in records.values() {
        let live: Vec<usize> = r
            .iter()
            .filter(|v| !shared(v))
            .map(|&v| {
                *ids.entry(v).or_insert_with(|| {
                    parent.push(parent.len());
                    parent.len() - 1
                })
            })
            .collect();
        if live.is_empty() {
            dead += 1;
        } else if person(r) {
            for w in live.windows(2) {
                let (a, b) = (find(&mut parent, w[0]), find(&mut parent, w[1]));
                parent[a] = b;
            }
        }
    }
    let people = (0..parent.len())
        .filter(|&x| find(&mut parent, x) == x)
        .count() as u64;
    (people, dead)
}

/// Derivation streams clusters in passes sized to a memory budget, and reads them from the
/// spool during a scan: neither may change a single number.
#[test]
fn derivation_does_not_depend_on_pass_size_or_spooling() {
    let (inputs, fs) = people_corpus();
    let state = State::build(inputs.iter().map(|(p, n)| (p.as_str(), *n)), &fs);
    let Ok(whole) = model::derive(state.clone(), Weights::default()) else {
        panic!("in-memory derivation failed");
    };
    assert_eq!(
        (whole.summary.linked_people, whole.summary.shared_values),
        (naive_people(&fs, DEFAULT_MAX_LINK_PARTNERS).0, 0)
    );
    assert!(whole.summary.linked_people > 50, "{:?}", whole.summary);
    assert!(!whole.overlaps.is_empty() && !whole.plan.is_empty());
    // Small budgets make a hundred or so passes, each compacting its buffer many times.
    for budget in [480, 4096] {
        let small = model::derive_with_budget(state.clone(), Weights::default(), budget);
        assert!(matches!(small, Ok(ref e) if *e == whole), "budget {budget}");
    }
    let spool = ClusterSpool::new().map_err(|e| e.to_string());
    let Ok(spool) = spool else {
        panic!("no spool: {spool:?}");
    };
    let mut spooled = state.clone();
    for input in &mut spooled.inputs {
        let v = input.clusters.to_vec().unwrap_or_default();
        input.clusters = spool.append(&v).unwrap_or_default();
        assert!(input.clusters.in_memory().is_none());
    }
    for budget in [480, PASS_BYTES] {
        let e = model::derive_with_budget(spooled.clone(), Weights::default(), budget);
        assert!(
            matches!(e, Ok(ref e) if *e == whole),
            "spooled, budget {budget}"
        );
    }
    // The JSON report reads spooled clusters back into the same text.
    let json = |s: &State| serde_json::to_string(s).unwrap_or_default();
    assert_eq!(json(&spooled), json(&state));
}

/// A spooling builder past its entry budget writes its people and distinct values out in
/// pieces and starts afresh; a person cut in two is linked again at derivation, and distinct
/// values are counted across pieces, so every number equals the in-memory build's.
#[test]
fn inputs_built_in_pieces_give_the_same_exposure() {
    let (inputs, fs) = people_corpus();
    let state = State::build(inputs.iter().map(|(p, n)| (p.as_str(), *n)), &fs);
    let Ok(whole) = model::derive(state, Weights::default()) else {
        panic!("in-memory derivation failed");
    };
    let Ok(spool) = ClusterSpool::new() else {
        panic!("no spool");
    };
    let mut states = Vec::new();
    for (path, records) in &inputs {
        let mut b = InputBuilder::spooled(path, spool.clone()).with_piece_entries(40);
        for x in fs.iter().filter(|x| &*x.path == path) {
            b.add(x);
        }
        let Ok(s) = b.finish(*records) else {
            panic!("finishing {path} failed");
        };
        // Pieces of ~40 entries: one input of 300 records makes dozens.
        assert!(
            s.clusters.in_memory().is_none(),
            "{path} was not written in pieces"
        );
        states.push(s);
    }
    let Ok(Ok(pieced)) = State::from_inputs(states).map(|s| model::derive(s, Weights::default()))
    else {
        panic!("derivation from pieces failed");
    };
    assert_eq!(pieced.summary, whole.summary);
    assert_eq!(pieced.inputs, whole.inputs);
    assert_eq!(pieced.kinds, whole.kinds);
    assert_eq!(pieced.combinations, whole.combinations);
    assert_eq!(pieced.overlaps, whole.overlaps);
    assert_eq!(pieced.plan, whole.plan);
    // The same records, in at least as many clusters (a set of values cut by a piece is in
    // two).
    let clusters = |e: &Exposure| e.state.inputs.iter().map(|i| i.clusters.len()).sum::<u64>();
    let records = |e: &Exposure| {
        e.state
            .inputs
            .iter()
            .flat_map(|i| i.clusters.to_vec().unwrap_or_default())
            .map(|c| c.records)
            .sum::<u64>()
    };
    assert!(clusters(&pieced) >= clusters(&whole));
    assert_eq!(records(&pieced), records(&whole));
}

/// One record larger than a piece and than [`LINK_SET_CAP`] (a single JSON object or line
/// holding hundreds of linking values) is a list of people: each value is a person of its own
/// (linked to other records through itself only), whether built in pieces or not, and its
/// distinct values are counted once.
#[test]
fn a_huge_record_is_a_list_of_people_in_pieces_or_not() {
    use Kind::*;
    let mut fs = Vec::new();
    for i in 0..500 {
        fs.push(f("big", 1, Email, Some("e"), &format!("u{i}@x.test")));
        fs.push(f(
            "big",
            1,
            Phone,
            Some("p"),
            &format!("+614000{:05}", i % 300),
        ));
    }
    // A second record shares one phone with the first: the same person.
    fs.push(f("big", 2, Phone, Some("p"), "+61400000299"));
    fs.push(f("big", 3, Email, Some("e"), "alone@x.test"));
    let Ok(spool) = ClusterSpool::new() else {
        panic!("no spool");
    };
    let mut b = InputBuilder::spooled("big", spool).with_piece_entries(40);
    for x in &fs {
        b.add(x);
    }
    let Ok(state) = b.finish(3) else {
        panic!("finish failed");
    };
    assert!(
        state.clusters.len() > 10,
        "not cut: {}",
        state.clusters.len()
    );
    let Ok(e) = Exposure::derive(
        State {
            inputs: vec![state],
        },
        Weights::default(),
    ) else {
        panic!("derive failed");
    };
    let whole = derive(&[("big", 3)], &fs);
    // 500 emails and 300 phones of record 1, each a person; record 2's phone is one of them;
    // record 3's email is another person.
    assert_eq!(e.summary.linked_people, 801);
    assert_eq!(e.summary.unlinked_people, 0);
    assert_eq!(e.summary, whole.summary);
    assert_eq!(e.inputs, whole.inputs);
    let distinct: Vec<u64> = e.inputs[0]
        .places
        .iter()
        .map(|p| p.distinct_values)
        .collect();
    assert_eq!(distinct, [501, 300]);
}

/// `f` marked as a placeholder value, as the scanner marks `noreply@…`.
fn placeholder(mut x: Finding) -> Finding {
    x.placeholder = true;
    x
}

/// `n` rows of `path` from record `from`: a distinct email each, all beside one `shared`
/// phone.
fn beside(path: &str, from: u64, n: u64, shared: &str) -> Vec<Finding> {
    use Kind::*;
    (from..from + n)
        .flat_map(|r| {
            [
                f(path, r, Email, Some("email"), &format!("p{r}@x.example")),
                f(path, r, Phone, Some("phone"), shared),
            ]
        })
        .collect()
}

fn kind_people(e: &Exposure, kind: Kind) -> Option<u64> {
    e.kinds.iter().find(|k| k.kind == kind).map(|k| k.people)
}

/// One office phone beside 100 different emails is a switchboard, not a person: 100 people,
/// each still exposed to the phone, and the phone listed by fingerprint and count.
#[test]
fn a_switchboard_phone_does_not_link_its_callers() {
    use Kind::*;
    let mut fs = beside("a", 0, 100, "+61255501234");
    // Rows with the switchboard only: nobody to link to, so one person each.
    for r in 100..110 {
        fs.push(f("a", r, PersonName, Some("name"), &format!("N{r}")));
        fs.push(f("a", r, Phone, Some("phone"), "+61255501234"));
    }
    let e = derive(&[("a", 110)], &fs);
    assert_eq!(e.summary.linked_people, 100);
    assert_eq!(e.summary.unlinked_people, 10);
    assert_eq!(e.summary.people, 110);
    assert_eq!(e.inputs[0].people, 110);
    assert_eq!(kind_people(&e, Phone), Some(110));
    assert_eq!(e.summary.shared_values, 1);
    let s = &e.shared_values[0];
    assert_eq!(s.fingerprint, Fp::from_finding(&fs[1].fingerprint));
    assert_eq!(
        (s.reason, s.kind, s.records, s.partners),
        (SharedReason::Partners, None, 110, 100)
    );
    assert_eq!(naive_people(&fs, DEFAULT_MAX_LINK_PARTNERS), (100, 10));
    // Configurable: with room for 62 partners (the most allowed; larger settings are
    // clamped), a phone beside 50 emails links them all (the old behaviour), beside 100 not.
    let loose = Weights {
        max_link_partners: 1000,
        ..Weights::default()
    };
    let fifty = beside("a", 0, 50, "+61255501234");
    let e = Exposure::from_findings([("a", 50)], &fifty, loose.clone());
    assert_eq!((e.summary.people, e.summary.shared_values), (1, 0));
    let e = Exposure::from_findings([("a", 110)], &fs, loose);
    assert_eq!((e.summary.people, e.summary.shared_values), (110, 1));
}

/// The bound is "more than `max_link_partners`": 8 partners still link, 9 do not.
#[test]
fn the_partner_bound_is_exact() {
    let at = beside("a", 0, 8, "+61255501234");
    assert_eq!(derive(&[("a", 8)], &at).summary.people, 1);
    let over = beside("a", 0, 9, "+61255501234");
    let e = derive(&[("a", 9)], &over);
    assert_eq!((e.summary.people, e.summary.shared_values), (9, 1));
}

/// One customer on 50 order rows (the same email and card each time) is one person, and
/// nothing is shared; a household of three sharing a landline is still one person (the
/// documented price of linking on contact details).
#[test]
fn one_customer_on_many_rows_is_one_person() {
    use Kind::*;
    let mut fs = Vec::new();
    for r in 0..50 {
        fs.push(f("orders", r, Email, Some("email"), "jo@x.example"));
        fs.push(f("orders", r, CreditCard, Some("card"), "4000000000000002"));
        fs.push(f(
            "orders",
            r,
            StreetAddress,
            Some("ship"),
            &format!("{r} Main St"),
        ));
    }
    for r in 50..53 {
        fs.push(f(
            "orders",
            r,
            Email,
            Some("email"),
            &format!("h{r}@x.example"),
        ));
        fs.push(f("orders", r, Phone, Some("phone"), "+61255509999"));
    }
    let e = derive(&[("orders", 53)], &fs);
    assert_eq!(e.summary.people, 2);
    assert_eq!(e.summary.shared_values, 0);
    assert!(e.shared_values.is_empty());
}

/// A placeholder never links, however few partners it has; records with nothing else to link
/// by are one person each, and the placeholder is listed with its kind.
#[test]
fn a_noreply_address_on_every_row_does_not_link() {
    use Kind::*;
    let mut fs = Vec::new();
    for r in 0..30 {
        fs.push(placeholder(f(
            "a",
            r,
            Email,
            Some("from"),
            "noreply@shop.example",
        )));
        fs.push(f("a", r, PersonName, Some("name"), &format!("N{r}")));
    }
    for r in 30..40 {
        fs.push(placeholder(f(
            "a",
            r,
            Email,
            Some("from"),
            "noreply@shop.example",
        )));
        fs.push(f(
            "a",
            r,
            Phone,
            Some("phone"),
            &format!("+614915701{r:02}"),
        ));
    }
    let e = derive(&[("a", 40)], &fs);
    assert_eq!(e.summary.unlinked_people, 30);
    assert_eq!(e.summary.linked_people, 10);
    assert_eq!(e.summary.shared_values, 1);
    let s = &e.shared_values[0];
    assert_eq!(
        (s.reason, s.kind, s.records, s.partners),
        (SharedReason::Placeholder, Some(Email), 40, 0)
    );
    assert_eq!(naive_people(&fs, DEFAULT_MAX_LINK_PARTNERS), (10, 0));
    // Unmarked, the same address would make all 40 rows one person.
    let unmarked: Vec<Finding> = fs
        .into_iter()
        .map(|mut x| {
            x.placeholder = false;
            x
        })
        .collect();
    assert_eq!(derive(&[("a", 40)], &unmarked).summary.people, 40);
}

/// A record holding more linking values than one person has is a list of people (a wrapper
/// read as one record, a mailing list in one field): each value is a person, not all of them
/// one, and none counts as another's partner.
#[test]
fn a_record_of_many_people_is_a_list() {
    use Kind::*;
    let mut fs: Vec<Finding> = (0..20)
        .map(|i| f("list", 1, Email, Some("to[]"), &format!("m{i}@x.example")))
        .collect();
    // One of them again with a phone, in a record of their own.
    fs.push(f("list", 2, Email, Some("e"), "m3@x.example"));
    fs.push(f("list", 2, Phone, Some("p"), "+61491570100"));
    let e = derive(&[("list", 2)], &fs);
    assert_eq!(e.summary.people, 20);
    assert_eq!(e.summary.shared_values, 0);
    assert_eq!(naive_people(&fs, DEFAULT_MAX_LINK_PARTNERS), (20, 0));
}

/// A value whose partners are spread over shards is shared only when the shards are seen
/// together: each shard alone links its five callers through the phone, the merge (like one
/// scan) does not. Merging states, then applying the bound, equals one scan exactly.
#[test]
fn the_partner_bound_applies_to_the_merged_state() {
    let mut fs = beside("a", 0, 5, "+61255501234");
    fs.extend(beside("b", 5, 5, "+61255501234"));
    let whole = derive(&[("a", 5), ("b", 5)], &fs);
    assert_eq!((whole.summary.people, whole.summary.shared_values), (10, 1));
    let (fa, fb): (Vec<Finding>, Vec<Finding>) = fs.iter().cloned().partition(|x| &*x.path == "a");
    let (sa, sb) = (State::build([("a", 5)], &fa), State::build([("b", 5)], &fb));
    for alone in [&sa, &sb] {
        let e = Exposure::derive(alone.clone(), Weights::default()).ok();
        assert_eq!(
            e.map(|e| (e.summary.people, e.summary.shared_values)),
            Some((1, 0))
        );
    }
    let merged = State::merge([sb, sa]).map(|s| Exposure::derive(s, Weights::default()));
    assert!(matches!(merged, Ok(Ok(ref m)) if *m == whole));
    // Spooled and in small passes, the same.
    let Ok(spool) = ClusterSpool::new() else {
        panic!("no spool");
    };
    let mut spooled = whole.state.clone();
    for input in &mut spooled.inputs {
        let v = input.clusters.to_vec().unwrap_or_default();
        input.clusters = spool.append(&v).unwrap_or_default();
    }
    let small = model::derive_with_budget(spooled, Weights::default(), 64);
    assert!(matches!(small, Ok(ref e) if *e == whole));
}

/// A parent record interrupted by nested records (an order's items between its customer and
/// its shipping phone, as JSON gives them) is still one record when its values resume.
#[test]
fn a_record_resumed_after_nested_records_is_one_record() {
    use Kind::*;
    let fs = vec![
        f("o", 1, Email, Some("customer.email"), "jo@x.example"),
        f("o", 2, Email, Some("items[].gift_to"), "gift@x.example"),
        f("o", 3, PersonName, Some("items[].name"), "Al"),
        f("o", 1, Phone, Some("ship.phone"), "+61491570156"),
    ];
    let e = derive(&[("o", 3)], &fs);
    assert_eq!(e.summary.records_with_pii, 3);
    assert_eq!(e.summary.people, 3);
    // The customer's email and phone met in one record: one cluster of both.
    let clusters = e.state.inputs[0].clusters.to_vec().unwrap_or_default();
    assert!(clusters.iter().any(|c| c.fingerprints.len() == 2));
}

#[test]
fn folders_roll_up_people_values_and_risk() {
    use Kind::*;
    let fs = vec![
        // hr/: one person in both files (linked by email), one unlinked record.
        f("share/hr/a.csv", 1, Email, Some("email"), "a@x.com"),
        f("share/hr/a.csv", 1, DateOfBirth, Some("dob"), "1980-01-01"),
        f("share/hr/b.csv", 1, Email, Some("mail"), "a@x.com"),
        f("share/hr/b.csv", 2, PersonName, Some("name"), "Jo"),
        // ops/: two people, one file each.
        f("share/ops/c.csv", 1, Phone, None, "+61400000001"),
        f("share/ops/d.csv", 1, Phone, None, "+61400000002"),
        // A folder of one file is not listed.
        f("share/solo/e.csv", 1, Email, None, "e@x.com"),
    ];
    let inputs = [
        ("share/hr/a.csv", 1),
        ("share/hr/b.csv", 2),
        ("share/ops/c.csv", 1),
        ("share/ops/d.csv", 1),
        ("share/solo/e.csv", 1),
    ];
    let e = derive(&inputs, &fs);
    let paths: Vec<&str> = e.folders.iter().map(|f| f.path.as_str()).collect();
    // share/ holds every input; solo/ one.
    assert_eq!(paths.len(), 2, "{paths:?}");
    let hr = e.folders.iter().find(|f| f.path == "share/hr/").unwrap();
    assert_eq!((hr.files, hr.files_with_pii), (2, 2));
    // a@x.com in both files is one person; the name-only record is one more.
    assert_eq!(hr.people, 2);
    assert_eq!(hr.values, 4);
    assert_eq!(hr.records_with_pii, 3);
    let ops = e.folders.iter().find(|f| f.path == "share/ops/").unwrap();
    assert_eq!(ops.people, 2);
    // Removing a folder removes what only it holds: its inputs' risk, summed, since they share
    // nobody with the rest; shares add up to at most 1 and order follows risk.
    let risk_of = |p: &str| e.inputs.iter().find(|i| i.path == p).unwrap().risk;
    assert!((ops.risk - (risk_of("share/ops/c.csv") + risk_of("share/ops/d.csv"))).abs() < 1e-9);
    assert!(hr.risk > risk_of("share/hr/a.csv"));
    assert!((hr.risk_share - hr.risk / e.summary.risk_score).abs() < 1e-12);
    assert!(e.folders[0].risk >= e.folders[1].risk);
    assert!(e.folders.iter().map(|f| f.risk_share).sum::<f64>() <= 1.0 + 1e-9);
}

#[test]
fn folder_plan_is_greedy_and_counts_people_in_two_folders_once_both_go() {
    use Kind::*;
    // One person's email in x/ and y/ (two files each): removing x/ alone leaves them exposed,
    // so after x/ the plan's y/ step also removes the person.
    let fs = vec![
        f("s/x/a", 1, Email, None, "p@x.com"),
        f("s/x/b", 1, Email, None, "q@x.com"),
        f("s/y/c", 1, Email, None, "p@x.com"),
        f("s/y/d", 1, Email, None, "r@x.com"),
        f("s/z/e", 1, PersonName, None, "Jo"),
        f("s/z/g", 1, PersonName, None, "Al"),
    ];
    let inputs = [
        ("s/x/a", 1),
        ("s/x/b", 1),
        ("s/y/c", 1),
        ("s/y/d", 1),
        ("s/z/e", 1),
        ("s/z/g", 1),
    ];
    let e = derive(&inputs, &fs);
    let plan: Vec<&str> = e.folder_plan.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(plan.len(), 3, "{plan:?}");
    let standalone = |p: &str| e.folders.iter().find(|f| f.path == p).unwrap().risk;
    let second = &e.folder_plan[1];
    // The second of x/ and y/ removes more than it would alone: the shared person goes too.
    assert!(
        second.path != "s/z/" && second.score > standalone(&second.path),
        "{:?}",
        e.folder_plan
    );
    let last = e.folder_plan.last().unwrap();
    assert!((last.cumulative_share - 1.0).abs() < 1e-9, "{last:?}");
    // The main plan is unaffected by the folder plan's trial removals.
    assert!(e.plan.first().is_some_and(|s| s.score > 0.0));
}

/// A field name shared as one `Arc` (as the scanner hands them over, found by identity), given
/// as fresh copies (found by text), or both mixed, with more places than the recent ones tried
/// by identity: the same state every way.
#[test]
fn shared_and_copied_field_names_give_the_same_places() {
    use Kind::*;
    let names: Vec<Arc<str>> = (0..20)
        .map(|i| Arc::from(format!("col{i}").as_str()))
        .collect();
    let build = |share: &dyn Fn(u64) -> bool| {
        let mut b = state::InputBuilder::new("a.csv");
        for r in 0..200u64 {
            for (i, name) in names.iter().enumerate() {
                let kind = [Email, Phone, Iban][(i + r as usize) % 3];
                let mut x = f("a.csv", r, kind, Some(name), &format!("{r}-{i}"));
                if share(r * 20 + i as u64) {
                    x.field = Some(name.clone());
                }
                if (r + i as u64).is_multiple_of(7) {
                    x.field = None;
                }
                b.add(&x);
            }
        }
        b.finish(200).unwrap()
    };
    let copied = build(&|_| false);
    assert_eq!(copied.places.len(), 20 * 3 + 3);
    assert_eq!(copied.places.iter().map(|p| p.values).sum::<u64>(), 4000);
    assert_eq!(build(&|_| true), copied);
    assert_eq!(build(&|n| n % 3 != 0), copied);
}
