//! PostgreSQL (the `postgres` crate's synchronous client, feature `db`).
//!
//! One connection, one `REPEATABLE READ READ ONLY` transaction (a consistent snapshot of every
//! table) with `statement_timeout` and `lock_timeout` set for it, and `synchronize_seqscans`
//! off: a synchronised scan of a large table starts where the last one stopped, and a sample
//! cut by its `LIMIT` would then not be repeatable (measured: two runs sampled different rows); each table is read under a
//! savepoint, so a failure on one (permission denied, timeout) is rolled back to it and the
//! next table is read in the same snapshot. Tables and columns come from `pg_class` /
//! `pg_attribute` (readable by every role, so a table the role may not read is listed, and
//! its refusal reported, rather than silently missing). Values are selected as
//! `left(col::text, cap)` and read as raw bytes: every type has a text form. In a `SQL_ASCII`
//! database, which stores any bytes, values are sent as stored (`convert_to(…, 'SQL_ASCII')`, as `bytea`: the
//! server refuses to send non-UTF-8 text, which would fail the whole table), and bytes that
//! are not UTF-8 reach the caller as such, to be reported per column.
//!
//! The password comes from the URL, else `PGPASSWORD`, else the password file (`PGPASSFILE` or
//! `~/.pgpass`, ignored when others may read it), as with libpq.
//!
//! TLS follows `sslmode` as in libpq (see [`tls_plan`]; the rustls connector is in `tls.rs`):
//! `disable`; `allow` (plain text, TLS if the server refuses plain text); `prefer`, the default
//! (TLS if the server offers it, else plain text); `require` (TLS, certificate not checked);
//! `verify-ca` (the chain against `sslrootcert` / `PGSSLROOTCERT`, else the system roots);
//! `verify-full` (the chain and the host name). As in libpq, `require` with a root certificate
//! file checks the chain, and `sslmode` does not apply to a Unix socket.

use std::error::Error as _;

use postgres::config::SslMode;
use postgres::types::{FromSql, Type};
use postgres::{Client, Config, NoTls};

use super::tls::{MakeRustls, Roots, Verify, client_config};

use super::{
    BERNOULLI_MAX_ROWS, Column, DbError, DbOptions, DbUrl, Engine, Rows, SAMPLE_SEED, Session,
    Table, TableSample, VALUE_CAP, capped, classify, quote_double, sample_percent,
};

/// An open PostgreSQL session.
pub struct Postgres {
    client: Client,
    opts: DbOptions,
    /// The database is `SQL_ASCII`: its text is sent as stored (`convert_to`, as `bytea`), since the server
    /// refuses to send bytes that are not UTF-8 as text and would fail the whole table.
    sql_ascii: bool,
}

