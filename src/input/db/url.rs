//! Database URLs: parsing, the password-free display form, and scrubbing secrets from messages.
//!
//! Forms: `postgres://[user[:password]@]host[:port][/database][?param=value&…]` (also
//! `postgresql://`), `mysql://…` (also `mariadb://`), and `sqlite:PATH` (`sqlite://PATH` and
//! `sqlite:///abs/path` too). User and password are percent-decoded. Query parameters kept:
//! `sslmode` and `sslrootcert` (PostgreSQL) / `ssl-mode` (MySQL), `host` (PostgreSQL: a Unix socket directory) and
//! `socket` (MySQL: a Unix socket path), `application_name`; a `password` parameter is taken as
//! the password. Anything else is an error, so a typo is not silently ignored.

use super::DbError;

/// The database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
    /// SQLite (a file).
    Sqlite,
}

impl Engine {
    /// Format name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
            Engine::Sqlite => "sqlite",
        }
    }
}

/// A parsed database URL. Its `Debug` form hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl {
    /// Engine.
    pub engine: Engine,
    /// User name, if given.
    pub user: Option<String>,
    /// Password from the URL, if given (see [`DbUrl::password`] for the environment).
    password: Option<String>,
    /// Host name or address (network engines).
    pub host: Option<String>,
    /// Port.
    pub port: Option<u16>,
    /// Database name, or the SQLite file's path.
    pub database: String,
    /// Query parameters other than the password.
    pub params: Vec<(String, String)>,
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

/// Whether `arg` (a scan path argument) is a database URL rather than a file path.
pub fn is_db_url(arg: &str) -> bool {
    let lower = arg.get(..14).unwrap_or(arg).to_ascii_lowercase();
    [
        "postgres://",
        "postgresql://",
        "mysql://",
        "mariadb://",
        "sqlite:",
    ]
    .iter()
    .any(|s| lower.starts_with(s))
}

const PARAMS: &[&str] = &[
    "sslmode",
    "sslrootcert",
    "ssl-mode",
    "host",
    "socket",
    "application_name",
];

impl DbUrl {
    /// Parses `s`. Errors never quote the password.
    pub fn parse(s: &str) -> Result<DbUrl, DbError> {
        let bad = |why: &str| DbError::Url(format!("invalid database URL: {why}"));
        let (scheme, rest) = s.split_once(':').ok_or_else(|| bad("no scheme"))?;
        let engine = match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Engine::Postgres,
            "mysql" | "mariadb" => Engine::Mysql,
            "sqlite" => Engine::Sqlite,
            _ => return Err(bad("unknown scheme (postgres, mysql, mariadb, sqlite)")),
        };
        if engine == Engine::Sqlite {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(bad("sqlite: needs a file path (sqlite:path/to/file.db)"));
            }
            return Ok(DbUrl {
                engine,
                user: None,
                password: None,
                host: None,
                port: None,
                database: path.to_string(),
                params: Vec::new(),
            });
        }
        let rest = rest
            .strip_prefix("//")
            .ok_or_else(|| bad("expected `//` after the scheme"))?;
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (authority, database) = match rest.split_once('/') {
            Some((a, d)) => (a, decode(d).ok_or_else(|| bad("bad %-escape in database"))?),
            None => (rest, String::new()),
        };
        // The last `@` ends the user info: a password may hold `@` unescaped.
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (mut user, mut password) = (None, None);
        if let Some(u) = userinfo {
            let (name, pass) = match u.split_once(':') {
                Some((n, p)) => (n, Some(p)),
                None => (u, None),
            };
            user = Some(decode(name).ok_or_else(|| bad("bad %-escape in user"))?);
            if let Some(p) = pass {
                password = Some(decode(p).ok_or_else(|| bad("bad %-escape in password"))?);
            }
        }
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| bad("unclosed `[` in host"))?;
            (h.to_string(), after.strip_prefix(':'))
        } else {
            match hostport.split_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (hostport.to_string(), None),
            }
        };
        let port = match port {
            Some(p) => Some(p.parse::<u16>().map_err(|_| bad("bad port"))?),
            None => None,
        };
        let mut params = Vec::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = decode(v).ok_or_else(|| bad("bad %-escape in a parameter"))?;
            if k == "password" {
                password = Some(v);
            } else if PARAMS.contains(&k) {
                params.push((k.to_string(), v));
            } else {
                return Err(DbError::Url(format!(
                    "invalid database URL: unknown parameter {k:?} (known: {})",
                    PARAMS.join(", ")
                )));
            }
        }
        Ok(DbUrl {
            engine,
            user,
            password,
            host: (!host.is_empty()).then_some(host),
            port,
            database,
            params,
        })
    }

    /// The URL as reports show it: no password, and of the parameters only `host` and `socket`
    /// (where the database is).
    pub fn display(&self) -> String {
        if self.engine == Engine::Sqlite {
            return format!("sqlite:{}", self.database);
        }
        let mut s = format!("{}://", self.engine.name());
        if let Some(u) = &self.user {
            s.push_str(&encode(u));
            s.push('@');
        }
        match &self.host {
            Some(h) if h.contains(':') => s.push_str(&format!("[{h}]")),
            Some(h) => s.push_str(h),
            None => {}
        }
        if let Some(p) = self.port {
            s.push_str(&format!(":{p}"));
        }
        s.push('/');
        s.push_str(&encode(&self.database));
        // Only what says where the database is: TLS and client settings are not its name.
        let q: Vec<String> = self
            .params
            .iter()
            .filter(|(k, _)| k == "host" || k == "socket")
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if !q.is_empty() {
            s.push('?');
            s.push_str(&q.join("&"));
        }
        s
    }

    /// The value of query parameter `key`.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The password: from the URL, else the client's environment variable (`PGPASSWORD`,
    /// `MYSQL_PWD`).
    pub fn password(&self) -> Option<String> {
        let var = match self.engine {
            Engine::Postgres => "PGPASSWORD",
            Engine::Mysql => "MYSQL_PWD",
            Engine::Sqlite => return None,
        };
        self.password
            .clone()
            .or_else(|| std::env::var(var).ok().filter(|p| !p.is_empty()))
    }

    /// `message` with every occurrence of the password (as given and percent-encoded) replaced
    /// by `***`: drivers' messages are not trusted to leave it out.
    pub fn scrub(&self, message: &str) -> String {
        let mut out = message.to_string();
        if let Some(p) = self.password().filter(|p| !p.is_empty()) {
            out = out.replace(&p, "***");
            let enc = encode(&p);
            if enc != p {
                out = out.replace(&enc, "***");
            }
        }
        out
    }

    /// [`DbUrl::scrub`] applied to an error's message.
    pub fn scrub_error(&self, e: DbError) -> DbError {
        match e {
            DbError::Url(m) => DbError::Url(self.scrub(&m)),
            DbError::Connect(m) => DbError::Connect(self.scrub(&m)),
            DbError::Catalogue(m) => DbError::Catalogue(self.scrub(&m)),
            DbError::Table { table, message } => DbError::Table {
                table,
                message: self.scrub(&message),
            },
            e @ DbError::NotCompiled(_) => e,
        }
    }
}

