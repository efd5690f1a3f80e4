//! Actions and the rules that choose them: what happens to one detected value.
//!
//! A [`Rules`] set maps (input, field, kind) to an [`Action`]. Rules come from flags
//! (`--action date_of_birth=generalise`, `--action field:email=tokenise`) and from a JSON report's
//! ranked plan (`--plan report.json --top 3`, see [`Rules::add_plan`]); anything no rule names
//! gets the default action (mask, unless a plan is used). A plan step that deletes an input
//! becomes an *omission*: the input is left out of the copy (see [`super::Redactor::omit`]). The most specific rule wins: a rule
//! scoped to this input beats an unscoped one, a field rule beats a kind rule.
//!
//! [`replacement`] turns one raw value into its replacement text. It is the only function here
//! that sees a raw value, and it returns text built to be safe inside any quoted context the
//! structured writers splice it into (no quotes, backslashes or control characters).

use std::fmt;

use serde::Serialize;

use crate::exposure::{Action as PlanAction, PlanStep};
use crate::finding::{Fingerprinter, Kind, mask};

use super::RedactError;

/// What to do with a detected value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Shape-preserving mask (`j***@e******.com`, last 4 of long numbers kept).
    Mask,
    /// Keyed HMAC token (`tok_<hex>`): equal values give equal tokens, so joins still work.
    Tokenise,
    /// Coarser value: a date of birth becomes its year, an address its postcode, an email its
    /// domain, an IPv4 address its /24; kinds with no generalisation are masked.
    Generalise,
    /// Remove the column / key / SQL column everywhere (in plain text: remove the value).
    Drop,
    /// Empty the value (CSV: empty field; JSON: `null`; SQL: `NULL` / `\N`; text: removed).
    Null,
}

impl Action {
    /// Every action, for help texts and parsing.
    pub const ALL: [Action; 5] = [
        Action::Mask,
        Action::Tokenise,
        Action::Generalise,
        Action::Drop,
        Action::Null,
    ];

    /// The flag spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Mask => "mask",
            Action::Tokenise => "tokenise",
            Action::Generalise => "generalise",
            Action::Drop => "drop",
            Action::Null => "null",
        }
    }

    /// Parses a flag spelling (`tokenize`/`generalize` accepted too).
    pub fn parse(s: &str) -> Option<Action> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mask" => Some(Action::Mask),
            "tokenise" | "tokenize" | "token" => Some(Action::Tokenise),
            "generalise" | "generalize" => Some(Action::Generalise),
            "drop" => Some(Action::Drop),
            "null" => Some(Action::Null),
            _ => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", content = "name", rename_all = "snake_case")]
pub enum Selector {
    /// Every value of a kind.
    Kind(Kind),
    /// Every value in a field: the field's full name (`customers.email`, `contact.email`) or its
    /// last part (`email`).
    Field(String),
    /// Values of a kind in one field.
    FieldKind(String, Kind),
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Only this input (display path, as in a report), or every input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// What it applies to.
    pub selector: Selector,
    /// What it does.
    pub action: Action,
}

/// The rule set (see the module docs).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rules {
    /// Rules, in the order given.
    pub rules: Vec<Rule>,
    /// Action for values no rule names; `None` keeps them.
    pub default: Option<Action>,
}

fn field_matches(want: &str, field: &str) -> bool {
    field == want
        || field
            .strip_suffix(want)
            .is_some_and(|head| head.ends_with('.'))
}

/// Whether `input` (a report's display path) names the file at `rel` (path relative to the
/// redaction source): equal, or ending in `/rel`.
pub fn input_matches(input: &str, rel: &str) -> bool {
    let input = input.strip_prefix("./").unwrap_or(input);
    input == rel
        || input
            .strip_suffix(rel)
            .is_some_and(|head| head.ends_with('/'))
}

impl Rules {
    /// Parses one `--action` value: `KIND=ACTION`, `field:NAME=ACTION` or
    /// `field:NAME:KIND=ACTION`.
    pub fn add_flag(&mut self, spec: &str) -> Result<(), RedactError> {
        let bad = |why: &str| RedactError::Rule(format!("--action {spec:?}: {why}"));
        let (lhs, rhs) = spec
            .rsplit_once('=')
            .ok_or_else(|| bad("expected KIND=ACTION or field:NAME=ACTION"))?;
        let action = Action::parse(rhs)
            .ok_or_else(|| bad("unknown action (use mask, tokenise, generalise, drop or null)"))?;
        let selector = if let Some(rest) = lhs.strip_prefix("field:") {
            match rest
                .rsplit_once(':')
                .and_then(|(f, k)| Some((f, Kind::parse(k)?)))
            {
                Some((f, k)) if !f.is_empty() => Selector::FieldKind(f.to_string(), k),
                _ if !rest.is_empty() => Selector::Field(rest.to_string()),
                _ => return Err(bad("empty field name")),
            }
        } else {
            Selector::Kind(Kind::parse(lhs.trim()).ok_or_else(|| {
                bad("unknown kind (see `piiscan detectors` for the kinds in use)")
            })?)
        };
        self.rules.push(Rule {
            input: None,
            selector,
            action,
        });
        Ok(())
    }

