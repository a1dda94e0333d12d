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

## De eigen weigeringen van de portal, niet die van een regel (mod.rs PortalError::page).
csrf-title = Aanvraag geweigerd (403)
csrf-message = Dit formulier kwam niet uit uw huidige tenantry-sessie, of de sessie is beëindigd, dus het is niet verzonden.
csrf-remedy = Ga terug, laad de pagina opnieuw en verzend het formulier nogmaals. Als u bent afgemeld, meld u dan eerst aan.
invalid-title = Die aanvraag is niet geldig
invalid-remedy = Ga terug en controleer het formulier.
no-page-title = Pagina niet gevonden
no-page-message = Op dit adres staat geen pagina.
edge-remedy = Ga terug, of begin opnieuw vanaf het dashboard.
unavailable-title = Tijdelijk niet beschikbaar
unavailable-message = De database is op dit moment niet bereikbaar, dus er is niets gewijzigd.
unavailable-remedy = Probeer het over { $seconds } seconden opnieuw.
internal-title = Er is aan onze kant iets misgegaan
internal-message = De server kon de aanvraag niet voltooien. Dit is vastgelegd.
internal-remedy = Probeer het zo meteen opnieuw; als het blijft gebeuren, meld het dan aan de beheerder.
