# What the portal adds to a refusal: its title, and on the sign-in pages what to do. The refusal's own
# message and remedy are its English text (the domain's, or Entra's); `nl/refusals.ftl` words them in
# Dutch from their code.

# A refusal shown on the page it came from: what kind of failure it is.
refused-title-invalid = Check what you entered
refused-title-forbidden = You are not allowed to do this
refused-title-not-found = Not found
refused-title-conflict = Not possible as things are

# A page that is a refusal.
refused-page-invalid = That request is not valid
refused-page-forbidden = You may not do this
refused-page-not-found = Not found
refused-page-conflict = That cannot be done now

# The sign-in pages.
signin-failed = Sign-in failed
signin-trouble = Sorry, but we’re having trouble signing you in.
signin-remedy-password = Check the password and try again. Passwords are case-sensitive.
signin-remedy-locked-out = Wait a minute and try again, or ask an administrator to reset your password.
signin-remedy-disabled = Ask an administrator of your directory to enable your account.
signin-remedy-unknown = Check the spelling of the email, or choose 'Use another account'.
signin-remedy-other = Try again, or choose 'Use another account'.
