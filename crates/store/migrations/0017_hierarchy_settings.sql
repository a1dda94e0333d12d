-- A tenant's hierarchy settings (kept at its root management group), once written; a tenant without a
-- row has Azure's defaults: any member may create a group under the root, and new subscriptions land
-- under the root.
CREATE TABLE hierarchy_settings (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    require_authorization_for_group_creation BIGINT NOT NULL,
    -- The name of the group new subscriptions land under; NULL for the root.
    default_management_group TEXT,
    updated BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id)
);
