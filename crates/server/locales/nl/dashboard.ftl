# Het dashboard (templates/portal/dashboard.html, my_requests.html) en de directorywisselaar.

dashboard-title = Dashboard
welcome-name = Welkom, { $name }
welcome = Welkom
signed-in-as = Aangemeld als { $email }
signed-in-as-kind = Aangemeld als { $email }, uw { $kind }
invitations-heading = Uitnodigingen voor u
invitation-join = Lid worden van { $directory }
invitation-as = (uitgenodigd als { $email })
link-requests-heading = Aanvragen die op uw goedkeuring wachten
link-request-asks = { $requester } vraagt om { $directory } toe te voegen
link-request-for = voor het abonnement { $subscription }
my-requests-heading = Uw aanvragen die op goedkeuring wachten
my-request-use = { $directory } gebruiken
my-request-for = voor het abonnement { $subscription }, tot { $expires }
my-subscriptions-heading = Mijn abonnementen
no-subscriptions = U hebt geen toegang tot een abonnement. De servicebeheerder of een medebeheerder van een abonnement kan u als medebeheerder toevoegen, of een eigenaar kan u er een rol op toewijzen.
col-directory-trusted = Vertrouwde directory
col-my-access = Mijn toegang
my-directories-heading = Mijn directory's
switched-title = Van directory gewisseld
switched-message = U werkt nu in { $directory }.
