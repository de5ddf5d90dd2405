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
