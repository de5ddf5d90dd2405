-- Row constructors: comparisons (three-valued, lexicographic), IN lists, whole-row values.
DROP TABLE IF EXISTS c8_r;
CREATE TABLE c8_r (id int PRIMARY KEY, v text);
INSERT INTO c8_r VALUES (1, 'a'), (2, 'b c'), (3, NULL);
SELECT ROW(1, 'a');
SELECT (1, 'a') = (1, 'a'), (1, NULL) = (1, 2), (1, NULL) = (2, 2), (1, 2) <> (1, 3);
SELECT * FROM c8_r WHERE (id, v) = (1, 'a');
SELECT * FROM c8_r WHERE (id, v) IN ((1, 'a'), (2, 'x')) ORDER BY id;
SELECT * FROM c8_r WHERE (id, v) NOT IN ((1, 'a'), (2, 'x')) ORDER BY id;
SELECT id, (id, v) < (2, 'a'), (id, v) <= (2, 'b c'), (id, v) > (1, 'a'), (id, v) >= (3, NULL) FROM c8_r ORDER BY id;
SELECT ROW(id, v), ROW(id, v, NULL, '') FROM c8_r ORDER BY id;
SELECT c8_r::text FROM c8_r ORDER BY id;
SELECT r.*, r::text, length(r::text) FROM c8_r r ORDER BY id;
SELECT (1, 2) IS DISTINCT FROM (1, NULL), (1, NULL) IS NOT DISTINCT FROM (1, NULL);
SELECT (1, 2) NOT IN ((1, 3), (2, 2));
SELECT (1, 2, 3) = (1, 2);
SELECT ROW(1.5::numeric, true, '{1,2}'::int[], 'x"y', 'back\slash', '(p)');
SELECT (1, 2) < (1, 2), (1, 2) <= (1, 2), (2, NULL) > (1, 5), (1, NULL) > (1, 5);
DROP TABLE c8_r;
