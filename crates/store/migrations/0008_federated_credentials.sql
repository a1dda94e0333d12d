-- An application's federated identity credentials (JSON [FederatedCredential]: name, issuer, subject,
-- audiences, description), kept with it as its secrets are. Applications registered before have none.
ALTER TABLE applications ADD COLUMN federated_credentials TEXT NOT NULL DEFAULT '[]';
