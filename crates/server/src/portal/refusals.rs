//! Refusals in the person's language. A rule's refusal ([`DomainError`]) and Entra's sign-in refusals
//! ([`SignInError`]) carry their English text, which ARM, Graph and the token endpoint answer with; the
//! portal words them again from their code (and variant) and the named values they were built from, in
//! `locales/<lang>/refusals.ftl`. English is the refusal's own text; another language falls back to it for
//! a refusal its catalogue does not word (never a raw key).
//!
//! Some values a refusal names are English words themselves (what was asked, a state, a role): they are
//! looked up as `refusal-what-…`, `refusal-state-…` and `refusal-role-…` and shown as they are otherwise.

use super::i18n::Lang;
use tenantry_service::domain::DomainError;
use tenantry_service::domain::signin::SignInError;

/// A rule's refusal message in `lang`.
pub fn message(lang: Lang, e: &DomainError) -> String {
    worded(lang, &e.key(), &e.args).unwrap_or_else(|| e.message.clone())
}

/// A rule's remedy in `lang`, when it has one.
pub fn remedy(lang: Lang, e: &DomainError) -> Option<String> {
    let english = e.remedy.as_ref()?;
    Some(worded(lang, &format!("{}-remedy", e.key()), &e.args).unwrap_or_else(|| english.clone()))
}

/// The message followed by the remedy (a further problem of the same request, shown as one line).
pub fn full_message(lang: Lang, e: &DomainError) -> String {
    match remedy(lang, e) {
        Some(r) => format!("{} {r}", message(lang, e)),
        None => message(lang, e),
    }
}

/// The further problems of a refusal (every blocker of a directory change), each as one line.
pub fn details(lang: Lang, e: &DomainError) -> Vec<String> {
    e.details.iter().map(|d| full_message(lang, d)).collect()
}

/// An Entra sign-in refusal's message in `lang` (without its code).
pub fn sign_in_message(lang: Lang, e: &SignInError) -> String {
    let Some(key) = e.key() else {
        return e.message.clone();
    };
    let Some(inner) = worded(lang, &key, &e.args) else {
        return e.message.clone();
    };
    // A refusal of the account signed in in this browser says so around the refusal itself.
    match e.args.iter().find(|(n, _)| *n == "signed_in_as") {
        Some((_, name)) => worded(
            lang,
            "signin-refusal-signed-in-elsewhere",
            &[("signed_in_as", name.clone()), ("refusal", inner)],
        )
        .unwrap_or_else(|| e.message.clone()),
        None => inner,
    }
}

/// `AADSTS50126: …`, Entra's `error_description`, with the message in `lang`.
pub fn sign_in_description(lang: Lang, e: &SignInError) -> String {
    format!("{}: {}", e.code, sign_in_message(lang, e))
}

