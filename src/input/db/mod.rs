//! Live databases read in place: PostgreSQL, MySQL/MariaDB and SQLite, by sampling.
//!
//! A database is named by a URL ([`DbUrl`]): `postgres://user@host:5432/db`,
//! `mysql://user@host:3306/db` (MariaDB too) or `sqlite:path/to/file.db`. Its password is taken
//! from the URL or the client's environment (`PGPASSWORD`, `MYSQL_PWD`) and is never shown: the
//! URL's [`DbUrl::display`] form (what reports name the input) drops it, and every error message
//! passes through [`DbUrl::scrub`] before it leaves this module.
//!
//! A [`Session`] holds one connection inside one **read-only** transaction (consistent snapshot
//! where the engine offers one) with a statement timeout on every query; it lists the tables
//! ([`Session::tables`], system schemas skipped) and samples each ([`Session::sample`]),
//! pushing each sampled row's values, as raw bytes, into a [`Rows`]. Which columns are read is
//! decided from the catalogue's types ([`classify`]): text-like, JSON, dates and times, network
//! addresses; numbers only where the column's name says it holds an identifier
//! ([`IDENTIFIER_WORDS`]). Nothing is written, no temporary object is created, and the SQL is
//! built from catalogue names quoted as identifiers, never from values.
//!
//! Sampling, per engine (repeatable: the same data gives the same sample):
//!
//! * **PostgreSQL** — a table whose catalogue estimate (`pg_class.reltuples`) is at most the
//!   sample size is read whole (`LIMIT n`); a larger one with `TABLESAMPLE BERNOULLI(p)
//!   REPEATABLE(seed)` (each row with probability `p`, every page read) up to
//!   [`BERNOULLI_MAX_ROWS`] rows, `TABLESAMPLE SYSTEM(p) REPEATABLE(seed)` (whole pages, only
//!   `p` of them read) above, with `p` chosen for about 1.25 × the sample size and `LIMIT n`.
//! * **MySQL/MariaDB** — the first `n` rows in primary-key order (`ORDER BY pk LIMIT n`, an
//!   index range read), or `LIMIT n` without a primary key.
//! * **SQLite** — `LIMIT n` in rowid order.
//!
//! The catalogue's row count ([`TableSample::catalogue_rows`]: `reltuples`,
//! `information_schema.TABLES.TABLE_ROWS`, SQLite's `count(*)`) is kept beside the number of
//! rows sampled, so a report can estimate the rows exposed in the whole table.
//!
//! Like the rest of [`crate::input`], this module imports nothing else of the crate.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[cfg(feature = "db")]
mod mysql;
#[cfg(feature = "db")]
mod postgres;
mod sqlite;
#[cfg(feature = "db")]
mod tls;
mod url;

pub use url::{DbUrl, Engine, is_db_url};

/// Default rows sampled per table (`--sample`).
pub const DEFAULT_SAMPLE: u64 = 10_000;
/// Default statement timeout (`--db-timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The seed of PostgreSQL's `REPEATABLE` sampling: fixed, so two runs over the same data
/// sample the same rows.
pub const SAMPLE_SEED: u32 = 29;
/// Above this catalogue estimate PostgreSQL samples whole pages (`SYSTEM`), reading only the
/// sampled share of the table, instead of rows (`BERNOULLI`), which reads every page.
pub const BERNOULLI_MAX_ROWS: u64 = 10_000_000;
/// Largest single value read; larger values are cut to this (the scan sees their start).
pub const VALUE_CAP: usize = 1 << 20;

/// The skip reason for a network database URL when piiscan is built without the `db` feature.
pub const NOT_COMPILED: &str = "live PostgreSQL and MySQL databases are not compiled into this \
     piiscan (build with `cargo build --features db`); not scanned";

/// How to sample.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Rows sampled per table at most.
    pub sample: u64,
    /// Statement timeout for every query, and the connect timeout.
    pub timeout: Duration,
    /// Exclude globs, matched against `schema.table` and `schema.table.column`.
    pub excludes: Option<globset::GlobSet>,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            sample: DEFAULT_SAMPLE,
            timeout: DEFAULT_TIMEOUT,
            excludes: None,
        }
    }
}

impl DbOptions {
    fn excluded(&self, name: &str) -> bool {
        self.excludes.as_ref().is_some_and(|g| g.is_match(name))
    }
}

