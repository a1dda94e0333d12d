//! Certificate credentials of applications: the public X.509 certificates an application proves itself
//! with by signing a client assertion (RFC 7523) with the private key, as Entra's `keyCredentials`.
//! Parsing a certificate is pure (no I/O), so it is done here: what is stored is the certificate itself
//! (DER) and its key id; its thumbprints, subject, dates and public key are read from it.

use crate::error::DomainError;
use crate::model::Timestamp;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// At most this many certificates per application, as for client secrets.
pub const MAX_CERTIFICATES: usize = 20;

/// A public certificate of an application (Entra's `keyCredential` of type `AsymmetricX509Cert`,
/// usage `Verify`). Only RSA keys: client assertions are signed with RS256 or PS256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationCertificate {
    /// Entra's `keyId`: names the certificate when it is removed.
    pub key_id: uuid::Uuid,
    /// The certificate's subject (`CN=…`), Entra's `displayName` of the key credential.
    pub display_name: String,
    /// SHA-1 of the DER: the `x5t` header of an assertion, and the thumbprint every tool shows.
    pub sha1: [u8; 20],
    /// SHA-256 of the DER: the `x5t#S256` header of an assertion.
    pub sha256: [u8; 32],
    /// The RSA public key as PKCS#1 `RSAPublicKey` DER, what verifies the assertion's signature.
    pub public_key: Vec<u8>,
    /// `notBefore` and `notAfter` of the certificate (unix seconds): Entra's `startDateTime`/`endDateTime`.
    pub start: Timestamp,
    pub end: Timestamp,
    /// The whole certificate (DER), as Graph's `key` and world files give it back.
    pub der: Vec<u8>,
}

impl ApplicationCertificate {
    /// Reads one certificate from PEM (`-----BEGIN CERTIFICATE-----`, line breaks optional).
    pub fn from_pem(key_id: uuid::Uuid, pem: &str) -> Result<Self, DomainError> {
        if pem.contains("PRIVATE KEY") {
            return Err(invalid_certificate("it holds a private key").with_remedy(
                "Give only the public certificate (the -----BEGIN CERTIFICATE----- block); the private key stays with the application.",
            ));
        }
        let body = pem
            .trim()
            .strip_prefix("-----BEGIN CERTIFICATE-----")
            .and_then(|rest| rest.trim_end().strip_suffix("-----END CERTIFICATE-----"))
            .ok_or_else(|| {
                invalid_certificate("it is not one PEM certificate").with_remedy(
                    "Give one certificate from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.",
                )
            })?;
        let packed: String = body.split_whitespace().collect();
        let der = STANDARD
            .decode(packed.as_bytes())
            .map_err(|_| invalid_certificate("its base64 text is damaged"))?;
        Self::from_der(key_id, der)
    }

    /// Reads a certificate from its DER encoding (Graph's base64 `key`, decoded).
    pub fn from_der(key_id: uuid::Uuid, der: Vec<u8>) -> Result<Self, DomainError> {
        let (rest, cert) = x509_parser::parse_x509_certificate(&der)
            .map_err(|_| invalid_certificate("it is not an X.509 certificate"))?;
        if !rest.is_empty() {
            return Err(invalid_certificate("it has bytes after the certificate"));
        }
        let spki = cert.public_key();
        let public_key = match spki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(_)) => spki.subject_public_key.data.to_vec(),
            _ => {
                return Err(DomainError::invalid(
                    "CertificateKeyNotSupported",
                    "The certificate's key is not an RSA key: client assertions are signed with RS256 or PS256.",
                )
                .with_remedy("Use a certificate with an RSA key of 2048 bits or more."));
            }
        };
        let validity = cert.validity();
        let (start, end) = (
            validity.not_before.timestamp(),
            validity.not_after.timestamp(),
        );
        let display_name = cert.subject().to_string();
        Ok(Self {
            key_id,
            display_name,
            sha1: digest::<20>(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &der),
            sha256: digest::<32>(&aws_lc_rs::digest::SHA256, &der),
            public_key,
            start,
            end,
            der,
        })
    }

    /// The same certificate under a key id of its own, made from its SHA-256: a world file names
    /// certificates by their PEM alone, and applying its export again must find the same keys.
    pub fn with_own_key_id(self) -> Self {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&self.sha256[..16]);
        Self {
            key_id: uuid::Builder::from_random_bytes(bytes).into_uuid(),
            ..self
        }
    }

    /// The certificate as PEM, 64 characters a line (world files, exports).
    pub fn pem(&self) -> String {
        let b64 = STANDARD.encode(&self.der);
        let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        out
    }

    /// The SHA-1 thumbprint in hexadecimal, upper case, as the portal and `az` show it.
    pub fn thumbprint(&self) -> String {
        self.sha1.iter().map(|b| format!("{b:02X}")).collect()
    }

    /// Whether the assertion header's `x5t` (SHA-1) or `x5t#S256` names this certificate. Base64url
    /// with or without padding, as clients send it (msal pads).
    pub fn matches(&self, x5t: Option<&str>, x5t_s256: Option<&str>) -> bool {
        let decoded = |v: &str| URL_SAFE_NO_PAD.decode(v.trim().trim_end_matches('=')).ok();
        x5t.and_then(decoded).is_some_and(|d| d == self.sha1)
            || x5t_s256.and_then(decoded).is_some_and(|d| d == self.sha256)
    }

    /// Valid at `now` (between its `notBefore` and `notAfter`).
    pub fn is_valid_at(&self, now: Timestamp) -> bool {
        self.start <= now && now < self.end
    }
}

fn digest<const N: usize>(alg: &'static aws_lc_rs::digest::Algorithm, der: &[u8]) -> [u8; N] {
    let d = aws_lc_rs::digest::digest(alg, der);
    let mut out = [0u8; N];
    // SHA-1 gives 20 bytes and SHA-256 32, the sizes the callers ask for.
    out.copy_from_slice(&d.as_ref()[..N]);
    out
}

fn invalid_certificate(why: &str) -> DomainError {
    DomainError::invalid(
        "InvalidCertificate",
        format!("The certificate cannot be read: {why}."),
    )
    .with_arg("why", why.to_string())
    .with_remedy("Give the public certificate as PEM (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----), e.g. what `openssl x509 -in cert.pem` prints.")
}

/// Stored as its key id and DER (base64); everything else is read again from the DER.
#[derive(Serialize, Deserialize)]
struct StoredCertificate {
    key_id: uuid::Uuid,
    der: String,
}

impl Serialize for ApplicationCertificate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        StoredCertificate {
            key_id: self.key_id,
            der: STANDARD.encode(&self.der),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ApplicationCertificate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let stored = StoredCertificate::deserialize(d)?;
        let der = STANDARD
            .decode(stored.der.as_bytes())
            .map_err(serde::de::Error::custom)?;
        Self::from_der(stored.key_id, der).map_err(|e| serde::de::Error::custom(e.message))
    }
}
