-- Superlists stage 1, with the table and column names Django gives them.
CREATE TABLE lists_list (
    id serial PRIMARY KEY
);

CREATE TABLE lists_item (
    id serial PRIMARY KEY,
    text text NOT NULL,
    list_id integer NOT NULL REFERENCES lists_list (id) DEFERRABLE INITIALLY DEFERRED
);
