//! The part of OData that Graph clients send here: `$filter` (the shared grammar of `crate::odata`, of
//! which Graph answers `eq`, `startswith` and `servicePrincipalNames/any(c:c eq '…')`, joined by `and` /
//! `or`); `$select`; `$top`; paging with `@odata.nextLink` and an opaque `$skiptoken`; and
//! `@odata.context` on answers.
//!
//! Evaluation works on the JSON object a handler is about to return, so the filterable properties are
//! exactly the ones the wire shows and no rule hides here.

use crate::errors::GraphError;
use crate::odata::{Condition, Filter, Op, option};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use std::collections::HashMap;

use crate::urls;

/// Graph's default page size for directory objects, and its maximum.
const DEFAULT_TOP: usize = 100;
const MAX_TOP: usize = 999;

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
        let get = |name: &str| option(params, name);
        let filter = get("filter")
            .filter(|f| !f.trim().is_empty())
            .map(|f| parse_filter(f, filterable))
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
        self.filter.as_ref().is_none_or(|f| {
            f.groups()
                .iter()
                .any(|g| g.iter().all(|c| condition_holds(c, item)))
        })
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
            .map(|(k, v)| format!("{}={}", urls::encode(k), urls::encode(v)))
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

/// A `$filter` of the conditions Graph answers, on `filterable` properties only.
fn parse_filter(text: &str, filterable: &[&str]) -> Result<Filter, GraphError> {
    let filter = Filter::parse(text).map_err(|_| invalid_filter(text))?;
    for c in filter.conditions() {
        let answered = matches!(
            c,
            Condition::Compare { op: Op::Eq, .. }
                | Condition::StartsWith { .. }
                | Condition::AnyEq { .. }
        );
        let Some(name) = c.property().filter(|_| answered) else {
            return Err(invalid_filter(text));
        };
        if !filterable.iter().any(|f| f.eq_ignore_ascii_case(name)) {
            return Err(unsupported(format!(
                "Unsupported or invalid query filter clause specified for property '{name}' of resource."
            )));
        }
    }
    Ok(filter)
}

fn invalid_filter(text: &str) -> GraphError {
    GraphError::bad_request(format!("Invalid filter clause: '{text}'."))
}

fn property<'a>(item: &'a Value, name: &str) -> Option<&'a Value> {
    item.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Names compare case-insensitively, as Entra compares them.
fn condition_holds(c: &Condition, item: &Value) -> bool {
    match c {
        Condition::Compare {
            property: p,
            op: Op::Eq,
            value: v,
        } => property(item, p)
            .and_then(Value::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case(v)),
        Condition::StartsWith {
            property: p,
            value: v,
        } => property(item, p)
            .and_then(Value::as_str)
            .is_some_and(|s| s.to_lowercase().starts_with(&v.to_lowercase())),
        Condition::AnyEq {
            property: p,
            value: v,
        } => property(item, p)
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .any(|s| s.eq_ignore_ascii_case(v))
            }),
        // Refused when the filter was read.
        Condition::Compare { .. } | Condition::Call { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    fn filter(text: &str) -> Result<Query, GraphError> {
        q(&[("$filter", text)])
    }

    #[test]
    fn filters_as_az_sends_them() {
        let alice =
            json!({"userPrincipalName": "Alice@contoso.com", "displayName": "Alice", "mail": null});
        let holds = |text: &str| filter(text).unwrap().matches(&alice);
        assert!(holds("userPrincipalName eq 'alice@contoso.com'"));
        assert!(holds("startswith(displayName,'al')"));
        assert!(!holds("startswith(displayName,'b') or mail eq 'x'"));
        assert!(holds(
            "startswith(displayName,'b') or displayName eq 'ALICE'"
        ));
        assert!(!holds(
            "displayName eq 'Alice' and startswith(userPrincipalName,'x')"
        ));
        assert!(!holds("displayName eq 'O''Brien'"));
    }

    #[test]
    fn any_on_service_principal_names() {
        let sp = json!({"servicePrincipalNames": ["c1000000-0000-4000-8000-000000000001", "https://ci"]});
        let f = filter("servicePrincipalNames/any(c:c eq 'https://ci')").unwrap();
        assert!(f.matches(&sp));
        assert!(!f.matches(&json!({"servicePrincipalNames": []})));
    }

    #[test]
    fn refuses_what_it_cannot_evaluate() {
        let code = |text: &str| filter(text).map(|_| ()).unwrap_err().code;
        assert_eq!(code("jobTitle eq 'x'"), "Request_UnsupportedQuery");
        for invalid in ["displayName ne 'x'", "displayName eq 'x", "atScope()"] {
            assert_eq!(code(invalid), "BadRequest", "{invalid}");
        }
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
