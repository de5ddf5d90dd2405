-- Interactions of features merged together (review): each block once failed here.
-- DROP COLUMN takes the expression and partial indexes and the CHECKs that use it.
DROP TABLE IF EXISTS c10_dc;
CREATE TABLE c10_dc (id int PRIMARY KEY, v int, w int, CONSTRAINT c10_dc_vw CHECK (v < w));
CREATE INDEX c10_dc_expr ON c10_dc ((v + 1));
CREATE INDEX c10_dc_part ON c10_dc (w) WHERE v > 1;
INSERT INTO c10_dc VALUES (1, 2, 3);
ALTER TABLE c10_dc DROP COLUMN v;
INSERT INTO c10_dc VALUES (2, 3);
UPDATE c10_dc SET w = w + 10;
SELECT id, w FROM c10_dc WHERE w = 13 ORDER BY id;
SELECT indexname FROM pg_indexes WHERE tablename = 'c10_dc' ORDER BY indexname;
SELECT conname FROM pg_constraint WHERE conrelid = 'c10_dc'::regclass ORDER BY conname;
DELETE FROM c10_dc;
