//! Column classification by values: a field whose values mostly validate as one kind is that
//! kind, even when its name says nothing (`c3`, `value`, `Sheet1.D`).
//!
//! The engine scores each value on its own; a weak-form phone number (`0491570156`, no
//! separators) or a street address without a telling header comes out `low` and is dropped at
//! the default threshold. But forty such values in one column are not forty coincidences. Per
//! input and per field, [`Columns`] counts non-empty values and, per kind, the values a detector
//! hit *as a whole* (including hits below the reporting threshold). Once a field has at least
//! [`MIN_VALUES`] non-empty values and one kind covers at least [`MIN_SHARE`] of them, the field
//! is classified as that kind (for the rest of the input) and that kind's `low` hits in it are
//! promoted one level, to `medium`.
//!
//! Precision guards, because a wrongly classified column turns every row into a false positive:
//!
//! * **Whole values only.** A hit counts (and may be promoted) only if it covers the value
//!   (surrounding whitespace aside): a free-text column that mentions an email in most rows is
//!   not an email column.
//! * **No bare integers.** A value of digits only, not starting with `0`, never counts and is
//!   never promoted: sequential ids, order numbers and amounts look exactly like national ids
//!   (`123456789` is a well-formed US SSN) or national-format phone numbers, and nothing in the
//!   value can tell them apart. Such columns are left to their header and context, as before.
//! * Only `low` hits are promoted, and only by one level; nothing is promoted to `high`.
//!
//! Streaming and bounded: counts are a few integers per field; hits that arrive before their
//! field is decided wait in a per-field buffer of at most [`PENDING_PER_FIELD`] items (further
//! ones are dropped, as they would have been without classification), released when the field
//! is classified as their kind and dropped at the end of the input otherwise. At most
//! [`MAX_FIELDS`] distinct fields are tracked per input; later fields behave as if this module
//! did not exist. A pending item is whatever the caller holds (the scan glue holds finished,
//! masked [`Finding`](crate::finding::Finding)s), never a raw value.
//!
//! [`Columns::finish`] lists every classified field with its kind, the share of its non-empty
//! values that validate as that kind, and the classification's confidence (`high` from
//! [`HIGH_SHARE`], else `medium`): the JSON report carries it per input.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::finding::{Confidence, Kind};

/// Non-empty values a field needs before it can be classified.
pub const MIN_VALUES: u64 = 20;
/// Share of a field's non-empty values that must validate as one kind to classify it.
pub const MIN_SHARE: f64 = 0.8;
/// Share from which a classification is reported with `high` confidence.
pub const HIGH_SHARE: f64 = 0.95;
/// Hits held per field while it is undecided.
pub const PENDING_PER_FIELD: usize = 64;
/// Distinct fields tracked per input.
pub const MAX_FIELDS: usize = 1024;

/// One classified field of one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// The field (column, key path, `table.column`, `sheet.header`).
    pub field: String,
    /// The kind its values validate as.
    pub kind: Kind,
    /// Share (0..=1) of the field's non-empty values that validate as `kind`.
    pub share: f64,
    /// Non-empty values seen in the field.
    pub values: u64,
    /// `high` when `share` ≥ [`HIGH_SHARE`], else `medium`.
    pub confidence: Confidence,
}

/// What to do with one hit, decided by [`Columns::admit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Report it now at this confidence.
    Report(Confidence),
    /// Build it at this (promoted) confidence and give it to [`Columns::hold`]: it is reported
    /// only if its field is classified as its kind.
    Hold(Confidence),
    /// Below the threshold: drop it.
    Drop,
}

#[derive(Debug)]
struct Field<P> {
    values: u64,
    /// Values that validate, per kind (few kinds per field: a vector beats a map).
    counts: Vec<(Kind, u64)>,
    classified: Option<Kind>,
    pending: Vec<(Kind, P)>,
}

impl<P> Default for Field<P> {
    fn default() -> Self {
        Field {
            values: 0,
            counts: Vec::new(),
            classified: None,
            pending: Vec::new(),
        }
    }
}

