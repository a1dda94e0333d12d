# The dashboard (templates/portal/dashboard.html, my_requests.html) and the directory switcher.

dashboard-title = Dashboard
welcome-name = Welcome, { $name }
welcome = Welcome
signed-in-as = Signed in as { $email }
signed-in-as-kind = Signed in as { $email }, your { $kind }
invitations-heading = Invitations waiting for you
invitation-join = Join { $directory }
invitation-as = (invited as { $email })
link-requests-heading = Requests waiting for your approval
link-request-asks = { $requester } asks to add { $directory }
link-request-for = for the subscription { $subscription }
my-requests-heading = Your requests waiting for approval
my-request-use = Use { $directory }
my-request-for = for the subscription { $subscription }, until { $expires }
my-subscriptions-heading = My subscriptions
no-subscriptions = You have no access to any subscription. A subscription's service administrator or a co-administrator can add you as a co-administrator, or an Owner can assign you a role on it.
col-directory-trusted = Directory it trusts
col-my-access = My access
my-directories-heading = My directories
switched-title = Directory switched
switched-message = You are now working in { $directory }.
