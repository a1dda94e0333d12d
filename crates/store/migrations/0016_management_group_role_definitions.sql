-- Custom roles at home in a management group: the directory's, kept with its hierarchy (a
-- subscription's custom roles stay in role_definitions). The group is the one their assignable scopes
-- name.
CREATE TABLE management_group_role_definitions (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    permissions TEXT NOT NULL,
    assignable_scopes TEXT NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
