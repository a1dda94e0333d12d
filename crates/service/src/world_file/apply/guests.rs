//! Redeemed guests: a personal account or another tenant's user, present in a tenant.

use super::*;

impl Planner<'_> {
    pub(super) fn guests(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        for (i, t) in file.tenants.iter().enumerate() {
            let tenant = self.tenants[i].id;
            for (j, g) in t.guests.iter().enumerate() {
                let at = at(g, format!("tenants[{i}].guests[{j}] (email {:?})", g.email));
                let id = self.guest(tenant, g, &at)?;
                self.tenants[i].guests.push(id);
                self.tick();
            }
        }
        Ok(())
    }

    /// The identity a guest entry's email names: the personal account or another tenant's member.
    pub(super) fn guest_identity(
        &self,
        tenant: TenantId,
        e: &GuestEntry,
    ) -> Result<Identity, String> {
        let email = typed(&e.email);
        let m = self.w.email_matches(email);
        if m.organizational.iter().any(|(t, _)| *t == tenant) {
            return Err(format!(
                "{email:?} is a member of this directory: members cannot be its guests"
            ));
        }
        let personal = m.personal.map(|account| Identity::Personal { account });
        let org: Vec<Identity> = m
            .organizational
            .iter()
            .map(|(t, u)| Identity::Organizational {
                tenant: *t,
                user: *u,
            })
            .collect();
        let one_org = || match org.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("no work or school account has the email {email:?}")),
            _ => Err(format!(
                "several work or school accounts have the email {email:?}: name the guest by its UPN"
            )),
        };
        match e.account_type {
            Some(AccountKind::Personal) => {
                personal.ok_or_else(|| format!("no personal account has the email {email:?}"))
            }
            Some(AccountKind::Organizational) => one_org(),
            None => match (personal, org.is_empty()) {
                (Some(p), true) => Ok(p),
                (None, false) => one_org(),
                (Some(_), false) => Err(format!(
                    "{email:?} is both a personal (Microsoft) account and a work or school account: say which with account_type = \"personal\" or \"organizational\""
                )),
                (None, true) => Err(format!(
                    "no personal account and no work or school account has the email {email:?}: define it in personal_accounts or in another tenant's users"
                )),
            },
        }
    }

    pub(super) fn guest(
        &mut self,
        tenant: TenantId,
        e: &GuestEntry,
        at: &At,
    ) -> Result<ObjectId, WorldFileError> {
        let identity = self.guest_identity(tenant, e).map_err(|m| at.err(m))?;
        let part = planned_tenant(&self.w, tenant)?;
        if let Some(object) = self.w.presence(identity, tenant) {
            let u = &part.users[&object];
            if let Some(id) = e.id
                && id != object
            {
                return Err(at.err(differs("id", object.to_string(), id.to_string())));
            }
            if let Some(d) = &e.display_name
                && !d.is_empty()
                && *d != u.display_name
            {
                return Err(at.err(differs("display_name", &u.display_name, d)));
            }
            if let Some(en) = e.enabled
                && en != u.enabled
            {
                return Err(at.err(differs("enabled", u.enabled, en)));
            }
            return Ok(object);
        }
        let change = redeemed_guest(&self.w, part, identity, e, self.now).map_err(|m| at.err(m))?;
        let id = change
            .mutations
            .iter()
            .find_map(|m| match m {
                Mutation::PutUser(u) => Some(u.id),
                _ => None,
            })
            .ok_or_else(|| at.err("The guest rule made no guest (a bug in tenantry)."))?;
        self.commit(change);
        Ok(id)
    }
}

/// A redeemed guest of `part` for `identity`, as the world file describes it (the rule the article's
/// end state needs: no invitation round trip). A pending guest object with the same email is redeemed
/// in place, with its invitation.
pub(super) fn redeemed_guest(
    world: &World,
    part: &TenantPart,
    identity: Identity,
    e: &GuestEntry,
    now: Timestamp,
) -> Result<Change, String> {
    let email = typed(&e.email);
    let pending = part.users.values().find(|u| {
        matches!(&u.kind, UserKind::Guest { state: GuestState::PendingAcceptance, email: m, .. } if m.eq_ignore_ascii_case(email))
    });
    let id = match (pending, e.id) {
        (Some(p), Some(id)) if p.id != id => {
            return Err(format!(
                "a pending guest with this email exists with the id {}, but the file says {id}",
                p.id
            ));
        }
        (Some(p), _) => p.id,
        (None, Some(id)) => {
            if world.tenant_of_object(id).is_some() {
                return Err(format!("an object with the id {id} exists already"));
            }
            id
        }
        (None, None) => ObjectId::new(),
    };
    let home_name = match identity {
        Identity::Personal { account } => world.account(account).map(|a| a.display_name.clone()),
        Identity::Organizational { user, .. } => world.user(user).map(|u| u.display_name.clone()),
    };
    if let Some(name) = &e.display_name {
        rules::names::require_name("display_name", name).map_err(|x| x.to_string())?;
    }
    let display_name = e
        .display_name
        .clone()
        .filter(|d| !d.is_empty())
        .or(home_name)
        .unwrap_or_else(|| email.to_string());
    let guest = User {
        given_name: None,
        surname: None,
        id,
        tenant: part.tenant.id,
        display_name,
        enabled: e.enabled.unwrap_or(true),
        kind: UserKind::Guest {
            email: email.to_string(),
            upn: pending
                .map(|p| p.upn().to_string())
                .unwrap_or_else(|| rules::guest_upn(email, &part.tenant)),
            home: Some(identity),
            state: GuestState::Accepted,
        },
        created: pending.map(|p| p.created).unwrap_or(now),
    };
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(OP, now, "microsoft.directory/users/create", guest.upn())
            .tenant(part.tenant.id)
            .details(serde_json::json!({"id": id, "userType": "Guest", "email": email, "redeemed": true})),
    );
    change.push(Mutation::PutUser(guest));
    for inv in part.invitations.values().filter(|i| i.guest == id) {
        let mut done = inv.clone();
        done.status = RequestStatus::Completed;
        change.push(Mutation::PutInvitation(done));
    }
    Ok(change)
}
