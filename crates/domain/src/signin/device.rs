//! The device authorization grant (RFC 8628): how long a device code lives, how often it is polled, and
//! the short user code a person types.

/// How long a device code waits for its person (Entra: 15 minutes).
pub const DEVICE_CODE_LIFETIME: i64 = 900;
/// How often the device may poll, in seconds.
pub const DEVICE_CODE_INTERVAL: i64 = 5;
/// The letters of a user code: no 0/O or 1/I to misread, 32 of them (5 bits each, drawn without bias).
pub const USER_CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Characters in a user code (45 bits; a guess must also come from a signed-in person within 15 minutes).
pub const USER_CODE_LENGTH: usize = 9;

/// The grant type a device polls with.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A user code as typed (any case, spaces or dashes between groups) in its canonical form; `None` when it
/// cannot be one.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == USER_CODE_LENGTH && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)))
        .then_some(code)
}
