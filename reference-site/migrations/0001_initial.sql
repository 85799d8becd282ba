-- Superlists stages 1 and 2, with the table and column names Django gives them.
CREATE TABLE lists_list (
    id serial PRIMARY KEY
);

CREATE TABLE lists_item (
    id serial PRIMARY KEY,
    text text NOT NULL,
    list_id integer NOT NULL REFERENCES lists_list (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT lists_item_list_id_text_uniq UNIQUE (list_id, text)
);