/// Builds the exclude set from `--exclude` globs. `*` matches across dots, so `*.password`
/// excludes every column named `password`.
pub fn excludes(globs: &[String]) -> Result<Option<globset::GlobSet>, globset::Error> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for g in globs {
        b.add(globset::Glob::new(g)?);
    }
    b.build().map(Some)
}

/// How a column's values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnClass {
    /// Text as stored.
    Text,
    /// A JSON document: scanned as JSON, its key paths under the column's field.
    Json,
    /// A date, time or timestamp, as the server writes it (`1984-03-12`).
    Temporal,
    /// A number whose column name says it is an identifier (`card_number`, `tfn`).
    Number,
}

/// One column read from a table.
#[derive(Debug, Clone)]
pub struct Column {
    /// Column name as in the catalogue.
    pub name: String,
    /// Type name as in the catalogue.
    pub data_type: String,
    /// How it is read.
    pub class: ColumnClass,
}

/// One table to sample.
#[derive(Debug, Clone)]
pub struct Table {
    /// Schema (PostgreSQL), database (MySQL) or `main` (SQLite).
    pub schema: String,
    /// Table name.
    pub name: String,
    /// Columns read, in table order.
    pub columns: Vec<Column>,
    /// The catalogue's row count or estimate, if it has one.
    pub catalogue_rows: Option<u64>,
    /// Primary key columns (MySQL's sampling order).
    pub primary_key: Vec<String>,
}

impl Table {
    /// `schema.table`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
}

/// What sampling one table read, for the report: how, how much, and out of how many.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableSample {
    /// `schema.table`.
    pub table: String,
    /// The sampling method, as SQL (`TABLESAMPLE BERNOULLI(1.25) REPEATABLE(29) LIMIT 10000`).
    pub method: String,
    /// Rows read.
    pub sampled_rows: u64,
    /// The catalogue's row count (an estimate for PostgreSQL and InnoDB), if known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub catalogue_rows: Option<u64>,
    /// Where `catalogue_rows` comes from (`pg_class.reltuples`, …).
    pub catalogue_source: String,
}

impl TableSample {
    /// The estimated rows of the whole table carrying something that `records` of the sampled
    /// rows carry: `records / sampled × catalogue rows`, never below `records` (the rows seen).
    /// `None` when the catalogue has no count or nothing was sampled.
    pub fn estimate(&self, records: u64) -> Option<u64> {
        let total = self.catalogue_rows?.max(self.sampled_rows);
        if self.sampled_rows == 0 {
            return None;
        }
        let est = (records as f64 / self.sampled_rows as f64 * total as f64).round() as u64;
        Some(est.max(records))
    }
}

/// Receives a table's sampled rows.
pub trait Rows {
    /// One row: a value per column of the [`Table`] (in its order), `None` for NULL. Values
    /// longer than [`VALUE_CAP`] are cut to it.
    fn row(&mut self, values: &[Option<&[u8]>]);
}

/// A failure, with no secret and no value in its message.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DbError {
    /// The URL cannot be used.
    #[error("{0}")]
    Url(String),
    /// Connecting or logging in failed (unreachable host, bad password, no such database).
    #[error("cannot connect: {0}")]
    Connect(String),
    /// Listing the tables failed.
    #[error("cannot list tables: {0}")]
    Catalogue(String),
    /// Reading one table failed (permission denied, timeout, connection lost).
    #[error("cannot read table {table}: {message}")]
    Table {
        /// `schema.table`.
        table: String,
        /// What went wrong.
        message: String,
    },
    /// Support for this engine is not compiled in.
    #[error("{0}")]
    NotCompiled(&'static str),
}

impl DbError {
    /// Whether the connection is unusable after this error (later tables cannot be read).
    pub fn lost(&self) -> bool {
        matches!(self, DbError::Connect(_))
    }
}

/// An open connection inside a read-only transaction.
pub trait Session {
    /// The tables to sample (system schemas and excluded tables left out), with the columns to
    /// read (excluded and unreadable types left out).
    fn tables(&mut self) -> Result<Vec<Table>, DbError>;
    /// Samples `table` into `rows`.
    fn sample(&mut self, table: &Table, rows: &mut dyn Rows) -> Result<TableSample, DbError>;
    /// Whether the connection is gone (after an error: later tables cannot be read).
    fn lost(&mut self) -> bool;
}

