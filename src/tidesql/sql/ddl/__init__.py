"""DDL: changes to the catalog, made as ordinary transactional writes.

Each DDL statement reads the catalog of its transaction's snapshot, builds the changed
definitions, and writes them back together with the new catalog version and the
touched tables' schema stamps. Two concurrent DDL statements therefore write the same
version key and the later one fails at COMMIT with OC001; a concurrent DML transaction
on a changed table fails the same way through the table's stamp.

In ``dsql`` mode a transaction may hold one DDL statement and no DML, as in DSQL.
"""

from __future__ import annotations

from tidesql.sql.ddl.alter import _ALTER_TABLE_COMMANDS as _ALTER_TABLE_COMMANDS
from tidesql.sql.ddl.alter import _REFUSED_IN_DSQL as _REFUSED_IN_DSQL
from tidesql.sql.ddl.alter import AlterCommand, AlterTable
from tidesql.sql.ddl.handlers import _HANDLERS as _HANDLERS
from tidesql.sql.ddl.handlers import execute
from tidesql.sql.ddl.tables import PendingSequence
from tidesql.sql.ddl.writer import (
    RELATION_KINDS,
    CatalogWriter,
    deparse_expression,
    deparse_select,
    refuse,
)

__all__ = [
    "RELATION_KINDS",
    "AlterCommand",
    "AlterTable",
    "CatalogWriter",
    "PendingSequence",
    "deparse_expression",
    "deparse_select",
    "execute",
    "refuse",
]
