//! `Microsoft.Management/managementGroups/{tenantId}/settings` (the list, with at most the one entry)
//! and `…/settings/default` (GET, PUT, PATCH, DELETE): the hierarchy settings of the caller's
//! directory, kept at its tenant root group. `defaultManagementGroup` is answered as Azure does, as the
//! group's full id.

use super::{ArmResult, Req, method_not_allowed, wire};
use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::HierarchySettings;
use tenantry_domain::rules::hierarchy::group_id;
use tenantry_domain::rules::hierarchy_settings::{self, HierarchySettingsWrite, settings_id};

fn render(h: &HierarchySettings) -> Value {
    json!({
        "id": settings_id(h.tenant),
        "type": "Microsoft.Management/managementGroups/settings",
        "name": "default",
        "properties": {
            "tenantId": h.tenant,
            "requireAuthorizationForGroupCreation": h.require_authorization_for_group_creation,
            "defaultManagementGroup": h.default_management_group.as_deref().map(group_id),
        },
    })
}

#[derive(Deserialize, Default)]
struct Body {
    #[serde(default)]
    properties: Properties,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Properties {
    #[serde(default)]
    require_authorization_for_group_creation: Option<bool>,
    #[serde(default)]
    default_management_group: Option<String>,
}

/// `…/managementGroups/{group}/settings`: the settings as a list (empty while none are written).
pub fn list(req: &Req, group: &str) -> ArmResult {
    if req.method != Method::GET {
        return Err(method_not_allowed(&req.method));
    }
    let settings = req
        .st
        .svc
        .read(|w| hierarchy_settings::hierarchy_settings(w, req.actor(), group))?;
    // The list's continuation is `@nextLink` in this API; there is never a second page.
    Ok(wire::ok(
        &json!({"value": settings.iter().map(render).collect::<Vec<_>>()}),
    ))
}

/// `…/managementGroups/{group}/settings/default`.
pub async fn default(req: &Req, group: &str) -> ArmResult {
    let write = |replace: bool| async move {
        let b: Body = wire::body(&req.body)?;
        let write = HierarchySettingsWrite {
            require_authorization_for_group_creation: b
                .properties
                .require_authorization_for_group_creation,
            default_management_group: b.properties.default_management_group,
        };
        let written = req
            .st
            .svc
            .put_hierarchy_settings(req.actor(), group, write, replace)
            .await?;
        Ok(wire::ok(
            &written.as_ref().map(render).unwrap_or(Value::Null),
        ))
    };
    match req.method {
        Method::GET => {
            let h = req
                .st
                .svc
                .read(|w| hierarchy_settings::get_hierarchy_settings(w, req.actor(), group))?;
            Ok(wire::ok(&render(&h)))
        }
        Method::PUT => write(true).await,
        Method::PATCH => write(false).await,
        Method::DELETE => {
            req.st
                .svc
                .delete_hierarchy_settings(req.actor(), group)
                .await?;
            Ok(wire::empty(StatusCode::OK))
        }
        ref m => Err(method_not_allowed(m)),
    }
}
