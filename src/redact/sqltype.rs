//! SQL column types, as far as redaction needs them: which text a column declared with a type
//! accepts, and what can be written there instead when a redacted value does not fit.
//!
//! A dump's `CREATE TABLE` says what each column holds. PostgreSQL (and MySQL in strict mode)
//! refuses a row whose value does not parse as its column's type, so a mask such as
//! `****-**-**` in a `date` column makes the whole dump fail to load. [`SqlType::parse`] reads a
//! declared type (`date`, `timestamp(6) with time zone`, `character varying(20)`, `int(11)`,
//! `numeric(10,2)`, `uuid`, `integer[]`, …) into the few classes that matter here;
//! [`SqlType::accepts`] is a static check of a value's text (as the server will see it: COPY
//! and string escapes already undone) against its class; [`SqlType::placeholder`] is a
//! constant every such column accepts. The SQL writer ([`super::sql`]) and the verifier
//! ([`super::verify`]) both use these checks.
//!
//! The checks are deliberately close to the servers' input rules for the forms dumps write
//! (ISO dates, plain decimal numbers, canonical UUIDs) plus the special values they accept
//! (`infinity`, `NaN`, MySQL's zero date); they are not a full re-implementation of either
//! server's parsers. Types this module does not know (user-defined types, domains, enums,
//! geometric types, …) are [`Base::Other`]: accepted as they are, like text.

/// What a column's declared type is, for redaction (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Text of any length (`text`, `varchar` without a length, `bytea`, `blob`, …).
    Text,
    /// Text of at most this many characters (`varchar(n)`, `char(n)`, `character varying(n)`).
    Chars(u32),
    /// Integers (`integer`, `bigint`, `int(11)`, `serial`, …).
    Integer,
    /// Exact and floating-point numbers (`numeric`, `decimal`, `real`, `double precision`).
    Numeric,
    /// PostgreSQL `money` (a number, with `$` and `,` allowed).
    Money,
    /// `boolean`.
    Boolean,
    /// `uuid`.
    Uuid,
    /// `date`.
    Date,
    /// `timestamp [with[out] time zone]`, `timestamptz`, MySQL `datetime`.
    Timestamp,
    /// MySQL `timestamp` (1970–2038 only).
    MysqlTimestamp,
    /// `time [with[out] time zone]`, `timetz`.
    Time,
    /// MySQL `year`.
    Year,
    /// `inet`, `cidr`.
    Inet,
    /// `json`, `jsonb`.
    Json,
    /// Anything else: accepted as it is.
    Other,
}

/// A column's declared type: its base class and whether it is an array of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlType {
    /// The class of the type (of its elements, for an array).
    pub base: Base,
    /// `type[]` or `type ARRAY`.
    pub array: bool,
}

impl SqlType {
    /// Plain unchecked text.
    pub const TEXT: SqlType = SqlType {
        base: Base::Text,
        array: false,
    };

    /// Reads a declared type, written as in the dump with its words separated by spaces:
    /// `date`, `pg_catalog.timestamp(6) with time zone`, `character varying (20)`,
    /// `int(11) unsigned`, `text[]`. `mysql`: the dump is MySQL's (`timestamp` is then the
    /// 1970–2038 type).
    pub fn parse(decl: &str, mysql: bool) -> SqlType {
        let lower = decl.trim().to_ascii_lowercase();
        let array = lower.contains('[') || lower.split_whitespace().any(|w| w == "array");
        // The first word, without a schema (`pg_catalog.`) or quotes, and up to a `(` or `[`.
        let first = lower
            .split(|c: char| c.is_whitespace() || c == '(' || c == '[')
            .find(|w| !w.is_empty())
            .unwrap_or("");
        let first = first.rsplit('.').next().unwrap_or(first).trim_matches('"');
        let words: Vec<&str> = lower
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        // The first number in parentheses: the length of a character type.
        let length = lower.split_once('(').and_then(|(_, rest)| {
            rest.split(|c: char| !c.is_ascii_digit())
                .find(|s| !s.is_empty())
                .and_then(|s| s.parse::<u32>().ok())
        });
        let varying = words.get(1) == Some(&"varying");
        let base = match first {
            "smallint" | "integer" | "int" | "bigint" | "int2" | "int4" | "int8" | "tinyint"
            | "mediumint" | "smallserial" | "serial" | "bigserial" | "serial2" | "serial4"
            | "serial8" => Base::Integer,
            "numeric" | "decimal" | "dec" | "fixed" | "real" | "float" | "float4" | "float8"
            | "double" => Base::Numeric,
            "money" => Base::Money,
            "boolean" | "bool" => Base::Boolean,
            "uuid" => Base::Uuid,
            "date" => Base::Date,
            "timestamp" if mysql => Base::MysqlTimestamp,
            "timestamp" | "timestamptz" | "datetime" | "smalldatetime" | "datetime2" => {
                Base::Timestamp
            }
            "time" | "timetz" => Base::Time,
            "year" => Base::Year,
            "inet" | "cidr" => Base::Inet,
            "json" | "jsonb" => Base::Json,
            "character" | "char" | "varchar" | "nchar" | "nvarchar" | "varchar2" | "bpchar"
                if varying || first != "character" || length.is_some() =>
            {
                match length {
                    Some(n) => Base::Chars(n),
                    // `char` / `character` without a length is char(1); `varchar` is unbounded.
                    None if !varying && matches!(first, "char" | "character" | "nchar") => {
                        Base::Chars(1)
                    }
                    None => Base::Text,
                }
            }
            "character" => Base::Chars(1),
            "text" | "tinytext" | "mediumtext" | "longtext" | "citext" | "name" | "bytea"
            | "blob" | "tinyblob" | "mediumblob" | "longblob" | "clob" | "string" => Base::Text,
            _ => Base::Other,
        };
        SqlType { base, array }
    }

