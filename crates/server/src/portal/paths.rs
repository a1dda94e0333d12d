//! The portal's own paths, built from parsed ids and validated names only: a segment of the request's
//! path never goes back into a link, a form's return path or a redirect as it was sent (a line break in
//! it made the redirect's `Location` unsendable after the change was saved).

use crate::urls::encode;
use tenantry_service::domain::{ObjectId, RequestId, SubscriptionId, TenantId};

/// A subscription's page: `""` (overview), `administrators`, `access`, `change-directory`…
pub fn subscription(sub: SubscriptionId, tab: &str) -> String {
    joined(format!("/portal/subscriptions/{sub}"), tab)
}

/// A resource group's access control page (the group's name is a validated name, encoded all the same).
pub fn resource_group_access(sub: SubscriptionId, group: &str) -> String {
    format!(
        "/portal/subscriptions/{sub}/resourceGroups/{}/access",
        encode(group)
    )
}

/// A management group's access control page (its name is a checked name, encoded all the same).
pub fn management_group_access(name: &str) -> String {
    format!("/hierarchy/groups/{}/access", encode(name))
}

/// A resource group's resources with their identities.
pub fn resource_group_resources(sub: SubscriptionId, group: &str) -> String {
    format!(
        "/portal/subscriptions/{sub}/resourceGroups/{}/resources",
        encode(group)
    )
}

/// A directory's page: `""` (overview), `users`, `groups`, `applications`, `guests`, `policy`.
pub fn directory(t: TenantId, tab: &str) -> String {
    joined(format!("/directories/{t}"), tab)
}

/// A user's page in a directory.
pub fn user(t: TenantId, user: ObjectId) -> String {
    format!("/directories/{t}/users/{user}")
}

/// A group's page in a directory.
pub fn group(t: TenantId, group: ObjectId) -> String {
    format!("/directories/{t}/groups/{group}")
}

/// An application's page in a directory, by its application object's id.
pub fn application(t: TenantId, app: ObjectId) -> String {
    format!("/directories/{t}/applications/{app}")
}

/// A request to link a directory, where its Global Administrator decides.
pub fn link_request(t: TenantId, request: RequestId) -> String {
    format!("/directories/{t}/link-requests/{request}")
}

fn joined(base: String, tab: &str) -> String {
    if tab.is_empty() {
        base
    } else {
        format!("{base}/{tab}")
    }
}
