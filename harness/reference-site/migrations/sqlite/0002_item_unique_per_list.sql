-- Superlists stage 2 (validation) on SQLite: an item's text is unique within its list, as Django's
-- unique_together = ('list', 'text') makes it (Django's SQLite backend: a unique index).
CREATE UNIQUE INDEX IF NOT EXISTS lists_item_list_id_text_uniq ON lists_item (list_id, text);