    /// Whether values of this type are checked at all (text and unknown types are not).
    pub fn checked(&self) -> bool {
        self.array || !matches!(self.base, Base::Text | Base::Other)
    }

    /// A short name for messages (`date`, `integer[]`).
    pub fn name(&self) -> String {
        let b = match self.base {
            Base::Text => "text".to_string(),
            Base::Chars(n) => format!("varchar({n})"),
            Base::Integer => "integer".into(),
            Base::Numeric => "numeric".into(),
            Base::Money => "money".into(),
            Base::Boolean => "boolean".into(),
            Base::Uuid => "uuid".into(),
            Base::Date => "date".into(),
            Base::Timestamp => "timestamp".into(),
            Base::MysqlTimestamp => "timestamp (MySQL)".into(),
            Base::Time => "time".into(),
            Base::Year => "year".into(),
            Base::Inet => "inet".into(),
            Base::Json => "json".into(),
            Base::Other => "other".into(),
        };
        if self.array { format!("{b}[]") } else { b }
    }

    /// Whether the server would accept `value` (unescaped text, not NULL) for this type.
    pub fn accepts(&self, value: &str) -> bool {
        if self.array {
            return array_accepts(self.base, value);
        }
        base_accepts(self.base, value)
    }

    /// A constant the type accepts, for a NOT NULL column whose redacted value does not fit:
    /// empty text, `0`, `false`, the nil UUID, `1900-01-01`, `00:00:00`, `0.0.0.0`, JSON
    /// `null`, an empty array.
    pub fn placeholder(&self) -> &'static str {
        if self.array {
            return "{}";
        }
        match self.base {
            Base::Text | Base::Chars(_) | Base::Other => "",
            Base::Integer | Base::Numeric | Base::Money => "0",
            Base::Boolean => "false",
            Base::Uuid => "00000000-0000-0000-0000-000000000000",
            Base::Date => "1900-01-01",
            Base::Timestamp => "1900-01-01 00:00:00",
            Base::MysqlTimestamp => "1970-01-01 00:00:01",
            Base::Time => "00:00:00",
            Base::Year => "1901",
            Base::Inet => "0.0.0.0",
            Base::Json => "null",
        }
    }

    /// The type-valid form of a generalised value that does not fit as it is: a year
    /// (`1985`, a generalised date of birth) becomes `1985-01-01` in a date or timestamp
    /// column; an IPv4 address generalised to `a.b.c.x` becomes the network `a.b.c.0/24` in an
    /// `inet` column. `None` when there is no such form (or it does not fit either).
    pub fn generalised_form(&self, generalised: &str) -> Option<String> {
        if self.array {
            return None;
        }
        let g = generalised.trim();
        let form = match self.base {
            Base::Date | Base::Timestamp | Base::MysqlTimestamp => super::action::year_date(g)?,
            Base::Inet => format!("{}.0/24", g.strip_suffix(".x")?),
            _ => return None,
        };
        self.accepts(&form).then_some(form)
    }
}

