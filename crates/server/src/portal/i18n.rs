//! The portal's languages: English and Dutch, as the Azure portal speaks both.
//!
//! - The words are Fluent catalogues, `locales/<lang>/<area>.ftl`, embedded at compile time; a page
//!   writes `{{ chrome.t("key") }}`, code `lang.t("key")` or `lang.t_args("key", &[("name", v)])`.
//!   Identifiers, role names, codes and the APIs stay English; only what a person reads is translated.
//! - The language is the `lang` cookie (the footer's switch, [`switch`]), else the browser's
//!   `Accept-Language`, else English ([`Lang::of_request`]). English stays the default, so a client that
//!   asks for nothing reads what it always did.
//! - A key missing from Dutch falls back to English and one missing from both renders as nothing (and is
//!   logged): a page never shows a raw key and never fails for a word. The tests below fail the build's
//!   tests instead, when a key is missing in either language or the two disagree on a message's variables.
//! - Responses made without a request at hand (a refusal turned into a page by `IntoResponse`, the edge's
//!   answers) read the request's language from [`in_request_language`]'s task-local ([`Lang::current`]).

use std::borrow::Cow;
use std::collections::HashMap;

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::middleware::Next;
use axum::response::Response;
use fluent_bundle::FluentValue;
use fluent_templates::LanguageIdentifier;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Unicode isolation marks around arguments would end up in the HTML (and in text a test or a
        // screen reader compares); the pages' arguments are names and numbers, not mixed-direction text.
        customise: |b| b.set_use_isolating(false),
    };
}

/// Marks a catalogue key kept as data (a tab's label, translated by the page with `chrome.t(…)`), so
/// that the test finds it as it finds `t("…")` calls.
pub const fn key(k: &'static str) -> &'static str {
    k
}

/// The cookie that remembers the footer switch's choice.
pub const COOKIE_NAME: &str = "lang";
/// A year, in seconds: how long the choice is remembered.
pub const COOKIE_MAX_AGE: i64 = 365 * 24 * 3600;

/// A language the portal speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Nl,
}

