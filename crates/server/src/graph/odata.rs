//! The part of OData that Graph clients send here: `$filter` with `eq`, `startswith` and
//! `servicePrincipalNames/any(c:c eq '…')`, joined by `and` / `or`; `$select`; `$top`; paging with
//! `@odata.nextLink` and an opaque `$skiptoken`; and `@odata.context` on answers.
//!
//! Evaluation works on the JSON object a handler is about to return, so the filterable properties are
//! exactly the ones the wire shows and no rule hides here.

use crate::errors::GraphError;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Graph's default page size for directory objects, and its maximum.
const DEFAULT_TOP: usize = 100;
const MAX_TOP: usize = 999;

/// One comparison of a `$filter`.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `prop eq 'value'` (case-insensitive, as Entra compares names).
    Eq(String, String),
    /// `startswith(prop,'value')`.
    StartsWith(String, String),
    /// `prop/any(c:c eq 'value')` on a collection of strings.
    AnyEq(String, String),
}

/// A `$filter` in disjunctive form: any group whose conditions all hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    groups: Vec<Vec<Condition>>,
}

/// The query options of a collection request.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub filter: Option<Filter>,
    pub select: Option<Vec<String>>,
    pub top: usize,
    pub skip: usize,
    /// The options as received, to rebuild the next page's link.
    raw: Vec<(String, String)>,
}

fn unsupported(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
}

impl Query {
    /// Reads `$filter`, `$select`, `$top` and `$skiptoken` (also without the `$`, as Graph accepts).
    /// `filterable` lists the properties `$filter` may name, for a clear refusal of the others.
    pub fn parse(
        params: &HashMap<String, String>,
        filterable: &[&str],
    ) -> Result<Self, GraphError> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let filter = get("filter")
            .filter(|f| !f.trim().is_empty())
            .map(|f| Filter::parse(f, filterable))
            .transpose()?;
        let select = get("select").map(|s| {
            s.split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect()
        });
        let top = match get("top") {
            None => DEFAULT_TOP,
            Some(t) => match t.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_TOP).contains(&n) => n,
                _ => {
                    return Err(GraphError::bad_request(format!(
                        "Invalid page size specified: '{t}'. Must be between 1 and {MAX_TOP} inclusive."
                    )));
                }
            },
        };
        let skip = get("skiptoken")
            .map(decode_skiptoken)
            .transpose()?
            .unwrap_or(0);
        let raw = ["filter", "select", "top"]
            .iter()
            .filter_map(|n| get(n).map(|v| (format!("${n}"), v.to_string())))
            .collect();
        Ok(Self {
            filter,
            select,
            top,
            skip,
            raw,
        })
    }

    pub fn matches(&self, item: &Value) -> bool {
        self.filter.as_ref().is_none_or(|f| f.matches(item))
    }

    /// Filters, pages and projects `items` into a Graph collection answer.
    pub fn collection(&self, items: Vec<Value>, context: &str, next_base: &str) -> Value {
        let matching: Vec<Value> = items.into_iter().filter(|i| self.matches(i)).collect();
        let total = matching.len();
        let page: Vec<Value> = matching
            .into_iter()
            .skip(self.skip)
            .take(self.top)
            .map(|v| self.project(v))
            .collect();
        let mut out = Map::new();
        out.insert("@odata.context".into(), Value::String(context.to_string()));
        let end = self.skip + page.len();
        if end < total {
            out.insert(
                "@odata.nextLink".into(),
                Value::String(self.next_link(next_base, end)),
            );
        }
        out.insert("value".into(), Value::Array(page));
        Value::Object(out)
    }

    /// Keeps only the `$select`ed properties (and OData annotations), as Graph does.
    pub fn project(&self, item: Value) -> Value {
        project(item, self.select.as_deref())
    }

    fn next_link(&self, base: &str, offset: usize) -> String {
        let mut pairs = self.raw.clone();
        pairs.push(("$skiptoken".into(), encode_skiptoken(offset)));
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect();
        format!("{base}?{}", query.join("&"))
    }
}