fn base_accepts(base: Base, v: &str) -> bool {
    match base {
        Base::Text | Base::Other => true,
        Base::Chars(n) => {
            v.chars().count() <= n as usize || v.trim_end().chars().count() <= n as usize
        }
        Base::Integer => is_integer(v.trim()),
        Base::Numeric => is_numeric(v.trim()),
        Base::Money => {
            let t: String = v
                .trim()
                .chars()
                .filter(|c| !matches!(c, '$' | ','))
                .collect();
            is_numeric(&t)
        }
        Base::Boolean => matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "t" | "f" | "true" | "false" | "y" | "n" | "yes" | "no" | "on" | "off" | "1" | "0"
        ),
        Base::Uuid => is_uuid(v.trim()),
        Base::Date => is_date(v.trim()),
        Base::Timestamp => is_timestamp(v.trim(), None),
        Base::MysqlTimestamp => is_timestamp(v.trim(), Some((1970, 2038))),
        Base::Time => is_time(v.trim()),
        Base::Year => {
            let t = v.trim();
            t.bytes().all(|b| b.is_ascii_digit())
                && match t.len() {
                    1 | 2 => true,
                    4 => t == "0000" || t.parse::<u32>().is_ok_and(|y| (1901..=2155).contains(&y)),
                    _ => false,
                }
        }
        Base::Inet => is_inet(v.trim()),
        Base::Json => serde_json::from_str::<serde::de::IgnoredAny>(v).is_ok(),
    }
}

/// An array literal (`{a,b}`, `{{1,2},{3,4}}`, elements optionally double-quoted, `NULL`
/// elements): every element accepted by `base`.
fn array_accepts(base: Base, v: &str) -> bool {
    let v = v.trim();
    // An optional dimension decoration (`[1:2]={…}`).
    let v = match v.split_once('=') {
        Some((dims, rest)) if dims.starts_with('[') => rest.trim(),
        _ => v,
    };
    if !v.starts_with('{') || !v.ends_with('}') {
        return false;
    }
    let mut elems: Vec<String> = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut in_q, mut esc) = (false, false, false);
    let mut depth = 0i32;
    let mut push = |cur: &mut String, quoted: bool| {
        if quoted || !cur.trim().is_empty() {
            let s = std::mem::take(cur);
            elems.push(if quoted { s } else { s.trim().to_string() });
        }
        cur.clear();
    };
    for c in v.chars() {
        if esc {
            cur.push(c);
            esc = false;
            continue;
        }
        match c {
            '\\' => esc = true,
            '"' => {
                in_q = !in_q;
                quoted = true;
            }
            _ if in_q => cur.push(c),
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                push(&mut cur, quoted);
                quoted = false;
            }
            ',' if depth >= 1 => {
                push(&mut cur, quoted);
                quoted = false;
            }
            _ => cur.push(c),
        }
        if depth < 0 {
            return false;
        }
    }
    if depth != 0 || in_q {
        return false;
    }
    elems
        .iter()
        .all(|e| e.eq_ignore_ascii_case("null") || base_accepts(base, e))
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_integer(s: &str) -> bool {
    digits(s.strip_prefix(['+', '-']).unwrap_or(s))
}

/// Whether `s` is a plain number literal (sign, digits, fraction, exponent; `NaN`,
/// `Infinity`).
pub fn is_number(s: &str) -> bool {
    is_numeric(s.trim())
}

fn is_numeric(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.strip_prefix(['+', '-']).unwrap_or(&lower);
    if matches!(unsigned, "nan" | "infinity" | "inf") {
        return true;
    }
    let (mantissa, exp) = match unsigned.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((i, f)) => {
            (i.is_empty() || digits(i))
                && (f.is_empty() || digits(f))
                && !(i.is_empty() && f.is_empty())
        }
        None => digits(mantissa),
    };
    mantissa_ok && exp.is_none_or(is_integer)
}

fn is_uuid(s: &str) -> bool {
    let s = s
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(s);
    let hex: Vec<u8> = s.bytes().filter(|&b| b != b'-').collect();
    hex.len() == 32
        && hex.iter().all(u8::is_ascii_hexdigit)
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

/// `YYYY-MM-DD` (four or more year digits) with a real month and day; returns the rest and
/// the year.
fn iso_date(s: &str) -> Option<(u32, &str)> {
    let dash = s.find('-')?;
    let (y, rest) = (&s[..dash], &s[dash + 1..]);
    if y.len() < 4 || !digits(y) || rest.len() < 5 {
        return None;
    }
    let (m, d, tail) = (&rest[..2], &rest[2..3], &rest[3..]);
    if !digits(m) || d != "-" || tail.len() < 2 || !digits(&tail[..2]) {
        return None;
    }
    let (year, month, day): (u32, u32, u32) =
        (y.parse().ok()?, m.parse().ok()?, tail[..2].parse().ok()?);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(year) => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day).then_some((year, &tail[2..]))
}

