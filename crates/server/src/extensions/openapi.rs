//! `GET /openapi.json`: the OpenAPI 3.1 document of everything tenantry serves — its extensions in
//! full, and the Entra, ARM and Graph subsets it implements.
//!
//! Written from one route table rather than derived from handler annotations: the ARM and Entra faces
//! dispatch many operations through one grammar-driven handler (ARM paths nest), which annotations
//! cannot describe, and a table keeps the whole document in one reviewable place. A test checks that
//! every documented extension and Graph route is served.

use crate::app::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use std::borrow::Cow;

pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(document))
}

async fn document(State(state): State<AppState>) -> Json<Value> {
    Json(openapi(&state.base_url))
}

/// Which token an operation takes.
#[derive(Clone, Copy, PartialEq)]
enum Auth {
    Public,
    Arm,
    Graph,
}

/// One documented operation.
pub struct Op {
    pub method: &'static str,
    pub path: Cow<'static, str>,
    tag: &'static str,
    summary: &'static str,
    auth: Auth,
    /// Schema of the JSON body (a name under `components/schemas`).
    request: Option<&'static str>,
    /// Success status and the schema of its body (`None`: no body).
    ok: (&'static str, Option<&'static str>),
    /// Further successes, e.g. `201` beside `200`.
    also: Option<(&'static str, Option<&'static str>)>,
    description: &'static str,
}

const fn op(
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    auth: Auth,
    summary: &'static str,
    request: Option<&'static str>,
    ok: (&'static str, Option<&'static str>),
) -> Op {
    Op {
        method,
        path: Cow::Borrowed(path),
        tag,
        summary,
        auth,
        request,
        ok,
        also: None,
        description: "",
    }
}

impl Op {
    const fn also(mut self, status: &'static str, schema: Option<&'static str>) -> Self {
        self.also = Some((status, schema));
        self
    }
    const fn describe(mut self, d: &'static str) -> Self {
        self.description = d;
        self
    }
}

const EXT: &str = "tenantry extensions";
const ENTRA: &str = "Entra ID (sign-in)";
const ARM: &str = "Azure Resource Manager";
const GRAPH: &str = "Microsoft Graph";

const CTR: &str =
    "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/changeTenantRequest/default";
const LINK: &str = "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/directoryLinkRequests/{tenantId}";

