//! What lives in a tenant: users (members and guests), applications with their service principals,
//! directory role memberships, invitations and directory link requests (groups are in `groups`).

use crate::batch::{Op, Table, select, select_each};
use crate::codec::{Cols, Value, bind_all, corrupt, flag, id, json, opt_id, opt_json};
use crate::error::{StoreError, StoreResult};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};
use std::borrow::Cow;
use tenantry_domain::{
    Application, DirectoryLinkRequest, DirectoryRole, GroupMembershipClaims, GuestState,
    Invitation, ObjectId, RequestStatus, TenantId, User, UserKind,
};

pub(crate) static USERS: Table = Table {
    name: "users",
    columns: &[
        "id",
        "tenant_id",
        "display_name",
        "enabled",
        "member",
        "upn",
        "upn_key",
        "mail",
        "mail_key",
        "password_hash",
        "guest_home",
        "guest_state",
        "created",
        "given_name",
        "surname",
    ],
    key_len: 1,
};

pub(crate) static APPLICATIONS: Table = Table {
    name: "applications",
    columns: &[
        "id",
        "tenant_id",
        "client_id",
        "display_name",
        "secrets",
        "redirect_uris",
        "group_membership_claims",
        "federated_credentials",
        "created",
        "managed_identity",
        "certificates",
        "object_id",
    ],
    key_len: 1,
};

pub(crate) static ROLE_MEMBERS: Table = Table {
    name: "directory_role_members",
    columns: &["tenant_id", "role", "principal_id"],
    key_len: 3,
};

pub(crate) static INVITATIONS: Table = Table {
    name: "invitations",
    columns: &[
        "id",
        "tenant_id",
        "email",
        "guest_id",
        "invited_by",
        "status",
        "created",
    ],
    key_len: 1,
};

pub(crate) static LINK_REQUESTS: Table = Table {
    name: "link_requests",
    columns: &[
        "id",
        "tenant_id",
        "subscription_id",
        "requester",
        "status",
        "created",
        "expires",
        "decided_by",
    ],
    key_len: 1,
};

pub(crate) fn tenant_filter(only: Option<TenantId>) -> Option<(&'static str, Value)> {
    only.map(|t| ("tenant_id", id(t)))
}

// ----- users -----

fn guest_state_name(s: GuestState) -> &'static str {
    match s {
        GuestState::PendingAcceptance => "pendingAcceptance",
        GuestState::Accepted => "accepted",
    }
}

fn parse_guest_state(s: &str) -> Option<GuestState> {
    match s {
        "pendingAcceptance" => Some(GuestState::PendingAcceptance),
        "accepted" => Some(GuestState::Accepted),
        _ => None,
    }
}

pub(crate) fn put_user(u: &User) -> StoreResult<Op> {
    let head = [
        id(u.id),
        id(u.tenant),
        Value::from(&u.display_name),
        Value::from(u.enabled),
    ];
    let tail: [Value; 8] = match &u.kind {
        UserKind::Member {
            upn,
            mail,
            password_hash,
        } => [
            Value::from(true),
            Value::from(upn),
            // Only members' UPNs are unique across tenants (see the migration).
            Value::from(upn.to_lowercase()),
            Value::from(mail.clone()),
            Value::from(mail.as_ref().map(|m| m.to_lowercase())),
            Value::from(password_hash),
            Value::NullText,
            Value::NullText,
        ],
        UserKind::Guest {
            email,
            upn,
            home,
            state,
        } => [
            Value::from(false),
            Value::from(upn),
            Value::NullText,
            Value::from(email),
            Value::from(email.to_lowercase()),
            Value::NullText,
            opt_json(home.as_ref())?,
            Value::from(guest_state_name(*state)),
        ],
    };
    let mut values: Vec<Value> = head.into_iter().chain(tail).collect();
    values.push(Value::from(u.created));
    values.push(Value::from(u.given_name.clone()));
    values.push(Value::from(u.surname.clone()));
    Ok(Op::upsert(&USERS, values))
}

