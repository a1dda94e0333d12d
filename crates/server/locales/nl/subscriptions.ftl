# De pagina's van een abonnement: overzicht, alleen-lezen-melding, annuleren
# (templates/portal/subscription*.html, read_only.html). Rolnamen en bereiken blijven zoals Azure ze noemt.

grant-service-admin = U bent servicebeheerder van het abonnement: volledige toegang.
grant-co-admin = U bent medebeheerder van het abonnement: volledige toegang.
grant-account-admin = U bent de accountbeheerder (eigenaar van de facturering): u kunt de servicebeheerder wijzigen.
grant-at-subscription = het abonnement
grant-role = Rol '{ $role }' is aan u toegewezen op { $scope }.
grant-role-through-group = Rol '{ $role }' is toegewezen aan de groep { $group }, waarvan u lid bent, op { $scope }.
pending-change-by = Een wijziging naar de directory { $directory } wacht tot { $until } op acceptatie door { $acceptor }.
pending-change-any = Een wijziging naar de directory { $directory } wacht tot { $until } op acceptatie door een globale beheerder van { $directory }.
pending-change-see = De aanvraag bekijken of annuleren

essentials-heading = Essentials
fact-subscription-id = Abonnements-id
fact-status = Status
fact-directory-trusted = Vertrouwde directory
fact-service-admin = Servicebeheerder
fact-account-admin = Accountbeheerder
fact-co-admins = Medebeheerders
fact-role-assignments = Roltoewijzingen
co-admins-count = { $count ->
    [one] { $count } medebeheerder
   *[other] { $count } medebeheerders
}
assignments-count = { $count ->
    [one] { $count } roltoewijzing
   *[other] { $count } roltoewijzingen
}
lifecycle-heading = Naam en status
rename-label = Naam van het abonnement
rename-submit = Naam wijzigen
cancel-subscription = Abonnement annuleren
enable-subscription = Abonnement inschakelen
tags-heading = Tags
tag-names-heading = Tagnamen in dit abonnement
tag-names-empty = Geen tagnamen: geen vooraf gedefinieerd, geen in gebruik.
col-tagged = Getagd
col-values-tagged = Waarden (getagd)
your-access-heading = Uw toegang
your-access-partial = U hebt leestoegang via een roltoewijzing op een deel van dit abonnement.
resource-groups-heading = Resourcegroepen
resource-groups-empty = Geen resourcegroep die u mag zien.
col-resources = Resources
col-access = Toegang
rg-resources-of = Resources van { $group }
rg-access-of = Toegangsbeheer (IAM) van { $group }
read-only-strong = Dit abonnement is uitgeschakeld (geannuleerd): het is alleen-lezen.
read-only-rest = Alles eronder kan worden gelezen; er kan niets worden gewijzigd totdat het weer is ingeschakeld.
sub-renamed-title = Naam van abonnement gewijzigd
sub-renamed-message = Het heet nu { $name }.
sub-enabled-title = Abonnement ingeschakeld
sub-enabled-message = Het is ingeschakeld: het kan weer worden gewijzigd.
sub-cancelled-title = Abonnement geannuleerd
sub-cancelled-message = Het is uitgeschakeld en alleen-lezen: alles erin kan worden gelezen, er kan niets worden gewijzigd totdat het weer is ingeschakeld.
secret-start-unknown = Niet vastgelegd
secret-never = Nooit

# De klassieke beheerdersrollen.
classic-role-service-administrator = Servicebeheerder
classic-role-account-administrator = Accountbeheerder
classic-role-co-administrator = Medebeheerder
