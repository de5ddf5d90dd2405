"""information_schema, over PostgreSQL's catalog-level facts as PostgreSQL defines it;
with the sequence tables (pg_sequence, pg_sequences and information_schema.sequences),
which share one walk over the catalog's sequences.
"""

from __future__ import annotations

from collections.abc import Iterator

from tidesql.sql import catalog as C
from tidesql.sql import types as T
from tidesql.sql.functions import quote_ident
from tidesql.sql.pg_catalog.catalog_view import CatalogView, Relation
from tidesql.sql.pg_catalog.pg_relations import _PG, _unique_constraint_of
from tidesql.sql.pg_catalog.registry import DATABASE_NAME, SUPERUSER_NAME, Values, catalog_table
from tidesql.sql.pg_catalog.typeinfo import typname

_IS = "information_schema"


@catalog_table(
    _IS, "schemata", 13382,
    "catalog_name:sql_identifier schema_name:sql_identifier schema_owner:sql_identifier "
    "default_character_set_catalog:sql_identifier default_character_set_schema:sql_identifier "
    "default_character_set_name:sql_identifier sql_path:character_data",
    catalog_name=DATABASE_NAME, schema_owner=SUPERUSER_NAME,
)  # fmt: skip
def _schemata(view: CatalogView) -> Iterator[Values]:
    for name in view.schemas.values():
        yield {"schema_name": name}


