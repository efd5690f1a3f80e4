//! Prints the accuracy table of the built-in detectors on the seeded labelled corpus
//! (`tests/support/corpus.rs`), at the default reporting threshold (medium) and at low; first,
//! the structured sets: header rows in 13 languages and nested JSON key paths.
//!
//! `cargo run --release --example accuracy [-- --seed N --records N --misses N]`
//! `--misses N` also prints up to N false positives / negatives per kind (fake data only).

#[path = "../tests/support/corpus.rs"]
mod corpus;
#[path = "../tests/support/forms_corpus.rs"]
mod forms_corpus;
#[path = "../tests/support/ids_corpus.rs"]
mod ids_corpus;

use piiscan::finding::Confidence;

fn main() {
    let mut seed = 2026u64;
    let mut records = 4000usize;
    let mut show = 0usize;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let val = args.get(i + 1).and_then(|v| v.parse().ok());
        match (args[i].as_str(), val) {
            ("--seed", Some(v)) => seed = v,
            ("--records", Some(v)) => records = v as usize,
            ("--misses", Some(v)) => show = v as usize,
            (other, _) => {
                eprintln!("usage: accuracy [--seed N] [--records N] [--misses N] (got {other:?})");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    let cells = corpus::generate(seed, records);
    let engine = corpus::engine();
    let labels: usize = cells.iter().map(|c| c.labels.len()).sum();
    println!(
        "corpus: seed {seed}, {records} records, {} cells, {labels} labels\n",
        cells.len()
    );
    // Structured exports: multilingual header rows and nested JSON key paths (fake data).
    for (name, cells) in [
        (
            "multilingual CSV/TSV headers (13 languages)",
            corpus::generate_headers(seed, records),
        ),
        (
            "nested JSON key paths",
            corpus::generate_paths(seed, records),
        ),
    ] {
        let (table, misses) = corpus::evaluate(&engine, &cells, Confidence::Medium);
        println!("{name}, confidence >= medium\n{}", corpus::render(&table));
        print_misses(&misses, show);
    }
    // A headerless export: every column `column N`, classified by its values only.
    let headerless = corpus::generate_headerless(seed, records);
    let (table, _) = corpus::evaluate(&engine, &headerless, Confidence::Medium);
    println!(
        "headerless columns, confidence >= medium, without column classification\n{}",
        corpus::render(&table)
    );
    let (table, misses, summary) =
        corpus::evaluate_columns(&engine, &headerless, Confidence::Medium);
    println!(
        "headerless columns, with column classification ({} columns classified: {})\n{}",
        summary.len(),
        summary
            .iter()
            .map(|c| format!("{} {} {:.2}", c.field, c.kind.as_str(), c.share))
            .collect::<Vec<_>>()
            .join(", "),
        corpus::render(&table)
    );
    print_misses(&misses, show);
    for (name, min) in [
        ("confidence >= medium (default)", Confidence::Medium),
        ("confidence >= low", Confidence::Low),
    ] {
        let (table, misses) = corpus::evaluate(&engine, &cells, min);
        println!("{name}\n{}", corpus::render(&table));
        let (with, _, _) = corpus::evaluate_columns(&engine, &cells, min);
        println!(
            "{name}, with column classification\n{}",
            corpus::render(&with)
        );
        let anon = corpus::anonymise_fields(&cells);
        let (plain, _) = corpus::evaluate(&engine, &anon, min);
        println!(
            "{name}, fields renamed col1..colN\n{}",
            corpus::render(&plain)
        );
        let (with, anon_misses, summary) = corpus::evaluate_columns(&engine, &anon, min);
        println!(
            "{name}, fields renamed col1..colN, with column classification ({} columns classified)\n{}",
            summary.len(),
            corpus::render(&with)
        );
        print_misses(&misses, show);
        if min == Confidence::Medium {
            println!("misses with fields renamed, with column classification:");
            print_misses(&anon_misses, show);
        }
    }

    // National ids, loyalty programmes, IBAN / IPv6 / email forms: per detector and per form.
    let tagged = ids_corpus::generate(seed, (records / 40).max(25));
    let (by_tag, by_form, misses) = ids_corpus::evaluate(&engine, &tagged, Confidence::Medium);
    println!(
        "ids corpus ({} cells), confidence >= medium, per detector\n{}",
        tagged.len(),
        corpus::render(&by_tag)
    );
    println!("per form\n{}", corpus::render(&by_form));
    print_tagged_misses(&misses, show);

    // Phones without a trunk 0, new separators, street-name-first addresses, name cues.
    let tagged = forms_corpus::generate(seed, (records / 40).max(25));
    let (by_tag, by_form, misses) = ids_corpus::evaluate(&engine, &tagged, Confidence::Medium);
    println!(
        "issue-27 forms corpus ({} cells), confidence >= medium, per form family\n{}",
        tagged.len(),
        corpus::render(&by_tag)
    );
    println!("per form\n{}", corpus::render(&by_form));
    print_tagged_misses(&misses, show);
}

/// Up to `show` misses per (kind, what) of a tagged corpus (fake data only).
fn print_tagged_misses(misses: &[corpus::Miss], show: usize) {
    let mut per: std::collections::BTreeMap<(String, &str), usize> = Default::default();
    for m in misses {
        let n = per.entry((m.kind.clone(), m.what)).or_default();
        *n += 1;
        if *n <= show {
            println!(
                "  {} {:<15} {:<22} field={:?} span={:?} {:?}",
                m.what, m.kind, m.detector, m.field, m.span, m.text
            );
        }
    }
}

/// Up to `show` false positives / negatives per kind (fake data only).
fn print_misses(misses: &[corpus::Miss], show: usize) {
    if show == 0 {
        return;
    }
    let mut per: std::collections::BTreeMap<(String, &str), usize> = Default::default();
    for m in misses {
        let n = per.entry((m.kind.clone(), m.what)).or_default();
        *n += 1;
        if *n <= show {
            println!(
                "  {} {:<15} {:<22} field={:?} span={:?} {:?}",
                m.what, m.kind, m.detector, m.field, m.span, m.text
            );
        }
    }
    println!();
}
