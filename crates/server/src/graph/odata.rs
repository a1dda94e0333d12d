//! The part of OData that Graph clients send here: `$filter` (the shared grammar of `crate::odata`, of
//! which Graph answers `eq` on strings and on `true`/`false`/`null`, `in (…)`, `startswith` and
//! `servicePrincipalNames/any(c:c eq '…')`, joined by `and` / `or`); `$select`; `$orderby` on one
//! property; `$count=true`; `$top`; paging with `@odata.nextLink` and an opaque `$skiptoken`; and
//! `@odata.context` on answers.
//!
//! As in Entra, `$count` and a sort combined with a filter are "advanced queries": they need the header
//! `ConsistencyLevel: eventual` and `$count=true`. Entra quietly leaves `@odata.count` out when the header
//! is missing; tenantry refuses, in Graph's words, so that a script learns why rather than miscounting.
//!
//! Evaluation works on the JSON object a handler is about to return, so the filterable and sortable
//! properties are exactly the ones the wire shows and no rule hides here.

use crate::errors::GraphError;
use crate::odata::{Condition, Filter, Literal, Op, option};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use std::collections::HashMap;

use crate::urls;

/// Graph's default page size for directory objects, and its maximum.
const DEFAULT_TOP: usize = 100;
const MAX_TOP: usize = 999;

/// What a collection answers to: the properties `$filter` and `$orderby` may name.
#[derive(Debug, Clone, Copy)]
pub struct Answers {
    /// The resource's type as Graph names it in refusals (`User`, `Group`, …).
    pub resource: &'static str,
    pub filterable: &'static [&'static str],
    pub sortable: &'static [&'static str],
    /// Graph sorts some collections (applications, service principals) only in advanced queries.
    pub sorts_only_when_advanced: bool,
}

/// How a collection is sorted: one property, ascending unless `desc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub property: String,
    pub descending: bool,
}

/// The query options of a collection request.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub filter: Option<Filter>,
    pub select: Option<Vec<String>>,
    pub order: Option<Order>,
    /// `$count=true`: the answer carries `@odata.count`, the number of matching items on every page.
    pub count: bool,
    pub top: usize,
    pub skip: usize,
    /// The options as received, to rebuild the next page's link.
    raw: Vec<(String, String)>,
}

fn unsupported(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
}

fn sorting_not_supported() -> GraphError {
    unsupported("Sorting not supported for current query.")
}