/// Keeps only `select` (case-insensitive) and `@odata.*` annotations; `None` keeps everything.
pub fn project(item: Value, select: Option<&[String]>) -> Value {
    let (Some(select), Value::Object(map)) = (select, &item) else {
        return item;
    };
    let kept: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| {
            k.starts_with("@odata.") || select.iter().any(|s| s.eq_ignore_ascii_case(k))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(kept)
}

/// The skiptoken is opaque to clients; an offset is enough for lists that are sorted by id.
fn encode_skiptoken(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

fn decode_skiptoken(token: &str) -> Result<usize, GraphError> {
    URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("o:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| GraphError::bad_request("The $skiptoken is not valid."))
}

/// Percent-encodes a query component (RFC 3986 unreserved characters stay as they are).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl Filter {
    /// Parses `a eq 'x' and startswith(b,'y') or c/any(s:s eq 'z')` (`and` binds tighter than `or`).
    pub fn parse(text: &str, filterable: &[&str]) -> Result<Self, GraphError> {
        let tokens = tokenize(text)?;
        let mut groups = vec![vec![]];
        let mut rest = tokens.as_slice();
        loop {
            let (cond, after) = parse_condition(rest, text)?;
            let name = match &cond {
                Condition::Eq(p, _) | Condition::StartsWith(p, _) | Condition::AnyEq(p, _) => p,
            };
            if !filterable.iter().any(|f| f.eq_ignore_ascii_case(name)) {
                return Err(unsupported(format!(
                    "Unsupported or invalid query filter clause specified for property '{name}' of resource."
                )));
            }
            groups.last_mut().expect("one group").push(cond);
            match after {
                [] => break,
                [Token::Word(w), more @ ..] if w.eq_ignore_ascii_case("and") => rest = more,
                [Token::Word(w), more @ ..] if w.eq_ignore_ascii_case("or") => {
                    groups.push(vec![]);
                    rest = more;
                }
                _ => return Err(invalid_filter(text)),
            }
        }
        Ok(Self { groups })
    }

    pub fn matches(&self, item: &Value) -> bool {
        self.groups
            .iter()
            .any(|g| g.iter().all(|c| condition_holds(c, item)))
    }

    /// The value of the first `prop eq '…'` condition, for lookups that need no scan.
    pub fn eq_value(&self, prop: &str) -> Option<&str> {
        self.groups.iter().flatten().find_map(|c| match c {
            Condition::Eq(p, v) | Condition::AnyEq(p, v) if p.eq_ignore_ascii_case(prop) => {
                Some(v.as_str())
            }
            _ => None,
        })
    }
}

fn property<'a>(item: &'a Value, name: &str) -> Option<&'a Value> {
    item.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn condition_holds(c: &Condition, item: &Value) -> bool {
    match c {
        Condition::Eq(p, v) => property(item, p)
            .and_then(Value::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case(v)),
        Condition::StartsWith(p, v) => property(item, p)
            .and_then(Value::as_str)
            .is_some_and(|s| s.to_lowercase().starts_with(&v.to_lowercase())),
        Condition::AnyEq(p, v) => property(item, p)
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .any(|s| s.eq_ignore_ascii_case(v))
            }),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Open,
    Close,
    Comma,
    Colon,
}

fn invalid_filter(text: &str) -> GraphError {
    GraphError::bad_request(format!("Invalid filter clause: '{text}'."))
}

fn tokenize(text: &str) -> Result<Vec<Token>, GraphError> {
    let mut tokens = vec![];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            ',' => tokens.push(Token::Comma),
            ':' => tokens.push(Token::Colon),
            '\'' => {
                // OData doubles a quote inside a string literal.
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        Some('\'') => break,
                        Some(ch) => s.push(ch),
                        None => return Err(invalid_filter(text)),
                    }
                }
                tokens.push(Token::Str(s));
            }
            _ => {
                let mut w = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || "(),:'".contains(n) {
                        break;
                    }
                    w.push(n);
                    chars.next();
                }
                tokens.push(Token::Word(w));
            }
        }
    }
    Ok(tokens)
}

