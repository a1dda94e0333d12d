-- The audit log's hash chain (tenantry_domain::audit_chain): each event's position in commit order,
-- the previous event's hash and its own (64 hex digits). Events written before this migration are
-- chained, oldest first, when a store first opens the database after it (Store::open): SQL has no
-- portable SHA-256. Until then they have no position.
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq);
-- The chain's tip, on the row every writer locks first, so writers of every instance append in commit
-- order: how many events it holds (-1: the events before this migration are not chained yet) and the
-- last one's hash.
ALTER TABLE revision ADD COLUMN audit_count BIGINT NOT NULL DEFAULT -1;
ALTER TABLE revision ADD COLUMN audit_tip TEXT NOT NULL DEFAULT '';