/// The catalogue's wording of `key` with `args`, in a language other than English; `None` in English, for
/// a key the language's catalogue lacks, or when the wording cannot be formatted (a value missing).
fn worded(lang: Lang, key: &str, args: &[(&'static str, String)]) -> Option<String> {
    if lang == Lang::En || !lang.has(key) {
        return None;
    }
    let args: Vec<(&str, String)> = args
        .iter()
        .map(|(name, value)| (*name, in_words(lang, name, value)))
        .collect();
    Some(lang.t_args(key, &args)).filter(|s| !s.is_empty())
}

/// A value as the catalogue's language says it: the English words some values are (what was asked, a
/// state, a role or roles) looked up, anything else (names, ids, numbers) as it is.
fn in_words(lang: Lang, name: &str, value: &str) -> String {
    let family = match name {
        "what" => "what",
        "state" | "status" => "state",
        "role" | "roles" => "role",
        _ => return value.to_string(),
    };
    let one = |v: &str| {
        let key = format!("refusal-{family}-{}", slug(v));
        if lang.has(&key) {
            lang.t(&key)
        } else {
            v.to_string()
        }
    };
    if family == "role" {
        // "Global Administrator or User Administrator": each role, joined in the language's words.
        let or = if lang == Lang::Nl { " of " } else { " or " };
        value.split(" or ").map(one).collect::<Vec<_>>().join(or)
    } else {
        one(value)
    }
}

/// `read the directory's audit log` → `read-the-directory-s-audit-log`.
fn slug(value: &str) -> String {
    value
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    //! The catalogue against the code: every refusal the rules, the service and the portal can make has
    //! a Dutch wording, each wording uses only values its refusal names, and no wording is left over.
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};
    use tenantry_service::domain::signin::EntraCode;

    const DIR: &str = env!("CARGO_MANIFEST_DIR");

    /// `nl/refusals.ftl`: each message with the variables it uses.
    fn dutch() -> BTreeMap<String, BTreeSet<String>> {
        let path = Path::new(DIR).join("locales/nl/refusals.ftl");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut out = BTreeMap::new();
        for line in text.lines() {
            if line.starts_with('#') || line.starts_with(' ') || line.trim().is_empty() {
                continue;
            }
            let (key, value) = line.split_once(" = ").expect("key = value");
            let vars = value
                .match_indices("{ $")
                .map(|(i, _)| {
                    let rest = &value[i + 3..];
                    rest[..rest.find(' ').unwrap()].to_string()
                })
                .collect();
            assert!(out.insert(key.to_string(), vars).is_none(), "{key} twice");
        }
        out
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }

    /// The index just past the `)` closing the `(` at `open`, skipping strings and characters.
    fn close(s: &str, open: usize) -> usize {
        let b = s.as_bytes();
        let (mut depth, mut i) = (0, open);
        while i < b.len() {
            match b[i] {
                b'"' => {
                    i += 1;
                    while b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'\'' if b.get(i + 2) == Some(&b'\'') => i += 2,
                b'\'' if b.get(i + 1) == Some(&b'\\') => i += s[i + 2..].find('\'').unwrap() + 2,
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        panic!("unbalanced call at {open}");
    }

    /// A string literal's text, if `arg` is one.
    fn literal(arg: &str) -> Option<&str> {
        let a = arg.trim();
        (a.len() >= 2 && a.starts_with('"') && a[1..].find('"') == Some(a.len() - 2))
            .then(|| &a[1..a.len() - 1])
    }

    /// A refusal made in the code: its key (`None` for a variant chosen at run time), its code, the
    /// values it names, whether it has a remedy, and (for a variant chosen at run time) the string
    /// literals of its file, among which its variants are.
    #[derive(Debug)]
    struct Site {
        at: String,
        code: String,
        key: Option<String>,
        args: BTreeSet<String>,
        remedy: bool,
        literals: BTreeSet<String>,
    }

    /// Every `DomainError::{invalid,forbidden,not_found,conflict,new}("Code", …)` of the rules, the
    /// service and the portal (tests left out), with the calls chained to it.
    fn sites() -> Vec<Site> {
        let root = Path::new(DIR).join("..");
        let codes_src =
            std::fs::read_to_string(root.join("domain/src/rules/change_directory.rs")).unwrap();
        let codes: BTreeMap<String, String> = codes_src
            .lines()
            .filter_map(|l| l.trim().strip_prefix("pub const "))
            .filter_map(|l| {
                let (name, rest) = l.split_once(": &str = ")?;
                Some((
                    name.to_string(),
                    literal(rest.trim_end_matches(';'))?.to_string(),
                ))
            })
            .collect();
        let mut files = Vec::new();
        for dir in ["domain/src", "service/src", "server/src/portal"] {
            rust_files(&root.join(dir), &mut files);
        }
        let mut out = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let text = match text.find("#[cfg(test)]\nmod tests") {
                Some(i) => &text[..i],
                None => &text[..],
            };
            for kind in ["invalid", "forbidden", "not_found", "conflict", "new"] {
                for pattern in [format!("DomainError::{kind}("), format!("Self::{kind}(")] {
                    if pattern.starts_with("Self") && !f.ends_with("error.rs") {
                        continue;
                    }
                    for (i, _) in text.match_indices(&pattern) {
                        let open = i + pattern.len() - 1;
                        let end = close(text, open);
                        let args = split(&text[open + 1..end - 1]);
                        let code = args[usize::from(kind == "new")].trim();
                        let code = match (literal(code), code.strip_prefix("codes::")) {
                            (Some(c), _) => c.to_string(),
                            (None, Some(c)) => codes[c].clone(),
                            // Copied from another refusal (its code, args and variant with it).
                            _ => continue,
                        };
                        let line = text[..i].lines().count();
                        let mut site =
                            chained(&text[end..], code, format!("{}:{line}", f.display()));
                        if site.key.is_none() {
                            site.literals = literals(text);
                        }
                        out.push(site);
                    }
                }
            }
        }
        out
    }

    /// Every string literal of a source file (its variant names among them).
    fn literals(text: &str) -> BTreeSet<String> {
        text.split('"')
            .skip(1)
            .step_by(2)
            .filter(|l| l.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .map(String::from)
            .collect()
    }

    /// The top-level arguments of a call.
    fn split(args: &str) -> Vec<&str> {
        let (mut out, mut start, mut i) = (Vec::new(), 0, 0);
        while i < args.len() {
            match args.as_bytes()[i] {
                b'(' | b'[' | b'{' | b'"' => {
                    i = close_any(args, i);
                    continue;
                }
                b',' => {
                    out.push(&args[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        out.push(&args[start..]);
        out
    }

    fn close_any(s: &str, i: usize) -> usize {
        if s.as_bytes()[i] == b'"' {
            let mut j = i + 1;
            while s.as_bytes()[j] != b'"' {
                j += if s.as_bytes()[j] == b'\\' { 2 } else { 1 };
            }
            j + 1
        } else {
            close(s, i)
        }
    }

    /// The refusal a constructor and the `.with_…(…)` calls after it make.
    fn chained(after: &str, code: String, at: String) -> Site {
        let (mut variant, mut dynamic) = (None, false);
        let (mut args, mut remedy) = (BTreeSet::new(), false);
        let mut rest = after;
        while let Some(call) = rest.trim_start().strip_prefix('.') {
            let name_end = call.find('(').unwrap_or(call.len());
            let name = call[..name_end].trim();
            if name_end == call.len() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                break;
            }
            let end = close(call, name_end);
            let inner = split(&call[name_end + 1..end - 1]);
            match name {
                "with_arg" => {
                    args.insert(
                        literal(inner[0])
                            .expect("an arg's name is a literal")
                            .into(),
                    );
                }
                "with_variant" => match literal(inner[0]) {
                    Some(v) => variant = Some(v.to_string()),
                    None => dynamic = true,
                },
                "with_remedy" => remedy = true,
                _ => {}
            }
            rest = &call[end..];
        }
        let key = (!dynamic).then(|| match variant {
            Some(v) => format!("refusal-{code}-{v}"),
            None => format!("refusal-{code}"),
        });
        Site {
            at,
            code,
            key,
            args,
            remedy,
            literals: BTreeSet::new(),
        }
    }

    /// The keys a site may use: its own, or, when the variant is chosen at run time, each variant of its
    /// code that its file names (their variables are then checked against the site's values).
    fn keys_of<'a>(site: &Site, nl: &'a BTreeMap<String, BTreeSet<String>>) -> Vec<&'a String> {
        match &site.key {
            Some(k) => nl.keys().filter(|n| *n == k).collect(),
            None => site
                .literals
                .iter()
                .filter_map(|v| nl.get_key_value(&format!("refusal-{}-{v}", site.code)))
                .map(|(k, _)| k)
                .collect(),
        }
    }

    #[test]
    fn every_refusal_has_a_dutch_wording_with_the_values_it_names() {
        let nl = dutch();
        let sites = sites();
        assert!(
            sites.len() > 200,
            "the scan found {} refusals only",
            sites.len()
        );
        let mut missing = Vec::new();
        for site in &sites {
            let keys = keys_of(site, &nl);
            if keys.is_empty() {
                missing.push(format!("{}: {:?} ({})", site.at, site.key, site.code));
            }
            for key in keys {
                let remedy = format!("{key}-remedy");
                if site.remedy && !nl.contains_key(&remedy) {
                    missing.push(format!("{}: {remedy}", site.at));
                }
                for k in [key, &remedy] {
                    for var in nl.get(k).into_iter().flatten() {
                        if !site.args.contains(var) {
                            missing.push(format!("{}: {k} uses ${var}, not named there", site.at));
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "Dutch refusals missing or wrong: {missing:#?}"
        );
    }

    #[test]
    fn every_dutch_refusal_is_one_the_code_makes() {
        let nl = dutch();
        let sites = sites();
        let stale: Vec<_> = nl
            .keys()
            .filter(|k| k.starts_with("refusal-") && !k.ends_with("-remedy"))
            .filter(|k| {
                !["what", "state", "role"]
                    .iter()
                    .any(|f| k.starts_with(&format!("refusal-{f}-")))
            })
            .filter(|k| !sites.iter().any(|s| keys_of(s, &nl).contains(k)))
            .collect();
        assert!(stale.is_empty(), "Dutch refusals no code makes: {stale:#?}");
        let orphan_remedies: Vec<_> = nl
            .keys()
            .filter_map(|k| k.strip_suffix("-remedy"))
            .filter(|k| !nl.contains_key(*k))
            .collect();
        assert!(
            orphan_remedies.is_empty(),
            "remedies without a message: {orphan_remedies:?}"
        );
    }

    /// What a refusal says was asked (`Insufficient privileges to {what}`): each phrase the code passes to
    /// the rules that name it has a Dutch wording.
    #[test]
    fn every_phrase_of_what_was_asked_has_a_dutch_wording() {
        let nl = dutch();
        let root = Path::new(DIR).join("..");
        let mut files = Vec::new();
        for dir in ["domain/src", "service/src", "server/src/extensions"] {
            rust_files(&root.join(dir), &mut files);
        }
        let helpers = [
            "require_directory_role(",
            "require_operator(",
            "root_fixed(",
            "require_classic_admin(",
            "require_group_manager(",
            "require_tenant_admin_read(",
            "managed_application(",
        ];
        let (mut phrases, mut missing) = (0, Vec::new());
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let text = match text.find("#[cfg(test)]\nmod tests") {
                Some(i) => &text[..i],
                None => &text[..],
            };
            for helper in helpers {
                for (i, _) in text.match_indices(helper) {
                    let open = i + helper.len() - 1;
                    let args = split(&text[open + 1..close(text, open) - 1]);
                    let Some(what) = args.last().and_then(|a| literal(a)) else {
                        continue; // the definition, or a phrase passed on
                    };
                    phrases += 1;
                    let key = format!("refusal-what-{}", slug(what));
                    if !nl.contains_key(&key) {
                        missing.push(format!("{}: {key}", f.display()));
                    }
                }
            }
        }
        assert!(phrases > 20, "the scan found {phrases} phrases only");
        assert!(
            missing.is_empty(),
            "phrases without a Dutch wording: {missing:#?}"
        );
    }

    /// Entra's table, and each wording a sign-in refusal gives its code, have a Dutch wording with the
    /// values it names.
    #[test]
    fn every_sign_in_refusal_has_a_dutch_wording() {
        let nl = dutch();
        let mut missing: Vec<String> = EntraCode::ALL
            .iter()
            .map(|c| c.key())
            .filter(|k| !nl.contains_key(k))
            .collect();
        let source = include_str!("../../../domain/src/signin/refusals.rs");
        let source = &source[..source.find("#[cfg(test)]\nmod tests").unwrap()];
        let mut variants = 0;
        for (i, _) in source.match_indices("SignInError::new(") {
            let open = i + "SignInError::new".len();
            let end = close(source, open);
            let args = split(&source[open + 1..end - 1]);
            let name = args[0].trim().trim_start_matches("EntraCode::");
            let Some(code) = EntraCode::ALL.iter().find(|c| format!("{c:?}") == name) else {
                continue; // `code`: the constructor itself
            };
            let site = chained(&source[end..], name.into(), format!("refusals.rs:{i}"));
            let Some(variant) = site
                .key
                .as_deref()
                .and_then(|k| k.strip_prefix(&format!("refusal-{name}-")))
            else {
                continue; // worded in place: shown in English
            };
            variants += 1;
            let key = format!("{}-{variant}", code.key());
            match nl.get(&key) {
                None => missing.push(key),
                Some(vars) => missing.extend(
                    vars.iter()
                        .filter(|v| !site.args.contains(*v))
                        .map(|v| format!("{key} uses ${v}, not named there")),
                ),
            }
        }
        assert!(
            variants > 20,
            "the scan found {variants} sign-in wordings only"
        );
        assert!(
            missing.is_empty(),
            "Dutch sign-in refusals missing or wrong: {missing:#?}"
        );
    }

    #[test]
    fn refusals_are_worded_in_the_persons_language() {
        let e = DomainError::conflict(
            "CoAdministratorExists",
            "'lee@contoso.com' is a co-administrator of 'Pay-As-You-Go' already.",
        )
        .with_arg("email", "lee@contoso.com")
        .with_arg("subscription", "Pay-As-You-Go");
        assert_eq!(message(Lang::En, &e), e.message);
        assert_eq!(
            message(Lang::Nl, &e),
            "'lee@contoso.com' is al medebeheerder van 'Pay-As-You-Go'."
        );
        // A refusal the catalogue does not word, or that lacks a value its wording needs: English.
        let unknown =
            DomainError::invalid("NoSuchCode", "Something English.").with_remedy("Do this.");
        assert_eq!(message(Lang::Nl, &unknown), "Something English.");
        assert_eq!(remedy(Lang::Nl, &unknown).as_deref(), Some("Do this."));
        let short = DomainError::conflict("CoAdministratorExists", "English.");
        assert_eq!(message(Lang::Nl, &short), "English.");
        // Words among the values are said in the language too.
        assert_eq!(
            in_words(Lang::Nl, "what", "create users"),
            "gebruikers maken"
        );
        assert_eq!(
            in_words(
                Lang::Nl,
                "roles",
                "Global Administrator or User Administrator"
            ),
            "globale beheerder of gebruikersbeheerder"
        );
        assert_eq!(in_words(Lang::Nl, "state", "PastDue"), "achterstallig");
        assert_eq!(in_words(Lang::Nl, "what", "something new"), "something new");
        let signin = tenantry_service::domain::signin::unknown_user("lee@contoso.com");
        assert_eq!(
            sign_in_description(Lang::Nl, &signin),
            "AADSTS50034: Het gebruikersaccount lee@contoso.com bestaat niet in de directory. Om u bij deze toepassing aan te melden, moet het account aan de directory worden toegevoegd."
        );
        assert_eq!(sign_in_message(Lang::En, &signin), signin.message);
    }
}
