# Directory's: de lijst en de pagina van een aanvraag om een directory te koppelen
# (templates/portal/directories.html, link_approve.html).

directories-title = Directory's
directories-lead = De directory's (tenants) waarin u lid of gast bent. Een abonnement vertrouwt precies één ervan.
your-directories-heading = Uw directory's

link-title-requester = Uw aanvraag om { $directory } te gebruiken
link-title-approver = Directory goedkeuren
link-heading-approver = De directory { $directory } met Azure gebruiken?
link-directory = Directory
link-asked-by = Aangevraagd door
link-for-subscription = Voor het abonnement
link-status = Status
link-waits-until = Wacht tot
link-who-approves = Wie kan goedkeuren
link-approver-any = Een globale beheerder van { $directory }
link-signed-in-as = Aangemeld als
link-waiting-heading = Wacht op goedkeuring
link-waiting-text = Een globale beheerder van { $directory } keurt de aanvraag goed door zich aan te melden op deze pagina:
link-waiting-after = Na goedkeuring wordt u gast van { $directory } en kunt u de directory van uw abonnement daarin wijzigen.
link-cancel = Aanvraag annuleren
link-happened-heading = Wat er is gebeurd
link-done-requester = { $directory } heeft uw aanvraag goedgekeurd: u bent er gast en de directory staat in uw lijst met directory's. U kunt de directory van { $subscription } nu daarin wijzigen, via het tabblad Directory wijzigen van het abonnement.
link-your-directories = Uw directory's
link-closed-requester = Deze aanvraag is { $status }; er is niets toegevoegd. U kunt het opnieuw vragen via Directory's → Directory toevoegen → Bestaande directory gebruiken.
link-decision-heading = Uw beslissing
link-decision-before = Als u doorgaat, wordt
link-decision-becomes = gast van
link-decision-after = en verschijnt { $directory } in de lijst met directory's van deze persoon. Deze wordt geen beheerder van { $directory }.
link-continue = Doorgaan
link-decline = Weigeren
link-cannot-decide = Alleen een globale beheerder van { $directory } kan dit goedkeuren of weigeren. U bent aangemeld als { $user }: meld u af en meld u aan als globale beheerder van { $directory }.
link-done-approver = { $directory } is toegevoegd voor { $requester }: deze persoon is nu gast van { $directory }. Meld u af, zodat { $requester } zich opnieuw kan aanmelden en { $directory } in de lijst met directory's ziet.
link-sign-out-now = Nu afmelden
link-closed-approver = Deze aanvraag is { $status }; er is niets toegevoegd. De servicebeheerder kan een nieuwe starten via Directory's → Directory toevoegen → Bestaande directory gebruiken.

link-status-expired = Verlopen
link-status-pending = Wacht op goedkeuring
link-status-approved = Goedgekeurd
link-status-declined = Geweigerd
link-status-cancelled = Geannuleerd

link-cancelled-title = Aanvraag geannuleerd
link-cancelled-message = Er is niets toegevoegd. U kunt het opnieuw vragen via Directory's → Directory toevoegen → Bestaande directory gebruiken.
link-approved-title = Goedgekeurd
link-approved-message = De directory is toegevoegd. Selecteer 'Nu afmelden' zodat de servicebeheerder zich opnieuw kan aanmelden.
link-approved-next-title = { $directory } is toegevoegd voor { $requester }
link-approved-next-message = Meld u opnieuw aan als de servicebeheerder, { $requester }: { $directory } staat nu in de lijst met directory's, klaar om de directory van het abonnement te wijzigen.
link-declined-title = Geweigerd
link-declined-message = De aanvraag is geweigerd; er is niets toegevoegd.

