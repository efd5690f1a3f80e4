//! TLS for PostgreSQL connections (feature `db`): rustls on aws-lc-rs (the provider the `s3`
//! feature's HTTPS uses), plugged into the `postgres` client as its `MakeTlsConnect`.
//!
//! The certificate check follows the URL's `sslmode` as libpq defines it:
//! [`Verify::Nothing`] for `prefer`/`allow`/`require` (encrypted, but anyone in the path may
//! present any certificate: libpq's own behaviour, documented as such), [`Verify::Chain`] for
//! `verify-ca` (the chain to a trusted root, not the name), [`Verify::Full`] for `verify-full`
//! (the chain and the host name). Handshake signatures are checked in every mode: without them
//! the session would not be bound to the certificate at all. Trusted roots are the PEM file of
//! `sslrootcert` (or `PGSSLROOTCERT`), else the system's (`sslrootcert=system` says so
//! explicitly, as in libpq). No channel binding (SCRAM without `-PLUS`).

use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use postgres::Socket;
use postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, InvalidDnsNameError, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::DbError;

/// What the client checks of the server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Nothing (`sslmode=prefer`, `allow`, `require` without a root certificate).
    Nothing,
    /// The chain to a trusted root, not the host name (`verify-ca`).
    Chain,
    /// The chain and the host name (`verify-full`).
    Full,
}

/// Where the trusted roots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// The system's certificate store (rustls-native-certs: `SSL_CERT_FILE`/`SSL_CERT_DIR` or
    /// the distribution's bundle).
    System,
    /// A PEM file of one or more CA certificates.
    File(std::path::PathBuf),
}

/// A rustls client configuration for `verify`. Reading the roots is the only failure: an
/// unreadable or empty `sslrootcert` file, or no system roots, is an error before connecting.
pub fn client_config(verify: Verify, roots: &Roots) -> Result<Arc<ClientConfig>, DbError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let algorithms = provider.signature_verification_algorithms;
    let verifier: Arc<dyn ServerCertVerifier> = match verify {
        Verify::Nothing => Arc::new(NoCertCheck(algorithms)),
        Verify::Chain | Verify::Full => {
            let store = Arc::new(root_store(roots)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(store, provider.clone())
                .build()
                .map_err(|e| DbError::Url(format!("TLS roots: {e}")))?;
            if verify == Verify::Full {
                webpki
            } else {
                Arc::new(ChainOnly(webpki))
            }
        }
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DbError::Url(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The trusted roots.
fn root_store(roots: &Roots) -> Result<RootCertStore, DbError> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::File(path) => {
            let certs = read_pem(path)?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(DbError::Url(format!(
                    "sslrootcert {}: no usable CA certificate in it",
                    path.display()
                )));
            }
        }
        Roots::System => {
            // Errors for single unreadable files of the store are ignored, as curl and libpq
            // do: the certificates that did load are enough if the right root is among them.
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err(DbError::Url(
                    "no system root certificates found for sslmode=verify-ca/verify-full; \
                     name the server's CA with sslrootcert=PATH (or PGSSLROOTCERT)"
                        .into(),
                ));
            }
        }
    }
    Ok(store)
}

/// The PEM certificates of `path`, or an error naming the file and the reason.
fn read_pem(path: &Path) -> Result<Vec<CertificateDer<'static>>, DbError> {
    let bad = |why: String| DbError::Url(format!("sslrootcert {}: {why}", path.display()));
    // Read first: pem_file_iter's error for a missing file does not say which.
    std::fs::metadata(path).map_err(|e| bad(e.to_string()))?;
    CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(format!("{e:?}")))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("not a PEM certificate file ({e:?})")))
}

/// Accepts any certificate (`sslmode=require` and below, as libpq), but still checks that the
/// handshake is signed by the key of the certificate presented.
#[derive(Debug)]
struct NoCertCheck(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoCertCheck {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// `verify-ca`: the WebPKI check without the host name. webpki checks the name only after the
/// chain (and expiry, and usage) passed, so a name error means everything else held.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// The `postgres` client's TLS factory over one rustls configuration.
#[derive(Clone)]
pub struct MakeRustls(pub Arc<ClientConfig>);

impl MakeTlsConnect<Socket> for MakeRustls {
    type Stream = RustlsStream;
    type TlsConnect = RustlsConnect;
    type Error = InvalidDnsNameError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<RustlsConnect, InvalidDnsNameError> {
        // An IP address becomes an IP server name (checked against the certificate's IP SANs).
        let name = ServerName::try_from(domain.to_string())?;
        Ok(RustlsConnect {
            config: self.0.clone(),
            name,
        })
    }
}

/// One handshake to come.
pub struct RustlsConnect {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
}

impl TlsConnect<Socket> for RustlsConnect {
    type Stream = RustlsStream;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream>> + Send>>;

    fn connect(self, stream: Socket) -> Self::Future {
        let connector = tokio_rustls::TlsConnector::from(self.config);
        Box::pin(async move {
            let tls = connector.connect(self.name, stream).await?;
            Ok(RustlsStream(Box::new(tls)))
        })
    }
}

/// An established TLS session (boxed: rustls' connection state is large).
pub struct RustlsStream(Box<tokio_rustls::client::TlsStream<Socket>>);

impl TlsStream for RustlsStream {
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

impl AsyncRead for RustlsStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for RustlsStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_errors_name_the_file_and_reason() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let missing = dir.path().join("missing.pem");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap_or_else(|e| panic!("{e}"));
        for (path, want) in [(&missing, "No such file"), (&empty, "no usable CA")] {
            let e = client_config(Verify::Full, &Roots::File(path.clone()))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.contains("sslrootcert"), "{e}");
            assert!(e.contains(&path.display().to_string()), "{e}");
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn unverified_mode_needs_no_roots_and_names_become_server_names() {
        // No roots read for `require`: a missing file must not matter.
        let cfg = client_config(Verify::Nothing, &Roots::File("/nonexistent".into()));
        let cfg = cfg.unwrap_or_else(|e| panic!("{e}"));
        let mut make = MakeRustls(cfg);
        for (host, ip) in [
            ("127.0.0.1", true),
            ("::1", true),
            ("db.example.com", false),
        ] {
            let c = make
                .make_tls_connect(host)
                .unwrap_or_else(|e| panic!("{host}: {e}"));
            assert_eq!(matches!(c.name, ServerName::IpAddress(_)), ip, "{host}");
        }
        assert!(make.make_tls_connect("not a host name!").is_err());
    }
}
