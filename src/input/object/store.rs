//! The async side of object storage, behind a blocking surface (see the module above).
//!
//! One current-thread tokio runtime, driven by one I/O thread started on first use, runs every
//! request of the process. The scan's threads never enter it: they hand it a task
//! (`Handle::spawn`) and read the task's output from a bounded channel (`blocking_recv`), so
//! async code stays in this file and a slow consumer slows the producer instead of filling
//! memory. One thread is enough: it only moves bytes between sockets and channels (measured in
//! docs/object-storage.md); the scanning is done on the scan's threads.

use std::io::{self, Read};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use object_store::StaticCredentialProvider;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::gcp::{GcpCredential, GcpSigningCredential, GoogleCloudStorageBuilder};
use object_store::path::Path as KeyPath;
use object_store::{
    BackoffConfig, ClientConfigKey, ClientOptions, GetOptions, ObjectStore, ObjectStoreExt,
    RetryConfig,
};
use tokio::runtime::Handle;
use tokio::sync::mpsc;

use super::{Object, ObjectError, ObjectUrl, scrub};

/// Objects listed ahead of the scan (a bounded queue: a listing is never held whole).
const LIST_AHEAD: usize = 2048;
/// Body chunks read ahead of the scanner, per object (each a network frame, ~16–64 KiB).
const READ_AHEAD: usize = 16;
/// Retries of one request, and of one object's body after a dropped connection (each resumes
/// with a range GET checked against the listed ETag). Backoff 100 ms, doubling, at most 2 s.
pub const MAX_RETRIES: usize = 3;

/// The process's I/O runtime (see the module docs): its handle, the thread driving it started
/// on first use. An error (no thread or runtime could be made) is kept and returned to every
/// later caller: each URL then reports it, and the run goes on.
fn io() -> Result<&'static Handle, ObjectError> {
    static IO: OnceLock<Result<Handle, String>> = OnceLock::new();
    IO.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("piiscan-io")
            .build()
            .map_err(|e| format!("cannot start the object-storage I/O runtime: {e}"))?;
        let handle = rt.handle().clone();
        // Drives the runtime for the rest of the process (a current-thread runtime makes progress
        // only inside its own `block_on`). Never joined: it idles at exit.
        std::thread::Builder::new()
            .name("piiscan-io".into())
            .spawn(move || rt.block_on(std::future::pending::<()>()))
            .map_err(|e| format!("cannot start the object-storage I/O thread: {e}"))?;
        Ok(handle)
    })
    .as_ref()
    .map_err(|e| ObjectError::Store(e.clone()))
}

/// The store's path for `key`, a key as listed (`ObjectMeta::location`'s text) or given in a
/// URL: taken as it is when it is a valid path, so a key the listing already gave in its encoded
/// form is not encoded twice (`Path::from` percent-encodes `%`).
fn key_path(key: &str) -> KeyPath {
    KeyPath::parse(key).unwrap_or_else(|_| KeyPath::from(key))
}

/// Runs `task` on the I/O thread. Only called on a [`Bucket`], which exists only once [`io`]
/// succeeded; were it to fail anyway, the task is dropped, its channel closes, and the reader
/// sees the end of the listing or object.
fn spawn(task: impl std::future::Future<Output = ()> + Send + 'static) {
    if let Ok(io) = io() {
        io.spawn(task);
    }
}

/// A connected bucket: the store and what is needed to describe its errors safely.
#[derive(Debug, Clone)]
pub struct Bucket {
    url: ObjectUrl,
    store: Arc<dyn ObjectStore>,
    /// Credentials from the environment, scrubbed from every message (see [`scrub`]).
    secrets: Arc<Vec<String>>,
}

/// Environment variables whose values are credentials (never echoed).
const SECRET_VARS: [&str; 5] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    // A service-account key given inline (the whole JSON, private key included) and a static
    // OAuth token.
    "GOOGLE_SERVICE_ACCOUNT_KEY",
    "GOOGLE_BEARER_TOKEN",
];

/// Environment variables naming a GCS credentials file: its secret fields are scrubbed too
/// (see [`credential_file_secrets`]).
const CREDENTIAL_FILE_VARS: [&str; 5] = [
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_SERVICE_ACCOUNT",
    "GOOGLE_SERVICE_ACCOUNT_PATH",
    "SERVICE_ACCOUNT",
    "GOOGLE_SERVICE_ACCOUNT_KEY",
];