/// The special date/time words both servers' dumps may hold.
fn special_datetime(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "infinity"
            | "-infinity"
            | "+infinity"
            | "epoch"
            | "now"
            | "today"
            | "tomorrow"
            | "yesterday"
    ) || s.starts_with("0000-00-00")
}

fn strip_era(s: &str) -> &str {
    let t = s.trim_end();
    t.strip_suffix(" BC")
        .or_else(|| t.strip_suffix(" bc"))
        .or_else(|| t.strip_suffix(" AD"))
        .or_else(|| t.strip_suffix(" ad"))
        .unwrap_or(t)
}

fn is_date(s: &str) -> bool {
    if special_datetime(s) {
        return true;
    }
    matches!(iso_date(strip_era(s)), Some((_, "")))
}

/// `HH:MM[:SS[.fraction]]` (hours may exceed 23 only up to `24:00:00`), then an optional zone
/// (`Z`, `+HH`, `+HH:MM`, `+HHMM`, or a space and a zone name).
fn time_of_day(s: &str, any_hours: bool) -> bool {
    let (clock, zone) = match s
        .find(['+', 'Z', 'z', ' '])
        .or_else(|| s[1.min(s.len())..].find('-').map(|i| i + 1))
    {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let clock = clock
        .strip_prefix('-')
        .filter(|_| any_hours)
        .unwrap_or(clock);
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return false;
    }
    let h = parts[0];
    let ok_h =
        digits(h) && (any_hours || (h.len() <= 2 && h.parse::<u32>().is_ok_and(|h| h <= 24)));
    let ok_m = parts[1].len() == 2 && digits(parts[1]) && parts[1] < "60";
    let ok_s = parts.get(2).is_none_or(|sec| {
        let (whole, frac) = sec.split_once('.').unwrap_or((sec, "0"));
        whole.len() == 2 && digits(whole) && whole <= "60" && (frac.is_empty() || digits(frac))
    });
    ok_h && ok_m && ok_s && zone_ok(zone)
}

fn zone_ok(z: &str) -> bool {
    if z.is_empty() || z.eq_ignore_ascii_case("z") {
        return true;
    }
    if let Some(name) = z.strip_prefix(' ') {
        let name = name.trim();
        return !name.is_empty()
            && (zone_ok(name)
                || name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b)));
    }
    let Some(off) = z.strip_prefix(['+', '-']) else {
        return false;
    };
    let off: String = off.chars().filter(|&c| c != ':').collect();
    digits(&off) && matches!(off.len(), 1 | 2 | 4 | 6)
}

fn is_time(s: &str) -> bool {
    s.eq_ignore_ascii_case("allballs")
        || s.eq_ignore_ascii_case("now")
        || time_of_day(s, false)
        || time_of_day(s, true)
}

fn is_timestamp(s: &str, years: Option<(u32, u32)>) -> bool {
    if special_datetime(s) {
        return years.is_none() || s.starts_with("0000-00-00");
    }
    let Some((year, rest)) = iso_date(strip_era(s)) else {
        return false;
    };
    if let Some((lo, hi)) = years
        && !(lo..=hi).contains(&year)
    {
        return false;
    }
    match rest.strip_prefix([' ', 'T', 't']) {
        None => rest.is_empty() || zone_ok(rest),
        Some(time) => time_of_day(time.trim(), false),
    }
}

