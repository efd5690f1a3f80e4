//! Accuracy floors: per-kind precision and recall of the built-in detectors on the seeded
//! labelled corpus (`tests/support/corpus.rs`), at the default reporting threshold (medium).
//! `cargo run --release --example accuracy` prints the full table.

#[path = "support/corpus.rs"]
mod corpus;

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
