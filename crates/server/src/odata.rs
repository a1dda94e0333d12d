//! The one OData `$filter` grammar of every face. ARM (`arm::query`), Graph (`graph::odata`) and the
//! audit query (`extensions::audit`) parse with [`Filter::parse`]; each then says which conditions it
//! answers and refuses the others in its own wire format, so a filter that parses on one face parses on
//! all of them.
//!
//! Grammar: conditions joined by `and` and `or` (`and` binds tighter; no parentheses), each one of
//! - `property op 'value'`, `op` one of `eq`, `ne`, `gt`, `ge`, `lt`, `le`;
//! - `property op true`, `false` or `null` (unquoted: Graph's `securityEnabled eq true`);
//! - `property in ('value', …)`;
//! - `startswith(property,'value')`;
//! - `property/any(x:x eq 'value')`, on a collection of strings;
//! - `function()` or `function('value')` (ARM's `atScope()`, `assignedTo('…')`).
//!
//! Values are single-quoted strings, a doubled quote standing for one; keywords, operators and function
//! names compare case-insensitively.
//!
//! Also here, for the links the faces build back to a query (ARM's `nextLink`, Graph's
//! `@odata.nextLink`): reading a system query option and encoding a query component.

use std::collections::HashMap;
use std::fmt;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    const ALL: [(&'static str, Op); 6] = [
        ("eq", Op::Eq),
        ("ne", Op::Ne),
        ("gt", Op::Gt),
        ("ge", Op::Ge),
        ("lt", Op::Lt),
        ("le", Op::Le),
    ];

    fn parse(word: &str) -> Option<Op> {
        Self::ALL
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(word))
            .map(|(_, op)| *op)
    }

    fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, op)| *op == self)
            .map_or("eq", |(w, _)| w)
    }
}

/// One condition of a `$filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `property op 'value'`.
    Compare {
        property: String,
        op: Op,
        value: String,
    },
    /// `property op true|false|null`.
    Literal {
        property: String,
        op: Op,
        value: Literal,
    },
    /// `property in ('a', 'b')`: one of the values.
    In {
        property: String,
        values: Vec<String>,
    },
    /// `startswith(property,'value')`.
    StartsWith { property: String, value: String },
    /// `property/any(x:x eq 'value')`.
    AnyEq { property: String, value: String },
    /// `name()` or `name('arg')`.
    Call { name: String, arg: Option<String> },
}

impl Condition {
    /// The property the condition tests (none for a function call).
    pub fn property(&self) -> Option<&str> {
        match self {
            Condition::Compare { property, .. }
            | Condition::Literal { property, .. }
            | Condition::In { property, .. }
            | Condition::StartsWith { property, .. }
            | Condition::AnyEq { property, .. } => Some(property),
            Condition::Call { .. } => None,
        }
    }
}

/// An unquoted value of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literal {
    Bool(bool),
    Null,
}

impl Literal {
    fn parse(word: &str) -> Option<Literal> {
        match word.to_ascii_lowercase().as_str() {
            "true" => Some(Literal::Bool(true)),
            "false" => Some(Literal::Bool(false)),
            "null" => Some(Literal::Null),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Literal::Bool(true) => "true",
            Literal::Bool(false) => "false",
            Literal::Null => "null",
        }
    }
}

/// `'value'`, with its quotes doubled.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}'", self.0.replace('\'', "''"))
    }
}

/// The condition as a client would write it (for refusals that name it).
impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Compare {
                property,
                op,
                value,
            } => write!(f, "{property} {} {}", op.as_str(), Quoted(value)),
            Condition::Literal {
                property,
                op,
                value,
            } => write!(f, "{property} {} {}", op.as_str(), value.as_str()),
            Condition::In { property, values } => {
                let quoted: Vec<String> = values.iter().map(|v| Quoted(v).to_string()).collect();
                write!(f, "{property} in ({})", quoted.join(", "))
            }
            Condition::StartsWith { property, value } => {
                write!(f, "startswith({property},{})", Quoted(value))
            }
            Condition::AnyEq { property, value } => {
                write!(f, "{property}/any(x:x eq {})", Quoted(value))
            }
            Condition::Call { name, arg: None } => write!(f, "{name}()"),
            Condition::Call {
                name,
                arg: Some(arg),
            } => write!(f, "{name}({})", Quoted(arg)),
        }
    }
}

