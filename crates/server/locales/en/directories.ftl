# Directories: the list and a directory link request's page (templates/portal/directories.html,
# link_approve.html).

directories-title = Directories
directories-lead = The directories (tenants) where you are a member or a guest. A subscription trusts exactly one of them.
your-directories-heading = Your directories

link-title-requester = Your request to use { $directory }
link-title-approver = Approve directory
link-heading-approver = Use the { $directory } directory with Azure?
link-directory = Directory
link-asked-by = Asked by
link-for-subscription = For the subscription
link-status = Status
link-waits-until = Waits until
link-who-approves = Who can approve it
link-approver-any = A Global Administrator of { $directory }
link-signed-in-as = Signed in as
link-waiting-heading = Waiting for approval
link-waiting-text = A Global Administrator of { $directory } approves it by signing in to this page:
link-waiting-after = Once approved, you become a guest of { $directory } and can change your subscription's directory to it.
link-cancel = Cancel the request
link-happened-heading = What happened
link-done-requester = { $directory } approved your request: you are a guest of it, and it is in your directory list. You can now change the directory of { $subscription } to it, from the subscription's Change directory tab.
link-your-directories = Your directories
link-closed-requester = This request is { $status }; nothing was added. You can ask again from Directories → Add directory → Use existing directory.
link-decision-heading = Your decision
link-decision-before = If you continue,
link-decision-becomes = becomes a guest of
link-decision-after = and { $directory } appears in their directory list. They are not made an administrator of { $directory }.
link-continue = Continue
link-decline = Decline
link-cannot-decide = Only a Global Administrator of { $directory } can approve or decline this. You are signed in as { $user }: sign out and sign in with a Global Administrator of { $directory }.
link-done-approver = { $directory } was added for { $requester }: they are a guest of { $directory } now. Sign out, so that { $requester } can sign in again and see { $directory } in the directory list.
link-sign-out-now = Sign out now
link-closed-approver = This request is { $status }; nothing was added. The service administrator can start a new one from Directories → Add directory → Use existing directory.

link-status-expired = Expired
link-status-pending = Waiting for approval
link-status-approved = Approved
link-status-declined = Declined
link-status-cancelled = Cancelled

link-cancelled-title = Request cancelled
link-cancelled-message = Nothing was added. You can ask again from Directories → Add directory → Use existing directory.
link-approved-title = Approved
link-approved-message = The directory was added. Select 'Sign out now' so that the service administrator can sign in again.
link-approved-next-title = { $directory } was added for { $requester }
link-approved-next-message = Sign in again as the service administrator, { $requester }: { $directory } is now in the directory list, ready for changing the subscription's directory.
link-declined-title = Declined
link-declined-message = The request was declined; nothing was added.

## A directory's overview, users, a user, directory roles (templates/portal/directory.html, users.html,
## user.html, directory_roles.html).
dir-overview-heading = Overview
fact-tenant-id = Tenant ID
fact-domains = Domains
fact-type = Type
fact-your-roles = Your directory roles
fact-users = Users
fact-users-value = { $members ->
    [one] { $members } member
   *[other] { $members } members
}, { $guests ->
    [one] { $guests } guest
   *[other] { $guests } guests
}
fact-subscriptions-trusting = Subscriptions you see that trust it
dir-link-requests-heading = Requests to use this directory
dir-incoming-heading = Subscriptions waiting to move into this directory
col-from = From
col-asked-by = Asked by
col-until = Until
incoming-accept = Accept
incoming-accept-label = Accept { $subscription }
users-title = Users · { $directory }
users-heading = Users of { $directory }
users-members-heading = Members
col-upn = User principal name
col-sign-in = Sign-in
col-directory-roles = Directory roles
sign-in-enabled = Enabled
sign-in-disabled = Disabled
users-guests-before = Guests are on the
users-guests-after = {" "}tab.
users-create-heading = Create a user
users-create-only = Only Global Administrators and User Administrators of { $directory } can create users.
users-user-name = User name
users-user-name-hint = The part before @{ $domain }, or a full name on one of the directory's domains.
users-display-name = Display name
users-mail = Email (optional)
users-password = Password
users-create = Create user
user-profile-heading = Profile
fact-kind = Kind
fact-object-id = Object ID
user-manage-heading = Sign-in and password
user-manage-only = Only Global Administrators and User Administrators of { $directory } can change this.
user-block = Block sign-in
user-allow = Allow sign-in
user-new-password = New password
user-reset = Reset password
user-roles-heading = Directory roles
roles-remove-label = Remove the role { $role }
roles-add-label = Add a role
roles-add = Add role
user-kind-member = Member
user-kind-guest-personal = Guest (personal account)
user-kind-guest-work = Guest (work account)
user-kind-guest-pending = Guest (invitation pending)
user-created-title = User created
user-created-message = { $name } can now sign in with the password you set.
user-enabled-title = User enabled
user-enabled-message = The user can sign in again.
user-disabled-title = User disabled
user-disabled-message = The user can no longer sign in; their portal sessions have ended.
password-reset-title = Password reset
password-reset-message = Give the user the new password; their portal sessions have ended.
role-added-title = Role added
role-added-message = The { $what } is now a { $role }.
role-removed-title = Role removed
role-removed-message = The { $what } is no longer a { $role }.
policy-saved-title = Policy saved
policy-saved-message = The subscription policy of this directory was saved.
moved-in-title = Subscription moved in
moved-in-message = The subscription now trusts this directory. { $co_admins ->
    [one] { $co_admins } co-administrator
   *[other] { $co_admins } co-administrators
} and { $assignments ->
    [one] { $assignments } role assignment
   *[other] { $assignments } role assignments
} of the old directory were removed.

