//! `piiscan.toml`: the project's scan policy, resolved and checked once.
//!
//! Loading is two-stage, as for pattern files: the file is deserialised into [`RawConfig`] with
//! `deny_unknown_fields` (a misspelt key is an error naming the key and the file, never silently
//! ignored), then compiled into a [`Config`] whose regexes, globs, kinds, confidence levels and
//! region are checked — every error names the file and the key. Paths inside the file (extra
//! pattern directories, the baseline) are relative to the file's directory.
//!
//! Discovery ([`discover`]) walks upward from the scan root to the filesystem root and takes the
//! first `piiscan.toml`; `--config FILE` names one explicitly. Command-line flags override the file.
//!
//! ```toml
//! min_confidence = "medium"          # low | medium | high
//! region = "AU"                      # default region for national-format phone numbers
//! patterns = ["ci/patterns"]         # extra pattern directories
//! fail_on = "high"                   # or ["credit_card", "date_of_birth"], or "high,credit_card"
//! baseline = ".piiscan-baseline.json"
//! inline_allow = true                # honour `piiscan:allow` (turn off for audits of data)
//! max_link_partners = 8              # a linking value beside more distinct ones does not link
//! fail_on_skip = true                # exit 2 when any input is skipped (binary, too large, …)
//!
//! [kinds]
//! disable = ["ip_address"]           # or enable = [...] to scan only those
//! [detectors]
//! disable = ["person_name_text"]
//! [allow]
//! values = ['@example\.com$']        # regexes over the raw and the normalised value
//! fingerprints = ["3f0c…"]           # keyed fingerprints of accepted values
//! paths = ["tests/fixtures/**"]      # globs over reported paths
//! [risk_weights]                     # passed through to the exposure report
//! credit_card = 5.0
//! [redact]                           # rules for `piiscan redact` (its --action flags win)
//! default = "mask"                   # or "keep"
//! actions = { date_of_birth = "generalise", email = "tokenise" }   # by kind
//! fields = { notes = "drop", "customers.backup_email:email" = "null" } # field or field:kind
//! ```

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::RegexSet;
use serde::Deserialize;
use thiserror::Error;

use crate::detect::Spec;
use crate::finding::{Confidence, Finding, Kind};
use crate::input::relative_to;
use crate::redact::{Action, Rule, Selector};

/// The file name looked for by [`discover`].
pub const FILE_NAME: &str = "piiscan.toml";

/// A configuration problem. Every variant names the file; the key is in the message.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema (unknown key, wrong type).
    #[error("{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// The parser's message (names the key and its line).
        message: String,
    },
    /// A key's value is not acceptable.
    #[error("{file}: key `{key}`: {message}")]
    Invalid {
        /// The file (or `--fail-on` for the flag).
        file: String,
        /// The key, dotted (`allow.values`).
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// `fail_on` as written: one string or a list of strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawFailOn {
    /// `"high"` or `"high,credit_card"`.
    One(String),
    /// `["high", "credit_card"]`.
    Many(Vec<String>),
}

/// Enable / disable lists for kinds or detectors.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawToggle {
    /// Only these (absent: all).
    pub enable: Option<Vec<String>>,
    /// Never these.
    #[serde(default)]
    pub disable: Vec<String>,
}

/// Allowlists as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAllow {
    /// Regexes over values.
    #[serde(default)]
    pub values: Vec<String>,
    /// Keyed fingerprints (hex).
    #[serde(default)]
    pub fingerprints: Vec<String>,
    /// Path globs.
    #[serde(default)]
    pub paths: Vec<String>,
}

