//! Encoding domain values into the portable column types (TEXT, BIGINT) and decoding rows back.
//! Every decode failure names its table and column and becomes [`StoreError::Corrupt`]: a bad row must
//! never panic a server.

use crate::error::{StoreError, StoreResult};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::{Any, AnyArguments, AnyRow};
use sqlx::query::Query;
use uuid::Uuid;

/// One bound parameter. The `Any` driver only carries a few types; these are the ones the schema uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Value {
    Text(String),
    Int(i64),
    NullText,
    NullInt,
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Text(s.clone())
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
/// Flags are 0/1 BIGINTs: `Any` over SQLite cannot decode BOOLEAN.
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Int(i64::from(b))
    }
}
impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Self {
        s.map_or(Value::NullText, Value::Text)
    }
}
impl From<Option<&str>> for Value {
    fn from(s: Option<&str>) -> Self {
        s.map_or(Value::NullText, |s| Value::Text(s.to_string()))
    }
}
impl From<Option<i64>> for Value {
    fn from(i: Option<i64>) -> Self {
        i.map_or(Value::NullInt, Value::Int)
    }
}

/// The domain's id newtypes (and plain GUIDs), as the GUID they wrap.
pub(crate) trait Guid: Copy {
    fn guid(self) -> Uuid;
}

impl Guid for Uuid {
    fn guid(self) -> Uuid {
        self
    }
}

macro_rules! guid_ids {
    ($($t:ty),*) => {
        $(impl Guid for $t {
            fn guid(self) -> Uuid {
                self.0
            }
        })*
    };
}
guid_ids!(
    tenantry_domain::AccountId,
    tenantry_domain::TenantId,
    tenantry_domain::ObjectId,
    tenantry_domain::SubscriptionId,
    tenantry_domain::RoleDefinitionId,
    tenantry_domain::RoleAssignmentId,
    tenantry_domain::RequestId
);

/// Ids are stored as lowercase hyphenated GUIDs, the form Azure shows.
pub(crate) fn id(u: impl Guid) -> Value {
    Value::Text(id_text(u))
}

/// An id's stored text.
pub(crate) fn id_text(u: impl Guid) -> String {
    u.guid().hyphenated().to_string()
}

pub(crate) fn opt_id(u: Option<impl Guid>) -> Value {
    u.map_or(Value::NullText, id)
}

pub(crate) fn json<T: Serialize + ?Sized>(v: &T) -> StoreResult<Value> {
    json_text(v).map(Value::Text)
}

/// A value's stored JSON text.
pub(crate) fn json_text<T: Serialize + ?Sized>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode a value as JSON: {e}")))
}

pub(crate) fn opt_json<T: Serialize>(v: Option<&T>) -> StoreResult<Value> {
    match v {
        Some(v) => json(v),
        None => Ok(Value::NullText),
    }
}

pub(crate) fn bind<'q>(q: Query<'q, Any, AnyArguments>, v: Value) -> Query<'q, Any, AnyArguments> {
    match v {
        Value::Text(s) => q.bind(s),
        Value::Int(i) => q.bind(i),
        // Typed NULLs: PostgreSQL needs to know the parameter's type.
        Value::NullText => q.bind(None::<String>),
        Value::NullInt => q.bind(None::<i64>),
    }
}

pub(crate) fn bind_all<'q>(
    mut q: Query<'q, Any, AnyArguments>,
    values: impl IntoIterator<Item = Value>,
) -> Query<'q, Any, AnyArguments> {
    for v in values {
        q = bind(q, v);
    }
    q
}

/// Bad data in column `col` of `table`: where it is, and why.
pub(crate) fn corrupt(table: &str, col: &str, why: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{table}.{col}: {why}"))
}

/// A 0/1 flag of column `col` of `table`.
pub(crate) fn flag(table: &str, col: &str, v: i64) -> StoreResult<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(corrupt(table, col, format!("{other} is not a 0/1 flag"))),
    }
}

/// Typed access to the columns of one row, with errors that say where the bad data is.
pub(crate) struct Cols<'r> {
    row: &'r AnyRow,
    table: &'static str,
}

impl<'r> Cols<'r> {
    pub(crate) fn new(row: &'r AnyRow, table: &'static str) -> Self {
        Self { row, table }
    }

