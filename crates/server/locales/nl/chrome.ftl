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

## De tabbladen van de pagina's van een abonnement, een directory en een beheergroep.
tabs-label = Secties
tab-overview = Overzicht
tab-administrators = Beheerders
tab-access = Toegangsbeheer (IAM)
tab-resources = Resources
tab-change-directory = Directory wijzigen
tab-users = Gebruikers
tab-groups = Groepen
tab-applications = Toepassingen
tab-guests = Gasten en uitnodigingen
tab-policy = Abonnementsbeleid
tab-hierarchy = Hiërarchie

## De foutpagina (templates/portal/error.html).
error-status = Fout { $status }
error-to-dashboard = Naar het dashboard
