//! The names the server certificate is issued for: the local ones every leaf carries and those the
//! operator adds (`--tls-name`), normalized so that equal names compare equal.

use std::net::IpAddr;

use rcgen::SanType;

use super::TlsError;

/// Names every leaf carries, so that local clients work out of the box.
const DEFAULT_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// `localhost`, `127.0.0.1`, `::1` and the extra names, normalized, without
/// duplicates, in request order.
pub(super) fn requested_names(extra_names: &[String]) -> Result<Vec<String>, TlsError> {
    let mut names: Vec<String> = Vec::new();
    let all = DEFAULT_NAMES
        .iter()
        .copied()
        .chain(extra_names.iter().map(String::as_str));
    for raw in all {
        let name = normalize_name(raw)?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

/// IP addresses in canonical form, DNS names lower-cased without a trailing
/// dot, so that equal names compare equal in `server-names.txt`.
fn normalize_name(raw: &str) -> Result<String, TlsError> {
    let trimmed = raw.trim();
    // "[::1]" is how IPv6 addresses appear in URLs; accept it.
    let unbracketed = trimmed
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(trimmed);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(ip.to_string());
    }
    let dns = trimmed.trim_end_matches('.').to_ascii_lowercase();
    check_dns_name(&dns).map_err(|reason| TlsError::InvalidName {
        name: raw.to_owned(),
        reason,
    })?;
    Ok(dns)
}

fn check_dns_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty name");
    }
    if name.len() > 253 {
        return Err("longer than 253 characters");
    }
    for (index, label) in name.split('.').enumerate() {
        // A wildcard is only meaningful as the whole leftmost label.
        if index == 0 && label == "*" {
            continue;
        }
        if label.is_empty() || label.len() > 63 {
            return Err("each dot-separated label must have 1 to 63 characters");
        }
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if !label.bytes().all(allowed) {
            return Err("only letters, digits, '-' and '_' are allowed (use punycode for IDNs)");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a label cannot start or end with '-'");
        }
    }
    Ok(())
}

/// Names are normalized when requested, so they are known to be valid here.
pub(super) fn san(name: &str) -> Result<SanType, TlsError> {
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok(SanType::IpAddress(ip));
    }
    let dns = name.try_into().map_err(|_| TlsError::InvalidName {
        name: name.to_owned(),
        reason: "not an ASCII DNS name",
    })?;
    Ok(SanType::DnsName(dns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_names_are_rejected() {
        for bad in ["", "has space", "-leading.example", "a..b"] {
            let result = requested_names(&[bad.to_owned()]);
            assert!(
                matches!(result, Err(TlsError::InvalidName { .. })),
                "{bad:?}"
            );
        }
        let ok = requested_names(&["*.Tenantry.Test".to_owned(), "::0001".to_owned()]);
        assert_eq!(
            ok.expect("valid names"),
            ["localhost", "127.0.0.1", "::1", "*.tenantry.test"]
        );
    }
}
