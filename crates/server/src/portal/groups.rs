//! A directory's security groups: the list (create a group), and a group's page (its members, direct and
//! through nested groups with the path, owners, the groups it is in, directory roles and role
//! assignments; add and remove members and owners, change it, delete it). What the caller may do, and
//! what a change does, is the domain's (`rules::groups`, `rules::reads::groups`): the pages offer a form
//! only to whoever the rule will let through, and show the rule's refusal otherwise.

use super::directory_admin::{Empty, RoleForm, role_change};
use super::i18n::{Lang, key};
use super::pages::*;
use super::session::{CsrfForm, Flash, SignedIn};
use super::{FormRefusal, PortalResult, parse_id, paths};
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::domain::rules::groups::{GroupUpdate, NewGroup};
use tenantry_service::domain::rules::names::typed;
use tenantry_service::domain::rules::reads;
use tenantry_service::domain::world::PrincipalRef;
use tenantry_service::domain::*;

/// A member, owner or group as a group's page lists it.
fn member_row(w: &World, t: TenantId, p: PrincipalRef) -> MemberRow {
    let (name, detail, kind, href) = match p {
        PrincipalRef::User(u) => (
            u.display_name.clone(),
            reads::user_email(w, u),
            if u.is_member() { "Member" } else { "Guest" },
            Some(paths::user(t, u.id)),
        ),
        PrincipalRef::ServicePrincipal(a) => (
            a.display_name.clone(),
            format!("application {}", a.client_id),
            "Application",
            None,
        ),
        PrincipalRef::Group(g) => group_words(t, g),
    };
    MemberRow {
        id: p.id().to_string(),
        name,
        detail,
        kind: kind.into(),
        href,
    }
}

fn group_words(t: TenantId, g: &Group) -> (String, String, &'static str, Option<String>) {
    (
        g.display_name.clone(),
        g.description.clone().unwrap_or_default(),
        "Group",
        Some(paths::group(t, g.id)),
    )
}

fn group_row(t: TenantId, g: &Group) -> MemberRow {
    let (name, detail, kind, href) = group_words(t, g);
    MemberRow {
        id: g.id.to_string(),
        name,
        detail,
        kind: kind.into(),
        href,
    }
}

pub async fn list(
    SignedIn { ctx, identity, .. }: SignedIn,
    Path(tenant): Path<String>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let here = paths::directory(t, "groups");
    let lang = ctx.lang;
    ctx.directory_page(
        identity,
        t,
        &here,
        |w, actor| -> Result<Groups, DomainError> {
            let d = reads::directory_groups(w, actor, t)?;
            Ok(Groups {
                chrome: Chrome::bare(),
                tabs: directory_tabs(t, "groups"),
                id: t.to_string(),
                name: d.tenant.display_name.clone(),
                groups: d
                    .groups
                    .iter()
                    .map(|s| GroupListRow {
                        id: s.group.id.to_string(),
                        name: s.group.display_name.clone(),
                        description: s.group.description.clone().unwrap_or_default(),
                        members: s.members,
                        nested: s.nested_groups,
                        reach: s.reach,
                        role_assignable: s.group.role_assignable,
                        roles: super::dashboard::role_words(&s.roles, lang),
                    })
                    .collect(),
                can_create: d.may_create,
                can_create_role_assignable: d.may_create_role_assignable,
            })
        },
    )
    .await
}

/// A group's properties, as the forms that create and change it send them.
#[derive(Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    mail_nickname: String,
    /// Only when creating: the flag is set once.
    #[serde(default)]
    role_assignable: Option<String>,
}

