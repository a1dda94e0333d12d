//! The commands and queries the faces (ARM, Graph, sign-in, portal, CLI) call. Each runs a domain rule
//! through [`Service::execute`]; what the rules cannot do themselves (hashing secrets, reading the clock)
//! happens here, once.

use crate::crypto::{passwords, secrets};
use crate::{Service, ServiceError};
use tenantry_domain::rules::change_directory::{self, ChangeDirectoryPlan, Initiated};
use tenantry_domain::rules::{
    self, AccountType, access, admins, applications, directory, federated, group_roles, guests,
    resources, tags,
};
use tenantry_domain::*;

/// Hashes a password off the async executor: Argon2id takes tens of milliseconds by design.
pub async fn hash_password(password: String) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || passwords::hash_password(&password))
        .await
        .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
}

/// A new application with the one secret it is shown with (never stored in clear).
pub struct NewApplicationSecret {
    pub object_id: ObjectId,
    pub client_id: uuid::Uuid,
    pub client_secret: String,
}

/// A rule that may find nothing to do (ARM's DELETE of something absent): no change and no value.
fn or_nothing<T>(found: Option<(Change, T)>) -> (Change, Option<T>) {
    match found {
        Some((change, value)) => (change, Some(value)),
        None => (Change::new(), None),
    }
}

/// A user's given name and surname (Graph's `givenName` and `surname`), both optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserNames {
    pub given_name: Option<String>,
    pub surname: Option<String>,
}

/// What a face changes of a user; `None` keeps a property, `Some(None)` clears an optional one. The
/// password is in clear: the service hashes it.
#[derive(Debug, Clone, Default)]
pub struct UserEdit {
    pub display_name: Option<String>,
    pub given_name: Option<Option<String>>,
    pub surname: Option<Option<String>>,
    pub enabled: Option<bool>,
    pub mail: Option<Option<String>>,
    pub password: Option<String>,
}

impl Service {
    /// Runs a domain rule at the service's clock through [`Service::execute`].
    pub(crate) async fn run<T>(
        &self,
        rule: impl FnOnce(&World, Timestamp) -> Result<(Change, T), DomainError>,
    ) -> Result<T, ServiceError> {
        let now = self.now();
        self.execute(|w| Ok(rule(w, now)?)).await
    }

    // ----- directories -----

    pub async fn create_personal_account(
        &self,
        actor: &Actor,
        email: &str,
        password: &str,
        display_name: &str,
    ) -> Result<AccountId, ServiceError> {
        directory::validate_password(password)?;
        let password_hash = hash_password(password.to_string()).await?;
        let now = self.now();
        let req = || directory::NewPersonalAccount {
            id: None,
            email: email.to_string(),
            display_name: display_name.to_string(),
            password_hash: password_hash.clone(),
        };
        self.execute(|w| Ok(directory::create_personal_account(w, actor, req(), now)?))
            .await
    }

    pub async fn create_tenant(
        &self,
        actor: &Actor,
        name: &str,
        display_name: &str,
        origin: TenantOrigin,
        domain_suffix: &str,
    ) -> Result<TenantId, ServiceError> {
        self.run(|w, now| {
            directory::create_tenant(
                w,
                actor,
                directory::NewTenant {
                    id: None,
                    name: name.into(),
                    display_name: display_name.into(),
                    origin,
                    domain_suffix: domain_suffix.into(),
                    domains: vec![],
                },
                now,
            )
        })
        .await
    }