fn parse_condition<'a>(
    tokens: &'a [Token],
    text: &str,
) -> Result<(Condition, &'a [Token]), GraphError> {
    use Token::*;
    match tokens {
        [Word(f), Open, Word(p), Comma, Str(v), Close, rest @ ..]
            if f.eq_ignore_ascii_case("startswith") =>
        {
            Ok((Condition::StartsWith(p.clone(), v.clone()), rest))
        }
        [Word(p), Word(op), Str(v), rest @ ..] if op.eq_ignore_ascii_case("eq") => {
            Ok((Condition::Eq(p.clone(), v.clone()), rest))
        }
        // `servicePrincipalNames/any(c:c eq 'x')`: the head is one word up to the `(`.
        [
            Word(head),
            Open,
            Word(var),
            Colon,
            Word(var2),
            Word(op),
            Str(v),
            Close,
            rest @ ..,
        ] if head.to_ascii_lowercase().ends_with("/any")
            && var == var2
            && op.eq_ignore_ascii_case("eq") =>
        {
            let prop = head[..head.len() - "/any".len()].to_string();
            Ok((Condition::AnyEq(prop, v.clone()), rest))
        }
        _ => Err(invalid_filter(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const USER: &[&str] = &["userPrincipalName", "mail", "displayName"];

    fn q(pairs: &[(&str, &str)]) -> Result<Query, GraphError> {
        let params = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Query::parse(
            &params,
            &[
                "userPrincipalName",
                "mail",
                "displayName",
                "servicePrincipalNames",
            ],
        )
    }

    #[test]
    fn filters_as_az_sends_them() {
        let alice =
            json!({"userPrincipalName": "Alice@contoso.com", "displayName": "Alice", "mail": null});
        let f = Filter::parse("userPrincipalName eq 'alice@contoso.com'", USER).unwrap();
        assert!(f.matches(&alice));
        let f = Filter::parse("startswith(displayName,'al')", USER).unwrap();
        assert!(f.matches(&alice));
        let f = Filter::parse("startswith(displayName,'b') or mail eq 'x'", USER).unwrap();
        assert!(!f.matches(&alice));
        let f = Filter::parse(
            "displayName eq 'Alice' and startswith(userPrincipalName,'x')",
            USER,
        )
        .unwrap();
        assert!(!f.matches(&alice));
        let f = Filter::parse("displayName eq 'O''Brien'", USER).unwrap();
        assert_eq!(f.eq_value("displayName"), Some("O'Brien"));
    }

    #[test]
    fn any_on_service_principal_names() {
        let sp = json!({"servicePrincipalNames": ["c1000000-0000-4000-8000-000000000001", "https://ci"]});
        let f = Filter::parse(
            "servicePrincipalNames/any(c:c eq 'https://ci')",
            &["servicePrincipalNames"],
        )
        .unwrap();
        assert!(f.matches(&sp));
        assert_eq!(f.eq_value("servicePrincipalNames"), Some("https://ci"));
    }

    #[test]
    fn refuses_what_it_cannot_evaluate() {
        assert!(Filter::parse("jobTitle eq 'x'", USER).is_err());
        assert!(Filter::parse("displayName ne 'x'", USER).is_err());
        assert!(Filter::parse("displayName eq 'x", USER).is_err());
        assert!(q(&[("$top", "0")]).is_err());
        assert!(q(&[("$skiptoken", "garbage!")]).is_err());
    }

    #[test]
    fn pages_with_next_links_and_projects() {
        let items: Vec<Value> = (0..5)
            .map(|i| json!({"id": i.to_string(), "displayName": format!("u{i}")}))
            .collect();
        let query = q(&[("$top", "2"), ("$select", "id")]).unwrap();
        let page = query.collection(items.clone(), "ctx", "https://h/v1.0/users");
        assert_eq!(page["value"], json!([{"id": "0"}, {"id": "1"}]));
        let next = page["@odata.nextLink"].as_str().unwrap();
        assert!(
            next.starts_with("https://h/v1.0/users?%24select=id&%24top=2&%24skiptoken="),
            "{next}"
        );
        let token = next.rsplit('=').next().unwrap();
        let second = q(&[("$top", "2"), ("$skiptoken", token)]).unwrap();
        let page = second.collection(items.clone(), "ctx", "b");
        assert_eq!(page["value"][0]["id"], "2");
        let last = q(&[("$top", "2"), ("$skiptoken", &encode_skiptoken(4))]).unwrap();
        let page = last.collection(items, "ctx", "b");
        assert!(page.get("@odata.nextLink").is_none());
        assert_eq!(page["@odata.context"], "ctx");
    }
}