/// `piiscan.toml` as written (stage one).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// `low`, `medium` or `high`.
    pub min_confidence: Option<String>,
    /// ISO 3166 alpha-2.
    pub region: Option<String>,
    /// Extra pattern directories.
    #[serde(default)]
    pub patterns: Vec<PathBuf>,
    /// Fail-on policy.
    pub fail_on: Option<RawFailOn>,
    /// Baseline file used by `scan` when `--baseline` is not given.
    pub baseline: Option<PathBuf>,
    /// Honour `piiscan:allow` markers (default true).
    pub inline_allow: Option<bool>,
    /// Most distinct partners a linking value may have and still link records into one person
    /// (see [`crate::exposure::Weights::max_link_partners`]).
    pub max_link_partners: Option<usize>,
    /// Exit 2 when any input was skipped (default false).
    pub fail_on_skip: Option<bool>,
    /// Kinds to scan.
    #[serde(default)]
    pub kinds: RawToggle,
    /// Detectors to run.
    #[serde(default)]
    pub detectors: RawToggle,
    /// Accepted values and places.
    #[serde(default)]
    pub allow: RawAllow,
    /// Risk weight per kind, for the exposure report.
    #[serde(default)]
    pub risk_weights: BTreeMap<String, f64>,
    /// Redaction rules for `piiscan redact`.
    #[serde(default)]
    pub redact: RawRedact,
}

/// `[redact]` as written: actions by kind and by field, and the default action.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRedact {
    /// Action for values no rule names: an action or `keep`.
    pub default: Option<String>,
    /// Kind → action (`date_of_birth = "generalise"`).
    #[serde(default)]
    pub actions: BTreeMap<String, String>,
    /// Field (`email`, `customers.email`) or `field:kind` → action.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// `[redact]`, checked: rules that `piiscan redact` applies after its own `--action` flags
/// (a flag wins over a file rule of the same specificity) and the default action.
#[derive(Debug, Clone, Default)]
pub struct RedactConfig {
    /// Rules, kind rules first, then field rules (each in key order).
    pub rules: Vec<Rule>,
    /// `None`: not set; `Some(None)`: `keep`; `Some(Some(a))`: `a`.
    pub default: Option<Option<Action>>,
}

/// Which findings fail the run (exit 1): at or above `min_confidence`, and of one of `kinds`
/// (empty: any kind). Both parts are optional; an empty policy fails on every reported finding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailOn {
    /// Minimum confidence that fails.
    pub min_confidence: Option<Confidence>,
    /// Kinds that fail (empty: all).
    pub kinds: Vec<Kind>,
}

impl FailOn {
    /// Parses comma-separated items, each a confidence level or a kind
    /// (`high`, `credit_card,date_of_birth`, `medium,email`). `origin` and `key` name where the
    /// text came from for errors.
    pub fn parse(items: &[&str], origin: &str, key: &str) -> Result<FailOn, ConfigError> {
        let mut out = FailOn::default();
        for item in items.iter().flat_map(|s| s.split(',')) {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            if let Some(c) = Confidence::parse(item) {
                if out.min_confidence.is_some_and(|m| m != c) {
                    return Err(invalid(origin, key, "more than one confidence level given"));
                }
                out.min_confidence = Some(c);
            } else if let Some(k) = Kind::parse(item) {
                if !out.kinds.contains(&k) {
                    out.kinds.push(k);
                }
            } else {
                return Err(invalid(
                    origin,
                    key,
                    &format!(
                        "{item:?} is neither a confidence level (low, medium, high) nor a kind ({})",
                        kind_names()
                    ),
                ));
            }
        }
        Ok(out)
    }

    /// Whether `f` fails the run under this policy.
    pub fn fails(&self, f: &Finding) -> bool {
        self.fails_on(f.kind, f.confidence)
    }

    /// Whether a finding of `kind` at `confidence` fails the run under this policy.
    pub fn fails_on(&self, kind: Kind, confidence: Confidence) -> bool {
        self.min_confidence.is_none_or(|m| confidence >= m)
            && (self.kinds.is_empty() || self.kinds.contains(&kind))
    }
}