/// Fields of a GCS credentials JSON (service account or authorized user) that are secret.
const SECRET_FIELDS: [&str; 4] = [
    "private_key",
    "private_key_id",
    "client_secret",
    "refresh_token",
];

/// The secret fields of the credentials JSON `text` (a service-account key or an authorized
/// user's ADC file), and every line of a PEM private key on its own: an error message could
/// quote a line of it after `scrub` flattened it, and a partial key is a partial leak.
fn credential_file_secrets(text: &str) -> Vec<String> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for field in SECRET_FIELDS {
        if let Some(v) = map.get(field).and_then(|v| v.as_str()) {
            out.push(v.to_string());
            out.extend(
                v.lines()
                    .map(str::trim)
                    .filter(|l| l.len() >= 16 && !l.starts_with("-----"))
                    .map(str::to_string),
            );
        }
    }
    out
}

/// Every credential value this process could send, to scrub from messages: the variables of
/// [`SECRET_VARS`], and the secret fields of a GCS credentials file or inline key. A credentials
/// file is read at most 1 MiB deep (a real one is ~2 KiB); an unreadable one adds nothing
/// (object_store then reports it, naming the path, not the content).
fn secrets_from_env() -> Vec<String> {
    let mut secrets: Vec<String> = SECRET_VARS
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .collect();
    for var in CREDENTIAL_FILE_VARS {
        let Ok(v) = std::env::var(var) else { continue };
        let text = match v.trim_start().starts_with('{') {
            true => v,
            false => {
                let mut text = String::new();
                let _ =
                    std::fs::File::open(&v).and_then(|f| f.take(1 << 20).read_to_string(&mut text));
                text
            }
        };
        secrets.extend(credential_file_secrets(&text));
    }
    secrets
}

/// The client options every store gets. The whole-request timeout is off: a multi-gigabyte GET
/// takes longer than any fixed bound. A stalled connection is caught by the read timeout
/// instead.
fn client_options() -> ClientOptions {
    ClientOptions::new()
        .with_timeout_disabled()
        .with_read_timeout(Duration::from_secs(30))
        .with_connect_timeout(Duration::from_secs(5))
}

/// Retries of one request (see [`MAX_RETRIES`]).
fn retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
        },
        max_retries: MAX_RETRIES,
        retry_timeout: Duration::from_secs(60),
    }
}

/// An S3 store for `bucket`: `AmazonS3Builder::from_env` (the `AWS_*` variables), path-style
/// addressing and `us-east-1` unless the environment says otherwise.
fn s3_store(bucket: &str) -> Result<Arc<dyn ObjectStore>, object_store::Error> {
    let mut client = client_options();
    if let Ok(v) = std::env::var("AWS_ALLOW_HTTP") {
        client = client.with_config(ClientConfigKey::AllowHttp, v);
    }
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_client_options(client)
        .with_retry(retry_config());
    // A test server or S3-compatible store is addressed by path (`host/bucket/key`), not
    // by a virtual host per bucket, unless asked.
    if std::env::var_os("AWS_VIRTUAL_HOSTED_STYLE_REQUEST").is_none() {
        builder = builder.with_config(AmazonS3ConfigKey::VirtualHostedStyleRequest, "false");
    }
    if std::env::var_os("AWS_REGION").is_none() && std::env::var_os("AWS_DEFAULT_REGION").is_none()
    {
        builder = builder.with_config(AmazonS3ConfigKey::Region, "us-east-1");
    }
    Ok(Arc::new(builder.build()?))
}

