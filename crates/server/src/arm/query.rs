//! ARM query strings: `api-version` (any value accepted, as the contract asks), OData-style `$filter`
//! clauses joined by `and`, `$top` and `$skiptoken` paging with `nextLink`.

use super::path::percent_decode;
use crate::errors::ArmError;

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
            Some(next_link(q, base_url, path, skip + n, n))
        }
        _ => None,
    };
    Ok((items, next))
}

fn next_link(q: &Query, base_url: &str, path: &str, skip: usize, top: usize) -> String {
    let mut url = format!(
        "{base_url}{path}?api-version={}&$top={top}&$skiptoken={skip}",
        encode(q.api_version())
    );
    if let Some(f) = q.filter() {
        url.push_str("&$filter=");
        url.push_str(&encode(f));
    }
    url
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One clause of a `$filter`: `name eq 'value'` or `function('arg')` / `function()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    Eq { field: String, value: String },
    Call { name: String, arg: Option<String> },
}

/// Parses `a eq 'x' and f('y') and g()`. Values are single-quoted, `''` escaping a quote.
pub fn parse_filter(filter: &str) -> Result<Vec<Clause>, ArmError> {
    split_and(filter)
        .iter()
        .map(|term| parse_clause(term).ok_or_else(|| unsupported_filter(filter)))
        .collect()
}

pub fn unsupported_filter(filter: &str) -> ArmError {
    ArmError::bad_request(
        "UnsupportedQuery",
        format!("The filter '{filter}' is not supported."),
    )
}

/// Splits on ` and ` outside quotes.
fn split_and(filter: &str) -> Vec<String> {
    let mut terms = vec![String::new()];
    let mut in_quote = false;
    let chars: Vec<char> = filter.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            in_quote = !in_quote;
        }
        let rest: String = chars[i..chars.len().min(i + 5)].iter().collect();
        if !in_quote && rest.eq_ignore_ascii_case(" and ") {
            terms.push(String::new());
            i += 5;
            continue;
        }
        terms.last_mut().expect("one term").push(c);
        i += 1;
    }
    terms.into_iter().map(|t| t.trim().to_string()).collect()
}

fn parse_clause(term: &str) -> Option<Clause> {
    if let Some(open) = term.find('(')
        && term.ends_with(')')
        && !term[..open].contains(' ')
    {
        let inner = term[open + 1..term.len() - 1].trim();
        let arg = if inner.is_empty() {
            None
        } else {
            Some(unquote(inner)?)
        };
        return Some(Clause::Call {
            name: term[..open].trim().to_string(),
            arg,
        });
    }
    let (field, value) = split_eq(term)?;
    Some(Clause::Eq {
        field: field.to_string(),
        value: unquote(value)?,
    })
}

fn split_eq(term: &str) -> Option<(&str, &str)> {
    let lower = term.to_ascii_lowercase();
    let at = lower.find(" eq ")?;
    Some((term[..at].trim(), term[at + 4..].trim()))
}

fn unquote(v: &str) -> Option<String> {
    let v = v.trim();
    if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        Some(v[1..v.len() - 1].replace("''", "'"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_filters() {
        assert_eq!(
            parse_filter("roleName eq 'Owner'").unwrap(),
            [Clause::Eq {
                field: "roleName".into(),
                value: "Owner".into()
            }]
        );
        assert_eq!(
            parse_filter("atScope() and assignedTo('abc')").unwrap(),
            [
                Clause::Call {
                    name: "atScope".into(),
                    arg: None
                },
                Clause::Call {
                    name: "assignedTo".into(),
                    arg: Some("abc".into())
                }
            ]
        );
        assert_eq!(
            parse_filter("tagName eq 'a and b' AND tagValue eq 'it''s'").unwrap(),
            [
                Clause::Eq {
                    field: "tagName".into(),
                    value: "a and b".into()
                },
                Clause::Eq {
                    field: "tagValue".into(),
                    value: "it's".into()
                }
            ]
        );
        assert!(parse_filter("roleName eq Owner").is_err());
        assert!(parse_filter("(((").is_err());
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