    /// Adds the first `top` steps of a report's ranked plan. A place step (`redact`) becomes
    /// `default_action` on that input's field and kind; a date-of-birth step becomes
    /// `generalise`; a `delete_input` step's input is returned, to be left out of the copy
    /// (the copy's equivalent of deleting it: [`super::Redactor::omit`]; see [`super::plan`]
    /// for which steps count as applied).
    pub fn add_plan(
        &mut self,
        plan: &[PlanStep],
        top: usize,
        default_action: Action,
    ) -> Vec<String> {
        let mut omit = Vec::new();
        for step in plan.iter().take(top) {
            match &step.action {
                PlanAction::Redact { input, field, kind } => self.rules.push(Rule {
                    input: Some(input.clone()),
                    selector: match field {
                        Some(f) => Selector::FieldKind(f.clone(), *kind),
                        None => Selector::Kind(*kind),
                    },
                    action: default_action,
                }),
                PlanAction::GeneraliseDob { input, field } => self.rules.push(Rule {
                    input: Some(input.clone()),
                    selector: match field {
                        Some(f) => Selector::FieldKind(f.clone(), Kind::DateOfBirth),
                        None => Selector::Kind(Kind::DateOfBirth),
                    },
                    action: Action::Generalise,
                }),
                PlanAction::DeleteInput { input, .. } => omit.push(input.clone()),
            }
        }
        omit
    }

    /// The action for a value of `kind` in `field` of the input at `rel`; `None` keeps it.
    pub fn decide(&self, rel: &str, field: Option<&str>, kind: Kind) -> Option<Action> {
        self.decide_shown(rel, field, (rel, field), kind)
    }

    /// [`Rules::decide`] for a place known by two names: as written (`rel`, `field`) and as a
    /// report shows it (`shown`: the input's display path and the field's display name, with
    /// values masked or replaced by placeholders, see [`crate::detect::names`]). A rule written
    /// from a report (a `--plan` step: `users.{email}.phone`) and one written from the file
    /// both match.
    pub fn decide_shown(
        &self,
        rel: &str,
        field: Option<&str>,
        shown: (&str, Option<&str>),
        kind: Kind,
    ) -> Option<Action> {
        let in_input = |i: &str| input_matches(i, rel) || input_matches(i, shown.0);
        let in_field = |f: &str| {
            field.is_some_and(|x| field_matches(f, x))
                || shown.1.is_some_and(|x| field_matches(f, x))
        };
        // Specificity: (input-scoped, field-scoped, kind-scoped); the best wins, then the
        // first given.
        let mut best: Option<((bool, bool, bool), Action)> = None;
        for r in &self.rules {
            if let Some(i) = &r.input
                && !in_input(i)
            {
                continue;
            }
            let (by_field, by_kind) = match &r.selector {
                Selector::Kind(k) if *k == kind => (false, true),
                Selector::Field(f) if in_field(f) => (true, false),
                Selector::FieldKind(f, k) if *k == kind && in_field(f) => (true, true),
                _ => continue,
            };
            let score = (r.input.is_some(), by_field, by_kind);
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, r.action));
            }
        }
        best.map(|(_, a)| a).or(self.default)
    }

    /// Whether a field rule (one that names no kind) drops `field` of the input at `rel`:
    /// such columns go even where nothing was detected in them.
    pub fn drops_field(&self, rel: &str, field: &str) -> bool {
        self.drops_field_shown(rel, field, (rel, field))
    }

    /// [`Rules::drops_field`] for a place known by two names (see [`Rules::decide_shown`]).
    pub fn drops_field_shown(&self, rel: &str, field: &str, shown: (&str, &str)) -> bool {
        self.rules.iter().any(|r| {
            r.action == Action::Drop
                && r.input
                    .as_deref()
                    .is_none_or(|i| input_matches(i, rel) || input_matches(i, shown.0))
                && matches!(&r.selector, Selector::Field(f)
                    if field_matches(f, field) || field_matches(f, shown.1))
        })
    }
}

