//! The pages' data: one askama template per screen (templates/portal/*.html), each with the frame
//! ([`Chrome`]: who is signed in, the directory switcher, the CSRF token, messages).

use super::i18n::{Lang, key};
use super::session::{Ctx, Flash};
use askama::Template;
use tenantry_service::domain::rules::reads;
use tenantry_service::domain::*;

/// A number a page shows as a count ([`Chrome::number`]).
pub trait Count {
    fn count(self) -> i64;
}

macro_rules! count {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn count(self) -> i64 {
                // Counts of things in one world are far below i64's range.
                i64::try_from(self).unwrap_or(i64::MAX)
            }
        }
        impl Count for &$t {
            fn count(self) -> i64 {
                (*self).count()
            }
        }
        impl Count for &&$t {
            fn count(self) -> i64 {
                (**self).count()
            }
        }
    )*};
}
count!(usize, u32, u64, i64);

/// A directory as lists name it: `Contoso (contoso.onmicrosoft.com)`.
pub fn directory_label(t: &Tenant) -> String {
    format!("{} ({})", t.display_name, t.initial_domain)
}

/// A principal as lists name it: `Erin (erin@…)`, `ci (application c100…)`, `Platform (group)`.
pub fn principal_label(w: &World, p: world::PrincipalRef) -> String {
    use world::PrincipalRef;
    match p {
        PrincipalRef::User(u) => format!("{} ({})", u.display_name, reads::user_email(w, u)),
        PrincipalRef::ServicePrincipal(a) => {
            format!("{} (application {})", a.display_name, a.client_id)
        }
        PrincipalRef::Group(g) => format!("{} (group)", g.display_name),
    }
}

/// An option of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The frame of every page.
pub struct Chrome {
    pub csrf: String,
    /// Who is signed in, by name (`reads::person_name`).
    pub user: Option<reads::PersonName>,
    /// The directory the person acts in.
    pub acting_in: Option<String>,
    pub directories: Vec<Choice>,
    pub flash: Vec<Flash>,
    /// The section for the navigation's `aria-current`.
    pub nav: &'static str,
    /// The current path (where the switcher comes back to).
    pub here: String,
    /// The language the page speaks (`<html lang>`, every `t("…")`).
    pub lang: Lang,
}

impl Chrome {
    /// The refusal about form field `key`, shown next to it.
    pub fn field_error(&self, key: &str) -> Option<&Flash> {
        self.flash.iter().find(|f| f.field.as_deref() == Some(key))
    }

    /// For pages without a session (errors), in the request's language.
    pub fn bare() -> Self {
        Chrome {
            csrf: String::new(),
            user: None,
            acting_in: None,
            directories: vec![],
            flash: vec![],
            nav: "",
            here: "/".into(),
            lang: Lang::current(),
        }
    }

    /// A message in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// A message with named arguments in the page's language.
    pub fn t_args(&self, key: &str, args: &[(&str, String)]) -> String {
        self.lang.t_args(key, args)
    }

    /// The kind of account of a person whose email is both (`reads::PersonName::kind`), in the page's
    /// language.
    pub fn account_kind(&self, kind: &str) -> String {
        match kind {
            "personal account" => self.t("kind-personal"),
            "work or school account" => self.t("kind-work"),
            other => other.to_string(),
        }
    }

    /// A person as pages name them: the display name, with the kind of account when the email is both
    /// ("Liam (personal account)", `reads::PersonName::label` in the page's language).
    pub fn person(&self, p: &reads::PersonName) -> String {
        match p.kind {
            Some(kind) => self.t_args(
                "person-with-kind",
                &[
                    ("name", p.display_name.clone()),
                    ("kind", self.account_kind(kind)),
                ],
            ),
            None => p.display_name.clone(),
        }
    }

    /// A count in the page's language (`1,234` / `1.234`), as a template has it: a field (by
    /// reference) or a method's result (by value).
    pub fn number(&self, n: impl Count) -> String {
        self.lang.number(n.count())
    }

    /// A subscription's state as the APIs name it (`Enabled`, `PastDue`, …), in the page's language.
    pub fn state(&self, api_state: &str) -> String {
        match api_state {
            "Enabled" => self.t("state-enabled"),
            "Warned" => self.t("state-warned"),
            "PastDue" => self.t("state-past-due"),
            "Disabled" => self.t("state-disabled"),
            "Deleted" => self.t("state-deleted"),
            other => other.to_string(),
        }
    }

