//! What a name or a text may hold, for every rule that takes one from outside (ARM, Graph, the portal,
//! world files): display names, UPNs and emails, resource, group and role names, locations, tags,
//! descriptions. Entra and ARM refuse control characters in names; tenantry refuses them here, once,
//! so that every face refuses the same way and nothing is written before the input is valid. (A control
//! character that reached a page, a header or PostgreSQL — which refuses NUL in text — would break
//! them after the write.)

use crate::error::DomainError;

/// How a value is shown in a refusal: its control characters as `\u{…}` escapes (a refusal is put in
/// pages, JSON and logs), and at most this many characters of it.
const SHOWN_CHARS: usize = 80;

/// `value` with its control characters escaped, cut to [`SHOWN_CHARS`].
pub fn shown(value: &str) -> String {
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == SHOWN_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// `variant` says which remedy follows (`name` or `text`, see [`DomainError::variant`]).
fn refuse(
    property: &str,
    value: &str,
    bad: char,
    variant: &'static str,
    remedy: &str,
) -> DomainError {
    DomainError::invalid(
        "InvalidCharacter",
        format!(
            "Invalid value specified for property '{property}': '{}' contains the control character {}.",
            shown(value),
            bad.escape_unicode()
        ),
    )
    .with_arg("property", property)
    .with_arg("value", shown(value))
    .with_arg("character", bad.escape_unicode().to_string())
    .with_variant(variant)
    .with_remedy(remedy)
}

/// A name as typed, to look it up: without the spaces around it. Only spaces: a name with a line
/// break or another control character around it names nothing (it is not taken for the name without
/// it), so a write keyed by it is refused rather than done to that other name.
pub fn typed(name: &str) -> &str {
    name.trim_matches(' ')
}

/// A name (display name, UPN, email, resource or group name, role name, location, tag, action): no
/// control character at all, as in Entra and ARM. `property` is the name's wire name (`displayName`).
pub fn require_name(property: &str, value: &str) -> Result<(), DomainError> {
    match value.chars().find(|c| c.is_control()) {
        None => Ok(()),
        Some(bad) => Err(refuse(
            property,
            value,
            bad,
            "name",
            "Remove line breaks, tabs and other control characters from the name.",
        )),
    }
}

/// Each of `values` as a name (see [`require_name`]).
pub fn require_names<'a>(
    property: &str,
    values: impl IntoIterator<Item = &'a str>,
) -> Result<(), DomainError> {
    values
        .into_iter()
        .try_for_each(|v| require_name(property, v))
}

/// A text of several lines (a description, a support request): line breaks and tabs are text there;
/// any other control character is refused.
pub fn require_text(property: &str, value: &str) -> Result<(), DomainError> {
    match value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        None => Ok(()),
        Some(bad) => Err(refuse(
            property,
            value,
            bad,
            "text",
            "Remove control characters other than line breaks and tabs from the text.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_every_control_character() {
        assert!(require_name("displayName", "Zoë O'Neil (ops) 🚀").is_ok());
        for bad in ["a\nb", "a\r", "\0", "tab\there", "del\u{7f}", "c1\u{85}"] {
            let e = require_name("displayName", bad).unwrap_err();
            assert_eq!(e.code, "InvalidCharacter", "{bad:?}");
            assert!(e.message.contains("'displayName'"), "{}", e.message);
            assert!(!e.message.chars().any(char::is_control), "{}", e.message);
        }
    }

    #[test]
    fn texts_keep_their_lines_and_tabs() {
        assert!(require_text("description", "line 1\r\nline 2\tend").is_ok());
        assert!(require_text("description", "nul\0").is_err());
        assert!(require_text("description", "bell\u{7}").is_err());
    }

    #[test]
    fn refusals_show_a_short_escaped_value() {
        assert_eq!(shown("a\nb\0"), "a\\u{a}b\\u{0}");
        let long = "x".repeat(1000);
        assert_eq!(shown(&long).chars().count(), SHOWN_CHARS + 1);
    }
}
