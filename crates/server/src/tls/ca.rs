//! The local CA and the server certificate it issues: created once, kept while clients trust it, the
//! leaf re-issued when it nears expiry or lacks a name.

use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

use super::files::{LEAF_CHAIN_FILE, Paths, read_optional, remove_if_exists, write_atomic};
use super::names::san;
use super::{TlsError, parse_certificates};

const CA_COMMON_NAME: &str = "tenantry local CA";
const LEAF_COMMON_NAME: &str = "tenantry local server";

pub(super) const DAY: Duration = Duration::from_secs(24 * 60 * 60);
const CA_VALIDITY: Duration = DAY.saturating_mul(3650);
/// 397 days is the longest lifetime Apple and the browsers accept for a leaf.
const LEAF_VALIDITY: Duration = DAY.saturating_mul(397);
const LEAF_RENEW_BEFORE: Duration = DAY.saturating_mul(30);
/// Certificates start slightly in the past so that a client whose clock lags
/// a little (containers, VMs just resumed) does not see them as "not yet valid".
const BACKDATE: Duration = Duration::from_secs(60 * 60);

/// Key of the expiry line in `server-names.txt`.
const NOT_AFTER_KEY: &str = "not-after";

pub(super) struct LocalCa {
    pub(super) cert_pem: String,
    key: KeyPair,
}

pub(super) struct Leaf {
    pub(super) chain_pem: String,
    pub(super) key_pem: String,
}

/// What `server-names.txt` records about the current leaf.
#[derive(Debug, PartialEq)]
pub(super) struct LeafRecord {
    pub(super) not_after_unix: u64,
    pub(super) names: Vec<String>,
}

impl LeafRecord {
    pub(super) fn render(&self) -> String {
        let mut text = format!(
            "# Written by tenantry: the leaf in {LEAF_CHAIN_FILE} and when it expires (Unix time).\n\
             {NOT_AFTER_KEY} {}\n",
            self.not_after_unix
        );
        for name in &self.names {
            text.push_str(name);
            text.push('\n');
        }
        text
    }

    /// `None` when the file is not in the expected shape: the leaf is then
    /// simply re-issued.
    pub(super) fn parse(text: &str) -> Option<Self> {
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'));
        let not_after_unix = lines
            .next()?
            .strip_prefix(NOT_AFTER_KEY)?
            .trim()
            .parse()
            .ok()?;
        let names = lines.map(str::to_owned).collect();
        Some(Self {
            not_after_unix,
            names,
        })
    }
}

pub(super) fn load_or_create_ca(paths: &Paths, now: u64) -> Result<LocalCa, TlsError> {
    let cert_pem = read_optional(&paths.ca_cert)?;
    let key_pem = read_optional(&paths.ca_key)?;
    match (cert_pem, key_pem) {
        (Some(cert_pem), Some(key_pem)) => {
            parse_certificates(&paths.ca_cert, &cert_pem)?;
            let key = KeyPair::from_pem(&key_pem).map_err(|error| TlsError::BadKey {
                path: paths.ca_key.clone(),
                error,
            })?;
            Ok(LocalCa { cert_pem, key })
        }
        (None, None) => create_ca(paths, now),
        // Never silently replace half a CA: clients may trust the old one.
        (Some(_), None) => Err(TlsError::IncompleteCa {
            present: paths.ca_cert.clone(),
            missing: paths.ca_key.clone(),
        }),
        (None, Some(_)) => Err(TlsError::IncompleteCa {
            present: paths.ca_key.clone(),
            missing: paths.ca_cert.clone(),
        }),
    }
}

fn create_ca(paths: &Paths, now: u64) -> Result<LocalCa, TlsError> {
    let key = generate_key("CA key")?;
    let cert = ca_params(now)
        .self_signed(&key)
        .map_err(|error| generate_error("CA certificate", error))?;
    let cert_pem = cert.pem();
    // Key first: a crash in between leaves "key without certificate", which
    // is reported clearly rather than producing a CA nobody can sign with.
    write_atomic(&paths.ca_key, &key.serialize_pem(), true)?;
    write_atomic(&paths.ca_cert, &cert_pem, false)?;
    Ok(LocalCa { cert_pem, key })
}

