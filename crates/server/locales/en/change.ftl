# Changing a subscription's directory: pick, review, result (templates/portal/change_*.html), and
# cancelling a subscription (subscription_cancel.html).

change-title = Change directory · { $name }
change-heading = Change the directory of { $name }
change-lead-before = The subscription trusts
change-lead-after = Moving it to another directory removes every co-administrator and every role assignment of this directory's people and applications. The next page lists all of them before anything changes.
change-pending-heading = A request is waiting
change-cancel-request = Cancel the request
change-new-heading = New directory
change-no-destinations = You are a member or guest of no other directory. You can still name one below: the change then waits for one of its Global Administrators to accept it.
change-or = Or:
change-add-first-before = add the directory first with
change-add-first-link = Directories → Add directory → Use existing directory
change-add-first-after = and the change can be made at once.
change-destination-label = Move the subscription to directory
change-destination-other = Another directory (type its domain below)
change-destination-hint = The directories where you are a member or a guest.
change-domain-label = Domain of the directory
change-domain-other-label = Or the domain of another directory
change-map-label = Principal map (optional)
change-map-hint = Re-grant access in the new directory: one line per principal, old = new, e.g.
change-map-hint-group = ; a group by its name,
change-review = Review the change
change-request-cancelled-title = Request cancelled
change-request-cancelled-message = The subscription stays in its directory.

review-title = Review · change directory
review-heading = Review: move { $name } from { $source } to { $destination }
review-blockers-heading = What stops this change
review-removed-heading = Everything that will be removed
review-co-admins = Co-administrators ({ $count })
review-assignments = Role assignments ({ $count })
review-custom-roles = Custom roles ({ $count })
review-none = None.
col-account = Account
col-kind = Kind
col-principal = Principal
col-role = Role
col-scope = Scope
col-who-loses = Who loses it
col-actions = Actions
col-resource = Resource
col-application = Application
col-client-id = Application (client) id
col-certificates = Certificates
col-federated = Federated credentials
review-group-held = { $count ->
    [one] { $count } of them is held by a group: every member of such a group, directly or through nested groups, loses what it grants. Map a group to a group of { $destination } (group:NAME) to re-grant it there.
   *[other] { $count } of them are held by groups: every member of such a group, directly or through nested groups, loses what it grants. Map a group to a group of { $destination } (group:NAME) to re-grant it there.
}
review-group-members = { $count ->
    [one] { $count } member of the group
   *[other] { $count } members of the group
}
review-this-principal = This principal
review-kept-heading = Who keeps access
review-regranted-heading = Re-granted in { $destination } through the principal map
review-regranted-co-admin = { $email } — co-administrator
review-regranted-assignment = { $principal } — { $role } on { $scope }
review-regranted-group = { $count ->
    [one] (a group: { $count } member holds it)
   *[other] (a group: { $count } members hold it)
}
review-identities-heading = Managed identities re-created in { $destination } ({ $count })
review-identities-text = Each gets a new principal in { $destination }, and its role assignments in this subscription are given to the new principal in the same change (Azure breaks them instead).
identity-user-assigned = user-assigned
identity-system-assigned = system-assigned
review-credentials-heading = Applications that keep their credentials ({ $count })
review-credentials-text = These applications lose their access to this subscription, but their certificates and federated credentials stay in { $source } and keep working there. To re-grant a pipeline in { $destination }, give an application of { $destination } its own federated credential.
review-after-move = After the move, resources that rely on the old directory in other ways (a key vault's access policies, for one) need attention, as in Azure.
review-confirm-heading = Confirm
review-confirm-text = This moves the subscription now and removes everything listed above.
review-confirm-button = Change the directory of { $name } to { $destination }
review-request-heading = How this change goes
review-request-text = You are not a member or guest of { $destination }, so the change cannot apply at once: it waits for a Global Administrator of { $destination } to accept it within 7 days.
review-link-waiting = Your request to use { $destination } waits for approval until { $until }
review-link-see = see the request
review-link-after = Once a Global Administrator approves it, you are a guest of { $destination } and can change the directory at once, without waiting for an acceptance.
review-checked-on-acceptance = Checked when it is accepted:
review-request-button = Request moving { $name } to { $destination }
review-already-heading = A change already waits
review-already-text = Only one change of directory can wait at a time. Cancel the one that waits to ask for this one.
review-cancel-pending = Cancel the change that waits
review-blocked-heading = Nothing can be done yet
review-blocked-text = Fix what stops the change (above), then review again.
review-back = Back: pick another directory
scope-this-subscription = This subscription
kind-personal-account = Personal account
kind-work-account = Work or school account

result-title = Directory changed
result-heading = { $name } now trusts { $destination }
result-changed = The directory was changed.
result-switched = You are now working in { $destination }.
result-removed-heading = What was removed
result-nothing = Nothing.
result-co-admins = { $count ->
    [one] One co-administrator
   *[other] { $count } co-administrators
}
result-assignments = { $count ->
    [one] One role assignment
   *[other] { $count } role assignments
}
result-custom-roles = { $count ->
    [one] One custom role
   *[other] { $count } custom roles
}
result-assignment = { $principal }: { $role } on { $scope }
result-regranted-heading = Re-granted in { $destination }
result-regranted-co-admin = { $email }: co-administrator
result-next-heading = Next steps
result-next-before = Add co-administrators and role assignments in { $destination } on the
result-next-administrators = Administrators
result-next-and = and
result-next-access = Access control (IAM)
result-next-after = {" "}tabs.
result-switch-text = Switch to { $destination } to work with the subscription there, then add co-administrators on the Administrators tab.
result-switch-button = Switch to { $destination }
result-waiting-heading = The change waits for acceptance
result-waiting-text = A Global Administrator of { $destination } must accept moving { $name } before { $until }. They find it on the { $destination } directory's overview page.

cancel-title = Cancel { $name }
cancel-readonly-heading = The subscription becomes read-only
cancel-text-before = Cancelling
cancel-text-after = makes it Disabled: its resource groups, resources, role assignments and administrators stay and can be read, but every change under it is refused until it is enabled again.
cancel-owners = The subscription's owners and its account administrator can enable it again from its overview.
cancel-confirm = Cancel the subscription
cancel-keep = Keep it
