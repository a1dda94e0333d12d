//! Resource providers: tenantry serves Microsoft.Resources, Microsoft.Authorization and
//! Microsoft.Subscription. Generic resources of every other namespace are kept as given, without a
//! provider behind them, as an emulator needs; so every provider is registered, and registering one
//! (`az provider register`, Terraform at start) succeeds for whoever may (`rules::resources`). Each
//! provider lists its resource types with their api-versions and locations (a catalogue of common
//! types, and at a subscription the types stored there), which clients read to pick an api-version.

use super::{ArmResult, Req, subscriptions, wire};
use crate::app::AppState;
use crate::auth::ArmCaller;
use crate::errors::ArmError;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tenantry_domain::SubscriptionId;
use tenantry_domain::rules::resources;

/// A resource type as a provider lists it: the api-versions clients may call it with (newest first,
/// as ARM lists them: `az resource` takes the first that is not a preview) and whether it lives in a
/// region. tenantry answers every api-version; these are the ones Azure serves.
struct ResourceType {
    namespace: &'static str,
    name: &'static str,
    api_versions: &'static [&'static str],
    regional: bool,
}

const fn rt(
    namespace: &'static str,
    name: &'static str,
    api_versions: &'static [&'static str],
    regional: bool,
) -> ResourceType {
    ResourceType {
        namespace,
        name,
        api_versions,
        regional,
    }
}

const RESOURCES: &[&str] = &["2024-11-01", "2022-09-01", "2021-04-01"];
const ROLES: &[&str] = &["2022-04-01", "2015-07-01"];
const LIFECYCLE: &[&str] = &["2021-10-01", "2020-09-01"];
const NETWORK: &[&str] = &["2024-05-01", "2023-11-01", "2023-09-01"];
const WEB: &[&str] = &["2023-12-01", "2022-09-01"];

/// The types tenantry serves (Microsoft.Resources, Microsoft.Authorization, Microsoft.Subscription),
/// then common types of other providers, which tenantry stores as documents: listed so that clients
/// resolve an api-version for them before one is stored.
#[rustfmt::skip] // A table: one type a line reads better than rustfmt's five.
const CATALOGUE: &[ResourceType] = &[
    rt("Microsoft.Resources", "subscriptions", &["2022-12-01", "2021-01-01", "2020-01-01"], false),
    rt("Microsoft.Resources", "resourceGroups", RESOURCES, false),
    rt("Microsoft.Resources", "resources", RESOURCES, false),
    rt("Microsoft.Resources", "tenants", &["2022-12-01", "2020-01-01"], false),
    rt("Microsoft.Resources", "operationresults", RESOURCES, false),
    rt("Microsoft.Resources", "templateSpecs", &["2022-02-01", "2021-05-01"], true),
    rt("Microsoft.Resources", "templateSpecs/versions", &["2022-02-01", "2021-05-01"], true),
    rt("Microsoft.Authorization", "roleAssignments", ROLES, false),
    rt("Microsoft.Authorization", "roleDefinitions", ROLES, false),
    rt("Microsoft.Authorization", "classicAdministrators", &["2015-07-01", "2015-06-01"], false),
    rt("Microsoft.Authorization", "permissions", ROLES, false),
    rt("Microsoft.Subscription", "aliases", LIFECYCLE, false),
    rt("Microsoft.Subscription", "rename", LIFECYCLE, false),
    rt("Microsoft.Subscription", "cancel", LIFECYCLE, false),
    rt("Microsoft.Subscription", "enable", LIFECYCLE, false),
    rt("Microsoft.Subscription", "policies", &["2021-10-01"], false),
    rt("Microsoft.Subscription", "changeTenantRequest", &["2021-10-01"], false),
    rt("Microsoft.ManagedIdentity", "userAssignedIdentities", &["2023-01-31", "2018-11-30"], true),
    rt("Microsoft.Storage", "storageAccounts", &["2023-05-01", "2023-01-01", "2022-09-01"], true),
    rt("Microsoft.KeyVault", "vaults", &["2023-07-01", "2022-07-01"], true),
    rt("Microsoft.Network", "virtualNetworks", NETWORK, true),
    rt("Microsoft.Network", "virtualNetworks/subnets", NETWORK, true),
    rt("Microsoft.Network", "networkSecurityGroups", NETWORK, true),
    rt("Microsoft.Network", "publicIPAddresses", NETWORK, true),
    rt("Microsoft.Network", "networkInterfaces", NETWORK, true),
    rt("Microsoft.Compute", "virtualMachines", &["2024-07-01", "2024-03-01"], true),
    rt("Microsoft.Compute", "disks", &["2024-03-02", "2023-10-02"], true),
    rt("Microsoft.Web", "sites", WEB, true),
    rt("Microsoft.Web", "serverfarms", WEB, true),
    rt("Microsoft.Sql", "servers", &["2021-11-01"], true),
    rt("Microsoft.Sql", "servers/databases", &["2021-11-01"], true),
    rt("Microsoft.ContainerRegistry", "registries", &["2023-07-01"], true),
    rt("Microsoft.OperationalInsights", "workspaces", &["2023-09-01", "2022-10-01"], true),
    rt("Microsoft.Management", "managementGroups", &["2023-04-01", "2021-04-01", "2020-05-01"], false),
];