impl Query {
    /// Reads `$filter`, `$select`, `$orderby`, `$count`, `$top` and `$skiptoken` (also without the `$`,
    /// as Graph accepts). `eventual` says whether the request carries `ConsistencyLevel: eventual`.
    pub fn parse(
        params: &HashMap<String, String>,
        answers: &Answers,
        eventual: bool,
    ) -> Result<Self, GraphError> {
        let get = |name: &str| option(params, name);
        let filter = get("filter")
            .filter(|f| !f.trim().is_empty())
            .map(|f| parse_filter(f, answers))
            .transpose()?;
        let select = select(params);
        let count = match get("count").map(str::trim) {
            None => false,
            Some(c) if c.eq_ignore_ascii_case("true") => true,
            Some(c) if c.eq_ignore_ascii_case("false") => false,
            Some(c) => {
                return Err(GraphError::bad_request(format!(
                    "Invalid value '{c}' for $count: it is true or false."
                )));
            }
        };
        if count && !eventual {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "Request_BadRequest",
                "$count is not currently supported. Send the header 'ConsistencyLevel: eventual' with $count=true.",
            ));
        }
        let order = get("orderby")
            .filter(|o| !o.trim().is_empty())
            .map(|o| parse_order(o, answers))
            .transpose()?;
        let advanced = eventual && count;
        if order.is_some() && !advanced && (filter.is_some() || answers.sorts_only_when_advanced) {
            return Err(sorting_not_supported());
        }
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
        let raw = ["filter", "select", "orderby", "count", "top"]
            .iter()
            .filter_map(|n| get(n).map(|v| (format!("${n}"), v.to_string())))
            .collect();
        Ok(Self {
            filter,
            select,
            order,
            count,
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

    /// Filters, sorts, counts, pages and projects `items` (in a stable order) into a Graph collection
    /// answer.
    pub fn collection(&self, items: Vec<Value>, context: &str, next_base: &str) -> Value {
        let mut matching: Vec<Value> = items.into_iter().filter(|i| self.matches(i)).collect();
        if let Some(order) = &self.order {
            // Stable: equal names keep the items' own order, so pages never overlap.
            matching.sort_by(|a, b| {
                let o = sort_key(a, &order.property).cmp(&sort_key(b, &order.property));
                if order.descending { o.reverse() } else { o }
            });
        }
        let total = matching.len();
        let page: Vec<Value> = matching
            .into_iter()
            .skip(self.skip)
            .take(self.top)
            .map(|v| self.project(v))
            .collect();
        let mut out = Map::new();
        out.insert("@odata.context".into(), Value::String(context.to_string()));
        if self.count {
            out.insert("@odata.count".into(), Value::from(total));
        }
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

/// The properties `$select` names, if it does.
pub fn select(params: &HashMap<String, String>) -> Option<Vec<String>> {
    option(params, "select").map(|s| {
        s.split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    })
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

/// The skiptoken is opaque to clients; an offset is enough for lists in a stable order.
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

/// `displayName`, `displayName asc` or `displayName desc`, on a sortable property.
fn parse_order(text: &str, answers: &Answers) -> Result<Order, GraphError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (property, descending) = match words.as_slice() {
        [p] => (*p, false),
        [p, d] if d.eq_ignore_ascii_case("asc") => (*p, false),
        [p, d] if d.eq_ignore_ascii_case("desc") => (*p, true),
        _ => return Err(sorting_not_supported()),
    };
    match answers
        .sortable
        .iter()
        .find(|s| s.eq_ignore_ascii_case(property))
    {
        Some(p) => Ok(Order {
            property: p.to_string(),
            descending,
        }),
        None => Err(unsupported(format!(
            "Sorting by property '{property}' of resource '{}' is not supported.",
            answers.resource
        ))),
    }
}

/// What an item sorts by: its property as lowercase text, a missing or null one first (as OData sorts
/// nulls).
fn sort_key(item: &Value, name: &str) -> Option<String> {
    property(item, name)
        .and_then(Value::as_str)
        .map(str::to_lowercase)
}

/// A `$filter` of the conditions Graph answers, on `filterable` properties only.
fn parse_filter(text: &str, answers: &Answers) -> Result<Filter, GraphError> {
    let filter = Filter::parse(text).map_err(|_| invalid_filter(text))?;
    for c in filter.conditions() {
        let answered = matches!(
            c,
            Condition::Compare { op: Op::Eq, .. }
                | Condition::Literal { op: Op::Eq, .. }
                | Condition::In { .. }
                | Condition::StartsWith { .. }
                | Condition::AnyEq { .. }
        );
        let Some(name) = c.property().filter(|_| answered) else {
            return Err(invalid_filter(text));
        };
        if !answers
            .filterable
            .iter()
            .any(|f| f.eq_ignore_ascii_case(name))
        {
            return Err(unsupported(format!(
                "Unsupported or invalid query filter clause specified for property '{name}' of resource '{}'.",
                answers.resource
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

/// Whether `item`'s property `p` is text equal to `v`. Names compare case-insensitively, as Entra
/// compares them.
fn text_is(item: &Value, p: &str, v: &str) -> bool {
    property(item, p)
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case(v))
}

fn condition_holds(c: &Condition, item: &Value) -> bool {
    match c {
        Condition::Compare {
            property: p,
            op: Op::Eq,
            value: v,
        } => text_is(item, p, v),
        Condition::Literal {
            property: p,
            op: Op::Eq,
            value,
        } => match (property(item, p), value) {
            (Some(Value::Bool(b)), Literal::Bool(v)) => b == v,
            (None | Some(Value::Null), Literal::Null) => true,
            _ => false,
        },
        Condition::In {
            property: p,
            values,
        } => values.iter().any(|v| text_is(item, p, v)),
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
        Condition::Compare { .. } | Condition::Literal { .. } | Condition::Call { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ANSWERS: Answers = Answers {
        resource: "User",
        filterable: &[
            "userPrincipalName",
            "mail",
            "displayName",
            "servicePrincipalNames",
            "securityEnabled",
            "id",
        ],
        sortable: &["displayName"],
        sorts_only_when_advanced: false,
    };

    fn parse(pairs: &[(&str, &str)], eventual: bool) -> Result<Query, GraphError> {
        let params = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Query::parse(&params, &ANSWERS, eventual)
    }

    fn q(pairs: &[(&str, &str)]) -> Result<Query, GraphError> {
        parse(pairs, false)
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
    fn literals_and_lists_as_group_filters_send_them() {
        let g =
            json!({"id": "B2", "displayName": "Platform", "securityEnabled": true, "mail": null});
        let holds = |text: &str| filter(text).unwrap().matches(&g);
        assert!(holds("securityEnabled eq true"));
        assert!(!holds("securityEnabled eq false"));
        assert!(holds("mail eq null"));
        assert!(!holds("displayName eq null"));
        assert!(holds("id in ('a1', 'b2')"));
        assert!(!holds("id in ('a1')"));
    }

    #[test]
    fn count_and_order_are_advanced_queries() {
        let code = |pairs: &[(&str, &str)], eventual: bool| {
            parse(pairs, eventual).map(|_| ()).unwrap_err().code
        };
        assert_eq!(code(&[("$count", "true")], false), "Request_BadRequest");
        assert_eq!(code(&[("$count", "maybe")], true), "BadRequest");
        assert_eq!(
            code(
                &[("$orderby", "displayName"), ("$filter", "id eq 'x'")],
                false
            ),
            "Request_UnsupportedQuery"
        );
        assert_eq!(
            code(&[("$orderby", "jobTitle")], true),
            "Request_UnsupportedQuery"
        );
        assert_eq!(
            code(&[("$orderby", "displayName sideways")], true),
            "Request_UnsupportedQuery"
        );
        assert!(parse(&[("$orderby", "displayName desc")], false).is_ok());
        let advanced = [
            ("$orderby", "displayName"),
            ("$filter", "startswith(displayName,'u')"),
            ("$count", "true"),
        ];
        assert!(parse(&advanced, true).is_ok());

        let items: Vec<Value> = ["b", "C", "a", "d"]
            .iter()
            .enumerate()
            .map(|(i, n)| json!({"id": i.to_string(), "displayName": n}))
            .collect();
        let query = parse(
            &[
                ("$orderby", "displayName desc"),
                ("$count", "true"),
                ("$top", "2"),
            ],
            true,
        )
        .unwrap();
        let page = query.collection(items.clone(), "ctx", "https://h/v1.0/groups");
        assert_eq!(page["@odata.count"], 4);
        let names: Vec<&str> = page["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["displayName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["d", "C"], "sorted without regard to case");
        let next = page["@odata.nextLink"].as_str().unwrap();
        assert!(
            next.contains("%24orderby=displayName%20desc") && next.contains("%24count=true"),
            "{next}"
        );
    }

    #[test]
    fn refuses_what_it_cannot_evaluate() {
        let code = |text: &str| filter(text).map(|_| ()).unwrap_err().code;
        assert_eq!(code("jobTitle eq 'x'"), "Request_UnsupportedQuery");
        for invalid in [
            "displayName ne 'x'",
            "displayName eq 'x",
            "atScope()",
            "securityEnabled ne true",
        ] {
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