/// A checked configuration (stage two). [`Config::default`] is "no file".
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from.
    pub file: Option<PathBuf>,
    /// Minimum confidence to report.
    pub min_confidence: Option<Confidence>,
    /// Default phone region (upper case).
    pub region: Option<String>,
    /// Extra pattern directories, resolved against the file's directory.
    pub pattern_dirs: Vec<PathBuf>,
    /// Fail-on policy.
    pub fail_on: Option<FailOn>,
    /// Baseline file, resolved against the file's directory.
    pub baseline: Option<PathBuf>,
    /// Whether `piiscan:allow` markers are honoured (`inline_allow`, default true). Turn off for
    /// audits of data (not code), where anyone who can write a row could hide it.
    pub inline_allow: bool,
    /// Whether a skipped input makes the run incomplete (exit 2), like an error
    /// (`fail_on_skip`, default false; `scan --fail-on-skip` turns it on).
    pub fail_on_skip: bool,
    /// Kinds to scan (None: all).
    pub kinds_enable: Option<Vec<Kind>>,
    /// Kinds never scanned.
    pub kinds_disable: Vec<Kind>,
    /// Detector ids to run (None: all).
    pub detectors_enable: Option<Vec<String>>,
    /// Detector ids never run.
    pub detectors_disable: Vec<String>,
    /// Value regexes, compiled (None when empty).
    pub allow_values: Option<RegexSet>,
    /// Accepted fingerprints (lower-case hex).
    pub allow_fingerprints: HashSet<String>,
    /// Path globs whose findings are accepted (None when empty).
    pub allow_paths: Option<GlobSet>,
    /// Risk weights per kind, for the exposure report.
    pub risk_weights: BTreeMap<Kind, f64>,
    /// `max_link_partners`, checked (0..=[`crate::exposure::MAX_LINK_PARTNERS`]).
    pub max_link_partners: Option<usize>,
    /// Redaction rules (`[redact]`).
    pub redact: RedactConfig,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            file: None,
            min_confidence: None,
            region: None,
            pattern_dirs: Vec::new(),
            fail_on: None,
            baseline: None,
            inline_allow: true,
            fail_on_skip: false,
            kinds_enable: None,
            kinds_disable: Vec::new(),
            detectors_enable: None,
            detectors_disable: Vec::new(),
            allow_values: None,
            allow_fingerprints: HashSet::new(),
            allow_paths: None,
            risk_weights: BTreeMap::new(),
            max_link_partners: None,
            redact: RedactConfig::default(),
        }
    }
}

fn invalid(file: &str, key: &str, message: &str) -> ConfigError {
    ConfigError::Invalid {
        file: file.to_string(),
        key: key.to_string(),
        message: message.to_string(),
    }
}

fn kind_names() -> String {
    Kind::ALL.map(Kind::as_str).join(", ")
}

/// Checks `[redact]`: every kind known, every action known, field names not empty.
fn compile_redact(file: &str, raw: &RawRedact) -> Result<RedactConfig, ConfigError> {
    let action = |key: &str, v: &str| {
        Action::parse(v).ok_or_else(|| {
            invalid(
                file,
                key,
                &format!("{v:?} is not an action (mask, tokenise, generalise, drop, null)"),
            )
        })
    };
    let default = match raw.default.as_deref() {
        None => None,
        Some("keep") => Some(None),
        Some(v) => Some(Some(action("redact.default", v).map_err(|_| {
            invalid(
                file,
                "redact.default",
                &format!("{v:?} is not an action (mask, tokenise, generalise, drop, null) or keep"),
            )
        })?)),
    };
    let mut rules = Vec::new();
    for (k, v) in &raw.actions {
        let key = format!("redact.actions.{k}");
        let kind = Kind::parse(k).ok_or_else(|| {
            invalid(
                file,
                &key,
                &format!("unknown kind (kinds: {})", kind_names()),
            )
        })?;
        rules.push(Rule {
            input: None,
            selector: Selector::Kind(kind),
            action: action(&key, v)?,
        });
    }
    for (k, v) in &raw.fields {
        let key = format!("redact.fields.{k}");
        let selector = match k
            .rsplit_once(':')
            .and_then(|(f, kd)| Some((f, Kind::parse(kd)?)))
        {
            Some((f, kind)) if !f.is_empty() => Selector::FieldKind(f.to_string(), kind),
            _ if !k.is_empty() && !k.ends_with(':') => Selector::Field(k.clone()),
            _ => return Err(invalid(file, &key, "empty field name")),
        };
        rules.push(Rule {
            input: None,
            selector,
            action: action(&key, v)?,
        });
    }
    Ok(RedactConfig { rules, default })
}

/// Finds `piiscan.toml` in `start` (or its directory, if a file) or the nearest parent.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut dir = if start.is_dir() {
        start.as_path()
    } else {
        start.parent()?
    };
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = dir.parent()?;
    }
}