/// A value's bytes as the server sent them (the binary form of `text` is its bytes).
struct Raw<'a>(&'a [u8]);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A driver error's message: the server's message (with its SQLSTATE) for a database error,
/// else the error and its cause (`error connecting to server: Connection refused`).
fn message(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} (SQLSTATE {})", db.message(), db.code().code());
    }
    match e.source() {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// Connects and starts the read-only transaction.
pub fn open(url: &DbUrl, opts: &DbOptions) -> Result<Postgres, DbError> {
    let mut cfg = Config::new();
    let rootcert = url.param("sslrootcert").map(str::to_string).or_else(|| {
        std::env::var("PGSSLROOTCERT")
            .ok()
            .filter(|s| !s.is_empty())
    });
    let (negotiate, verify, roots) = tls_plan(url.param("sslmode"), rootcert.as_deref())?;
    // libpq: "sslmode is ignored for Unix domain socket communication".
    let negotiate = match url.param("host") {
        Some(_) => Negotiate::Plain,
        None => negotiate,
    };
    if let Some(dir) = url.param("host") {
        cfg.host_path(dir);
    } else {
        cfg.host(url.host.as_deref().unwrap_or("localhost"));
    }
    cfg.port(url.port.unwrap_or(5432));
    let user = url
        .user
        .clone()
        .or_else(|| std::env::var("PGUSER").ok())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "postgres".into());
    cfg.user(&user);
    let db = if url.database.is_empty() {
        user.clone()
    } else {
        url.database.clone()
    };
    // The password file is read only when neither the URL nor PGPASSWORD gives one (libpq's
    // order); its password is scrubbed from messages like the others.
    let mut from_file = None;
    match url.password() {
        Some(p) => {
            cfg.password(p);
        }
        None => {
            let host = match url.param("host") {
                Some(_) => "localhost",
                None => url.host.as_deref().unwrap_or("localhost"),
            };
            from_file = pgpass(host, url.port.unwrap_or(5432), &db, &user);
            if let Some(p) = &from_file {
                cfg.password(p.as_str());
            }
        }
    }
    let scrub = |m: String| match &from_file {
        Some(p) if !p.is_empty() => m.replace(p.as_str(), "***"),
        _ => m,
    };
    cfg.dbname(&db);
    cfg.application_name(url.param("application_name").unwrap_or("piiscan"));
    cfg.connect_timeout(opts.timeout);
    let tls = match negotiate {
        Negotiate::Plain => None,
        _ => Some(MakeRustls(client_config(verify, &roots)?)),
    };
    let connected = match (negotiate, tls) {
        (Negotiate::TlsThenPlain | Negotiate::Tls, Some(tls)) => {
            cfg.ssl_mode(if negotiate == Negotiate::Tls {
                SslMode::Require
            } else {
                SslMode::Prefer
            });
            cfg.connect(tls)
        }
        (Negotiate::PlainThenTls, Some(tls)) => {
            cfg.ssl_mode(SslMode::Disable);
            match cfg.connect(NoTls) {
                // 28000 is the server's pg_hba.conf refusal (e.g. `hostssl` only); a wrong
                // password (28P01) or an unreachable host is not retried.
                Err(e) if e.as_db_error().is_some_and(|d| d.code().code() == "28000") => {
                    cfg.ssl_mode(SslMode::Require);
                    cfg.connect(tls)
                }
                other => other,
            }
        }
        _ => {
            cfg.ssl_mode(SslMode::Disable);
            cfg.connect(NoTls)
        }
    };
    let mut client = connected.map_err(|e| DbError::Connect(scrub(message(&e))))?;
    let ms = opts.timeout.as_millis().clamp(1, i32::MAX as u128);
    client
        .batch_execute(&format!(
            "START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY; \
             SET LOCAL statement_timeout = {ms}; SET LOCAL lock_timeout = {ms}; \
             SET LOCAL synchronize_seqscans = off"
        ))
        .map_err(|e| DbError::Connect(message(&e)))?;
    let sql_ascii = client
        .query_one("SHOW server_encoding", &[])
        .ok()
        .and_then(|r| r.try_get::<_, String>(0).ok())
        .is_some_and(|e| e.eq_ignore_ascii_case("SQL_ASCII"));
    Ok(Postgres {
        client,
        opts: opts.clone(),
        sql_ascii,
    })
}

/// How the connection negotiates TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Negotiate {
    /// Never (`disable`).
    Plain,
    /// Plain text; TLS if the server refuses that (`allow`).
    PlainThenTls,
    /// TLS if the server offers it, else plain text (`prefer`).
    TlsThenPlain,
    /// TLS or nothing (`require`, `verify-ca`, `verify-full`).
    Tls,
}

