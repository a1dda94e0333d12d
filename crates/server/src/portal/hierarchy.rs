//! The hierarchy of the working directory: the tenant root group, its management groups and the
//! subscriptions under each, as a tree of nested lists; creating, renaming, moving and deleting groups,
//! moving subscriptions, creating a subscription, and a Global Administrator's elevated access (elevate,
//! give it up). What is shown and offered is the domain's read
//! (`rules::reads::hierarchy`); every write is the rule ARM's `Microsoft.Management` and
//! `Microsoft.Subscription` requests run.

use super::pages::*;
use super::session::{CsrfForm, Flash, SignedIn};
use super::subscriptions::Empty;
use super::{FormRefusal, PortalResult, parse_id, paths};
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::domain::rules::hierarchy::ManagementGroupWrite;
use tenantry_service::domain::rules::names::typed;
use tenantry_service::domain::rules::reads::{self, GroupNode};
use tenantry_service::domain::rules::subscriptions::NewAlias;
use tenantry_service::domain::*;

/// Where the page is; every form comes back to it.
const HERE: &str = "/hierarchy";

/// The groups a select offers, `current` selected.
fn choices(groups: &[ManagementGroup], current: &str) -> Vec<Choice> {
    groups
        .iter()
        .map(|g| Choice {
            value: g.name.clone(),
            label: g.display_name.clone(),
            selected: g.name.eq_ignore_ascii_case(current),
        })
        .collect()
}

/// The tree in document order, each row saying how the nested lists open and close around it.
fn flatten(
    node: &GroupNode,
    parents: &[ManagementGroup],
    opens: bool,
    closes: usize,
    rows: &mut Vec<TreeRow>,
) {
    let children = node.groups.len() + node.subscriptions.len();
    rows.push(TreeRow {
        opens,
        has_children: children > 0,
        closes: if children > 0 { 0 } else { closes },
        item: TreeItem::Group {
            name: node.group.name.clone(),
            display_name: node.group.display_name.clone(),
            is_root: node.is_root,
            may_write: node.may_write,
            may_delete: node.may_delete,
            move_to: choices(
                &node.move_to,
                node.group
                    .parent
                    .as_deref()
                    .unwrap_or(&node.group.tenant.to_string()),
            ),
            anchor: format!("group-{}", rows.len()),
            access: paths::management_group_access(&node.group.name),
        },
    });
    let mut n = 0;
    for g in &node.groups {
        n += 1;
        // The last child closes its own list and, when this group closes lists too, theirs.
        let last = n == children;
        flatten(g, parents, n == 1, if last { closes + 1 } else { 0 }, rows);
    }
    for s in &node.subscriptions {
        n += 1;
        let last = n == children;
        rows.push(TreeRow {
            opens: n == 1,
            has_children: false,
            closes: if last { closes + 1 } else { 0 },
            item: TreeItem::Subscription {
                id: s.id.to_string(),
                display_name: s.display_name.clone(),
                state: s.state.as_str().into(),
                href: paths::subscription(s.id, ""),
                move_to: if s.may_move {
                    choices(parents, &node.group.name)
                } else {
                    vec![]
                },
            },
        });
    }
}

pub async fn page(SignedIn { ctx, actor, .. }: SignedIn) -> PortalResult {
    let shown = ctx
        .state
        .svc
        .read(|w| -> Result<HierarchyPage, DomainError> {
            let h = reads::hierarchy(w, &actor)?;
            let mut rows = Vec::new();
            flatten(&h.root, &h.parents, false, 0, &mut rows);
            Ok(HierarchyPage {
                chrome: Chrome::bare(),
                directory: h.tenant.display_name.clone(),
                rows,
                parents: choices(&h.parents, ""),
                may_create_subscription: h.may_create_subscription,
                elevation: reads::elevation(w, &actor),
            })
        });
    ctx.show("hierarchy", HERE, shown).await
}

#[derive(Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    name: String,
    display_name: Option<String>,
    parent: Option<String>,
}

impl GroupForm {
    /// What the form asks of the group: the fields it sent (a display name left empty is not sent).
    fn write(self) -> ManagementGroupWrite {
        ManagementGroupWrite {
            display_name: self
                .display_name
                .map(|s| typed(&s).to_string())
                .filter(|s| !s.is_empty()),
            parent: self.parent.map(|p| typed(&p).to_string()),
        }
    }
}