/// Connects to `url` and starts the read-only transaction.
pub fn open(url: &DbUrl, opts: &DbOptions) -> Result<Box<dyn Session>, DbError> {
    let session: Result<Box<dyn Session>, DbError> = match url.engine {
        Engine::Sqlite => sqlite::open(url, opts).map(|s| Box::new(s) as Box<dyn Session>),
        #[cfg(feature = "db")]
        Engine::Postgres => postgres::open(url, opts).map(|s| Box::new(s) as Box<dyn Session>),
        #[cfg(feature = "db")]
        Engine::Mysql => mysql::open(url, opts).map(|s| Box::new(s) as Box<dyn Session>),
        #[cfg(not(feature = "db"))]
        Engine::Postgres | Engine::Mysql => Err(DbError::NotCompiled(NOT_COMPILED)),
    };
    session.map_err(|e| url.scrub_error(e))
}

/// Words that make a numeric column worth reading: its name says the number identifies a
/// person or an account (`card_number`, `tfn`, `mobile`). Matched against the lower-cased name's
/// `_`/`-`/space separated words and, for names without separators, as substrings of at least
/// four letters (`phonenumber`).
pub const IDENTIFIER_WORDS: &[&str] = &[
    "abn",
    "account",
    "acct",
    "bsb",
    "card",
    "ccn",
    "cell",
    "customer",
    "fax",
    "iban",
    "imei",
    "licence",
    "license",
    "loyalty",
    "medicare",
    "member",
    "mobile",
    "msisdn",
    "national",
    "nhs",
    "nino",
    "number",
    "passport",
    "phone",
    "pan",
    "ssn",
    "tax",
    "tel",
    "telephone",
    "tfn",
];

/// Whether a column named `name` holding numbers is read (see [`IDENTIFIER_WORDS`]).
pub fn names_identifier(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let mut words = lower.split(|c: char| !c.is_ascii_alphanumeric());
    let word_hit = words.any(|w| IDENTIFIER_WORDS.contains(&w) || w == "no" || w == "num");
    word_hit
        || IDENTIFIER_WORDS
            .iter()
            .filter(|w| w.len() >= 4)
            .any(|w| lower.contains(w))
}

/// How a column of type `data_type` (lower-cased catalogue type name: PostgreSQL's
/// `information_schema.columns.data_type`/`udt_name`, MySQL's `DATA_TYPE`, SQLite's declared
/// type) named `name` is read, or `None` if it is not.
pub fn classify(engine: Engine, data_type: &str, name: &str) -> Option<ColumnClass> {
    let t = data_type.trim().to_ascii_lowercase();
    let number = || names_identifier(name).then_some(ColumnClass::Number);
    if engine == Engine::Sqlite {
        // SQLite's type affinity rules (https://www.sqlite.org/datatype3.html, 3.1), in order;
        // values are dynamically typed, so an undeclared column is read as text.
        return if t.contains("int") {
            number()
        } else if t.contains("char") || t.contains("clob") || t.contains("text") || t.is_empty() {
            Some(ColumnClass::Text)
        } else if t.contains("blob") {
            None
        } else if t.contains("json") {
            Some(ColumnClass::Json)
        } else if t.contains("date") || t.contains("time") {
            Some(ColumnClass::Temporal)
        } else {
            number()
        };
    }
    match t.as_str() {
        "text" | "character varying" | "varchar" | "character" | "char" | "bpchar" | "name"
        | "citext" | "tinytext" | "mediumtext" | "longtext" | "enum" | "set" | "inet" | "cidr"
        | "macaddr" | "xml" => Some(ColumnClass::Text),
        "json" | "jsonb" => Some(ColumnClass::Json),
        "date"
        | "datetime"
        | "timestamp"
        | "timestamp without time zone"
        | "timestamp with time zone"
        | "timestamptz" => Some(ColumnClass::Temporal),
        "smallint" | "integer" | "bigint" | "int" | "tinyint" | "mediumint" | "numeric"
        | "decimal" | "int2" | "int4" | "int8" => number(),
        _ => None,
    }
}