/// The CA's parameters. Also used to rebuild the issuer on later runs, which
/// only needs the subject, key usages and key-identifier method: these are
/// deterministic, so the stored `ca.pem` need not be parsed back.
fn ca_params(now: u64) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = common_name(CA_COMMON_NAME);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    set_validity(&mut params, now, CA_VALIDITY);
    params
}

fn leaf_params(names: &[String], now: u64) -> Result<CertificateParams, TlsError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = common_name(LEAF_COMMON_NAME);
    params.subject_alt_names = names
        .iter()
        .map(|name| san(name))
        .collect::<Result<_, _>>()?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    // The serial is left to rcgen, which derives it from the (fresh) public
    // key, so every re-issued leaf gets a distinct serial.
    set_validity(&mut params, now, LEAF_VALIDITY);
    Ok(params)
}

fn common_name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn
}

fn set_validity(params: &mut CertificateParams, now: u64, validity: Duration) {
    // Offsets from rcgen's own epoch value, so that the `time` crate need not
    // be a dependency of ours.
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    params.not_before = epoch + Duration::from_secs(now.saturating_sub(BACKDATE.as_secs()));
    params.not_after = epoch + Duration::from_secs(now + validity.as_secs());
}

/// The current leaf, if it can be served as is for `names`.
///
/// Anything missing or inconsistent yields `None` (re-issue): the leaf is
/// cheap to replace. Only unexpected I/O errors are reported.
pub(super) fn reusable_leaf(
    paths: &Paths,
    ca: &LocalCa,
    names: &[String],
    now: u64,
) -> Result<Option<Leaf>, TlsError> {
    let Some(record) = read_optional(&paths.leaf_record)? else {
        return Ok(None);
    };
    let Some(record) = LeafRecord::parse(&record) else {
        return Ok(None);
    };
    let expires_soon = record.not_after_unix < now + LEAF_RENEW_BEFORE.as_secs();
    let missing_name = names.iter().any(|name| !record.names.contains(name));
    if expires_soon || missing_name {
        return Ok(None);
    }
    let (Some(chain_pem), Some(key_pem)) = (
        read_optional(&paths.leaf_chain)?,
        read_optional(&paths.leaf_key)?,
    ) else {
        return Ok(None);
    };
    // A leaf from an earlier CA (e.g. the CA files were replaced) must go.
    let issued_by_ca = chain_pem.trim_end().ends_with(ca.cert_pem.trim_end());
    if !issued_by_ca || KeyPair::from_pem(&key_pem).is_err() {
        return Ok(None);
    }
    Ok(Some(Leaf { chain_pem, key_pem }))
}

pub(super) fn issue_leaf(
    paths: &Paths,
    ca: &LocalCa,
    names: &[String],
    now: u64,
) -> Result<Leaf, TlsError> {
    let key = generate_key("server key")?;
    let ca_params = ca_params(now);
    let issuer = Issuer::from_params(&ca_params, &ca.key);
    let cert = leaf_params(names, now)?
        .signed_by(&key, &issuer)
        .map_err(|error| generate_error("server certificate", error))?;
    let leaf = Leaf {
        chain_pem: format!(
            "{}{}",
            with_newline(cert.pem()),
            with_newline(ca.cert_pem.clone())
        ),
        key_pem: key.serialize_pem(),
    };
    let record = LeafRecord {
        not_after_unix: now + LEAF_VALIDITY.as_secs(),
        names: names.to_vec(),
    };
    // The record goes away first and comes back last, so a crash half-way
    // leaves no record and the next start re-issues a consistent pair.
    remove_if_exists(&paths.leaf_record)?;
    write_atomic(&paths.leaf_key, &leaf.key_pem, true)?;
    write_atomic(&paths.leaf_chain, &leaf.chain_pem, false)?;
    write_atomic(&paths.leaf_record, &record.render(), false)?;
    Ok(leaf)
}

fn generate_key(what: &'static str) -> Result<KeyPair, TlsError> {
    // rcgen's default algorithm is ECDSA P-256 with SHA-256.
    KeyPair::generate().map_err(|error| generate_error(what, error))
}

fn generate_error(what: &'static str, error: rcgen::Error) -> TlsError {
    TlsError::Generate { what, error }
}

fn with_newline(mut pem: String) -> String {
    if !pem.ends_with('\n') {
        pem.push('\n');
    }
    pem
}
