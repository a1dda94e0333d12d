//! Tenants, their members and applications (with their client secrets and certificates).

use super::*;

impl Planner<'_> {
    pub(super) fn tenants(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        for (i, e) in file.tenants.iter().enumerate() {
            let at_t = at(e, format!("tenants[{i}] (name {:?})", e.name));
            let id = self.tenant(e, &at_t)?;
            self.tick();
            let mut refs = TenantRefs {
                id,
                users: Vec::with_capacity(e.users.len()),
                guests: Vec::with_capacity(e.guests.len()),
                apps: Vec::with_capacity(e.applications.len()),
                groups: Vec::with_capacity(e.groups.len()),
            };
            for (j, u) in e.users.iter().enumerate() {
                let at_u = at(
                    u,
                    format!("tenants[{i}].users[{j}] (user_name {:?})", u.user_name),
                );
                refs.users.push(self.user(id, u, &at_u)?);
                self.tick();
            }
            self.users_done(id);
            for (j, a) in e.applications.iter().enumerate() {
                let at_a = at(
                    a,
                    format!(
                        "tenants[{i}].applications[{j}] (display_name {:?})",
                        a.display_name
                    ),
                );
                let app = self.application(id, a, &at_a)?;
                for (k, c) in a.federated_credentials.iter().enumerate() {
                    let at_c = at(
                        c,
                        format!(
                            "tenants[{i}].applications[{j}].federated_credentials[{k}] (name {:?})",
                            c.name
                        ),
                    );
                    self.federated_credential(id, app, c, &at_c)?;
                }
                refs.apps.push(app);
                self.tick();
            }
            self.tenants.push(refs);
        }
        Ok(())
    }

    pub(super) fn tenant(&mut self, e: &TenantEntry, at: &At) -> Result<TenantId, WorldFileError> {
        let initial_domain = format!("{}.{}", typed(&e.name).to_lowercase(), self.suffix);
        let Some(part) = self.w.tenant_by_name(&e.name) else {
            let (change, id) = directory::create_tenant(
                &self.w,
                OP,
                directory::NewTenant {
                    id: e.id,
                    name: typed(&e.name).to_string(),
                    display_name: e.display_name.clone().unwrap_or_default(),
                    origin: e.origin.unwrap_or_default(),
                    domain_suffix: self.suffix.clone(),
                    domains: e.domains.iter().map(|d| typed(d).to_string()).collect(),
                },
                self.now,
            )
            .map_err(|x| at.domain(x))?;
            self.commit(change);
            return Ok(id);
        };
        let t = &part.tenant;
        if let Some(id) = e.id
            && id != t.id
        {
            return Err(at.err(differs("id", t.id.to_string(), id.to_string())));
        }
        if let Some(d) = &e.display_name
            && !d.is_empty()
            && *d != t.display_name
        {
            return Err(at.err(differs("display_name", &t.display_name, d)));
        }
        if let Some(o) = e.origin
            && o != t.origin
        {
            return Err(at.err(differs("origin", t.origin.as_str(), o.as_str())));
        }
        if !t.initial_domain.eq_ignore_ascii_case(&initial_domain) {
            return Err(at.err(format!(
                "exists with the initial domain {:?}, but the file's domain_suffix makes it {initial_domain:?}",
                t.initial_domain
            )));
        }
        let id = t.id;
        let missing: Vec<String> = e
            .domains
            .iter()
            .filter(|d| !t.has_domain(typed(d)))
            .map(|d| typed(d).to_string())
            .collect();
        for d in missing {
            let change =
                directory::add_domain(&self.w, OP, id, &d, self.now).map_err(|x| at.domain(x))?;
            self.commit(change);
        }
        Ok(id)
    }

    pub(super) fn user(
        &mut self,
        tenant: TenantId,
        e: &UserEntry,
        at: &At,
    ) -> Result<ObjectId, WorldFileError> {
        let secret = password_of(&e.password, &e.password_hash, at)?;
        let part = planned_tenant(&self.w, tenant)?;
        let upn =
            directory::user_principal_name(&part.tenant, &e.user_name).map_err(|x| at.domain(x))?;
        if let Some(u) = self.w.member_by_upn(&upn) {
            if u.tenant != tenant {
                return Err(at.err(format!("{upn:?} is a member of another directory")));
            }
            if let Some(id) = e.id
                && id != u.id
            {
                return Err(at.err(differs("id", u.id.to_string(), id.to_string())));
            }
            if let Some(d) = &e.display_name
                && !d.is_empty()
                && *d != u.display_name
            {
                return Err(at.err(differs("display_name", &u.display_name, d)));
            }
            if let Some(m) = &e.mail
                && Some(m.as_str()) != u.mail()
            {
                return Err(at.err(differs("mail", u.mail(), m)));
            }
            if let Some(en) = e.enabled
                && en != u.enabled
            {
                return Err(at.err(differs("enabled", u.enabled, en)));
            }
            for (key, given, kept) in [
                ("given_name", &e.given_name, &u.given_name),
                ("surname", &e.surname, &u.surname),
            ] {
                if let Some(g) = given
                    && Some(g) != kept.as_ref()
                {
                    return Err(at.err(differs(key, kept, g)));
                }
            }
            if let UserKind::Member { password_hash, .. } = &u.kind
                && !self.secret_matches(&secret, password_hash)
            {
                return Err(at.err("exists with another password"));
            }
            return Ok(u.id);
        }
        // Decided by the rule Graph's POST runs; told by one audit event for the tenant's users
        // (`users_done`, as `assignments_done` tells a subscription's role assignments).
        let user = directory::decide_user(
            &self.w,
            OP,
            tenant,
            directory::NewUser {
                given_name: e.given_name.clone(),
                surname: e.surname.clone(),
                id: e.id,
                user_name: e.user_name.clone(),
                display_name: e.display_name.clone().unwrap_or_default(),
                mail: e.mail.clone(),
                password_hash: self.hash_of(&secret),
                enabled: e.enabled.unwrap_or(true),
            },
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        let id = user.id;
        let change = self.created_users.entry(tenant).or_default().create(user);
        self.commit(change);
        Ok(id)
    }

    /// The application's secrets as (hint, hash, expires); `Err` on a malformed combination.
    pub(super) fn app_secrets(
        &self,
        e: &ApplicationEntry,
        at: &At,
    ) -> Result<Vec<(String, String, Option<i64>)>, WorldFileError> {
        let forms = usize::from(e.client_secret.is_some())
            + usize::from(e.client_secret_hash.is_some())
            + usize::from(!e.secrets.is_empty());
        if forms > 1 {
            return Err(at.err(
                "give one of client_secret, client_secret_hash (with client_secret_hint) or secrets",
            ));
        }
        if e.client_secret_hint.is_some() && e.client_secret_hash.is_none() {
            return Err(at.err("client_secret_hint goes with client_secret_hash"));
        }
        let secrets = if let Some(s) = &e.client_secret {
            vec![(s.chars().take(3).collect(), (self.hash_secret)(s), None)]
        } else if let Some(h) = &e.client_secret_hash {
            vec![(
                e.client_secret_hint.clone().unwrap_or_default(),
                h.clone(),
                None,
            )]
        } else {
            e.secrets
                .iter()
                .map(|s| (s.hint.clone(), s.hash.clone(), s.expires))
                .collect()
        };
        // Hints and hashes are kept as given: names, like every other text of the file.
        for (hint, hash, _) in &secrets {
            rules::names::require_names("secrets", [hint.as_str(), hash.as_str()])
                .map_err(|x| at.domain(x))?;
        }
        Ok(secrets)
    }

    /// The application's certificates, read from PEM; a bad one names its own line. The key id is
    /// the certificate's own (from its SHA-256), so that applying an export again finds the same key.
    fn app_certificates(
        e: &ApplicationEntry,
        at: &At,
    ) -> Result<Vec<(ApplicationCertificate, Option<usize>)>, WorldFileError> {
        e.certificates
            .iter()
            .map(|pem| {
                let at_c = At {
                    line: pem.line.or(at.line),
                    entry: at.entry.clone(),
                };
                ApplicationCertificate::from_pem(uuid::Uuid::nil(), &pem.value)
                    .map(|c| (c.with_own_key_id(), pem.line))
                    .map_err(|x| at_c.err(format!("certificates: {x}")))
            })
            .collect()
    }

    /// A federated credential of an application: added when the application has none of that name;
    /// one of that name must say the same.
    pub(super) fn federated_credential(
        &mut self,
        tenant: TenantId,
        app: ObjectId,
        e: &FederatedCredentialEntry,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let existing = planned_tenant(&self.w, tenant)?
            .applications
            .get(&app)
            .and_then(|a| federated::credential(a, &e.name));
        if let Some(c) = existing {
            let audiences = e
                .audiences
                .clone()
                .unwrap_or_else(|| vec![federated::TOKEN_EXCHANGE_AUDIENCE.to_string()]);
            for (what, world, file) in [
                ("issuer", &c.issuer, &e.issuer),
                ("subject", &c.subject, &e.subject),
            ] {
                if world != file {
                    return Err(at.err(differs(what, world, file)));
                }
            }
            if c.audiences != audiences {
                return Err(at.err(differs("audiences", &c.audiences, &audiences)));
            }
            if let Some(id) = e.id
                && id != c.id
            {
                return Err(at.err(differs("id", c.id.to_string(), id.to_string())));
            }
            return Ok(());
        }
        let (change, _) = federated::add_federated_credential(
            &self.w,
            OP,
            tenant,
            app,
            federated::NewFederatedCredential {
                id: e.id,
                name: e.name.clone(),
                issuer: e.issuer.clone(),
                subject: e.subject.clone(),
                audiences: e.audiences.clone(),
                description: e.description.clone(),
            },
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(())
    }

    pub(super) fn application(
        &mut self,
        tenant: TenantId,
        e: &ApplicationEntry,
        at: &At,
    ) -> Result<ObjectId, WorldFileError> {
        let existing = match e.client_id {
            Some(cid) => self.w.application_by_client_id(cid),
            None => {
                let part = planned_tenant(&self.w, tenant)?;
                let mut same_name = part
                    .applications
                    .values()
                    .filter(|a| a.display_name == e.display_name);
                let first = same_name.next();
                if first.is_some() && same_name.next().is_some() {
                    return Err(at.err(
                        "several applications of the directory have this display name: give its client_id",
                    ));
                }
                first
            }
        };
        if let Some(a) = existing {
            if a.tenant != tenant {
                return Err(at.err(format!(
                    "the client_id {} belongs to an application of another directory",
                    a.client_id
                )));
            }
            if a.display_name != e.display_name {
                return Err(at.err(differs("display_name", &a.display_name, &e.display_name)));
            }
            if let Some(id) = e.id
                && id != a.id
            {
                return Err(at.err(differs("id", a.id.to_string(), id.to_string())));
            }
            if let Some(o) = e.application_object_id
                && Some(o) != a.object_id
            {
                return Err(at.err(differs(
                    "application_object_id",
                    a.object_id.map(|x| x.to_string()).unwrap_or_default(),
                    o.to_string(),
                )));
            }
            if !e.redirect_uris.is_empty() && e.redirect_uris != a.redirect_uris {
                return Err(at.err(differs("redirect_uris", &a.redirect_uris, &e.redirect_uris)));
            }
            if let Some(g) = e.group_membership_claims
                && g != a.group_membership_claims
            {
                return Err(at.err(differs(
                    "group_membership_claims",
                    a.group_membership_claims.as_str(),
                    g.as_str(),
                )));
            }
            for (c, line) in Self::app_certificates(e, at)? {
                if !a.certificates.iter().any(|x| x.sha1 == c.sha1) {
                    return Err(At {
                        line: line.or(at.line),
                        entry: at.entry.clone(),
                    }
                    .err(format!(
                        "exists without the certificate {} (thumbprint {})",
                        c.display_name,
                        c.thumbprint()
                    )));
                }
            }
            if let Some(s) = &e.client_secret {
                if !a.secrets.iter().any(|x| (self.verify)(s, &x.hash)) {
                    return Err(at.err("exists without this client_secret"));
                }
            } else if let Some(h) = &e.client_secret_hash {
                if !a.secrets.iter().any(|x| x.hash == *h) {
                    return Err(at.err("exists without this client_secret_hash"));
                }
            } else {
                for s in &e.secrets {
                    if !a.secrets.iter().any(|x| x.hash == s.hash) {
                        return Err(at.err(format!(
                            "exists without the secret whose hint is {:?}",
                            s.hint
                        )));
                    }
                }
            }
            return Ok(a.id);
        }
        let secrets = self.app_secrets(e, at)?;
        let certificates = Self::app_certificates(e, at)?;
        let (mut change, id) = directory::create_application(
            &self.w,
            OP,
            tenant,
            directory::NewApplication {
                id: e.id,
                object_id: e.application_object_id,
                client_id: e.client_id,
                display_name: e.display_name.clone(),
                secret_hashes: secrets
                    .iter()
                    .map(|(hint, hash, _)| (hint.clone(), hash.clone()))
                    .collect(),
                certificates: certificates.into_iter().map(|(c, _)| c).collect(),
                redirect_uris: e.redirect_uris.clone(),
                group_membership_claims: e.group_membership_claims.unwrap_or_default(),
            },
            self.now,
        )
        .map_err(|x| at.domain(x))?;
        for m in &mut change.mutations {
            if let Mutation::PutApplication(app) = m {
                for (s, (_, _, expires)) in app.secrets.iter_mut().zip(&secrets) {
                    s.expires = *expires;
                }
            }
        }
        self.commit(change);
        Ok(id)
    }
}

impl Planner<'_> {
    /// The one audit event for the users the file created in `tenant`, after its last one (why one:
    /// `rules::access::BulkAssignments`).
    pub(super) fn users_done(&mut self, tenant: TenantId) {
        if let Some(created) = self.created_users.remove(&tenant) {
            let change = created.told(&self.w, OP, tenant, self.file_digest, self.now);
            self.commit(change);
        }
    }
}
