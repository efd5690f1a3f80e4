//! # piiscan
//!
//! A PII data-minimisation scanner: it finds customer personal data in exports, file shares and
//! database dumps, says how sure it is and where the data sits (file, line, column, field,
//! record), and never holds on to the raw values it finds.
//!
//! ## Data flow
//!
//! ```text
//! scan::walk ──Input──▶ scan::Scanner ──▶ formats::Format::scan(text, sink)
//!   input::decode (BOM/UTF-16/Latin-1), scan::unpack + input::archive (members as inputs)
//! scan::bucket ──Input──▶ (the same)   s3:// objects as streams (input::object, feature `s3`)
//!                               │ pushes Cell { text, line, column, field, record, accept }
//!                               ▼
//!                          detect::Engine::scan(cell) → Hit (offsets + normalised value)
//!                               │ validate::<name>(candidate) → Verdict; detect::score
//!                               │ detect::columns: per-field value counts promote low hits
//!                               ▼
//!                          finding::Finding { path, line, column, kind, detector, confidence,
//!                                             field, masked, fingerprint, record }
//!                               │ raw value dropped here (scan/mod.rs)
//! each finished input ──scan::collect::Collector──▶ counts + exposure state (memory),
//!                                                    findings ──▶ scan::spool (temporary file)
//! sorted by path ──▶ report::Report (reads the spool) ──▶ report::<format>
//! ```
//!
//! Import direction (arrows point down only; no two files import each other): [`validate`],
//! [`finding`] and [`input`] import nothing else of the crate → [`detect`] (validate, finding)
//! → [`formats`] (input; never detect) → [`exposure`] → [`scan`] (the scheduler; the glue of
//! formats + detect) → [`report`] (never sees raw text) and [`redact`] → [`config`] → the binary
//! (`src/app/`, `src/main.rs`). Inside a stage, shared types sit in a small lower file
//! (`scan/outcome.rs`, `exposure/fp.rs`, `detect/compile.rs`, `detect/placeholder.rs`), and a
//! module the scanner drives owns a narrow trait the scanner implements (`batch::Prepare`,
//! `unpack::Members`). One arrow still runs up: `exposure/clusters.rs` reads its spool with
//! `scan::spool::SegmentReader`.
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