/// Per-field value statistics of one input, and the hits waiting for their field's decision.
#[derive(Debug)]
pub struct Columns<P> {
    /// By field name. foldhash, not SipHash: one lookup per cell of every structured input.
    /// The names come from the input, but the table holds at most `MAX_FIELDS` of them and
    /// foldhash is seeded per process.
    fields: foldhash::HashMap<String, Field<P>>,
    released: Vec<P>,
    kinds: Vec<Kind>,
}

impl<P> Default for Columns<P> {
    fn default() -> Self {
        Columns {
            fields: foldhash::HashMap::default(),
            released: Vec::new(),
            kinds: Vec::new(),
        }
    }
}

/// Whether the hit `span` of `text` is the whole value and the value is not a bare integer.
pub fn counts_as_value(text: &[u8], span: &Range<usize>) -> bool {
    let value = text.trim_ascii();
    let lead = text.len() - text.trim_ascii_start().len();
    if span.start > lead || span.end < lead + value.len() {
        return false;
    }
    let bare = value.iter().all(u8::is_ascii_digit) && value.first() != Some(&b'0');
    !bare
}

impl<P> Columns<P> {
    /// An empty tracker (one per input).
    pub fn new() -> Columns<P> {
        Columns::default()
    }

    /// Counts one value of `field`: `hits` are the (kind, span) of every hit in `text`, of any
    /// confidence. Empty values are not counted. Call before [`Columns::admit`] for the same
    /// cell, so the value that completes a classification is itself promoted.
    pub fn observe(
        &mut self,
        field: &str,
        text: &[u8],
        hits: impl IntoIterator<Item = (Kind, Range<usize>)>,
    ) {
        if text.trim_ascii().is_empty() {
            return;
        }
        self.kinds.clear();
        for (kind, span) in hits {
            if counts_as_value(text, &span) && !self.kinds.contains(&kind) {
                self.kinds.push(kind);
            }
        }
        // One hash lookup per value for a known field; a new one allocates its name once.
        let room = self.fields.len() < MAX_FIELDS;
        let f = match self.fields.get_mut(field) {
            Some(f) => f,
            None if room => self.fields.entry(field.to_string()).or_default(),
            None => return,
        };
        f.values += 1;
        for &kind in &self.kinds {
            match f.counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => f.counts.push((kind, 1)),
            }
        }
        if f.classified.is_none() && f.values >= MIN_VALUES {
            let best = f.counts.iter().max_by_key(|(_, n)| *n).copied();
            if let Some((kind, n)) = best
                && n as f64 >= MIN_SHARE * f.values as f64
            {
                f.classified = Some(kind);
                for (k, p) in f.pending.drain(..) {
                    if k == kind {
                        self.released.push(p);
                    }
                }
            }
        }
    }

    /// Decides what to do with a hit of `kind` at `confidence` covering `span` of the value
    /// `text` of `field`, when findings below `min` are not reported.
    pub fn admit(
        &self,
        field: Option<&str>,
        text: &[u8],
        span: Range<usize>,
        kind: Kind,
        confidence: Confidence,
        min: Confidence,
    ) -> Admit {
        let plain = if confidence >= min {
            Admit::Report(confidence)
        } else {
            Admit::Drop
        };
        if confidence != Confidence::Low || !counts_as_value(text, &span) {
            return plain;
        }
        let Some(f) = field.and_then(|name| self.fields.get(name)) else {
            return plain;
        };
        match f.classified {
            Some(k) if k == kind && Confidence::Medium >= min => Admit::Report(Confidence::Medium),
            None if min > Confidence::Low
                && Confidence::Medium >= min
                && f.pending.len() < PENDING_PER_FIELD =>
            {
                Admit::Hold(Confidence::Medium)
            }
            _ => plain,
        }
    }

    /// Holds `item` (a hit of `kind` in `field` that [`Columns::admit`] said to hold) until the
    /// field is decided.
    pub fn hold(&mut self, field: &str, kind: Kind, item: P) {
        if let Some(f) = self.fields.get_mut(field) {
            match f.classified {
                Some(k) if k == kind => self.released.push(item),
                Some(_) => {}
                None if f.pending.len() < PENDING_PER_FIELD => f.pending.push((kind, item)),
                None => {}
            }
        }
    }

    /// Ends the input: the held items released by a classification, and the summary of every
    /// classified field (sorted by field). Items still pending are dropped.
    pub fn finish(self) -> (Vec<P>, Vec<ColumnSummary>) {
        let mut summary: Vec<ColumnSummary> = self
            .fields
            .into_iter()
            .filter_map(|(name, f)| {
                let kind = f.classified?;
                let n = f.counts.iter().find(|(k, _)| *k == kind).map_or(0, |c| c.1);
                let share = n as f64 / f.values.max(1) as f64;
                Some(ColumnSummary {
                    field: name,
                    kind,
                    share,
                    values: f.values,
                    confidence: if share >= HIGH_SHARE {
                        Confidence::High
                    } else {
                        Confidence::Medium
                    },
                })
            })
            .collect();
        summary.sort_by(|a, b| a.field.cmp(&b.field));
        (self.released, summary)
    }
}