/// What a type tenantry has no catalogue entry for, stored by a client, is listed with: tenantry keeps
/// any type at any api-version, so this only lets clients that need one listed (`az resource show`
/// without `--api-version`) find one.
const STORED_TYPE_API_VERSIONS: &[&str] = &["2024-01-01"];

/// One resource type of a provider, as ARM writes it.
fn type_json(name: &str, api_versions: &[&str], regional: bool) -> Value {
    let locations: Vec<&str> = if regional {
        subscriptions::LOCATIONS
            .iter()
            .map(|(_, display, _)| *display)
            .collect()
    } else {
        vec![]
    };
    json!({
        "resourceType": name,
        "locations": locations,
        "apiVersions": api_versions,
        "defaultApiVersion": api_versions.first(),
        "capabilities": "None",
    })
}

fn provider(sub: Option<SubscriptionId>, namespace: &str, types: Vec<Value>) -> Value {
    let id = match sub {
        Some(s) => format!("/subscriptions/{s}/providers/{namespace}"),
        None => format!("/providers/{namespace}"),
    };
    json!({
        "id": id,
        "namespace": namespace,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationFree",
        "resourceTypes": types,
    })
}

/// The provider `namespace` (as the catalogue or the stored types write it): its catalogued types, then
/// the types stored in the subscription that the catalogue lacks.
fn provider_of(sub: Option<SubscriptionId>, namespace: &str, stored: &BTreeSet<String>) -> Value {
    let catalogued = CATALOGUE
        .iter()
        .filter(|t| t.namespace.eq_ignore_ascii_case(namespace));
    let mut types: Vec<Value> = catalogued
        .clone()
        .map(|t| type_json(t.name, t.api_versions, t.regional))
        .collect();
    for (ns, ty) in stored.iter().filter_map(|t| t.split_once('/')) {
        let known = catalogued.clone().any(|t| t.name.eq_ignore_ascii_case(ty));
        if ns.eq_ignore_ascii_case(namespace) && !known {
            types.push(type_json(ty, STORED_TYPE_API_VERSIONS, true));
        }
    }
    provider(sub, namespace, types)
}

/// Every namespace: the catalogue's, then those of stored types, each once whatever its case.
fn namespaces(stored: &BTreeSet<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let all = CATALOGUE.iter().map(|t| t.namespace).chain(
        stored
            .iter()
            .filter_map(|t| t.split_once('/').map(|(ns, _)| ns)),
    );
    for ns in all {
        if !out.iter().any(|n| n.eq_ignore_ascii_case(ns)) {
            out.push(ns.to_string());
        }
    }
    out
}

/// `GET /providers`.
pub async fn list_root(State(_st): State<AppState>, ArmCaller(_caller): ArmCaller) -> Response {
    wire::list(all(None, &BTreeSet::new()), None)
}

fn all(sub: Option<SubscriptionId>, stored: &BTreeSet<String>) -> Vec<Value> {
    namespaces(stored)
        .iter()
        .map(|ns| provider_of(sub, ns, stored))
        .collect()
}

/// `…/providers` (all) or `…/providers/{namespace}` (one), at a subscription (with the types stored
/// there) or at the root.
pub fn list(req: &Req, sub: Option<SubscriptionId>, namespace: Option<&str>) -> ArmResult {
    let stored = match sub {
        Some(s) => req
            .st
            .svc
            .read(|w| resources::stored_resource_types(w, req.actor(), s))?,
        None => BTreeSet::new(),
    };
    let Some(ns) = namespace else {
        return Ok(wire::list(all(sub, &stored), None));
    };
    Ok(wire::ok(&one(sub, ns, &stored)?))
}

/// A provider by namespace, in the case ARM registered it when tenantry knows it.
fn one(
    sub: Option<SubscriptionId>,
    ns: &str,
    stored: &BTreeSet<String>,
) -> Result<Value, ArmError> {
    resources::validate_provider_namespace(ns)?;
    let known = namespaces(stored)
        .into_iter()
        .find(|n| n.eq_ignore_ascii_case(ns))
        .unwrap_or_else(|| ns.to_string());
    Ok(provider_of(sub, &known, stored))
}

/// `POST …/providers/{namespace}/register`, and `unregister` (refused: see `rules::resources`).
pub fn registration(req: &Req, sub: SubscriptionId, namespace: &str, register: bool) -> ArmResult {
    req.st.svc.read(|w| match register {
        true => resources::register_provider(w, req.actor(), sub, namespace),
        false => resources::unregister_provider(w, req.actor(), sub, namespace),
    })?;
    Ok(wire::ok(&one(Some(sub), namespace, &BTreeSet::new())?))
}
