//! Accuracy floors: per-kind precision and recall of the built-in detectors on the seeded
//! labelled corpus (`tests/support/corpus.rs`), at the default reporting threshold (medium).
//! `cargo run --release --example accuracy` prints the full table.

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/forms_corpus.rs"]
mod forms_corpus;
#[path = "support/ids_corpus.rs"]
mod ids_corpus;

use piiscan::finding::Confidence;

#[test]
fn precision_and_recall_meet_the_floors() {
    let cells = corpus::generate(2026, 1500);
    let engine = corpus::engine();
    let (table, _) = corpus::evaluate(&engine, &cells, Confidence::Medium);
    let mut failures = Vec::new();
    for &(kind, p, r) in corpus::FLOORS {
        let c = table.get(kind).copied().unwrap_or_default();
        assert!(
            c.tp > 20,
            "{kind}: too few true positives ({}) to measure",
            c.tp
        );
        if c.precision() < p || c.recall() < r {
            failures.push(format!(
                "{kind}: precision {:.3} (floor {p}), recall {:.3} (floor {r})",
                c.precision(),
                c.recall()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n{}",
        failures.join("\n"),
        corpus::render(&table)
    );
}

/// Column classification (`detect::columns`, as the scan glue applies it) must not cost precision
/// or recall on the labelled corpus, with its real field names and with every field renamed to
/// a name that says nothing; with names that say nothing it must recover phone numbers the
/// engine alone scores `low` (weak forms).
#[test]
fn column_classification_never_regresses_and_helps_without_headers() {
    let cells = corpus::generate(2026, 1500);
    let anon = corpus::anonymise_fields(&cells);
    let engine = corpus::engine();
    for (name, cells) in [("real fields", &cells), ("renamed fields", &anon)] {
        let (before, _) = corpus::evaluate(&engine, cells, Confidence::Medium);
        let (after, _, _) = corpus::evaluate_columns(&engine, cells, Confidence::Medium);
        for kind in before.keys().chain(after.keys()) {
            let b = before.get(kind).copied().unwrap_or_default();
            let a = after.get(kind).copied().unwrap_or_default();
            assert!(
                a.fp <= b.fp && a.fn_ <= b.fn_,
                "{name}: {kind} regressed\nbefore\n{}\nafter\n{}",
                corpus::render(&before),
                corpus::render(&after)
            );
        }
        if name == "renamed fields" {
            let (b, a) = (before["phone"], after["phone"]);
            assert!(a.tp > b.tp + 20, "phone TP {} -> {}", b.tp, a.tp);
            // Dates of birth, names and addresses come back from their values' shape (without
            // it: recall 0.12, 0.19 and 0.46; precision of names 0.62).
            for (kind, recall) in [
                ("date_of_birth", 0.995),
                ("street_address", 0.995),
                ("person_name", 0.95),
            ] {
                let c = after[kind];
                assert!(
                    c.recall() >= recall && c.precision() >= 0.995,
                    "{kind}\n{}",
                    corpus::render(&after)
                );
            }
            // MileagePlus numbers (`KX903342`) are no suffix-less NINOs without a NINO header
            // (precision 0.93 before the suffix-less form became weak).
            assert!(
                after["national_id"].precision() >= 0.99,
                "{}",
                corpus::render(&after)
            );
        }
    }
}

#[test]
fn corpus_is_deterministic_and_labels_are_in_bounds() {
    let a = corpus::generate(7, 64);
    let b = corpus::generate(7, 64);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.text, y.text);
        for l in &x.labels {
            assert!(l.start < l.end && l.end <= x.text.len());
            assert!(x.text.is_char_boundary(l.start) && x.text.is_char_boundary(l.end));
        }
    }
}

/// The national-id catalogue, loyalty programmes and the IBAN / email forms of issue 27: per
/// detector, recall at least 0.99 over its own column, a JSON key path, a generic `national_id`
/// column and prose after a cue, and precision at least 0.99 (false positives are charged to
/// the detector that reported them, wrong-check twins and bare digits without a cue included).
#[test]
fn id_catalogue_loyalty_and_forms_meet_the_floors() {
    let tagged = ids_corpus::generate(27, 40);
    let engine = corpus::engine();
    let (by_tag, by_form, _) = ids_corpus::evaluate(&engine, &tagged, Confidence::Medium);
    let mut failures = Vec::new();
    let spec_ids: Vec<&str> = engine.specs().iter().map(|s| s.id.as_str()).collect();
    for (tag, c) in &by_tag {
        // Wrong-check ids under their own header or after their cue, and bare id digits in
        // prose, are neither phones nor cards (105 phones and 13 cards before the id cue words
        // became negative context for both and an id-named field ruled them out; 0 now).
        if matches!(tag.as_str(), "phone" | "credit_card") {
            if c.fp > 2 {
                failures.push(format!("{tag}: {} false positives on id digits", c.fp));
            }
            continue;
        }
        if c.recall() < 0.99 || c.precision() < 0.99 {
            failures.push(format!(
                "{tag}: precision {:.3}, recall {:.3}",
                c.precision(),
                c.recall()
            ));
        }
        assert!(
            spec_ids.contains(&tag.as_str()) || tag.ends_with("_forms") || tag == "ipv6",
            "unknown tag {tag}"
        );
    }
    for id in [
        "fr_nir",
        "de_idnr",
        "it_cf",
        "kr_rrn",
        "loyalty_aadvantage",
        "iban_forms",
        "passport_forms",
        "phone_forms",
    ] {
        assert!(
            by_tag.get(id).is_some_and(|c| c.tp >= 40),
            "{id}: too few cases"
        );
    }
    assert!(
        by_form["generic"].recall() >= 0.99,
        "{:?}",
        by_form["generic"]
    );
    // Short headers as the last word of a compound name (`employee_ssn`): 0.328 before.
    assert!(
        by_form["compound"].recall() >= 0.98 && by_form["compound"].tp >= 200,
        "{:?}",
        by_form["compound"]
    );
    assert!(
        failures.is_empty(),
        "{}\n{}",
        failures.join("\n"),
        corpus::render(&by_tag)
    );
}

/// Structured exports: header rows in 13 languages (en, de, fr, es, it, pt, nl, pl, sv, tr, ja,
/// zh, ko) and nested JSON key paths (parents, plurals, arrays; person-like values under keys
/// that are not a person's name). Every kind must stay at what it measures (1.000 / 1.000)
/// less a margin: recall and precision ≥ 0.99 (the issue's targets are 0.95 / 0.98); and a `name`
/// under a product, job, item, company, team or ship is no finding.
#[test]
fn multilingual_headers_and_key_paths_meet_the_targets() {
    let engine = corpus::engine();
    for (name, cells) in [
        ("headers", corpus::generate_headers(2026, 13 * 40)),
        ("key paths", corpus::generate_paths(2026, 400)),
    ] {
        let (table, _) = corpus::evaluate(&engine, &cells, Confidence::Medium);
        let kinds = if name == "headers" { 6 } else { 5 };
        assert_eq!(table.len(), kinds, "{name}\n{}", corpus::render(&table));
        for (kind, c) in &table {
            assert!(
                c.tp > 20 && c.precision() >= 0.99 && c.recall() >= 0.99,
                "{name}: {kind}\n{}",
                corpus::render(&table)
            );
        }
    }
}

/// A headerless export (`column N`): the columns of names, dates of birth and addresses are
/// classified by their values and found; none of the hard-negative columns (order dates over
/// ten years, timestamps, release and expiry dates, cities, products named after people,
/// companies and job titles) is classified, and none yields a finding.
#[test]
fn headerless_columns_are_classified_by_their_values() {
    let engine = corpus::engine();
    let cells = corpus::generate_headerless(2026, 400);
    let (table, _, summary) = corpus::evaluate_columns(&engine, &cells, Confidence::Medium);
    let classified: Vec<(&str, &str)> = summary
        .iter()
        .map(|c| (c.field.as_str(), c.kind.as_str()))
        .collect();
    assert_eq!(
        classified,
        [
            ("column 1", "person_name"),
            ("column 2", "date_of_birth"),
            ("column 3", "street_address")
        ]
    );
    for (kind, c) in &table {
        assert_eq!(c.fp, 0, "{kind}\n{}", corpus::render(&table));
    }
    for kind in ["date_of_birth", "street_address"] {
        assert!(table[kind].recall() >= 0.98, "{}", corpus::render(&table));
    }
    // Column 1 (names the dictionaries know) is found; column 4 (names of other locales, 10
    // of 16 known to a dictionary) is below the share a names column needs: a known limit.
    let names = table["person_name"];
    assert!(
        names.tp >= 390 && names.tp < 800,
        "{}",
        corpus::render(&table)
    );
}

/// The forms issue 27 saw on public labelled sets (round 4, `support/forms_corpus.rs`): phones
/// without a trunk 0 after a cue or in a phone column, `/` and dotted separators and a `1-`
/// prefix, street-name-first addresses, PO boxes and APO addresses in prose, names after
/// `My name is` / `I'm` / `Dear` / `Customer:`. Recall per family at least the floor below and
/// no false positive at `medium` from any detector on their negatives (order numbers, dates,
/// versions, `Via Appia was built in …`, `I'm Sorry`).
#[test]
fn issue_27_forms_meet_the_floors() {
    let tagged = forms_corpus::generate(27, 40);
    let engine = corpus::engine();
    let (by_tag, by_form, misses) = ids_corpus::evaluate(&engine, &tagged, Confidence::Medium);
    let table = corpus::render(&by_tag);
    for (tag, floor) in [
        ("trunkless_phone_forms", 0.99),
        ("separator_phone_forms", 0.99),
        ("name_first_address_forms", 0.99),
        ("name_cue_forms", 0.99),
    ] {
        let c = by_tag.get(tag).copied().unwrap_or_default();
        assert!(
            c.tp >= 30 && c.recall() >= floor,
            "{tag}\n{table}\n{:?}",
            misses
                .iter()
                .map(|m| (m.what, &m.detector, &m.text, m.span))
                .collect::<Vec<_>>()
        );
    }
    let fps: Vec<_> = misses.iter().filter(|m| m.what == "FP").collect();
    assert!(
        fps.len() <= 1 && by_form.get("negative").map_or(0, |c| c.fp) <= 1,
        "{} false positives: {:?}\n{table}",
        fps.len(),
        fps.iter()
            .map(|m| (&m.detector, &m.text))
            .collect::<Vec<_>>()
    );
}