/// Every operation tenantry serves. Extension and Graph entries are checked against the router by a test.
pub fn operations() -> Vec<Op> {
    use Auth::*;
    let mut ops = vec![
        // ----- extensions -----
        op("post", "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/changeTenantRequest/default/preview", EXT, Arm,
           "Preview a change of the subscription's directory", Some("ChangeTenantRequestBody"), ("200", Some("ChangeTenantPreview")))
            .describe("Everything the change removes (every co-administrator, every role assignment, every custom role of the old directory's principals), what it keeps and what the principal map re-grants, and every blocker with its remedy. Answers 200 also when blocked; 403 when the caller may neither change the directory nor read the subscription's access."),
        op("put", CTR, EXT, Arm, "Change the subscription's directory", Some("ChangeTenantRequestBody"), ("200", Some("ChangeTenantRequest")))
            .also("201", Some("ChangeTenantRequest"))
            .describe("200 with status Completed when applied at once (atomically, with its audit event). 201 with status Initiated and expiresOn when the initiator is not present in the destination: the request then waits up to 7 days for a principal of the destination to accept it. Blockers refuse with 403 (not allowed, e.g. a co-administrator, a policy) or 409 (conflict, e.g. the service administrator's email is a member of the destination) and list every blocker in error.details."),
        op("get", CTR, EXT, Arm, "Show the subscription's change-of-directory request", None, ("200", Some("ChangeTenantRequest"))),
        op("delete", CTR, EXT, Arm, "Cancel a waiting change-of-directory request", None, ("200", Some("ChangeTenantRequest"))),
        op("post", "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/changeTenantRequest/default/accept", EXT, Arm,
           "Accept a waiting change of directory", None, ("200", Some("ChangeTenantRequest")))
            .describe("By the destination owner named in the request, or else a Global Administrator of the destination, signed in to the destination."),
        op("get", "/providers/Microsoft.Subscription/policies/default", EXT, Arm, "Show the token tenant's subscription policy", None, ("200", Some("TenantPolicy"))),
        op("put", "/providers/Microsoft.Subscription/policies/default", EXT, Arm, "Set the token tenant's subscription policy (Global Administrators)", Some("TenantPolicyBody"), ("200", Some("TenantPolicy"))),
        op("put", LINK, EXT, Arm, "Ask to add a directory to the subscription (use existing directory)", None, ("201", Some("DirectoryLinkRequest")))
            .describe("By the service administrator, signed in to the subscription's directory. Refused when the caller is a co-administrator (403), or the service administrator's email is a member or Global Administrator of the target, or both a personal and a work account (409)."),
        op("get", LINK, EXT, Arm, "Show the latest request to add that directory", None, ("200", Some("DirectoryLinkRequest"))),
        op("delete", LINK, EXT, Arm, "Withdraw a pending request", None, ("200", Some("DirectoryLinkRequest"))),
        op("get", "/providers/Microsoft.Subscription/directoryLinkRequests", EXT, Arm, "Pending requests to add the token tenant (Global Administrators, Global Readers)", None, ("200", Some("DirectoryLinkRequestList"))),
        op("get", "/providers/Microsoft.Subscription/directoryLinkRequests/{requestId}", EXT, Arm, "Show a request to add the token tenant", None, ("200", Some("DirectoryLinkRequest"))),
        op("post", "/providers/Microsoft.Subscription/directoryLinkRequests/{requestId}/approve", EXT, Arm, "Approve: the service administrator becomes a guest of the tenant (Global Administrators of the tenant)", None, ("200", Some("DirectoryLinkRequest"))),
        op("post", "/providers/Microsoft.Subscription/directoryLinkRequests/{requestId}/decline", EXT, Arm, "Decline a request (Global Administrators of the tenant)", None, ("200", Some("DirectoryLinkRequest"))),
        op("get", "/providers/Microsoft.Subscription/auditEvents", EXT, Arm, "The token tenant's audit log (Global Administrators, Global Readers)", None, ("200", Some("AuditEventList")))
            .describe("$filter: clauses joined by 'and': eventTimestamp ge|le '<RFC 3339>', caller eq '<name>', operationName eq '<operation>', startswith(operationName,'<prefix>'). $top: 1 to 1000 (default 100). Newest first."),
        op("get", "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/auditEvents", EXT, Arm, "A subscription's audit log (Microsoft.Insights/eventtypes/values/read: Reader and up)", None, ("200", Some("AuditEventList")))
            .describe("Same $filter and $top as the tenant's audit log."),
        op("get", "/providers/Microsoft.Subscription/auditCheckpoint", EXT, Arm, "A signed checkpoint of the audit log's hash chain (any caller with an ARM token)", None, ("200", Some("AuditCheckpoint")))
            .describe("{count, tipHash, time, signature}: how many events the deployment's audit chain holds and the last one's hash, signed with the token signing key (signature: a compact RS256 JWS over {count, tipHash, time}, verifiable with the published JWKS). Keep it; `tenantry audit verify --checkpoint` later proves the chain still passes through it."),
        op("post", "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/identityEndpointSecrets", EXT, Arm, "Issue a managed-identity endpoint secret for a resource with identities (whoever may write the resource)", None, ("200", None))
            .describe("Body {resourceId}. Answers {resourceId, secret, environment: {IDENTITY_ENDPOINT, IDENTITY_HEADER, AZURE_POD_IDENTITY_AUTHORITY_HOST}}: what a process exports to get the resource's identities' tokens at /msi/token or /msi/{secret}/metadata/identity/oauth2/token. The secret is shown once; it is kept hashed and audited. 400 ResourceHasNoIdentity when the resource has none."),
        op("post", "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/identityEndpointSecrets/revoke", EXT, Arm, "Revoke every managed-identity endpoint secret of a resource (whoever may write the resource)", None, ("200", None))
            .describe("Body {resourceId}. Answers {resourceId, revoked}: how many secrets went."),
        op("post", "/redeem/{tenantId}/{invitationId}", EXT, Arm, "Redeem an invitation with the invitee's own token (Graph or ARM audience)", None, ("200", Some("Invitation"))),
        op("get", "/redeem/{tenantId}/{invitationId}", EXT, Public, "The invitation page a browser opens (HTML)", None, ("200", None))
            .describe("Not signed in: a link to the sign-in pages (/signin, the pages /{tenant}/oauth2/v2.0/authorize shows), which come back here. Signed in: a button that posts to …/accept."),
        op("post", "/redeem/{tenantId}/{invitationId}/accept", EXT, Public, "Accept in the browser (portal session and its CSRF token, form-encoded)", None, ("200", None)),
        op("get", "/openapi.json", EXT, Public, "This document", None, ("200", None)),
        // ----- Entra ID -----
        op("get", "/{tenant}/v2.0/.well-known/openid-configuration", ENTRA, Public, "OpenID Connect discovery", None, ("200", Some("OpenIdConfiguration"))),
        op("post", "/{tenant}/oauth2/v2.0/token", ENTRA, Public, "Token endpoint: client_credentials, password, refresh_token, authorization_code (+PKCE), device_code", None, ("200", Some("TokenResponse")))
            .describe("application/x-www-form-urlencoded. {tenant}: a tenant GUID or domain, common, organizations or consumers. A confidential client proves itself with client_secret (or Basic credentials) or a client assertion signed with a certificate of its application (client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer, client_assertion)."),
        op("get", "/{tenant}/oauth2/v2.0/authorize", ENTRA, Public, "Authorization endpoint (sign-in page)", None, ("200", None)),
        op("post", "/{tenant}/oauth2/v2.0/devicecode", ENTRA, Public, "Device authorization (RFC 8628): a device code and the user code to type at /devicelogin", None, ("200", None))
            .describe("application/x-www-form-urlencoded: client_id, scope; a confidential client adds client_secret (or Basic credentials) or a client assertion (client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer, client_assertion), here and when it polls. Poll the token endpoint with grant_type=urn:ietf:params:oauth:grant-type:device_code."),
        op("get", "/devicelogin", ENTRA, Public, "The device flow's verification page (HTML; sign in, type the code, continue)", None, ("200", None)),
        op("get", "/discovery/v2.0/keys", ENTRA, Public, "Signing keys (JWKS)", None, ("200", None)),
        op("get", "/common/userrealm/{username}", ENTRA, Public, "User realm discovery by the name's domain: Managed for a tenant's domain, else Unknown", None, ("200", None)),
        op("get", "/msi/token", ENTRA, Public, "Managed identity token, App Service form (IDENTITY_ENDPOINT): header X-IDENTITY-HEADER, query resource, api-version (2019-08-01), optional client_id, object_id or mi_res_id", None, ("200", None))
            .describe("The header carries an endpoint secret from `tenantry identity env <resource-id>`. Answers {access_token, expires_on (epoch seconds, a string), not_before, resource, token_type, client_id}; refusals are {statusCode, message, correlationId}: 401 for a wrong or missing secret, 404 for an identity the resource does not have, 400 otherwise."),
        op("get", "/msi/{secret}/metadata/identity/oauth2/token", ENTRA, Public, "Managed identity token, IMDS form (AZURE_POD_IDENTITY_AUTHORITY_HOST): header Metadata: true, query api-version (2018-02-01), resource, optional client_id, object_id or msi_res_id", None, ("200", None))
            .describe("The path carries an endpoint secret from `tenantry identity env <resource-id>`. Answers {access_token, expires_in, expires_on, not_before, resource, token_type, client_id} (numbers as strings, as IMDS sends them); refusals are {error, error_description}: 401 unknown_source for a wrong secret, 400 bad_request_102 without the Metadata header, 400 invalid_request otherwise."),
        // ----- ARM -----
        op("get", "/metadata/endpoints", ARM, Public, "Cloud metadata for az cloud register", None, ("200", None)),
        op("get", "/subscriptions", ARM, Arm, "Subscriptions the caller sees", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}", ARM, Arm, "A subscription", None, ("200", None)),
        op("get", "/tenants", ARM, Arm, "Every tenant where the caller is present", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/locations", ARM, Arm, "The subscription's locations", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/providers", ARM, Arm, "Resource providers of the subscription (every namespace is registered)", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}", ARM, Arm, "A resource provider (every namespace is registered)", None, ("200", None)),
        op("put", "/providers/Microsoft.Subscription/aliases/{aliasName}", ARM, Arm, "Create a subscription in the token's directory through an alias (Global Administrators and owners of its subscriptions), or name an existing one", None, ("201", None))
            .also("200", None)
            .describe("201 with provisioningState Succeeded (done at once); 200 when the alias exists. 403 SubscriptionCreationNotAllowed, or SubscriptionCreationBlocked by the tenant policy (blockSubscriptionsIntoTenant) unless exempted."),
        op("get", "/providers/Microsoft.Subscription/aliases/{aliasName}", ARM, Arm, "Show an alias of the token's directory", None, ("200", None)),
        op("delete", "/providers/Microsoft.Subscription/aliases/{aliasName}", ARM, Arm, "Delete an alias (its subscription stays)", None, ("200", None))
            .also("204", None),
        op("get", "/providers/Microsoft.Subscription/aliases", ARM, Arm, "The aliases of the token's directory the caller may see", None, ("200", None)),
        op("post", "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/rename", ARM, Arm, "Rename a subscription (Owners, the account administrator)", None, ("200", None)),
        op("post", "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/cancel", ARM, Arm, "Cancel a subscription: Disabled, read-only until enabled (Owners, the account administrator)", None, ("200", None)),
        op("post", "/subscriptions/{subscriptionId}/providers/Microsoft.Subscription/enable", ARM, Arm, "Enable a cancelled subscription (Owners, the account administrator)", None, ("200", None)),
        op("get", "/providers/Microsoft.Subscription/policies", ARM, Arm, "The token tenant's subscription policies (the list form: default)", None, ("200", None)),
        op("post", "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/unregister", ARM, Arm, "Unregister a resource provider ({namespace}/unregister/action; it stays registered)", None, ("200", None)),
        op("get", "/providers", ARM, Arm, "Resource providers", None, ("200", None)),
        op("get", "/providers/{resourceProviderNamespace}", ARM, Arm, "A resource provider", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/resources", ARM, Arm, "Resources of the subscription the caller may read ($filter by resourceType, resourceGroup, name, location, tags; $top)", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/resources", ARM, Arm, "Resources of a resource group the caller may read ($filter, $top)", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/operationresults/{operationId}", ARM, Arm, "The result of a long-running operation (a resource group's deletion)", None, ("200", None)),
        op("post", "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/register", ARM, Arm, "Register a resource provider ({namespace}/register/action; it is registered already)", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/resourcegroups", ARM, Arm, "Resource groups ($filter, $top)", None, ("200", None)),
        op("put", "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}", ARM, Arm, "Create or update a resource group", None, ("200", None)).also("201", None),
        op("get", "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}", ARM, Arm, "A resource group", None, ("200", None)),
        op("head", "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}", ARM, Arm, "Whether a resource group exists (204/404)", None, ("204", None)),
        op("patch", "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}", ARM, Arm, "Update a resource group's tags and managedBy", None, ("200", None)),
        op("get", "/{scope}/providers/Microsoft.Resources/tags/default", ARM, Arm, "The tags of a subscription, resource group or resource", None, ("200", None)),
        op("put", "/{scope}/providers/Microsoft.Resources/tags/default", ARM, Arm, "Replace the tags at a scope (Tag Contributor, or write on the scope)", None, ("200", None)),
        op("patch", "/{scope}/providers/Microsoft.Resources/tags/default", ARM, Arm, "Merge, replace or delete tags at a scope (operation)", None, ("200", None)),
        op("delete", "/{scope}/providers/Microsoft.Resources/tags/default", ARM, Arm, "Remove every tag at a scope", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/tagNames", ARM, Arm, "The predefined tag names and those of the subscription, its groups and resources, with counts and values", None, ("200", None)),
        op("put", "/subscriptions/{subscriptionId}/tagNames/{tagName}", ARM, Arm, "Create a predefined tag name (az tag create --name)", None, ("201", None)).also("200", None),
        op("delete", "/subscriptions/{subscriptionId}/tagNames/{tagName}", ARM, Arm, "Delete a predefined tag name nothing uses and without values (204 when absent)", None, ("200", None)).also("204", None),
        op("put", "/subscriptions/{subscriptionId}/tagNames/{tagName}/tagValues/{tagValue}", ARM, Arm, "Add a value to a predefined tag name (az tag add-value)", None, ("201", None)).also("200", None),
        op("delete", "/subscriptions/{subscriptionId}/tagNames/{tagName}/tagValues/{tagValue}", ARM, Arm, "Delete a predefined tag value nothing uses (204 when absent)", None, ("200", None)).also("204", None),
        op("delete", "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}", ARM, Arm, "Delete a resource group (202 + Location)", None, ("202", None)),
        op("put", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{namespace}/{type}/{name}", ARM, Arm, "Create or update any resource", None, ("200", None)).also("201", None),
        op("get", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{namespace}/{type}/{name}", ARM, Arm, "A resource", None, ("200", None)),
        op("delete", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{namespace}/{type}/{name}", ARM, Arm, "Delete a resource", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{namespace}/{type}", ARM, Arm, "The resources of one type in a resource group", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/providers/{namespace}/{type}", ARM, Arm, "The top-level resources of one type in the subscription (az identity list)", None, ("200", None)),
        op("put", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}", ARM, Arm, "Create or update a user-assigned identity (its service principal is made in the subscription's directory)", None, ("200", None)).also("201", None),
        op("get", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}", ARM, Arm, "A user-assigned identity with its principalId, clientId and tenantId", None, ("200", None)),
        op("patch", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{namespace}/{type}/{name}", ARM, Arm, "Update a resource: tags, location, properties merged, identity (az identity update)", None, ("200", None)),
        op("delete", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}", ARM, Arm, "Delete a user-assigned identity with its service principal and every role assignment to it", None, ("200", None)),
        op("get", "/providers/Microsoft.Authorization/roleDefinitions", ARM, Arm, "The built-in role definitions", None, ("200", None)),
        op("get", "/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}", ARM, Arm, "A built-in role, or a custom role of a subscription the caller sees", None, ("200", None)),
        op("get", "/{scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}", ARM, Arm, "A role definition", None, ("200", None)),
        op("delete", "/{scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}", ARM, Arm, "Delete a custom role", None, ("200", None)),
        op("get", "/{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}", ARM, Arm, "A role assignment", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/classicAdministrators/{name}", ARM, Arm, "One classic administrator, by email", None, ("200", None)),
        op("get", "/{scope}/providers/Microsoft.Authorization/roleDefinitions", ARM, Arm, "Role definitions ($filter=roleName eq '…')", None, ("200", None)),
        op("put", "/{scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}", ARM, Arm, "Create or update a custom role", None, ("201", None)),
        op("get", "/{scope}/providers/Microsoft.Authorization/roleAssignments", ARM, Arm, "Role assignments ($filter=atScope(), principalId eq '…' (that principal), assignedTo('…') (it and every group it is in))", None, ("200", None)),
        op("put", "/{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}", ARM, Arm, "Create a role assignment", None, ("201", None)),
        op("delete", "/{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}", ARM, Arm, "Delete a role assignment", None, ("200", None)),
        op("get", "/{scope}/providers/Microsoft.Authorization/permissions", ARM, Arm, "The caller's permissions at a resource group or resource, each with the grant it comes from (grantedBy)", None, ("200", None)),
        op("get", "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/classicAdministrators", ARM, Arm, "Classic administrators", None, ("200", None)),
        op("put", "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/classicAdministrators/{name}", ARM, Arm, "Add a co-administrator or change the service administrator", None, ("200", None)),
        op("delete", "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/classicAdministrators/{name}", ARM, Arm, "Remove a co-administrator", None, ("200", None)),
        // ----- Microsoft Graph -----
        op("get", "/v1.0/users", GRAPH, Graph, "List users ($filter eq/startswith on userPrincipalName, mail, displayName, eq on userType, accountEnabled, id in (…); $select; $top; @odata.nextLink; $orderby=displayName or userPrincipalName; $count=true)", None, ("200", Some("UserCollection")))
            .describe("Guests without a directory role may not list users (403 Authorization_RequestDenied), as in Entra. $count=true needs the header ConsistencyLevel: eventual (400 Request_BadRequest otherwise; Entra silently leaves @odata.count out). $orderby with a $filter needs both (400 Request_UnsupportedQuery otherwise)."),
        op("post", "/v1.0/users", GRAPH, Graph, "Create a user (Global or User Administrators)", Some("NewUser"), ("201", Some("User"))),
        op("get", "/v1.0/users/{id}", GRAPH, Graph, "A user by object id or user principal name", None, ("200", Some("User"))),
        op("patch", "/v1.0/users/{id}", GRAPH, Graph, "Update a user", Some("UserPatch"), ("204", None)),
        op("delete", "/v1.0/users/{id}", GRAPH, Graph, "Delete a user", None, ("204", None)),
        op("get", "/v1.0/me", GRAPH, Graph, "The signed-in user (400 for application tokens)", None, ("200", Some("User"))),
        op("get", "/oidc/userinfo", GRAPH, Graph, "OpenID Connect userinfo: sub (pairwise, as the id token's), name, given_name, family_name, email (with the email scope); a token granted openid", None, ("200", None)),
        op("post", "/oidc/userinfo", GRAPH, Graph, "OpenID Connect userinfo (POST, as GET)", None, ("200", None)),
        op("get", "/v1.0/organization", GRAPH, Graph, "The token's tenant", None, ("200", Some("OrganizationCollection"))),
        op("get", "/v1.0/organization/{id}", GRAPH, Graph, "The token's tenant by id", None, ("200", Some("Organization"))),
        op("get", "/v1.0/domains", GRAPH, Graph, "The tenant's domains", None, ("200", Some("DomainCollection"))),
        op("get", "/v1.0/domains/{id}", GRAPH, Graph, "A domain", None, ("200", Some("Domain"))),
        op("get", "/v1.0/directoryRoles", GRAPH, Graph, "Activated directory roles", None, ("200", Some("DirectoryRoleCollection"))),
        op("get", "/v1.0/directoryRoles/{id}", GRAPH, Graph, "A directory role (id or roleTemplateId=…)", None, ("200", Some("DirectoryRole"))),
        op("get", "/v1.0/directoryRoles/{id}/members", GRAPH, Graph, "Members of a directory role", None, ("200", Some("DirectoryObjectCollection"))),
        op("post", "/v1.0/directoryRoles/{id}/members/$ref", GRAPH, Graph, "Add a member (Global Administrators)", Some("ReferenceCreate"), ("204", None)),
        op("delete", "/v1.0/directoryRoles/{id}/members/{memberId}/$ref", GRAPH, Graph, "Remove a member (Global Administrators)", None, ("204", None)),
        op("post", "/v1.0/invitations", GRAPH, Graph, "Invite a guest (Global or User Administrators)", Some("NewInvitation"), ("201", Some("Invitation")))
            .describe("inviteRedeemUrl is a tenantry URL: POST to it with the invitee's own token, or open it in a browser. Inviting a member's UPN or mail is refused (409)."),
        op("get", "/v1.0/invitations/{id}", GRAPH, Graph, "An invitation", None, ("200", Some("Invitation"))),
        op("post", "/v1.0/directoryObjects/getByIds", GRAPH, Graph, "Directory objects by id", Some("GetByIds"), ("200", Some("DirectoryObjectCollection"))),
        op("get", "/v1.0/directoryObjects/{id}", GRAPH, Graph, "A directory object", None, ("200", Some("DirectoryObject"))),
        op("get", "/v1.0/servicePrincipals", GRAPH, Graph, "Service principals ($filter=servicePrincipalNames/any(c:c eq '…'), appId eq '…')", None, ("200", Some("ServicePrincipalCollection"))),
        op("get", "/v1.0/servicePrincipals/{id}", GRAPH, Graph, "A service principal (also servicePrincipals(appId='…'))", None, ("200", Some("ServicePrincipal"))),
        op("patch", "/v1.0/servicePrincipals/{id}", GRAPH, Graph, "Update its application (as PATCH /applications/{id})", None, ("204", None)),
        op("delete", "/v1.0/servicePrincipals/{id}", GRAPH, Graph, "Delete a service principal with its application, role assignments, directory roles and group memberships (Global Administrators)", None, ("204", None)),
        op("post", "/v1.0/servicePrincipals/{id}/addPassword", GRAPH, Graph, "A new client secret of its application, shown in this answer only", None, ("200", None)),
        op("post", "/v1.0/servicePrincipals/{id}/removePassword", GRAPH, Graph, "Remove a client secret of its application ({keyId})", None, ("204", None)),
        op("post", "/v1.0/servicePrincipals", GRAPH, Graph, "The service principal of an application ({appId}); it exists with the application", None, ("201", Some("ServicePrincipal"))),
        op("get", "/v1.0/applications", GRAPH, Graph, "Applications ($filter on appId, displayName)", None, ("200", None)),
        op("post", "/v1.0/applications", GRAPH, Graph, "Register an application (Global Administrators)", None, ("201", None)),
        op("get", "/v1.0/applications/{id}", GRAPH, Graph, "An application, by its application object id (also applications(appId='…'))", None, ("200", None)),
        op("patch", "/v1.0/applications/{id}", GRAPH, Graph, "Update an application: displayName, web/spa/publicClient redirectUris, keyCredentials, groupMembershipClaims, signInAudience (Global Administrators)", None, ("204", None))
            .describe("keyCredentials is the whole list: an entry with key null and a keyId the application has keeps that certificate; one with a key (base64 DER) adds it. signInAudience can only be AzureADMyOrg. Tenantry keeps one list of redirect URIs, which web, spa and publicClient each set."),
        op("delete", "/v1.0/applications/{id}", GRAPH, Graph, "Delete an application with its service principal, role assignments, directory roles and group memberships (Global Administrators)", None, ("204", None)),
        op("post", "/v1.0/applications/{id}/addPassword", GRAPH, Graph, "A new client secret, shown in this answer only", None, ("200", None)),
        op("get", "/v1.0/applications/{id}/federatedIdentityCredentials", GRAPH, Graph, "An application's federated identity credentials ($filter on name, subject, issuer)", None, ("200", Some("FederatedIdentityCredentialCollection"))),
        op("post", "/v1.0/applications/{id}/federatedIdentityCredentials", GRAPH, Graph, "Trust an external issuer's tokens about one subject (Global Administrators; at most 20 per application)", Some("NewFederatedIdentityCredential"), ("201", Some("FederatedIdentityCredential")))
            .describe("name: 3 to 120 letters, digits, '-' or '_', unique in the application and immutable; issuer: an https URL; audiences: exactly one, default api://AzureADTokenExchange. An (issuer, subject) pair is unique in the application (400 otherwise)."),
        op("get", "/v1.0/applications/{id}/federatedIdentityCredentials/{credentialId}", GRAPH, Graph, "A federated identity credential, by id or name", None, ("200", Some("FederatedIdentityCredential"))),
        op("patch", "/v1.0/applications/{id}/federatedIdentityCredentials/{credentialId}", GRAPH, Graph, "Update a federated identity credential's issuer, subject, audiences or description", Some("FederatedIdentityCredentialPatch"), ("204", None)),
        op("delete", "/v1.0/applications/{id}/federatedIdentityCredentials/{credentialId}", GRAPH, Graph, "Delete a federated identity credential", None, ("204", None)),
        op("post", "/v1.0/applications/{id}/removePassword", GRAPH, Graph, "Remove a client secret ({keyId})", None, ("204", None)),
        op("post", "/v1.0/applications/{id}/addKey", GRAPH, Graph, "Add a certificate ({keyCredential, proof}) with a proof of possession of a current certificate's key", None, ("200", None))
            .describe("proof: a JWT signed with the private key of a current certificate of the application (x5t in its header), aud 00000002-0000-0000-c000-000000000000, iss the application's object id, nbf and exp at most 10 minutes apart."),
        op("post", "/v1.0/applications/{id}/removeKey", GRAPH, Graph, "Remove a certificate ({keyId, proof}), with a proof of possession as for addKey", None, ("204", None)),
        op("post", "/v1.0/servicePrincipals/{id}/addKey", GRAPH, Graph, "addKey of its application", None, ("200", None)),
        op("post", "/v1.0/servicePrincipals/{id}/removeKey", GRAPH, Graph, "removeKey of its application", None, ("204", None)),
        op("get", "/v1.0/groups", GRAPH, Graph, "Security groups ($filter: displayName eq/startswith, mailNickname eq, securityEnabled eq, id in (…); $select; $top; $orderby=displayName; $count=true)", None, ("200", Some("GroupCollection")))
            .describe(ADVANCED),
        op("post", "/v1.0/groups", GRAPH, Graph, "Create a security group (Global, User and Groups Administrators; a role-assignable one, Global Administrators)", Some("NewGroup"), ("201", Some("Group")))
            .describe("mailEnabled must be false and groupTypes empty: tenantry keeps security groups only. members@odata.bind and owners@odata.bind name its first members and owners (…/directoryObjects/{id}). A display name is unique in the directory (409 otherwise)."),
        op("get", "/v1.0/groups/{id}", GRAPH, Graph, "A group", None, ("200", Some("Group"))),
        op("patch", "/v1.0/groups/{id}", GRAPH, Graph, "Update a group (its owners and the group managers)", Some("GroupPatch"), ("204", None))
            .describe("isAssignableToRole is set at creation and cannot change (400)."),
        op("delete", "/v1.0/groups/{id}", GRAPH, Graph, "Delete a group with its memberships and its role assignments in every subscription that trusts the directory", None, ("204", None)),
        op("get", "/v1.0/groups/{id}/members", GRAPH, Graph, "Direct members (users, service principals, groups)", None, ("200", Some("DirectoryObjectCollection"))),
        op("post", "/v1.0/groups/{id}/members/$ref", GRAPH, Graph, "Add a member", Some("ReferenceCreate"), ("204", None))
            .describe("A group that would contain itself, directly or through nesting, is refused (Request_BadRequest) with the cycle's path."),
        op("delete", "/v1.0/groups/{id}/members/{memberId}/$ref", GRAPH, Graph, "Remove a direct member", None, ("204", None)),
        op("get", "/v1.0/groups/{id}/owners", GRAPH, Graph, "Owners", None, ("200", Some("DirectoryObjectCollection"))),
        op("post", "/v1.0/groups/{id}/owners/$ref", GRAPH, Graph, "Add an owner (a user or service principal)", Some("ReferenceCreate"), ("204", None)),
        op("delete", "/v1.0/groups/{id}/owners/{ownerId}/$ref", GRAPH, Graph, "Remove an owner", None, ("204", None)),
        op("get", "/v1.0/groups/{id}/transitiveMembers", GRAPH, Graph, "Members, directly or through nested groups", None, ("200", Some("DirectoryObjectCollection"))),
    ];
    // What a principal is a member of and owns, on each kind of principal.
    use crate::graph::memberships::{self, Action};
    for (path, list) in memberships::lists() {
        ops.push(Op {
            path: Cow::Owned(path),
            ..op(
                "get",
                "",
                GRAPH,
                Graph,
                list.summary(),
                None,
                ("200", Some("DirectoryObjectCollection")),
            )
        });
    }
    for (path, action) in memberships::actions() {
        let body = match action {
            Action::CheckMemberGroups => "CheckMemberGroups",
            Action::CheckMemberObjects => "CheckMemberObjects",
            Action::GetMemberGroups | Action::GetMemberObjects => "GetMemberGroups",
        };
        ops.push(Op {
            path: Cow::Owned(path),
            ..op(
                "post",
                "",
                GRAPH,
                Graph,
                action.summary(),
                Some(body),
                ("200", Some("StringCollection")),
            )
            .describe("Also served as microsoft.graph.{action}, the qualified name.")
        });
    }
    ops.extend(collection_views(&ops));
    ops
}

/// The views of Graph's lists of directory objects: how many they hold (`…/$count`), and for lists
/// of several types, each OData cast (`…/microsoft.graph.user`), itself counted too.
fn collection_views(ops: &[Op]) -> Vec<Op> {
    let mut views = Vec::new();
    for o in ops.iter().filter(|o| o.tag == GRAPH && o.method == "get") {
        let mixed = o.ok.1 == Some("DirectoryObjectCollection");
        let set = matches!(
            o.ok.1,
            Some("UserCollection" | "GroupCollection" | "ServicePrincipalCollection")
        ) || o.path == "/v1.0/applications";
        if !(mixed || set) {
            continue;
        }
        let count = |path: String| Op {
            path: Cow::Owned(format!("{path}/$count")),
            ..op(
                "get",
                "",
                GRAPH,
                Auth::Graph,
                "How many the list holds (after $filter), as a number in text/plain",
                None,
                ("200", None),
            )
            .describe(COUNT_SEGMENT)
        };
        views.push(count(o.path.to_string()));
        for cast in crate::graph::CASTS.iter().filter(|_| mixed) {
            let path = format!("{}/microsoft.graph.{}", o.path, cast.name);
            views.push(Op {
                path: Cow::Owned(path.clone()),
                ..op("get", "", GRAPH, Auth::Graph, "The list's objects of one type (an OData cast); @odata.context names that type's set", None, ("200", Some("DirectoryObjectCollection")))
            });
            views.push(count(path));
        }
    }
    views
}

/// How Graph's `$count` segment is answered, as Entra answers it.
const COUNT_SEGMENT: &str = "Needs the header ConsistencyLevel: eventual (400 Request_BadRequest '$count is not currently supported.' otherwise, as in Entra).";

/// How Graph's collections read `$count` and `$orderby`, as Entra does.
const ADVANCED: &str = "$count=true needs the header ConsistencyLevel: eventual (400 Request_BadRequest otherwise; Entra silently leaves @odata.count out). $orderby with a $filter needs both (400 Request_UnsupportedQuery otherwise).";

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"},
                   "description": if name == "scope" { "An ARM scope without its leading slash: subscriptions/{id}[/resourceGroups/{name}[/providers/…]]" } else { "" }})
        })
        .collect()
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn response(description: &str, schema: Option<&str>) -> Value {
    match schema {
        Some(s) => {
            json!({"description": description, "content": {"application/json": {"schema": schema_ref(s)}}})
        }
        None => json!({"description": description}),
    }
}

fn operation_json(o: &Op) -> Value {
    let mut params = path_parameters(&o.path);
    if o.tag == ARM || o.tag == EXT && o.auth == Auth::Arm {
        params.push(json!({"name": "api-version", "in": "query", "required": false,
            "description": "Accepted and ignored: every api-version is served the same way.", "schema": {"type": "string"}}));
    }
    let mut responses = Map::new();
    responses.insert(o.ok.0.into(), response("Success", o.ok.1));
    if let Some((status, schema)) = o.also {
        responses.insert(status.into(), response("Success", schema));
    }
    let error = match o.auth {
        Auth::Graph => Some("GraphError"),
        Auth::Arm => Some("ArmError"),
        Auth::Public if o.tag == ENTRA => Some("EntraError"),
        Auth::Public => None,
    };
    if let Some(e) = error {
        responses.insert("default".into(), response("Error", Some(e)));
    }
    let mut v = json!({
        "tags": [o.tag],
        "summary": o.summary,
        "operationId": operation_id(o),
        "parameters": params,
        "responses": responses,
    });
    if !o.description.is_empty() {
        v["description"] = json!(o.description);
    }
    if let Some(body) = o.request {
        v["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": schema_ref(body)}}});
    }
    v["security"] = match o.auth {
        Auth::Public => json!([]),
        Auth::Arm => json!([{"armBearer": []}]),
        Auth::Graph => json!([{"graphBearer": []}]),
    };
    v
}

/// `post_subscriptions_subscriptionId_providers_…`: unique because (method, path) is.
fn operation_id(o: &Op) -> String {
    let path: String = o
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{}{}", o.method, path.trim_end_matches('_'))
}

pub fn openapi(base_url: &str) -> Value {
    let mut paths = Map::new();
    for o in operations() {
        let item = paths.entry(o.path.to_string()).or_insert_with(|| json!({}));
        item[o.method] = operation_json(&o);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "tenantry",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A self-hostable control plane that speaks Entra ID's, Azure Resource Manager's and Microsoft Graph's wire formats, plus the extensions Azure lacks: a scriptable change of a subscription's directory with an exact impact preview and a principal map, tenant subscription policies, directory link requests (use existing directory), invitation redemption and audit-log queries. Errors: ARM {\"error\":{\"code\",\"message\",\"details\"}}, Graph {\"error\":{\"code\",\"message\",\"innerError\"}}, Entra {\"error\",\"error_description\",\"error_codes\"}.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": base_url}],
        "tags": [
            {"name": EXT, "description": "What Azure lacks, in ARM's style (Microsoft.Subscription provider, ARM tokens and errors)."},
            {"name": ENTRA, "description": "Microsoft Entra ID v2.0 endpoints."},
            {"name": ARM, "description": "The Azure Resource Manager subset, every call authorized with Azure's action names."},
            {"name": GRAPH, "description": "The Microsoft Graph v1.0 subset; a caller sees only its token's tenant."},
        ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "armBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "An access token for ARM (https://management.azure.com or https://management.core.windows.net/) from /{tenant}/oauth2/v2.0/token."},
                "graphBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "An access token for Microsoft Graph (https://graph.microsoft.com or the server's base URL)."},
            },
            "schemas": schemas(),
        }
    })
}

fn string() -> Value {
    json!({"type": "string"})
}
fn nullable_string() -> Value {
    json!({"type": ["string", "null"]})
}
fn uuid() -> Value {
    json!({"type": "string", "format": "uuid"})
}
fn time() -> Value {
    json!({"type": ["string", "null"], "format": "date-time"})
}
fn array_of(name: &str) -> Value {
    json!({"type": "array", "items": schema_ref(name)})
}
fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}
fn collection(item: &str) -> Value {
    object(
        &["value"],
        json!({"@odata.context": string(), "@odata.nextLink": string(), "value": array_of(item)}),
    )
}

/// The component schemas, one `json!` each (a single literal would exceed the macro recursion limit).
fn schemas() -> Value {
    let mut m = Map::new();
    m.insert("ArmError".into(), object(&["error"], json!({"error": object(&["code", "message"], json!({
            "code": string(), "message": string(),
            "details": {"type": "array", "items": object(&["code", "message"], json!({"code": string(), "message": string()}))}
        }))})));
    m.insert(
        "GraphError".into(),
        object(
            &["error"],
            json!({"error": object(&["code", "message"], json!({
                "code": string(), "message": string(), "innerError": {"type": "object"}
            }))}),
        ),
    );
    m.insert("EntraError".into(), object(&["error"], json!({"error": string(), "error_description": string(),
            "error_codes": {"type": "array", "items": {"type": "integer"}}, "timestamp": string(), "trace_id": string(), "correlation_id": string()})));
    m.insert(
        "Blocker".into(),
        object(
            &["code", "message"],
            json!({"code": string(), "message": string(), "remedy": nullable_string()}),
        ),
    );
    m.insert("ChangeTenantRequestBody".into(), object(&["properties"], json!({"properties": object(&["destinationTenantId"], json!({
            "destinationTenantId": {"type": "string", "description": "Tenant GUID or one of its domains."},
            "destinationOwnerId": {"type": "string", "description": "Object id or UPN of who must accept, in the destination; default: any Global Administrator there."},
            "principalMap": {"type": "object", "additionalProperties": string(),
                "description": "Old principal (object id, UPN or email in the source, or a co-administrator's email) to a principal present in the destination: its role assignments (and co-administrator role) are re-granted in the same transaction."},
        }))})));
    m.insert("RoleAssignmentImpact".into(), object(&["id", "principalId", "roleDefinitionId", "scope"], json!({
            "id": string(), "principalId": uuid(), "principalName": string(), "principalType": string(),
            "roleDefinitionId": string(), "roleDefinitionName": string(), "scope": string()})));
    m.insert(
        "Email".into(),
        object(&["emailAddress"], json!({"emailAddress": string()})),
    );
    m.insert(
        "RoleDefinitionRef".into(),
        object(
            &["id", "roleName"],
            json!({"id": string(), "roleName": string()}),
        ),
    );
    m.insert("ChangeTenantImpact".into(), object(&["subscriptionId", "sourceTenantId", "destinationTenantId", "blockers"], json!({
            "subscriptionId": uuid(), "sourceTenantId": uuid(), "destinationTenantId": uuid(),
            "blockers": array_of("Blocker"),
            "removedCoAdministrators": array_of("Email"),
            "removedRoleAssignments": array_of("RoleAssignmentImpact"),
            "removedCustomRoleDefinitions": array_of("RoleDefinitionRef"),
            "retainedAdministrators": {"type": "array", "items": object(&["emailAddress", "role"], json!({"emailAddress": string(), "role": {"enum": ["ServiceAdministrator", "AccountAdministrator"]}}))},
            "regrantedCoAdministrators": array_of("Email"),
            "regrantedRoleAssignments": array_of("RoleAssignmentImpact"),
            "keptCustomRoleDefinitions": array_of("RoleDefinitionRef"),
            "roleAssignmentsLosingRole": array_of("RoleAssignmentImpact"),
            "inheritedRoleAssignmentsLost": {"type": "array", "items": object(
                &["roleAssignmentId", "principalId", "principalName", "roleDefinitionName", "managementGroup"],
                json!({"roleAssignmentId": string(), "principalId": string(), "principalName": string(),
                       "roleDefinitionName": string(), "managementGroup": string()}),
            )},
        })));
    m.insert("ChangeTenantPreview".into(), object(&["properties"], json!({"id": string(), "type": string(), "properties": schema_ref("ChangeTenantImpact")})));
    m.insert("ChangeTenantRequest".into(), object(&["id", "name", "type", "properties"], json!({
            "id": string(), "name": {"const": "default"}, "type": {"const": "Microsoft.Subscription/changeTenantRequest"},
            "properties": {"allOf": [schema_ref("ChangeTenantImpact")], "type": "object", "properties": {
                "status": {"enum": ["Initiated", "Completed", "Cancelled", "Expired", "Declined"]},
                "destinationOwnerId": {"type": ["string", "null"], "format": "uuid"},
                "principalMap": {"type": "object", "additionalProperties": string()},
                "initiator": nullable_string(), "createdOn": time(), "expiresOn": time(),
            }, "description": "A completed change also carries its impact (the ChangeTenantImpact fields)."},
        })));
    m.insert("TenantPolicyBody".into(), json!({"type": "object", "description": "Flat as Azure's PutTenantPolicyRequestProperties, or wrapped in 'properties'. Fields left out keep their values.", "properties": {
            "blockSubscriptionsLeavingTenant": {"type": "boolean"}, "blockSubscriptionsIntoTenant": {"type": "boolean"},
            "exemptedPrincipals": {"type": "array", "items": string(), "description": "Object ids (or UPNs) of the tenant's principals."},
            "properties": {"type": "object"}}}));
    m.insert("TenantPolicy".into(), object(&["id", "name", "type", "properties"], json!({"id": string(), "name": string(), "type": string(),
            "properties": object(&[], json!({"policyId": uuid(), "blockSubscriptionsLeavingTenant": {"type": "boolean"},
                "blockSubscriptionsIntoTenant": {"type": "boolean"}, "exemptedPrincipals": {"type": "array", "items": uuid()}}))})));
    m.insert("DirectoryLinkRequest".into(), object(&["id", "name", "type", "properties"], json!({"id": string(), "name": uuid(), "type": string(),
            "properties": object(&["status"], json!({"status": {"enum": ["Pending", "Completed", "Declined", "Cancelled", "Expired"]},
                "subscriptionId": uuid(), "subscriptionDisplayName": nullable_string(), "tenantId": uuid(), "tenantDisplayName": nullable_string(),
                "requester": nullable_string(), "createdOn": time(), "expiresOn": time(), "decidedBy": {"type": ["string", "null"], "format": "uuid"}}))})));
    m.insert(
        "DirectoryLinkRequestList".into(),
        object(
            &["value"],
            json!({"value": array_of("DirectoryLinkRequest")}),
        ),
    );
    m.insert("AuditEvent".into(), object(&["id", "eventTimestamp", "caller", "operationName"], json!({"id": string(), "eventDataId": uuid(),
            "eventTimestamp": time(), "caller": string(), "callerObjectId": nullable_string(),
            "operationName": object(&["value"], json!({"value": string(), "localizedValue": string()})),
            "tenantId": {"type": ["string", "null"]}, "subscriptionId": {"type": ["string", "null"]}, "resourceId": string(),
            "status": {"type": "object"}, "properties": {"description": "What the change did (never a secret)."}})));
    m.insert(
        "AuditEventList".into(),
        object(&["value"], json!({"value": array_of("AuditEvent")})),
    );
    m.insert(
        "AuditCheckpoint".into(),
        object(
            &["count", "tipHash", "time", "signature"],
            json!({"count": {"type": "integer"},
            "tipHash": string(), "time": time(), "signature": string()}),
        ),
    );
    m.insert("OpenIdConfiguration".into(), object(&["token_endpoint", "authorization_endpoint"], json!({"issuer": string(), "token_endpoint": string(), "authorization_endpoint": string(), "jwks_uri": string()})));
    m.insert("TokenResponse".into(), object(&["access_token", "expires_in"], json!({"access_token": string(), "token_type": string(), "expires_in": {"type": "integer"},
            "refresh_token": string(), "id_token": string(), "client_info": string(), "scope": string()})));
    m.insert("User".into(), object(&["id", "userPrincipalName", "displayName"], json!({"id": uuid(), "userPrincipalName": string(), "displayName": string(),
            "mail": nullable_string(), "mailNickname": string(), "accountEnabled": {"type": "boolean"}, "userType": {"enum": ["Member", "Guest"]},
            "givenName": nullable_string(), "surname": nullable_string(), "jobTitle": nullable_string(), "mobilePhone": nullable_string(),
            "officeLocation": nullable_string(), "preferredLanguage": nullable_string(), "businessPhones": {"type": "array", "items": string()},
            "createdDateTime": time(), "creationType": nullable_string(), "externalUserState": {"enum": ["PendingAcceptance", "Accepted", null]}})));
    m.insert("UserCollection".into(), collection("User"));
    m.insert("NewUser".into(), object(&["userPrincipalName", "displayName", "passwordProfile"], json!({"userPrincipalName": string(), "displayName": string(),
            "mailNickname": string(), "mail": string(), "givenName": string(), "surname": string(), "accountEnabled": {"type": "boolean"},
            "passwordProfile": object(&["password"], json!({"password": string(), "forceChangePasswordNextSignIn": {"type": "boolean"}}))})));
    m.insert("UserPatch".into(), object(&[], json!({"displayName": string(), "accountEnabled": {"type": "boolean"}, "mail": nullable_string(),
            "givenName": nullable_string(), "surname": nullable_string(),
            "passwordProfile": object(&["password"], json!({"password": string()}))})));
    m.insert("Organization".into(), object(&["id", "displayName", "verifiedDomains"], json!({"id": uuid(), "displayName": string(), "tenantType": string(),
            "verifiedDomains": {"type": "array", "items": object(&["name"], json!({"name": string(), "isDefault": {"type": "boolean"}, "isInitial": {"type": "boolean"}, "type": string()}))}})));
    m.insert("OrganizationCollection".into(), collection("Organization"));
    m.insert("Domain".into(), object(&["id"], json!({"id": string(), "authenticationType": string(), "isDefault": {"type": "boolean"}, "isInitial": {"type": "boolean"}, "isVerified": {"type": "boolean"}})));
    m.insert("DomainCollection".into(), collection("Domain"));
    m.insert("DirectoryRole".into(), object(&["id", "displayName", "roleTemplateId"], json!({"id": string(), "displayName": string(), "description": string(), "roleTemplateId": string()})));
    m.insert(
        "DirectoryRoleCollection".into(),
        collection("DirectoryRole"),
    );
    m.insert("DirectoryObject".into(), object(&["@odata.type", "id"], json!({"@odata.type": {"enum": ["#microsoft.graph.user", "#microsoft.graph.servicePrincipal", "#microsoft.graph.group", "#microsoft.graph.directoryRole"]}, "id": uuid(),
            "displayName": string()})));
    m.insert("Group".into(), object(&["id", "displayName", "mailNickname", "securityEnabled"], json!({"id": uuid(), "displayName": string(), "description": nullable_string(),
            "mailNickname": string(), "mailEnabled": {"const": false}, "securityEnabled": {"type": "boolean"}, "isAssignableToRole": {"type": "boolean"},
            "groupTypes": {"type": "array", "items": string(), "maxItems": 0}, "securityIdentifier": string(), "createdDateTime": time(),
            "mail": {"type": "null"}, "visibility": {"type": "null"}})));
    m.insert("GroupCollection".into(), collection("Group"));
    let fic = json!({"name": string(), "issuer": string(), "subject": string(), "description": nullable_string(),
            "audiences": {"type": "array", "items": string(), "minItems": 1, "maxItems": 1}});
    let mut with_id = fic.clone();
    with_id["id"] = uuid();
    m.insert(
        "FederatedIdentityCredential".into(),
        object(&["id", "name", "issuer", "subject", "audiences"], with_id),
    );
    m.insert(
        "FederatedIdentityCredentialCollection".into(),
        collection("FederatedIdentityCredential"),
    );
    m.insert(
        "NewFederatedIdentityCredential".into(),
        object(&["name", "issuer", "subject"], fic.clone()),
    );
    m.insert("FederatedIdentityCredentialPatch".into(), object(&[], fic));
    m.insert("NewGroup".into(), object(&["displayName"], json!({"displayName": string(), "description": string(),
            "mailNickname": {"type": "string", "description": "Default: a slug of displayName."}, "mailEnabled": {"const": false}, "securityEnabled": {"const": true},
            "isAssignableToRole": {"type": "boolean", "description": "Only Global Administrators create one; it may hold directory roles and cannot contain groups."},
            "groupTypes": {"type": "array", "items": string(), "maxItems": 0},
            "members@odata.bind": {"type": "array", "items": string()}, "owners@odata.bind": {"type": "array", "items": string()}})));
    m.insert("GroupPatch".into(), object(&[], json!({"displayName": string(), "description": nullable_string(), "mailNickname": string(),
            "securityEnabled": {"const": true}, "mailEnabled": {"const": false}, "isAssignableToRole": {"type": "boolean", "description": "Only its current value."}})));
    m.insert(
        "CheckMemberGroups".into(),
        object(
            &["groupIds"],
            json!({"groupIds": {"type": "array", "items": string(), "maxItems": 20}}),
        ),
    );
    m.insert(
        "CheckMemberObjects".into(),
        object(
            &["ids"],
            json!({"ids": {"type": "array", "items": string()}}),
        ),
    );
    m.insert(
        "GetMemberGroups".into(),
        object(&[], json!({"securityEnabledOnly": {"type": "boolean"}})),
    );
    m.insert(
        "StringCollection".into(),
        object(
            &["value"],
            json!({"@odata.context": string(), "value": {"type": "array", "items": string()}}),
        ),
    );
    m.insert(
        "DirectoryObjectCollection".into(),
        collection("DirectoryObject"),
    );
    m.insert(
        "ReferenceCreate".into(),
        object(
            &["@odata.id"],
            json!({"@odata.id": {"type": "string", "description": "…/v1.0/directoryObjects/{id}"}}),
        ),
    );
    m.insert("GetByIds".into(), object(&["ids"], json!({"ids": {"type": "array", "items": string()}, "types": {"type": "array", "items": string()}})));
    m.insert(
        "NewInvitation".into(),
        object(
            &["invitedUserEmailAddress", "inviteRedirectUrl"],
            json!({"invitedUserEmailAddress": string(), "inviteRedirectUrl": string(),
            "invitedUserDisplayName": string(), "sendInvitationMessage": {"type": "boolean"}}),
        ),
    );
    m.insert("Invitation".into(), object(&["id", "inviteRedeemUrl", "status", "invitedUser"], json!({"id": uuid(), "inviteRedeemUrl": string(), "inviteRedirectUrl": nullable_string(),
            "invitedUserEmailAddress": string(), "invitedUserType": string(), "status": {"enum": ["PendingAcceptance", "Completed", "Error"]},
            "invitedUser": object(&["id"], json!({"id": uuid()}))})));
    m.insert("ServicePrincipal".into(), object(&["id", "appId"], json!({"id": uuid(), "appId": uuid(), "displayName": string(), "servicePrincipalNames": {"type": "array", "items": string()}})));
    m.insert(
        "ServicePrincipalCollection".into(),
        collection("ServicePrincipal"),
    );
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_resolves_and_operations_are_unique() {
        let doc = openapi("https://127.0.0.1");
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let text = doc.to_string();
        for (i, _) in text.match_indices("#/components/schemas/") {
            let name: String = text[i + 21..].chars().take_while(|c| *c != '"').collect();
            assert!(schemas.contains_key(&name), "missing schema {name}");
        }
        let mut ids: Vec<String> = operations().iter().map(operation_id).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "operation ids are unique");
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"][CTR]["put"]["responses"]["201"].is_object());
    }
}