/// For callers that also drop hits by allowlist: a held `None` is a suppressed hit, counted only
/// if its field is classified as its kind (it would never have been a finding otherwise).
impl<P> Columns<Option<P>> {
    /// Records that an allowlist dropped a hit [`Columns::admit`] decided on; returns how many
    /// suppressions to count now (0 for a held hit: it is counted by [`Columns::finish_held`]).
    pub fn suppress(&mut self, admit: Admit, field: Option<&str>, kind: Kind) -> u64 {
        match (admit, field) {
            (Admit::Hold(_), Some(f)) => {
                self.hold(f, kind, None);
                0
            }
            _ => 1,
        }
    }

    /// Takes the items released so far (for a caller that hands findings on in chunks): the
    /// items, and how many released ones were suppressed.
    pub fn take_released(&mut self) -> (Vec<P>, u64) {
        let released = std::mem::take(&mut self.released);
        let total = released.len();
        let items: Vec<P> = released.into_iter().flatten().collect();
        let suppressed = (total - items.len()) as u64;
        (items, suppressed)
    }

    /// Whether any hit is still held for a field not yet decided.
    pub fn has_pending(&self) -> bool {
        self.fields.values().any(|f| !f.pending.is_empty())
    }

    /// Like [`Columns::finish`]: the released items, how many released ones were suppressed,
    /// and the summary.
    pub fn finish_held(self) -> (Vec<P>, u64, Vec<ColumnSummary>) {
        let (released, summary) = self.finish();
        let total = released.len();
        let items: Vec<P> = released.into_iter().flatten().collect();
        let suppressed = (total - items.len()) as u64;
        (items, suppressed, summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Confidence::*;

    fn feed(c: &mut Columns<u32>, field: &str, value: &str, kind: Option<Kind>) {
        let span = 0..value.len();
        c.observe(field, value.as_bytes(), kind.map(|k| (k, span)));
    }

    #[test]
    fn bare_integers_and_partial_hits_do_not_count() {
        let whole = |s: &str| 0..s.len();
        assert!(!counts_as_value(b"123456789", &whole("123456789")));
        assert!(counts_as_value(b"0491570156", &whole("0491570156")));
        assert!(counts_as_value(b" 12 Example Street ", &(1..18)));
        assert!(!counts_as_value(b"mail a@example.com", &(5..18)));
    }

    #[test]
    fn a_column_is_classified_after_enough_values_and_releases_its_held_hits() {
        let mut c = Columns::new();
        let phone = "0491570156";
        let span = 0..phone.len();
        for i in 0..MIN_VALUES as u32 {
            // Before the decision, a low hit is held; the 20th value decides.
            feed(&mut c, "c3", phone, Some(Kind::Phone));
            match c.admit(
                Some("c3"),
                phone.as_bytes(),
                span.clone(),
                Kind::Phone,
                Low,
                Medium,
            ) {
                Admit::Hold(conf) => {
                    assert_eq!(conf, Medium);
                    c.hold("c3", Kind::Phone, i);
                }
                Admit::Report(conf) => assert!(i + 1 == MIN_VALUES as u32 && conf == Medium),
                Admit::Drop => panic!("dropped value {i}"),
            }
        }
        // Classified now: later low hits are reported promoted; other kinds are not.
        let a = c.admit(
            Some("c3"),
            phone.as_bytes(),
            span.clone(),
            Kind::Phone,
            Low,
            Medium,
        );
        assert_eq!(a, Admit::Report(Medium));
        let b = c.admit(
            Some("c3"),
            phone.as_bytes(),
            span.clone(),
            Kind::NationalId,
            Low,
            Medium,
        );
        assert_eq!(b, Admit::Drop);
        // Nothing is promoted past medium, and never under a high threshold.
        let h = c.admit(
            Some("c3"),
            phone.as_bytes(),
            span.clone(),
            Kind::Phone,
            Low,
            High,
        );
        assert_eq!(h, Admit::Drop);
        let (released, summary) = c.finish();
        assert_eq!(released.len(), MIN_VALUES as usize - 1);
        assert_eq!(summary.len(), 1);
        assert_eq!(summary[0].kind, Kind::Phone);
        assert_eq!(summary[0].values, MIN_VALUES);
        assert_eq!(summary[0].confidence, High);
    }

    #[test]
    fn a_mixed_column_is_not_classified_and_its_held_hits_are_dropped() {
        let mut c = Columns::new();
        for i in 0..100u32 {
            let kind = (i % 4 != 0).then_some(Kind::Phone); // 75% < 80%
            feed(&mut c, "notes", "0491570156", kind);
            if i < 70 {
                c.hold("notes", Kind::Phone, i);
            }
        }
        let (released, summary) = c.finish();
        assert!(released.is_empty());
        assert!(summary.is_empty());
    }

    #[test]
    fn id_columns_of_nine_digit_numbers_are_never_classified() {
        let mut c = Columns::new();
        for i in 0..200u32 {
            let v = format!("{}", 100_000_000 + i * 7919);
            // The engine calls most 9-digit numbers well-formed SSNs (low).
            feed(&mut c, "order_no", &v, Some(Kind::NationalId));
            let span = 0..v.len();
            let a = c.admit(
                Some("order_no"),
                v.as_bytes(),
                span,
                Kind::NationalId,
                Low,
                Medium,
            );
            assert_eq!(a, Admit::Drop);
        }
        assert!(c.finish().1.is_empty());
    }

    #[test]
    fn held_suppressions_count_only_in_classified_columns() {
        let mut c: Columns<Option<u32>> = Columns::new();
        let hold = Admit::Hold(Medium);
        for field in ["kept", "mixed"] {
            feed_opt(&mut c, field, Some(Kind::Phone));
            assert_eq!(c.suppress(hold, Some(field), Kind::Phone), 0);
            c.hold(field, Kind::Phone, Some(1));
        }
        assert_eq!(
            c.suppress(Admit::Report(High), Some("kept"), Kind::Phone),
            1
        );
        for i in 1..MIN_VALUES {
            feed_opt(&mut c, "kept", Some(Kind::Phone));
            feed_opt(&mut c, "mixed", (i % 2 == 0).then_some(Kind::Phone));
        }
        let (items, suppressed, summary) = c.finish_held();
        assert_eq!((items, suppressed, summary.len()), (vec![1], 1, 1));
    }

    fn feed_opt(c: &mut Columns<Option<u32>>, field: &str, kind: Option<Kind>) {
        let value = "0491570156";
        c.observe(field, value.as_bytes(), kind.map(|k| (k, 0..value.len())));
    }

    #[test]
    fn pending_and_fields_are_bounded() {
        let mut c: Columns<u32> = Columns::new();
        for i in 0..(MAX_FIELDS as u32 + 10) {
            feed(&mut c, &format!("f{i}"), "x", None);
        }
        assert_eq!(c.fields.len(), MAX_FIELDS);
        feed(&mut c, "f0", "x", None);
        for i in 0..1000 {
            c.hold("f0", Kind::Phone, i);
        }
        assert_eq!(c.fields["f0"].pending.len(), PENDING_PER_FIELD);
    }
}