/// The replacement text for one raw value (see the module docs). `Drop` and `Null` give the
/// empty string; the structured writers decide what an emptied value looks like.
pub fn replacement(
    action: Action,
    kind: Kind,
    raw: &str,
    normalised: &str,
    fp: &Fingerprinter,
) -> String {
    let text = match action {
        Action::Mask => mask(kind, raw),
        Action::Tokenise => token(fp, kind, normalised),
        Action::Generalise => generalise(kind, raw).unwrap_or_else(|| mask(kind, raw)),
        Action::Drop | Action::Null => String::new(),
    };
    sanitise(&text)
}

/// `tok_` and 16 hex digits of a keyed HMAC, domain-separated from report fingerprints (so a
/// token cannot be matched against a report's fingerprints) but with the same key: equal values
/// of one kind give equal tokens in every file and run that uses the key.
pub fn token(fp: &Fingerprinter, kind: Kind, normalised: &str) -> String {
    let h = fp.fingerprint(kind, &format!("\u{1}redact-token-v1\u{1}{normalised}"));
    format!("tok_{}", &h[..16])
}

/// A coarser value of the same kind, or `None` when the kind has no generalisation (or the
/// value does not have the expected shape).
pub fn generalise(kind: Kind, raw: &str) -> Option<String> {
    match kind {
        Kind::DateOfBirth => year_of(raw),
        Kind::StreetAddress => postcode_of(raw),
        Kind::Email => raw
            .rsplit_once('@')
            .map(|(_, d)| d.trim().to_ascii_lowercase()),
        Kind::IpAddress => {
            let parts: Vec<&str> = raw.trim().split('.').collect();
            (parts.len() == 4 && parts.iter().all(|p| p.parse::<u8>().is_ok()))
                .then(|| format!("{}.{}.{}.x", parts[0], parts[1], parts[2]))
        }
        _ => None,
    }
}

/// The first day of the year a date of birth was generalised to (`1985` → `1985-01-01`), for
/// columns typed as dates, where a bare year would not load; `None` when `generalised` is not a
/// year (the value had none and was masked instead).
pub fn year_date(generalised: &str) -> Option<String> {
    (generalised.len() == 4 && generalised.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{generalised}-01-01"))
}

/// The four-digit year (1900–2099) in a date, if it has one.
fn year_of(raw: &str) -> Option<String> {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - s == 4 && matches!(&raw[s..s + 2], "19" | "20") {
                return Some(raw[s..i].to_string());
            }
        } else {
            i += 1;
        }
    }
    None
}

/// The postcode at the end of an address: a final all-digit token of 4–5 digits (AU, US, DE,
/// FR, ...) or a UK outward+inward code (`SW1A 1AA`).
fn postcode_of(raw: &str) -> Option<String> {
    let words: Vec<&str> = raw
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let last = *words.last()?;
    if (4..=5).contains(&last.len()) && last.bytes().all(|b| b.is_ascii_digit()) {
        return Some(last.to_string());
    }
    let uk_in = |w: &str| {
        let b = w.as_bytes();
        b.len() == 3
            && b[0].is_ascii_digit()
            && b[1].is_ascii_alphabetic()
            && b[2].is_ascii_alphabetic()
    };
    if words.len() >= 2 && uk_in(last) {
        let out = words[words.len() - 2];
        if (2..=4).contains(&out.len())
            && out.as_bytes()[0].is_ascii_alphabetic()
            && out.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Some(format!("{out} {last}").to_ascii_uppercase());
        }
    }
    None
}

