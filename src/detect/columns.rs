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
//! **Columns whose name says nothing** (`column 3` of a headerless CSV, `col7`, `_c2`,
//! `Sheet1.D`; [`says_nothing`]) are also classified by what their values look like, for the
//! kinds whose detectors run only under a telling header: dates of birth, person names and
//! street addresses ([`Shape`]). Their detectors produce no hit at all without a header, so
//! there is nothing to promote; instead, once such a column is classified, every value the
//! engine did not already report as that kind is scanned again under the kind's own header
//! ([`Columns::rescan`]) and its hits of that kind are reported at `medium` at most. Before the
//! decision, values of the column's shape are scanned again too and their hits held, as above.
//! Guards of their own: a date counts only when it is a calendar date 10 to 110 years ago with
//! no time of day (order dates, expiry dates and timestamps do not), and a birth-date column
//! needs its dates to span at least [`MIN_BIRTH_SPAN`] years (an archive of old orders does
//! not); a name counts only when the name validator is sure of it (a word in the given-name or
//! surname dictionary, no organisation or placeholder word, no digit); and a shape column
//! needs at least [`MIN_DISTINCT`] distinct values among its first ones (a product column
//! repeating `Jane Smith Signature Edition` is not a column of people). Bare-integer columns
//! (loyalty and id numbers without a header) stay unclassified: nothing in the value tells a
//! membership number from an order number.
//!
//! [`Columns::finish`] lists every classified field with its kind, the share of its non-empty
//! values that validate as that kind, and the classification's confidence (`high` from
//! [`HIGH_SHARE`], else `medium`): the JSON report carries it per input.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::finding::{Confidence, Kind};
use crate::validate::{self, Candidate, Verdict};

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
/// Years the birth dates of a column classified by shape must span at least.
pub const MIN_BIRTH_SPAN: i32 = 15;
/// Distinct values (among the first `DISTINCT_WINDOW`) a column classified by shape needs.
pub const MIN_DISTINCT: usize = 5;
/// How many distinct values of a shape column are remembered (as hashes) for [`MIN_DISTINCT`].
const DISTINCT_WINDOW: usize = 16;
/// Values of a field whose name says nothing that are looked at for a shape before giving up:
/// a column still undecided after this many is not looked at any more (bounded work per cell).
pub const SHAPE_PROBE: u64 = 2000;

/// What a value looks like, for the kinds whose detectors need a telling header (see the
/// module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A calendar date 10–110 years ago, no time of day.
    BirthDate,
    /// A person's name the name validator is sure of.
    Name,
    /// A street address the address validator accepts.
    Address,
}

impl Shape {
    const ALL: [Shape; 3] = [Shape::BirthDate, Shape::Name, Shape::Address];

    /// The kind a column of this shape holds.
    pub fn kind(self) -> Kind {
        match self {
            Shape::BirthDate => Kind::DateOfBirth,
            Shape::Name => Kind::PersonName,
            Shape::Address => Kind::StreetAddress,
        }
    }