/// The user with its directory role memberships, group memberships and group ownerships, as the world
/// drops them all.
pub(crate) fn delete_user(tenant: TenantId, user: ObjectId) -> Vec<Op> {
    delete_principal(USERS.name, tenant, user)
}

/// The row of a principal in `table`, and whatever names it: its directory roles, its memberships in
/// groups and the groups it owns.
pub(crate) fn delete_principal(
    table: &'static str,
    tenant: TenantId,
    principal: ObjectId,
) -> Vec<Op> {
    vec![
        Op::Exec {
            sql: "DELETE FROM directory_role_members WHERE tenant_id = $1 AND principal_id = $2",
            args: vec![id(tenant), id(principal)],
        },
        Op::Exec {
            sql: "DELETE FROM group_members WHERE tenant_id = $1 AND member_id = $2",
            args: vec![id(tenant), id(principal)],
        },
        Op::Exec {
            sql: "DELETE FROM group_owners WHERE tenant_id = $1 AND owner_id = $2",
            args: vec![id(tenant), id(principal)],
        },
        Op::Exec {
            sql: "DELETE FROM management_group_role_assignments WHERE tenant_id = $1 AND principal_id = $2",
            args: vec![id(tenant), id(principal)],
        },
        Op::DeleteIn {
            table,
            fixed: vec![("tenant_id", id(tenant))],
            column: "id",
            keys: vec![id(principal)],
        },
    ]
}

/// A user's columns in the order of [`USER_COLUMNS`]: what an element of a packed row's array holds
/// on SQLite, and what a row gives on PostgreSQL.
#[derive(serde::Deserialize)]
struct UserFields<'a>(
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    i64,
    i64,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    i64,
    Option<String>,
    Option<String>,
);

const USER_COLUMNS: &str = "tenant_id, id, display_name, enabled, member, upn, mail, password_hash, guest_home, guest_state, created, given_name, surname";

/// Users in one packed row on SQLite: a few hundred kilobytes of JSON, where a directory's hundred
/// thousand users in one row held 25 MB, which the allocator kept after the load.
const USERS_PER_PACKED_ROW: i64 = 4096;

fn corrupt_user(col: &str, why: impl std::fmt::Display) -> StoreError {
    corrupt(USERS.name, col, why)
}

fn user_from(f: UserFields<'_>) -> StoreResult<User> {
    let UserFields(
        tenant,
        object,
        display_name,
        enabled,
        member,
        upn,
        mail,
        password_hash,
        guest_home,
        guest_state,
        created,
        given_name,
        surname,
    ) = f;
    let required = |col: &str, v: Option<Cow<'_, str>>| {
        v.map(Cow::into_owned)
            .ok_or_else(|| corrupt_user(col, "NULL where a value is required"))
    };
    let kind = if flag(USERS.name, "member", member)? {
        UserKind::Member {
            upn: upn.into_owned(),
            mail: mail.map(Cow::into_owned),
            password_hash: required("password_hash", password_hash)?,
        }
    } else {
        UserKind::Guest {
            email: required("mail", mail)?,
            upn: upn.into_owned(),
            home: guest_home
                .map(|h| serde_json::from_str(&h))
                .transpose()
                .map_err(|e| corrupt_user("guest_home", format!("bad JSON: {e}")))?,
            state: guest_state
                .as_deref()
                .and_then(parse_guest_state)
                .ok_or_else(|| {
                    let state = guest_state.as_deref().unwrap_or("NULL");
                    corrupt_user("guest_state", format!("unknown value '{state}'"))
                })?,
        }
    };
    let guid = |col: &str, v: &str| {
        v.parse::<uuid::Uuid>()
            .map_err(|e| corrupt_user(col, format!("'{v}': {e}")))
    };
    Ok(User {
        id: guid("id", &object)?.into(),
        tenant: guid("tenant_id", &tenant)?.into(),
        display_name: display_name.into_owned(),
        enabled: flag(USERS.name, "enabled", enabled)?,
        given_name,
        surname,
        kind,
        created,
    })
}

