//! Live databases (`piiscan scan postgres://… mysql://… sqlite:…`), against real servers the
//! tests start themselves: a throwaway PostgreSQL cluster (initdb) and MariaDB server
//! (mariadb-install-db), each on 127.0.0.1 with its data and socket in a temp dir, run as
//! `postgres` / `mysql` when the tests run as root. A test whose server binaries are missing
//! is skipped with a loud message — unless `PIISCAN_REQUIRE_DB=1` (set by `.ci/run`), where
//! that is a failure. Without the `db` cargo feature the network URLs must be errors naming
//! the feature.
//!
//! Each engine is one test that starts one server and runs every scenario against it, in
//! order (a server costs seconds to start; the scenarios cost little).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Run, piiscan, scan};

/// The password of the role the scans log in as: it must appear in no output.
const PASSWORD: &str = "Secr3t-Pw-29zq";
/// A wrong password, which must not be echoed either.
const WRONG: &str = "Wr0ng-Pw-77xk";

fn required() -> bool {
    std::env::var("PIISCAN_REQUIRE_DB").as_deref() == Ok("1")
}

/// Skips (or, under `PIISCAN_REQUIRE_DB=1`, fails) a test whose server is missing.
fn skip(test: &str, why: &str) {
    if required() {
        panic!("PIISCAN_REQUIRE_DB=1 but {why}");
    }
    eprintln!("SKIPPED {test}: {why} (set PIISCAN_REQUIRE_DB=1 to make this a failure)");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// A command run as `user` when we are root (servers refuse to run as root).
fn as_user(user: &str, program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", user, "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

fn check(what: &str, mut c: Command) -> String {
    let out = c
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A temp dir the server's user can own.
fn server_dir(user: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("piiscan-db-")
        .tempdir_in("/tmp")
        .unwrap_or_else(|e| panic!("{e}"));
    if is_root() {
        check("chown", {
            let mut c = Command::new("chown");
            c.arg(format!("{user}:")).arg(dir.path());
            c
        });
    }
    dir
}

/// Every output of a run, and the JSON report if it wrote one: where a secret must not be.
fn assert_no_secret(run: &Run, report: Option<&str>) {
    for secret in [PASSWORD, WRONG] {
        assert!(!run.stdout.contains(secret), "password in stdout");
        assert!(!run.stderr.contains(secret), "password in stderr");
        assert!(
            !report.is_some_and(|r| r.contains(secret)),
            "password in the report"
        );
    }
}

/// `scan --format json <args>` with its outputs checked for the password.
fn scan_json(args: &[&str]) -> (Run, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = scan(&all);
    assert_no_secret(&run, None);
    assert!(
        !run.stderr.contains("internal error"),
        "piiscan panicked:\n{}",
        run.stderr
    );
    let v = run.json();
    (run, v)
}

fn input<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["inputs"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["path"] == path))
        .unwrap_or_else(|| panic!("no input {path} in {:#}", report["inputs"]))
}

fn findings_in_field(report: &Value, field: &str) -> usize {
    report["findings"]
        .as_array()
        .map_or(0, |a| a.iter().filter(|f| f["field"] == field).count())
}

/// A TCP proxy to `to` that forwards both ways and cuts the connection once `cut_after` bytes
/// have come back from the server: a connection lost mid-table, deterministically.
fn cutting_proxy(to: u16, cut_after: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", to)) else {
                continue;
            };
            let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
                continue;
            };
            let mut c_in = client;
            let mut s_out = server;
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut c_in, &mut s_out);
            });
            std::thread::spawn(move || {
                let mut sent = 0usize;
                let mut buf = [0u8; 8192];
                while let Ok(n) = s2.read(&mut buf) {
                    if n == 0 || c2.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    sent += n;
                    if sent >= cut_after {
                        break;
                    }
                }
                let _ = c2.shutdown(std::net::Shutdown::Both);
                let _ = s2.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    port
}

/// The report validates against the JSON report's schema (`sample`, `rows_exposed_estimate`).
fn assert_matches_schema(doc: &Value) {
    let schema: Value = serde_json::from_str(piiscan::report::JSON_SCHEMA)
        .unwrap_or_else(|e| panic!("schema: {e}"));
    let errs = crate::exposure::schema::validate(&schema, doc);
    assert!(errs.is_empty(), "{errs:#?}");
}

/// Runs `piiscan <args>`, sampling its peak resident set (`VmHWM`) while it runs: the result,
/// the wall time and the peak in KiB.
fn measured(args: &[&str]) -> (Run, Duration, u64) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("piiscan"))
        .args(args)
        .env("PIISCAN_FINGERPRINT_KEY", "test-key-0123456789abcdef")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let pid = child.id();
    let (mut out, mut err) = (child.stdout.take(), child.stderr.take());
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_end(&mut v);
        }
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_end(&mut v);
        }
        v
    });
    let start = Instant::now();
    let mut peak = 0u64;
    let status = loop {
        let hwm = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            });
        peak = peak.max(hwm.unwrap_or(0));
        if let Ok(Some(st)) = child.try_wait() {
            break st;
        }
        assert!(start.elapsed() < Duration::from_secs(300), "piiscan hangs");
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = start.elapsed();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned(),
    };
    (run, took, peak)
}

