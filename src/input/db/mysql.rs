//! MySQL and MariaDB (the `mysql` crate's synchronous client, feature `db`; no TLS).
//!
//! One connection, one `START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY`; the statement
//! timeout is MariaDB's `max_statement_time` or, failing that, MySQL's `max_execution_time`,
//! and the socket's read and write timeouts are set too. Tables and columns come from
//! `information_schema` (the URL's database only, when it names one; the system schemas
//! never). Rows are read with the text protocol, so every value arrives as the server's text
//! bytes, and each table as `ORDER BY <primary key> LIMIT n` (an index range read: bounded
//! whatever the table's size) or `LIMIT n` without a primary key. A failed statement does not
//! end a MySQL transaction, so the next table is read in the same snapshot.
//!
//! `ssl-mode` `DISABLED` and `PREFERRED` (the default) connect in plain text; `REQUIRED`,
//! `VERIFY_CA` and `VERIFY_IDENTITY` are refused before connecting.

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder, Value};

use super::{
    Column, DbError, DbOptions, DbUrl, Engine, Rows, Session, Table, TableSample, capped, classify,
    quote_backtick,
};

/// An open MySQL session.
pub struct Mysql {
    conn: Conn,
    opts: DbOptions,
    database: Option<String>,
}

fn message(e: &mysql::Error) -> String {
    match e {
        mysql::Error::MySqlError(m) => format!("{} (error {})", m.message, m.code),
        other => other.to_string(),
    }
}

/// Connects and starts the read-only transaction.
pub fn open(url: &DbUrl, opts: &DbOptions) -> Result<Mysql, DbError> {
    let mode = url
        .param("ssl-mode")
        .unwrap_or("PREFERRED")
        .to_ascii_uppercase();
    if !matches!(mode.as_str(), "DISABLED" | "PREFERRED") {
        return Err(DbError::Url(format!(
            "ssl-mode={mode}: TLS is not compiled into this piiscan; use ssl-mode=DISABLED or \
             PREFERRED (for example through an SSH tunnel or on a private network)"
        )));
    }
    let user = url
        .user
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "root".into());
    let database = (!url.database.is_empty()).then(|| url.database.clone());
    let b = OptsBuilder::new()
        .ip_or_hostname(Some(url.host.clone().unwrap_or_else(|| "localhost".into())))
        .tcp_port(url.port.unwrap_or(3306))
        .socket(url.param("socket"))
        .prefer_socket(false)
        .user(Some(user))
        .pass(url.password())
        .db_name(database.clone())
        .tcp_connect_timeout(Some(opts.timeout))
        .read_timeout(Some(opts.timeout + std::time::Duration::from_secs(5)))
        .write_timeout(Some(opts.timeout + std::time::Duration::from_secs(5)));
    let mut conn = Conn::new(b).map_err(|e| DbError::Connect(message(&e)))?;
    let secs = opts.timeout.as_secs_f64().max(0.001);
    let ms = opts.timeout.as_millis().max(1);
    // MariaDB first; MySQL does not know `max_statement_time` (and MariaDB not
    // `max_execution_time`).
    if conn
        .query_drop(format!("SET SESSION max_statement_time = {secs}"))
        .is_err()
    {
        conn.query_drop(format!("SET SESSION max_execution_time = {ms}"))
            .map_err(|e| DbError::Connect(message(&e)))?;
    }
    conn.query_drop("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        .map_err(|e| DbError::Connect(message(&e)))?;
    Ok(Mysql {
        conn,
        opts: opts.clone(),
        database,
    })
}

impl Drop for Mysql {
    fn drop(&mut self) {
        let _ = self.conn.query_drop("ROLLBACK");
    }
}

const SYSTEM: &str = "('mysql', 'information_schema', 'performance_schema', 'sys')";

impl Session for Mysql {
    fn tables(&mut self) -> Result<Vec<Table>, DbError> {
        let filter = match &self.database {
            Some(db) => format!(
                "c.TABLE_SCHEMA = '{}'",
                db.replace('\\', "\\\\").replace('\'', "''")
            ),
            None => format!("c.TABLE_SCHEMA NOT IN {SYSTEM}"),
        };
        let sql = format!(
            "SELECT c.TABLE_SCHEMA, c.TABLE_NAME, t.TABLE_ROWS, c.COLUMN_NAME, c.DATA_TYPE, \
             c.COLUMN_KEY FROM information_schema.COLUMNS c JOIN information_schema.TABLES t \
             ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME \
             WHERE t.TABLE_TYPE = 'BASE TABLE' AND {filter} \
             ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION"
        );
        type Cat = (String, String, Option<u64>, String, String, String);
        let rows: Vec<Cat> = self
            .conn
            .query(sql)
            .map_err(|e| DbError::Catalogue(message(&e)))?;
        let mut out: Vec<Table> = Vec::new();
        for (schema, name, table_rows, column, ty, key) in rows {
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
                    catalogue_rows: table_rows,
                    primary_key: Vec::new(),
                });
            }
            let Some(t) = out.last_mut() else { continue };
            if key == "PRI" {
                t.primary_key.push(column.clone());
            }
            if self.opts.excluded(&format!("{qualified}.{column}")) {
                continue;
            }
            if let Some(class) = classify(Engine::Mysql, &ty, &column) {
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
        let terr = |e: &mysql::Error| DbError::Table {
            table: table.qualified(),
            message: message(e),
        };
        let n = self.opts.sample;
        let method = if table.primary_key.is_empty() {
            format!("LIMIT {n}")
        } else {
            let pk: Vec<String> = table
                .primary_key
                .iter()
                .map(|c| quote_backtick(c))
                .collect();
            format!("ORDER BY {} LIMIT {n}", pk.join(", "))
        };
        let mut sampled = 0u64;
        if !table.columns.is_empty() {
            let cols: Vec<String> = table
                .columns
                .iter()
                .map(|c| quote_backtick(&c.name))
                .collect();
            let sql = format!(
                "SELECT {} FROM {}.{} {method}",
                cols.join(", "),
                quote_backtick(&table.schema),
                quote_backtick(&table.name)
            );
            let mut result = self.conn.query_iter(sql).map_err(|e| terr(&e))?;
            if let Some(set) = result.iter() {
                for row in set {
                    let row = row.map_err(|e| terr(&e))?;
                    sampled += 1;
                    let values: Vec<Option<&[u8]>> = (0..cols.len())
                        .map(|j| match row.as_ref(j) {
                            Some(Value::Bytes(b)) => Some(capped(b)),
                            _ => None,
                        })
                        .collect();
                    rows.row(&values);
                }
            }
        }
        Ok(TableSample {
            table: table.qualified(),
            method,
            sampled_rows: sampled,
            catalogue_rows: table.catalogue_rows,
            catalogue_source: "information_schema.TABLES.TABLE_ROWS".into(),
        })
    }

    fn lost(&mut self) -> bool {
        self.conn.ping().is_err()
    }
}
