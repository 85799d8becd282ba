-- Superlists stage 1 on SQLite, with the table and column names Django gives them (as Django's
-- SQLite backend writes them: integer primary keys that autoincrement).
CREATE TABLE lists_list (
    id integer NOT NULL PRIMARY KEY AUTOINCREMENT
);

CREATE TABLE lists_item (
    id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    text text NOT NULL,
    list_id integer NOT NULL REFERENCES lists_list (id) DEFERRABLE INITIALLY DEFERRED
);