impl GroupForm {
    /// The form's refusal, next to its field, with what was typed kept; `editing` for the form that
    /// changes a group rather than the one that creates it (their fields' ids differ).
    fn refusal(&self, editing: bool) -> FormRefusal<'static> {
        let [name, nickname, description] = if editing {
            [
                "edit-group-name",
                "edit-group-nickname",
                "edit-group-description",
            ]
        } else {
            ["group-name", "group-nickname", "group-description"]
        };
        FormRefusal {
            failed: if editing {
                super::i18n::key("failed-save-the-group")
            } else {
                super::i18n::key("failed-create-the-group")
            },
            fields: if editing {
                &[
                    ("edit-group-name", GROUP_NAME_CODES),
                    ("edit-group-nickname", NICKNAME_CODES),
                ]
            } else {
                &[
                    ("group-name", GROUP_NAME_CODES),
                    ("group-nickname", NICKNAME_CODES),
                ]
            },
            typed: vec![
                (name, self.display_name.clone()),
                (nickname, self.mail_nickname.clone()),
                (description, self.description.clone()),
                (
                    "group-role-assignable",
                    self.role_assignable.clone().unwrap_or_default(),
                ),
            ],
        }
    }
}

/// Refusals about a group's mail nickname.
const NICKNAME_CODES: &[&str] = &["InvalidMailNickname"];

/// Refusals about a group's name.
const GROUP_NAME_CODES: &[&str] = &[
    "InvalidGroupName",
    "GroupNameTaken",
    "InvalidDisplayName",
    "InvalidCharacter",
];

/// A form's optional text: `None` when left blank.
fn optional(text: &str) -> Option<String> {
    Some(typed(text).to_string()).filter(|t| !t.is_empty())
}

pub async fn create(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(tenant): Path<String>,
    CsrfForm(f): CsrfForm<GroupForm>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let back = paths::directory(t, "groups");
    let actor = ctx.act_in(t).unwrap_or(actor);
    let name = typed(&f.display_name).to_string();
    let req = NewGroup {
        description: optional(&f.description),
        mail_nickname: optional(&f.mail_nickname),
        role_assignable: f.role_assignable.is_some(),
        ..NewGroup::named(name.clone())
    };
    match ctx.state.svc.create_group(&actor, t, req).await {
        Ok(id) => {
            let lang = ctx.lang;
            ctx.flash_ok(
                lang.t("group-created-title"),
                lang.t_args("group-created-message", &[("name", name)]),
            );
            ctx.redirect(&paths::group(t, id)).await
        }
        Err(e) => ctx.form_failed(e, &back, f.refusal(false)).await,
    }
}

/// The path's directory and group.
fn ids(tenant: &str, group: &str) -> Result<(TenantId, ObjectId), super::PortalError> {
    Ok((
        parse_id(tenant, "directory id")?,
        parse_id(group, "group id")?,
    ))
}

pub async fn page(
    SignedIn { ctx, identity, .. }: SignedIn,
    Path((tenant, group)): Path<(String, String)>,
) -> PortalResult {
    let (t, gid) = ids(&tenant, &group)?;
    let here = paths::group(t, gid);
    ctx.directory_page(
        identity,
        t,
        &here,
        |w, actor| -> Result<GroupPage, DomainError> {
            let d = reads::directory_group(w, actor, t, gid)?;
            let g = d.group;
            let (nested, members): (Vec<&PrincipalRef>, Vec<&PrincipalRef>) = d
                .members
                .iter()
                .partition(|p| matches!(p, PrincipalRef::Group(_)));
            Ok(GroupPage {
                chrome: Chrome::bare(),
                tabs: directory_tabs(t, "groups"),
                tenant_id: t.to_string(),
                directory: d.tenant.display_name.clone(),
                id: g.id.to_string(),
                name: g.display_name.clone(),
                description: g.description.clone().unwrap_or_default(),
                mail_nickname: g.mail_nickname.clone(),
                role_assignable: g.role_assignable,
                reach: d.reach,
                members: members.into_iter().map(|p| member_row(w, t, *p)).collect(),
                nested: nested.into_iter().map(|p| member_row(w, t, *p)).collect(),
                transitive: d
                    .transitive
                    .iter()
                    .map(|m| TransitiveRow {
                        member: member_row(w, t, m.principal),
                        path: m
                            .path
                            .iter()
                            .map(|g| g.display_name.as_str())
                            .collect::<Vec<_>>()
                            .join(" → "),
                    })
                    .collect(),
                member_of: d.member_of.iter().map(|x| group_row(t, x)).collect(),
                owners: d.owners.iter().map(|p| member_row(w, t, *p)).collect(),
                roles: DirectoryRoles::new(
                    format!("{here}/roles"),
                    &d.roles,
                    &d.addable_roles,
                    d.may_assign_roles,
                ),
                assignments: d
                    .assignments
                    .iter()
                    .map(|a| GroupAssignmentRow {
                        subscription: a.subscription.display_name.clone(),
                        role: a.role.clone(),
                        scope: if a.assignment.scope.relative().is_empty() {
                            "The subscription".into()
                        } else {
                            a.assignment.scope.relative().to_string()
                        },
                    })
                    .collect(),
                can_manage: d.may_manage,
            })
        },
    )
    .await
}

