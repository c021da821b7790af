//! Certificates for mutual TLS made at run time: a test certification authority standing for the
//! ZAS's, a server certificate for the simulator and a client certificate for the fund's sedex
//! participant. No private key is ever committed; tests and `arcgw demo` generate them here.
//!
//! Also [`install_crypto_provider`]: the whole process uses rustls's aws-lc-rs provider (a second
//! provider makes rustls panic, see `/work/shared/CRATES.md`).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, TimeDelta, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// The common name of the test certification authority.
pub const TEST_CA_NAME: &str = "arcgw test ZAS CA";

/// The common name of a test client certificate: a sedex participant id of the test domain.
pub const TEST_CLIENT_ID: &str = "T7-000000-1";

/// The names a test server certificate is made for by default: `localhost` and the IPv4 loopback
/// address (as an IP address SAN).
pub const DEFAULT_SERVER_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// What can go wrong when making or writing test certificates.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("cannot make a test certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("the validity of {days} days reaches beyond the calendar")]
    Validity { days: u32 },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A test PKI: one CA, a server certificate and a client certificate, all signed by the CA, in
/// PEM (keys in PKCS#8).
#[derive(Clone)]
pub struct TestPki {
    pub ca_cert_pem: String,
    pub server_cert_pem: String,
    pub server_key_pem: String,
    pub client_cert_pem: String,
    pub client_key_pem: String,
}

impl std::fmt::Debug for TestPki {
    /// Never prints the private keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestPki(…)")
    }
}

/// A client certificate with its key and the CA that signed it.
#[derive(Clone)]
pub struct ClientIdentity {
    pub ca_cert_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

impl std::fmt::Debug for ClientIdentity {
    /// Never prints the private key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientIdentity(…)")
    }
}

impl ClientIdentity {
    /// Certificate then key, as `reqwest::Identity::from_pem` reads them.
    pub fn identity_pem(&self) -> String {
        format!("{}{}", self.cert_pem, self.key_pem)
    }
}

/// Where [`TestPki::write_to`] put the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiPaths {
    /// `ca.pem`: the CA certificate (the simulator's `client_ca`, the gateway's trusted root).
    pub ca_cert: PathBuf,
    /// `server.pem` and `server-key.pem` (mode 0600).
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    /// `client.pem` and `client-key.pem` (mode 0600).
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

/// A certification authority kept in memory while certificates are signed.
struct Authority {
    cert_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Authority {
    fn generate(common_name: &str, validity: &Validity) -> Result<Self, PkiError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "arcgw tests");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        validity.apply(&mut params);
        let cert = params.self_signed(&key)?;
        Ok(Authority {
            cert_pem: cert.pem(),
            issuer: Issuer::new(params, key),
        })
    }

    /// A leaf certificate signed by this authority; returns certificate and key in PEM.
    fn sign(&self, mut params: CertificateParams) -> Result<(String, String), PkiError> {
        let key = KeyPair::generate()?;
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok((cert.pem(), key.serialize_pem()))
    }

    fn client(&self, common_name: &str, validity: &Validity) -> Result<(String, String), PkiError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        validity.apply(&mut params);
        self.sign(params)
    }

    fn server(&self, names: &[&str], validity: &Validity) -> Result<(String, String), PkiError> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names.clone())?;
        let common_name = names.first().map_or("localhost", String::as_str);
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        validity.apply(&mut params);
        self.sign(params)
    }
}

/// From yesterday (against clock skew) to `days` days after today, by the system clock: TLS
/// checks certificates against real time, whatever clock the simulator runs on.
struct Validity {
    from: NaiveDate,
    to: NaiveDate,
}

impl Validity {
    fn days(days: u32) -> Result<Self, PkiError> {
        let today = Utc::now().date_naive();
        let from = today - TimeDelta::days(1);
        let to = today
            .checked_add_signed(TimeDelta::days(i64::from(days)))
            .filter(|d| d.year() <= 9999)
            .ok_or(PkiError::Validity { days })?;
        Ok(Validity { from, to })
    }

    fn apply(&self, params: &mut CertificateParams) {
        let ymd = |d: NaiveDate| rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8);
        params.not_before = ymd(self.from);
        params.not_after = ymd(self.to);
    }
}

impl TestPki {
    /// A fresh CA ([`TEST_CA_NAME`]), a server certificate for `server_names` (IP addresses
    /// become IP SANs; see [`DEFAULT_SERVER_NAMES`]) and a client certificate for
    /// [`TEST_CLIENT_ID`] with the clientAuth extended key usage, valid `validity_days` days.
    pub fn generate(server_names: &[&str], validity_days: u32) -> Result<TestPki, PkiError> {
        Self::generate_for_client(server_names, TEST_CLIENT_ID, validity_days)
    }

    /// As [`TestPki::generate`], with the client certificate's common name given (the fund's
    /// sedex participant id).
    pub fn generate_for_client(
        server_names: &[&str],
        client_id: &str,
        validity_days: u32,
    ) -> Result<TestPki, PkiError> {
        let validity = Validity::days(validity_days)?;
        let ca = Authority::generate(TEST_CA_NAME, &validity)?;
        let (server_cert_pem, server_key_pem) = ca.server(server_names, &validity)?;
        let (client_cert_pem, client_key_pem) = ca.client(client_id, &validity)?;
        Ok(TestPki {
            ca_cert_pem: ca.cert_pem,
            server_cert_pem,
            server_key_pem,
            client_cert_pem,
            client_key_pem,
        })
    }

    /// The client certificate with its key and CA.
    pub fn client_identity(&self) -> ClientIdentity {
        ClientIdentity {
            ca_cert_pem: self.ca_cert_pem.clone(),
            cert_pem: self.client_cert_pem.clone(),
            key_pem: self.client_key_pem.clone(),
        }
    }