// ---------------------------------------------------------------------------------------------
// SQLite (no server): always built, always run.
// ---------------------------------------------------------------------------------------------

#[test]
fn sqlite_url_is_sampled_read_only_with_an_estimate() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("app.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
        c.execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, profile JSON, \
             points INTEGER, photo BLOB);
             WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 2000)
             INSERT INTO customers (email, profile, points, photo)
             SELECT 'olivia.testperson' || i || '@example.com',
                    '{\"contact\": {\"phone\": \"0491 570 ' || printf('%03d', i % 1000) || '\"}}',
                    i, x'00ff' FROM g;",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let before = std::fs::read(&db).unwrap_or_else(|e| panic!("{e}"));
    let url = format!("sqlite:{}", db.display());
    let (run, r) = scan_json(&["--sample", "250", &url]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let path = format!("{url}!main.customers");
    let t = input(&r, &path);
    assert_eq!(t["status"], "scanned");
    assert_eq!(t["records"], 250, "--sample 250 reads 250 rows");
    assert_eq!(t["sample"]["sampled_rows"], 250);
    assert_eq!(t["sample"]["catalogue_rows"], 2000);
    assert_eq!(findings_in_field(&r, "main.customers.email"), 250);
    // A JSON column is scanned as JSON: its key path under the column.
    assert!(findings_in_field(&r, "main.customers.profile.contact.phone") > 200);
    // Estimated rows exposed: 250 of 250 sampled rows carry an email, 2000 rows in the table.
    let places = r["exposure"]["inputs"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["path"] == path.as_str()))
        .map(|i| i["places"].clone())
        .unwrap_or_default();
    let email = places
        .as_array()
        .and_then(|a| a.iter().find(|p| p["field"] == "main.customers.email"))
        .unwrap_or_else(|| panic!("{places:#}"));
    assert_eq!(email["rows_exposed_estimate"], 2000);
    assert_matches_schema(&r);
    assert_eq!(
        std::fs::read(&db).ok(),
        Some(before),
        "the database was written"
    );
    // The text report labels the number as an estimate.
    let text = scan(&["--sample", "250", &url]);
    assert!(
        text.stdout.contains("ESTIMATES") && text.stdout.contains("≈ 2000 rows carry"),
        "{}",
        text.stdout
    );
    // A missing file is an error for its input, and the run goes on to the next.
    let missing = format!("sqlite:{}", dir.path().join("nope.db").display());
    let (run, r) = scan_json(&[&missing, &url]);
    assert_eq!(run.code, 2);
    assert_eq!(input(&r, &missing)["status"], "error");
    assert_eq!(input(&r, &path)["status"], "scanned");
}

/// Whether the binary under test reads PostgreSQL and MySQL: as this test binary was built,
/// unless `PIISCAN_EXPECT_DB` says otherwise (`.ci/run` re-runs this test against the default
/// build with `PIISCAN_EXPECT_DB=0`).
fn db_compiled() -> bool {
    match std::env::var("PIISCAN_EXPECT_DB").as_deref() {
        Ok("0") => false,
        Ok("1") => true,
        _ => cfg!(feature = "db"),
    }
}

