-- Managed identities. A service principal that is one names its resource (JSON ManagedIdentityOf:
-- the resource id and whether it is user- or system-assigned); a resource keeps the identities its
-- `identity` block asked for (JSON ResourceIdentity). Both are NULL otherwise.
ALTER TABLE applications ADD COLUMN managed_identity TEXT;
ALTER TABLE resources ADD COLUMN identity TEXT;