/// A Google Cloud Storage store for `bucket`: `GoogleCloudStorageBuilder::from_env` (the
/// `GOOGLE_*` variables: `GOOGLE_SERVICE_ACCOUNT` / `GOOGLE_SERVICE_ACCOUNT_KEY`,
/// `GOOGLE_APPLICATION_CREDENTIALS`, `GOOGLE_BASE_URL`, `GOOGLE_BEARER_TOKEN`, …), then
/// application default credentials (gcloud's file) and the instance metadata server.
///
/// `STORAGE_EMULATOR_HOST` (the variable Google's own client libraries read) points at an
/// emulator: it sets the base URL when `GOOGLE_BASE_URL` does not, allows plain HTTP, and sends
/// no credentials (an emulator checks none, and a real token must not go to a local test
/// server).
fn gcs_store(bucket: &str) -> Result<Arc<dyn ObjectStore>, object_store::Error> {
    let mut client = client_options();
    if let Ok(v) = std::env::var("GOOGLE_ALLOW_HTTP") {
        client = client.with_config(ClientConfigKey::AllowHttp, v);
    }
    let mut builder = GoogleCloudStorageBuilder::from_env().with_bucket_name(bucket);
    if let Some(host) = std::env::var("STORAGE_EMULATOR_HOST")
        .ok()
        .filter(|h| !h.is_empty())
    {
        client = client.with_allow_http(true);
        if std::env::var_os("GOOGLE_BASE_URL").is_none() {
            let url = match host.contains("://") {
                true => host,
                false => format!("http://{host}"),
            };
            builder = builder.with_base_url(url.trim_end_matches('/'));
        }
        // Both providers: a service-account key in the environment would otherwise still be
        // parsed for URL signing (which piiscan never does) and fail the emulator set-up.
        builder = builder
            .with_credentials(Arc::new(StaticCredentialProvider::new(GcpCredential {
                bearer: String::new(),
            })))
            .with_signing_credentials(Arc::new(StaticCredentialProvider::new(
                GcpSigningCredential {
                    email: String::new(),
                    private_key: None,
                },
            )));
    }
    Ok(Arc::new(
        builder
            .with_client_options(client)
            .with_retry(retry_config())
            .build()?,
    ))
}

impl Bucket {
    /// Connects to the bucket of `url` with credentials and endpoint from the environment. No
    /// request is made yet: a missing bucket or bad credentials show on the first listing.
    pub fn connect(url: &ObjectUrl) -> Result<Bucket, ObjectError> {
        let secrets = secrets_from_env();
        let store = match url.scheme.as_str() {
            "s3" => s3_store,
            "gs" => gcs_store,
            _ => {
                return Err(ObjectError::NotSupported {
                    scheme: url.scheme.clone(),
                });
            }
        };
        io()?;
        // Nothing is sent yet: an error here is in the configuration, most often an unusable
        // credentials file (a service-account key that does not parse).
        let store = store(&url.bucket).map_err(|e| {
            ObjectError::Store(scrub(
                &format!("cannot use the credentials or endpoint configured ({e})"),
                &secrets,
            ))
        })?;
        Ok(Bucket {
            url: url.clone(),
            store,
            secrets: Arc::new(secrets),
        })
    }

    /// The URL this bucket was connected for.
    pub fn url(&self) -> &ObjectUrl {
        &self.url
    }

    /// A safe one-line message for an error of the store (see [`describe`]).
    fn describe(&self, e: &object_store::Error, what: Op) -> String {
        describe(e, what, &self.secrets)
    }

    /// Lists every object under the URL's prefix (`prefix/…`), in the store's order, paging
    /// as it goes (1,000 keys a request on S3).
    pub fn list(&self) -> Listing {
        let (tx, rx) = mpsc::channel(LIST_AHEAD);
        let store = self.store.clone();
        let bucket = self.clone();
        let prefix = (!self.url.prefix.is_empty()).then(|| key_path(&self.url.prefix));
        spawn(async move {
            let mut stream = store.list(prefix.as_ref());
            while let Some(item) = stream.next().await {
                let item = item
                    .map(|m| {
                        Some(Object {
                            key: m.location.to_string(),
                            size: m.size,
                            etag: m.e_tag,
                        })
                    })
                    .map_err(|e| ObjectError::Store(bucket.describe(&e, Op::List)));
                let stop = item.is_err();
                if tx.send(item).await.is_err() || stop {
                    return;
                }
            }
            // The end, said out loud: a listing cut short (a task that died) is an error.
            let _ = tx.send(Ok(None)).await;
        });
        Listing { rx, done: false }
    }

