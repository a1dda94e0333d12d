//! What lives in a tenant: users (members and guests), applications with their service principals,
//! directory role memberships, invitations and directory link requests (groups are in `groups`).

use crate::batch::{Op, Table, select, select_each};
use crate::codec::{Cols, Value, id, json, opt_id, opt_json};
use crate::error::StoreResult;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
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

fn decode_user(row: &AnyRow) -> StoreResult<User> {
    let c = Cols::new(row, USERS.name);
    let kind = if c.flag("member")? {
        UserKind::Member {
            upn: c.text("upn")?,
            mail: c.opt_text("mail")?,
            password_hash: c.text("password_hash")?,
        }
    } else {
        UserKind::Guest {
            email: c.text("mail")?,
            upn: c.text("upn")?,
            home: c.opt_json("guest_home")?,
            state: c.parsed("guest_state", parse_guest_state)?,
        }
    };
    Ok(User {
        id: c.id("id")?,
        tenant: c.id("tenant_id")?,
        display_name: c.text("display_name")?,
        enabled: c.flag("enabled")?,
        given_name: c.opt_text("given_name")?,
        surname: c.opt_text("surname")?,
        kind,
        created: c.int("created")?,
    })
}

/// Every user (or those of `only`), handed to `each` as its row arrives.
pub(crate) async fn each_user(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
    mut each: impl FnMut(User) -> StoreResult<()>,
) -> StoreResult<()> {
    select_each(conn, &USERS, tenant_filter(only), |row| {
        each(decode_user(row)?)
    })
    .await
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
