//! `sqlite:` URLs: the file opened read-only and `immutable` (no locks, no journal, nothing
//! written), every table but SQLite's own sampled with `LIMIT n` in rowid order; the row count
//! is `count(*)` (exact; SQLite keeps no estimate).

use rusqlite::{Connection, OpenFlags};

use super::{
    DbError, DbOptions, DbUrl, Engine, Rows, Session, Table, TableSample, capped, classify,
    quote_double,
};

/// An open SQLite file.
pub struct Sqlite {
    db: Connection,
    opts: DbOptions,
}

fn err(e: rusqlite::Error) -> String {
    // SQLite's messages describe the file or the statement, never row contents.
    e.to_string()
}

/// Opens the file `url.database` read-only.
pub fn open(url: &DbUrl, opts: &DbOptions) -> Result<Sqlite, DbError> {
    let path = std::path::Path::new(&url.database);
    if !path.is_file() {
        return Err(DbError::Connect(format!("{}: no such file", url.database)));
    }
    let name = url
        .database
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    let db = Connection::open_with_flags(
        format!("file:{name}?mode=ro&immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| DbError::Connect(err(e)))?;
    db.busy_timeout(opts.timeout)
        .map_err(|e| DbError::Connect(err(e)))?;
    // A file that is not a database fails on its first read, not on open.
    db.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| DbError::Connect(err(e)))?;
    Ok(Sqlite {
        db,
        opts: opts.clone(),
    })
}

impl Session for Sqlite {
    fn tables(&mut self) -> Result<Vec<Table>, DbError> {
        let cat = |e| DbError::Catalogue(err(e));
        let names: Vec<String> = {
            let mut stmt = self
                .db
                .prepare(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                )
                .map_err(cat)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(cat)?;
            rows.collect::<Result<_, _>>().map_err(cat)?
        };
        let mut out = Vec::new();
        for name in names {
            let qualified = format!("main.{name}");
            if self.opts.excluded(&qualified) {
                continue;
            }
            let mut stmt = self
                .db
                .prepare(&format!("PRAGMA table_info({})", quote_double(&name)))
                .map_err(cat)?;
            let cols = stmt
                .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
                .map_err(cat)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(cat)?;
            let columns = cols
                .into_iter()
                .filter(|(c, _)| !self.opts.excluded(&format!("{qualified}.{c}")))
                .filter_map(|(c, ty)| {
                    classify(Engine::Sqlite, &ty, &c).map(|class| super::Column {
                        name: c,
                        data_type: ty,
                        class,
                    })
                })
                .collect();
            out.push(Table {
                schema: "main".into(),
                name,
                columns,
                catalogue_rows: None,
                primary_key: Vec::new(),
            });
        }
        Ok(out)
    }

    fn sample(&mut self, table: &Table, rows: &mut dyn Rows) -> Result<TableSample, DbError> {
        let terr = |e| DbError::Table {
            table: table.qualified(),
            message: err(e),
        };
        let from = quote_double(&table.name);
        let count: i64 = self
            .db
            .query_row(&format!("SELECT count(*) FROM {from}"), [], |r| r.get(0))
            .map_err(terr)?;
        let method = format!("LIMIT {}", self.opts.sample);
        let mut sampled = 0u64;
        if !table.columns.is_empty() {
            let cols: Vec<String> = table
                .columns
                .iter()
                .map(|c| quote_double(&c.name))
                .collect();
            let sql = format!("SELECT {} FROM {from} {method}", cols.join(", "));
            let mut stmt = self.db.prepare(&sql).map_err(terr)?;
            let mut q = stmt.query([]).map_err(terr)?;
            let mut nums: Vec<String> = vec![String::new(); cols.len()];
            while let Some(row) = q.next().map_err(terr)? {
                sampled += 1;
                let mut values: Vec<Option<&[u8]>> = Vec::with_capacity(cols.len());
                // Numbers are written out in `nums` first, then borrowed with the text values.
                let mut refs = Vec::with_capacity(cols.len());
                for j in 0..cols.len() {
                    refs.push(row.get_ref(j).map_err(terr)?);
                }
                for (j, v) in refs.iter().enumerate() {
                    use rusqlite::types::ValueRef;
                    match v {
                        ValueRef::Integer(i) => nums[j] = i.to_string(),
                        ValueRef::Real(f) => nums[j] = f.to_string(),
                        _ => {}
                    }
                }
                for (j, v) in refs.iter().enumerate() {
                    use rusqlite::types::ValueRef;
                    values.push(match v {
                        ValueRef::Null => None,
                        ValueRef::Integer(_) | ValueRef::Real(_) => Some(nums[j].as_bytes()),
                        ValueRef::Text(t) => Some(capped(t)),
                        // As the file reader: a blob only if it is text.
                        ValueRef::Blob(b) if std::str::from_utf8(b).is_ok() => Some(capped(b)),
                        ValueRef::Blob(_) => None,
                    });
                }
                rows.row(&values);
            }
        }
        Ok(TableSample {
            table: table.qualified(),
            method,
            sampled_rows: sampled,
            catalogue_rows: u64::try_from(count).ok(),
            catalogue_source: "count(*)".into(),
        })
    }

    fn lost(&mut self) -> bool {
        false
    }
}