pub async fn update(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path((tenant, group)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<GroupForm>,
) -> PortalResult {
    let (t, gid) = ids(&tenant, &group)?;
    let back = paths::group(t, gid);
    let actor = ctx.act_in(t).unwrap_or(actor);
    let upd = GroupUpdate {
        display_name: Some(typed(&f.display_name).to_string()),
        description: Some(optional(&f.description)),
        mail_nickname: Some(typed(&f.mail_nickname).to_string()),
        ..Default::default()
    };
    let result = ctx.state.svc.update_group(&actor, t, gid, upd).await;
    let lang = ctx.lang;
    ctx.done_form(result, &back, f.refusal(true), |_| {
        Flash::ok(lang.t("group-saved-title"), lang.t("group-saved-message"))
    })
    .await
}

pub async fn delete(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path((tenant, group)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let (t, gid) = ids(&tenant, &group)?;
    let actor = ctx.act_in(t).unwrap_or(actor);
    let name = ctx.state.svc.read(|w| name_of(w, t, gid));
    let result = ctx.state.svc.delete_group(&actor, t, gid).await;
    let to = match &result {
        Ok(()) => paths::directory(t, "groups"),
        Err(_) => paths::group(t, gid),
    };
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-delete-the-group"),
        result,
        &to,
        |_| {
            Flash::ok(
                lang.t("group-deleted-title"),
                lang.t_args("group-deleted-message", &[("name", name)]),
            )
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct PrincipalForm {
    /// Who: a user principal name, email, client id or group name typed in, or an object id from the
    /// page's list.
    #[serde(default)]
    principal: String,
}

/// A change of a group's members or owners, as its page's forms ask for it.
#[derive(Clone, Copy)]
enum Edit {
    AddMember,
    RemoveMember,
    AddOwner,
    RemoveOwner,
}

impl Edit {
    fn of_owners(self) -> bool {
        matches!(self, Edit::AddOwner | Edit::RemoveOwner)
    }

    /// The refusal of the form the change came from: one that adds names whom in a field, kept.
    fn refusal(self, typed: &str) -> FormRefusal<'static> {
        let (failed, field) = match self {
            Edit::AddMember => (super::i18n::key("failed-add-the-member"), "add-member"),
            Edit::RemoveMember => (super::i18n::key("failed-remove-the-member"), ""),
            Edit::AddOwner => (super::i18n::key("failed-add-the-owner"), "add-owner"),
            Edit::RemoveOwner => (super::i18n::key("failed-remove-the-owner"), ""),
        };
        if field.is_empty() {
            return FormRefusal {
                failed,
                fields: &[],
                typed: vec![],
            };
        }
        FormRefusal {
            failed,
            fields: if matches!(self, Edit::AddMember) {
                &[("add-member", PRINCIPAL_CODES)]
            } else {
                &[("add-owner", PRINCIPAL_CODES)]
            },
            typed: vec![(field, typed.to_string())],
        }
    }

    /// The message once done, naming who and which group.
    fn done(self, name: &str, group: &str, lang: Lang) -> Flash {
        let args = [("name", name.to_string()), ("group", group.to_string())];
        let (title, message) = match self {
            Edit::AddMember => (key("member-added-title"), key("member-added-message")),
            Edit::RemoveMember => (key("member-removed-title"), key("member-removed-message")),
            Edit::AddOwner => (key("owner-added-title"), key("owner-added-message")),
            Edit::RemoveOwner => (key("owner-removed-title"), key("owner-removed-message")),
        };
        Flash::ok(lang.t(title), lang.t_args(message, &args))
    }
}

/// Refusals about the principal a member or owner form names.
const PRINCIPAL_CODES: &[&str] = &[
    "PrincipalRequired",
    "PrincipalNotFound",
    "GroupMembershipCycle",
    "RoleAssignableGroupCannotContainGroups",
    "GroupCannotOwnGroup",
    "GuestNotRedeemed",
    "ObjectExists",
    "InvalidCharacter",
];

/// How a message names an object of the directory (read for a message only: the rule decides).
fn name_of(w: &World, t: TenantId, object: ObjectId) -> String {
    match reads::directory_object(w, t, object) {
        // A guest by the email people know it by, not its `#EXT#` name.
        Some(PrincipalRef::User(u)) => reads::user_email(w, u),
        Some(p) => p.name(),
        None => object.to_string(),
    }
}

/// Adds or removes a member or an owner: one added is named as typed (resolved by the read rule, for
/// whoever may change the group), one removed by the object id the page lists it with.
async fn edit(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    tenant: String,
    group: String,
    f: PrincipalForm,
    edit: Edit,
) -> PortalResult {
    let (t, gid) = ids(&tenant, &group)?;
    let back = paths::group(t, gid);
    let actor = ctx.act_in(t).unwrap_or(actor);
    let principal = match edit {
        Edit::AddMember | Edit::AddOwner => ctx.state.svc.read(|w| {
            reads::group_principal_named(w, &actor, t, gid, &f.principal, edit.of_owners())
        }),
        Edit::RemoveMember | Edit::RemoveOwner => Ok(parse_id(&f.principal, "object id")?),
    };
    let principal = match principal {
        Ok(p) => p,
        Err(e) => {
            ctx.refuse_form(&edit.refusal(&f.principal), &e);
            return ctx.redirect(&back).await;
        }
    };
    let (name, group) = ctx
        .state
        .svc
        .read(|w| (name_of(w, t, principal), name_of(w, t, gid)));
    let svc = &ctx.state.svc;
    let result = match edit {
        Edit::AddMember => svc.add_group_member(&actor, t, gid, principal).await,
        Edit::RemoveMember => svc.remove_group_member(&actor, t, gid, principal).await,
        Edit::AddOwner => svc.add_group_owner(&actor, t, gid, principal).await,
        Edit::RemoveOwner => svc.remove_group_owner(&actor, t, gid, principal).await,
    };
    let lang = ctx.lang;
    ctx.done_form(result, &back, edit.refusal(&f.principal), |_| {
        edit.done(&name, &group, lang)
    })
    .await
}

/// Gives (`add`) or takes a directory role of a (role-assignable) group.
async fn role(
    signed: SignedIn,
    tenant: String,
    group: String,
    f: RoleForm,
    add: bool,
) -> PortalResult {
    let (t, gid) = ids(&tenant, &group)?;
    role_change(signed, t, gid, paths::group(t, gid), "group", f, add).await
}

/// The handlers of a group's forms: each reads its form and hands it to the function that does it.
macro_rules! handlers {
    ($form:ty => $does:ident { $($handler:ident => $what:expr,)* }) => {
        $(pub async fn $handler(
            signed: SignedIn,
            Path((tenant, group)): Path<(String, String)>,
            CsrfForm(f): CsrfForm<$form>,
        ) -> PortalResult {
            $does(signed, tenant, group, f, $what).await
        })*
    };
}

handlers!(PrincipalForm => edit {
    add_member => Edit::AddMember,
    remove_member => Edit::RemoveMember,
    add_owner => Edit::AddOwner,
    remove_owner => Edit::RemoveOwner,
});

handlers!(RoleForm => role {
    add_role => true,
    remove_role => false,
});