    /// The languages the footer's switch offers: (tag, name, whether it is the page's).
    pub fn languages(&self) -> Vec<(&'static str, String, bool)> {
        Lang::ALL
            .iter()
            .map(|l| {
                (
                    l.tag(),
                    self.t(&format!("footer-switch-{}", l.tag())),
                    *l == self.lang,
                )
            })
            .collect()
    }
}

impl Ctx {
    /// The frame for a page in section `nav` at path `here`; takes the pending messages.
    pub fn chrome(&mut self, nav: &'static str, here: &str) -> Chrome {
        let flash = std::mem::take(&mut self.session.data.flash);
        let csrf = self.session.data.csrf.clone();
        let lang = self.lang;
        let Some(identity) = self.identity() else {
            return Chrome {
                csrf,
                flash,
                nav,
                here: here.into(),
                lang,
                ..Chrome::bare()
            };
        };
        let actor = self.actor();
        let acting = actor.as_ref().and_then(|a| a.tenant());
        self.state.svc.read(|w| {
            let mut dirs: Vec<Choice> = reads::directories_of(w, identity)
                .into_iter()
                .map(|d| Choice {
                    value: d.tenant.id.to_string(),
                    label: directory_label(d.tenant),
                    selected: Some(d.tenant.id) == acting,
                })
                .collect();
            dirs.sort_by_key(|x| x.label.to_lowercase());
            Chrome {
                csrf,
                user: reads::person_name(w, identity),
                acting_in: acting.map(|t| reads::directory_name(w, t)),
                directories: dirs,
                flash,
                nav,
                here: here.into(),
                lang,
            }
        })
    }
}

#[derive(Template)]
#[template(path = "portal/error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub title: String,
    /// The rule's code, as ARM and Graph send it (in the page's markup, not its text).
    pub code: Option<String>,
    pub message: String,
    pub remedy: Option<String>,
    pub details: Vec<String>,
    pub status: u16,
}

// ----- sign-in -----

// The sign-in steps are `super::signin_pages`'s (the portal's and `/authorize`'s).

#[derive(Template)]
#[template(path = "portal/signed_out.html")]
pub struct SignedOut {
    pub chrome: Chrome,
    pub notice: Option<Flash>,
}

// ----- dashboard -----

pub struct SubscriptionRow {
    pub id: String,
    pub name: String,
    pub directory: String,
    pub directory_domain: String,
    pub state: String,
    pub my_roles: String,
}

pub struct DirectoryRow {
    pub id: String,
    pub name: String,
    pub domain: String,
    pub origin: String,
    pub membership: String,
    pub roles: String,
    pub acting: bool,
}

pub struct LinkRequestRow {
    pub href: String,
    pub directory: String,
    pub requester: String,
    pub subscription: String,
}

/// A request the person made herself, still waiting for a Global Administrator's decision.
pub struct MyRequestRow {
    pub href: String,
    pub directory: String,
    pub subscription: String,
    pub expires: String,
}

pub struct InvitationRow {
    pub href: String,
    pub directory: String,
    pub email: String,
}

#[derive(Template)]
#[template(path = "portal/dashboard.html")]
pub struct Dashboard {
    pub chrome: Chrome,
    pub name: Option<reads::PersonName>,
    pub subscriptions: Vec<SubscriptionRow>,
    pub directories: Vec<DirectoryRow>,
    pub link_requests: Vec<LinkRequestRow>,
    pub my_requests: Vec<MyRequestRow>,
    pub invitations: Vec<InvitationRow>,
}

// ----- directories -----

#[derive(Template)]
#[template(path = "portal/directories.html")]
pub struct Directories {
    pub my_requests: Vec<MyRequestRow>,
    pub chrome: Chrome,
    pub directories: Vec<DirectoryRow>,
}

#[derive(Template)]
#[template(path = "portal/directory_new.html")]
pub struct DirectoryNew {
    pub chrome: Chrome,
    pub suffix: String,
}

