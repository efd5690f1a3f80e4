//! # piiscan
//!
//! A PII data-minimisation scanner: it finds customer personal data in exports, file shares and
//! database dumps, says how sure it is and where the data sits (file, line, column, field,
//! record), and never holds on to the raw values it finds.
//!
//! ## Data flow
//!
//! ```text
//! walk ──Input──▶ scan ──▶ formats::Format::scan(text, sink)      one Input = a file or stdin
//!                               │ pushes Cell { text, line, column, field, record, accept }
//!                               ▼
//!                          detect::Engine::scan(cell) → Hit (offsets + normalised value)
//!                               │ validate::<name>(candidate) → Verdict; detect::score
//!                               │ detect::columns: per-field value counts promote low hits
//!                               ▼
//!                          finding::Finding { path, line, column, kind, detector, confidence,
//!                                             field, masked, fingerprint, record }
//!                               │ raw value dropped here (scan.rs)
//! each finished input ──collect::Collector──▶ counts + exposure state (memory),
//!                                              findings ──▶ spool (temporary file)
//! sorted by path ──▶ report::Report (reads the spool) ──▶ report::<format>
//! ```
//!
//! Import direction (arrows point down only): [`validate`], [`finding`] import nothing of the
//! crate → [`detect`] (validate, finding) and [`input`] → [`formats`] (never detect) →
//! [`scan`] (glue: formats + detect) → [`report`] (never sees raw text) → [`scan::walk`] → the binary.
//!
//! ## Glossary
//!
//! * **Input** — one thing read: a file, stdin, later an archive member (ripgrep's haystack).
//! * **Cell** — a span of decoded text with its line/column, field and record.
//! * **Format** — a parser from decoded text to cells (`formats::text`, …).
//! * **Detector** — one pattern file, compiled ([`detect::Spec`]).
//! * **Candidate** — a regex match before validation ([`validate::Candidate`]).
//! * **Validator** / **Verdict** — a pure check of a candidate and its normalised value.
//! * **Finding** — a validated, masked, fingerprinted hit ([`finding::Finding`]).
//! * **Record** — a CSV row, JSON object, SQL tuple, or text line: what one person's data shares.
//! * **Exposure** — what a place exposes: values, distinct people, combinations.
//! * **Reporter** — one output format ([`report::Reporter`]).

pub mod config;
pub mod detect;
pub mod exposure;
pub mod finding;
pub mod formats;
pub mod input;
pub mod redact;
pub mod report;
pub mod scan;
pub mod validate;
