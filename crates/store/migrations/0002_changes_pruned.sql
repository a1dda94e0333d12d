-- The change feed is trimmed: rows of revisions up to `pruned_through` are gone. An instance that knows
-- a revision older than that cannot catch up from the feed and reloads the whole world instead.
ALTER TABLE revision ADD COLUMN pruned_through BIGINT NOT NULL DEFAULT 0;
