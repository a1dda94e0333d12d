# De aanmeldpagina's (templates/portal/signin_*.html, signed_out.html), van de portal en van /authorize.

signin-title = Aanmelden
signin-to-client = om door te gaan naar
signin-to-portal = bij tenantry
signin-email-label = E-mailadres of gebruikersnaam
signin-email-hint = Een werk- of schoolaccount, zoals naam@contoso.onmicrosoft.com, of het e-mailadres van uw persoonlijke account.
signin-next = Volgende
signin-error-code = Foutcode: { $code }
picker-title = Kies een account
picker-heading = Welk account wilt u gebruiken?
# Rond het e-mailadres, vet ertussen.
picker-lead-before = Het lijkt erop dat
picker-lead-after = voor meer dan één account wordt gebruikt.
picker-legend = Accounttype
account-work = Werk- of schoolaccount
account-work-hint = Gemaakt door uw IT-afdeling
account-personal = Persoonlijk account
account-personal-hint = Door uzelf gemaakt
picker-continue = Doorgaan
signin-use-another = Een ander account gebruiken
password-title = Wachtwoord invoeren
password-label = Wachtwoord
password-submit = Aanmelden
signed-out-title = Afgemeld
signed-out-heading = U bent afgemeld
signed-out-lead = Uw sessie op dit apparaat is beëindigd.
signed-out-sign-in = Aanmelden
signed-out-logout-title = U bent afgemeld bij uw account
signed-out-logout-message = Het is verstandig om alle browservensters te sluiten.
signed-out-ended-title = U bent afgemeld
signed-out-ended-message = Uw wachtwoord is gewijzigd of uw account is uitgeschakeld sinds u zich hebt aangemeld.
signed-out-ended-remedy = Meld u opnieuw aan.
