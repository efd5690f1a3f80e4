//! Exposure: what a leak of each place would expose — values, distinct people, dangerous
//! combinations — and the ranked redactions that remove the most of it.
//!
//! A list of matches answers "where is PII?". The person auditing a vendor export needs three
//! other answers: *how many distinct customers would a leak of this place expose, with which
//! combination of fields, and which redactions remove the most exposure for the least
//! disruption?* This module answers them from [`Finding`]s alone (masked values and keyed
//! fingerprints), so it never sees a raw value.
//!
//! # Two layers: a mergeable [`State`] and a derived [`Exposure`]
//!
//! [`State::build`] reduces one scan's findings to compact, order-independent facts per input:
//!
//! * **places** — one per (input, field, kind): values found, distinct values (by fingerprint),
//!   records carrying the kind, and the confidence mix;
//! * **signatures** — for each distinct set of places that occur together in one record, how
//!   many records have exactly that set, and whether they carry a linking identifier;
//! * **clusters** — the sets of fingerprints of *linking* kinds (see [`LINKING`]) that records
//!   hold together, each with those records' places and how many records hold exactly that
//!   set; and the input's **placeholders** (values a detector marked, which never link).
//!   Nothing is linked yet: whether a value may link depends on every input (see "Shared
//!   values").
//!
//! [`Exposure::derive`] turns a state into every number a report shows. Because inputs never
//! share records, the state of several scans of *disjoint* inputs is just their concatenation
//! ([`State::merge`]); every decision that looks across records — which values are shared,
//! who is whom — is taken at derive time from the whole state. Merging the reports of shards
//! scanned with the same fingerprint key therefore gives exactly the numbers of one big scan,
//! shared values included (tested in `tests/exposure.rs`).
//!
//! # Distinct people
//!
//! Fingerprints of email, phone, loyalty number, national ID, passport and card numbers link:
//! two records sharing one of them are taken to be the same person, transitively — unless the
//! value is shared (see "Shared values"). Dates of
//! birth, names, addresses, IPs and IBANs do not link: a DOB is shared by ~1 in 20,000 people
//! and names are shared by design, so linking on them would merge strangers and *under*-state
//! the people exposed — the wrong direction for a breach notification. The price of linking on
//! contact details is the opposite error: a household sharing a landline or email becomes one
//! person, up to a bound. A record carrying PII but no linking value cannot be matched to
//! anyone, so it counts as one person of its own (`unlinked_people`); the count is exact under
//! these rules.
//!
//! What a record *is* comes from the format (a CSV row, an SQL tuple, a line; in JSON the
//! innermost list element that is an object, see [`crate::formats::json`]).
//!
//! # Shared values
//!
//! Linking on contact details breaks on values that are not one person's: an office
//! switchboard on every ticket, a `noreply@` sender on every order, a test card in every row
//! of a staging copy. Linked blindly, each merges everyone it touches into one "person" —
//! 100 callers of one switchboard would be 1 person exposed, the wrong direction for a breach
//! notification. So a linking value does **not** link when
//!
//! * a detector marked it as a **placeholder** ([`crate::validate::placeholder`]: no-reply
//!   senders, published test card numbers; default birth dates are marked too, though dates
//!   never link), or
//! * it has **more than [`Weights::max_link_partners`] partners** (default 8, configurable as
//!   `max_link_partners` in `piiscan.toml`): distinct other linking values held in one
//!   person's record with it, over all records of all inputs. One customer's email on 50 order
//!   rows beside the same card has one partner and links the 50 rows; one phone beside 100
//!   different emails has 100 and does not. A household or small office sharing a line (up to
//!   the bound) is still merged — the price of linking on contact details.
//!
//! A record holding more than `max_link_partners + 1` distinct linking values is not one
//! person's but a **list of people** (a wrapper the format could not split, a mailing list in
//! one field): its values neither link to each other nor count as each other's partners, and
//! each is a person unless it links elsewhere. The bound is applied at derive time to the
//! whole state, so a value spread thinly over shards (five callers in each of two) is shared in
//! the merged report as in one scan, though neither shard alone shows it. A record whose
//! linking values are all shared cannot be matched to anyone: like a record without one, it is
//! one person of its own. Shared values are listed by fingerprint with their records and
//! partners ([`Exposure::shared_values`]), so an auditor sees why the count is what it is;
//! the findings with that fingerprint show the kind and masked value.
//!
//! People are counted per input (distinct global clusters the input touches, plus its unlinked
//! records) and overall. **Memory bound:** the state's per-input parts (places, signatures) are
//! small; its clusters grow with the people and, during a scan, live in a temporary spool file
//! (see [`Clusters`]); a large input is built in pieces (see [`InputBuilder`]). Derivation
//! streams clusters in passes of at most [`PASS_BYTES`] of buffer — counting partners, then
//! linking fingerprints, one slice of the hash space at a time, then each person's places one
//! range of people at a time — and reduces people to *groups* (see `model.rs`), so what it
//! holds for the whole scan is a 4-byte slot and a bit per cluster, plus the shared values. Measured (scan with JSONL output, `-j2`, peak RSS of the whole
//! process): the 4 GB bench corpus, 9.7 million clusters, 2,303 → 216 MB; one 1 GB SQL dump
//! ~400 → 139 MB (README, "Performance"). Counts are exact; there is no approximate mode (a
//! sketch such as HyperLogLog counts distinct values but cannot link them into people).
//!
//! # Combinations and identity kits
//!
//! Each record's *combination* is the set of kinds it carries; records are counted per
//! combination. A record is an **identity kit** when it has at least one kind from every role of
//! [`Weights::identity_kit`] — by default a name, email or phone; a date of birth; and a loyalty
//! number, national ID or passport number: enough to impersonate someone to a help desk.
//!
//! # Risk score and the redaction plan
//!
//! With per-kind weights `w(k)` (see [`Weights`], all configurable), the risk score of a scan is
//!
//! ```text
//! R = value × Σ_places w(kind)·values  +  person × Σ_kinds w(kind)·people_exposed(kind)
//!   + identity_kit × kit_records
//! ```
//!
//! Candidate actions are: mask, drop or tokenise one place (for a date-of-birth place,
//! generalise it to the year instead — a year is shared by ~1% of people, so for linking and kit
//! purposes it stops being a DOB, with less disruption than dropping the column); and delete an
//! input whose linked people all appear in another input *with their values* (a redundant
//! copy: its linking values all in the other input, and every kind it exposes for a person
//! exposed there too — see `values_missing` in `model.rs`). Each action is
//! scored by the drop in `R` it causes: weighted values removed, people no longer exposed to a
//! kind anywhere, identity-kit records dissolved. The plan is greedy: pick the best action,
//! apply it, re-score the rest (scores interact: removing the last of two copies of an email
//! frees its people, the first does not), up to [`Weights::max_actions`]. Each step carries the
//! cumulative share of `R` removed — "these 3 actions remove 91% of the risk score". Each round
//! costs time linear in the state's size.
//!
//! # Overlap
//!
//! For every pair of inputs sharing linked people: how many, and what share of the first
//! input's linked people that is — a share of 100% marks a redundant copy.

