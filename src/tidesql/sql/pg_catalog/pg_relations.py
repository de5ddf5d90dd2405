"""pg_catalog tables that describe schema objects: pg_namespace, pg_class,
pg_attribute, pg_type, pg_index, pg_constraint and pg_attrdef.
"""

from __future__ import annotations

from collections.abc import Iterator

from tidesql.sql import catalog as C
from tidesql.sql import types as T
from tidesql.sql.pg_catalog.catalog_view import CatalogView, relation_width, role_oid
from tidesql.sql.pg_catalog.registry import (
    BTREE_AM_OID,
    HEAP_AM_OID,
    SUPERUSER_OID,
    Values,
    catalog_table,
)
from tidesql.sql.pg_catalog.typeinfo import (
    _PREFERRED_OIDS,
    PROCS,
    all_types,
    io_functions,
    type_facts,
    typname,
)

_PG = "pg_catalog"


@catalog_table(
    _PG, "pg_namespace", 2615,
    "oid:oid nspname:name nspowner:oid nspacl:_aclitem",
    nspowner=SUPERUSER_OID,
)  # fmt: skip
def _pg_namespace(view: CatalogView) -> Iterator[Values]:
    entries = view.catalog.schema_entries if view.catalog is not None else {}
    for oid, name in view.schemas.items():
        yield {"oid": oid, "nspname": name, "nspacl": entries.get(oid, {}).get("acl")}


_PG_CLASS = """oid:oid relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid
    relam:oid relfilenode:oid reltablespace:oid relpages:int4 reltuples:float4
    relallvisible:int4 reltoastrelid:oid relhasindex:bool relisshared:bool
    relpersistence:char relkind:char relnatts:int2 relchecks:int2 relhasrules:bool
    relhastriggers:bool relhassubclass:bool relrowsecurity:bool relforcerowsecurity:bool
    relispopulated:bool relreplident:char relispartition:bool relrewrite:oid
    relfrozenxid:xid relminmxid:xid relacl:_aclitem reloptions:_text relpartbound:pg_node_tree"""