    /// The field name its values are scanned again under: one of the kind's own headers.
    pub fn header(self) -> &'static str {
        match self {
            Shape::BirthDate => "date_of_birth",
            Shape::Name => "full_name",
            Shape::Address => "street_address",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A value to scan again under a header, decided by [`Columns::rescan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rescan {
    /// The field name to give the engine instead of the cell's own.
    pub header: &'static str,
    /// The only kind whose hits of the second scan count (others come from the first scan).
    pub kind: Kind,
}

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
    /// Shape statistics, only for a field whose name says nothing.
    shapes: Option<Box<Shapes>>,
    /// The shape the field was classified by (then `classified` is its kind).
    shaped: Option<Shape>,
}

/// Per-shape counts of a field whose name says nothing.
#[derive(Debug, Default)]
struct Shapes {
    counts: [u64; 3],
    /// Earliest and latest year of its birth-date-shaped values.
    years: Option<(i32, i32)>,
    /// Hashes of its first distinct shaped values (at most [`DISTINCT_WINDOW`]).
    distinct: Vec<u64>,
}

impl<P> Field<P> {
    fn new(name: &str) -> Field<P> {
        Field {
            values: 0,
            counts: Vec::new(),
            classified: None,
            pending: Vec::new(),
            shapes: says_nothing(name).then(Box::default),
            shaped: None,
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
    /// The shape of the value [`Columns::observe`] saw last (for [`Columns::rescan`]).
    last_shape: Option<Shape>,
    /// Whether the value observed last already counted for its shape column's share.
    counted: bool,
    /// Whether the field observed last has a name that says nothing (see [`says_nothing`]).
    shape_field: bool,
    /// Today, for the birth-date shape.
    today: (i32, u8, u8),
}

impl<P> Default for Columns<P> {
    fn default() -> Self {
        Columns::at(*TODAY)
    }
}

/// Today by the clock, read once per process.
static TODAY: std::sync::LazyLock<(i32, u8, u8)> =
    std::sync::LazyLock::new(|| validate::Ctx::default().today);

/// A validator context for the shape checks (the name validator reads none of it).
static CTX: std::sync::LazyLock<validate::Ctx> = std::sync::LazyLock::new(validate::Ctx::default);

/// Words of a field name that say nothing about what the column holds (with any digits
/// after them: `col7`, `column 3`, `field_12`, `_c0`, `V1`).
const SAY_NOTHING: &[&str] = &[
    "col",
    "column",
    "field",
    "fld",
    "value",
    "val",
    "var",
    "attr",
    "attribute",
    "unnamed",
    "data",
    "item",
    "cell",
    "prop",
    "property",
    "sheet",
    "spalte",
    "colonne",
    "columna",
    "coluna",
    "kolumn",
    "kolom",
    "sutun",
    "列",
    "열",
];

/// Whether a field name says nothing about its values: every word of its last segment is a
/// number, a single ASCII letter, or a word of `SAY_NOTHING` (digits after it allowed). `column 3`
/// (a headerless CSV), `users.column 2` (an SQL insert without a column list), `col7`, `c3`.
pub fn says_nothing(field: &str) -> bool {
    let last = field
        .rsplit(['.', '/'])
        .find(|s| !s.trim_matches(['[', ']']).is_empty())
        .unwrap_or("");
    super::spec::field_words(last).iter().all(|w| {
        let stem = w.trim_end_matches(|c: char| c.is_ascii_digit());
        // One ASCII letter (`c3`, `V1`); not one CJK character: `名` and `姓` are names.
        stem.is_empty() || (stem.len() == 1 && stem.is_ascii()) || SAY_NOTHING.contains(&stem)
    })
}

/// The shape of one value (see [`Shape`]), with the year of a birth date (`-1` for a name no
/// dictionary knows: such a value does not count towards a classification).
pub fn shape(text: &str, today: (i32, u8, u8)) -> Option<(Shape, i32)> {
    let t = text.trim();
    if t.len() < 2 || t.len() > 200 {
        return None;
    }
    if t.bytes().any(|b| b.is_ascii_digit()) {
        if let Some(y) = birth_date(t, today) {
            return Some((Shape::BirthDate, y));
        }
        // The validator's verdict without its normalised value (no allocation): this runs on
        // every value with a digit in it, in every column the probe still watches.
        return validate::address::is_street_address(t).then_some((Shape::Address, 0));
    }
    match validate::name::person_name(&Candidate::bare(t), &CTX) {
        Verdict::Valid { weak: false, .. } => Some((Shape::Name, 0)),
        // Name-shaped but in no dictionary (`Drebel`): not counted (see `observe`), yet worth
        // a second scan in a column that may turn out to hold names.
        Verdict::Valid { weak: true, .. } => Some((Shape::Name, WEAK)),
        _ => None,
    }
}

/// The "year" [`shape`] gives a name the name validator is not sure of.
const WEAK: i32 = -1;

/// The year of `t` when it is a calendar date 10–110 years before `today` with no time of day
/// (`1985-03-12`, `12. März 1985`, `1985-03-12T00:00:00Z`); `None` for a timestamp.
fn birth_date(t: &str, today: (i32, u8, u8)) -> Option<i32> {
    let date = match t.find(':') {
        // The time starts at the last `T` or space before its first colon; only midnight is
        // a date written as a timestamp (`created_at` values are not birth dates).
        Some(colon) => {
            let start = t[..colon].rfind(['T', ' '])?;
            let time = t[start + 1..].trim_end_matches('Z');
            let time = time.split(['+', '-']).next().unwrap_or(time);
            if !time.bytes().all(|b| matches!(b, b'0' | b':' | b'.')) {
                return None;
            }
            &t[..start]
        }
        None => t,
    };
    let (y, m, d) = validate::date::parse_date(date, false)?;
    let age = today.0 - y - i32::from((m, d) > (today.1, today.2));
    (10..=110).contains(&age).then_some(y)
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

    /// An empty tracker whose birth-date shape counts ages from `today` (tests).
    pub fn at(today: (i32, u8, u8)) -> Columns<P> {
        Columns {
            fields: foldhash::HashMap::default(),
            released: Vec::new(),
            kinds: Vec::new(),
            last_shape: None,
            counted: false,
            shape_field: false,
            today,
        }
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
        self.last_shape = None;
        self.counted = false;
        self.shape_field = false;
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
            None if room => self
                .fields
                .entry(field.to_string())
                .or_insert_with(|| Field::new(field)),
            None => return,
        };
        f.values += 1;
        self.shape_field = f.shapes.is_some();
        for &kind in &self.kinds {
            match f.counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => f.counts.push((kind, 1)),
            }
        }
        // The shape of a value only matters while its column is undecided. Once classified by
        // shape, a value counts when a hit of the kind covers it: here when the engine's first
        // scan found one, else when the second scan does (`admit_rescanned`).
        let probe = f.classified.is_none() && f.values <= SHAPE_PROBE;
        if let (Some(shape), Some(sh)) = (f.shaped, f.shapes.as_deref_mut())
            && self.kinds.contains(&shape.kind())
        {
            sh.counts[shape.index()] += 1;
            self.counted = true;
        }
        if let Some(sh) = f.shapes.as_deref_mut().filter(|_| probe)
            && let Ok(t) = std::str::from_utf8(text)
            && let Some((shape, year)) = shape(t, self.today)
        {
            self.last_shape = Some(shape);
            if year != WEAK {
                sh.counts[shape.index()] += 1;
                self.counted = true;
                if shape == Shape::BirthDate {
                    let (lo, hi) = sh.years.unwrap_or((year, year));
                    sh.years = Some((lo.min(year), hi.max(year)));
                }
                if sh.distinct.len() < DISTINCT_WINDOW {
                    let h = std::hash::BuildHasher::hash_one(
                        &foldhash::fast::FixedState::with_seed(0),
                        t.trim(),
                    );
                    if !sh.distinct.contains(&h) {
                        sh.distinct.push(h);
                    }
                }
            }
        }
        if f.classified.is_none() && f.values >= MIN_VALUES {
            let best = f.counts.iter().max_by_key(|(_, n)| *n).copied();
            let by_shape = f.shapes.as_deref().and_then(|sh| {
                let shape = Shape::ALL
                    .into_iter()
                    .max_by_key(|s| sh.counts[s.index()])?;
                let n = sh.counts[shape.index()];
                let spread = match (shape, sh.years) {
                    (Shape::BirthDate, Some((lo, hi))) => hi - lo >= MIN_BIRTH_SPAN,
                    (Shape::BirthDate, None) => false,
                    _ => true,
                };
                (n as f64 >= MIN_SHARE * f.values as f64
                    && spread
                    && sh.distinct.len() >= MIN_DISTINCT)
                    .then_some(shape)
            });
            let decided = match best {
                Some((kind, n)) if n as f64 >= MIN_SHARE * f.values as f64 => Some(kind),
                _ => by_shape.map(Shape::kind),
            };
            if let Some(kind) = decided {
                f.classified = Some(kind);
                f.shaped = by_shape.filter(|s| s.kind() == kind);
                for (k, p) in f.pending.drain(..) {
                    if k == kind {
                        self.released.push(p);
                    }
                }
            }
        }
    }

    /// Whether the value [`Columns::observe`] just counted for `field` (call right after it,
    /// for the same cell) should be scanned again
    /// under a header, and which: in a column classified by [`Shape`], every value no hit
    /// (`hits`: kind and span) covers as the column's kind; in an undecided column whose name
    /// says nothing, a value of a shape, while its column can still hold a hit.
    pub fn rescan(
        &self,
        field: &str,
        text: &[u8],
        hits: impl IntoIterator<Item = (Kind, Range<usize>)>,
    ) -> Option<Rescan> {
        // Most fields have a name that says something: no second lookup for them.
        if !self.shape_field {
            return None;
        }
        let f = self.fields.get(field)?;
        let shape = match (f.classified, f.shaped) {
            (Some(_), Some(shape)) => shape,
            (None, _) if f.pending.len() < PENDING_PER_FIELD => self.last_shape?,
            _ => return None,
        };
        f.shapes.as_ref()?;
        if text.trim_ascii().is_empty() {
            return None;
        }
        let kind = shape.kind();
        let covered = hits
            .into_iter()
            .any(|(k, span)| k == kind && counts_as_value(text, &span));
        (!covered).then_some(Rescan {
            header: shape.header(),
            kind,
        })
    }

    /// [`Columns::admit`] for a hit of the second scan [`Columns::rescan`] asked for: at most
    /// `medium`; reported when the column is classified as its kind, held while the column is
    /// undecided, dropped otherwise.
    pub fn admit_rescanned(
        &mut self,
        field: &str,
        kind: Kind,
        confidence: Confidence,
        min: Confidence,
    ) -> Admit {
        let c = confidence.min(Confidence::Medium);
        let Some(f) = self.fields.get_mut(field) else {
            return Admit::Drop;
        };
        // The value validates as the column's kind: it counts towards the column's share
        // (once per value, whatever the threshold).
        if f.classified == Some(kind)
            && let (Some(shape), Some(sh)) = (f.shaped, f.shapes.as_deref_mut())
            && !std::mem::replace(&mut self.counted, true)
        {
            sh.counts[shape.index()] += 1;
        }
        match f.classified {
            _ if c < min => Admit::Drop,
            Some(k) if k == kind => Admit::Report(c),
            None if f.pending.len() < PENDING_PER_FIELD => Admit::Hold(c),
            _ => Admit::Drop,
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
                let mut n = f.counts.iter().find(|(k, _)| *k == kind).map_or(0, |c| c.1);
                if let (Some(shape), Some(sh)) = (f.shaped, &f.shapes) {
                    n = n.max(sh.counts[shape.index()]);
                }
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

    const TODAY: (i32, u8, u8) = (2026, 11, 25);

    #[test]
    fn names_that_say_nothing() {
        for name in [
            "column 3",
            "col7",
            "c3",
            "_c0",
            "V1",
            "field_12",
            "users.column 2",
            "Sheet1.D",
            "value",
            "[]",
            "data[].3",
            "列1",
        ] {
            assert!(says_nothing(name), "{name}");
        }
        for name in [
            "dob",
            "order_date",
            "name",
            "created_at",
            "city",
            "product",
            "col_name",
            "ts",
            "users.email",
            "名",
            "姓",
        ] {
            assert!(!says_nothing(name), "{name}");
        }
    }

    #[test]
    fn value_shapes() {
        let s = |t: &str| shape(t, TODAY).map(|(s, _)| s);
        for t in [
            "1985-03-12",
            "12/03/1985",
            "March 3, 1985",
            "12. März 1985",
            "1985年3月12日",
            "1985-03-12T00:00:00Z",
            "2016-11-24",
        ] {
            assert_eq!(s(t), Some(Shape::BirthDate), "{t}");
        }
        // Recent, future, too old, or with a time of day: no birth date.
        for t in [
            "2024-05-01",
            "2016-11-26",
            "05/2031",
            "1900-01-01",
            "2019-04-03 14:22:09",
            "1985-03-12T08:30:00Z",
            "12345678",
        ] {
            assert_ne!(s(t), Some(Shape::BirthDate), "{t}");
        }
        for t in ["Jane Smith", "SMITH/JANE MR", "Dr Amelia Wilson", "Olivia"] {
            assert_eq!(shape(t, TODAY), Some((Shape::Name, 0)), "{t}");
        }
        // Known to no dictionary: a name's shape, but it does not count.
        assert_eq!(shape("Drebel Quazin", TODAY), Some((Shape::Name, WEAK)));
        for t in ["Acme Pty Ltd", "jsmith42", "shipped", "USB-C Cable 2m", ""] {
            assert_ne!(shape(t, TODAY), Some((Shape::Name, 0)), "{t}");
        }
        for t in [
            "42 Wallaby Way, Sydney NSW 2000",
            "Musterstraße 12, 10115 Berlin",
        ] {
            assert_eq!(s(t), Some(Shape::Address), "{t}");
        }
        assert_eq!(s("Mozilla/5.0 (Windows NT 10.0; Win64; x64)"), None);
    }

    /// Feeds `values` to `field` as the scan glue does, with no engine hit (the detectors of
    /// these kinds need a header): what is scanned again, and the summary.
    fn feed_shapes(field: &str, values: &[String]) -> (Vec<Option<Rescan>>, Vec<ColumnSummary>) {
        let mut c: Columns<usize> = Columns::at(TODAY);
        let mut asked = Vec::new();
        for (i, v) in values.iter().enumerate() {
            c.observe(field, v.as_bytes(), None);
            let r = c.rescan(field, v.as_bytes(), None);
            if let Some(r) = r {
                // The second scan's hit (as under the header): held, then released.
                match c.admit_rescanned(field, r.kind, High, Medium) {
                    Admit::Hold(conf) => {
                        assert_eq!(conf, Medium);
                        c.hold(field, r.kind, i);
                    }
                    Admit::Report(conf) => assert_eq!(conf, Medium),
                    Admit::Drop => {}
                }
            }
            asked.push(r);
        }
        let (_, summary) = c.finish();
        (asked, summary)
    }

    #[test]
    fn a_headerless_column_of_birth_dates_is_scanned_again_as_one() {
        let dobs: Vec<String> = (0..40)
            .map(|i| format!("{}-{:02}-{:02}", 1950 + i, 1 + i % 12, 1 + i % 28))
            .collect();
        let (asked, summary) = feed_shapes("column 2", &dobs);
        assert!(
            asked
                .iter()
                .all(|r| r.map(|r| r.header) == Some("date_of_birth"))
        );
        assert_eq!(summary.len(), 1);
        assert_eq!(
            (summary[0].kind, summary[0].share),
            (Kind::DateOfBirth, 1.0)
        );
        // The same dates under a name that says something are left to that name.
        let (asked, summary) = feed_shapes("order_date", &dobs);
        assert!(asked.iter().all(Option::is_none) && summary.is_empty());
        // A hit of the kind already covering the value needs no second scan.
        let mut c: Columns<()> = Columns::at(TODAY);
        for v in &dobs {
            let span = 0..v.len();
            c.observe("c9", v.as_bytes(), [(Kind::DateOfBirth, span.clone())]);
            assert_eq!(
                c.rescan("c9", v.as_bytes(), [(Kind::DateOfBirth, span)]),
                None
            );
        }
    }

    /// Hard negatives: columns that look like the shapes and are not.
    #[test]
    fn order_dates_timestamps_and_repeated_names_are_not_shape_columns() {
        let cases: [(&str, Vec<String>); 4] = [
            // Recent order dates: no birth date at all.
            (
                "recent orders",
                (0..60)
                    .map(|i| format!("{:02}/{:02}/2024", 1 + i % 28, 1 + i % 12))
                    .collect(),
            ),
            // An archive of old orders: birth-date shaped, but over too few years.
            (
                "old orders",
                (0..60)
                    .map(|i| format!("{}-{:02}-03", 2004 + i % 8, 1 + i % 12))
                    .collect(),
            ),
            // Timestamps of long ago.
            (
                "timestamps",
                (0..60)
                    .map(|i| format!("{}-01-0{} 13:{:02}:00", 1960 + i, 1 + i % 9, i))
                    .collect(),
            ),
            // One product named after a person, over and over.
            (
                "product",
                vec!["Jane Smith Signature Edition".to_string(); 60],
            ),
        ];
        for (what, values) in cases {
            let (_, summary) = feed_shapes("column 5", &values);
            assert!(summary.is_empty(), "{what}: {summary:?}");
        }
        // Names: classified, and the names no dictionary knows are scanned again too.
        let names: Vec<String> = ["Olivia Smith", "Jack Brown", "Amelia Wilson", "Noah Jones"]
            .iter()
            .cycle()
            .zip(0..40)
            .map(|(n, i)| {
                if i % 10 == 9 {
                    "Drebel Quazin".into()
                } else {
                    n.to_string()
                }
            })
            .collect();
        let (asked, summary) = feed_shapes("col1", &names[..]);
        assert!(
            summary.is_empty(),
            "four distinct names are too few: {summary:?}"
        );
        assert_eq!(asked.iter().flatten().count(), 40);
        let many: Vec<String> = (0..40)
            .map(|i| {
                let g = [
                    "Olivia", "Jack", "Amelia", "Noah", "Emma", "James", "Sophia", "Liam",
                ];
                let s = ["Smith", "Brown", "Wilson", "Jones", "Taylor"];
                format!("{} {}", g[i % 8], s[i % 5])
            })
            .collect();
        let (_, summary) = feed_shapes("col1", &many);
        assert_eq!(summary.len(), 1);
        assert_eq!(summary[0].kind, Kind::PersonName);
    }

    #[test]
    fn rescanned_hits_are_held_then_reported_at_medium_at_most() {
        let mut c: Columns<u32> = Columns::at(TODAY);
        c.observe("col3", b"1985-03-12", None);
        assert_eq!(
            c.admit_rescanned("col3", Kind::DateOfBirth, High, Medium),
            Admit::Hold(Medium)
        );
        // Under a high threshold nothing inferred from values is reported.
        assert_eq!(
            c.admit_rescanned("col3", Kind::DateOfBirth, High, High),
            Admit::Drop
        );
        // A low hit stays low.
        assert_eq!(
            c.admit_rescanned("col3", Kind::DateOfBirth, Low, Medium),
            Admit::Drop
        );
        assert_eq!(
            c.admit_rescanned("nope", Kind::DateOfBirth, High, Medium),
            Admit::Drop
        );
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
