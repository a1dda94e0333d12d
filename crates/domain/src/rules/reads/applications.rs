//! A directory's applications (app registrations) and their credentials, as the portal shows them: who
//! may read them is who may list the directory's objects, as for Graph's `/applications`; who may remove
//! a credential is decided by the rules that remove it (`rules::applications`, `rules::federated`,
//! `rules::directory`: the directory's administrators), which these reads only ask.
//!
//! A secret is shown by its hint and dates only: its value is never kept, so never shown.

use super::directory::{applications, require_directory_enumeration};
use crate::rules::*;

/// The applications of a directory, for whoever may list its objects.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryApplications<'w> {
    pub tenant: &'w Tenant,
    /// By display name.
    pub applications: Vec<&'w Application>,
}

pub fn directory_applications<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
) -> Result<DirectoryApplications<'w>, DomainError> {
    require_directory_enumeration(world, actor, tenant)?;
    let part = require_tenant(world, tenant)?;
    let mut apps = applications(world, tenant);
    apps.sort_by_cached_key(|a| (a.display_name.to_lowercase(), a.client_id));
    Ok(DirectoryApplications {
        tenant: &part.tenant,
        applications: apps,
    })
}

/// One application with its credentials, and whether the caller may remove them.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryApplication<'w> {
    pub tenant: &'w Tenant,
    pub application: &'w Application,
    /// Its certificates, each with whether it has expired at the time of the read.
    pub certificates: Vec<(&'w crate::certificates::ApplicationCertificate, bool)>,
    /// Its client secrets, each with whether it has expired.
    pub secrets: Vec<(&'w ClientSecret, bool)>,
    /// The caller may remove its secrets, certificates and federated credentials.
    pub may_manage: bool,
}

/// An application of `tenant` by its application object's id (Graph's `/applications/{id}`), for
/// whoever may list the directory's objects: authorized first, then looked up, so that a refusal says
/// nothing of whether it exists.
pub fn directory_application<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    object: ObjectId,
    now: Timestamp,
) -> Result<DirectoryApplication<'w>, DomainError> {
    require_directory_enumeration(world, actor, tenant)?;
    let part = require_tenant(world, tenant)?;
    let a = super::directory::application(world, tenant, object)
        .ok_or_else(|| application_not_found(object))?;
    Ok(DirectoryApplication {
        tenant: &part.tenant,
        application: a,
        certificates: a.certificates.iter().map(|c| (c, c.end <= now)).collect(),
        secrets: a
            .secrets
            .iter()
            .map(|s| (s, s.expires.is_some_and(|e| e <= now)))
            .collect(),
        // The rules that remove a credential ask for exactly this (`managed_application`).
        may_manage: holds_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS),
    })
}

fn application_not_found(object: ObjectId) -> DomainError {
    DomainError::not_found(
        "ApplicationNotFound",
        format!("The application '{object}' does not exist in this directory."),
    )
    .with_arg("id", object.to_string())
    .with_variant("application-not-found")
    .with_remedy("Open the application from the directory's Applications list.")
}