mod clusters;
mod distinct;
mod folders;
mod fp;
mod model;
mod state;

use std::collections::BTreeMap;
use std::io;

use serde::{Deserialize, Serialize};

pub use clusters::{ClusterCursor, ClusterSpool, Clusters};
pub use fp::{Cluster, Fp};
pub use model::{MAX_SHARED_LISTED, PASS_BYTES};
pub use state::{
    ConfidenceMix, InputBuilder, InputState, LINK_SET_CAP, MAX_LINK_PARTNERS, MergeError,
    PIECE_ENTRIES, PlaceState, Placeholder, Signature, State,
};

use crate::finding::{Finding, Kind};

/// Kinds whose fingerprints link records into one person (see the module docs for why these).
pub const LINKING: [Kind; 6] = [
    Kind::Email,
    Kind::Phone,
    Kind::LoyaltyNumber,
    Kind::NationalId,
    Kind::PassportNumber,
    Kind::CreditCard,
];

/// Whether `kind`'s fingerprints link records into one person.
pub fn is_linking(kind: Kind) -> bool {
    LINKING.contains(&kind)
}

/// Risk weights and plan settings. Every number here is a policy choice; the defaults are
/// documented on [`Weights::default`] and can be replaced wholesale (e.g. from configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Weight of one value / one exposed person, per kind (missing kinds weigh 0).
    pub kinds: BTreeMap<Kind, f64>,
    /// Multiplier for the weighted-values term.
    pub value: f64,
    /// Multiplier for the people-exposed-per-kind term.
    pub person: f64,
    /// Score of one identity-kit record.
    pub identity_kit: f64,
    /// Roles of an identity kit: a record is a kit when it holds a kind from every role.
    pub identity_kit_roles: Vec<Vec<Kind>>,
    /// Most actions the plan lists.
    pub max_actions: usize,
    /// Most distinct partners — other linking values in one person's record with it — a
    /// linking value may have and still link records (module docs, "Shared values"); at most
    /// [`MAX_LINK_PARTNERS`]. A record holding more than this plus one linking values is a
    /// list of people.
    #[serde(default = "default_max_link_partners")]
    pub max_link_partners: usize,
}