#[derive(Template)]
#[template(path = "portal/directory_use_existing.html")]
pub struct UseExisting {
    pub chrome: Chrome,
    pub subscriptions: Vec<Choice>,
    /// Subscriptions the person administers but not as service administrator (why they are missing).
    pub not_service_admin: Vec<String>,
}

#[derive(Template)]
#[template(path = "portal/link_approve.html")]
pub struct LinkApprove {
    pub chrome: Chrome,
    pub tenant_id: String,
    pub request_id: String,
    pub directory: String,
    pub domain: String,
    pub requester: String,
    pub subscription: String,
    pub status: String,
    /// It was approved (the page says what happened, not the question again).
    pub approved: bool,
    pub pending: bool,
    /// The approver is signed in to that directory as a Global Administrator.
    pub can_decide: bool,
    /// The requester is looking at her own request: where it stands, not the decision.
    pub is_requester: bool,
    /// The requester may still cancel it.
    pub can_cancel: bool,
    pub signed_in_as: String,
    pub expires: String,
    /// This page's address, for the requester to send to whoever approves.
    pub page_url: String,
}

// ----- subscriptions -----

pub struct Tab {
    pub href: String,
    /// The label's catalogue key (`i18n::key`).
    pub label: &'static str,
    pub current: bool,
}

/// The tabs of a subscription's pages as `actor` sees them: Change directory only for whom the rules
/// let start one (`change_directory::may_change_directory`).
pub fn subscription_tabs_for(
    w: &tenantry_service::domain::World,
    actor: &tenantry_service::domain::Actor,
    sub: SubscriptionId,
    current: &str,
) -> Vec<Tab> {
    let may =
        tenantry_service::domain::rules::change_directory::may_change_directory(w, actor, sub);
    subscription_tabs(sub, current, may)
}

/// The tabs of a subscription's pages; Change directory when `may_change_directory`, or on its own
/// pages (which the rules guard themselves).
pub fn subscription_tabs(
    sub: SubscriptionId,
    current: &str,
    may_change_directory: bool,
) -> Vec<Tab> {
    use super::paths::subscription;
    [
        ("overview", key("tab-overview"), subscription(sub, "")),
        (
            "administrators",
            key("tab-administrators"),
            subscription(sub, "administrators"),
        ),
        ("access", key("tab-access"), subscription(sub, "access")),
        (
            "resources",
            key("tab-resources"),
            subscription(sub, "resources"),
        ),
        (
            "change",
            key("tab-change-directory"),
            subscription(sub, "change-directory"),
        ),
    ]
    .into_iter()
    .filter(|(key, _, _)| *key != "change" || may_change_directory || current == "change")
    .map(|(key, label, href)| Tab {
        href,
        label,
        current: key == current,
    })
    .collect()
}

pub struct GroupRow {
    pub name: String,
    pub location: String,
    pub href: String,
    /// Its resources with their identities.
    pub resources_href: String,
    /// Its tags, `name: value` in a line.
    pub tags: String,
}

#[derive(Template)]
#[template(path = "portal/subscription.html")]
pub struct SubscriptionOverview {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
    pub state: String,
    pub directory: String,
    pub directory_id: String,
    pub service_admin: String,
    pub account_admin: String,
    pub co_admin_count: usize,
    pub assignment_count: usize,
    pub groups: Vec<GroupRow>,
    pub my_access: Vec<String>,
    pub pending_change: Option<String>,
    /// What the person may do with its lifecycle (`reads::subscription_actions`).
    pub read_only: bool,
    pub may_rename: bool,
    pub may_cancel: bool,
    pub may_enable: bool,
    /// The subscription's own tags (one box).
    pub tags: Vec<TagsBox>,
    /// The subscription's tag names (predefined and in use) with their counts, when the person may
    /// read them (`rules::tags::tag_names`).
    pub tag_names: Option<Vec<TagNameRow>>,
}

pub struct PersonRow {
    pub email: String,
    pub detail: String,
}

pub struct AssignmentRow {
    pub id: String,
    pub principal: String,
    pub principal_type: String,
    pub role: String,
    pub scope: String,
    pub inherited: bool,
    /// For an assignment to a group: the users and service principals it reaches.
    pub reach: Option<usize>,
}

pub struct RoleRow {
    pub name: String,
    pub actions: String,
}

