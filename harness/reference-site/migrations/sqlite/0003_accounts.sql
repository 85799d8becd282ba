-- Superlists stage 3 (accounts, my lists, sharing) on SQLite, with Django's table and column names;
-- the same tables as ../0003_accounts.sql. Times are ISO 8601 text in UTC.
CREATE TABLE accounts_user (
    email varchar(254) NOT NULL PRIMARY KEY
);

CREATE TABLE accounts_token (
    id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    email varchar(254) NOT NULL,
    uid varchar(255) NOT NULL
);
CREATE INDEX accounts_token_uid ON accounts_token (uid);

ALTER TABLE lists_list
    ADD COLUMN owner_id varchar(254) NULL
    REFERENCES accounts_user (email) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX lists_list_owner_id ON lists_list (owner_id);

CREATE TABLE lists_list_shared_with (
    id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    list_id integer NOT NULL REFERENCES lists_list (id) DEFERRABLE INITIALLY DEFERRED,
    user_id varchar(254) NOT NULL REFERENCES accounts_user (email) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT lists_list_shared_with_list_id_user_id_uniq UNIQUE (list_id, user_id)
);
CREATE INDEX lists_list_shared_with_user_id ON lists_list_shared_with (user_id);

CREATE TABLE django_session (
    session_key varchar(40) NOT NULL PRIMARY KEY,
    session_data text NOT NULL,
    expire_date datetime NOT NULL
);
CREATE INDEX django_session_expire_date ON django_session (expire_date);