@catalog_table(
    _IS, "tables", 13425,
    "table_catalog:sql_identifier table_schema:sql_identifier table_name:sql_identifier "
    "table_type:character_data self_referencing_column_name:sql_identifier "
    "reference_generation:character_data user_defined_type_catalog:sql_identifier "
    "user_defined_type_schema:sql_identifier user_defined_type_name:sql_identifier "
    "is_insertable_into:yes_or_no is_typed:yes_or_no commit_action:character_data",
    table_catalog=DATABASE_NAME, is_typed="NO",
)  # fmt: skip
def _tables(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind in ("r", "v"):
            base = relation.kind == "r" and relation.virtual is None
            yield {
                "table_schema": view.schema_name(relation.namespace),
                "table_name": relation.name,
                "table_type": "BASE TABLE" if relation.kind == "r" else "VIEW",
                "is_insertable_into": "YES" if base else "NO",
            }


_COLUMNS = """table_catalog:sql_identifier table_schema:sql_identifier
    table_name:sql_identifier column_name:sql_identifier ordinal_position:cardinal_number
    column_default:character_data is_nullable:yes_or_no data_type:character_data
    character_maximum_length:cardinal_number character_octet_length:cardinal_number
    numeric_precision:cardinal_number numeric_precision_radix:cardinal_number
    numeric_scale:cardinal_number datetime_precision:cardinal_number
    interval_type:character_data interval_precision:cardinal_number
    character_set_catalog:sql_identifier character_set_schema:sql_identifier
    character_set_name:sql_identifier collation_catalog:sql_identifier
    collation_schema:sql_identifier collation_name:sql_identifier
    domain_catalog:sql_identifier domain_schema:sql_identifier domain_name:sql_identifier
    udt_catalog:sql_identifier udt_schema:sql_identifier udt_name:sql_identifier
    scope_catalog:sql_identifier scope_schema:sql_identifier scope_name:sql_identifier
    maximum_cardinality:cardinal_number dtd_identifier:sql_identifier
    is_self_referencing:yes_or_no is_identity:yes_or_no identity_generation:character_data
    identity_start:character_data identity_increment:character_data
    identity_maximum:character_data identity_minimum:character_data
    identity_cycle:yes_or_no is_generated:character_data
    generation_expression:character_data is_updatable:yes_or_no"""
#: information_schema's numeric_precision of the binary number types.
_BINARY_PRECISION = {21: 16, 23: 32, 20: 64, 700: 24, 701: 53}
_TEXT_OCTETS_MAX = 1073741824
_DATETIME_OIDS = frozenset({1082, 1083, 1114, 1184, 1186})


def column_type_facts(sql_type: T.SqlType) -> Values:
    """information_schema.columns' description of a type: data_type, lengths, precision."""
    oid, modifier = sql_type.oid, sql_type.modifier
    if sql_type.element is not None:
        data_type = "ARRAY"
    elif oid == T.BPCHAR.oid:
        data_type = "character"
    else:
        data_type = T.format_type(T.with_modifier(sql_type, -1))
    facts: Values = {"data_type": data_type, "udt_name": typname(sql_type)}
    if oid in (T.VARCHAR.oid, T.BPCHAR.oid, T.TEXT.oid):
        length = modifier - 4 if modifier >= 0 else None
        facts["character_maximum_length"] = length
        facts["character_octet_length"] = length * 4 if length is not None else _TEXT_OCTETS_MAX
    elif oid in _BINARY_PRECISION:
        facts["numeric_precision"] = _BINARY_PRECISION[oid]
        facts["numeric_precision_radix"] = 2
        facts["numeric_scale"] = 0 if oid in (20, 21, 23) else None
    elif oid == T.NUMERIC.oid:
        facts["numeric_precision_radix"] = 10
        if modifier >= 0:
            facts["numeric_precision"] = ((modifier - 4) >> 16) & 0xFFFF
            facts["numeric_scale"] = (modifier - 4) & 0x7FF
    elif oid in _DATETIME_OIDS:
        facts["datetime_precision"] = (
            0 if oid == T.DATE.oid else (modifier if 0 <= modifier <= 6 else 6)
        )
    return facts


@catalog_table(
    _IS, "columns", 13295, _COLUMNS,
    table_catalog=DATABASE_NAME, udt_catalog=DATABASE_NAME, udt_schema="pg_catalog",
    is_self_referencing="NO", is_generated="NEVER", identity_cycle="NO",
)  # fmt: skip
def _columns(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind not in ("r", "v"):
            continue
        schema = view.schema_name(relation.namespace)
        table = relation.table
        for attribute in view.attributes(relation):
            if attribute.sql_type is None:
                continue
            column = table.columns[attribute.number - 1] if table is not None else None
            identity = attribute.identity
            sequence = (
                view.catalog.owned_sequences.get((relation.oid, attribute.number))
                if identity and view.catalog is not None
                else None
            )
            options = sequence.sequence if sequence is not None else None
            if options is not None:
                yield_identity: Values = {
                    "identity_start": str(options.start),
                    "identity_increment": str(options.increment),
                    "identity_maximum": str(options.max_value),
                    "identity_minimum": str(options.min_value),
                    "identity_cycle": "YES" if options.cycle else "NO",
                }
            else:
                yield_identity = {}
            yield {
                "table_schema": schema,
                "table_name": relation.name,
                "column_name": attribute.name,
                "ordinal_position": attribute.number,
                "column_default": column.default if column is not None else None,
                "is_nullable": "NO" if attribute.not_null else "YES",
                "dtd_identifier": str(attribute.number),
                "is_identity": "YES" if identity else "NO",
                "identity_generation": {"a": "ALWAYS", "d": "BY DEFAULT"}.get(identity),
                "is_updatable": "YES" if relation.kind == "r" and table is not None else "NO",
                **column_type_facts(attribute.sql_type),
                **yield_identity,
                **_domain_facts(view, attribute.domain_oid),
            }


def _domain_facts(view: CatalogView, domain_oid: int) -> Values:
    """information_schema.columns.domain_*: the column's domain, if it has one."""
    domain = view.catalog.domains.get(domain_oid) if domain_oid and view.catalog else None
    if domain is None:
        return {}
    return {
        "domain_catalog": DATABASE_NAME,
        "domain_schema": view.schema_name(domain.schema_oid),
        "domain_name": domain.name,
    }


_CONSTRAINT_TYPES = {"p": "PRIMARY KEY", "u": "UNIQUE", "c": "CHECK", "f": "FOREIGN KEY"}


@catalog_table(
    _IS, "table_constraints", 13411,
    "constraint_catalog:sql_identifier constraint_schema:sql_identifier "
    "constraint_name:sql_identifier table_catalog:sql_identifier table_schema:sql_identifier "
    "table_name:sql_identifier constraint_type:character_data is_deferrable:yes_or_no "
    "initially_deferred:yes_or_no enforced:yes_or_no nulls_distinct:yes_or_no",
    constraint_catalog=DATABASE_NAME, table_catalog=DATABASE_NAME, is_deferrable="NO",
    initially_deferred="NO", enforced="YES",
)  # fmt: skip
def _table_constraints(view: CatalogView) -> Iterator[Values]:
    for found in view.constraints.values():
        table, definition = found.table, found.definition
        schema = view.schema_name(table.schema_oid)
        nulls_distinct = None
        if definition.kind == "u":
            index = next((i for i in table.indexes if i.oid == definition.index_oid), None)
            nulls_distinct = "NO" if index is not None and index.nulls_not_distinct else "YES"
        yield {
            "constraint_schema": schema,
            "constraint_name": definition.name,
            "table_schema": schema,
            "table_name": table.name,
            "constraint_type": _CONSTRAINT_TYPES.get(definition.kind, definition.kind),
            "nulls_distinct": nulls_distinct,
            "is_deferrable": "YES" if definition.deferrable else "NO",
            "initially_deferred": "YES" if definition.deferred else "NO",
        }
    # PostgreSQL lists each NOT NULL column as a CHECK constraint with a made-up name.
    for table, column in _not_null_columns(view):
        schema = view.schema_name(table.schema_oid)
        yield {
            "constraint_schema": schema,
            "constraint_name": _not_null_name(table, column),
            "table_schema": schema,
            "table_name": table.name,
            "constraint_type": "CHECK",
        }


def _not_null_columns(view: CatalogView) -> Iterator[tuple[C.TableDef, C.ColumnDef]]:
    for relation in view.relations.values():
        table = relation.table
        if relation.kind == "r" and table is not None:
            for column in table.live_columns:
                if column.not_null:
                    yield table, column


def _not_null_name(table: C.TableDef, column: C.ColumnDef) -> str:
    return f"{table.schema_oid}_{table.oid}_{column.attnum}_not_null"


@catalog_table(
    _IS, "check_constraints", 13260,
    "constraint_catalog:sql_identifier constraint_schema:sql_identifier "
    "constraint_name:sql_identifier check_clause:character_data",
    constraint_catalog=DATABASE_NAME,
)  # fmt: skip
def _check_constraints(view: CatalogView) -> Iterator[Values]:
    for oid, found in view.constraints.items():
        if found.definition.kind == "c":
            yield {
                "constraint_schema": view.schema_name(found.table.schema_oid),
                "constraint_name": found.definition.name,
                # PostgreSQL's view: pg_get_constraintdef without its "CHECK ".
                "check_clause": (view.constraint_definition(oid) or "")[len("CHECK ") :],
            }
    for table, column in _not_null_columns(view):
        yield {
            "constraint_schema": view.schema_name(table.schema_oid),
            "constraint_name": _not_null_name(table, column),
            "check_clause": f"{quote_ident(column.name)} IS NOT NULL",
        }


@catalog_table(
    _IS, "key_column_usage", 13329,
    "constraint_catalog:sql_identifier constraint_schema:sql_identifier "
    "constraint_name:sql_identifier table_catalog:sql_identifier table_schema:sql_identifier "
    "table_name:sql_identifier column_name:sql_identifier ordinal_position:cardinal_number "
    "position_in_unique_constraint:cardinal_number",
    constraint_catalog=DATABASE_NAME, table_catalog=DATABASE_NAME,
)  # fmt: skip
def _key_column_usage(view: CatalogView) -> Iterator[Values]:
    for found in view.constraints.values():
        table, definition = found.table, found.definition
        if definition.kind not in ("p", "u", "f"):
            continue
        schema = view.schema_name(table.schema_oid)
        unique_positions: list[int | None] = [None] * len(definition.columns)
        if definition.kind == "f":
            referenced = _unique_constraint_of(view, definition)
            if referenced is not None:
                unique_columns = referenced[1].columns
                unique_positions = [
                    unique_columns.index(a) + 1 if a in unique_columns else None
                    for a in definition.ref_columns
                ]
        for position, attnum in enumerate(definition.columns, start=1):
            yield {
                "constraint_schema": schema,
                "constraint_name": definition.name,
                "table_schema": schema,
                "table_name": table.name,
                "column_name": table.columns[attnum - 1].name,
                "ordinal_position": position,
                "position_in_unique_constraint": unique_positions[position - 1],
            }


@catalog_table(
    _IS, "constraint_column_usage", 13300,
    "table_catalog:sql_identifier table_schema:sql_identifier table_name:sql_identifier "
    "column_name:sql_identifier constraint_catalog:sql_identifier "
    "constraint_schema:sql_identifier constraint_name:sql_identifier",
    table_catalog=DATABASE_NAME, constraint_catalog=DATABASE_NAME,
)  # fmt: skip
def _constraint_column_usage(view: CatalogView) -> Iterator[Values]:
    for found in view.constraints.values():
        table, definition = found.table, found.definition
        schema = view.schema_name(table.schema_oid)
        columns = definition.columns
        if definition.kind == "f":
            # PostgreSQL lists the referenced columns of a foreign key here.
            parent = view.catalog.tables.get(definition.ref_table) if view.catalog else None
            if parent is None:
                continue
            table, columns = parent, definition.ref_columns
            schema = view.schema_name(table.schema_oid)
        for attnum in columns:
            yield {
                "table_schema": schema,
                "table_name": table.name,
                "column_name": table.columns[attnum - 1].name,
                "constraint_schema": view.schema_name(found.table.schema_oid),
                "constraint_name": definition.name,
            }


@catalog_table(
    _IS, "views", 13483,
    "table_catalog:sql_identifier table_schema:sql_identifier table_name:sql_identifier "
    "view_definition:character_data check_option:character_data is_updatable:yes_or_no "
    "is_insertable_into:yes_or_no is_trigger_updatable:yes_or_no "
    "is_trigger_deletable:yes_or_no is_trigger_insertable_into:yes_or_no",
    table_catalog=DATABASE_NAME, check_option="NONE", is_updatable="NO",
    is_insertable_into="NO", is_trigger_updatable="NO", is_trigger_deletable="NO",
    is_trigger_insertable_into="NO",
)  # fmt: skip
def _views(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind == "v" and relation.table is not None:
            yield {
                "table_schema": view.schema_name(relation.namespace),
                "table_name": relation.name,
                "view_definition": relation.table.view_sql,
            }


@catalog_table(
    _IS, "referential_constraints", 13339,
    "constraint_catalog:sql_identifier constraint_schema:sql_identifier "
    "constraint_name:sql_identifier unique_constraint_catalog:sql_identifier "
    "unique_constraint_schema:sql_identifier unique_constraint_name:sql_identifier "
    "match_option:character_data update_rule:character_data delete_rule:character_data",
    constraint_catalog=DATABASE_NAME, unique_constraint_catalog=DATABASE_NAME,
)  # fmt: skip
def _referential_constraints(view: CatalogView) -> Iterator[Values]:
    for found in view.constraints.values():
        definition = found.definition
        if definition.kind != "f":
            continue
        referenced = _unique_constraint_of(view, definition)
        yield {
            "constraint_schema": view.schema_name(found.table.schema_oid),
            "constraint_name": definition.name,
            "unique_constraint_schema": (
                view.schema_name(referenced[0].schema_oid) if referenced else None
            ),
            "unique_constraint_name": referenced[1].name if referenced else None,
            "match_option": "FULL" if definition.match_full else "NONE",
            "update_rule": C.FK_ACTION_NAMES[definition.on_update],
            "delete_rule": C.FK_ACTION_NAMES[definition.on_delete],
        }


def _sequences(view: CatalogView) -> Iterator[tuple[Relation, C.SequenceDef]]:
    for relation in view.relations.values():
        table = relation.table
        if relation.kind == "S" and table is not None and table.sequence is not None:
            yield relation, table.sequence


@catalog_table(
    _PG, "pg_sequence", 2224,
    "seqrelid:oid seqtypid:oid seqstart:int8 seqincrement:int8 seqmax:int8 seqmin:int8 "
    "seqcache:int8 seqcycle:bool",
)  # fmt: skip
def _pg_sequence(view: CatalogView) -> Iterator[Values]:
    for relation, sequence in _sequences(view):
        yield {
            "seqrelid": relation.oid,
            "seqtypid": sequence.type_oid,
            "seqstart": sequence.start,
            "seqincrement": sequence.increment,
            "seqmax": sequence.max_value,
            "seqmin": sequence.min_value,
            "seqcache": sequence.cache,
            "seqcycle": sequence.cycle,
        }


@catalog_table(
    _PG, "pg_sequences", 12048,
    "schemaname:name sequencename:name sequenceowner:name data_type:regtype "
    "start_value:int8 min_value:int8 max_value:int8 increment_by:int8 cycle:bool "
    "cache_size:int8 last_value:int8",
    reads_sequences=True,
)  # fmt: skip
def _pg_sequences(view: CatalogView) -> Iterator[Values]:
    for relation, sequence in _sequences(view):
        last_value, is_called = view.sequence_rows.get(relation.oid, (None, False))
        yield {
            "schemaname": view.schema_name(relation.namespace),
            "sequencename": relation.name,
            "sequenceowner": relation.owner,
            "data_type": sequence.type_oid,
            "start_value": sequence.start,
            "min_value": sequence.min_value,
            "max_value": sequence.max_value,
            "increment_by": sequence.increment,
            "cycle": sequence.cycle,
            "cache_size": sequence.cache,
            # As in PostgreSQL: NULL until the first nextval (or setval … true).
            "last_value": last_value if is_called else None,
        }


@catalog_table(
    _IS, "sequences", 13386,
    "sequence_catalog:sql_identifier sequence_schema:sql_identifier "
    "sequence_name:sql_identifier data_type:character_data numeric_precision:cardinal_number "
    "numeric_precision_radix:cardinal_number numeric_scale:cardinal_number "
    "start_value:character_data minimum_value:character_data maximum_value:character_data "
    "increment:character_data cycle_option:yes_or_no",
    sequence_catalog=DATABASE_NAME, numeric_precision_radix=2, numeric_scale=0,
)  # fmt: skip
def _information_schema_sequences(view: CatalogView) -> Iterator[Values]:
    for relation, sequence in _sequences(view):
        yield {
            "sequence_schema": view.schema_name(relation.namespace),
            "sequence_name": relation.name,
            "data_type": T.format_type(T.type_by_oid(sequence.type_oid)),
            "numeric_precision": _BINARY_PRECISION[sequence.type_oid],
            "start_value": str(sequence.start),
            "minimum_value": str(sequence.min_value),
            "maximum_value": str(sequence.max_value),
            "increment": str(sequence.increment),
            "cycle_option": "YES" if sequence.cycle else "NO",
        }