#[derive(Template)]
#[template(path = "portal/change_pick.html")]
pub struct ChangePick {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
    pub current: String,
    pub destinations: Vec<Choice>,
    pub pending: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/change_review.html")]
pub struct ChangeReview {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
    pub source: String,
    pub destination: String,
    pub destination_id: String,
    pub map_text: String,
    /// What stops the change, shown only when nothing can be done here (`blocked`, `already_requested`).
    pub blockers: Vec<Flash>,
    /// The one action offered (`change_directory::ReviewStep`): apply now, request it, or none.
    pub can_apply: bool,
    pub can_request: bool,
    pub already_requested: bool,
    /// With a request: what its acceptance will check (the destination's entering policy).
    pub checked_on_acceptance: Vec<Flash>,
    /// With a request: the initiator's own request to use the destination, waiting for approval.
    pub link_request: Option<LinkNote>,
    pub removed_co_admins: Vec<PersonRow>,
    pub removed_assignments: Vec<AssignmentRow>,
    /// How many of them are held by groups.
    pub group_held: usize,
    pub removed_custom_roles: Vec<RoleRow>,
    pub retained: Vec<PersonRow>,
    pub regranted_assignments: Vec<AssignmentRow>,
    pub regranted_co_admins: Vec<PersonRow>,
    /// The managed identities of the subscription's resources, re-created in the destination.
    pub identities: Vec<IdentityRow>,
    /// Applications that lose access and sign in without a secret: their credentials stay as they are.
    pub kept_credentials: Vec<CredentialsRow>,
}

/// The requester's own waiting request to use a directory, as another page points to it.
pub struct LinkNote {
    pub href: String,
    pub expires: String,
}

/// A managed identity as the review lists it.
pub struct IdentityRow {
    pub resource: String,
    pub kind: &'static str,
}

/// An application whose certificates and federated credentials stay in the source directory.
pub struct CredentialsRow {
    pub name: String,
    pub client_id: String,
    pub certificates: usize,
    pub federated_credentials: usize,
}

#[derive(Template)]
#[template(path = "portal/change_result.html")]
pub struct ChangeResult {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
    pub destination: String,
    pub destination_id: String,
    pub completed: bool,
    pub removed_co_admins: Vec<PersonRow>,
    pub removed_assignments: Vec<AssignmentRow>,
    pub removed_custom_roles: Vec<RoleRow>,
    pub regranted_co_admins: Vec<PersonRow>,
    pub regranted_assignments: Vec<AssignmentRow>,
    /// The working directory was switched to the destination (the person is present there).
    pub switched: bool,
    pub expires: String,
}

pub struct AdminRow {
    pub email: String,
    pub role: String,
    pub removable: bool,
}

#[derive(Template)]
#[template(path = "portal/administrators.html")]
pub struct Administrators {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
    pub directory: String,
    pub admins: Vec<AdminRow>,
    pub users: Vec<Choice>,
    pub can_manage: bool,
    pub is_account_admin: bool,
    /// The subscription is Disabled: no write form.
    pub read_only: bool,
}

pub struct CheckRow {
    pub action: String,
    pub allowed: bool,
    pub grants: Vec<String>,
}

pub struct CheckResult {
    pub principal: String,
    pub rows: Vec<CheckRow>,
    pub permissions: Vec<String>,
}

#[derive(Template)]
#[template(path = "portal/access.html")]
pub struct Access {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
    pub scope: String,
    pub scope_label: String,
    pub base: String,
    pub group: Option<String>,
    pub assignments: Vec<AssignmentRow>,
    /// Inherited from the management groups above the subscription and the root scope.
    pub from_groups: Vec<ManagementGroupAssignmentRow>,
    pub roles: Vec<Choice>,
    pub principals: Vec<Choice>,
    pub check: Option<CheckResult>,
    pub can_write: bool,
    /// The subscription is Disabled: no assignment can be added.
    pub read_only: bool,
}

/// An assignment at a management group (or the root scope) as a list shows it.
pub struct ManagementGroupAssignmentRow {
    pub id: String,
    pub principal: String,
    pub principal_type: String,
    pub role: String,
    /// Where it is made, in words ("This management group", "inherited from management group Platform").
    pub origin: String,
    /// The access control of the group it is made at, when the person may open it.
    pub href: Option<String>,
    pub inherited: bool,
    pub may_remove: bool,
}

#[derive(Template)]
#[template(path = "portal/group_access.html")]
pub struct GroupAccess {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub display_name: String,
    pub is_root: bool,
    pub scope: String,
    pub base: String,
    pub assignments: Vec<ManagementGroupAssignmentRow>,
    pub roles: Vec<Choice>,
    pub principals: Vec<Choice>,
    pub check: Option<CheckResult>,
    pub can_write: bool,
}

// ----- directory administration -----

pub struct UserRow {
    pub id: String,
    pub name: String,
    pub upn: String,
    pub kind: String,
    pub enabled: bool,
    pub roles: String,
}

pub struct IncomingRow {
    pub subscription: String,
    pub subscription_id: String,
    pub source: String,
    pub initiator: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "portal/directory.html")]
