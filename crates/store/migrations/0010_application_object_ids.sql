-- An application object and its service principal have different object ids, as in Entra: `id` stays
-- the service principal's (role assignments name it), `object_id` is the application object's
-- (Graph's /applications/{id}). A managed identity has no application object (NULL). Applications
-- registered before keep the id they shared, so the addresses clients already hold stay valid.
ALTER TABLE applications ADD COLUMN object_id TEXT;
UPDATE applications SET object_id = id WHERE managed_identity IS NULL;
