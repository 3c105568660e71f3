-- Search through an FTS5 trigram index of customers.search (the terms core computes: folded
-- name, email, phone digits): any substring of three characters or more is found without
-- reading the customers table.
--
-- The index keeps its own copy of the terms under its own stable row ids; customers.search_rowid
-- points at a customer's row there (a customers rowid would not do: VACUUM may renumber the
-- implicit rowids of a table keyed by text).
CREATE VIRTUAL TABLE customers_search USING fts5(search, tokenize = 'trigram');

ALTER TABLE customers ADD COLUMN search_rowid INTEGER;
INSERT INTO customers_search (rowid, search) SELECT rowid, search FROM customers;
UPDATE customers SET search_rowid = rowid;
CREATE UNIQUE INDEX customers_by_search_rowid ON customers (search_rowid);

CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_search (search) VALUES (new.search);
    UPDATE customers SET search_rowid = last_insert_rowid() WHERE id = new.id;
END;

CREATE TRIGGER customers_search_update AFTER UPDATE OF search ON customers
WHEN old.search IS NOT new.search BEGIN
    DELETE FROM customers_search WHERE rowid = old.search_rowid;
    INSERT INTO customers_search (search) VALUES (new.search);
    UPDATE customers SET search_rowid = last_insert_rowid() WHERE id = new.id;
END;

CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customers_search WHERE rowid = old.search_rowid;
END;

-- Server-wide settings, e.g. which version of core's search terms the stored ones follow.
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
