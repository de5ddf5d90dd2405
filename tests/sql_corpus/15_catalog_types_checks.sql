-- Domains as regtype, CHECK constraints as pg_get_constraintdef prints them, and the
-- order in which ALTER TABLE runs its subcommands.
DROP DOMAIN IF EXISTS c15_pos;
CREATE DOMAIN c15_pos AS int CHECK (VALUE > 0);
SELECT 'c15_pos'::regtype::text, to_regtype('c15_pos')::text, format_type('c15_pos'::regtype, -1), format_type(to_regtype('c15_pos'), NULL), 'public.c15_pos'::regtype::text;
SELECT 'c15_pos'::regtype = (SELECT oid FROM pg_type WHERE typname = 'c15_pos'), to_regtype('public.c15_pos') = 'c15_pos'::regtype, 'c15_pos'::regtype::oid <> 'int4'::regtype::oid, 'c15_pos'::text::regtype = 'c15_pos'::regtype;
SELECT t.typname, t.typtype, t.typbasetype::regtype::text FROM pg_type t WHERE t.oid = 'c15_pos'::regtype;
SELECT t.typname FROM pg_type t WHERE t.oid = to_regtype('c15_pos');
DROP DOMAIN c15_pos;
SELECT to_regtype('c15_pos');
DROP TABLE IF EXISTS c15_ck;
CREATE TABLE c15_ck (a int, b text, f boolean, n numeric, CONSTRAINT k01 CHECK (a > 0 AND a < 10), CONSTRAINT k02 CHECK (a IN (1, 2, 3) OR b IS NULL), CONSTRAINT k03 CHECK (length(b) > 2), CONSTRAINT k04 CHECK (b::int > 1), CONSTRAINT k05 CHECK (NOT (a = 5)), CONSTRAINT k06 CHECK (a BETWEEN 1 AND 5), CONSTRAINT k07 CHECK (b LIKE 'x%'), CONSTRAINT k08 CHECK (a + 1 * 2 > 0), CONSTRAINT k09 CHECK (b IS NOT NULL), CONSTRAINT k10 CHECK (coalesce(a, 0) >= 0), CONSTRAINT k11 CHECK (a <> ALL (ARRAY[7, 8])), CONSTRAINT k12 CHECK (-a < 0), CONSTRAINT k13 CHECK (a IS DISTINCT FROM 4), CONSTRAINT k14 CHECK (f), CONSTRAINT k15 CHECK (NOT f OR a > -1), CONSTRAINT k16 CHECK (a NOT IN (4, 5)), CONSTRAINT k17 CHECK (n > 1.5 AND n < -2.5 OR n IS NULL), CONSTRAINT k18 CHECK ((a - 1) - (a - 2) * 3 <> 0), CONSTRAINT k19 CHECK (a NOT BETWEEN 20 AND 30), CONSTRAINT k20 CHECK (b NOT ILIKE 'y%' AND b <> 'z'), CONSTRAINT k21 CHECK (f IS NOT TRUE OR (a + 1)::text <> ''), CONSTRAINT k22 CHECK (upper(b) = lower(b) AND a IS NOT NULL AND f), CONSTRAINT k24 CHECK (a = '7'::int OR a = '-8'::int OR a = 3000000000), CONSTRAINT k25 CHECK (greatest(a, 1) < 100 AND nullif(a, 3) <> 2));
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'c15_ck'::regclass ORDER BY conname;
SELECT conname, pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conrelid = 'c15_ck'::regclass ORDER BY conname;
SELECT constraint_name, check_clause FROM information_schema.check_constraints WHERE constraint_name IN ('k01', 'k05', 'k14', 'k16') ORDER BY 1;
DROP TABLE c15_ck;
