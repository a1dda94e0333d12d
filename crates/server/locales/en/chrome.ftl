# The frame of every page: the top bar, the messages, the footer (templates/portal/base.html).

skip-to-main = Skip to main content
nav-main = Main
nav-dashboard = Dashboard
nav-directories = Directories
nav-hierarchy = Management groups
nav-activity = Activity log
nav-support = Help + support
switcher-label = Directory
switcher-submit = Switch
sign-out = Sign out
flash-remedy = What to do:
flash-error-code = Error code: { $code }
footer-about = tenantry · a self-hostable control plane for cloud tenancy
footer-working-in = You are working in
footer-switch-label = Language
footer-switch-en = English
footer-switch-nl = Nederlands
language-unknown = That language is not offered: choose English or Nederlands.

## The tabs of a subscription's, a directory's and a management group's pages (templates/portal/tabs.html).
tabs-label = Sections
tab-overview = Overview
tab-administrators = Administrators
tab-access = Access control (IAM)
tab-resources = Resources
tab-change-directory = Change directory
tab-users = Users
tab-groups = Groups
tab-applications = Applications
tab-guests = Guests and invitations
tab-policy = Subscription policy
tab-hierarchy = Hierarchy

## The error page (templates/portal/error.html).
error-status = Error { $status }
error-to-dashboard = Go to the dashboard

## The portal's own refusals, not a rule's (mod.rs PortalError::page).
csrf-title = Request refused (403)
csrf-message = This form did not come from your current tenantry session, or the session has ended, so it was not sent.
csrf-remedy = Go back, reload the page and send the form again. If you were signed out, sign in first.
invalid-title = That request is not valid
invalid-remedy = Go back and check the form.
no-page-title = Page not found
no-page-message = There is no page at this address.
edge-remedy = Go back, or start again from the dashboard.
unavailable-title = Temporarily unavailable
unavailable-message = The database cannot be reached just now, so nothing was changed.
unavailable-remedy = Try again in { $seconds } seconds.
internal-title = Something went wrong on our side
internal-message = The server could not complete the request. It has been logged.
internal-remedy = Try again in a moment; if it keeps happening, tell the operator.
