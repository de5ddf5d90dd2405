"""Virtual tables: ``sys.jobs`` and the parts of ``pg_catalog`` and ``information_schema``
that clients read, computed from the transaction's catalog when a query scans them.

Why virtual?
    tidesql's catalog is a handful of JSON definitions (``catalog.py``); PostgreSQL's is
    some sixty tables. Rather than keep two copies in step, every table here is a
    function of the :class:`~tidesql.sql.catalog.Catalog` of the reading transaction: a
    scan calls the table's *producer*, which derives the rows. psql's ``\\d`` therefore
    sees exactly the schema its snapshot sees, DDL has no second write path, and nothing
    is stored.

How is a table declared?
    With its PostgreSQL 16 column list, spelled ``name:typname`` as ``\\d`` would show it,
    constant column values (``defaults``), and a producer ``(CatalogView) -> rows`` that
    yields one dict per row holding the columns that vary. Columns neither given nor
    defaulted are NULL. Tables no client needs rows from (pg_inherits, pg_policy, …)
    have no producer: they are empty, but exist with the right columns so that psql's
    and SQLAlchemy's queries bind. The registry ``REGISTRY`` maps (schema, name) to the
    table; the planner finds tables through :class:`VirtualTables`.

Which OIDs?
    * user objects keep their catalog OIDs (16384 and up): tables, views, schemas,
      indexes (the primary key's too) and constraints;
    * CHECK constraints and column defaults have no OID in the catalog; they get
      synthetic ones above 2³¹ (``_CHECK_OID_BASE``, ``_ATTRDEF_OID_BASE``) — unique, but
      meaningful only within one catalog version;
    * built-in objects have PostgreSQL's OIDs: pg_class is 1259, int4 is 23, pg_catalog
      is namespace 11, the bootstrap superuser (tidesql's ``admin``) is role 10;
    * the input/output functions that pg_type names (``int4in``…) get OIDs from 8000 up
      in a small function table (``PROCS``), so regproc columns print names;
    * roles have no OID in tidesql: other than ``admin`` (10), a role's OID is derived
      from its name (``role_oid``), so it is the same in every statement.

Which view of the catalog does a statement see?
    A :class:`CatalogView` over the catalog of its transaction (which includes the
    transaction's own DDL), made once per statement and kept on its ``Env``; scans and
    the catalog functions (``catalog_functions.py``) share it. Values of type regclass
    are printed after the statement, through the session's ``FormatSettings``, whose
    :class:`SessionNames` looks names up in the catalog the session sees at that moment.
    Stored roles (CREATE ROLE) live outside the catalog; tables that list roles read
    them through the statement's transaction first.

What does a scan cost?
    A producer builds all of its rows; filters run on top. Catalogs are small (hundreds
    of relations), but SQLAlchemy's column query reads pg_attrdef in a correlated
    subquery once per column, so one statement's rows are memoised per table on the
    statement's :class:`CatalogView`.

Column types tidesql lacks are replaced: ``pg_node_tree`` by text (it holds the SQL
text itself, which ``pg_get_expr`` returns), ``aclitem[]`` by text[] (always NULL: the
default privileges), ``xid`` by oid, ``inet`` and ``pg_lsn`` by text; the
information_schema domains by their base types.

pg_description holds the COMMENT ON descriptions kept in the definitions (comments.py);
pg_shdescription is empty.

pg_proc lists the types' I/O functions and the user-defined SQL functions (with
pg_language's internal, c and sql); not the built-in SQL-callable functions.

Non-goals: statistics (pg_stats, pg_statistic), the built-in functions in pg_proc, and
system columns (attnum < 0) in pg_attribute.
"""

# Each table module registers its tables when it is imported, so the order of these
# imports is REGISTRY's order (and pg_class's): keep it, and keep isort from sorting it.
# isort: off
from tidesql.sql.pg_catalog.registry import (
    BTREE_AM_OID,
    CATALOG_MEMOS_MAX,
    COLUMN_TYPES,
    C_COLLATION_OID,
    DATABASE_NAME,
    DATABASE_OID,
    DEFAULT_COLLATION_OID,
    DEFAULT_TABLESPACE_OID,
    DESCRIBED_CATALOGS,
    FIRST_PROC_OID,
    FIRST_VIEW_OID,
    GLOBAL_TABLESPACE_OID,
    HEAP_AM_OID,
    PG_CLASS_OID,
    PG_CONSTRAINT_OID,
    PG_NAMESPACE_OID,
    PG_PROC_OID,
    PG_TYPE_OID,
    POSIX_COLLATION_OID,
    Producer,
    REGISTRY,
    Row,
    SQL_LANGUAGE_OID,
    SUPERUSER_NAME,
    SUPERUSER_OID,
    SYSTEM_SCHEMAS,
    UTF8_ENCODING,
    Values,
    VirtualScan,
    VirtualTable,
    VirtualTables,
    catalog_memo,
    catalog_table,
    empty_table,
    register,
)
from tidesql.sql.pg_catalog.typeinfo import (
    PROCS,
    PROC_NAMES,
    PSEUDO_TYPES,
    TYPNAMES,
    TypeFacts,
    all_types,
    io_functions,
    type_by_oid,
    type_facts,
    typname,
)
from tidesql.sql.pg_catalog.catalog_view import (
    Attribute,
    CatalogView,
    Constraint,
    Default,
    Relation,
    Role,
    SessionNames,
    relation_width,
    role_oid,
    session_catalog,
    split_qualified,
)
from tidesql.sql.pg_catalog import pg_relations, pg_system  # noqa: F401  (registers tables)
from tidesql.sql.pg_catalog.information_schema import column_type_facts
from tidesql.sql.pg_catalog import sys_tables  # noqa: F401  (registers tables)

# isort: on

__all__ = [
    "BTREE_AM_OID",
    "CATALOG_MEMOS_MAX",
    "COLUMN_TYPES",
    "C_COLLATION_OID",
    "DATABASE_NAME",
    "DATABASE_OID",
    "DEFAULT_COLLATION_OID",
    "DEFAULT_TABLESPACE_OID",
    "DESCRIBED_CATALOGS",
    "FIRST_PROC_OID",
    "FIRST_VIEW_OID",
    "GLOBAL_TABLESPACE_OID",
    "HEAP_AM_OID",
    "PG_CLASS_OID",
    "PG_CONSTRAINT_OID",
    "PG_NAMESPACE_OID",
    "PG_PROC_OID",
    "PG_TYPE_OID",
    "POSIX_COLLATION_OID",
    "PROCS",
    "PROC_NAMES",
    "PSEUDO_TYPES",
    "REGISTRY",
    "SQL_LANGUAGE_OID",
    "SUPERUSER_NAME",
    "SUPERUSER_OID",
    "SYSTEM_SCHEMAS",
    "TYPNAMES",
    "UTF8_ENCODING",
    "Attribute",
    "CatalogView",
    "Constraint",
    "Default",
    "Producer",
    "Relation",
    "Role",
    "Row",
    "SessionNames",
    "TypeFacts",
    "Values",
    "VirtualScan",
    "VirtualTable",
    "VirtualTables",
    "all_types",
    "catalog_memo",
    "catalog_table",
    "column_type_facts",
    "empty_table",
    "io_functions",
    "register",
    "relation_width",
    "role_oid",
    "session_catalog",
    "split_qualified",
    "type_by_oid",
    "type_facts",
    "typname",
]
