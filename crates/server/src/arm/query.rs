//! ARM query strings: `api-version` (any value accepted, as the contract asks), `$filter` (the shared
//! grammar of `crate::odata`, conditions joined by `and`), `$top` and `$skiptoken` paging with `nextLink`.

use super::path::percent_decode;
use crate::errors::ArmError;
use crate::odata::{Condition, Filter};
use crate::urls;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The decoded query string of one request.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
    raw: String,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k, true), percent_decode(v, true))
            })
            .collect();
        Self {
            pairs,
            raw: raw.unwrap_or_default().to_string(),
        }
    }

    /// The query string as sent.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// A parameter by name; names compare case-insensitively (`$skipToken`, `$skiptoken`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The api-version the client sent; echoed in URLs we return. Never refused.
    pub fn api_version(&self) -> &str {
        self.get("api-version").unwrap_or("2022-12-01")
    }

    pub fn filter(&self) -> Option<&str> {
        self.get("$filter").filter(|f| !f.trim().is_empty())
    }

    /// `$top`: a positive count, or a 400 that says what is wrong.
    pub fn top(&self) -> Result<Option<usize>, ArmError> {
        match self.get("$top") {
            None => Ok(None),
            Some(t) => t
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .map(Some)
                .ok_or_else(|| {
                    ArmError::bad_request(
                        "InvalidTopValue",
                        format!("The value '{t}' of the query parameter '$top' is not a positive integer."),
                    )
                }),
        }
    }

    /// Where the page starts: our `$skiptoken` is the offset of the first item.
    fn skip(&self) -> usize {
        self.get("$skiptoken")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

/// One page of `items` per `$top`/`$skiptoken`, with the `nextLink` for the rest when there is more.
pub fn page<T>(
    mut items: Vec<T>,
    q: &Query,
    base_url: &str,
    path: &str,
) -> Result<(Vec<T>, Option<String>), ArmError> {
    let skip = q.skip().min(items.len());
    let top = q.top()?;
    items.drain(..skip);
    let next = match top {
        Some(n) if items.len() > n => {
            items.truncate(n);
            Some(next_link(q, base_url, path, &(skip + n).to_string(), n))
        }
        _ => None,
    };
    Ok((items, next))
}

fn next_link(q: &Query, base_url: &str, path: &str, token: &str, top: usize) -> String {
    let mut url = format!(
        "{base_url}{path}?api-version={}&$top={top}&$skiptoken={}",
        urls::encode(q.api_version()),
        urls::encode(token)
    );
    if let Some(f) = q.filter() {
        url.push_str("&$filter=");
        url.push_str(&urls::encode(f));
    }
    url
}

/// One page of ARM objects in the order of their `id` (case-insensitive), from where the previous page
/// stopped: the `$skiptoken` names the last id that page held (opaque to clients), so that no item is
/// skipped or shown twice when others come or go between requests. The `nextLink` carries the same
/// `$filter` and `$top`.
pub fn page_by_id(
    mut items: Vec<Value>,
    q: &Query,
    base_url: &str,
    path: &str,
) -> Result<(Vec<Value>, Option<String>), ArmError> {
    let key = |v: &Value| v["id"].as_str().unwrap_or_default().to_lowercase();
    items.sort_by_cached_key(key);
    let top = q.top()?;
    if let Some(token) = q.get("$skiptoken") {
        let after = URL_SAFE_NO_PAD
            .decode(token.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| {
                ArmError::bad_request(
                    "InvalidSkipToken",
                    format!("The skip token '{token}' is not valid: use the nextLink of the previous page."),
                )
            })?;
        let start = items.partition_point(|v| key(v) <= after);
        items.drain(..start);
    }
    let next = match top {
        Some(n) if items.len() > n => {
            items.truncate(n);
            let last = URL_SAFE_NO_PAD.encode(key(&items[n - 1]));
            Some(next_link(q, base_url, path, &last, n))
        }
        _ => None,
    };
    Ok((items, next))
}

/// The conditions of an ARM `$filter`, all joined by `and`: `name eq 'value'`, `function()` or
/// `function('value')`. Which ones a list answers is its own to say (and refuse with
/// [`unsupported_filter`]).
pub fn parse_filter(filter: &str) -> Result<Vec<Condition>, ArmError> {
    Filter::parse(filter)
        .ok()
        .and_then(Filter::into_conjunction)
        .ok_or_else(|| unsupported_filter(filter))
}

pub fn unsupported_filter(filter: &str) -> ArmError {
    ArmError::bad_request(
        "UnsupportedQuery",
        format!("The filter '{filter}' is not supported."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_conjunctions_of_the_shared_grammar() {
        assert_eq!(
            parse_filter("atScope() and assignedTo('abc')")
                .unwrap()
                .len(),
            2
        );
        for bad in [
            "roleName eq Owner",
            "(((",
            "roleName eq 'a' or roleName eq 'b'",
        ] {
            let e = parse_filter(bad).unwrap_err();
            assert_eq!(e.body["error"]["code"], "UnsupportedQuery", "{bad}");
        }
    }

    #[test]
    fn pages_by_id_stay_right_when_items_come_and_go() {
        let items = |ids: &[&str]| -> Vec<Value> {
            ids.iter().map(|i| serde_json::json!({ "id": i })).collect()
        };
        let ids = |v: &[Value]| -> Vec<String> {
            v.iter()
                .map(|i| i["id"].as_str().unwrap().to_string())
                .collect()
        };
        let page_of = |all: &[&str], q: &Query| {
            let (page, next) = page_by_id(items(all), q, "https://h", "/p").unwrap();
            let next = next.map(|n| Query::parse(n.split_once('?').map(|(_, q)| q)));
            (ids(&page), next)
        };
        let q = Query::parse(Some("api-version=1&$top=2&$filter=tagName+eq+%27x%27"));
        let (first, next) = page_of(&["/c", "/A", "/b", "/d", "/e"], &q);
        assert_eq!(first, ["/A", "/b"]);
        let q2 = next.unwrap();
        assert_eq!(q2.filter(), Some("tagName eq 'x'"));
        // "/b" went and "/a0" came before the token's place: the next page starts after "/b" still.
        let (second, next) = page_of(&["/a", "/a0", "/c", "/d", "/e"], &q2);
        assert_eq!(second, ["/c", "/d"]);
        let (third, next) = page_of(&["/a", "/c", "/d", "/e"], &next.unwrap());
        assert_eq!(third, ["/e"]);
        assert!(next.is_none());
        let bad = Query::parse(Some("$skiptoken=%%%"));
        let e = page_by_id(items(&["/a"]), &bad, "", "").unwrap_err();
        assert_eq!(e.body["error"]["code"], "InvalidSkipToken");
    }

    #[test]
    fn pages_with_next_links() {
        let q = Query::parse(Some(
            "api-version=2024-11-01&%24top=2&$filter=tagName+eq+%27x%27",
        ));
        let (items, next) = page(vec![1, 2, 3, 4, 5], &q, "https://h", "/p").unwrap();
        assert_eq!(items, [1, 2]);
        let next = next.unwrap();
        assert!(next.starts_with("https://h/p?api-version=2024-11-01&$top=2&$skiptoken=2"));
        let q2 = Query::parse(next.split_once('?').map(|(_, q)| q));
        assert_eq!(q2.filter(), Some("tagName eq 'x'"));
        let (items, next) = page(vec![1, 2, 3, 4, 5], &q2, "https://h", "/p").unwrap();
        assert_eq!(items, [3, 4]);
        assert!(next.is_some());
        let bad = Query::parse(Some("$top=-1"));
        assert!(page(vec![1], &bad, "", "").is_err());
    }
}
