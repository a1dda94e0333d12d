//! Tags: name/value pairs on subscriptions, resource groups and resources, with Azure's limits. Names
//! compare case-insensitively and keep the case they were first written in; values are case-sensitive
//! (`../shared/reference/docs/arm-tag-resources-limitations.md`).

use crate::error::DomainError;
use crate::rules::names::{require_name, require_names, shown};
use std::collections::BTreeMap;

/// The tags of one scope, by name as written.
pub type Tags = BTreeMap<String, String>;

/// Azure's limit per subscription, resource group and resource.
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_NAME_CHARS: usize = 512;
pub const MAX_TAG_VALUE_CHARS: usize = 256;
/// The characters Azure refuses in tag names.
pub const FORBIDDEN_NAME_CHARACTERS: [char; 7] = ['<', '>', '%', '&', '\\', '?', '/'];

/// What the Tags API's PATCH does with the tags it is given (`TagsPatchResource.operation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagsOperation {
    /// The given tags become the whole set.
    Replace,
    /// New names are added, existing names take the given values.
    Merge,
    /// The given names go; a name given with a non-empty value goes only when its value is that one.
    Delete,
}

impl TagsOperation {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Replace => "Replace",
            Self::Merge => "Merge",
            Self::Delete => "Delete",
        }
    }

    /// By ARM's name, in any case.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        [Self::Replace, Self::Merge, Self::Delete]
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                DomainError::invalid(
                    "InvalidTagsOperation",
                    format!(
                        "The tags operation '{}' is not valid. It must be Replace, Merge or Delete.",
                        shown(s)
                    ),
                )
                .with_arg("value", shown(s).to_string())
            })
    }
}

/// The name in `tags` that `name` designates (names compare case-insensitively).
pub fn find<'t>(tags: &'t Tags, name: &str) -> Option<(&'t String, &'t String)> {
    tags.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))
}

/// `tags` as Azure keeps them: one entry per name whatever its case, each name and value within Azure's
/// limits, at most [`MAX_TAGS`].
pub fn validated(tags: Tags) -> Result<Tags, DomainError> {
    require_names(
        "tags",
        tags.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]),
    )?;
    let mut out = Tags::new();
    for (name, value) in tags {
        require_tag(&name, &value)?;
        set(&mut out, name, value);
    }
    if out.len() > MAX_TAGS {
        return Err(DomainError::invalid(
            "InvalidTagsCount",
            format!(
                "The number of tags '{}' exceeds the maximum of '{MAX_TAGS}' tags per resource, resource group or subscription.",
                out.len()
            ),
        )
        .with_arg("count", out.len().to_string())
        .with_arg("max_tags", MAX_TAGS.to_string())
        .with_remedy(
            "Remove tags, or hold several values in one tag whose value is a JSON string.",
        ));
    }
    Ok(out)
}

fn require_tag(name: &str, value: &str) -> Result<(), DomainError> {
    require_tag_name(name)?;
    require_tag_value(value)
}

/// A tag name within Azure's rules: not empty, none of [`FORBIDDEN_NAME_CHARACTERS`], at most
/// [`MAX_TAG_NAME_CHARS`]. The same for a tag and a predefined tag name.
pub fn require_tag_name(name: &str) -> Result<(), DomainError> {
    if name.trim().is_empty() {
        return Err(
            DomainError::invalid("InvalidTagName", "A tag name cannot be empty.")
                .with_variant("empty"),
        );
    }
    if name.chars().any(|c| FORBIDDEN_NAME_CHARACTERS.contains(&c)) {
        return Err(DomainError::invalid(
            "InvalidTagNameCharacters",
            format!(
                "The tag names '{}' have reserved characters '<,>,%,&,\\,?,/' or control characters.",
                shown(name)
            ),
        )
        .with_arg("name", shown(name).to_string())
        .with_remedy("Write the tag name without < > % & \\ ? /; the value may hold them."));
    }
    if name.chars().count() > MAX_TAG_NAME_CHARS {
        return Err(DomainError::invalid(
            "InvalidTagName",
            format!(
                "Tag key too large. Following tag name '{}' exceeded the maximum length. Maximum allowed length for tag name - '{MAX_TAG_NAME_CHARS}' characters.",
                shown(name)
            ),
        )
        .with_arg("name", shown(name).to_string())
        .with_arg("max_tag_name_chars", MAX_TAG_NAME_CHARS.to_string())
        .with_variant("too-long"));
    }
    Ok(())
}