## Het overzicht, de gebruikers, een gebruiker en de directoryrollen van een directory.
dir-overview-heading = Overzicht
fact-tenant-id = Tenant-id
fact-domains = Domeinen
fact-type = Type
fact-your-roles = Uw directoryrollen
fact-users = Gebruikers
fact-users-value = { $members ->
    [one] { $members } lid
   *[other] { $members } leden
}, { $guests ->
    [one] { $guests } gast
   *[other] { $guests } gasten
}
fact-subscriptions-trusting = Abonnementen die u ziet en die deze directory vertrouwen
dir-link-requests-heading = Aanvragen om deze directory te gebruiken
dir-incoming-heading = Abonnementen die wachten om naar deze directory te worden verplaatst
col-from = Van
col-asked-by = Aangevraagd door
col-until = Tot
incoming-accept = Accepteren
incoming-accept-label = { $subscription } accepteren
users-title = Gebruikers · { $directory }
users-heading = Gebruikers van { $directory }
users-members-heading = Leden
col-upn = User principal name
col-sign-in = Aanmelden
col-directory-roles = Directoryrollen
sign-in-enabled = Ingeschakeld
sign-in-disabled = Uitgeschakeld
users-guests-before = Gasten staan op het tabblad
users-guests-after = .
users-create-heading = Een gebruiker maken
users-create-only = Alleen globale beheerders en gebruikersbeheerders van { $directory } kunnen gebruikers maken.
users-user-name = Gebruikersnaam
users-user-name-hint = Het deel vóór @{ $domain }, of een volledige naam op een van de domeinen van de directory.
users-display-name = Weergavenaam
users-mail = E-mailadres (optioneel)
users-password = Wachtwoord
users-create = Gebruiker maken
user-profile-heading = Profiel
fact-kind = Soort
fact-object-id = Object-id
user-manage-heading = Aanmelden en wachtwoord
user-manage-only = Alleen globale beheerders en gebruikersbeheerders van { $directory } kunnen dit wijzigen.
user-block = Aanmelden blokkeren
user-allow = Aanmelden toestaan
user-new-password = Nieuw wachtwoord
user-reset = Wachtwoord opnieuw instellen
user-roles-heading = Directoryrollen
roles-remove-label = De rol { $role } verwijderen
roles-add-label = Een rol toevoegen
roles-add = Rol toevoegen
user-kind-member = Lid
user-kind-guest-personal = Gast (persoonlijk account)
user-kind-guest-work = Gast (werkaccount)
user-kind-guest-pending = Gast (uitnodiging in behandeling)
user-created-title = Gebruiker gemaakt
user-created-message = { $name } kan zich nu aanmelden met het wachtwoord dat u hebt ingesteld.
user-enabled-title = Gebruiker ingeschakeld
user-enabled-message = De gebruiker kan zich weer aanmelden.
user-disabled-title = Gebruiker uitgeschakeld
user-disabled-message = De gebruiker kan zich niet meer aanmelden; de portalsessies van de gebruiker zijn beëindigd.
password-reset-title = Wachtwoord opnieuw ingesteld
password-reset-message = Geef de gebruiker het nieuwe wachtwoord; de portalsessies van de gebruiker zijn beëindigd.
role-added-title = Rol toegevoegd
role-added-message = { $what ->
    [group] De groep
   *[other] De gebruiker
} heeft nu de rol { $role }.
role-removed-title = Rol verwijderd
role-removed-message = { $what ->
    [group] De groep
   *[other] De gebruiker
} heeft de rol { $role } niet meer.
policy-saved-title = Beleid opgeslagen
policy-saved-message = Het abonnementsbeleid van deze directory is opgeslagen.
moved-in-title = Abonnement binnengekomen
moved-in-message = Het abonnement vertrouwt nu deze directory. { $co_admins ->
    [one] { $co_admins } medebeheerder
   *[other] { $co_admins } medebeheerders
} en { $assignments ->
    [one] { $assignments } roltoewijzing
   *[other] { $assignments } roltoewijzingen
} van de oude directory zijn verwijderd.

