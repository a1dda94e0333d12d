# A subscription's pages: overview, read-only note, cancel (templates/portal/subscription*.html,
# read_only.html). Role names and scopes stay as Azure names them.

grant-service-admin = You are service administrator of the subscription: full access.
grant-co-admin = You are co-administrator of the subscription: full access.
grant-account-admin = You are the account administrator (billing owner): you may change the service administrator.
grant-at-subscription = the subscription
grant-role = Role '{ $role }' assigned to you on { $scope }.
grant-role-through-group = Role '{ $role }' assigned to the group { $group }, which you are in, on { $scope }.
pending-change-by = A change to the directory { $directory } is waiting for acceptance by { $acceptor } until { $until }.
pending-change-any = A change to the directory { $directory } is waiting for acceptance by a Global Administrator of { $directory } until { $until }.
pending-change-see = See or cancel the request

essentials-heading = Essentials
fact-subscription-id = Subscription ID
fact-status = Status
fact-directory-trusted = Directory it trusts
fact-service-admin = Service administrator
fact-account-admin = Account administrator
fact-co-admins = Co-administrators
fact-role-assignments = Role assignments
co-admins-count = { $count ->
    [one] { $count } co-administrator
   *[other] { $count } co-administrators
}
assignments-count = { $count ->
    [one] { $count } role assignment
   *[other] { $count } role assignments
}
lifecycle-heading = Name and status
rename-label = Subscription name
rename-submit = Rename
cancel-subscription = Cancel subscription
enable-subscription = Enable subscription
tags-heading = Tags
tag-names-heading = Tag names in this subscription
tag-names-empty = No tag names: none predefined, none in use.
col-tagged = Tagged
col-values-tagged = Values (tagged)
your-access-heading = Your access
your-access-partial = You have read access through a role assignment on part of this subscription.
resource-groups-heading = Resource groups
resource-groups-empty = No resource group that you may see.
col-resources = Resources
col-access = Access
rg-resources-of = Resources of { $group }
rg-access-of = Access control (IAM) of { $group }
read-only-strong = This subscription is Disabled (cancelled): it is read-only.
read-only-rest = Everything under it can be read; nothing can change until it is enabled again.
sub-renamed-title = Subscription renamed
sub-renamed-message = It is now called { $name }.
sub-enabled-title = Subscription enabled
sub-enabled-message = It is Enabled: it can be changed again.
sub-cancelled-title = Subscription cancelled
sub-cancelled-message = It is Disabled and read-only: everything in it can be read, nothing can change until it is enabled again.
secret-start-unknown = Not recorded
secret-never = Never

# The classic administrator roles.
classic-role-service-administrator = Service administrator
classic-role-account-administrator = Account administrator
classic-role-co-administrator = Co-administrator