pub async fn create_group(
    SignedIn { ctx, actor, .. }: SignedIn,
    CsrfForm(f): CsrfForm<GroupForm>,
) -> PortalResult {
    let name = typed(&f.name).to_string();
    let form = FormRefusal {
        failed: super::i18n::key("failed-create-the-management-group"),
        fields: &[
            (
                "mg-name",
                &[
                    "InvalidManagementGroupId",
                    "InvalidManagementGroupName",
                    "ManagementGroupExists",
                    "RootManagementGroupImmutable",
                ],
            ),
            (
                "mg-display-name",
                &["InvalidManagementGroupDisplayName", "InvalidCharacter"],
            ),
            (
                "mg-parent",
                &[
                    "ParentManagementGroupNotFound",
                    "ManagementGroupDepthLimitExceeded",
                    "ManagementGroupCycle",
                ],
            ),
        ],
        typed: vec![
            ("mg-name", f.name.clone()),
            (
                "mg-display-name",
                f.display_name.clone().unwrap_or_default(),
            ),
            ("mg-parent", f.parent.clone().unwrap_or_default()),
        ],
    };
    let result = ctx
        .state
        .svc
        .put_management_group(&actor, &name, f.write())
        .await;
    let lang = ctx.lang;
    ctx.done_form(result, HERE, form, |v| {
        Flash::ok(
            lang.t("mg-created-title"),
            lang.t_args(
                "mg-created-message",
                &[
                    ("group", v.group.display_name.clone()),
                    ("id", v.group.name.clone()),
                ],
            ),
        )
    })
    .await
}

pub async fn update_group(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path(name): Path<String>,
    CsrfForm(f): CsrfForm<GroupForm>,
) -> PortalResult {
    let moved = f.parent.is_some();
    let result = ctx
        .state
        .svc
        .update_management_group(&actor, &name, f.write())
        .await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-change-the-management-group"),
        result,
        HERE,
        |_| {
            if moved {
                Flash::ok(lang.t("mg-moved-title"), lang.t("mg-moved-message"))
            } else {
                Flash::ok(lang.t("mg-renamed-title"), lang.t("mg-renamed-message"))
            }
        },
    )
    .await
}

pub async fn delete_group(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path(name): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let result = ctx.state.svc.delete_management_group(&actor, &name).await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-delete-the-management-group"),
        result,
        HERE,
        |_| Flash::ok(lang.t("mg-deleted-title"), lang.t("mg-deleted-message")),
    )
    .await
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    parent: String,
}

pub async fn move_subscription(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<MoveForm>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let result = ctx
        .state
        .svc
        .move_subscription_to_group(&actor, typed(&f.parent), id)
        .await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-move-the-subscription"),
        result,
        HERE,
        |_| Flash::ok(lang.t("sub-moved-title"), lang.t("sub-moved-message")),
    )
    .await
}

#[derive(Deserialize)]
pub struct NewSubscriptionForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    workload: String,
    #[serde(default)]
    management_group: String,
}

/// Creates a subscription through an alias (named by the new subscription's id, as the Azure portal
/// does). The alias rule places it under the group picked in the same change, with the checks of a move
/// there, so a group the person may not write refuses the whole creation (as `az account alias create`
/// with `managementGroupId` does) rather than leaving a subscription under the root.
pub async fn create_subscription(
    SignedIn { ctx, actor, .. }: SignedIn,
    CsrfForm(f): CsrfForm<NewSubscriptionForm>,
) -> PortalResult {
    let id = SubscriptionId::new();
    let group = typed(&f.management_group).to_string();
    let req = NewAlias {
        name: id.to_string(),
        display_name: Some(f.display_name.clone()),
        workload: Some(f.workload.clone()),
        management_group: Some(group.clone()).filter(|g| !g.is_empty()),
        new_id: Some(id),
        ..Default::default()
    };
    let form = FormRefusal {
        failed: super::i18n::key("failed-create-the-subscription"),
        fields: &[
            (
                "sub-display-name",
                &["InvalidDisplayName", "InvalidCharacter"],
            ),
            ("sub-workload", &["InvalidWorkload"]),
            (
                "sub-group",
                &["ManagementGroupNotFound", "ParentManagementGroupNotFound"],
            ),
        ],
        typed: vec![
            ("sub-display-name", f.display_name.clone()),
            ("sub-workload", f.workload.clone()),
            ("sub-group", f.management_group.clone()),
        ],
    };
    let created = ctx.state.svc.create_alias(&actor, req).await;
    let name = typed(&f.display_name).to_string();
    let lang = ctx.lang;
    ctx.done_form(created, HERE, form, |o| {
        let sub = o.alias.subscription;
        let args = [("name", name.clone()), ("id", sub.to_string())];
        Flash::ok(
            lang.t("sub-created-title"),
            if group.is_empty() {
                lang.t_args("sub-created-message", &args)
            } else {
                lang.t_args("sub-created-under-message", &args)
            },
        )
    })
    .await
}

pub async fn elevate(
    SignedIn { ctx, actor, .. }: SignedIn,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let result = ctx.state.svc.elevate_access(&actor).await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-elevate-access"),
        result,
        HERE,
        |_| Flash::ok(lang.t("elevated-title"), lang.t("elevated-message")),
    )
    .await
}

pub async fn remove_elevation(
    SignedIn { ctx, actor, .. }: SignedIn,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let result = ctx.state.svc.remove_elevated_access(&actor).await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-remove-the-elevated-access"),
        result,
        HERE,
        |_| {
            Flash::ok(
                lang.t("elevation-removed-title"),
                lang.t("elevation-removed-message"),
            )
        },
    )
    .await
}