    #[allow(clippy::too_many_arguments)] // mirrors the fields of a new user; a struct would only rename them
    pub async fn create_user(
        &self,
        actor: &Actor,
        tenant: TenantId,
        user_name: &str,
        display_name: &str,
        names: UserNames,
        password: &str,
        mail: Option<String>,
        enabled: bool,
    ) -> Result<ObjectId, ServiceError> {
        directory::validate_password(password)?;
        // Refuse before spending a hash on a caller who may not create users.
        self.read(|w| {
            rules::require_directory_role(
                w,
                actor,
                tenant,
                &[
                    DirectoryRole::GlobalAdministrator,
                    DirectoryRole::UserAdministrator,
                ],
                "create users",
            )
        })?;
        let password_hash = hash_password(password.to_string()).await?;
        self.run(|w, now| {
            directory::create_user(
                w,
                actor,
                tenant,
                directory::NewUser {
                    given_name: names.given_name.clone(),
                    surname: names.surname.clone(),
                    id: None,
                    user_name: user_name.into(),
                    display_name: display_name.into(),
                    mail: mail.clone(),
                    password_hash: password_hash.clone(),
                    enabled,
                },
                now,
            )
        })
        .await
    }

    /// Updates a user; a new password is hashed here.
    pub async fn update_user(
        &self,
        actor: &Actor,
        tenant: TenantId,
        user: ObjectId,
        edit: UserEdit,
    ) -> Result<(), ServiceError> {
        let password_hash = match edit.password {
            Some(p) => {
                directory::validate_password(&p)?;
                Some(hash_password(p).await?)
            }
            None => None,
        };
        let now = self.now();
        self.execute(|w| {
            let upd = directory::UserUpdate {
                display_name: edit.display_name.clone(),
                given_name: edit.given_name.clone(),
                surname: edit.surname.clone(),
                enabled: edit.enabled,
                mail: edit.mail.clone(),
                password_hash: password_hash.clone(),
            };
            Ok((
                directory::update_user(w, actor, tenant, user, upd, now)?,
                (),
            ))
        })
        .await
    }