impl Config {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            file: file.clone(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut cfg = Config::from_toml(&file, base, &text)?;
        cfg.file = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// Parses and checks `text`, naming `file` in errors; relative paths resolve against `base`.
    pub fn from_toml(file: &str, base: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        Config::compile(file, base, raw)
    }

    /// Checks a parsed file (stage two).
    pub fn compile(file: &str, base: &Path, raw: RawConfig) -> Result<Config, ConfigError> {
        let min_confidence = raw
            .min_confidence
            .as_deref()
            .map(|s| {
                Confidence::parse(s).ok_or_else(|| {
                    invalid(
                        file,
                        "min_confidence",
                        &format!("{s:?} is not low, medium or high"),
                    )
                })
            })
            .transpose()?;
        let region = raw
            .region
            .map(|r| {
                let r = r.to_ascii_uppercase();
                match r.parse::<phonenumber::country::Id>() {
                    Ok(_) => Ok(r),
                    Err(_) => Err(invalid(
                        file,
                        "region",
                        &format!("{r:?} is not an ISO 3166 alpha-2 region code"),
                    )),
                }
            })
            .transpose()?;
        let fail_on = match &raw.fail_on {
            None => None,
            Some(RawFailOn::One(s)) => Some(FailOn::parse(&[s.as_str()], file, "fail_on")?),
            Some(RawFailOn::Many(v)) => {
                let items: Vec<&str> = v.iter().map(String::as_str).collect();
                Some(FailOn::parse(&items, file, "fail_on")?)
            }
        };
        let kinds = |list: &[String], key: &str| -> Result<Vec<Kind>, ConfigError> {
            list.iter()
                .map(|s| {
                    Kind::parse(s).ok_or_else(|| {
                        invalid(
                            file,
                            key,
                            &format!("unknown kind {s:?} (kinds: {})", kind_names()),
                        )
                    })
                })
                .collect()
        };
        let kinds_enable = raw
            .kinds
            .enable
            .as_deref()
            .map(|l| kinds(l, "kinds.enable"))
            .transpose()?;
        let kinds_disable = kinds(&raw.kinds.disable, "kinds.disable")?;
        let allow_values = if raw.allow.values.is_empty() {
            None
        } else {
            for v in &raw.allow.values {
                if let Err(e) = regex::Regex::new(v) {
                    return Err(invalid(file, "allow.values", &format!("{v:?}: {e}")));
                }
            }
            Some(
                RegexSet::new(&raw.allow.values)
                    .map_err(|e| invalid(file, "allow.values", &e.to_string()))?,
            )
        };
        let mut allow_fingerprints = HashSet::new();
        for f in &raw.allow.fingerprints {
            let f = f.trim().to_ascii_lowercase();
            if f.len() != 32 || !f.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid(
                    file,
                    "allow.fingerprints",
                    &format!("{f:?} is not a 32-digit hex fingerprint from a piiscan report"),
                ));
            }
            allow_fingerprints.insert(f);
        }
        let allow_paths = if raw.allow.paths.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for g in &raw.allow.paths {
                let glob = Glob::new(g)
                    .map_err(|e| invalid(file, "allow.paths", &format!("{g:?}: {e}")))?;
                b.add(glob);
            }
            Some(
                b.build()
                    .map_err(|e| invalid(file, "allow.paths", &e.to_string()))?,
            )
        };
        let mut risk_weights = BTreeMap::new();
        for (k, w) in &raw.risk_weights {
            let kind = Kind::parse(k).ok_or_else(|| {
                invalid(
                    file,
                    &format!("risk_weights.{k}"),
                    &format!("unknown kind (kinds: {})", kind_names()),
                )
            })?;
            if !w.is_finite() || *w < 0.0 {
                return Err(invalid(
                    file,
                    &format!("risk_weights.{k}"),
                    "must be a finite number ≥ 0",
                ));
            }
            risk_weights.insert(kind, *w);
        }
        if let Some(n) = raw.max_link_partners
            && n > crate::exposure::MAX_LINK_PARTNERS
        {
            return Err(invalid(
                file,
                "max_link_partners",
                &format!(
                    "{n} is more than {} (a record of more linking values than that is a list of people)",
                    crate::exposure::MAX_LINK_PARTNERS
                ),
            ));
        }
        let redact = compile_redact(file, &raw.redact)?;
        Ok(Config {
            file: None,
            redact,
            min_confidence,
            region,
            pattern_dirs: raw.patterns.iter().map(|p| base.join(p)).collect(),
            fail_on,
            baseline: raw.baseline.map(|p| base.join(p)),
            inline_allow: raw.inline_allow.unwrap_or(true),
            fail_on_skip: raw.fail_on_skip.unwrap_or(false),
            kinds_enable,
            kinds_disable,
            detectors_enable: raw.detectors.enable,
            detectors_disable: raw.detectors.disable,
            allow_values,
            allow_fingerprints,
            allow_paths,
            risk_weights,
            max_link_partners: raw.max_link_partners,
        })
    }

    fn origin(&self) -> String {
        self.file
            .as_ref()
            .map_or_else(|| FILE_NAME.to_string(), |f| f.display().to_string())
    }

    /// Whether the detector `id` of kind `kind` stays enabled under this configuration.
    pub fn keeps(&self, id: &str, kind: Kind) -> bool {
        self.kinds_enable.as_ref().is_none_or(|k| k.contains(&kind))
            && !self.kinds_disable.contains(&kind)
            && self
                .detectors_enable
                .as_ref()
                .is_none_or(|d| d.iter().any(|e| e == id))
            && !self.detectors_disable.iter().any(|e| e == id)
    }

    /// Keeps the detectors this configuration enables. Unknown detector ids are errors (a typo
    /// must not silently leave a detector on).
    pub fn select_specs(&self, specs: Vec<Spec>) -> Result<Vec<Spec>, ConfigError> {
        let file = self.origin();
        let known: HashSet<&str> = specs.iter().map(|s| s.id.as_str()).collect();
        for (key, list) in [
            (
                "detectors.enable",
                self.detectors_enable.as_deref().unwrap_or(&[]),
            ),
            ("detectors.disable", &self.detectors_disable[..]),
        ] {
            if let Some(bad) = list.iter().find(|id| !known.contains(id.as_str())) {
                return Err(invalid(&file, key, &format!("unknown detector {bad:?}")));
            }
        }
        let out: Vec<Spec> = specs
            .into_iter()
            .filter(|s| self.keeps(&s.id, s.kind))
            .collect();
        if out.is_empty() {
            return Err(invalid(
                &file,
                "kinds / detectors",
                "every detector is disabled; nothing would be scanned",
            ));
        }
        Ok(out)
    }

    /// Whether findings in the input reported as `display` are accepted by `allow.paths`. The
    /// globs match the path as reported and the path relative to the config file's directory.
    pub fn allows_path(&self, display: &str) -> bool {
        let Some(set) = &self.allow_paths else {
            return false;
        };
        if set.is_match(display) {
            return true;
        }
        let base = self.file.as_deref().and_then(Path::parent);
        base.and_then(|b| relative_to(b, display))
            .is_some_and(|rel| set.is_match(rel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml("p.toml", Path::new("/base"), text)
    }

    #[test]
    fn unknown_keys_name_key_and_file() {
        let e = parse("min_confidence = \"high\"\ncolour = 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.toml") && e.contains("colour"), "{e}");
        let e = parse("[allow]\nvalue = []\n").unwrap_err().to_string();
        assert!(e.contains("p.toml") && e.contains("value"), "{e}");
        let e = parse("[redact]\naction = {}\n").unwrap_err().to_string();
        assert!(e.contains("p.toml") && e.contains("action"), "{e}");
    }

    #[test]
    fn bad_values_name_key() {
        for (text, key) in [
            ("min_confidence = \"huge\"", "min_confidence"),
            ("region = \"XX\"", "region"),
            ("fail_on = \"ssn\"", "fail_on"),
            ("[kinds]\ndisable = [\"ssn\"]", "kinds.disable"),
            ("[allow]\nvalues = [\"(\"]", "allow.values"),
            ("[allow]\nfingerprints = [\"abc\"]", "allow.fingerprints"),
            ("[risk_weights]\nssn = 1.0", "risk_weights.ssn"),
            ("[risk_weights]\nemail = -1.0", "risk_weights.email"),
            ("max_link_partners = 63", "max_link_partners"),
            (
                "[redact]\nactions = { ssn = \"mask\" }",
                "redact.actions.ssn",
            ),
            (
                "[redact]\nactions = { email = \"shred\" }",
                "redact.actions.email",
            ),
            (
                "[redact]\nfields = { notes = \"shred\" }",
                "redact.fields.notes",
            ),
            ("[redact]\nfields = { \"\" = \"drop\" }", "redact.fields."),
            ("[redact]\ndefault = \"shred\"", "redact.default"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(
                e.contains(&format!("`{key}`")) && e.contains("p.toml"),
                "{e}"
            );
        }
    }

    #[test]
    fn keeps_follows_kind_and_detector_lists() {
        let all = parse("").unwrap();
        assert!(all.keeps("phone", Kind::Phone));
        for text in [
            "[kinds]\ndisable = [\"phone\"]",
            "[kinds]\nenable = [\"email\"]",
            "[detectors]\ndisable = [\"phone\"]",
            "[detectors]\nenable = [\"email\"]",
        ] {
            assert!(!parse(text).unwrap().keeps("phone", Kind::Phone), "{text}");
        }
        let only = parse("[detectors]\nenable = [\"phone\"]").unwrap();
        assert!(only.keeps("phone", Kind::Phone));
        assert!(!only.keeps("email", Kind::Email));
    }

    #[test]
    fn full_file_compiles() {
        let c = parse(
            "min_confidence = \"high\"\nregion = \"gb\"\npatterns = [\"pats\"]\n\
             fail_on = [\"high\", \"credit_card\"]\nmax_link_partners = 3\n\
             [kinds]\ndisable = [\"ip_address\"]\n\
             [allow]\nvalues = ['@example\\.com$']\npaths = [\"fixtures/**\"]\n\
             [risk_weights]\ncredit_card = 5.0\n",
        )
        .unwrap();
        assert_eq!(c.max_link_partners, Some(3));
        assert_eq!(c.min_confidence, Some(Confidence::High));
        assert_eq!(c.region.as_deref(), Some("GB"));
        assert_eq!(c.pattern_dirs, vec![PathBuf::from("/base/pats")]);
        let f = c.fail_on.unwrap();
        assert_eq!(f.min_confidence, Some(Confidence::High));
        assert_eq!(f.kinds, vec![Kind::CreditCard]);
        assert!(c.allow_values.unwrap().is_match("a@example.com"));
        assert!(c.allow_paths.unwrap().is_match("fixtures/a/b.csv"));
        assert_eq!(c.risk_weights[&Kind::CreditCard], 5.0);
    }

    #[test]
    fn redact_section_compiles_to_rules() {
        let c = parse(
            "[redact]\ndefault = \"keep\"\nactions = { date_of_birth = \"generalise\", email = \"tokenize\" }\n\
             fields = { notes = \"drop\", \"c.backup:email\" = \"null\" }\n",
        )
        .unwrap();
        assert_eq!(c.redact.default, Some(None));
        let r = crate::redact::Rules {
            rules: c.redact.rules,
            default: Some(Action::Mask),
        };
        assert_eq!(
            r.decide("a.csv", Some("dob"), Kind::DateOfBirth),
            Some(Action::Generalise)
        );
        assert_eq!(
            r.decide("a.csv", Some("x"), Kind::Email),
            Some(Action::Tokenise)
        );
        assert_eq!(
            r.decide("a.csv", Some("c.backup"), Kind::Email),
            Some(Action::Null)
        );
        assert!(r.drops_field("a.csv", "t.notes"));
        assert_eq!(parse("").unwrap().redact.default, None);
    }

    #[test]
    fn fail_on_parses_levels_and_kinds() {
        let f = FailOn::parse(&["high"], "--fail-on", "--fail-on").unwrap();
        assert_eq!(f.min_confidence, Some(Confidence::High));
        let f = FailOn::parse(&["credit_card,date_of_birth"], "x", "x").unwrap();
        assert_eq!(f.kinds, vec![Kind::CreditCard, Kind::DateOfBirth]);
        assert!(FailOn::parse(&["high,low"], "x", "x").is_err());
    }
}