/// A `$filter` in disjunctive form: it holds when all the conditions of any one group hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    groups: Vec<Vec<Condition>>,
}

/// A `$filter` that is not in the grammar. Each face words its own refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError;

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, SyntaxError> {
        let tokens = tokenize(text)?;
        let mut groups = vec![vec![]];
        let mut rest = tokens.as_slice();
        loop {
            let (condition, after) = condition(rest)?;
            if let Some(group) = groups.last_mut() {
                group.push(condition);
            }
            match after {
                [] => break,
                [Token::Word(w), more @ ..] if w.eq_ignore_ascii_case("and") => rest = more,
                [Token::Word(w), more @ ..] if w.eq_ignore_ascii_case("or") => {
                    groups.push(vec![]);
                    rest = more;
                }
                _ => return Err(SyntaxError),
            }
        }
        Ok(Filter { groups })
    }

    /// The groups of conditions joined by `or`, each a list joined by `and`.
    pub fn groups(&self) -> &[Vec<Condition>] {
        &self.groups
    }

    /// Every condition, whichever group it is in.
    pub fn conditions(&self) -> impl Iterator<Item = &Condition> {
        self.groups.iter().flatten()
    }

    /// The conditions when they are all joined by `and` (what ARM and the audit query answer); `None`
    /// when the filter has an `or`.
    pub fn into_conjunction(self) -> Option<Vec<Condition>> {
        let mut groups = self.groups;
        match groups.len() {
            1 => groups.pop(),
            _ => None,
        }
    }
}

/// A system query option (`$filter`, `$top`, …) by name, with or without its `$` and whatever its case,
/// as ARM and Graph both accept them.
pub fn option<'a>(params: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    let name = name.trim_start_matches('$');
    params
        .iter()
        .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
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