    pub async fn delete_user(
        &self,
        actor: &Actor,
        tenant: TenantId,
        user: ObjectId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| directory::delete_user(w, actor, tenant, user, now).map(|c| (c, ())))
            .await
    }

    /// Registers an application with one generated client secret.
    pub async fn create_application(
        &self,
        actor: &Actor,
        tenant: TenantId,
        display_name: &str,
        redirect_uris: Vec<String>,
    ) -> Result<NewApplicationSecret, ServiceError> {
        let secret = secrets::generate_client_secret();
        let hash = secrets::hash_client_secret(&secret);
        let hint: String = secret.chars().take(3).collect();
        let client_id = uuid::Uuid::now_v7();
        let now = self.now();
        let object_id = self
            .execute(|w| {
                Ok(directory::create_application(
                    w,
                    actor,
                    tenant,
                    directory::NewApplication {
                        id: None,
                        object_id: None,
                        client_id: Some(client_id),
                        display_name: display_name.into(),
                        secret_hashes: vec![(hint.clone(), hash.clone())],
                        certificates: vec![],
                        redirect_uris: redirect_uris.clone(),
                        group_membership_claims: Default::default(),
                    },
                    now,
                )?)
            })
            .await?;
        Ok(NewApplicationSecret {
            object_id,
            client_id,
            client_secret: secret,
        })
    }

    /// Registers an application (and its service principal) without a secret, as Graph's
    /// `POST /applications`; secrets come from [`Service::add_application_secret`].
    pub async fn register_application(
        &self,
        actor: &Actor,
        tenant: TenantId,
        display_name: &str,
    ) -> Result<ObjectId, ServiceError> {
        self.run(|w, now| {
            directory::create_application(
                w,
                actor,
                tenant,
                directory::NewApplication {
                    id: None,
                    object_id: None,
                    client_id: None,
                    display_name: display_name.into(),
                    secret_hashes: vec![],
                    certificates: vec![],
                    redirect_uris: vec![],
                    group_membership_claims: Default::default(),
                },
                now,
            )
        })
        .await
    }

    /// A new client secret for an application (Graph's `addPassword`): the secret itself, shown once, and
    /// what is kept of it.
    pub async fn add_application_secret(
        &self,
        actor: &Actor,
        tenant: TenantId,
        app: ObjectId,
        expires: Option<Timestamp>,
    ) -> Result<(String, ClientSecret), ServiceError> {
        let text = secrets::generate_client_secret();
        let kept = ClientSecret {
            id: RequestId::new(),
            hint: text.chars().take(3).collect(),
            hash: secrets::hash_client_secret(&text),
            start: Some(self.now()),
            expires,
        };
        let added = kept.clone();
        self.run(|w, now| {
            directory::add_client_secret(w, actor, tenant, app, added, now).map(|c| (c, ()))
        })
        .await?;
        Ok((text, kept))
    }

    /// Adds a public certificate to an application (Graph's `keyCredentials`/`addKey`), already read
    /// ([`ApplicationCertificate::from_der`] or `from_pem`); its key id names it from then on.
    pub async fn add_application_certificate(
        &self,
        actor: &Actor,
        tenant: TenantId,
        app: ObjectId,
        certificate: ApplicationCertificate,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            directory::add_certificate(w, actor, tenant, app, certificate, now).map(|c| (c, ()))
        })
        .await
    }

    /// Removes a certificate of an application by its key id (Graph's `removeKey`).
    pub async fn remove_application_certificate(
        &self,
        actor: &Actor,
        tenant: TenantId,
        app: ObjectId,
        key_id: uuid::Uuid,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            directory::remove_certificate(w, actor, tenant, app, key_id, now).map(|c| (c, ()))
        })
        .await
    }

    /// Adds a federated identity credential to an application (Graph's POST).
    pub async fn add_federated_credential(
        &self,
        actor: &Actor,
        tenant: TenantId,
        app: ObjectId,
        req: federated::NewFederatedCredential,
    ) -> Result<FederatedCredential, ServiceError> {
        self.run(|w, now| federated::add_federated_credential(w, actor, tenant, app, req, now))
            .await
    }

    /// Changes a federated identity credential, named by its id or name (Graph's PATCH).
    pub async fn update_federated_credential(
        &self,
        actor: &Actor,
        tenant: TenantId,
        app: ObjectId,
        key: &str,
        patch: federated::FederatedCredentialPatch,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            federated::update_federated_credential(w, actor, tenant, app, key, patch, now)
                .map(|c| (c, ()))
        })
        .await
    }

    /// Removes a federated identity credential, named by its id or name (Graph's DELETE).
    pub async fn remove_federated_credential(
        &self,
        actor: &Actor,
        tenant: TenantId,
        app: ObjectId,
        key: &str,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            federated::remove_federated_credential(w, actor, tenant, app, key, now).map(|c| (c, ()))
        })
        .await
    }

    /// Changes an application's properties (Graph's `PATCH /applications/{id}`); `app` is its service
    /// principal's id.
    pub async fn update_application(
        &self,
        actor: &Actor,
        tenant: TenantId,
        app: ObjectId,
        update: applications::ApplicationUpdate,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            applications::update_application(w, actor, tenant, app, update, now).map(|c| (c, ()))
        })
        .await
    }

    /// Adds a certificate to an application with Graph's `addKey`, given a proof of possession of a
    /// current certificate's key.
    pub async fn add_application_key(
        &self,
        actor: &Actor,
        tenant: TenantId,
        app: ObjectId,
        certificate: ApplicationCertificate,
        proof: &str,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            let verify = crate::crypto::assertions::verify_assertion_signature;
            applications::add_key(w, actor, tenant, app, certificate, proof, verify, now)
                .map(|c| (c, ()))
        })
        .await
    }

    /// Removes a certificate of an application with Graph's `removeKey`, given a proof of possession.
    pub async fn remove_application_key(
        &self,
        actor: &Actor,
        tenant: TenantId,
        app: ObjectId,
        key_id: uuid::Uuid,
        proof: &str,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            let verify = crate::crypto::assertions::verify_assertion_signature;
            applications::remove_key(w, actor, tenant, app, key_id, proof, verify, now)
                .map(|c| (c, ()))
        })
        .await
    }

    /// Removes a client secret of an application by its key id (Graph's `removePassword`).
    pub async fn remove_application_secret(
        &self,
        actor: &Actor,
        tenant: TenantId,
        app: ObjectId,
        key_id: RequestId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            applications::remove_client_secret(w, actor, tenant, app, key_id, now).map(|c| (c, ()))
        })
        .await
    }

    /// Deletes an application with its service principal, its role assignments, directory roles and
    /// group memberships (Graph's `DELETE /applications/{id}` and `/servicePrincipals/{id}`).
    pub async fn delete_application(
        &self,
        actor: &Actor,
        tenant: TenantId,
        app: ObjectId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            applications::delete_application(w, actor, tenant, app, now).map(|c| (c, ()))
        })
        .await
    }

    pub async fn add_directory_role_member(
        &self,
        actor: &Actor,
        tenant: TenantId,
        role: DirectoryRole,
        principal: ObjectId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            directory::add_directory_role_member(w, actor, tenant, role, principal, now)
                .map(|c| (c, ()))
        })
        .await
    }

    pub async fn remove_directory_role_member(
        &self,
        actor: &Actor,
        tenant: TenantId,
        role: DirectoryRole,
        principal: ObjectId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            directory::remove_directory_role_member(w, actor, tenant, role, principal, now)
                .map(|c| (c, ()))
        })
        .await
    }

    pub async fn set_policy(
        &self,
        actor: &Actor,
        tenant: TenantId,
        policy: SubscriptionPolicy,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| directory::set_policy(w, actor, tenant, policy, now).map(|c| (c, ())))
            .await
    }

    // ----- guests and "use existing directory" -----

    pub async fn invite(
        &self,
        actor: &Actor,
        tenant: TenantId,
        email: &str,
    ) -> Result<(RequestId, ObjectId), ServiceError> {
        self.invite_named(actor, tenant, email, None).await
    }

    /// Invites `email`, naming the new guest `display_name` when given.
    pub async fn invite_named(
        &self,
        actor: &Actor,
        tenant: TenantId,
        email: &str,
        display_name: Option<&str>,
    ) -> Result<(RequestId, ObjectId), ServiceError> {
        self.run(|w, now| {
            guests::invite_named(w, actor, tenant, email, display_name, now)
                .map(|(c, inv, guest)| (c, (inv, guest)))
        })
        .await
    }

    pub async fn redeem(
        &self,
        actor: &Actor,
        tenant: TenantId,
        invitation: RequestId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| guests::redeem(w, actor, tenant, invitation, now).map(|c| (c, ())))
            .await
    }

    pub async fn request_link(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        tenant: TenantId,
    ) -> Result<RequestId, ServiceError> {
        self.run(|w, now| guests::request_link(w, actor, subscription, tenant, now))
            .await
    }

    pub async fn approve_link(
        &self,
        actor: &Actor,
        tenant: TenantId,
        request: RequestId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| guests::approve_link(w, actor, tenant, request, now).map(|c| (c, ())))
            .await
    }

    /// The service administrator withdraws the subscription's pending request to link the directory
    /// `key` names; returns that directory and the request.
    pub async fn withdraw_link(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        key: &str,
    ) -> Result<(TenantId, RequestId), ServiceError> {
        self.run(|w, now| guests::withdraw_link(w, actor, subscription, key, now))
            .await
    }

    pub async fn decline_link(
        &self,
        actor: &Actor,
        tenant: TenantId,
        request: RequestId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| guests::decline_link(w, actor, tenant, request, now).map(|c| (c, ())))
            .await
    }

    /// The requester cancels her own waiting request.
    pub async fn cancel_link(
        &self,
        actor: &Actor,
        tenant: TenantId,
        request: RequestId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| guests::cancel_link(w, actor, tenant, request, now).map(|c| (c, ())))
            .await
    }

    // ----- subscriptions and classic administrators -----

    pub async fn create_subscription(
        &self,
        actor: &Actor,
        display_name: &str,
        tenant: TenantId,
        service_admin: Identity,
    ) -> Result<SubscriptionId, ServiceError> {
        self.run(|w, now| {
            admins::create_subscription(
                w,
                actor,
                admins::NewSubscription {
                    id: None,
                    display_name: display_name.into(),
                    tenant,
                    service_admin,
                    account_admin: None,
                },
                now,
            )
        })
        .await
    }

    pub async fn add_co_admin(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        email: &str,
        account_type: Option<AccountType>,
    ) -> Result<Identity, ServiceError> {
        self.run(|w, now| admins::add_co_admin(w, actor, subscription, email, account_type, now))
            .await
    }

    pub async fn remove_co_admin(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        email: &str,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            admins::remove_co_admin(w, actor, subscription, email, now).map(|c| (c, ()))
        })
        .await
    }

    pub async fn change_service_admin(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        email: &str,
        account_type: Option<AccountType>,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            admins::change_service_admin(w, actor, subscription, email, account_type, now)
                .map(|c| (c, ()))
        })
        .await
    }

    // ----- resource groups and resources -----

    /// Returns whether the group was created.
    pub async fn put_resource_group(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        name: &str,
        req: resources::ResourceGroupWrite,
    ) -> Result<bool, ServiceError> {
        self.run(|w, now| resources::put_resource_group(w, actor, subscription, name, req, now))
            .await
    }

    pub async fn update_resource_group(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        name: &str,
        patch: resources::ResourceGroupPatch,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            resources::update_resource_group(w, actor, subscription, name, patch, now)
                .map(|c| (c, ()))
        })
        .await
    }

    /// The Tags API's PUT and PATCH at a scope; returns the tags after the change.
    pub async fn set_tags(
        &self,
        actor: &Actor,
        scope: &Scope,
        operation: tenantry_domain::tags::TagsOperation,
        tags: tenantry_domain::tags::Tags,
    ) -> Result<tenantry_domain::tags::Tags, ServiceError> {
        self.run(|w, now| {
            tenantry_domain::rules::tags::set_tags(w, actor, scope, operation, tags, now)
        })
        .await
    }

    /// `PUT …/tagNames/{name}`: the predefined name with its counts, and whether it was created.
    pub async fn create_tag_name(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        name: &str,
    ) -> Result<tags::Predefined<tags::TagNameUse>, ServiceError> {
        self.run(|w, now| tags::create_tag_name(w, actor, subscription, name, now))
            .await
    }

    /// `PUT …/tagNames/{name}/tagValues/{value}`: the value with its count, and whether it was created.
    pub async fn create_tag_value(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        name: &str,
        value: &str,
    ) -> Result<tags::Predefined<(String, usize)>, ServiceError> {
        self.run(|w, now| tags::create_tag_value(w, actor, subscription, name, value, now))
            .await
    }

    /// `DELETE …/tagNames/{name}[/tagValues/{value}]`: whether there was one to delete.
    pub async fn delete_predefined_tag(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        name: &str,
        value: Option<&str>,
    ) -> Result<bool, ServiceError> {
        self.run(|w, now| match value {
            Some(value) => tags::delete_tag_value(w, actor, subscription, name, value, now),
            None => tags::delete_tag_name(w, actor, subscription, name, now),
        })
        .await
    }

    /// The Tags API's DELETE at a scope.
    pub async fn delete_tags(&self, actor: &Actor, scope: &Scope) -> Result<(), ServiceError> {
        self.run(|w, now| {
            tenantry_domain::rules::tags::delete_tags(w, actor, scope, now).map(|c| (c, ()))
        })
        .await
    }

    pub async fn delete_resource_group(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        name: &str,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            resources::delete_resource_group(w, actor, subscription, name, now).map(|c| (c, ()))
        })
        .await
    }

    pub async fn put_resource(
        &self,
        actor: &Actor,
        scope: &Scope,
        req: resources::ResourceWrite,
    ) -> Result<bool, ServiceError> {
        self.run(|w, now| resources::put_resource(w, actor, scope, req, now))
            .await
    }

    pub async fn update_resource(
        &self,
        actor: &Actor,
        scope: &Scope,
        patch: resources::ResourcePatch,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| resources::update_resource(w, actor, scope, patch, now).map(|c| (c, ())))
            .await
    }

    pub async fn delete_resource(&self, actor: &Actor, scope: &Scope) -> Result<(), ServiceError> {
        self.run(|w, now| resources::delete_resource(w, actor, scope, now).map(|c| (c, ())))
            .await
    }

    // ----- role definitions and assignments -----

    pub async fn put_role_definition(
        &self,
        actor: &Actor,
        req: access::RoleDefinitionWrite,
    ) -> Result<RoleDefinition, ServiceError> {
        self.run(|w, now| access::put_role_definition(w, actor, req, now))
            .await
    }

    pub async fn delete_role_definition(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        id: RoleDefinitionId,
    ) -> Result<Option<RoleDefinition>, ServiceError> {
        self.run(|w, now| {
            access::delete_role_definition(w, actor, subscription, id, now).map(or_nothing)
        })
        .await
    }

    /// A custom role at home in a management group (`group_roles.rs`).
    pub async fn put_group_role_definition(
        &self,
        actor: &Actor,
        req: group_roles::GroupRoleDefinitionWrite,
    ) -> Result<RoleDefinition, ServiceError> {
        self.run(|w, now| group_roles::put_group_role_definition(w, actor, req, now))
            .await
    }

    pub async fn delete_role_definition_at_group(
        &self,
        actor: &Actor,
        group: &str,
        id: RoleDefinitionId,
    ) -> Result<Option<RoleDefinition>, ServiceError> {
        self.run(|w, now| {
            group_roles::delete_role_definition_at_group(w, actor, group, id, now).map(or_nothing)
        })
        .await
    }

    pub async fn create_role_assignment(
        &self,
        actor: &Actor,
        req: access::RoleAssignmentWrite,
    ) -> Result<access::AssignmentPut, ServiceError> {
        self.run(|w, now| access::create_role_assignment(w, actor, req, now))
            .await
    }

    pub async fn delete_role_assignment(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        id: RoleAssignmentId,
    ) -> Result<Option<RoleAssignment>, ServiceError> {
        self.run(|w, now| {
            access::delete_role_assignment(w, actor, subscription, id, now).map(or_nothing)
        })
        .await
    }

    // ----- changing a subscription's directory -----

    /// The impact and the blockers, without changing anything.
    pub fn preview_change_directory(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        destination: TenantId,
        principal_map: &[PrincipalMapEntry],
    ) -> Result<ChangeDirectoryPlan, ServiceError> {
        let now = self.now();
        Ok(self.read(|w| {
            change_directory::plan(
                w,
                actor,
                subscription,
                destination,
                principal_map,
                change_directory::Approval::Initiator,
                now,
            )
        })?)
    }

    pub async fn change_directory(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        destination: TenantId,
        destination_owner: Option<ObjectId>,
        principal_map: Vec<PrincipalMapEntry>,
    ) -> Result<Initiated, ServiceError> {
        self.run(|w, now| {
            change_directory::initiate(
                w,
                actor,
                subscription,
                destination,
                destination_owner,
                principal_map.clone(),
                now,
            )
        })
        .await
    }

    pub async fn accept_change_directory(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
    ) -> Result<ChangeDirectoryPlan, ServiceError> {
        self.run(|w, now| change_directory::accept(w, actor, subscription, now))
            .await
    }

    pub async fn cancel_change_directory(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| change_directory::cancel(w, actor, subscription, now).map(|c| (c, ())))
            .await
    }

    // ----- audit -----

    pub async fn audit_events(
        &self,
        filter: &audit::AuditFilter,
    ) -> Result<Vec<audit::AuditEvent>, ServiceError> {
        Ok(self.store().audit_events(filter).await?)
    }
}