pub struct DirectoryOverview {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
    pub domains: String,
    pub origin: String,
    pub my_roles: String,
    pub user_count: usize,
    pub guest_count: usize,
    pub subscription_count: usize,
    pub link_requests: Vec<LinkRequestRow>,
    pub incoming: Vec<IncomingRow>,
    pub is_admin: bool,
}

pub fn directory_tabs(t: TenantId, current: &str) -> Vec<Tab> {
    use super::paths::directory;
    [
        ("overview", key("tab-overview"), directory(t, "")),
        ("users", key("tab-users"), directory(t, "users")),
        ("groups", key("tab-groups"), directory(t, "groups")),
        (
            "applications",
            key("tab-applications"),
            directory(t, "applications"),
        ),
        ("guests", key("tab-guests"), directory(t, "guests")),
        ("policy", key("tab-policy"), directory(t, "policy")),
    ]
    .into_iter()
    .map(|(key, label, href)| Tab {
        href,
        label,
        current: key == current,
    })
    .collect()
}

#[derive(Template)]
#[template(path = "portal/users.html")]
pub struct Users {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
    pub domain: String,
    pub users: Vec<UserRow>,
    pub can_manage: bool,
}

#[derive(Template)]
#[template(path = "portal/user.html")]
pub struct UserPage {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub tenant_id: String,
    pub directory: String,
    pub user: UserRow,
    pub is_member: bool,
    pub roles: DirectoryRoles,
    pub can_manage: bool,
}

/// The directory roles a user or a group holds, and the forms that give and take them
/// (`directory_roles.html`).
pub struct DirectoryRoles {
    /// Where the forms post (`…/roles`, `…/roles/remove`).
    pub base: String,
    /// (template id, name)
    pub held: Vec<(String, String)>,
    pub addable: Vec<Choice>,
    /// The caller may take them (a Global Administrator).
    pub can_assign: bool,
}

impl DirectoryRoles {
    pub fn new(
        base: String,
        held: &[DirectoryRole],
        addable: &[DirectoryRole],
        can_assign: bool,
    ) -> Self {
        DirectoryRoles {
            base,
            held: held
                .iter()
                .map(|r| (r.template_id().to_string(), r.display_name().to_string()))
                .collect(),
            addable: addable
                .iter()
                .map(|r| Choice {
                    value: r.template_id().into(),
                    label: r.display_name().into(),
                    selected: false,
                })
                .collect(),
            can_assign,
        }
    }
}

pub struct GroupListRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub members: usize,
    pub nested: usize,
    pub reach: usize,
    pub role_assignable: bool,
    pub roles: String,
}

#[derive(Template)]
#[template(path = "portal/groups.html")]
pub struct Groups {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
    pub groups: Vec<GroupListRow>,
    pub can_create: bool,
    pub can_create_role_assignable: bool,
}

/// A member or an owner of a group, as its page lists it.
pub struct MemberRow {
    pub id: String,
    pub name: String,
    /// How it is reached: a user's email, an application's client id, a group's description.
    pub detail: String,
    /// Member, Guest, Application, Group.
    pub kind: String,
    /// Its page in the directory (users and groups).
    pub href: Option<String>,
}

pub struct TransitiveRow {
    pub member: MemberRow,
    /// The groups from this one down to the one it is directly in: `Platform → Engineering`.
    pub path: String,
}