tokio::task_local! {
    /// The language of the request being answered (set by [`in_request_language`]).
    static REQUEST_LANG: Lang;
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Nl];

    /// `en` / `nl`: `<html lang>`, the cookie's value.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
        }
    }

    /// The language a tag names (`nl`, `nl-NL`, `nl-BE`, any case), `None` for another one.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("nl") {
            Some(Lang::Nl)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of a request: the `lang` cookie, else the best of `Accept-Language` that the portal
    /// speaks, else English.
    pub fn of_request(headers: &HeaderMap) -> Lang {
        let cookie = super::session::cookie_named(headers, COOKIE_NAME).and_then(Lang::from_tag);
        cookie
            .or_else(|| {
                headers
                    .get_all(ACCEPT_LANGUAGE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(Lang::from_accept_language)
            })
            .unwrap_or_default()
    }

    /// The language an `Accept-Language` value prefers most (highest q; the first of equals), among
    /// those the portal speaks. `*` and other languages do not choose one.
    pub fn from_accept_language(value: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The language of the request being answered; English outside one.
    pub fn current() -> Lang {
        REQUEST_LANG.try_with(|l| *l).unwrap_or_default()
    }

    fn id(self) -> &'static LanguageIdentifier {
        static EN: LanguageIdentifier = fluent_templates::langid!("en");
        static NL: LanguageIdentifier = fluent_templates::langid!("nl");
        match self {
            Lang::En => &EN,
            Lang::Nl => &NL,
        }
    }

    /// Whether this language's own catalogue has `key` (no fallback).
    pub fn has(self, key: &str) -> bool {
        // Formatted without its arguments: a message that needs some is there, and fails only to
        // format (fluent-templates does not export its error type to match on, hence its name).
        match LOCALES.lookup_single_language::<&str>(self.id(), key, None) {
            Ok(_) => true,
            Err(e) => format!("{e:?}").starts_with("FluentError"),
        }
    }

    /// A message without arguments.
    pub fn t(self, key: &str) -> String {
        self.lookup(key, None)
    }

    /// A message with named arguments. Pass numbers as [`Lang::number`] writes them: an integer
    /// below 1,000 (plain digits) reaches Fluent as a number, so `{ $count -> [one] … *[other] … }`
    /// chooses its form; a bigger one carries the locale's separator and is text, which selects
    /// `*[other]` — the right form for it in English and Dutch alike.
    pub fn t_args(self, key: &str, args: &[(&str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| {
                let value = match v.parse::<i64>() {
                    // Only what shows the same as a number (not `007`, not `+1`).
                    Ok(n) if n.to_string() == *v => FluentValue::from(n),
                    _ => FluentValue::from(v.clone()),
                };
                (Cow::Owned(k.to_string()), value)
            })
            .collect();
        self.lookup(key, Some(&args))
    }

    fn lookup(self, key: &str, args: Option<&HashMap<Cow<'static, str>, FluentValue>>) -> String {
        for lang in [self, Lang::En] {
            if let Ok(s) = LOCALES.lookup_single_language(lang.id(), key, args) {
                return s;
            }
        }
        tracing::error!(key, lang = self.tag(), "missing or broken portal message");
        String::new()
    }

    /// An integer with the locale's digit grouping: `1,234` / `1.234`.
    pub fn number(self, n: i64) -> String {
        let sep = match self {
            Lang::En => ',',
            Lang::Nl => '.',
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    /// A moment (Unix seconds, shown in UTC as the portal keeps it): `6 December 2026, 14:05 UTC` /
    /// `6 december 2026 14:05 UTC`.
    pub fn date_time(self, t: i64) -> String {
        let Ok(d) = time::OffsetDateTime::from_unix_timestamp(t) else {
            return t.to_string();
        };
        let month = self.month(d.month());
        let (day, year, hour, minute) = (d.day(), d.year(), d.hour(), d.minute());
        match self {
            Lang::En => format!("{day} {month} {year}, {hour:02}:{minute:02} UTC"),
            Lang::Nl => format!("{day} {month} {year} {hour:02}:{minute:02} UTC"),
        }
    }

    /// A day: `6 December 2026` / `6 december 2026`.
    pub fn date(self, t: i64) -> String {
        let Ok(d) = time::OffsetDateTime::from_unix_timestamp(t) else {
            return t.to_string();
        };
        format!("{} {} {}", d.day(), self.month(d.month()), d.year())
    }

    fn month(self, m: time::Month) -> &'static str {
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        const NL: [&str; 12] = [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ];
        let i = usize::from(u8::from(m)) - 1;
        match self {
            Lang::En => EN[i],
            Lang::Nl => NL[i],
        }
    }
}

/// The layer that makes the request's language [`Lang::current`] for everything answering it (the
/// edge's refusal pages too: it sits outside the edge).
pub async fn in_request_language(req: Request, next: Next) -> Response {
    let lang = Lang::of_request(req.headers());
    REQUEST_LANG.scope(lang, next.run(req)).await
}

/// The `Set-Cookie` value that remembers `lang` for a year (read by the server only, yet not secret:
/// no `HttpOnly` needed; `SameSite=Lax` like the session's).
pub fn cookie(lang: Lang) -> String {
    format!(
        "{COOKIE_NAME}={}; Path=/; Max-Age={COOKIE_MAX_AGE}; Secure; SameSite=Lax",
        lang.tag()
    )
}

#[derive(serde::Deserialize)]
pub struct SwitchForm {
    lang: String,
    #[serde(default)]
    back: String,
}

/// `POST /language` (the footer's switch): remembers the language in the `lang` cookie and shows the
/// page the person was on again. Any page's session may send it, signed in or not (the sign-in pages
/// have the switch too); its CSRF token is checked as every form's.
pub async fn switch(
    ctx: super::session::Ctx,
    super::session::CsrfForm(f): super::session::CsrfForm<SwitchForm>,
) -> super::PortalResult {
    use axum::http::HeaderValue;
    use axum::http::header::SET_COOKIE;
    use axum::response::IntoResponse;
    let lang = Lang::from_tag(&f.lang)
        .ok_or_else(|| super::PortalError::Invalid(Lang::current().t("language-unknown")))?;
    let back = super::signin::local_path(&f.back).unwrap_or_else(|| "/".into());
    let mut r = ctx.redirect(&back).await?.into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie(lang)) {
        r.headers_mut().append(SET_COOKIE, v);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    const DIR: &str = env!("CARGO_MANIFEST_DIR");

    /// Every message (and attribute, `key.attr`) of a language with its variables.
    fn catalogue(lang: Lang) -> BTreeMap<String, Vec<String>> {
        use fluent_syntax::ast;
        let mut out = BTreeMap::new();
        let dir = Path::new(DIR).join("locales").join(lang.tag());
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no catalogues in {}", dir.display());
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let res = fluent_syntax::parser::parse(text.as_str())
                .unwrap_or_else(|(_, errs)| panic!("{}: {errs:?}", file.display()));
            for entry in res.body {
                if let ast::Entry::Message(m) = entry {
                    let id = m.id.name.to_string();
                    let mut vars = Vec::new();
                    if let Some(p) = &m.value {
                        pattern_vars(p, &mut vars);
                    }
                    for a in &m.attributes {
                        let mut avars = Vec::new();
                        pattern_vars(&a.value, &mut avars);
                        avars.sort();
                        avars.dedup();
                        out.insert(format!("{id}.{}", a.id.name), avars);
                    }
                    vars.sort();
                    vars.dedup();
                    let before = out.insert(id.clone(), vars);
                    assert!(before.is_none(), "{id} twice in {}", lang.tag());
                }
            }
        }
        out
    }

    fn pattern_vars(p: &fluent_syntax::ast::Pattern<&str>, out: &mut Vec<String>) {
        use fluent_syntax::ast::PatternElement;
        for el in &p.elements {
            if let PatternElement::Placeable { expression } = el {
                expression_vars(expression, out);
            }
        }
    }

    fn expression_vars(e: &fluent_syntax::ast::Expression<&str>, out: &mut Vec<String>) {
        use fluent_syntax::ast::{Expression, InlineExpression};
        let inline_vars = |i: &InlineExpression<&str>, out: &mut Vec<String>| match i {
            InlineExpression::VariableReference { id } => out.push(id.name.to_string()),
            InlineExpression::Placeable { expression } => expression_vars(expression, out),
            InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    if let InlineExpression::VariableReference { id } = a {
                        out.push(id.name.to_string());
                    }
                }
            }
            _ => {}
        };
        match e {
            Expression::Inline(i) => inline_vars(i, out),
            Expression::Select { selector, variants } => {
                inline_vars(selector, out);
                for v in variants {
                    pattern_vars(&v.value, out);
                }
            }
        }
    }

    #[test]
    fn both_languages_have_the_same_keys_and_variables() {
        let en = catalogue(Lang::En);
        let nl = catalogue(Lang::Nl);
        let only_en: Vec<_> = en.keys().filter(|k| !nl.contains_key(*k)).collect();
        // Refusals are worded in Dutch from their code (`nl/refusals.ftl`); their English is the
        // refusal's own text, not a catalogue's (see `super::refusals`).
        let only_nl: Vec<_> = nl
            .keys()
            .filter(|k| !en.contains_key(*k))
            .filter(|k| !k.starts_with("refusal-") && !k.starts_with("signin-refusal-"))
            .collect();
        assert!(only_en.is_empty(), "missing in nl: {only_en:?}");
        assert!(only_nl.is_empty(), "missing in en: {only_nl:?}");
        let differ: Vec<_> = en
            .iter()
            .filter(|(k, v)| nl.get(*k) != Some(v))
            .map(|(k, v)| format!("{k}: en {v:?}, nl {:?}", nl[k]))
            .collect();
        assert!(differ.is_empty(), "variables differ: {differ:#?}");
        // The embedded catalogues are the same files.
        for lang in Lang::ALL {
            for key in en.keys() {
                assert!(lang.has(key), "{key} not loaded for {}", lang.tag());
            }
        }
    }

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs" || e == "html") {
                out.push(p);
            }
        }
    }

    /// The keys the templates and the code ask for, `t("…")`, `t_args("…"`, `has("…")` and keys kept
    /// as data, `key("…")`: every call site writes its key literally, so a scan finds them all.
    #[test]
    fn every_key_used_exists_in_both_languages() {
        let en = catalogue(Lang::En);
        let nl = catalogue(Lang::Nl);
        let mut files = Vec::new();
        sources(&Path::new(DIR).join("src"), &mut files);
        sources(&Path::new(DIR).join("templates"), &mut files);
        let mut used = 0;
        let mut missing = Vec::new();
        // This file's own tests ask for a key that is nowhere, on purpose.
        files.retain(|f| !f.ends_with("portal/i18n.rs"));
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            // Comments explain calls (`chrome.t("key")`) rather than make them.
            let text: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for call in ["t(\"", "t_args(\"", "has(\"", "key(\""] {
                for (i, _) in text.match_indices(call) {
                    // Only whole calls: `.t("`, ` t("`, `(t("` — not `alert("`.
                    let before = text[..i].chars().next_back().unwrap_or(' ');
                    if before.is_alphanumeric() || before == '_' {
                        continue;
                    }
                    let rest = &text[i + call.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    if key.is_empty()
                        || !key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                    {
                        continue;
                    }
                    used += 1;
                    if !en.contains_key(key) || !nl.contains_key(key) {
                        missing.push(format!("{}: {key}", f.display()));
                    }
                }
            }
        }
        assert!(used > 0, "no keys found: the scan is broken");
        assert!(
            missing.is_empty(),
            "keys missing in a catalogue: {missing:#?}"
        );
    }

    #[test]
    fn messages_fall_back_and_format() {
        assert_eq!(Lang::Nl.t("nav-dashboard"), "Dashboard");
        assert_eq!(Lang::En.t("footer-switch-label"), "Language");
        assert_eq!(Lang::Nl.t("footer-switch-label"), "Taal");
        // Nothing raw, nothing panicking, for a key that is nowhere.
        assert_eq!(Lang::Nl.t("no-such-key-at-all"), "");
        assert!(!Lang::Nl.has("no-such-key-at-all"));
        assert_eq!(Lang::En.number(1234), "1,234");
        assert_eq!(Lang::Nl.number(1234), "1.234");
        assert_eq!(Lang::Nl.number(-1234567), "-1.234.567");
        assert_eq!(Lang::En.number(999), "999");
        // 6 December 2026 14:05 UTC
        let t = 1_796_565_900;
        assert_eq!(Lang::En.date_time(t), "6 December 2026, 14:05 UTC");
        assert_eq!(Lang::Nl.date_time(t), "6 december 2026 14:05 UTC");
        assert_eq!(Lang::Nl.date(t), "6 december 2026");
    }

    #[test]
    fn the_request_chooses_the_language() {
        use axum::http::HeaderValue;
        use axum::http::header::COOKIE;
        let mut h = HeaderMap::new();
        assert_eq!(Lang::of_request(&h), Lang::En);
        for (accept, lang) in [
            ("nl-NL", Lang::Nl),
            ("nl-BE,nl;q=0.9", Lang::Nl),
            ("NL", Lang::Nl),
            ("en-US,en;q=0.9,nl;q=0.8", Lang::En),
            ("de-DE,nl;q=0.5", Lang::Nl),
            ("fr-FR", Lang::En),
            ("nl;q=0.3,en;q=0.7", Lang::En),
            ("nl;q=0", Lang::En),
            ("*", Lang::En),
        ] {
            h.insert(ACCEPT_LANGUAGE, HeaderValue::from_static(accept));
            assert_eq!(Lang::of_request(&h), lang, "{accept}");
        }
        h.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("nl-NL"));
        h.insert(COOKIE, HeaderValue::from_static("a=b; lang=en"));
        assert_eq!(Lang::of_request(&h), Lang::En, "the cookie wins");
        h.insert(COOKIE, HeaderValue::from_static("lang=xx"));
        assert_eq!(
            Lang::of_request(&h),
            Lang::Nl,
            "an unknown cookie is ignored"
        );
    }
}
