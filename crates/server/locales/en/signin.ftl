# The sign-in pages (templates/portal/signin_*.html, signed_out.html), the portal's and /authorize's.

signin-title = Sign in
signin-to-client = to continue to
signin-to-portal = to tenantry
signin-email-label = Email or user name
signin-email-hint = A work or school account, like name@contoso.onmicrosoft.com, or the email of your personal account.
signin-next = Next
signin-error-code = Error code: { $code }
picker-title = Pick an account
picker-heading = Which account do you want to use?
# Around the email, in bold between the two.
picker-lead-before = It looks like
picker-lead-after = is used with more than one account.
picker-legend = Account type
account-work = Work or school account
account-work-hint = Created by your IT department
account-personal = Personal account
account-personal-hint = Created by you
picker-continue = Continue
signin-use-another = Use another account
password-title = Enter password
password-label = Password
password-submit = Sign in
signed-out-title = Signed out
signed-out-heading = You are signed out
signed-out-lead = Your session has ended on this device.
signed-out-sign-in = Sign in
signed-out-logout-title = You signed out of your account
signed-out-logout-message = It's a good idea to close all browser windows.
signed-out-ended-title = You were signed out
signed-out-ended-message = Your password was changed or your account was disabled since you signed in.
signed-out-ended-remedy = Sign in again.