fn decode_user(row: &AnyRow) -> StoreResult<User> {
    let c = Cols::new(row, USERS.name);
    let text = |col: &str| c.opt_text(col).map(|t| t.map(Cow::Owned));
    user_from(UserFields(
        Cow::Borrowed(c.str("tenant_id")?),
        Cow::Borrowed(c.str("id")?),
        Cow::Owned(c.text("display_name")?),
        c.int("enabled")?,
        c.int("member")?,
        Cow::Owned(c.text("upn")?),
        text("mail")?,
        text("password_hash")?,
        text("guest_home")?,
        text("guest_state")?,
        c.int("created")?,
        c.opt_text("given_name")?,
        c.opt_text("surname")?,
    ))
}

/// Every user (or those of `only`), handed to `each` as it is decoded. On SQLite they come a few
/// thousand at a time, each row of the query carrying them as a JSON array of arrays, as role
/// assignments do (`access.rs`): a hundred thousand users crossing the driver row by row were a hop
/// each between the SQLite driver's thread and ours, and their load took 0.75 s where it now takes
/// 0.3 s (`benches/scale.rs` of the binary). PostgreSQL's driver runs in our task, and takes them row
/// by row.
pub(crate) async fn each_user(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
    mut each: impl FnMut(User) -> StoreResult<()>,
) -> StoreResult<()> {
    if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        return select_each(conn, &USERS, tenant_filter(only), |row| {
            each(decode_user(row)?)
        })
        .await;
    }
    let filter = if only.is_some() {
        " AND tenant_id = $2"
    } else {
        ""
    };
    // In the table's own order, from the row after the last one read.
    let sql = format!(
        "SELECT max(r) AS last, json_group_array(json_array({USER_COLUMNS})) AS users \
         FROM (SELECT rowid AS r, {USER_COLUMNS} FROM users WHERE rowid > $1{filter} \
         ORDER BY rowid LIMIT {USERS_PER_PACKED_ROW})"
    );
    let mut after = 0i64;
    loop {
        // Built from fixed names and a number of ours; the values are bound.
        let query = sqlx::query(AssertSqlSafe(sql.clone())).bind(after);
        let row = bind_all(query, only.map(id)).fetch_one(&mut *conn).await?;
        let c = Cols::new(&row, USERS.name);
        let Some(last) = c.opt_int("last")? else {
            return Ok(());
        };
        let packed: Vec<UserFields<'_>> = serde_json::from_str(c.str("users")?)
            .map_err(|e| c.corrupt("users", format!("bad JSON: {e}")))?;
        for f in packed {
            each(user_from(f)?)?;
        }
        after = last;
    }
}

// ----- applications -----

pub(crate) fn put_application(a: &Application) -> StoreResult<Op> {
    Ok(Op::upsert(
        &APPLICATIONS,
        vec![
            id(a.id),
            id(a.tenant),
            id(a.client_id),
            Value::from(&a.display_name),
            json(&a.secrets)?,
            json(&a.redirect_uris)?,
            Value::from(a.group_membership_claims.as_str()),
            json(&a.federated_credentials)?,
            Value::from(a.created),
            opt_json(a.managed_identity.as_ref())?,
            json(&a.certificates)?,
            opt_id(a.object_id),
        ],
    ))
}

/// The application with its directory role memberships, group memberships and group ownerships.
pub(crate) fn delete_application(tenant: TenantId, app: ObjectId) -> Vec<Op> {
    delete_principal(APPLICATIONS.name, tenant, app)
}

fn decode_application(row: &AnyRow) -> StoreResult<Application> {
    let c = Cols::new(row, APPLICATIONS.name);
    Ok(Application {
        id: c.id("id")?,
        object_id: c.opt_id("object_id")?,
        tenant: c.id("tenant_id")?,
        client_id: c.uuid("client_id")?,
        display_name: c.text("display_name")?,
        secrets: c.json("secrets")?,
        certificates: c.json("certificates")?,
        redirect_uris: c.json("redirect_uris")?,
        group_membership_claims: c
            .parsed("group_membership_claims", GroupMembershipClaims::parse)?,
        managed_identity: c.opt_json("managed_identity")?,
        federated_credentials: c.json("federated_credentials")?,
        created: c.int("created")?,
    })
}