## A directory's subscription policy (templates/portal/policy.html).
policy-title = Subscription policy · { $directory }
policy-heading = Subscription policy of { $directory }
policy-moving-heading = Moving subscriptions
policy-only = Only Global Administrators of { $directory } can change this policy.
policy-block-leaving = Block subscriptions from leaving { $directory }
policy-block-entering = Block subscriptions from entering { $directory }
policy-exempted = Exempted users (one user principal name or email per line)

## An invitation's page (templates/portal/redeem.html).
redeem-title = Invitation
redeem-join = Join { $directory }
redeem-directory = Directory
redeem-email = Invited email
redeem-status = Status
redeem-signed-in-as = Signed in as
redeem-anonymous-heading = An invitation
redeem-anonymous-text = This link is an invitation to join a directory. Who sent it and to whom are shown to the invited person only.
redeem-accept-heading = Accept the invitation
redeem-sign-in-text = Sign in with the account the invitation was sent to: you come back here afterwards.
redeem-sign-in = Sign in to accept
redeem-accept-text = If you accept, you become a guest of { $directory }: it appears in your directory list, and its administrators can give you access to its subscriptions.
redeem-accept = Accept
redeem-used = This invitation has been accepted. If it was yours, { $directory } is in your directory list.
redeem-used-unknown = This invitation has been accepted. If it was yours, the directory is in your directory list.
redeem-scripts-before = Scripts accept with
redeem-scripts-after = and the invitee's own bearer token.
invitation-accepted-title = Invitation accepted
invitation-accepted-message = You are now a guest of { $directory } and working in it.
request-pending = Pending
request-completed = Completed

## An application's page (templates/portal/application.html).
app-title = { $name } · { $directory }
app-essentials = Essentials
app-client-id = Application (client) ID
app-principal-id = Service principal (enterprise application) ID
app-registered = Registered
app-read-only = Only Global Administrators of { $directory } can remove this application's credentials.
app-secrets-heading = Client secrets ({ $count })
app-secrets-hint = A secret's value is shown once, when it is added; only its first characters are kept to recognise it.
col-secret-hint = Value (hint)
col-secret-id = Secret ID
col-added = Added
col-expires = Expires
badge-expired = Expired
app-remove-secret = Remove the secret { $hint }…
app-certificates-heading = Certificates ({ $count })
col-thumbprint = Thumbprint
col-subject = Subject
col-valid-from = Valid from
app-remove-certificate = Remove the certificate { $thumbprint }
app-federated-heading = Federated credentials ({ $count })
app-federated-hint = A token of the issuer about the subject, for the audience, signs the application in without a secret.
col-issuer = Issuer
col-audiences = Audiences
app-remove-federated = Remove the federated credential { $name }
secret-removed-title = Secret removed
secret-removed-message = The secret { $what } of { $name } signs it in no more.
certificate-removed-title = Certificate removed
certificate-removed-message = Assertions signed with the certificate { $what } sign { $name } in no more.
federated-removed-title = Federated credential removed
federated-removed-message = Tokens that the federated credential { $what } trusted sign { $name } in no more.