pub struct GroupAssignmentRow {
    pub subscription: String,
    pub role: String,
    pub scope: String,
}

#[derive(Template)]
#[template(path = "portal/group.html")]
pub struct GroupPage {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub tenant_id: String,
    pub directory: String,
    pub id: String,
    pub name: String,
    pub description: String,
    pub mail_nickname: String,
    pub role_assignable: bool,
    pub reach: usize,
    pub members: Vec<MemberRow>,
    pub transitive: Vec<TransitiveRow>,
    pub nested: Vec<MemberRow>,
    pub member_of: Vec<MemberRow>,
    pub owners: Vec<MemberRow>,
    pub roles: DirectoryRoles,
    pub assignments: Vec<GroupAssignmentRow>,
    pub can_manage: bool,
}

#[derive(Template)]
#[template(path = "portal/applications.html")]
pub struct Applications {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub name: String,
    pub applications: Vec<ApplicationRow>,
}

/// An application as the directory's list shows it: how many credentials of each kind it has.
pub struct ApplicationRow {
    pub href: String,
    pub name: String,
    pub client_id: String,
    pub secrets: usize,
    pub certificates: usize,
    pub federated: usize,
}

#[derive(Template)]
#[template(path = "portal/application.html")]
pub struct ApplicationPage {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub directory: String,
    /// The page's own path, where its forms post (`…/secrets/remove`, …).
    pub here: String,
    pub name: String,
    pub client_id: String,
    pub object_id: String,
    pub principal_id: String,
    pub created: String,
    pub secrets: Vec<SecretRow>,
    pub certificates: Vec<CertificateRow>,
    pub federated: Vec<FederatedRow>,
    pub can_manage: bool,
}

/// A client secret: its hint and dates (its value is never kept).
pub struct SecretRow {
    pub key_id: String,
    pub hint: String,
    pub start: String,
    pub end: String,
    pub expired: bool,
}

pub struct CertificateRow {
    pub key_id: String,
    pub thumbprint: String,
    pub subject: String,
    pub start: String,
    pub end: String,
    pub expired: bool,
}

pub struct FederatedRow {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub subject: String,
    pub audiences: String,
}

#[derive(Template)]
#[template(path = "portal/resources.html")]
pub struct ResourcesPage {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub name: String,
    /// The resource group, on a group's page.
    pub group: Option<String>,
    pub resources: Vec<ResourceRow>,
    pub identities: Vec<UserAssignedIdentityRow>,
    /// The subscription is Disabled: nothing under it can be written.
    pub read_only: bool,
    /// The tags of the resource group (on its page), then of each resource.
    pub tags: Vec<TagsBox>,
}

/// A resource with its identities.
pub struct ResourceRow {
    pub name: String,
    pub kind: String,
    pub group: String,
    /// ARM's `identity.type` (`None` without identities).
    pub identity_type: String,
    /// The system-assigned identity's principal id.
    pub system_assigned: Option<String>,
    pub user_assigned: Vec<AssignedIdentityRow>,
    /// Its tags, `name: value` in a line.
    pub tags: String,
}

/// A user-assigned identity as a resource that has it lists it.
pub struct AssignedIdentityRow {
    pub name: String,
    /// Its row on the page (`#identity-N`), when the page lists it.
    pub href: Option<String>,
    /// None once the identity has been deleted.
    pub principal_id: Option<String>,
}

/// A user-assigned identity (a resource of its own).
pub struct UserAssignedIdentityRow {
    pub anchor: String,
    pub name: String,
    pub group: String,
    pub principal_id: String,
    pub client_id: String,
    /// The listed resources it is assigned to, by name.
    pub assigned_to: String,
}

