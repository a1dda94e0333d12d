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
