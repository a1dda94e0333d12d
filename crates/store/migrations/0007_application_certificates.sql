-- Public certificates of applications (client assertions, Entra's keyCredentials): JSON
-- [{"key_id": …, "der": base64}], the rest is read from the certificate. Applications registered
-- before it existed have none.
ALTER TABLE applications ADD COLUMN certificates TEXT NOT NULL DEFAULT '[]';
