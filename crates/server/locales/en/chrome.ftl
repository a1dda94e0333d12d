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