/// [`Weights::max_link_partners`] by default: a person rarely has more than a handful of
/// emails, phones, cards and ID numbers in one dataset, so 8 leaves room for a customer's
/// cards over years of orders while a switchboard, a team inbox or a family landline shared
/// by more than a few people stops linking.
pub const DEFAULT_MAX_LINK_PARTNERS: usize = 8;

fn default_max_link_partners() -> usize {
    DEFAULT_MAX_LINK_PARTNERS
}

impl Default for Weights {
    /// Defaults, roughly "how much harm does one leaked value do": government and card numbers
    /// 8 (fraud, hard to change); IBAN 5; date of birth and street address 3 (stable,
    /// identity-verification answers); email, phone and loyalty number 2 (contact, account
    /// takeover); name 1; IP address 0.5. Value and person multipliers 1, identity kit 10 per
    /// record, 10 actions, 8 link partners ([`DEFAULT_MAX_LINK_PARTNERS`]).
    fn default() -> Self {
        let kinds = [
            (Kind::Email, 2.0),
            (Kind::Phone, 2.0),
            (Kind::DateOfBirth, 3.0),
            (Kind::LoyaltyNumber, 2.0),
            (Kind::PersonName, 1.0),
            (Kind::StreetAddress, 3.0),
            (Kind::CreditCard, 8.0),
            (Kind::Iban, 5.0),
            (Kind::IpAddress, 0.5),
            (Kind::NationalId, 8.0),
            (Kind::PassportNumber, 8.0),
        ]
        .into_iter()
        .collect();
        Weights {
            kinds,
            value: 1.0,
            person: 1.0,
            identity_kit: 10.0,
            identity_kit_roles: vec![
                vec![Kind::PersonName, Kind::Email, Kind::Phone],
                vec![Kind::DateOfBirth],
                vec![Kind::LoyaltyNumber, Kind::NationalId, Kind::PassportNumber],
            ],
            max_actions: 10,
            max_link_partners: DEFAULT_MAX_LINK_PARTNERS,
        }
    }
}

impl Weights {
    /// The weight of `kind` (0 when not listed).
    pub fn kind(&self, kind: Kind) -> f64 {
        self.kinds.get(&kind).copied().unwrap_or(0.0)
    }

    /// Whether a record carrying `kinds` (a [`kind_bit`] mask) is an identity kit. No roles
    /// means nothing is a kit.
    pub fn is_identity_kit(&self, kinds: u16) -> bool {
        !self.identity_kit_roles.is_empty()
            && self
                .identity_kit_roles
                .iter()
                .all(|role| role.iter().any(|k| kinds & kind_bit(*k) != 0))
    }
}

// Kind sets are `u16` bit masks.
const _: () = assert!(Kind::ALL.len() <= 16);

/// A kind as one bit of a `u16` set.
pub fn kind_bit(kind: Kind) -> u16 {
    1 << (Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u16)
}

/// The kinds in a [`kind_bit`] set, in report order.
pub fn kinds_of(mask: u16) -> Vec<Kind> {
    Kind::ALL
        .into_iter()
        .filter(|k| mask & kind_bit(*k) != 0)
        .collect()
}

/// Headline numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Distinct people exposed: `linked_people + unlinked_people`.
    pub people: u64,
    /// Person clusters built from linking identifiers, across all inputs.
    pub linked_people: u64,
    /// Records with PII but no linking identifier, each counted as one person.
    pub unlinked_people: u64,
    /// Records scanned.
    pub records: u64,
    /// Records carrying at least one finding.
    pub records_with_pii: u64,
    /// Records that are identity kits.
    pub identity_kit_records: u64,
    /// Total risk score `R` (module docs).
    pub risk_score: f64,
    /// Linking values that do not link people: placeholders and values with more partners
    /// than [`Weights::max_link_partners`] (the most frequent are in
    /// [`Exposure::shared_values`]).
    pub shared_values: u64,
}

/// Why a linking value does not link people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedReason {
    /// A detector marked it as a placeholder or test value.
    Placeholder,
    /// It occurs beside more distinct linking values than one person has.
    Partners,
}