fn is_inet(s: &str) -> bool {
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let max = if addr.parse::<std::net::Ipv4Addr>().is_ok() {
        32
    } else if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        128
    } else {
        return false;
    };
    bits.is_none_or(|b| digits(b) && b.parse::<u32>().is_ok_and(|n| n <= max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_parse() {
        let table: &[(&str, bool, Base, bool)] = &[
            ("date", false, Base::Date, false),
            ("pg_catalog.date", false, Base::Date, false),
            ("timestamp without time zone", false, Base::Timestamp, false),
            ("timestamp(6) with time zone", false, Base::Timestamp, false),
            ("timestamptz", false, Base::Timestamp, false),
            ("timestamp", true, Base::MysqlTimestamp, false),
            ("datetime", true, Base::Timestamp, false),
            ("integer", false, Base::Integer, false),
            ("int(11) unsigned", true, Base::Integer, false),
            ("bigint", false, Base::Integer, false),
            ("numeric(10,2)", false, Base::Numeric, false),
            ("double precision", false, Base::Numeric, false),
            ("uuid", false, Base::Uuid, false),
            ("boolean", false, Base::Boolean, false),
            ("text", false, Base::Text, false),
            ("character varying(20)", false, Base::Chars(20), false),
            ("character varying", false, Base::Text, false),
            ("varchar(255)", true, Base::Chars(255), false),
            ("char(2)", false, Base::Chars(2), false),
            ("character(3)", false, Base::Chars(3), false),
            ("text[]", false, Base::Text, true),
            ("date[]", false, Base::Date, true),
            ("integer ARRAY", false, Base::Integer, true),
            ("jsonb", false, Base::Json, false),
            ("inet", false, Base::Inet, false),
            ("public.email_domain", false, Base::Other, false),
            ("enum('a','b')", true, Base::Other, false),
            ("year", true, Base::Year, false),
            ("time with time zone", false, Base::Time, false),
        ];
        for (decl, mysql, base, array) in table {
            assert_eq!(
                SqlType::parse(decl, *mysql),
                SqlType {
                    base: *base,
                    array: *array
                },
                "{decl}"
            );
        }
    }

    #[test]
    fn values_are_checked_against_their_type() {
        let t = |d: &str| SqlType::parse(d, false);
        let table: &[(&str, &str, bool)] = &[
            ("date", "1985-03-12", true),
            ("date", "2000-02-29", true),
            ("date", "1900-02-29", false),
            ("date", "1985-13-01", false),
            ("date", "****-**-**", false),
            ("date", "1985", false),
            ("date", "1985-01-01", true),
            ("date", "infinity", true),
            ("date", "0044-03-15 BC", true),
            ("timestamp", "2024-01-05 10:11:12.345+00", true),
            ("timestamp", "2024-01-05T10:11:12Z", true),
            ("timestamp", "2024-01-05", true),
            ("timestamp", "2024-01-05 25:00:00", false),
            ("timestamp", "****-**-** **:**:**", false),
            ("time", "10:11:12", true),
            ("time", "10:1x", false),
            ("integer", "-42", true),
            ("integer", "*******5678", false),
            ("integer", "tok_0123456789abcdef", false),
            ("integer", "", false),
            ("numeric", "12.50", true),
            ("numeric", "-1.5e3", true),
            ("numeric", "NaN", true),
            ("numeric", "1.2.3", false),
            ("numeric", ".", false),
            ("money", "$1,234.50", true),
            ("uuid", "123e4567-e89b-12d3-a456-426614174000", true),
            ("uuid", "{123e4567e89b12d3a456426614174000}", true),
            ("uuid", "********-****-****-****-********4000", false),
            ("boolean", "t", true),
            ("boolean", "maybe", false),
            ("inet", "203.0.113.0/24", true),
            ("inet", "203.0.113.x", false),
            ("inet", "2001:db8::1", true),
            ("jsonb", "{\"a\": [1, \"j***@e***.com\"]}", true),
            ("jsonb", "{\"a\": ***}", false),
            ("character varying(5)", "abcde", true),
            ("character varying(5)", "abcdef", false),
            ("text", "anything ****", true),
            ("date[]", "{1985-03-12,NULL}", true),
            ("date[]", "{****-**-**}", false),
            ("integer[]", "{{1,2},{3,4}}", true),
            ("integer[]", "1,2", false),
        ];
        for (decl, v, want) in table {
            assert_eq!(t(decl).accepts(v), *want, "{decl} {v:?}");
        }
        let my = SqlType::parse("timestamp", true);
        assert!(my.accepts("1999-12-31 23:59:59"));
        assert!(!my.accepts("1955-01-01 00:00:00"));
        let year = SqlType::parse("year", true);
        assert!(year.accepts("1985") && !year.accepts("1800") && !year.accepts("19**"));
    }

    #[test]
    fn placeholders_and_generalised_forms_fit_their_types() {
        for (decl, mysql) in [
            ("date", false),
            ("timestamp with time zone", false),
            ("timestamp", true),
            ("datetime", true),
            ("time", false),
            ("integer", false),
            ("numeric(10,2)", false),
            ("money", false),
            ("boolean", false),
            ("uuid", false),
            ("year", true),
            ("inet", false),
            ("jsonb", false),
            ("date[]", false),
            ("varchar(3)", true),
        ] {
            let t = SqlType::parse(decl, mysql);
            assert!(t.accepts(t.placeholder()), "{decl}: {:?}", t.placeholder());
        }
        let date = SqlType::parse("date", false);
        assert_eq!(date.generalised_form("1985").as_deref(), Some("1985-01-01"));
        assert_eq!(date.generalised_form("19**"), None);
        let inet = SqlType::parse("inet", false);
        assert_eq!(
            inet.generalised_form("203.0.113.x").as_deref(),
            Some("203.0.113.0/24")
        );
        assert_eq!(
            SqlType::parse("integer", false).generalised_form("1985"),
            None
        );
    }
}
