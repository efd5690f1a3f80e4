//! Object storage as an input: `s3://bucket/prefix` and `gs://bucket/prefix` URLs, listed and
//! read through the `object_store` crate (cargo feature `s3`, which builds both). `az://` is
//! recognised and refused as not supported yet.
//!
//! The rest of the pipeline is synchronous and reads `Read` streams; `object_store` is async
//! (tokio). So the async part stays here, behind a blocking surface: one small current-thread
//! runtime runs on one I/O thread for the whole process (`store.rs`), listings and object bodies
//! are produced there and handed to the scan's threads through bounded channels — a listing of
//! a million keys, or a 2 GB object, never sits in memory whole. An object reaches the scanner
//! as an `ObjectReader`: a streaming GET, resumed by a range GET (checked against the listed
//! ETag) when the connection drops, a bounded number of times.
//!
//! Credentials and endpoint come from the environment (`AmazonS3Builder::from_env`:
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`,
//! `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`, …) or the instance/container metadata services; for GCS
//! from `GoogleCloudStorageBuilder::from_env` (`GOOGLE_APPLICATION_CREDENTIALS`,
//! `GOOGLE_SERVICE_ACCOUNT*`, `GOOGLE_BASE_URL`, …), application default credentials, the
//! metadata server, or `STORAGE_EMULATOR_HOST` for an emulator. They are never printed: every
//! error message is scrubbed of them (and of a credentials file's private key) before it leaves
//! this module.
//!
//! This stage imports nothing else of the crate: it turns URLs into keys and byte streams.

use thiserror::Error;

#[cfg(feature = "s3")]
mod store;
#[cfg(feature = "s3")]
pub use store::{Bucket, Listing, MAX_RETRIES, ObjectReader};

/// URL schemes that name object storage.
pub const SCHEMES: [&str; 3] = ["s3", "gs", "az"];

/// Whether `arg` (a scan argument) names object storage rather than a local path.
pub fn is_url(arg: &str) -> bool {
    SCHEMES
        .iter()
        .any(|s| arg.len() > s.len() + 3 && arg.starts_with(s) && arg[s.len()..].starts_with("://"))
}

/// Whether this build reads object storage at all (the `s3` feature).
pub const COMPILED: bool = cfg!(feature = "s3");

/// Why a URL of `scheme` cannot be read by this build, if it cannot: `az://` is never read (no
/// reader yet), `s3://` and `gs://` only with the `s3` feature.
pub fn unreadable(scheme: &str) -> Option<ObjectError> {
    let scheme = scheme.to_string();
    match scheme.as_str() {
        "az" => Some(ObjectError::NotSupported { scheme }),
        _ if !COMPILED => Some(ObjectError::NotCompiled { scheme }),
        _ => None,
    }
}

/// An object-storage URL: `scheme://bucket/prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectUrl {
    /// `s3`, `gs` or `az`.
    pub scheme: String,
    /// The bucket (container) name.
    pub bucket: String,
    /// The key or key prefix, without leading or trailing `/` (empty: the whole bucket).
    pub prefix: String,
}

impl ObjectUrl {
    /// Parses `s3://bucket[/prefix]`.
    pub fn parse(url: &str) -> Result<ObjectUrl, ObjectError> {
        let bad = |why: &str| ObjectError::BadUrl {
            url: url.to_string(),
            why: why.to_string(),
        };
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("no scheme"))?;
        if !SCHEMES.contains(&scheme) {
            return Err(bad("the scheme is not s3, gs or az"));
        }
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(bad("no bucket name"));
        }
        if bucket.contains(['?', '#', '@', ':']) {
            return Err(bad("the bucket name holds a character buckets cannot have"));
        }
        let prefix = prefix.trim_matches('/');
        if prefix.split('/').any(|s| s == "." || s == "..") || prefix.contains("//") {
            return Err(bad("the key prefix has an empty, `.` or `..` segment"));
        }
        Ok(ObjectUrl {
            scheme: scheme.to_string(),
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }

    /// The URL of the object `key` in this bucket, as reported (`s3://bucket/key`).
    pub fn key_url(&self, key: &str) -> String {
        format!("{}://{}/{key}", self.scheme, self.bucket)
    }

    /// `key` relative to the prefix (`2024/a.zip` for `exports/2024/a.zip` under `exports`):
    /// the shard key and the path `--exclude` and `.piiscanignore` patterns match, as a path
    /// relative to the scan argument is for files. `None` when `key` is not under the prefix.
    pub fn relative<'k>(&self, key: &'k str) -> Option<&'k str> {
        if self.prefix.is_empty() {
            return Some(key);
        }
        key.strip_prefix(self.prefix.as_str())?.strip_prefix('/')
    }
}