    /// Client certificate then key, as `reqwest::Identity::from_pem` reads them.
    pub fn client_identity_pem(&self) -> String {
        self.client_identity().identity_pem()
    }

    /// Writes `ca.pem`, `server.pem`, `server-key.pem`, `client.pem` and `client-key.pem` into
    /// `dir` (created when missing); the keys with mode 0600. Existing files are replaced.
    pub fn write_to(&self, dir: &Path) -> Result<PkiPaths, PkiError> {
        fs::create_dir_all(dir).map_err(|source| PkiError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let paths = PkiPaths {
            ca_cert: dir.join("ca.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server-key.pem"),
            client_cert: dir.join("client.pem"),
            client_key: dir.join("client-key.pem"),
        };
        write_file(&paths.ca_cert, &self.ca_cert_pem, false)?;
        write_file(&paths.server_cert, &self.server_cert_pem, false)?;
        write_file(&paths.server_key, &self.server_key_pem, true)?;
        write_file(&paths.client_cert, &self.client_cert_pem, false)?;
        write_file(&paths.client_key, &self.client_key_pem, true)?;
        Ok(paths)
    }
}

/// A client certificate from a second, independent CA ("arcgw unknown test CA"): what a server
/// trusting only a [`TestPki`]'s CA must refuse.
pub fn foreign_client(common_name: &str, validity_days: u32) -> Result<ClientIdentity, PkiError> {
    let validity = Validity::days(validity_days)?;
    let ca = Authority::generate("arcgw unknown test CA", &validity)?;
    let (cert_pem, key_pem) = ca.client(common_name, &validity)?;
    Ok(ClientIdentity {
        ca_cert_pem: ca.cert_pem,
        cert_pem,
        key_pem,
    })
}

/// Writes `text` to `path`; a private key gets mode 0600 before any byte is written.
fn write_file(path: &Path, text: &str, private: bool) -> Result<(), PkiError> {
    let error = |source| PkiError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(if private { 0o600 } else { 0o644 });
        let file = options.open(path).map_err(error)?;
        // A file that existed keeps its old mode on open: set it explicitly.
        if private {
            file.set_permissions(fs::Permissions::from_mode(0o600))
                .map_err(error)?;
        }
        write_all(file, text).map_err(error)
    }
    #[cfg(not(unix))]
    {
        let _ = private;
        let file = options.open(path).map_err(error)?;
        write_all(file, text).map_err(error)
    }
}

fn write_all(mut file: fs::File, text: &str) -> std::io::Result<()> {
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Installs rustls's aws-lc-rs provider as the process default. Idempotent: when a provider is
/// already installed (by an earlier call or by anyone else), nothing changes.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Err means another thread installed one meanwhile: fine.
            let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::*;

    fn parse(pem_text: &str) -> Vec<u8> {
        let (_, pem) = x509_parser::pem::parse_x509_pem(pem_text.as_bytes()).unwrap();
        pem.contents
    }

    #[test]
    fn certificates_have_the_names_and_usages_asked_for() {
        let pki = TestPki::generate(&DEFAULT_SERVER_NAMES, 30).unwrap();
        let ca_der = parse(&pki.ca_cert_pem);
        let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
        assert!(ca.is_ca());
        assert!(ca.subject().to_string().contains(TEST_CA_NAME));

        let server_der = parse(&pki.server_cert_pem);
        let (_, server) = X509Certificate::from_der(&server_der).unwrap();
        assert_eq!(server.issuer(), ca.subject());
        let san = server.subject_alternative_name().unwrap().unwrap();
        let names: Vec<String> = san
            .value
            .general_names
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert!(names.iter().any(|n| n.contains("localhost")), "{names:?}");
        assert!(
            san.value
                .general_names
                .iter()
                .any(|n| matches!(n, GeneralName::IPAddress(ip) if *ip == [127, 0, 0, 1])),
            "{names:?}"
        );

        let client_der = parse(&pki.client_cert_pem);
        let (_, client) = X509Certificate::from_der(&client_der).unwrap();
        assert!(client.subject().to_string().contains(TEST_CLIENT_ID));
        let eku = client.extended_key_usage().unwrap().unwrap();
        assert!(eku.value.client_auth && !eku.value.server_auth);
        assert!(client.validity().time_to_expiration().is_some());
        assert!(pki.client_identity_pem().contains("PRIVATE KEY"));
    }

    #[test]
    fn foreign_clients_come_from_another_ca() {
        let pki = TestPki::generate(&DEFAULT_SERVER_NAMES, 1).unwrap();
        let other = foreign_client(TEST_CLIENT_ID, 1).unwrap();
        assert_ne!(other.ca_cert_pem, pki.ca_cert_pem);
        let der = parse(&other.cert_pem);
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        assert!(cert.issuer().to_string().contains("unknown"));
    }

    #[cfg(unix)]
    #[test]
    fn keys_are_written_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::generate(&DEFAULT_SERVER_NAMES, 1).unwrap();
        // An existing key file with a lax mode is tightened.
        fs::write(dir.path().join("client-key.pem"), "old").unwrap();
        fs::set_permissions(
            dir.path().join("client-key.pem"),
            fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let paths = pki.write_to(dir.path()).unwrap();
        for key in [&paths.server_key, &paths.client_key] {
            let mode = fs::metadata(key).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", key.display());
        }
        assert_eq!(fs::read_to_string(&paths.ca_cert).unwrap(), pki.ca_cert_pem);
        assert_eq!(
            fs::read_to_string(&paths.client_key).unwrap(),
            pki.client_key_pem
        );
    }

    #[test]
    fn installing_the_provider_twice_is_fine() {
        install_crypto_provider();
        install_crypto_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
