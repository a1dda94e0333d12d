-- Subscription aliases (`Microsoft.Subscription/aliases/{name}`): the name under which a subscription was
-- asked for in a tenant, unique there without case. No reference to the subscription: deleting the alias
-- leaves it, and a subscription that moves to another directory leaves its alias behind, as in Azure.
CREATE TABLE subscription_aliases (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    -- Lowercase name: the key.
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    workload TEXT NOT NULL,
    billing_scope TEXT,
    management_group_id TEXT,
    created_by TEXT,
    created BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name_key)
);