#[test]
fn network_urls_need_the_db_feature_or_name_it() {
    if db_compiled() {
        return;
    }
    let (run, r) = scan_json(&[&format!("postgres://auditor:{PASSWORD}@127.0.0.1:1/shop")]);
    assert_eq!(run.code, 2);
    let reason = r["errors"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("--features db"), "{reason}");
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------------

struct Pg {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Pg {
    fn start() -> Result<Pg, String> {
        Pg::start_with("")
    }

    /// A server with `extra` server options (`-c name=value …`).
    fn start_with(extra: &str) -> Result<Pg, String> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|_| "PostgreSQL is not installed (/usr/lib/postgresql)".to_string())?
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("initdb").exists())
            .max()
            .ok_or("no /usr/lib/postgresql/*/bin/initdb")?;
        let dir = server_dir("postgres");
        let port = free_port();
        let data = dir.path().join("data");
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, "postgres-superuser-pw\n").map_err(|e| e.to_string())?;
        if is_root() {
            check("chown pw", {
                let mut c = Command::new("chown");
                c.arg("postgres:").arg(&pwfile);
                c
            });
        }
        check("initdb", {
            let mut c = as_user("postgres", &bin.join("initdb"));
            c.arg("-D")
                .arg(&data)
                .args(["-U", "postgres", "--no-sync", "--auth-local=trust"])
                .args(["--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C"])
                .arg(format!("--pwfile={}", pwfile.display()));
            c
        });
        check("pg_ctl start", {
            let mut c = as_user("postgres", &bin.join("pg_ctl"));
            c.arg("-D")
                .arg(&data)
                .arg("-w")
                .arg("-l")
                .arg(dir.path().join("log"));
            c.arg("-o").arg(format!(
                "-c listen_addresses=127.0.0.1 -c unix_socket_directories={} -p {port} \
                 -c fsync=off -c full_page_writes=off {extra}",
                dir.path().display()
            ));
            c.arg("start");
            c
        });
        Ok(Pg { bin, dir, port })
    }

    fn psql(&self, db: &str, sql: &str) -> String {
        let mut c = as_user("postgres", &self.bin.join("psql"));
        c.arg("-h")
            .arg(self.dir.path())
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-X",
                "-q",
                "-At",
            ])
            .args(["-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql]);
        check("psql", c)
    }

    /// Reloads the configuration and waits until new sessions see it (the reload is
    /// asynchronous: new sessions report the postmaster's last load time).
    fn reload(&self) {
        let before = self.psql("postgres", "SELECT pg_conf_load_time()");
        self.psql("postgres", "SELECT pg_reload_conf()");
        let t0 = Instant::now();
        while self.psql("postgres", "SELECT pg_conf_load_time()") == before {
            assert!(t0.elapsed() < Duration::from_secs(20), "reload not seen");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self, db: &str, password: &str) -> String {
        format!("postgres://auditor:{password}@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = as_user("postgres", &self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[test]
fn postgres_live_database() {
    const TEST: &str = "postgres_live_database";
    if !cfg!(feature = "db") {
        return skip(TEST, "piiscan was built without the `db` feature");
    }
    let pg = match Pg::start() {
        Ok(pg) => pg,
        Err(why) => return skip(TEST, &why),
    };
    let t0 = Instant::now();
    pg.psql(
        "postgres",
        &format!("CREATE ROLE auditor LOGIN PASSWORD '{PASSWORD}'"),
    );
    pg.psql("postgres", "CREATE DATABASE shop");
    // A million customers generated server-side; 60 members (other people) for the dump test;
    // a table the auditor may not read.
    pg.psql(
        "shop",
        "CREATE TABLE public.customers (id bigint PRIMARY KEY, email text, dob date, \
           profile jsonb, points integer);
         INSERT INTO public.customers
           SELECT g, 'olivia.testperson' || g || '@example.com',
                  date '1950-01-01' + (g % 18000),
                  jsonb_build_object('contact', jsonb_build_object('mobile',
                    '0491 570 ' || lpad((g % 1000)::text, 3, '0'))),
                  g % 500
           FROM generate_series(1, 1000000) g;
         CREATE TABLE public.members (id integer PRIMARY KEY, email text, mobile text);
         INSERT INTO public.members
           SELECT g, 'noah.sampleton' || g || '@example.org',
                  '0491 571 ' || lpad(g::text, 3, '0')
           FROM generate_series(1, 60) g;
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO auditor;
         CREATE TABLE public.secret (id integer, email text);
         INSERT INTO public.secret VALUES (1, 'hidden.person@example.net');
         ANALYZE;",
    );
    eprintln!(
        "{TEST}: server and 1,000,000 rows ready in {:?}",
        t0.elapsed()
    );
    let url = pg.url("shop", PASSWORD);
    let base = format!("postgres://auditor@127.0.0.1:{}/shop", pg.port);

    // 1. The million-row table sampled within bounded time and memory; --sample counted;
    // the estimate.
    let (run, took, peak_kib) = measured(&["scan", "--format", "json", "--sample", "10000", &url]);
    assert_no_secret(&run, None);
    let r = run.json();
    eprintln!(
        "{TEST}: scan of 3 tables (1,000,000-row table sampled to 10,000) in {took:?}, \
         peak RSS {} MiB",
        peak_kib / 1024
    );
    assert!(took < Duration::from_secs(60), "sampling took {took:?}");
    assert!(peak_kib < 256 * 1024, "peak RSS {peak_kib} KiB");
    assert_matches_schema(&r);
    assert_eq!(run.code, 2, "one table is refused: {}", run.stderr);
    let customers = input(&r, &format!("{base}!public.customers"));
    assert_eq!(customers["status"], "scanned");
    assert_eq!(customers["records"], 10000);
    assert_eq!(customers["format"], "postgres");
    let sample = &customers["sample"];
    assert_eq!(sample["sampled_rows"], 10000);
    assert_eq!(sample["catalogue_source"], "pg_class.reltuples");
    assert!(
        sample["method"]
            .as_str()
            .is_some_and(|m| m.starts_with("TABLESAMPLE BERNOULLI(") && m.contains("REPEATABLE(")),
        "{sample}"
    );
    assert_eq!(findings_in_field(&r, "public.customers.email"), 10000);
    assert!(findings_in_field(&r, "public.customers.profile.contact.mobile") > 9000);
    let est = r["exposure"]["inputs"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|i| i["path"] == format!("{base}!public.customers").as_str())
        })
        .and_then(|i| i["places"].as_array())
        .and_then(|p| p.iter().find(|p| p["field"] == "public.customers.email"))
        .map(|p| p["rows_exposed_estimate"].as_u64().unwrap_or(0))
        .unwrap_or(0);
    assert!(
        (900_000..=1_100_000).contains(&est),
        "estimated rows with an email: {est}"
    );
    // Permission denied on one table: an error for it, the others scanned.
    let secret = input(&r, &format!("{base}!public.secret"));
    assert_eq!(secret["status"], "error");
    assert!(
        secret["reason"]
            .as_str()
            .is_some_and(|m| m.contains("permission denied")),
        "{secret}"
    );
    assert_eq!(input(&r, &format!("{base}!public.members"))["records"], 60);
    assert!(r["roots"][0] == base.as_str(), "roots: {}", r["roots"]);

    // The same sample again: repeatable.
    let (_, again) = scan_json(&["--sample", "10000", &url]);
    assert_eq!(
        findings_in_field(&again, "public.customers.email"),
        10000,
        "a repeat samples as many"
    );
    let fps = |r: &Value| -> std::collections::BTreeSet<String> {
        r["findings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|f| f["field"] == "public.customers.email")
                    .map(|f| f["fingerprint"].to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        fps(&r),
        fps(&again),
        "REPEATABLE(seed) samples the same rows"
    );

    // --sample respected for a smaller number, and --exclude on schema.table(.column).
    let (_, r) = scan_json(&[
        "--sample",
        "137",
        "--exclude",
        "public.secret",
        "--exclude",
        "*.dob",
        &url,
    ]);
    assert_eq!(
        input(&r, &format!("{base}!public.customers"))["records"],
        137
    );
    assert_eq!(findings_in_field(&r, "public.customers.email"), 137);
    assert_eq!(findings_in_field(&r, "public.customers.dob"), 0);
    assert!(
        r["errors"].as_array().is_some_and(Vec::is_empty),
        "{}",
        r["errors"]
    );

    // 2. The same people in a live table and its pg_dump: linked, counted once.
    let dump_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dump = pg.psql("shop", "SELECT 1"); // the server answers
    assert_eq!(dump.trim(), "1");
    let dump_out = {
        let mut c = as_user("postgres", &pg.bin.join("pg_dump"));
        c.arg("-h").arg(pg.dir.path()).args([
            "-p",
            &pg.port.to_string(),
            "-U",
            "postgres",
            "-t",
            "public.members",
            "shop",
        ]);
        check("pg_dump", c)
    };
    let dump_file = dump_dir.path().join("members.sql");
    std::fs::write(&dump_file, dump_out).unwrap_or_else(|e| panic!("{e}"));
    let dump_path = dump_file.display().to_string();
    let (run, r) = scan_json(&[
        "--exclude",
        "public.customers",
        "--exclude",
        "public.secret",
        &url,
        &dump_path,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        r["exposure"]["summary"]["people"], 60,
        "{:#}",
        r["exposure"]["summary"]
    );
    let overlap = r["exposure"]["overlaps"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|o| {
                o["input"] == format!("{base}!public.members").as_str()
                    && o["other"] == dump_path.as_str()
            })
        })
        .unwrap_or_else(|| panic!("no overlap: {:#}", r["exposure"]["overlaps"]));
    assert_eq!(overlap["shared_people"], 60);

    // 3. Bad password: an error, no secret echoed (stdout, stderr, report file).
    let report_file = dump_dir.path().join("bad.json");
    let bad = Run::from(
        piiscan()
            .args(["scan", "--format", "json", "-o"])
            .arg(&report_file)
            .arg(pg.url("shop", WRONG))
            .output()
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let written = std::fs::read_to_string(&report_file).unwrap_or_default();
    assert_no_secret(&bad, Some(&written));
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("password authentication failed") && bad.stderr.contains(&base),
        "{}",
        bad.stderr
    );
    // The same with the password from PGPASSWORD.
    let env_run = Run::from(
        piiscan()
            .args(["scan", "--format", "json", &base])
            .env("PGPASSWORD", PASSWORD)
            .output()
            .unwrap_or_else(|e| panic!("{e}")),
    );
    assert_no_secret(&env_run, None);
    assert_eq!(env_run.code, 2, "secret is refused: {}", env_run.stderr);
    assert!(env_run.json()["totals"]["findings"].as_u64() > Some(1000));
    // And from a password file (PGPASSFILE, mode 0600), as libpq reads it.
    let pgpass = dump_dir.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!("127.0.0.1:{}:shop:auditor:{PASSWORD}\n", pg.port),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let file_run = Run::from(
        piiscan()
            .args(["scan", "--format", "json", &base])
            .env("PGPASSFILE", &pgpass)
            .env_remove("PGPASSWORD")
            .output()
            .unwrap_or_else(|e| panic!("{e}")),
    );
    assert_no_secret(&file_run, None);
    assert!(
        file_run.json()["totals"]["findings"].as_u64() > Some(1000),
        "{}",
        file_run.stderr
    );

    // 4. Unreachable host: an error for the URL, and the rest of the run goes on.
    let closed = free_port();
    let (run, r) = scan_json(&[
        &format!("postgres://auditor:{PASSWORD}@127.0.0.1:{closed}/shop"),
        &dump_path,
    ]);
    assert_eq!(run.code, 2);
    let down = input(&r, &format!("postgres://auditor@127.0.0.1:{closed}/shop"));
    assert!(
        down["reason"]
            .as_str()
            .is_some_and(|m| m.starts_with("cannot connect")),
        "{down}"
    );
    assert_eq!(input(&r, &dump_path)["status"], "scanned");

    // 5. A column that cannot be read as text (bytes that are not UTF-8 in a SQL_ASCII
    // database): an error for its table naming the column; the other columns scanned.
    pg.psql(
        "postgres",
        "CREATE DATABASE legacy ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' \
         TEMPLATE template0",
    );
    pg.psql(
        "legacy",
        "CREATE TABLE public.contacts (email text, note text);
         INSERT INTO public.contacts VALUES ('jack.placeholder@example.com', E'caf\\xe9 \\xff');
         GRANT SELECT ON public.contacts TO auditor;",
    );
    let (run, r) = scan_json(&[&pg.url("legacy", PASSWORD)]);
    assert_eq!(run.code, 2);
    let legacy = format!(
        "postgres://auditor@127.0.0.1:{}/legacy!public.contacts",
        pg.port
    );
    let t = input(&r, &legacy);
    assert!(
        t["reason"]
            .as_str()
            .is_some_and(|m| m.contains("public.contacts.note (text) cannot be read as text")),
        "{t}"
    );
    assert_eq!(findings_in_field(&r, "public.contacts.email"), 1);

    // 6. The connection lost mid-table: that table is an error, those after it not read.
    let proxy = cutting_proxy(pg.port, 400_000);
    let (run, r) = scan_json(&[
        "--sample",
        "100000",
        &format!("postgres://auditor:{PASSWORD}@127.0.0.1:{proxy}/shop"),
    ]);
    assert_eq!(run.code, 2);
    let via = format!("postgres://auditor@127.0.0.1:{proxy}/shop");
    let cut = input(&r, &format!("{via}!public.customers"));
    assert_eq!(cut["status"], "error", "{cut}");
    let after = input(&r, &format!("{via}!public.members"));
    assert!(
        after["reason"]
            .as_str()
            .is_some_and(|m| m.contains("connection was lost")),
        "{after}"
    );
}

/// A throwaway CA (`ca.pem`), a second CA that signed nothing the server has (`other-ca.pem`),
/// and a server certificate for IP 127.0.0.1 only (`server.pem`, `server.key`, readable by the
/// server's user), made with the `openssl` command in `dir`.
fn make_certificates(dir: &Path) -> Result<(), String> {
    let openssl = |args: &[&str]| -> Result<(), String> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("the openssl command is not available: {e}"))?;
        if !out.status.success() {
            panic!(
                "openssl {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    for (name, cn) in [("ca", "piiscan test CA"), ("other-ca", "piiscan other CA")] {
        let (key, pem, subj) = (
            format!("{name}.key"),
            format!("{name}.pem"),
            format!("/CN={cn}"),
        );
        let mut args = vec!["req", "-x509", "-days", "2", "-subj", &subj];
        args.extend_from_slice(&ec);
        args.extend_from_slice(&["-keyout", &key, "-out", &pem]);
        openssl(&args)?;
    }
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    let mut args = vec!["req", "-new", "-subj", "/CN=piiscan test server"];
    args.extend_from_slice(&ec);
    args.extend_from_slice(&["-keyout", "server.key", "-out", "server.csr"]);
    openssl(&args)?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        "2",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ])?;
    let key = dir.join("server.key");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| e.to_string())?;
    }
    if is_root() {
        check("chown key", {
            let mut c = Command::new("chown");
            c.arg("postgres:").arg(&key).arg(dir.join("server.pem"));
            c
        });
    }
    Ok(())
}