@catalog_table(
    _PG, "pg_class", 1259, _PG_CLASS,
    reltype=0, reloftype=0, reltablespace=0, relpages=0, reltuples=-1.0, relallvisible=0,
    reltoastrelid=0, relisshared=False, relpersistence="p", relchecks=0, relhasrules=False,
    relhastriggers=False, relhassubclass=False, relrowsecurity=False,
    relforcerowsecurity=False, relispopulated=True, relreplident="d", relispartition=False,
    relrewrite=0, relfrozenxid=0, relminmxid=0,
)  # fmt: skip
def _pg_class(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        table = relation.table
        row: Values = {
            "oid": relation.oid,
            "relname": relation.name,
            "relnamespace": relation.namespace,
            "relowner": role_oid(relation.owner),
            "relkind": relation.kind,
            "relam": {"r": HEAP_AM_OID, "i": BTREE_AM_OID}.get(relation.kind, 0),
            "relfilenode": relation.oid if relation.kind in ("r", "i") else 0,
            "relhasindex": False,
            "relnatts": relation_width(relation),
        }
        if relation.kind in ("i", "v"):
            row["relreplident"] = "n"
        if table is not None and relation.index is None:
            row["relhasindex"] = bool(table.indexes)
            row["relchecks"] = sum(1 for c in table.constraints if c.kind == "c")
            row["relhasrules"] = table.kind == "v"
            row["relacl"] = table.acl
            # PostgreSQL enforces foreign keys with triggers on both tables, and psql's
            # \d lists foreign keys and "Referenced by" only when this is set.
            row["relhastriggers"] = any(c.kind == "f" for c in table.constraints) or bool(
                view.catalog is not None and view.catalog.referenced_by.get(table.oid)
            )
        yield row


_PG_ATTRIBUTE = """attrelid:oid attname:name atttypid:oid attstattarget:int4 attlen:int2
    attnum:int2 attndims:int4 attcacheoff:int4 atttypmod:int4 attbyval:bool attalign:char
    attstorage:char attcompression:char attnotnull:bool atthasdef:bool atthasmissing:bool
    attidentity:char attgenerated:char attisdropped:bool attislocal:bool attinhcount:int4
    attcollation:oid attacl:_aclitem attoptions:_text attfdwoptions:_text
    attmissingval:anyarray"""


@catalog_table(
    _PG, "pg_attribute", 1249, _PG_ATTRIBUTE,
    attstattarget=-1, attcacheoff=-1, attcompression="", atthasmissing=False,
    attgenerated="", attislocal=True, attinhcount=0,
)  # fmt: skip
def _pg_attribute(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        for attribute in view.attributes(relation):
            sql_type = attribute.sql_type
            if sql_type is None:
                yield {
                    "attrelid": attribute.relation,
                    "attname": attribute.name,
                    "atttypid": 0,
                    "attlen": -1,
                    "attnum": attribute.number,
                    "attndims": 0,
                    "atttypmod": -1,
                    "attbyval": False,
                    "attalign": "i",
                    "attstorage": "p",
                    "attnotnull": False,
                    "atthasdef": False,
                    "attidentity": "",
                    "attisdropped": True,
                    "attcollation": 0,
                }
                continue
            facts = type_facts(sql_type)
            yield {
                "attrelid": attribute.relation,
                "attname": attribute.name,
                "atttypid": attribute.domain_oid or sql_type.oid,
                "attlen": sql_type.typlen,
                "attnum": attribute.number,
                "attndims": 1 if sql_type.element is not None else 0,
                "atttypmod": sql_type.modifier,
                "attbyval": facts.byval,
                "attalign": facts.align,
                "attstorage": facts.storage,
                "attnotnull": attribute.not_null,
                "atthasdef": attribute.has_default,
                "attidentity": attribute.identity,
                "attisdropped": False,
                "attcollation": facts.collation,
            }


_PG_TYPE = """oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool
    typtype:char typcategory:char typispreferred:bool typisdefined:bool typdelim:char
    typrelid:oid typsubscript:regproc typelem:oid typarray:oid typinput:regproc
    typoutput:regproc typreceive:regproc typsend:regproc typmodin:regproc typmodout:regproc
    typanalyze:regproc typalign:char typstorage:char typnotnull:bool typbasetype:oid
    typtypmod:int4 typndims:int4 typcollation:oid typdefaultbin:pg_node_tree typdefault:text
    typacl:_aclitem"""


@catalog_table(
    _PG, "pg_type", 1247, _PG_TYPE,
    typnamespace=C.PG_CATALOG_OID, typowner=SUPERUSER_OID, typisdefined=True, typdelim=",",
    typrelid=0, typanalyze=0, typnotnull=False, typbasetype=0, typtypmod=-1, typndims=0,
)  # fmt: skip
def _pg_type(view: CatalogView) -> Iterator[Values]:
    for oid, sql_type in sorted(all_types().items()):
        facts = type_facts(sql_type)
        procs = {column: PROCS.get(name, 0) for column, name in io_functions(sql_type).items()}
        yield {
            "oid": oid,
            "typname": typname(sql_type),
            "typlen": sql_type.typlen,
            "typbyval": facts.byval,
            "typtype": facts.kind,
            "typcategory": sql_type.category,
            "typispreferred": oid in _PREFERRED_OIDS,
            "typelem": facts.element,
            "typarray": sql_type.array_oid,
            "typalign": facts.align,
            "typstorage": facts.storage,
            "typcollation": facts.collation,
            **procs,
        }
    for domain in view.catalog.domains.values() if view.catalog is not None else ():
        base = domain.sql_type
        facts = type_facts(T.type_by_oid(domain.type_oid))
        yield {
            "oid": domain.oid,
            "typname": domain.name,
            "typnamespace": domain.schema_oid,
            "typowner": role_oid(domain.owner),
            "typlen": base.typlen,
            "typbyval": facts.byval,
            "typtype": "d",
            "typcategory": base.category,
            "typispreferred": False,
            "typelem": 0,
            "typarray": 0,
            "typalign": facts.align,
            "typstorage": facts.storage,
            "typcollation": facts.collation,
            "typnotnull": domain.not_null,
            "typbasetype": domain.type_oid,
            "typtypmod": domain.modifier,
            "typdefault": domain.default,
            "typdefaultbin": domain.default,
            "typinput": PROCS.get("domain_in", 0),
            "typoutput": PROCS.get(io_functions(base)["typoutput"], 0),
            "typreceive": PROCS.get("domain_recv", 0),
            "typsend": PROCS.get(io_functions(base)["typsend"], 0),
        }


_PG_INDEX = """indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool
    indnullsnotdistinct:bool indisprimary:bool indisexclusion:bool indimmediate:bool
    indisclustered:bool indisvalid:bool indcheckxmin:bool indisready:bool indislive:bool
    indisreplident:bool indkey:int2vector indcollation:oidvector indclass:oidvector
    indoption:int2vector indexprs:pg_node_tree indpred:pg_node_tree"""


@catalog_table(
    _PG, "pg_index", 2610, _PG_INDEX,
    indisexclusion=False, indimmediate=True, indisclustered=False, indcheckxmin=False,
    indisready=True, indislive=True, indisreplident=False,
)  # fmt: skip
def _pg_index(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        index, table = relation.index, relation.table
        if index is None or table is None:
            continue
        keys = [*index.columns, *index.include]
        yield {
            "indexrelid": index.oid,
            "indrelid": table.oid,
            "indnatts": len(keys),
            "indnkeyatts": len(index.columns),
            "indisunique": index.unique,
            "indnullsnotdistinct": index.nulls_not_distinct,
            "indisprimary": index.is_primary,
            "indisvalid": index.valid,
            "indkey": keys,
            "indcollation": [
                type_facts(table.columns[a - 1].sql_type).collation if a else 0
                for a in index.columns
            ],
            "indclass": [0] * len(index.columns),
            # INDOPTION_DESC | INDOPTION_NULLS_FIRST: DESC sorts NULLs first by default.
            "indoption": [
                3 if position < len(index.descending) and index.descending[position] else 0
                for position in range(len(index.columns))
            ],
            "indpred": index.predicate,
            "indexprs": " ".join(index.expressions) if index.expressions else None,
        }


_PG_CONSTRAINT = """oid:oid conname:name connamespace:oid contype:char condeferrable:bool
    condeferred:bool convalidated:bool conrelid:oid contypid:oid conindid:oid
    conparentid:oid confrelid:oid confupdtype:char confdeltype:char confmatchtype:char
    conislocal:bool coninhcount:int4 connoinherit:bool conkey:_int2 confkey:_int2
    conpfeqop:_oid conppeqop:_oid conffeqop:_oid confdelsetcols:_int2 conexclop:_oid
    conbin:pg_node_tree"""


@catalog_table(
    _PG, "pg_constraint", 2606, _PG_CONSTRAINT,
    condeferrable=False, condeferred=False, convalidated=True, contypid=0, conparentid=0,
    confrelid=0, confupdtype=" ", confdeltype=" ", confmatchtype=" ", conislocal=True,
    coninhcount=0, connoinherit=False,
)  # fmt: skip
def _pg_constraint(view: CatalogView) -> Iterator[Values]:
    for oid, found in view.constraints.items():
        definition = found.definition
        row: Values = {
            "oid": oid,
            "conname": definition.name,
            "connamespace": found.table.schema_oid,
            "contype": definition.kind,
            "conrelid": found.table.oid,
            "conindid": definition.index_oid,
            "conkey": list(definition.columns) or None,
            "conbin": definition.expression,
            "convalidated": definition.validated,
        }
        if definition.kind == "f":
            row.update(
                condeferrable=definition.deferrable,
                condeferred=definition.deferred,
                conindid=_referenced_index(view, definition),
                confrelid=definition.ref_table,
                confupdtype=definition.on_update,
                confdeltype=definition.on_delete,
                confmatchtype="f" if definition.match_full else "s",
                confkey=list(definition.ref_columns),
            )
        yield row


def _referenced_index(view: CatalogView, definition: C.ConstraintDef) -> int:
    """The parent's primary-key or unique index that a foreign key relies on."""
    parent = view.catalog.tables.get(definition.ref_table) if view.catalog else None
    if parent is None:
        return 0
    wanted = sorted(definition.ref_columns)
    for index in parent.indexes:
        if index.unique and sorted(index.columns) == wanted:
            return index.oid
    return 0


def _unique_constraint_of(
    view: CatalogView, definition: C.ConstraintDef
) -> tuple[C.TableDef, C.ConstraintDef] | None:
    """The parent's PRIMARY KEY or UNIQUE constraint that a foreign key references."""
    parent = view.catalog.tables.get(definition.ref_table) if view.catalog else None
    if parent is None:
        return None
    index_oid = _referenced_index(view, definition)
    for constraint in parent.constraints:
        if constraint.kind in ("p", "u") and constraint.index_oid == index_oid:
            return parent, constraint
    return None


@catalog_table(_PG, "pg_attrdef", 2604, "oid:oid adrelid:oid adnum:int2 adbin:pg_node_tree")
def _pg_attrdef(view: CatalogView) -> Iterator[Values]:
    for oid, found in view.defaults.items():
        yield {
            "oid": oid,
            "adrelid": found.table.oid,
            "adnum": found.column.attnum,
            "adbin": found.column.default,
        }