## Het abonnementsbeleid van een directory (templates/portal/policy.html).
policy-title = Abonnementsbeleid · { $directory }
policy-heading = Abonnementsbeleid van { $directory }
policy-moving-heading = Abonnementen verplaatsen
policy-only = Alleen globale beheerders van { $directory } kunnen dit beleid wijzigen.
policy-block-leaving = Voorkomen dat abonnementen { $directory } verlaten
policy-block-entering = Voorkomen dat abonnementen { $directory } binnenkomen
policy-exempted = Uitgezonderde gebruikers (één user principal name of e-mailadres per regel)

## De pagina van een uitnodiging (templates/portal/redeem.html).
redeem-title = Uitnodiging
redeem-join = Lid worden van { $directory }
redeem-directory = Directory
redeem-email = Uitgenodigd e-mailadres
redeem-status = Status
redeem-signed-in-as = Aangemeld als
redeem-anonymous-heading = Een uitnodiging
redeem-anonymous-text = Deze koppeling is een uitnodiging om lid te worden van een directory. Wie haar stuurde en aan wie, ziet alleen de uitgenodigde persoon.
redeem-accept-heading = De uitnodiging accepteren
redeem-sign-in-text = Meld u aan met het account waarnaar de uitnodiging is verzonden: daarna komt u hier terug.
redeem-sign-in = Aanmelden om te accepteren
redeem-accept-text = Als u accepteert, wordt u gast van { $directory }: de directory verschijnt in uw lijst met directory's, en de beheerders ervan kunnen u toegang geven tot de abonnementen.
redeem-accept = Accepteren
redeem-used = Deze uitnodiging is geaccepteerd. Als ze van u was, staat { $directory } in uw lijst met directory's.
redeem-used-unknown = Deze uitnodiging is geaccepteerd. Als ze van u was, staat de directory in uw lijst met directory's.
redeem-scripts-before = Scripts accepteren met
redeem-scripts-after = en het eigen bearer-token van de uitgenodigde.
invitation-accepted-title = Uitnodiging geaccepteerd
invitation-accepted-message = U bent nu gast van { $directory } en werkt erin.
request-pending = In behandeling
request-completed = Voltooid

## De pagina van een toepassing (templates/portal/application.html).
app-title = { $name } · { $directory }
app-essentials = Essentials
app-client-id = Toepassings-id (client)
app-principal-id = Id van de service-principal (bedrijfstoepassing)
app-registered = Geregistreerd
app-read-only = Alleen globale beheerders van { $directory } kunnen de referenties van deze toepassing verwijderen.
app-secrets-heading = Clientgeheimen ({ $count })
app-secrets-hint = De waarde van een geheim wordt één keer getoond, bij het toevoegen; alleen de eerste tekens worden bewaard om het te herkennen.
col-secret-hint = Waarde (hint)
col-secret-id = Geheim-id
col-added = Toegevoegd
col-expires = Verloopt
badge-expired = Verlopen
app-remove-secret = Het geheim { $hint }… verwijderen
app-certificates-heading = Certificaten ({ $count })
col-thumbprint = Vingerafdruk
col-subject = Onderwerp
col-valid-from = Geldig vanaf
app-remove-certificate = Het certificaat { $thumbprint } verwijderen
app-federated-heading = Federatieve referenties ({ $count })
app-federated-hint = Een token van de uitgever over het onderwerp, voor de doelgroep, meldt de toepassing aan zonder geheim.
col-issuer = Uitgever
col-audiences = Doelgroepen
app-remove-federated = De federatieve referentie { $name } verwijderen
secret-removed-title = Geheim verwijderd
secret-removed-message = Het geheim { $what } meldt { $name } niet meer aan.
certificate-removed-title = Certificaat verwijderd
certificate-removed-message = Asserties die met het certificaat { $what } zijn ondertekend, melden { $name } niet meer aan.
federated-removed-title = Federatieve referentie verwijderd
federated-removed-message = Tokens die de federatieve referentie { $what } vertrouwde, melden { $name } niet meer aan.