/// A tag value within Azure's limit ([`MAX_TAG_VALUE_CHARS`]).
pub fn require_tag_value(value: &str) -> Result<(), DomainError> {
    if value.chars().count() > MAX_TAG_VALUE_CHARS {
        return Err(DomainError::invalid(
            "InvalidTagValueLength",
            format!(
                "Tag value too large. Following tag value '{}' exceeded the maximum length. Maximum allowed length for tag value - '{MAX_TAG_VALUE_CHARS}' characters.",
                shown(value)
            ),
        )
        .with_arg("value", shown(value).to_string())
        .with_arg("max_tag_value_chars", MAX_TAG_VALUE_CHARS.to_string()));
    }
    Ok(())
}

/// Sets `name` to `value`, under the case the name already has in `tags` if it has it.
fn set(tags: &mut Tags, name: String, value: String) {
    let key = find(tags, &name).map(|(k, _)| k.clone()).unwrap_or(name);
    tags.insert(key, value);
}

/// The tags of a scope after `operation` with `given`, validated.
pub fn apply(current: &Tags, operation: TagsOperation, given: Tags) -> Result<Tags, DomainError> {
    let given = validated(given)?;
    let next = match operation {
        TagsOperation::Replace => given,
        TagsOperation::Merge => {
            let mut next = current.clone();
            for (name, value) in given {
                set(&mut next, name, value);
            }
            next
        }
        TagsOperation::Delete => current
            .iter()
            .filter(|(name, value)| {
                find(&given, name).is_none_or(|(_, v)| !v.is_empty() && v != *value)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    validated(next)
}

/// A subscription's predefined tag names (`az tag create --name`), each with its predefined values
/// (`az tag add-value`): a taxonomy offered beside the tags in use, listed by `tagNames` even while
/// nothing uses it. Names compare case-insensitively and keep their first case; values are
/// case-sensitive, in the order they were added.
pub type TagNames = BTreeMap<String, Vec<String>>;

/// The prefixes Azure keeps for itself in predefined tag names (`Tags_CreateOrUpdate`).
pub const RESERVED_NAME_PREFIXES: [&str; 3] = ["microsoft", "azure", "windows"];

/// A name Azure takes as a predefined tag name: a valid tag name that starts with no reserved prefix.
pub fn require_predefined_name(name: &str) -> Result<(), DomainError> {
    require_name("tagName", name)?;
    require_tag_name(name)?;
    let lower = name.to_lowercase();
    if let Some(prefix) = RESERVED_NAME_PREFIXES
        .iter()
        .find(|p| lower.starts_with(*p))
    {
        return Err(DomainError::invalid(
            "ReservedTagName",
            format!(
                "The tag name '{}' starts with '{prefix}', a prefix reserved for Azure use ('microsoft', 'azure', 'windows').",
                shown(name)
            ),
        )
        .with_arg("name", shown(name).to_string())
        .with_arg("prefix", prefix.to_string())
        .with_remedy("Choose a name that starts with none of microsoft, azure or windows."));
    }
    Ok(())
}

/// A value Azure takes as a predefined tag value (the limit of a tag's value).
pub fn require_predefined_value(value: &str) -> Result<(), DomainError> {
    require_name("tagValue", value)?;
    require_tag_value(value)
}

/// The predefined name in `names` that `name` designates (names compare case-insensitively).
pub fn find_name<'t>(names: &'t TagNames, name: &str) -> Option<(&'t String, &'t Vec<String>)> {
    names.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))
}