    /// The object at exactly the URL's prefix (a URL naming one object), if it exists.
    pub fn head(&self) -> Result<Option<Object>, ObjectError> {
        if self.url.prefix.is_empty() {
            return Ok(None);
        }
        let store = self.store.clone();
        let key = key_path(&self.url.prefix);
        let (tx, mut rx) = mpsc::channel(1);
        spawn(async move {
            let _ = tx.send(store.head(&key).await).await;
        });
        match rx.blocking_recv() {
            Some(Ok(m)) => Ok(Some(Object {
                key: m.location.to_string(),
                size: m.size,
                etag: m.e_tag,
            })),
            Some(Err(object_store::Error::NotFound { .. })) => Ok(None),
            Some(Err(e)) => Err(ObjectError::Store(self.describe(&e, Op::Head))),
            None => Err(ObjectError::Store("the I/O thread stopped".into())),
        }
    }

    /// A stream of the object's bytes (see [`ObjectReader`]). The GET starts at once.
    pub fn open(&self, obj: &Object) -> ObjectReader {
        let (tx, rx) = mpsc::channel(READ_AHEAD);
        let store = self.store.clone();
        let bucket = self.clone();
        let key = key_path(&obj.key);
        // Every byte must come from the object that was listed: a changed object is an error,
        // not a mix (object_store also checks the ETag when it resumes a dropped body).
        let opts = GetOptions {
            if_match: obj.etag.clone(),
            ..GetOptions::default()
        };
        spawn(async move {
            let got = match store.get_opts(&key, opts).await {
                Ok(g) => g,
                Err(e) => {
                    let _ = tx.send(Err(bucket.describe(&e, Op::Get))).await;
                    return;
                }
            };
            let mut body = got.into_stream();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| bucket.describe(&e, Op::Read));
                let stop = chunk.is_err();
                // The reader was dropped (the scanner stopped early): stop reading.
                if tx.send(chunk).await.is_err() || stop {
                    return;
                }
            }
        });
        ObjectReader {
            rx,
            chunk: Bytes::new(),
            done: false,
            expected: obj.size,
            got: 0,
        }
    }
}

/// The listing of a prefix, one object at a time (a blocking iterator). It ends after an
/// error.
#[derive(Debug)]
pub struct Listing {
    /// Objects; `Ok(None)` marks the end of the listing.
    rx: mpsc::Receiver<Result<Option<Object>, ObjectError>>,
    done: bool,
}

impl Iterator for Listing {
    type Item = Result<Object, ObjectError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match self.rx.blocking_recv() {
            Some(Ok(Some(obj))) => return Some(Ok(obj)),
            Some(Ok(None)) => None,
            Some(Err(e)) => Some(Err(e)),
            None => Some(Err(ObjectError::Store(
                "the listing ended early (internal error: the I/O task stopped)".into(),
            ))),
        };
        self.done = true;
        item
    }
}

/// One object's bytes as a blocking `Read`: chunks of a streaming GET, read ahead by at most
/// `READ_AHEAD` (16) chunks. A connection dropped mid-body is resumed from where it broke (a
/// range GET, ETag checked) up to [`MAX_RETRIES`] times; then, or when the object is gone or
/// changed, `read` fails with a message that says which.
#[derive(Debug)]
pub struct ObjectReader {
    rx: mpsc::Receiver<Result<Bytes, String>>,
    chunk: Bytes,
    done: bool,
    /// The listed size: a body that ends short of it is an error, never a silent truncation.
    expected: u64,
    got: u64,
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            if self.done {
                return Ok(0);
            }
            match self.rx.blocking_recv() {
                Some(Ok(c)) => {
                    self.got += c.len() as u64;
                    self.chunk = c;
                }
                Some(Err(why)) => {
                    self.done = true;
                    return Err(io::Error::other(why));
                }
                None => {
                    self.done = true;
                    if self.got != self.expected {
                        return Err(io::Error::other(format!(
                            "the object ended after {} of its {} listed bytes",
                            self.got, self.expected
                        )));
                    }
                    return Ok(0);
                }
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        bytes::Buf::advance(&mut self.chunk, n);
        Ok(n)
    }
}

/// What was being done when a store error happened (its message depends on it).
#[derive(Debug, Clone, Copy)]
enum Op {
    List,
    Head,
    Get,
    Read,
}

