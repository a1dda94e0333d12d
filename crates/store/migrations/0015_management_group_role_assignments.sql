-- Role assignments at management groups (group name) and at the root scope ('/'), kept with the
-- tenant's hierarchy. A principal that goes takes its rows along, as its other tenant rows.
CREATE TABLE management_group_role_assignments (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    management_group TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    role_definition_id TEXT NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX management_group_role_assignments_principal
    ON management_group_role_assignments (tenant_id, principal_id);