/// `ident` quoted for PostgreSQL and SQLite (`"a""b"`).
pub fn quote_double(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// `ident` quoted for MySQL (`` `a``b` ``).
pub fn quote_backtick(ident: &str) -> String {
    format!("`{}`", ident.replace('`', "``"))
}

/// Cuts `v` to at most [`VALUE_CAP`] bytes, at a UTF-8 character boundary.
pub fn capped(v: &[u8]) -> &[u8] {
    if v.len() <= VALUE_CAP {
        return v;
    }
    let mut end = VALUE_CAP;
    while end > 0 && v[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    &v[..end]
}

/// The share (percent) of a table of `estimate` rows to sample for about 1.25 × `sample` rows,
/// between 0.0001 and 100.
pub fn sample_percent(sample: u64, estimate: u64) -> f64 {
    if estimate == 0 {
        return 100.0;
    }
    (sample as f64 * 1.25 / estimate as f64 * 100.0).clamp(0.0001, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_read_by_type_and_numbers_by_name() {
        let pg = Engine::Postgres;
        let table: &[(Engine, &str, &str, Option<ColumnClass>)] = &[
            (pg, "text", "note", Some(ColumnClass::Text)),
            (pg, "character varying", "email", Some(ColumnClass::Text)),
            (pg, "jsonb", "profile", Some(ColumnClass::Json)),
            (pg, "date", "dob", Some(ColumnClass::Temporal)),
            (pg, "inet", "last_ip", Some(ColumnClass::Text)),
            (pg, "integer", "id", None),
            (pg, "integer", "points", None),
            (pg, "bigint", "card_number", Some(ColumnClass::Number)),
            (pg, "numeric", "phonenumber", Some(ColumnClass::Number)),
            (pg, "integer", "tfn", Some(ColumnClass::Number)),
            (pg, "integer", "passport_no", Some(ColumnClass::Number)),
            (pg, "bytea", "email", None),
            (pg, "boolean", "phone_verified", None),
            (pg, "uuid", "ref", None),
            (Engine::Mysql, "longtext", "body", Some(ColumnClass::Text)),
            (
                Engine::Mysql,
                "datetime",
                "born",
                Some(ColumnClass::Temporal),
            ),
            (Engine::Mysql, "blob", "photo", None),
            (Engine::Sqlite, "", "anything", Some(ColumnClass::Text)),
            (Engine::Sqlite, "VARCHAR(20)", "n", Some(ColumnClass::Text)),
            (Engine::Sqlite, "INTEGER", "rowid_alias", None),
            (
                Engine::Sqlite,
                "INTEGER",
                "mobile",
                Some(ColumnClass::Number),
            ),
            (Engine::Sqlite, "BLOB", "email", None),
        ];
        for (engine, ty, name, want) in table {
            assert_eq!(classify(*engine, ty, name), *want, "{engine:?} {ty} {name}");
        }
    }

    #[test]
    fn estimates_scale_the_sampled_share() {
        let s = |sampled, catalogue| TableSample {
            table: "public.t".into(),
            method: "LIMIT 10".into(),
            sampled_rows: sampled,
            catalogue_rows: catalogue,
            catalogue_source: "test".into(),
        };
        assert_eq!(s(10_000, Some(1_000_000)).estimate(2_500), Some(250_000));
        // A stale catalogue smaller than the sample: never below what was seen.
        assert_eq!(s(100, Some(10)).estimate(40), Some(40));
        assert_eq!(s(100, None).estimate(40), None);
        assert_eq!(s(0, Some(5)).estimate(0), None);
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_double("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_backtick("a`b"), "`a``b`");
    }

    #[test]
    fn sample_share_is_bounded() {
        assert_eq!(sample_percent(10_000, 0), 100.0);
        assert_eq!(sample_percent(10_000, 5_000), 100.0);
        assert!((sample_percent(10_000, 1_000_000) - 1.25).abs() < 1e-9);
        assert_eq!(sample_percent(1, u64::MAX), 0.0001);
    }

    #[test]
    fn excludes_match_across_dots() {
        let g = excludes(&["*.password".into(), "public.audit_*".into()]);
        let g = g.ok().flatten();
        let opts = DbOptions {
            excludes: g,
            ..DbOptions::default()
        };
        assert!(opts.excluded("public.users.password"));
        assert!(opts.excluded("public.audit_log"));
        assert!(!opts.excluded("public.users.email"));
    }
}
