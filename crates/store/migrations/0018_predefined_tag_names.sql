-- A subscription's predefined tag names with their predefined values (a JSON object of name to a
-- list of values). Subscriptions made before have none.
ALTER TABLE subscriptions ADD COLUMN tag_names TEXT NOT NULL DEFAULT '{}';