fn tokenize(text: &str) -> Result<Vec<Token>, SyntaxError> {
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
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        Some('\'') => break,
                        Some(ch) => s.push(ch),
                        None => return Err(SyntaxError),
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

/// The condition at the start of `tokens`, and the tokens after it.
fn condition(tokens: &[Token]) -> Result<(Condition, &[Token]), SyntaxError> {
    use Token::*;
    let found = match tokens {
        [Word(f), Open, Word(p), Comma, Str(v), Close, rest @ ..]
            if f.eq_ignore_ascii_case("startswith") =>
        {
            let c = Condition::StartsWith {
                property: p.clone(),
                value: v.clone(),
            };
            (c, rest)
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
            let c = Condition::AnyEq {
                property: head[..head.len() - "/any".len()].to_string(),
                value: v.clone(),
            };
            (c, rest)
        }
        [Word(name), Open, Close, rest @ ..] => {
            let c = Condition::Call {
                name: name.clone(),
                arg: None,
            };
            (c, rest)
        }
        [Word(name), Open, Str(arg), Close, rest @ ..] => {
            let c = Condition::Call {
                name: name.clone(),
                arg: Some(arg.clone()),
            };
            (c, rest)
        }
        [Word(p), Word(op), Str(v), rest @ ..] => {
            let c = Condition::Compare {
                property: p.clone(),
                op: Op::parse(op).ok_or(SyntaxError)?,
                value: v.clone(),
            };
            (c, rest)
        }
        [Word(p), Word(op), Word(v), rest @ ..] => {
            let c = Condition::Literal {
                property: p.clone(),
                op: Op::parse(op).ok_or(SyntaxError)?,
                value: Literal::parse(v).ok_or(SyntaxError)?,
            };
            (c, rest)
        }
        [Word(p), Word(keyword), Open, rest @ ..] if keyword.eq_ignore_ascii_case("in") => {
            let (values, rest) = string_list(rest)?;
            let c = Condition::In {
                property: p.clone(),
                values,
            };
            (c, rest)
        }
        _ => return Err(SyntaxError),
    };
    Ok(found)
}

/// `'a', 'b')`: one or more strings separated by commas up to the closing parenthesis, and the tokens
/// after it.
fn string_list(mut tokens: &[Token]) -> Result<(Vec<String>, &[Token]), SyntaxError> {
    let mut values = Vec::new();
    loop {
        match tokens {
            [Token::Str(v), Token::Comma, rest @ ..] => {
                values.push(v.clone());
                tokens = rest;
            }
            [Token::Str(v), Token::Close, rest @ ..] => {
                values.push(v.clone());
                return Ok((values, rest));
            }
            _ => return Err(SyntaxError),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(property: &str, value: &str) -> Condition {
        Condition::Compare {
            property: property.into(),
            op: Op::Eq,
            value: value.into(),
        }
    }

    fn conjunction(text: &str) -> Vec<Condition> {
        Filter::parse(text).unwrap().into_conjunction().unwrap()
    }

    #[test]
    fn what_the_faces_send() {
        // ARM (az role assignment list, az group list --tag).
        assert_eq!(
            conjunction("roleName eq 'Owner'"),
            [eq("roleName", "Owner")]
        );
        assert_eq!(
            conjunction("atScope() and assignedTo('abc')"),
            [
                Condition::Call {
                    name: "atScope".into(),
                    arg: None
                },
                Condition::Call {
                    name: "assignedTo".into(),
                    arg: Some("abc".into())
                }
            ]
        );
        assert_eq!(
            conjunction("tagName eq 'a and b' AND tagValue eq 'it''s'"),
            [eq("tagName", "a and b"), eq("tagValue", "it's")]
        );
        // Graph.
        let f = Filter::parse(
            "startswith(displayName,'al') or servicePrincipalNames/any(c:c eq 'https://ci')",
        )
        .unwrap();
        assert_eq!(
            f.groups(),
            [
                vec![Condition::StartsWith {
                    property: "displayName".into(),
                    value: "al".into()
                }],
                vec![Condition::AnyEq {
                    property: "servicePrincipalNames".into(),
                    value: "https://ci".into()
                }]
            ]
        );
        assert_eq!(f.clone().into_conjunction(), None);
        assert_eq!(f.conditions().count(), 2);
        // Graph's groups: unquoted literals and `in`.
        assert_eq!(
            conjunction("securityEnabled eq TRUE and mail eq null and id in ('a', 'b''c')"),
            [
                Condition::Literal {
                    property: "securityEnabled".into(),
                    op: Op::Eq,
                    value: Literal::Bool(true)
                },
                Condition::Literal {
                    property: "mail".into(),
                    op: Op::Eq,
                    value: Literal::Null
                },
                Condition::In {
                    property: "id".into(),
                    values: vec!["a".into(), "b'c".into()]
                }
            ]
        );
        // The audit query.
        assert_eq!(
            conjunction("eventTimestamp GE '2026-11-27T08:00:00Z'"),
            [Condition::Compare {
                property: "eventTimestamp".into(),
                op: Op::Ge,
                value: "2026-11-27T08:00:00Z".into()
            }]
        );
    }

    #[test]
    fn what_is_not_in_the_grammar() {
        for bad in [
            "",
            "roleName eq Owner",
            "roleName eq 'Owner",
            "roleName like 'Owner'",
            "(((",
            "a eq 'x' b eq 'y'",
            "a eq 'x' and",
            "startswith(displayName)",
            "securityEnabled eq yes",
            "id in ()",
            "id in ('a' 'b')",
            "id in ('a',",
        ] {
            assert_eq!(Filter::parse(bad), Err(SyntaxError), "{bad}");
        }
    }

    #[test]
    fn conditions_read_back_as_written() {
        for text in [
            "caller ne 'O''Brien'",
            "startswith(operationName,'Microsoft.Authorization/')",
            "servicePrincipalNames/any(x:x eq 'https://ci')",
            "atScope()",
            "assignedTo('abc')",
            "securityEnabled eq false",
            "id in ('a', 'it''s')",
        ] {
            let c = conjunction(text);
            assert_eq!(c[0].to_string(), text);
            assert_eq!(Filter::parse(&c[0].to_string()).unwrap().groups(), [c]);
        }
    }

    #[test]
    fn options_with_or_without_their_dollar() {
        let params = HashMap::from([
            ("$Filter".to_string(), "a eq 'b'".to_string()),
            ("top".to_string(), "5".to_string()),
        ]);
        assert_eq!(option(&params, "filter"), Some("a eq 'b'"));
        assert_eq!(option(&params, "$top"), Some("5"));
        assert_eq!(option(&params, "select"), None);
    }
}
