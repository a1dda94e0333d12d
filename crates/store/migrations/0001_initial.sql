-- tenantry's schema, one file for SQLite and PostgreSQL.
-- Portable on purpose: TEXT for ids (lowercase hyphenated GUIDs) and JSON, BIGINT for unix seconds and
-- 0/1 flags, keys made by the application (no AUTOINCREMENT/IDENTITY), no backend-specific types.
-- Columns named *_key hold a lowercase form computed by the application: lookups and uniqueness are
-- case-insensitive without ILIKE or collations.

-- The write serialiser and change counter: every write transaction starts by incrementing this one row,
-- which takes a row lock (PostgreSQL) or the write lock (SQLite) until it commits.
CREATE TABLE revision (
    id BIGINT PRIMARY KEY,
    rev BIGINT NOT NULL
);
INSERT INTO revision (id, rev) VALUES (1, 0);

-- The partitions each revision touched: other instances reload exactly these.
CREATE TABLE changes (
    rev BIGINT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (rev, kind, id)
);

-- ----- personal accounts -----

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    created BIGINT NOT NULL
);

-- ----- tenants and what lives in them -----

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    origin TEXT NOT NULL,
    initial_domain TEXT NOT NULL,
    -- JSON array of the custom domains, in the tenant's order.
    domains TEXT NOT NULL,
    -- JSON SubscriptionPolicy.
    policy TEXT NOT NULL,
    created BIGINT NOT NULL
);

-- Every domain of every tenant (initial and custom), so that a domain belongs to one tenant only.
CREATE TABLE tenant_domains (
    domain_key TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id)
);
CREATE INDEX tenant_domains_tenant ON tenant_domains (tenant_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    display_name TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    -- 1 for members (organizational accounts of this tenant), 0 for guests.
    member BIGINT NOT NULL,
    upn TEXT NOT NULL,
    -- Lowercase UPN of members only (NULL for guests): member UPNs are unique across all tenants, while
    -- a tenant may hold two guest objects for one email (a pending invitation and a linked account).
    upn_key TEXT UNIQUE,
    -- Members: their optional mail; guests: the invited email.
    mail TEXT,
    mail_key TEXT,
    -- Members only.
    password_hash TEXT,
    -- Guests only: JSON Identity once redeemed, and the state (pendingAcceptance / accepted).
    guest_home TEXT,
    guest_state TEXT,
    created BIGINT NOT NULL
);
CREATE INDEX users_tenant ON users (tenant_id);
CREATE INDEX users_mail ON users (mail_key);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    client_id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    -- JSON [ClientSecret]: hashes only.
    secrets TEXT NOT NULL,
    -- JSON [String].
    redirect_uris TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX applications_tenant ON applications (tenant_id);

CREATE TABLE directory_role_members (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    -- The role's template id (Entra's well-known GUID).
    role TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, role, principal_id)
);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    email TEXT NOT NULL,
    guest_id TEXT NOT NULL,
    invited_by TEXT,
    status TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX invitations_tenant ON invitations (tenant_id);

CREATE TABLE link_requests (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    subscription_id TEXT NOT NULL,
    -- JSON Identity.
    requester TEXT NOT NULL,
    status TEXT NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    decided_by TEXT
);
CREATE INDEX link_requests_tenant ON link_requests (tenant_id);

-- ----- subscriptions and what lives in them -----

CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    state TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    -- JSON Identity, Identity and [Identity].
    account_admin TEXT NOT NULL,
    service_admin TEXT NOT NULL,
    co_admins TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX subscriptions_tenant ON subscriptions (tenant_id);

CREATE TABLE resource_groups (
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    location TEXT NOT NULL,
    -- JSON object of tags.
    tags TEXT NOT NULL,
    managed_by TEXT,
    created BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, name_key)
);

CREATE TABLE resources (
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    scope_key TEXT NOT NULL,
    scope TEXT NOT NULL,
    location TEXT,
    kind TEXT,
    tags TEXT NOT NULL,
    -- JSON, kept as given.
    properties TEXT NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, scope_key)
);

-- Custom roles only: built-in roles are code. Keyed like the world keys them: by id within a subscription.
CREATE TABLE role_definitions (
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    -- JSON [Permission] and [String].
    permissions TEXT NOT NULL,
    assignable_scopes TEXT NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, id)
);

-- Keyed by (subscription, id) as the world keys them. That key also serves every bulk statement: the
-- deletes of a change of directory (`subscription_id = $1 AND id IN (...)`) are primary-key lookups,
-- where with a key on `id` alone the planners (without statistics) would scan by subscription instead.
-- No foreign keys: role definitions may be built-in (not stored), and a per-row check against
-- subscriptions would slow the 100k-row writes for no gain (the rules never write an orphan).
CREATE TABLE role_assignments (
    subscription_id TEXT NOT NULL,
    id TEXT NOT NULL,
    scope TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    role_definition_id TEXT NOT NULL,
    description TEXT,
    created BIGINT NOT NULL,
    created_by TEXT,
    PRIMARY KEY (subscription_id, id)
);
-- Reads by subscription use the primary key's prefix. Deliberately no index on (subscription,
-- principal): nothing reads the database by principal (the world in memory keeps that index), and
-- maintaining one doubled the time of bulk inserts (measured on both backends).

CREATE TABLE change_requests (
    subscription_id TEXT PRIMARY KEY REFERENCES subscriptions (id),
    source_tenant_id TEXT NOT NULL,
    destination_tenant_id TEXT NOT NULL,
    destination_owner TEXT,
    -- JSON [PrincipalMapEntry] and Identity.
    principal_map TEXT NOT NULL,
    initiator TEXT NOT NULL,
    status TEXT NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL
);

-- ----- audit -----

CREATE TABLE audit_events (
    -- UUIDv7: sorts by time.
    id TEXT PRIMARY KEY,
    time BIGINT NOT NULL,
    actor TEXT NOT NULL,
    actor_key TEXT NOT NULL,
    actor_id TEXT,
    tenant_id TEXT,
    subscription_id TEXT,
    operation TEXT NOT NULL,
    target TEXT NOT NULL,
    -- JSON, never a secret.
    details TEXT NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (time);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, time);
CREATE INDEX audit_events_subscription ON audit_events (subscription_id, time);
CREATE INDEX audit_events_actor ON audit_events (actor_key);

-- ----- sign-in service (used by later work; created now so the schema is settled) -----

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    -- The private key, encrypted by the application.
    sealed_private_key TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    retired BIGINT NOT NULL
);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    -- Rotation family: reuse of a used token revokes the whole family.
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    identity TEXT NOT NULL,
    client_id TEXT NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    used BIGINT NOT NULL,
    revoked BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE auth_codes (
    code_hash TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires BIGINT NOT NULL,
    used BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    data TEXT NOT NULL
);

CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    last_failure BIGINT NOT NULL
);

CREATE TABLE support_requests (
    id TEXT PRIMARY KEY,
    requester TEXT NOT NULL,
    tenant_id TEXT,
    subscription_id TEXT,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    created BIGINT NOT NULL
);