/// A one-line message for `e`: what went wrong in words a user can act on, then the store's
/// own error code and message when it sent one (S3's `<Code>`/`<Message>`), else its text —
/// scrubbed of `secrets` either way (S3 quotes the access key id in some errors).
fn describe(e: &object_store::Error, op: Op, secrets: &[String]) -> String {
    use object_store::Error as E;
    let text = e.to_string();
    let code = xml_field(&text, "Code");
    let what = match (code, e, op) {
        (Some("NoSuchBucket"), ..) => "not found: no such bucket",
        (Some("NoSuchKey"), _, Op::Get | Op::Read)
        | (None, E::NotFound { .. }, Op::Get | Op::Read) => {
            "the object was listed but is gone (deleted during the scan)"
        }
        (None, E::NotFound { .. }, Op::List) => "not found: no such bucket",
        (Some("NoSuchKey"), ..) | (None, E::NotFound { .. }, _) => "not found",
        (Some("PreconditionFailed"), ..) | (None, E::Precondition { .. }, _) => {
            "the object changed during the scan (its ETag no longer matches the listing); not read"
        }
        (
            Some(
                "InvalidAccessKeyId"
                | "SignatureDoesNotMatch"
                | "ExpiredToken"
                | "InvalidToken"
                | "TokenRefreshRequired"
                // GCS's XML API: no or a bad OAuth token.
                | "AuthenticationRequired"
                | "InvalidAuthenticationInfo",
            ),
            ..,
        )
        | (None, E::Unauthenticated { .. }, _) => "not authenticated (bad or expired credentials)",
        (Some("AccessDenied" | "AllAccessDisabled"), ..)
        | (None, E::PermissionDenied { .. }, _) => "access denied",
        (_, _, Op::List) => "cannot list",
        (_, _, Op::Head) => "cannot look up the object",
        (_, _, Op::Get) => "cannot read the object",
        (_, _, Op::Read) => "the connection failed while reading the object",
    };
    let detail = match (code, xml_field(&text, "Message")) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_string(),
        _ => text.clone(),
    };
    let retried = match op {
        Op::Read => format!(", after {MAX_RETRIES} retries"),
        _ if code.is_none() => format!(", after up to {MAX_RETRIES} retries"),
        _ => String::new(),
    };
    scrub(&format!("{what} ({detail}{retried})"), secrets)
}

/// The text of the first `<name>…</name>` element in `text` (an S3 error body quoted in the
/// store's message), if any.
fn xml_field<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let open = format!("<{name}>");
    let at = text.find(&open)? + open.len();
    let len = text[at..].find(&format!("</{name}>"))?;
    Some(&text[at..at + len]).filter(|v| !v.is_empty() && v.len() < 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_file_secrets_table() {
        let key = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\nshort\\n-----END PRIVATE KEY-----\\n";
        let json = format!(
            r#"{{"type":"service_account","client_email":"a@example.com","private_key_id":"kid-0123","private_key":"{key}"}}"#
        );
        let s = credential_file_secrets(&json);
        assert!(s.iter().any(|v| v == "kid-0123"), "{s:?}");
        assert!(s.iter().any(|v| v.starts_with("-----BEGIN")), "{s:?}");
        // Each long line of the PEM body on its own; not the short line, not the e-mail.
        assert!(
            s.iter().any(|v| v == "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
            "{s:?}"
        );
        assert!(
            !s.iter().any(|v| v == "short" || v == "a@example.com"),
            "{s:?}"
        );
        let user =
            r#"{"type":"authorized_user","client_secret":"cs-123456","refresh_token":"rt-654321"}"#;
        assert_eq!(credential_file_secrets(user), ["cs-123456", "rt-654321"]);
        assert!(credential_file_secrets("not json").is_empty());
        assert!(credential_file_secrets("[1]").is_empty());
    }

    #[test]
    fn xml_field_table() {
        let t = "404: <?xml?><Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>";
        assert_eq!(xml_field(t, "Code"), Some("NoSuchBucket"));
        assert_eq!(xml_field(t, "Message"), Some("gone"));
        assert_eq!(xml_field(t, "Key"), None);
        assert_eq!(xml_field("<Code></Code>", "Code"), None);
        assert_eq!(xml_field("<Code>unterminated", "Code"), None);
    }
}
