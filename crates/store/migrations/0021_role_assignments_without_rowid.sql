-- SQLite only (PostgreSQL records this version and changes nothing: its tables are heaps beside their
-- indexes either way).
--
-- The role assignments stored in their primary key's order, without a rowid. With one, every row lived
-- twice: in the table by rowid and in the primary key's index, and a change of directory's delete of a
-- subscription's 4,000 assignments rewrote the pages of both and wrote them all to the log at commit.
-- Without it, the rows of a subscription sit together in one tree: measured at a million assignments,
-- the delete and its commit take about half the time, the file is smaller, and the start-up's read of
-- a subscription's assignments is one range of that tree.
CREATE TABLE role_assignments_by_key (
    subscription_id TEXT NOT NULL,
    id TEXT NOT NULL,
    scope TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    role_definition_id TEXT NOT NULL,
    description TEXT,
    created BIGINT NOT NULL,
    created_by TEXT,
    PRIMARY KEY (subscription_id, id)
) WITHOUT ROWID;

INSERT INTO role_assignments_by_key
    (subscription_id, id, scope, principal_id, principal_type, role_definition_id, description,
     created, created_by)
SELECT subscription_id, id, scope, principal_id, principal_type, role_definition_id, description,
       created, created_by
FROM role_assignments;

DROP TABLE role_assignments;

ALTER TABLE role_assignments_by_key RENAME TO role_assignments;
