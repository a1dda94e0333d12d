//! Personal accounts: one row each, found by their lowercase email.

use crate::batch::{Op, Table, select};
use crate::codec::{Cols, Value, id};
use crate::error::StoreResult;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use tenantry_domain::{AccountId, PersonalAccount};

pub(crate) static ACCOUNTS: Table = Table {
    name: "accounts",
    columns: &[
        "id",
        "email",
        "email_key",
        "display_name",
        "password_hash",
        "enabled",
        "created",
    ],
    key_len: 1,
};

pub(crate) fn put(a: &PersonalAccount) -> Op {
    Op::upsert(
        &ACCOUNTS,
        vec![
            id(a.id),
            Value::from(&a.email),
            // The world indexes emails by `to_lowercase`; the unique key must agree with it.
            Value::from(a.email.to_lowercase()),
            Value::from(&a.display_name),
            Value::from(&a.password_hash),
            Value::from(a.enabled),
            Value::from(a.created),
        ],
    )
}

pub(crate) fn delete(account: AccountId) -> Op {
    Op::DeleteIn {
        table: ACCOUNTS.name,
        fixed: vec![],
        column: "id",
        keys: vec![id(account)],
    }
}

fn decode(row: &AnyRow) -> StoreResult<PersonalAccount> {
    let c = Cols::new(row, ACCOUNTS.name);
    Ok(PersonalAccount {
        id: c.id("id")?,
        email: c.text("email")?,
        display_name: c.text("display_name")?,
        password_hash: c.text("password_hash")?,
        enabled: c.flag("enabled")?,
        created: c.int("created")?,
    })
}

/// Every account, or the one with `only`'s id.
pub(crate) async fn load(
    conn: &mut AnyConnection,
    only: Option<AccountId>,
) -> StoreResult<Vec<PersonalAccount>> {
    let rows = select(conn, &ACCOUNTS, only.map(|a| ("id", id(a)))).await?;
    rows.iter().map(decode).collect()
}
