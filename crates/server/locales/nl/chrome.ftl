# Het kader van elke pagina: de bovenbalk, de meldingen, de voettekst (templates/portal/base.html).

skip-to-main = Naar de hoofdinhoud
nav-main = Hoofdmenu
nav-dashboard = Dashboard
nav-directories = Directory's
nav-hierarchy = Beheergroepen
nav-activity = Activiteitenlogboek
nav-support = Help en ondersteuning
switcher-label = Directory
switcher-submit = Wisselen
sign-out = Afmelden
flash-remedy = Wat u kunt doen:
flash-error-code = Foutcode: { $code }
footer-about = tenantry · een zelf te hosten beheerlaag voor cloudtenants
footer-working-in = U werkt in
footer-switch-label = Taal
footer-switch-en = English
footer-switch-nl = Nederlands
language-unknown = Die taal wordt niet aangeboden: kies English of Nederlands.