    pub(crate) fn corrupt(&self, col: &str, why: impl std::fmt::Display) -> StoreError {
        corrupt(self.table, col, why)
    }

    /// A text column borrowed from the row (no copy).
    pub(crate) fn str(&self, col: &str) -> StoreResult<&'r str> {
        self.row
            .try_get::<&str, _>(col)
            .map_err(|e| self.corrupt(col, e))
    }

    /// A nullable text column borrowed from the row.
    pub(crate) fn opt_str(&self, col: &str) -> StoreResult<Option<&'r str>> {
        self.row
            .try_get::<Option<&str>, _>(col)
            .map_err(|e| self.corrupt(col, e))
    }

    pub(crate) fn text(&self, col: &str) -> StoreResult<String> {
        self.row
            .try_get::<String, _>(col)
            .map_err(|e| self.corrupt(col, e))
    }

    pub(crate) fn opt_text(&self, col: &str) -> StoreResult<Option<String>> {
        self.row
            .try_get::<Option<String>, _>(col)
            .map_err(|e| self.corrupt(col, e))
    }

    pub(crate) fn int(&self, col: &str) -> StoreResult<i64> {
        self.row
            .try_get::<i64, _>(col)
            .map_err(|e| self.corrupt(col, e))
    }

    pub(crate) fn opt_int(&self, col: &str) -> StoreResult<Option<i64>> {
        self.row
            .try_get::<Option<i64>, _>(col)
            .map_err(|e| self.corrupt(col, e))
    }

    pub(crate) fn flag(&self, col: &str) -> StoreResult<bool> {
        flag(self.table, col, self.int(col)?)
    }

    pub(crate) fn uuid(&self, col: &str) -> StoreResult<Uuid> {
        let s = self.str(col)?;
        Uuid::parse_str(s).map_err(|e| self.corrupt(col, format!("'{s}' is not a GUID: {e}")))
    }

    pub(crate) fn id<T: From<Uuid>>(&self, col: &str) -> StoreResult<T> {
        self.uuid(col).map(T::from)
    }

    pub(crate) fn opt_id<T: From<Uuid>>(&self, col: &str) -> StoreResult<Option<T>> {
        match self.opt_str(col)? {
            None => Ok(None),
            Some(s) => Uuid::parse_str(s)
                .map(|u| Some(T::from(u)))
                .map_err(|e| self.corrupt(col, format!("'{s}' is not a GUID: {e}"))),
        }
    }

    pub(crate) fn json<T: DeserializeOwned>(&self, col: &str) -> StoreResult<T> {
        let s = self.str(col)?;
        serde_json::from_str(s).map_err(|e| self.corrupt(col, format!("bad JSON: {e}")))
    }

    pub(crate) fn opt_json<T: DeserializeOwned>(&self, col: &str) -> StoreResult<Option<T>> {
        match self.opt_str(col)? {
            None => Ok(None),
            Some(s) => serde_json::from_str(s)
                .map(Some)
                .map_err(|e| self.corrupt(col, format!("bad JSON: {e}"))),
        }
    }

    /// A scope as ARM writes it, parsed again (which also restores its lowercase key).
    pub(crate) fn scope(&self, col: &str) -> StoreResult<tenantry_domain::Scope> {
        let s = self.str(col)?;
        tenantry_domain::Scope::parse(s).map_err(|e| self.corrupt(col, e.message))
    }

    /// A text column holding one of an enum's names, parsed by the domain's own `parse`.
    pub(crate) fn parsed<T>(
        &self,
        col: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> StoreResult<T> {
        let s = self.str(col)?;
        parse(s).ok_or_else(|| self.corrupt(col, format!("unknown value '{s}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lowercase_hyphenated() {
        let u = Uuid::parse_str("5B5C0000-0000-4000-8000-000000000001").unwrap();
        assert_eq!(
            id(u),
            Value::Text("5b5c0000-0000-4000-8000-000000000001".into())
        );
        assert_eq!(opt_id(None::<Uuid>), Value::NullText);
    }

    #[test]
    fn flags_are_integers() {
        assert_eq!(Value::from(true), Value::Int(1));
        assert_eq!(Value::from(false), Value::Int(0));
    }
}