/// The server log's `connection authorized` line of the session named `app`.
fn authorized_line(pg: &Pg, app: &str) -> String {
    let log = std::fs::read_to_string(pg.dir.path().join("log")).unwrap_or_default();
    let tag = format!("application_name={app}");
    log.lines()
        .find(|l| l.contains("connection authorized") && l.split_whitespace().any(|w| w == tag))
        .unwrap_or_else(|| panic!("no connection by {app} in the server log:\n{log}"))
        .to_string()
}

#[test]
fn postgres_tls() {
    const TEST: &str = "postgres_tls";
    if !cfg!(feature = "db") {
        return skip(TEST, "piiscan was built without the `db` feature");
    }
    let certs = server_dir("postgres");
    if let Err(why) = make_certificates(certs.path()) {
        return skip(TEST, &why);
    }
    let c = certs.path();
    let pg = match Pg::start_with(&format!(
        "-c ssl_cert_file={} -c ssl_key_file={} -c log_connections=on",
        c.join("server.pem").display(),
        c.join("server.key").display()
    )) {
        Ok(pg) => pg,
        Err(why) => return skip(TEST, &why),
    };
    pg.psql(
        "postgres",
        &format!("CREATE ROLE auditor LOGIN PASSWORD '{PASSWORD}'"),
    );
    // `ssl` through ALTER SYSTEM, not the command line (which would outrank it), so that the
    // last scenario can turn it off.
    pg.psql("postgres", "ALTER SYSTEM SET ssl = on");
    pg.reload();
    pg.psql("postgres", "CREATE DATABASE shop");
    pg.psql(
        "shop",
        "CREATE TABLE public.people (id integer, email text);
         INSERT INTO public.people VALUES (1, 'ada.tlsperson@example.com'),
                                          (2, 'alan.tlsperson@example.org');
         GRANT SELECT ON public.people TO auditor;",
    );
    let ca = c.join("ca.pem").display().to_string();
    let other = c.join("other-ca.pem").display().to_string();
    let url = |host: &str, app: &str, params: &str| {
        format!(
            "postgres://auditor:{PASSWORD}@{host}:{}/shop?application_name={app}{params}",
            pg.port
        )
    };
    // A scan that must read the table (exit 1: findings), over TLS or not as `tls` says (from
    // the server's log).
    let works = |host: &str, app: &str, params: &str, tls: bool, env: Option<&str>| {
        let mut cmd = piiscan();
        cmd.args(["scan", "--format", "json", &url(host, app, params)]);
        cmd.env_remove("PGSSLROOTCERT");
        if let Some(root) = env {
            cmd.env("PGSSLROOTCERT", root);
        }
        let run = Run::from(cmd.output().unwrap_or_else(|e| panic!("{e}")));
        assert_no_secret(&run, None);
        assert_eq!(run.code, 1, "{app}: {}", run.stderr);
        assert_eq!(
            findings_in_field(&run.json(), "public.people.email"),
            2,
            "{app}"
        );
        let line = authorized_line(&pg, app);
        assert_eq!(line.contains("SSL enabled"), tls, "{app}: {line}");
    };
    // A scan that fails for the database: exit 2, the reason for it, nothing read.
    let reason = |host: &str, app: &str, params: &str| {
        let (run, r) = scan_json(&[&url(host, app, params)]);
        assert_eq!(run.code, 2, "{app}");
        assert_eq!(findings_in_field(&r, "public.people.email"), 0, "{app}");
        let db = format!("postgres://auditor@{host}:{}/shop", pg.port);
        input(&r, &db)["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    // Refused at connecting, naming `why`.
    let fails = |host: &str, app: &str, params: &str, why: &str| {
        let reason = reason(host, app, params);
        assert!(reason.starts_with("cannot connect"), "{app}: {reason}");
        assert!(reason.contains(why), "{app}: {reason}");
    };

    // The default (prefer) uses the TLS the server offers; require does; disable does not.
    works("127.0.0.1", "tls_default", "", true, None);
    works("127.0.0.1", "tls_require", "&sslmode=require", true, None);
    works("127.0.0.1", "tls_disable", "&sslmode=disable", false, None);
    // verify-full with the right CA (from the URL, then from PGSSLROOTCERT).
    let right = format!("&sslmode=verify-full&sslrootcert={ca}");
    works("127.0.0.1", "tls_full", &right, true, None);
    works(
        "127.0.0.1",
        "tls_full_env",
        "&sslmode=verify-full",
        true,
        Some(&ca),
    );
    // The wrong CA: refused by verify-full, verify-ca and (libpq) require with a root file.
    for mode in ["verify-full", "verify-ca", "require"] {
        let wrong = format!("&sslmode={mode}&sslrootcert={other}");
        fails(
            "127.0.0.1",
            "tls_wrong_ca",
            &wrong,
            "invalid peer certificate: UnknownIssuer",
        );
    }
    // The wrong host name (the certificate is for 127.0.0.1 only): refused by verify-full;
    // verify-ca checks the chain only.
    fails(
        "localhost",
        "tls_wrong_host",
        &right,
        "certificate not valid for name",
    );
    let ca_only = format!("&sslmode=verify-ca&sslrootcert={ca}");
    works("localhost", "tls_ca_only", &ca_only, true, None);
    // A missing root file is named before connecting.
    let missing = format!(
        "&sslmode=verify-full&sslrootcert={}",
        c.join("nope.pem").display()
    );
    let why = reason("127.0.0.1", "tls_missing", &missing);
    assert!(
        why.starts_with("sslrootcert ") && why.contains("nope.pem: No such file"),
        "{why}"
    );

    // TLS only (hostssl): disable is refused by the server; allow retries with TLS.
    let hba = pg.dir.path().join("data/pg_hba.conf");
    let conf = std::fs::read_to_string(&hba).unwrap_or_else(|e| panic!("{e}"));
    let ssl_only: String = conf
        .lines()
        .map(|l| match l.strip_prefix("host ") {
            Some(rest) => format!("hostssl {rest}\n"),
            None => format!("{l}\n"),
        })
        .collect();
    assert!(
        ssl_only.contains("\nhostssl "),
        "no host lines in pg_hba.conf:\n{conf}"
    );
    std::fs::write(&hba, ssl_only).unwrap_or_else(|e| panic!("{e}"));
    pg.reload();
    fails(
        "127.0.0.1",
        "tls_hba_disable",
        "&sslmode=disable",
        "no encryption",
    );
    works("127.0.0.1", "tls_hba_allow", "&sslmode=allow", true, None);

    // A server without TLS: require is refused; prefer falls back to plain text.
    std::fs::write(&hba, &conf).unwrap_or_else(|e| panic!("{e}"));
    pg.psql("postgres", "ALTER SYSTEM SET ssl = off");
    pg.reload();
    fails(
        "127.0.0.1",
        "tls_off_require",
        "&sslmode=require",
        "server does not support TLS",
    );
    works("127.0.0.1", "tls_off_prefer", "", false, None);
}

// ---------------------------------------------------------------------------------------------
// MariaDB / MySQL
// ---------------------------------------------------------------------------------------------

struct Maria {
    dir: tempfile::TempDir,
    port: u16,
    child: std::process::Child,
}

impl Maria {
    fn start() -> Result<Maria, String> {
        let server = ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .ok_or("MariaDB is not installed (/usr/sbin/mariadbd)")?;
        let install = ["/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .ok_or("no mariadb-install-db")?;
        let dir = server_dir("mysql");
        let data = dir.path().join("data");
        let user = if is_root() { "mysql" } else { "" };
        check("mariadb-install-db", {
            let mut c = Command::new(&install);
            c.arg("--no-defaults")
                .arg(format!("--datadir={}", data.display()))
                .args(["--auth-root-authentication-method=normal", "--skip-test-db"]);
            if !user.is_empty() {
                c.arg(format!("--user={user}"));
            }
            c
        });
        let port = free_port();
        let mut c = Command::new(&server);
        c.arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!("--port={port}"))
            .args(["--bind-address=127.0.0.1", "--skip-log-bin"])
            .arg(format!("--pid-file={}", dir.path().join("pid").display()))
            .arg(format!(
                "--log-error={}",
                dir.path().join("err.log").display()
            ));
        if !user.is_empty() {
            c.arg(format!("--user={user}"));
        }
        let child = c
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("mariadbd: {e}"))?;
        let m = Maria { dir, port, child };
        let t = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if t.elapsed() > Duration::from_secs(60) {
                let log = std::fs::read_to_string(m.dir.path().join("err.log")).unwrap_or_default();
                return Err(format!("mariadbd did not start: {log}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(m)
    }

    fn sql(&self, sql: &str) {
        let client = ["/usr/bin/mariadb", "/usr/bin/mysql"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .unwrap_or("mysql");
        let mut c = Command::new(client);
        c.arg("--no-defaults")
            .arg(format!(
                "--socket={}",
                self.dir.path().join("sock").display()
            ))
            .args(["-uroot", "-e", sql]);
        check("mariadb", c);
    }

    fn url(&self, password: &str) -> String {
        format!("mysql://auditor:{password}@127.0.0.1:{}/shop", self.port)
    }
}

impl Drop for Maria {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn mariadb_live_database() {
    const TEST: &str = "mariadb_live_database";
    if !cfg!(feature = "db") {
        return skip(TEST, "piiscan was built without the `db` feature");
    }
    let m = match Maria::start() {
        Ok(m) => m,
        Err(why) => return skip(TEST, &why),
    };
    m.sql(&format!(
        "CREATE DATABASE shop;
         CREATE USER 'auditor'@'%' IDENTIFIED BY '{PASSWORD}';
         CREATE TABLE shop.customers (id INT PRIMARY KEY, email VARCHAR(100), dob DATE,
           profile JSON, card_number BIGINT, points INT);
         INSERT INTO shop.customers
           SELECT seq, CONCAT('olivia.testperson', seq, '@example.com'),
                  DATE_ADD('1950-01-01', INTERVAL seq DAY),
                  CONCAT('{{\"contact\": {{\"mobile\": \"0491 570 ', LPAD(seq % 1000, 3, '0'), '\"}}}}'),
                  4111111111111111, seq
           FROM shop.seq_1_to_5000;
         CREATE TABLE shop.secret (id INT PRIMARY KEY, email TEXT);
         INSERT INTO shop.secret VALUES (1, 'hidden.person@example.net');
         GRANT SELECT ON shop.customers TO 'auditor'@'%';
         GRANT INSERT ON shop.secret TO 'auditor'@'%';
         ANALYZE TABLE shop.customers;"
    ));
    let base = format!("mysql://auditor@127.0.0.1:{}/shop", m.port);

    let (run, r) = scan_json(&["--sample", "700", &m.url(PASSWORD)]);
    assert_eq!(run.code, 2, "one table is refused: {}", run.stderr);
    let c = input(&r, &format!("{base}!shop.customers"));
    assert_eq!(c["status"], "scanned", "{c}");
    assert_eq!(c["records"], 700);
    assert_eq!(c["sample"]["method"], "ORDER BY `id` LIMIT 700");
    assert_eq!(findings_in_field(&r, "shop.customers.email"), 700);
    assert_eq!(findings_in_field(&r, "shop.customers.card_number"), 700);
    assert!(findings_in_field(&r, "shop.customers.profile.contact.mobile") > 600);
    assert!(findings_in_field(&r, "shop.customers.dob") > 0);
    let secret = input(&r, &format!("{base}!shop.secret"));
    assert!(
        secret["reason"]
            .as_str()
            .is_some_and(|s| s.contains("denied")),
        "{secret}"
    );

    // Bad password, with the password from MYSQL_PWD too: no secret echoed.
    let (run, r) = scan_json(&[&m.url(WRONG)]);
    assert_eq!(run.code, 2);
    assert!(
        input(&r, &base)["reason"]
            .as_str()
            .is_some_and(|s| s.contains("Access denied")),
        "{}",
        r["inputs"]
    );
    let env_run = Run::from(
        piiscan()
            .args(["scan", "--format", "json", &base])
            .env("MYSQL_PWD", PASSWORD)
            .output()
            .unwrap_or_else(|e| panic!("{e}")),
    );
    assert_no_secret(&env_run, None);
    assert_eq!(
        env_run.json()["totals"]["findings"]
            .as_u64()
            .map(|n| n > 1000),
        Some(true)
    );

    // Unreachable.
    let closed = free_port();
    let (run, _) = scan_json(&[&format!(
        "mysql://auditor:{PASSWORD}@127.0.0.1:{closed}/shop"
    )]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot connect"), "{}", run.stderr);

    // The connection lost mid-table.
    let proxy = cutting_proxy(m.port, 60_000);
    let (run, r) = scan_json(&[
        "--sample",
        "5000",
        &format!("mysql://auditor:{PASSWORD}@127.0.0.1:{proxy}/shop"),
    ]);
    assert_eq!(run.code, 2);
    let via = format!("mysql://auditor@127.0.0.1:{proxy}/shop");
    assert_eq!(
        input(&r, &format!("{via}!shop.customers"))["status"],
        "error"
    );
    assert!(
        input(&r, &format!("{via}!shop.secret"))["reason"]
            .as_str()
            .is_some_and(|s| s.contains("connection was lost")),
        "{}",
        r["inputs"]
    );
}