pub struct GuestRow {
    pub name: String,
    pub email: String,
    pub state: String,
    pub invitation_href: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/guests.html")]
pub struct Guests {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
    pub guests: Vec<GuestRow>,
    pub can_invite: bool,
}

#[derive(Template)]
#[template(path = "portal/policy.html")]
pub struct Policy {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
    pub block_leaving: bool,
    pub block_entering: bool,
    pub exempted: String,
    pub can_manage: bool,
}

// ----- activity and support -----

pub struct EventRow {
    pub time: String,
    pub actor: String,
    pub operation: String,
    pub target: String,
    pub directory: String,
    pub subscription: String,
}

#[derive(Template)]
#[template(path = "portal/activity.html")]
pub struct Activity {
    pub chrome: Chrome,
    pub tenants: Vec<Choice>,
    pub subscriptions: Vec<Choice>,
    pub actor: String,
    pub since: String,
    pub until: String,
    pub events: Vec<EventRow>,
    pub note: Option<String>,
}

pub struct SupportRow {
    pub id: String,
    pub created: String,
    pub subject: String,
    pub severity: String,
    pub status: String,
    pub subscription: String,
}

#[derive(Template)]
#[template(path = "portal/support.html")]
pub struct Support {
    pub chrome: Chrome,
    pub severities: Vec<Choice>,
    pub subscriptions: Vec<Choice>,
    pub requests: Vec<SupportRow>,
}

/// The tags of one subscription, resource group or resource, with the form that edits them when the
/// rules let the person (`rules::tags::may_write_tags`).
pub struct TagsBox {
    /// Where the form posts (the subscription's tags route).
    pub action: String,
    /// The scope below the subscription (`""`, `resourceGroups/rg1`, …): the form's `scope` field,
    /// and the key of a refusal shown next to the form.
    pub scope: String,
    /// The box's element id (`tags-0`, …).
    pub anchor: String,
    /// What the tags are on: `Pay-As-You-Go`, `rg1`, `web1 (Microsoft.Web/sites)`.
    pub label: String,
    pub tags: Vec<TagRow>,
    pub may_edit: bool,
}

pub struct TagRow {
    pub name: String,
    pub value: String,
}

impl TagsBox {
    pub fn new(
        sub: SubscriptionId,
        scope: &Scope,
        anchor: String,
        label: String,
        tags: &tags::Tags,
        may_edit: bool,
    ) -> Self {
        TagsBox {
            action: super::paths::subscription(sub, "tags"),
            scope: scope.relative().to_string(),
            anchor,
            label,
            tags: tags
                .iter()
                .map(|(name, value)| TagRow {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
            may_edit,
        }
    }
}

/// One tag name of a subscription as `az tag list` counts it: how many things carry it, and its values
/// in one line (`prod (2), dev (0)`).
pub struct TagNameRow {
    pub name: String,
    pub count: usize,
    pub values: String,
}

impl TagNameRow {
    pub fn new(n: &rules::tags::TagNameUse) -> Self {
        TagNameRow {
            name: n.name.clone(),
            count: n.count,
            values: n
                .values
                .iter()
                .map(|(v, c)| format!("{v} ({c})"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// Tags in one line, as lists show them: `env: prod, owner: alice`.
pub fn tags_line(tags: &tags::Tags) -> String {
    tags.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Template)]
#[template(path = "portal/subscription_cancel.html")]
pub struct CancelSubscription {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "portal/hierarchy.html")]
pub struct HierarchyPage {
    pub chrome: Chrome,
    pub directory: String,
    /// The tree in document order; each row says how the nested lists open and close around it.
    pub rows: Vec<TreeRow>,
    /// Where a group may be created or a subscription placed.
    pub parents: Vec<Choice>,
    pub may_create_subscription: bool,
    /// For a Global Administrator (or whoever holds it): elevated access at the root scope.
    pub elevation: Option<reads::Elevation>,
}

/// A group or a subscription in the hierarchy's tree of nested lists.
pub struct TreeRow {
    /// A `<ul>` opens before it (the first child of a group).
    pub opens: bool,
    /// It has children: its `<li>` closes after them.
    pub has_children: bool,
    /// How many nested lists (`</ul></li>`) close after it.
    pub closes: usize,
    pub item: TreeItem,
}

pub enum TreeItem {
    Group {
        name: String,
        display_name: String,
        is_root: bool,
        may_write: bool,
        may_delete: bool,
        /// Where it may move (empty: not offered).
        move_to: Vec<Choice>,
        /// Its element id (`group-N`).
        anchor: String,
        /// Its access control page.
        access: String,
    },
    Subscription {
        id: String,
        display_name: String,
        state: String,
        href: String,
        /// Where it may move (empty: not offered).
        move_to: Vec<Choice>,
    },
}
