//! Azure's built-in role definitions, with the ids, actions and notActions Azure publishes.

use crate::ids::RoleDefinitionId;
use crate::model::{Permission, RoleDefinition};
use uuid::uuid;

pub const OWNER: RoleDefinitionId = RoleDefinitionId(uuid!("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"));
pub const CONTRIBUTOR: RoleDefinitionId =
    RoleDefinitionId(uuid!("b24988ac-6180-42a0-ab88-20f7382dd24c"));
pub const READER: RoleDefinitionId =
    RoleDefinitionId(uuid!("acdd72a7-3385-48ef-bd42-f606fba81ae7"));
pub const USER_ACCESS_ADMINISTRATOR: RoleDefinitionId =
    RoleDefinitionId(uuid!("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"));
pub const RBAC_ADMINISTRATOR: RoleDefinitionId =
    RoleDefinitionId(uuid!("f58310d9-a9f6-439a-9e8d-f62e7b41a168"));
pub const TAG_CONTRIBUTOR: RoleDefinitionId =
    RoleDefinitionId(uuid!("4a9ae827-6dc8-4573-8ac7-8239d42aa03f"));

fn builtin(
    id: RoleDefinitionId,
    name: &str,
    description: &str,
    actions: &[&str],
    not_actions: &[&str],
) -> RoleDefinition {
    RoleDefinition {
        id,
        subscription: None,
        tenant: None,
        name: name.into(),
        description: description.into(),
        permissions: vec![Permission {
            actions: actions.iter().map(|s| s.to_string()).collect(),
            not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
            data_actions: vec![],
            not_data_actions: vec![],
        }],
        assignable_scopes: vec!["/".into()],
        created: 0,
    }
}

/// Owner, Contributor, Reader, User Access Administrator, Role Based Access Control Administrator and
/// Tag Contributor.
pub fn built_in_roles() -> Vec<RoleDefinition> {
    vec![
        builtin(
            OWNER,
            "Owner",
            "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
            &["*"],
            &[],
        ),
        builtin(
            CONTRIBUTOR,
            "Contributor",
            "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
            &["*"],
            &[
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
                "Microsoft.Blueprint/blueprintAssignments/write",
                "Microsoft.Blueprint/blueprintAssignments/delete",
                "Microsoft.Compute/galleries/share/action",
                "Microsoft.Purview/consents/write",
                "Microsoft.Purview/consents/delete",
                "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
                "Microsoft.Subscription/cancel/action",
                "Microsoft.Subscription/enable/action",
            ],
        ),
        builtin(
            READER,
            "Reader",
            "View all resources, but does not allow you to make any changes.",
            &["*/read"],
            &[],
        ),
        builtin(
            USER_ACCESS_ADMINISTRATOR,
            "User Access Administrator",
            "Lets you manage user access to Azure resources.",
            &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
            &[],
        ),
        builtin(
            RBAC_ADMINISTRATOR,
            "Role Based Access Control Administrator",
            "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
            &[
                "Microsoft.Authorization/roleAssignments/write",
                "Microsoft.Authorization/roleAssignments/delete",
                "*/read",
                "Microsoft.Support/*",
            ],
            &[],
        ),
        builtin(
            TAG_CONTRIBUTOR,
            "Tag Contributor",
            "Lets you manage tags on entities, without providing access to the entities themselves.",
            &[
                "Microsoft.Authorization/*/read",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
                "Microsoft.Resources/subscriptions/resources/read",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Insights/alertRules/*",
                "Microsoft.Support/*",
                "Microsoft.Resources/tags/*",
            ],
            &[],
        ),
    ]
}