/// `names` as a subscription keeps them: every name and value within the rules, one entry per name
/// whatever its case, each value once.
pub fn validated_names(names: TagNames) -> Result<TagNames, DomainError> {
    let mut out = TagNames::new();
    for (name, values) in names {
        require_predefined_name(&name)?;
        let key = find_name(&out, &name)
            .map(|(k, _)| k.clone())
            .unwrap_or(name);
        let kept = out.entry(key).or_default();
        for value in values {
            require_predefined_value(&value)?;
            if !kept.contains(&value) {
                kept.push(value);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn code(r: Result<Tags, DomainError>) -> String {
        r.unwrap_err().code
    }

    #[test]
    fn azure_limits_with_its_codes() {
        assert_eq!(
            code(validated(tags(&[("a/b", "x")]))),
            "InvalidTagNameCharacters"
        );
        for c in FORBIDDEN_NAME_CHARACTERS {
            let name = format!("a{c}b");
            assert_eq!(
                code(validated(tags(&[(&name, "x")]))),
                "InvalidTagNameCharacters"
            );
        }
        assert!(
            validated(tags(&[("a", "<>%&\\?/")])).is_ok(),
            "values may hold them"
        );
        let long_name = "n".repeat(MAX_TAG_NAME_CHARS + 1);
        assert_eq!(
            code(validated(tags(&[(&long_name, "x")]))),
            "InvalidTagName"
        );
        assert!(validated(tags(&[(&"é".repeat(MAX_TAG_NAME_CHARS), "x")])).is_ok());
        let long_value = "v".repeat(MAX_TAG_VALUE_CHARS + 1);
        assert_eq!(
            code(validated(tags(&[("a", &long_value)]))),
            "InvalidTagValueLength"
        );
        assert_eq!(code(validated(tags(&[("", "x")]))), "InvalidTagName");
        assert_eq!(code(validated(tags(&[("a\n", "x")]))), "InvalidCharacter");
        let many: Tags = (0..=MAX_TAGS)
            .map(|i| (format!("t{i}"), String::new()))
            .collect();
        assert_eq!(code(validated(many.clone())), "InvalidTagsCount");
        let fifty: Tags = many.into_iter().take(MAX_TAGS).collect();
        assert!(validated(fifty).is_ok());
    }

    #[test]
    fn names_are_case_insensitive_and_keep_their_first_case() {
        let current = tags(&[("Env", "prod"), ("team", "a")]);
        let merged = apply(
            &current,
            TagsOperation::Merge,
            tags(&[("ENV", "dev"), ("x", "1")]),
        )
        .unwrap();
        assert_eq!(merged, tags(&[("Env", "dev"), ("team", "a"), ("x", "1")]));
        let replaced = apply(&current, TagsOperation::Replace, tags(&[("y", "2")])).unwrap();
        assert_eq!(replaced, tags(&[("y", "2")]));
        let deleted = apply(&current, TagsOperation::Delete, tags(&[("env", "")])).unwrap();
        assert_eq!(deleted, tags(&[("team", "a")]));
        let kept = apply(&current, TagsOperation::Delete, tags(&[("env", "other")])).unwrap();
        assert_eq!(kept, current, "a value that differs deletes nothing");
        let gone = apply(&current, TagsOperation::Delete, tags(&[("env", "prod")])).unwrap();
        assert_eq!(gone, tags(&[("team", "a")]));
        assert_eq!(validated(tags(&[("A", "1"), ("a", "2")])).unwrap().len(), 1);
    }

    #[test]
    fn a_merge_past_the_limit_is_refused() {
        let current: Tags = (0..MAX_TAGS)
            .map(|i| (format!("t{i}"), String::new()))
            .collect();
        let r = apply(&current, TagsOperation::Merge, tags(&[("one-more", "")]));
        assert_eq!(code(r), "InvalidTagsCount");
        assert!(apply(&current, TagsOperation::Merge, tags(&[("T1", "x")])).is_ok());
    }

    #[test]
    fn operations_parse_in_any_case() {
        assert_eq!(TagsOperation::parse("merge").unwrap(), TagsOperation::Merge);
        assert_eq!(
            TagsOperation::parse("Nope").unwrap_err().code,
            "InvalidTagsOperation"
        );
    }

    #[test]
    fn predefined_names_take_the_tag_rules_and_no_reserved_prefix() {
        let code = |r: Result<(), DomainError>| r.unwrap_err().code;
        assert_eq!(
            code(require_predefined_name("a/b")),
            "InvalidTagNameCharacters"
        );
        assert_eq!(code(require_predefined_name("")), "InvalidTagName");
        assert_eq!(
            code(require_predefined_name(&"n".repeat(MAX_TAG_NAME_CHARS + 1))),
            "InvalidTagName"
        );
        assert_eq!(code(require_predefined_name("a\tb")), "InvalidCharacter");
        for reserved in ["microsoft.env", "Azure-team", "WINDOWS"] {
            assert_eq!(code(require_predefined_name(reserved)), "ReservedTagName");
        }
        assert!(require_predefined_name("env-azure").is_ok());
        assert_eq!(
            code(require_predefined_value(
                &"v".repeat(MAX_TAG_VALUE_CHARS + 1)
            )),
            "InvalidTagValueLength"
        );
        assert!(require_predefined_value("").is_ok());
        let names: TagNames = [
            (
                "Env".to_string(),
                vec!["prod".to_string(), "prod".to_string()],
            ),
            ("env".to_string(), vec!["Prod".to_string()]),
        ]
        .into_iter()
        .collect();
        let kept = validated_names(names).unwrap();
        assert_eq!(kept.len(), 1);
        let (name, values) = find_name(&kept, "ENV").unwrap();
        assert_eq!(
            values,
            &["prod", "Prod"],
            "values are case-sensitive, each once"
        );
        assert!(name == "Env" || name == "env");
    }
}