/// What `sslmode` (default `prefer`) and the root certificate (`sslrootcert` from the URL, else
/// `PGSSLROOTCERT`) ask for, as libpq reads them: `require` with a root certificate file checks
/// the chain as `verify-ca` does; `sslrootcert=system` is the system's roots and, as in libpq,
/// only with `verify-full` (a public CA signs certificates for anyone, so the name must be
/// checked).
fn tls_plan(
    sslmode: Option<&str>,
    rootcert: Option<&str>,
) -> Result<(Negotiate, Verify, Roots), DbError> {
    let roots = match rootcert {
        None | Some("system") => Roots::System,
        Some(path) => Roots::File(path.into()),
    };
    let mode = sslmode.unwrap_or("prefer");
    if rootcert == Some("system") && mode != "verify-full" {
        return Err(DbError::Url(format!(
            "sslrootcert=system needs sslmode=verify-full, not {mode}"
        )));
    }
    Ok(match mode {
        "disable" => (Negotiate::Plain, Verify::Nothing, roots),
        "allow" => (Negotiate::PlainThenTls, Verify::Nothing, roots),
        "prefer" => (Negotiate::TlsThenPlain, Verify::Nothing, roots),
        "require" if matches!(roots, Roots::File(_)) => (Negotiate::Tls, Verify::Chain, roots),
        "require" => (Negotiate::Tls, Verify::Nothing, roots),
        "verify-ca" => (Negotiate::Tls, Verify::Chain, roots),
        "verify-full" => (Negotiate::Tls, Verify::Full, roots),
        other => {
            return Err(DbError::Url(format!(
                "sslmode={other}: expected disable, allow, prefer, require, verify-ca or \
                 verify-full"
            )));
        }
    })
}

/// The password for (host, port, database, user) from the password file (`PGPASSFILE`, else
/// `~/.pgpass`), as libpq reads it: the first matching line, `*` matching anything; the file
/// is ignored if others may read it.
fn pgpass(host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    let path = match std::env::var_os("PGPASSFILE") {
        Some(p) => std::path::PathBuf::from(p),
        None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".pgpass"),
    };
    let meta = std::fs::metadata(&path).ok()?;
    {
        use std::os::unix::fs::PermissionsExt;
        if !meta.is_file() || meta.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(&path).ok()?;
    pgpass_lookup(&text, host, &port.to_string(), db, user)
}

/// The password of the first line of a `.pgpass` text matching the four fields.
fn pgpass_lookup(text: &str, host: &str, port: &str, db: &str, user: &str) -> Option<String> {
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        // Fields split on `:` not escaped by `\`; `\` escapes `:` and itself.
        let mut fields = vec![String::new()];
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let (Some(n), Some(f)) = (chars.next(), fields.last_mut()) {
                        f.push(n);
                    }
                }
                ':' if fields.len() < 5 => fields.push(String::new()),
                c => {
                    if let Some(f) = fields.last_mut() {
                        f.push(c);
                    }
                }
            }
        }
        if fields.len() != 5 {
            continue;
        }
        let want = [host, port, db, user];
        if fields[..4]
            .iter()
            .zip(want)
            .all(|(f, w)| f == "*" || f == w)
        {
            return fields.pop();
        }
    }
    None
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Nothing was written; ending the transaction explicitly is only politeness.
        let _ = self.client.batch_execute("ROLLBACK");
    }
}

/// The catalogue query: every column of every ordinary table outside the system schemas,
/// with its type (a domain's base type; an array's element type, marked) and the table's
/// row estimate.
const CATALOGUE: &str = "\
SELECT n.nspname::text, c.relname::text, c.reltuples::float8, a.attname::text,
       CASE WHEN t.typtype = 'd' THEN bt.typname WHEN t.typtype = 'e' THEN 'enum'
            ELSE t.typname END::text,
       et.typname::text
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
WHERE c.relkind = 'r'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY n.nspname, c.relname, a.attnum";

