//! The URLs the faces build: a query or fragment is always made here, each name and value
//! percent-encoded (RFC 3986: only the unreserved characters stay as they are), never by joining strings
//! in a handler; and the paths more than one face links to.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tenantry_domain::{RequestId, TenantId};

/// Everything but RFC 3986's unreserved characters is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path (and query) of this origin as a `Location` header carries it: ASCII as it is, every other
/// character percent-encoded as UTF-8, as a browser would send it.
pub fn ascii_path(path: &str) -> String {
    utf8_percent_encode(path, percent_encoding::CONTROLS).to_string()
}

/// One query (or fragment) component, percent-encoded.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// `name=value&…`, each part encoded.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `base` with `pairs` added to its query (after `?`, or `&` when it has one already).
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return base.to_string();
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", query_string(pairs))
}

/// `base` with `pairs` as its fragment (`response_mode=fragment`).
pub fn with_fragment(base: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return base.to_string();
    }
    format!("{base}#{}", query_string(pairs))
}

/// The portal's sign-in page, coming back to `return_to` (a path on this origin) once signed in.
pub fn sign_in(return_to: &str) -> String {
    with_query("/signin", &[("return_to", return_to)])
}

/// Where an invitation is redeemed: Graph's `inviteRedeemUrl` (POST with the invitee's token) and the
/// portal's page for it (GET in a browser) are this one path, on tenantry itself.
pub fn invitation_redeem(tenant: TenantId, invitation: RequestId) -> String {
    format!("/redeem/{tenant}/{invitation}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_for_location_headers_are_ascii() {
        assert_eq!(ascii_path("/portal?q=a%20b"), "/portal?q=a%20b");
        assert_eq!(ascii_path("/\u{d46}"), "/%E0%B5%86");
    }

    #[test]
    fn queries_are_encoded_and_appended() {
        assert_eq!(encode("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
        assert_eq!(
            encode("a b/c?d=e&f'~-._é"),
            "a%20b%2Fc%3Fd%3De%26f%27~-._%C3%A9"
        );
        assert_eq!(
            with_query(
                "http://localhost:8400/cb?x=1",
                &[("code", "abc"), ("state", "s 1")]
            ),
            "http://localhost:8400/cb?x=1&code=abc&state=s%201"
        );
        assert_eq!(with_query("/a", &[("k", "é")]), "/a?k=%C3%A9");
        assert_eq!(with_query("/a", &[]), "/a");
        assert_eq!(with_fragment("/cb", &[("error", "x y")]), "/cb#error=x%20y");
        assert_eq!(
            sign_in("/redeem/t/i"),
            "/signin?return_to=%2Fredeem%2Ft%2Fi"
        );
    }
}
