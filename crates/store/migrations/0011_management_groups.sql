-- Management groups of a tenant. The tenant root group (named by the tenant id) has a row only once
-- renamed; a group without a parent hangs directly under the root.
CREATE TABLE management_groups (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    -- Lowercase name: ARM compares group ids without case.
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    -- The parent group's name; NULL under the root.
    parent TEXT,
    updated BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name_key)
);

-- Subscriptions placed under a group other than the root (the others are under the root). Kept with the
-- tenant's hierarchy: a subscription that changes directory loses its row in the same transaction.
CREATE TABLE management_group_subscriptions (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    subscription_id TEXT NOT NULL,
    management_group TEXT NOT NULL,
    PRIMARY KEY (tenant_id, subscription_id)
);