impl Session for Postgres {
    fn tables(&mut self) -> Result<Vec<Table>, DbError> {
        let rows = self
            .client
            .query(CATALOGUE, &[])
            .map_err(|e| DbError::Catalogue(message(&e)))?;
        let mut out: Vec<Table> = Vec::new();
        for r in rows {
            let get = |i| r.try_get::<_, Option<String>>(i).ok().flatten();
            let (Some(schema), Some(name), Some(column)) = (get(0), get(1), get(3)) else {
                continue;
            };
            let reltuples: f64 = r.try_get(2).unwrap_or(-1.0);
            let qualified = format!("{schema}.{name}");
            if self.opts.excluded(&qualified) {
                continue;
            }
            if out
                .last()
                .is_none_or(|t| t.schema != schema || t.name != name)
            {
                out.push(Table {
                    schema,
                    name,
                    columns: Vec::new(),
                    // -1: never analysed (PostgreSQL 14+); 0 may be the same before that.
                    catalogue_rows: (reltuples > 0.0).then_some(reltuples.round() as u64),
                    primary_key: Vec::new(),
                });
            }
            if self.opts.excluded(&format!("{qualified}.{column}")) {
                continue;
            }
            let ty = get(4).unwrap_or_default();
            let class = match get(5) {
                // Arrays of text-like values (`text[]` of emails) are read in their text form.
                Some(elem) => classify(Engine::Postgres, &elem, &column)
                    .filter(|c| *c == super::ColumnClass::Text)
                    .map(|_| super::ColumnClass::Text),
                None => classify(Engine::Postgres, &ty, &column),
            };
            if let (Some(class), Some(t)) = (class, out.last_mut()) {
                t.columns.push(Column {
                    name: column,
                    data_type: ty,
                    class,
                });
            }
        }
        Ok(out)
    }

    fn sample(&mut self, table: &Table, rows: &mut dyn Rows) -> Result<TableSample, DbError> {
        let terr = |e: &postgres::Error| DbError::Table {
            table: table.qualified(),
            message: message(e),
        };
        if self.client.is_closed() {
            return Err(DbError::Connect("the connection was lost".into()));
        }
        self.client
            .batch_execute("SAVEPOINT piiscan_table")
            .map_err(|e| DbError::Connect(message(&e)))?;
        let result = self.sample_in_savepoint(table, rows);
        let end = match &result {
            Ok(_) => "RELEASE SAVEPOINT piiscan_table",
            Err(_) => "ROLLBACK TO SAVEPOINT piiscan_table",
        };
        if let Err(e) = self.client.batch_execute(end)
            && result.is_ok()
        {
            return Err(terr(&e));
        }
        result.map_err(|e| terr(&e))
    }

    fn lost(&mut self) -> bool {
        self.client.is_closed()
    }
}

