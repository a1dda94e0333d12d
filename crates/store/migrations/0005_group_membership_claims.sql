-- Entra's groupMembershipClaims of an application ("None", "SecurityGroup" or "All"): whether the
-- tokens it asks for carry a groups claim. Applications registered before it existed ask for none.
ALTER TABLE applications ADD COLUMN group_membership_claims TEXT NOT NULL DEFAULT 'None';