/// A linking value that does not link people, by fingerprint (module docs, "Shared values").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedValue {
    /// Keyed fingerprint (the findings with it show its kind and masked form).
    pub fingerprint: Fp,
    /// Kind, for placeholders (a value with too many partners is known by fingerprint only).
    pub kind: Option<Kind>,
    /// Why it does not link.
    pub reason: SharedReason,
    /// Records holding it.
    pub records: u64,
    /// Distinct linking values seen beside it in one person's records (0 for placeholders,
    /// which are not counted).
    pub partners: u64,
}

/// One place: an (input, field, kind).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceExposure {
    /// Field (column, key, `table.column`), if the format has fields.
    pub field: Option<String>,
    /// Kind.
    pub kind: Kind,
    /// Values found.
    pub values: u64,
    /// Distinct values by fingerprint.
    pub distinct_values: u64,
    /// Records carrying this place.
    pub records: u64,
    /// Distinct people exposed through this place.
    pub people: u64,
    /// Findings per confidence.
    pub confidence: ConfidenceMix,
    /// Risk removed by redacting this place alone (before any other action).
    pub risk: f64,
    /// For a sampled table of a live database: an **estimate** of the rows of the whole table
    /// carrying this place — `records` scaled by the table's catalogue row count over the rows
    /// sampled (`report::estimate_rows`). Absent for files, which are read whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_exposed_estimate: Option<u64>,
}

/// One input's exposure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputExposure {
    /// Display path.
    pub path: String,
    /// Records scanned.
    pub records: u64,
    /// Records carrying PII.
    pub records_with_pii: u64,
    /// Distinct people exposed (linked clusters touched + unlinked records).
    pub people: u64,
    /// Identity-kit records.
    pub identity_kit_records: u64,
    /// Risk removed by deleting this input alone.
    pub risk: f64,
    /// Places, by field then kind.
    pub places: Vec<PlaceExposure>,
}

/// One folder's exposure: a directory, an archive or a bucket prefix holding at least two
/// inputs (see `folders.rs` for which are listed). Its action is to restrict or purge it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FolderExposure {
    /// Folder path, ending with its separator (`shares/hr/`, `exports.zip!`).
    pub path: String,
    /// Inputs under it, at any depth.
    pub files: u64,
    /// Inputs under it with PII.
    pub files_with_pii: u64,
    /// Records with PII in it.
    pub records_with_pii: u64,
    /// Values found in it.
    pub values: u64,
    /// Distinct people exposed by its inputs together (a person in three of its files counts
    /// once).
    pub people: u64,
    /// Identity-kit records in it.
    pub identity_kit_records: u64,
    /// Risk removed by restricting or purging the folder alone.
    pub risk: f64,
    /// `risk` / the total risk score, 0..=1.
    pub risk_share: f64,
}

/// One step of the folder plan: restrict or purge a folder (greedy, best first, like the main
/// plan; see `model.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FolderStep {
    /// 1-based rank.
    pub rank: u32,
    /// Folder path (as in [`FolderExposure::path`]).
    pub path: String,
    /// Inputs under it with PII.
    pub files_with_pii: u64,
    /// Risk removed by this step, after the steps before it.
    pub score: f64,
    /// Risk removed by this and every earlier step / the total risk score, 0..=1.
    pub cumulative_share: f64,
}

/// Exposure per kind over the whole scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindExposure {
    /// Kind.
    pub kind: Kind,
    /// Values found.
    pub values: u64,
    /// Distinct people exposed to this kind.
    pub people: u64,
    /// Inputs holding this kind.
    pub inputs: u64,
}

/// Records per combination of kinds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Combination {
    /// The kinds, in report order.
    pub kinds: Vec<Kind>,
    /// Records with exactly these kinds.
    pub records: u64,
    /// Whether this combination is an identity kit.
    pub identity_kit: bool,
}

/// People shared between two inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overlap {
    /// The input whose people are counted.
    pub input: String,
    /// The other input.
    pub other: String,
    /// Linked people of `input` also in `other`.
    pub shared_people: u64,
    /// `shared_people` / linked people of `input`.
    pub share: f64,
}

/// A candidate redaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Mask, drop or tokenise the values of one place.
    Redact {
        /// Input.
        input: String,
        /// Field (`None`: the kind's values wherever they sit in the input).
        field: Option<String>,
        /// Kind.
        kind: Kind,
    },
    /// Replace a date of birth with its year.
    GeneraliseDob {
        /// Input.
        input: String,
        /// Field (`None`: every DOB in the input).
        field: Option<String>,
    },
    /// Delete (or expire) an input whose people, and their values, all appear in another.
    DeleteInput {
        /// Input to delete.
        input: String,
        /// Input that already holds all its people.
        duplicate_of: String,
    },
}