impl Postgres {
    fn sample_in_savepoint(
        &mut self,
        table: &Table,
        rows: &mut dyn Rows,
    ) -> Result<TableSample, postgres::Error> {
        let from = format!(
            "{}.{}",
            quote_double(&table.schema),
            quote_double(&table.name)
        );
        let (catalogue_rows, source) = match table.catalogue_rows {
            Some(n) => (n, "pg_class.reltuples"),
            None => {
                let n: i64 = self
                    .client
                    .query_one(&format!("SELECT count(*) FROM {from}"), &[])?
                    .try_get(0)?;
                (u64::try_from(n).unwrap_or(0), "count(*)")
            }
        };
        let n = self.opts.sample;
        let method = if catalogue_rows <= n {
            format!("LIMIT {n}")
        } else {
            let p = sample_percent(n, catalogue_rows);
            let how = if catalogue_rows <= BERNOULLI_MAX_ROWS {
                "BERNOULLI"
            } else {
                "SYSTEM"
            };
            format!("TABLESAMPLE {how}({p}) REPEATABLE({SAMPLE_SEED}) LIMIT {n}")
        };
        let mut sampled = 0u64;
        if !table.columns.is_empty() {
            let cap = VALUE_CAP;
            let cols: Vec<String> = table
                .columns
                .iter()
                .map(|c| {
                    let v = format!("left({}::text, {cap})", quote_double(&c.name));
                    if self.sql_ascii {
                        format!("convert_to({v}, 'SQL_ASCII')")
                    } else {
                        v
                    }
                })
                .collect();
            let sql = format!("SELECT {} FROM {from} {method}", cols.join(", "));
            let mut it = self
                .client
                .query_raw(sql.as_str(), std::iter::empty::<&str>())?;
            while let Some(row) = postgres::fallible_iterator::FallibleIterator::next(&mut it)? {
                sampled += 1;
                let mut values: Vec<Option<&[u8]>> = Vec::with_capacity(cols.len());
                for j in 0..cols.len() {
                    let v: Option<Raw<'_>> = row.try_get(j)?;
                    values.push(v.map(|r| capped(r.0)));
                }
                rows.row(&values);
            }
        }
        Ok(TableSample {
            table: table.qualified(),
            method,
            sampled_rows: sampled,
            catalogue_rows: Some(catalogue_rows),
            catalogue_source: source.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Negotiate, Roots, Verify, pgpass_lookup, tls_plan};

    #[test]
    fn sslmode_maps_as_libpq_reads_it() {
        use Negotiate::*;
        let file = || Roots::File("ca.pem".into());
        // (sslmode, sslrootcert) -> the plan.
        type Row<'a> = (Option<&'a str>, Option<&'a str>, Negotiate, Verify, Roots);
        let table: &[Row] = &[
            (None, None, TlsThenPlain, Verify::Nothing, Roots::System),
            (Some("disable"), None, Plain, Verify::Nothing, Roots::System),
            (
                Some("allow"),
                None,
                PlainThenTls,
                Verify::Nothing,
                Roots::System,
            ),
            (
                Some("prefer"),
                Some("ca.pem"),
                TlsThenPlain,
                Verify::Nothing,
                file(),
            ),
            (Some("require"), None, Tls, Verify::Nothing, Roots::System),
            // libpq: `require` with a root certificate file behaves as `verify-ca`.
            (Some("require"), Some("ca.pem"), Tls, Verify::Chain, file()),
            (Some("verify-ca"), None, Tls, Verify::Chain, Roots::System),
            (
                Some("verify-ca"),
                Some("ca.pem"),
                Tls,
                Verify::Chain,
                file(),
            ),
            (Some("verify-full"), None, Tls, Verify::Full, Roots::System),
            (
                Some("verify-full"),
                Some("system"),
                Tls,
                Verify::Full,
                Roots::System,
            ),
            (
                Some("verify-full"),
                Some("ca.pem"),
                Tls,
                Verify::Full,
                file(),
            ),
        ];
        for (mode, root, negotiate, verify, roots) in table {
            let got = tls_plan(*mode, *root).unwrap_or_else(|e| panic!("{mode:?}: {e}"));
            assert_eq!(
                got,
                (*negotiate, *verify, roots.clone()),
                "{mode:?} {root:?}"
            );
        }
        for (mode, root, want) in [
            (Some("verify_full"), None, "expected disable, allow"),
            (Some("VERIFY-FULL"), None, "expected disable, allow"),
            (Some("require"), Some("system"), "needs sslmode=verify-full"),
            (None, Some("system"), "needs sslmode=verify-full"),
        ] {
            let e = tls_plan(mode, root).err().map(|e| e.to_string());
            assert!(
                e.as_deref().is_some_and(|e| e.contains(want)),
                "{mode:?}: {e:?}"
            );
        }
    }

    #[test]
    fn pgpass_lines_match_as_libpq_reads_them() {
        let text = "# comment\n\
                    db.example.com:5432:shop:alice:first\n\
                    *:*:shop:bob:pa\\:ss\n\
                    127.0.0.1:*:*:*:fallback\n";
        let table: &[(&str, &str, &str, &str, Option<&str>)] = &[
            ("db.example.com", "5432", "shop", "alice", Some("first")),
            ("db.example.com", "5433", "shop", "alice", None),
            ("anywhere", "1", "shop", "bob", Some("pa:ss")),
            ("127.0.0.1", "5432", "other", "carol", Some("fallback")),
            ("localhost", "5432", "other", "carol", None),
        ];
        for (h, p, d, u, want) in table {
            assert_eq!(
                pgpass_lookup(text, h, p, d, u).as_deref(),
                *want,
                "{h} {p} {d} {u}"
            );
        }
    }
}
