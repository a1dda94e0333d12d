//! `POST /providers/Microsoft.Management/getEntities`: what the caller sees of its directory's
//! hierarchy (`rules::hierarchy_entities`), with `$view`, `groupName`, `$filter` (`name eq '…'`,
//! `contains(name,'…')`, `contains(displayName,'…')`), `$search` and `$top`/`$skiptoken` paging with
//! `nextLink`, as `az account management-group entities list` and azure-mgmt-managementgroups'
//! `entities.list` read it.

use super::query::unsupported_filter;
use super::{ArmResult, Req, method_not_allowed, wire};
use crate::errors::ArmError;
use axum::http::Method;
use serde_json::{Value, json};
use tenantry_domain::rules::hierarchy::group_id;
use tenantry_domain::rules::hierarchy_entities::{
    self, Entity, EntityFilter, EntityKind, EntityQuery, EntitySearch, EntityViewKind,
};

fn render(e: &Entity, tenant: &str) -> Value {
    let (id, kind) = match &e.kind {
        EntityKind::Group(g) => (group_id(&g.name), "Microsoft.Management/managementGroups"),
        EntityKind::Subscription { id, .. } => (format!("/subscriptions/{id}"), "/subscriptions"),
    };
    json!({
        "id": id,
        "type": kind,
        "name": e.name(),
        "properties": {
            "tenantId": tenant,
            "displayName": e.display_name(),
            "parent": e.parent().map(|p| json!({"id": group_id(&p.name)})),
            "permissions": e.permissions.as_str(),
            "inheritedPermissions": e.permissions.as_str(),
            "numberOfDescendants": e.descendants,
            "numberOfChildren": e.children,
            "numberOfChildGroups": e.child_groups,
            "parentDisplayNameChain": e.parents.iter().map(|p| p.display_name.as_str()).collect::<Vec<_>>(),
            "parentNameChain": e.parents.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        },
    })
}

/// `$filter`: `name eq 'x'`, `contains(name,'x')` or `contains(displayName,'x')`.
fn filter(raw: &str) -> Result<EntityFilter, ArmError> {
    let f = raw.trim();
    let quoted = |s: &str| {
        let s = s.trim();
        (s.len() >= 2 && s.starts_with('\'') && s.ends_with('\''))
            .then(|| s[1..s.len() - 1].replace("''", "'"))
    };
    let lower = f.to_ascii_lowercase();
    if lower.starts_with("contains(") && f.ends_with(')') {
        let inner = &f["contains(".len()..f.len() - 1];
        if let Some((property, value)) = inner.split_once(',')
            && let Some(v) = quoted(value)
        {
            match property.trim().to_ascii_lowercase().as_str() {
                "name" => return Ok(EntityFilter::NameContains(v)),
                "displayname" => return Ok(EntityFilter::DisplayNameContains(v)),
                _ => {}
            }
        }
    } else if let Some((property, value)) = f.split_once(" eq ")
        && property.trim().eq_ignore_ascii_case("name")
        && let Some(v) = quoted(value)
    {
        return Ok(EntityFilter::NameEquals(v));
    }
    Err(unsupported_filter(raw))
}

fn query(req: &Req) -> Result<EntityQuery, ArmError> {
    let q = &req.query;
    let view = match q.get("$view").map(str::trim) {
        None | Some("") => EntityViewKind::FullHierarchy,
        Some(v) if v.eq_ignore_ascii_case("FullHierarchy") || v.eq_ignore_ascii_case("Audit") => {
            EntityViewKind::FullHierarchy
        }
        Some(v) if v.eq_ignore_ascii_case("GroupsOnly") => EntityViewKind::GroupsOnly,
        Some(v) if v.eq_ignore_ascii_case("SubscriptionsOnly") => EntityViewKind::SubscriptionsOnly,
        Some(v) => return Err(invalid_value("$view", v)),
    };
    let search = match q.get("$search").map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(
            [
                ("AllowedParents", EntitySearch::AllowedParents),
                ("AllowedChildren", EntitySearch::AllowedChildren),
                (
                    "ParentAndFirstLevelChildren",
                    EntitySearch::ParentAndFirstLevelChildren,
                ),
                ("ParentOnly", EntitySearch::ParentOnly),
                ("ChildrenOnly", EntitySearch::ChildrenOnly),
            ]
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|(_, v)| v)
            .ok_or_else(|| invalid_value("$search", s))?,
        ),
    };
    Ok(EntityQuery {
        view,
        group: q
            .get("groupName")
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(String::from),
        filter: q.filter().map(filter).transpose()?,
        search,
    })
}

fn invalid_value(parameter: &str, value: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidQueryParameterValue",
        format!("'{value}' is not a value of the query parameter '{parameter}'."),
    )
}

/// The entities (POST, as the SDKs and the CLI ask; GET too, which is how the SDKs follow `nextLink`).
pub fn get_entities(req: &Req) -> ArmResult {
    if req.method != Method::POST && req.method != Method::GET {
        return Err(method_not_allowed(&req.method));
    }
    let q = query(req)?;
    let (tenant, all) = req.st.svc.read(|w| {
        let tenant = tenantry_domain::rules::hierarchy::caller_tenant(w, req.actor())?;
        hierarchy_entities::entities(w, req.actor(), &q).map(|e| (tenant, e))
    })?;
    let count = all.len();
    let tenant = tenant.to_string();
    // `$skip` overrides `$skiptoken`, which is the offset where the page starts.
    let offset = |name: &str| {
        req.query
            .get(name)
            .and_then(|s| s.trim().parse::<usize>().ok())
    };
    let skip = offset("$skip")
        .or(offset("$skiptoken"))
        .unwrap_or(0)
        .min(count);
    let top = req.query.top()?.unwrap_or(usize::MAX);
    let items: Vec<Value> = all
        .iter()
        .skip(skip)
        .take(top)
        .map(|e| render(e, &tenant))
        .collect();
    let mut body = json!({"value": items, "count": count});
    if skip.saturating_add(top) < count {
        body["nextLink"] = Value::String(next_link(req, skip + top));
    }
    Ok(wire::ok(&body))
}

/// This request's URL with the page's start replaced: every other parameter ($view, groupName,
/// $search, $filter, $top) carried along.
fn next_link(req: &Req, start: usize) -> String {
    let kept: Vec<&str> = req
        .query
        .raw()
        .split('&')
        .filter(|p| {
            let name = p.split('=').next().unwrap_or_default();
            !name.is_empty()
                && !["$skip", "$skiptoken", "%24skip", "%24skiptoken"]
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(name))
        })
        .collect();
    format!(
        "{}{}?{}&$skiptoken={start}",
        req.base_url(),
        req.path,
        kept.join("&")
    )
}
