# De directory van een abonnement wijzigen: kiezen, controleren, resultaat (templates/portal/change_*.html),
# en een abonnement annuleren (subscription_cancel.html).

change-title = Directory wijzigen · { $name }
change-heading = De directory van { $name } wijzigen
change-lead-before = Het abonnement vertrouwt
change-lead-after = Als u het naar een andere directory verplaatst, worden alle medebeheerders en alle roltoewijzingen van de personen en toepassingen van deze directory verwijderd. De volgende pagina toont ze allemaal voordat er iets verandert.
change-pending-heading = Er wacht een aanvraag
change-cancel-request = Aanvraag annuleren
change-new-heading = Nieuwe directory
change-no-destinations = U bent lid of gast van geen andere directory. U kunt er hieronder toch een noemen: de wijziging wacht dan tot een van de globale beheerders ervan die accepteert.
change-or = Of:
change-add-first-before = voeg de directory eerst toe via
change-add-first-link = Directory's → Directory toevoegen → Bestaande directory gebruiken
change-add-first-after = dan kan de wijziging meteen worden doorgevoerd.
change-destination-label = Het abonnement verplaatsen naar directory
change-destination-other = Een andere directory (typ hieronder het domein)
change-destination-hint = De directory's waarin u lid of gast bent.
change-domain-label = Domein van de directory
change-domain-other-label = Of het domein van een andere directory
change-map-label = Principal-toewijzing (optioneel)
change-map-hint = Verleen opnieuw toegang in de nieuwe directory: één regel per principal, oud = nieuw, bijvoorbeeld
change-map-hint-group = ; een groep met haar naam,
change-review = De wijziging controleren
change-request-cancelled-title = Aanvraag geannuleerd
change-request-cancelled-message = Het abonnement blijft in zijn directory.

review-title = Controleren · directory wijzigen
review-heading = Controleren: { $name } verplaatsen van { $source } naar { $destination }
review-blockers-heading = Wat deze wijziging tegenhoudt
review-removed-heading = Alles wat wordt verwijderd
review-co-admins = Medebeheerders ({ $count })
review-assignments = Roltoewijzingen ({ $count })
review-custom-roles = Aangepaste rollen ({ $count })
review-none = Geen.
col-account = Account
col-kind = Soort
col-principal = Principal
col-role = Rol
col-scope = Bereik
col-who-loses = Wie verliest het
col-actions = Acties
col-resource = Resource
col-application = Toepassing
col-client-id = Toepassings-id (client)
col-certificates = Certificaten
col-federated = Federatieve referenties
review-group-held = { $count ->
    [one] { $count } ervan is in handen van een groep: elk lid van zo'n groep, direct of via geneste groepen, verliest wat die toekent. Wijs een groep toe aan een groep van { $destination } (group:NAAM) om het daar opnieuw te verlenen.
   *[other] { $count } ervan zijn in handen van groepen: elk lid van zo'n groep, direct of via geneste groepen, verliest wat die toekent. Wijs een groep toe aan een groep van { $destination } (group:NAAM) om het daar opnieuw te verlenen.
}
review-group-members = { $count ->
    [one] { $count } lid van de groep
   *[other] { $count } leden van de groep
}
review-this-principal = Deze principal
review-kept-heading = Wie toegang houdt
review-regranted-heading = Opnieuw verleend in { $destination } via de principal-toewijzing
review-regranted-co-admin = { $email } — medebeheerder
review-regranted-assignment = { $principal } — { $role } op { $scope }
review-regranted-group = { $count ->
    [one] (een groep: { $count } lid heeft het)
   *[other] (een groep: { $count } leden hebben het)
}
review-identities-heading = Beheerde identiteiten die opnieuw worden gemaakt in { $destination } ({ $count })
review-identities-text = Elk krijgt een nieuwe principal in { $destination }, en de roltoewijzingen in dit abonnement gaan in dezelfde wijziging naar de nieuwe principal (Azure verbreekt ze in plaats daarvan).
identity-user-assigned = door gebruiker toegewezen
identity-system-assigned = door systeem toegewezen
review-credentials-heading = Toepassingen die hun referenties houden ({ $count })
review-credentials-text = Deze toepassingen verliezen hun toegang tot dit abonnement, maar hun certificaten en federatieve referenties blijven in { $source } en blijven daar werken. Geef een toepassing van { $destination } een eigen federatieve referentie om een pipeline in { $destination } opnieuw toegang te verlenen.
review-after-move = Na de verplaatsing hebben resources die op een andere manier van de oude directory afhangen (zoals het toegangsbeleid van een sleutelkluis) aandacht nodig, net als in Azure.
review-confirm-heading = Bevestigen
review-confirm-text = Hiermee wordt het abonnement nu verplaatst en wordt alles hierboven verwijderd.
review-confirm-button = De directory van { $name } wijzigen in { $destination }
review-request-heading = Hoe deze wijziging verloopt
review-request-text = U bent geen lid of gast van { $destination }, dus de wijziging kan niet meteen worden doorgevoerd: ze wacht tot een globale beheerder van { $destination } haar binnen 7 dagen accepteert.
review-link-waiting = Uw aanvraag om { $destination } te gebruiken wacht tot { $until } op goedkeuring
review-link-see = de aanvraag bekijken
review-link-after = Zodra een globale beheerder haar goedkeurt, bent u gast van { $destination } en kunt u de directory meteen wijzigen, zonder op een acceptatie te wachten.
review-checked-on-acceptance = Gecontroleerd bij acceptatie:
review-request-button = Verplaatsen van { $name } naar { $destination } aanvragen
review-already-heading = Er wacht al een wijziging
review-already-text = Er kan maar één directorywijziging tegelijk wachten. Annuleer de wachtende wijziging om deze aan te vragen.
review-cancel-pending = De wachtende wijziging annuleren
review-blocked-heading = Er kan nog niets worden gedaan
review-blocked-text = Los op wat de wijziging tegenhoudt (hierboven) en controleer dan opnieuw.
review-back = Terug: een andere directory kiezen
scope-this-subscription = Dit abonnement
kind-personal-account = Persoonlijk account
kind-work-account = Werk- of schoolaccount