/// Replaces characters that could end or escape a quoted context (CSV `"`, SQL `'`, JSON `"`
/// and `\`, identifiers' `` ` ``) and control characters other than line breaks with `*`.
pub fn sanitise(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' | '\'' | '\\' | '`' => '*',
            '\n' | '\r' | '\t' => c,
            c if c.is_control() => '*',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_specific_rules_win() {
        let mut r = Rules {
            default: Some(Action::Mask),
            ..Rules::default()
        };
        r.add_flag("date_of_birth=generalise").unwrap();
        r.add_flag("field:email=tokenise").unwrap();
        r.add_flag("field:backup_email:email=drop").unwrap();
        assert!(r.add_flag("nope=mask").is_err());
        assert!(r.add_flag("email=shred").is_err());
        assert!(r.add_flag("email").is_err());
        let d = |f: Option<&str>, k| r.decide("a.csv", f, k);
        assert_eq!(d(Some("dob"), Kind::DateOfBirth), Some(Action::Generalise));
        assert_eq!(d(Some("email"), Kind::Email), Some(Action::Tokenise));
        assert_eq!(
            d(Some("customers.email"), Kind::Email),
            Some(Action::Tokenise)
        );
        assert_eq!(d(Some("xemail"), Kind::Email), Some(Action::Mask));
        assert_eq!(d(Some("backup_email"), Kind::Email), Some(Action::Drop));
        assert_eq!(d(None, Kind::Phone), Some(Action::Mask));
        assert!(!r.drops_field("a.csv", "t.notes"));
    }

    #[test]
    fn plan_rules_are_scoped_to_their_input() {
        let mut r = Rules::default();
        r.rules.push(Rule {
            input: Some("export/customers.csv".into()),
            selector: Selector::FieldKind("email".into(), Kind::Email),
            action: Action::Drop,
        });
        assert_eq!(
            r.decide("customers.csv", Some("email"), Kind::Email),
            Some(Action::Drop)
        );
        assert_eq!(r.decide("other.csv", Some("email"), Kind::Email), None);
        assert!(input_matches("./a/b.csv", "a/b.csv"));
        assert!(!input_matches("xb.csv", "b.csv"));
    }

    /// A rule written from a report (display names: masked path, placeholder field) and one
    /// written from the file (raw names) both match a place known by both names.
    #[test]
    fn rules_match_raw_and_display_names() {
        let mut r = Rules::default();
        r.rules.push(Rule {
            input: Some("src/j***@e******.com.json".into()),
            selector: Selector::FieldKind("users.{email}.phone".into(), Kind::Phone),
            action: Action::Mask,
        });
        r.rules.push(Rule {
            input: Some("jane@example.com.json".into()),
            selector: Selector::Field("notes".into()),
            action: Action::Drop,
        });
        let rel = "jane@example.com.json";
        let raw = "users[\"jane@example.com\"].phone";
        let shown = ("j***@e******.com.json", Some("users.{email}.phone"));
        assert_eq!(r.decide(rel, Some(raw), Kind::Phone), None);
        assert_eq!(
            r.decide_shown(rel, Some(raw), shown, Kind::Phone),
            Some(Action::Mask)
        );
        assert_eq!(r.decide_shown(rel, Some(raw), shown, Kind::Email), None);
        assert_eq!(
            r.decide_shown(
                "other.json",
                Some(raw),
                ("other.json", shown.1),
                Kind::Phone
            ),
            None
        );
        assert!(r.drops_field_shown(rel, "x.notes", (shown.0, "x.notes")));
        assert!(!r.drops_field_shown("b.json", "x.notes", ("b.json", "x.notes")));
    }

    #[test]
    fn generalisations() {
        let table: &[(Kind, &str, Option<&str>)] = &[
            (Kind::DateOfBirth, "1985-03-12", Some("1985")),
            (Kind::DateOfBirth, "12/03/1985", Some("1985")),
            (Kind::DateOfBirth, "12/03/85", None),
            (
                Kind::StreetAddress,
                "12 High St, Springfield VIC 3000",
                Some("3000"),
            ),
            (
                Kind::StreetAddress,
                "10 Downing Street, London SW1A 2AA",
                Some("SW1A 2AA"),
            ),
            (Kind::StreetAddress, "12 High St", None),
            (Kind::Email, "Jane@Example.com", Some("example.com")),
            (Kind::IpAddress, "203.0.113.7", Some("203.0.113.x")),
            (Kind::Phone, "0412 345 678", None),
        ];
        for (kind, raw, want) in table {
            assert_eq!(generalise(*kind, raw).as_deref(), *want, "{kind} {raw}");
        }
    }

    #[test]
    fn replacements_are_quote_safe_and_tokens_stable() {
        let fp = Fingerprinter::new(b"k");
        let name = replacement(Action::Mask, Kind::PersonName, "O'Brien", "o'brien", &fp);
        assert!(!name.contains('\''));
        let a = replacement(Action::Tokenise, Kind::Email, "A@x.com", "a@x.com", &fp);
        let b = replacement(Action::Tokenise, Kind::Email, "a@X.com", "a@x.com", &fp);
        assert_eq!(a, b);
        assert!(a.starts_with("tok_") && a.len() == 20);
        assert_ne!(a, fp.fingerprint(Kind::Email, "a@x.com")[..16]);
        assert_eq!(
            replacement(Action::Null, Kind::Email, "a@x.com", "", &fp),
            ""
        );
    }
}