impl std::fmt::Display for ObjectUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.prefix.is_empty() {
            true => write!(f, "{}://{}", self.scheme, self.bucket),
            false => write!(f, "{}://{}/{}", self.scheme, self.bucket, self.prefix),
        }
    }
}

/// One object as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    /// The full key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its ETag as listed, if the store gives one (compared by `--cache`, and checked on every
    /// resumed read so a changed object is never read half old, half new).
    pub etag: Option<String>,
}

/// Object storage could not be read. Messages never hold a credential (see `scrub`).
#[derive(Debug, Error)]
pub enum ObjectError {
    /// The URL does not parse.
    #[error("{url}: not an object-storage URL ({why})")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why.
        why: String,
    },
    /// This build cannot read the scheme.
    #[error(
        "{scheme}:// input needs object-storage support: this piiscan was built without it \
         (build with `--features s3`)"
    )]
    NotCompiled {
        /// The scheme.
        scheme: String,
    },
    /// The scheme is recognised but no reader for it is built yet (`az://`).
    #[error("{scheme}:// input is not supported yet: piiscan reads s3:// and gs:// object storage")]
    NotSupported {
        /// The scheme.
        scheme: String,
    },
    /// The store refused or failed (listing, connecting, reading).
    #[error("{0}")]
    Store(String),
}

/// Replaces every credential in `secrets` found in `msg` by `***`, flattens it to one line and
/// shortens it: a server's error message may quote a request (S3 quotes the access key id
/// in a signature error), and a message is printed and written into reports.
pub fn scrub(msg: &str, secrets: &[String]) -> String {
    let mut out = msg.replace(['\n', '\r'], " ");
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(s.as_str(), "***");
    }
    const MAX: usize = 400;
    if out.len() > MAX {
        let mut cut = MAX;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_table() {
        let ok = |s, b: &str, p: &str| {
            assert_eq!(
                ObjectUrl::parse(s).unwrap(),
                ObjectUrl {
                    scheme: s.split("://").next().unwrap().to_string(),
                    bucket: b.into(),
                    prefix: p.into()
                },
                "{s}"
            )
        };
        ok("s3://bucket", "bucket", "");
        ok("s3://bucket/", "bucket", "");
        ok("s3://bucket/exports/2024/", "bucket", "exports/2024");
        ok("gs://b/a.zip", "b", "a.zip");
        ok("az://container/x/y", "container", "x/y");
        for bad in [
            "s3://",
            "s3:///key",
            "ftp://b/k",
            "s3://b/a//c",
            "s3://b/../etc",
            "s3://user@b/k",
            "bucket/key",
        ] {
            assert!(ObjectUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unreadable_table() {
        assert!(matches!(
            unreadable("az"),
            Some(ObjectError::NotSupported { .. })
        ));
        for s in ["s3", "gs"] {
            match COMPILED {
                true => assert!(unreadable(s).is_none(), "{s}"),
                false => assert!(
                    matches!(unreadable(s), Some(ObjectError::NotCompiled { .. })),
                    "{s}"
                ),
            }
        }
    }

    #[test]
    fn is_url_table() {
        for (arg, want) in [
            ("s3://b", true),
            ("gs://b/k", true),
            ("az://c", true),
            ("s3://", false),
            ("./s3://b", false),
            ("s3:/b", false),
            ("data/s3.csv", false),
            ("-", false),
        ] {
            assert_eq!(is_url(arg), want, "{arg}");
        }
    }

    #[test]
    fn relative_table() {
        let u = ObjectUrl::parse("s3://b/exports").unwrap();
        assert_eq!(u.relative("exports/2024/a.zip"), Some("2024/a.zip"));
        assert_eq!(u.relative("exportsX/a.zip"), None);
        assert_eq!(u.relative("other/a.zip"), None);
        let all = ObjectUrl::parse("s3://b").unwrap();
        assert_eq!(all.relative("x/y.csv"), Some("x/y.csv"));
        assert_eq!(u.key_url("exports/a.zip"), "s3://b/exports/a.zip");
        assert_eq!(u.to_string(), "s3://b/exports");
    }

    #[test]
    fn scrub_removes_secrets_and_lines() {
        let secrets = vec![
            "AKIAEXAMPLEKEY".to_string(),
            "wJalrSECRET/K7MDENG".to_string(),
        ];
        let msg = "403 Forbidden\n<AWSAccessKeyId>AKIAEXAMPLEKEY</AWSAccessKeyId> sig wJalrSECRET/K7MDENG";
        let s = scrub(msg, &secrets);
        assert!(
            !s.contains("AKIAEXAMPLEKEY") && !s.contains("wJalrSECRET"),
            "{s}"
        );
        assert!(!s.contains('\n'));
        assert!(s.contains("***"));
        let long = "é".repeat(1000);
        assert!(scrub(&long, &[]).len() <= 404);
    }
}
