-- Superlists stage 2 (validation): an item's text is unique within its list, as Django's
-- unique_together = ('list', 'text') makes it. The site relies on this constraint to refuse a
-- duplicate item, so a release running without this migration accepts duplicates.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'lists_item_list_id_text_uniq') THEN
        ALTER TABLE lists_item ADD CONSTRAINT lists_item_list_id_text_uniq UNIQUE (list_id, text);
    END IF;
END
$$;
