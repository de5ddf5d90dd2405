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
-- ROLLBACK TO SAVEPOINT restores SET CONSTRAINTS and the deferred checks: a check that
-- SET CONSTRAINTS … IMMEDIATE ran (and failed) inside the savepoint is pending again.
DROP TABLE IF EXISTS c10_fc;
DROP TABLE IF EXISTS c10_fp;
CREATE TABLE c10_fp (id int PRIMARY KEY);
CREATE TABLE c10_fc (id int PRIMARY KEY, p int REFERENCES c10_fp DEFERRABLE INITIALLY DEFERRED);
BEGIN;
INSERT INTO c10_fc VALUES (1, 99);
SAVEPOINT s;
SET CONSTRAINTS ALL IMMEDIATE;
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT count(*) FROM c10_fc;
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
SAVEPOINT s;
SET CONSTRAINTS ALL DEFERRED;
ROLLBACK TO SAVEPOINT s;
INSERT INTO c10_fc VALUES (2, 98);
ROLLBACK;
BEGIN;
SAVEPOINT s;
INSERT INTO c10_fc VALUES (3, 97);
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT count(*) FROM c10_fc;
-- ON DELETE / ON UPDATE SET DEFAULT computes the child's default (a constant, or nextval).
DROP TABLE IF EXISTS c10_sdc;
DROP TABLE IF EXISTS c10_sdp;
DROP SEQUENCE IF EXISTS c10_sd_seq;
CREATE SEQUENCE c10_sd_seq START 100;
CREATE TABLE c10_sdp (id int PRIMARY KEY);
INSERT INTO c10_sdp VALUES (0), (1), (2), (100), (101);
CREATE TABLE c10_sdc (id int PRIMARY KEY, a int DEFAULT 0 REFERENCES c10_sdp ON DELETE SET DEFAULT, b int DEFAULT nextval('c10_sd_seq') REFERENCES c10_sdp ON UPDATE SET DEFAULT);
INSERT INTO c10_sdc VALUES (1, 1, 2), (2, 0, 0);
DELETE FROM c10_sdp WHERE id = 1;
SELECT id, a, b FROM c10_sdc ORDER BY id;
UPDATE c10_sdp SET id = 3 WHERE id = 2;
SELECT id, a, b FROM c10_sdc ORDER BY id;
-- ROLLBACK TO SAVEPOINT does not give back nextval values, also of a sequence the
-- transaction itself created (its row is in the transaction's own writes).
DROP TABLE IF EXISTS c10_sq;
BEGIN;
CREATE SEQUENCE c10_sq_seq;
CREATE TABLE c10_sq (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
SAVEPOINT a;
SELECT nextval('c10_sq_seq');
INSERT INTO c10_sq (v) VALUES ('x') RETURNING id;
ROLLBACK TO SAVEPOINT a;
SELECT currval('c10_sq_seq');
SELECT nextval('c10_sq_seq');
INSERT INTO c10_sq (v) VALUES ('y') RETURNING id;
COMMIT;
SELECT id, v FROM c10_sq ORDER BY id;
SELECT nextval('c10_sq_seq');
DROP SEQUENCE c10_sq_seq;