impl Action {
    /// A one-line imperative description (paths and fields unescaped: reporters escape).
    pub fn describe(&self) -> String {
        match self {
            Action::Redact {
                input,
                field: Some(f),
                kind,
            } => format!("mask, drop or tokenise field {f} ({kind}) in {input}"),
            Action::Redact {
                input,
                field: None,
                kind,
            } => format!("mask {kind} values in {input}"),
            Action::GeneraliseDob {
                input,
                field: Some(f),
            } => format!("generalise date of birth field {f} to year in {input}"),
            Action::GeneraliseDob { input, field: None } => {
                format!("generalise dates of birth to year in {input}")
            }
            Action::DeleteInput {
                input,
                duplicate_of,
            } => format!(
                "delete {input} (its people and their values are all also in {duplicate_of})"
            ),
        }
    }

    /// The input the action changes.
    pub fn input(&self) -> &str {
        match self {
            Action::Redact { input, .. }
            | Action::GeneraliseDob { input, .. }
            | Action::DeleteInput { input, .. } => input,
        }
    }
}

/// One step of the greedy plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanStep {
    /// 1-based rank.
    pub rank: u32,
    /// What to do.
    #[serde(flatten)]
    pub action: Action,
    /// Human description of the action.
    pub description: String,
    /// Risk removed by this step, after the steps before it.
    pub score: f64,
    /// Values removed.
    pub values: u64,
    /// (person, kind) exposures removed: people no longer exposed to a kind anywhere.
    pub people_unexposed: u64,
    /// Identity-kit records dissolved.
    pub kits_dissolved: u64,
    /// Risk removed by this and every earlier step.
    pub cumulative: f64,
    /// `cumulative` / total risk score, 0..=1.
    pub cumulative_share: f64,
}

/// Everything the reports show about exposure, plus the mergeable [`State`] it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    /// Kinds that link records into people.
    pub linking_kinds: Vec<Kind>,
    /// Weights used for scores, kits and the plan.
    pub weights: Weights,
    /// Headline numbers.
    pub summary: Summary,
    /// Per input, sorted by path.
    pub inputs: Vec<InputExposure>,
    /// Per kind, in report order (kinds with values only).
    pub kinds: Vec<KindExposure>,
    /// Records per combination of kinds, most records first.
    pub combinations: Vec<Combination>,
    /// Shared people between inputs, highest share first.
    pub overlaps: Vec<Overlap>,
    /// The ranked redaction plan.
    pub plan: Vec<PlanStep>,
    /// Folders by the risk removed by restricting or purging each alone, highest first
    /// (empty in reports written before folders were rolled up).
    #[serde(default)]
    pub folders: Vec<FolderExposure>,
    /// Which folders to restrict or purge first, greedy (at most [`Weights::max_actions`]).
    #[serde(default)]
    pub folder_plan: Vec<FolderStep>,
    /// Linking values that do not link people, most records first (at most
    /// [`MAX_SHARED_LISTED`]; [`Summary::shared_values`] counts them all).
    pub shared_values: Vec<SharedValue>,
    /// The mergeable state everything above is derived from.
    pub state: State,
}

impl Exposure {
    /// Builds state from `inputs` (display path, records scanned) and their findings, then
    /// derives.
    pub fn from_findings<'a>(
        inputs: impl IntoIterator<Item = (&'a str, u64)>,
        findings: &[Finding],
        weights: Weights,
    ) -> Exposure {
        match model::derive(State::build(inputs, findings), weights) {
            Ok(e) => e,
            // A state built in memory has no spooled clusters to read back.
            Err(e) => unreachable!("deriving an in-memory state failed: {e}"),
        }
    }

    /// Derives every number from `state` (see the module docs). Fails only if spooled
    /// clusters cannot be read back (an I/O error on the temporary file).
    pub fn derive(state: State, weights: Weights) -> io::Result<Exposure> {
        model::derive(state, weights)
    }

    /// Ranks places across inputs by standalone risk, highest first: the "top places".
    pub fn top_places(&self, n: usize) -> Vec<(&str, &PlaceExposure)> {
        let mut all: Vec<(&str, &PlaceExposure)> = self
            .inputs
            .iter()
            .flat_map(|i| i.places.iter().map(move |p| (i.path.as_str(), p)))
            .collect();
        all.sort_by(|a, b| b.1.risk.total_cmp(&a.1.risk).then_with(|| a.0.cmp(b.0)));
        all.truncate(n);
        all
    }
}

#[cfg(test)]
mod tests;