result-title = Directory gewijzigd
result-heading = { $name } vertrouwt nu { $destination }
result-changed = De directory is gewijzigd.
result-switched = U werkt nu in { $destination }.
result-removed-heading = Wat is verwijderd
result-nothing = Niets.
result-co-admins = { $count ->
    [one] Eén medebeheerder
   *[other] { $count } medebeheerders
}
result-assignments = { $count ->
    [one] Eén roltoewijzing
   *[other] { $count } roltoewijzingen
}
result-custom-roles = { $count ->
    [one] Eén aangepaste rol
   *[other] { $count } aangepaste rollen
}
result-assignment = { $principal }: { $role } op { $scope }
result-regranted-heading = Opnieuw verleend in { $destination }
result-regranted-co-admin = { $email }: medebeheerder
result-next-heading = Volgende stappen
result-next-before = Voeg medebeheerders en roltoewijzingen toe in { $destination } op de tabbladen
result-next-administrators = Beheerders
result-next-and = en
result-next-access = Toegangsbeheer (IAM)
result-next-after = .
result-switch-text = Wissel naar { $destination } om daar met het abonnement te werken, en voeg dan medebeheerders toe op het tabblad Beheerders.
result-switch-button = Wisselen naar { $destination }
result-waiting-heading = De wijziging wacht op acceptatie
result-waiting-text = Een globale beheerder van { $destination } moet het verplaatsen van { $name } vóór { $until } accepteren. Deze vindt de aanvraag op de overzichtspagina van de directory { $destination }.

cancel-title = { $name } annuleren
cancel-readonly-heading = Het abonnement wordt alleen-lezen
cancel-text-before = Door
cancel-text-after = te annuleren, wordt het uitgeschakeld: de resourcegroepen, resources, roltoewijzingen en beheerders blijven bestaan en kunnen worden gelezen, maar elke wijziging eronder wordt geweigerd totdat het weer is ingeschakeld.
cancel-owners = De eigenaren en de accountbeheerder van het abonnement kunnen het weer inschakelen vanuit het overzicht.
cancel-confirm = Het abonnement annuleren
cancel-keep = Behouden
