-- Security groups of a tenant, their direct members and their owners. The transitive membership that
-- authorization uses is derived in memory from these rows; only direct memberships are stored.
CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    display_name TEXT NOT NULL,
    -- Lowercase display name: unique in the tenant, as world files and principal maps name groups by it.
    name_key TEXT NOT NULL,
    description TEXT,
    mail_nickname TEXT NOT NULL,
    security_enabled BIGINT NOT NULL,
    -- Entra's isAssignableToRole, set at creation.
    role_assignable BIGINT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE (tenant_id, name_key)
);

-- One row per direct membership: adding a member to a big group writes one row. A member is a user,
-- a service principal or another group of the same tenant.
CREATE TABLE group_members (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    group_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, group_id, member_id)
);
-- Deleting a principal removes its memberships: found by member.
CREATE INDEX group_members_member ON group_members (tenant_id, member_id);

CREATE TABLE group_owners (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    group_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, group_id, owner_id)
);
CREATE INDEX group_owners_owner ON group_owners (tenant_id, owner_id);