pub(crate) async fn load_applications(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<Application>> {
    let rows = select(conn, &APPLICATIONS, tenant_filter(only)).await?;
    rows.iter().map(decode_application).collect()
}

// ----- directory role members -----

/// Roles are stored by Entra's template id, which never changes with display names.
pub(crate) fn add_role_member(tenant: TenantId, role: DirectoryRole, principal: ObjectId) -> Op {
    Op::ignore(
        &ROLE_MEMBERS,
        vec![id(tenant), Value::from(role.template_id()), id(principal)],
    )
}

pub(crate) fn remove_role_member(tenant: TenantId, role: DirectoryRole, principal: ObjectId) -> Op {
    Op::Exec {
        sql: "DELETE FROM directory_role_members WHERE tenant_id = $1 AND role = $2 AND principal_id = $3",
        args: vec![id(tenant), Value::from(role.template_id()), id(principal)],
    }
}

fn decode_role_member(row: &AnyRow) -> StoreResult<(TenantId, DirectoryRole, ObjectId)> {
    let c = Cols::new(row, ROLE_MEMBERS.name);
    Ok((
        c.id("tenant_id")?,
        c.parsed("role", DirectoryRole::parse)?,
        c.id("principal_id")?,
    ))
}

pub(crate) async fn load_role_members(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<(TenantId, DirectoryRole, ObjectId)>> {
    let rows = select(conn, &ROLE_MEMBERS, tenant_filter(only)).await?;
    rows.iter().map(decode_role_member).collect()
}

// ----- invitations -----

pub(crate) fn put_invitation(i: &Invitation) -> Op {
    Op::upsert(
        &INVITATIONS,
        vec![
            id(i.id),
            id(i.tenant),
            Value::from(&i.email),
            id(i.guest),
            opt_id(i.invited_by),
            Value::from(i.status.as_str()),
            Value::from(i.created),
        ],
    )
}

fn decode_invitation(row: &AnyRow) -> StoreResult<Invitation> {
    let c = Cols::new(row, INVITATIONS.name);
    Ok(Invitation {
        id: c.id("id")?,
        tenant: c.id("tenant_id")?,
        email: c.text("email")?,
        guest: c.id("guest_id")?,
        invited_by: c.opt_id("invited_by")?,
        status: c.parsed("status", RequestStatus::parse)?,
        created: c.int("created")?,
    })
}

pub(crate) async fn load_invitations(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<Invitation>> {
    let rows = select(conn, &INVITATIONS, tenant_filter(only)).await?;
    rows.iter().map(decode_invitation).collect()
}

// ----- directory link requests -----

pub(crate) fn put_link_request(r: &DirectoryLinkRequest) -> StoreResult<Op> {
    Ok(Op::upsert(
        &LINK_REQUESTS,
        vec![
            id(r.id),
            id(r.tenant),
            id(r.subscription),
            json(&r.requester)?,
            Value::from(r.status.as_str()),
            Value::from(r.created),
            Value::from(r.expires),
            opt_id(r.decided_by),
        ],
    ))
}

fn decode_link_request(row: &AnyRow) -> StoreResult<DirectoryLinkRequest> {
    let c = Cols::new(row, LINK_REQUESTS.name);
    Ok(DirectoryLinkRequest {
        id: c.id("id")?,
        tenant: c.id("tenant_id")?,
        subscription: c.id("subscription_id")?,
        requester: c.json("requester")?,
        status: c.parsed("status", RequestStatus::parse)?,
        created: c.int("created")?,
        expires: c.int("expires")?,
        decided_by: c.opt_id("decided_by")?,
    })
}

pub(crate) async fn load_link_requests(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<DirectoryLinkRequest>> {
    let rows = select(conn, &LINK_REQUESTS, tenant_filter(only)).await?;
    rows.iter().map(decode_link_request).collect()
}