/// Percent-decodes `s`; `None` on a bad escape or non-UTF-8 result.
fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes what would end a URL component.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' | '@' | ':' | '/' | '?' | '#' | '&' | '=' | ' ' => {
                for b in c.to_string().bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_display_without_the_password() {
        let table: &[(&str, &str)] = &[
            (
                "postgres://alice:s3cr%40t@db.example.com:5433/shop",
                "postgres://alice@db.example.com:5433/shop",
            ),
            (
                "postgresql://alice:p@ss@127.0.0.1/shop?sslmode=disable",
                "postgres://alice@127.0.0.1/shop",
            ),
            (
                "postgres://bob@[::1]:5432/db?password=hunter2",
                "postgres://bob@[::1]:5432/db",
            ),
            (
                "mariadb://root:x@localhost/app",
                "mysql://root@localhost/app",
            ),
            (
                "postgres://u@/d?host=/run/pg&application_name=x",
                "postgres://u@/d?host=%2Frun%2Fpg",
            ),
            (
                "postgres://u@h/d?sslmode=verify-full&sslrootcert=%2Fetc%2Fca%20x.pem",
                "postgres://u@h/d",
            ),
            ("sqlite:data/app.db", "sqlite:data/app.db"),
            ("sqlite:///tmp/app.db", "sqlite:/tmp/app.db"),
        ];
        for (url, want) in table {
            let u = DbUrl::parse(url);
            assert_eq!(u.as_ref().map(DbUrl::display).ok().as_deref(), Some(*want));
            assert_eq!(u.map(|u| format!("{u:?}")).ok().as_deref(), Some(*want));
        }
        // The root certificate's path is percent-decoded for the connection.
        let u = DbUrl::parse("postgres://u@h/d?sslrootcert=%2Fetc%2Fca%20x.pem");
        assert_eq!(
            u.ok()
                .and_then(|u| u.param("sslrootcert").map(str::to_string)),
            Some("/etc/ca x.pem".into())
        );
        let u = DbUrl::parse("postgres://alice:p@ss@h/d");
        assert_eq!(
            u.map(|u| (u.password(), u.user, u.host)).ok(),
            Some((Some("p@ss".into()), Some("alice".into()), Some("h".into())))
        );
    }

    #[test]
    fn bad_urls_are_errors_without_the_password() {
        for bad in [
            "postgres:/h/db",
            "postgres://u:pw1234@h:99999/db",
            "postgres://u:pw1234@h/db?sslmod=disable",
            "ftp://h/x",
            "sqlite:",
            "mysql://u:pw1234@[::1/db",
        ] {
            let e = DbUrl::parse(bad);
            assert!(
                matches!(&e, Err(DbError::Url(m)) if !m.contains("pw1234")),
                "{bad}: {e:?}"
            );
        }
    }

    #[test]
    fn scrub_removes_the_password_in_both_spellings() {
        let u = DbUrl::parse("postgres://a:p%40ss@h/d").ok();
        let msg = "auth failed for p@ss (p%40ss)";
        assert_eq!(
            u.map(|u| u.scrub(msg)).as_deref(),
            Some("auth failed for *** (***)")
        );
    }

    #[test]
    fn db_urls_are_told_from_paths() {
        assert!(is_db_url("postgres://h/db"));
        assert!(is_db_url("PostgreSQL://h/db"));
        assert!(is_db_url("mysql://h/db"));
        assert!(is_db_url("sqlite:x.db"));
        assert!(!is_db_url("postgres.sql"));
        assert!(!is_db_url("./sqlite/x.db"));
        assert!(!is_db_url("s3://bucket/key"));
    }
}
