"""pg_catalog tables about the database and the server: pg_database, the role tables,
pg_am, pg_collation, pg_tablespace, pg_proc, pg_language, pg_settings, the system views
(pg_tables, pg_indexes, pg_views, pg_stat_activity, pg_prepared_statements),
pg_description, and the empty tables that exist so that client queries bind.
"""

from __future__ import annotations

from collections.abc import Iterator

from tidesql.sql import catalog as C
from tidesql.sql.pg_catalog.catalog_view import CatalogView, role_oid
from tidesql.sql.pg_catalog.pg_relations import _PG
from tidesql.sql.pg_catalog.registry import (
    BTREE_AM_OID,
    C_COLLATION_OID,
    DATABASE_NAME,
    DATABASE_OID,
    DEFAULT_COLLATION_OID,
    DEFAULT_TABLESPACE_OID,
    GLOBAL_TABLESPACE_OID,
    HEAP_AM_OID,
    POSIX_COLLATION_OID,
    SQL_LANGUAGE_OID,
    SUPERUSER_OID,
    UTF8_ENCODING,
    Values,
    catalog_table,
    empty_table,
)
from tidesql.sql.pg_catalog.typeinfo import PROCS
from tidesql.sql.ruleutils import expression_text

_PG_DATABASE = """oid:oid datname:name datdba:oid encoding:int4 datlocprovider:char
    datistemplate:bool datallowconn:bool datconnlimit:int4 datfrozenxid:xid datminmxid:xid
    dattablespace:oid datcollate:text datctype:text daticulocale:text daticurules:text
    datcollversion:text datacl:_aclitem"""


@catalog_table(
    _PG, "pg_database", 1262, _PG_DATABASE,
    datdba=SUPERUSER_OID, encoding=UTF8_ENCODING, datlocprovider="c", datistemplate=False,
    datallowconn=True, datconnlimit=-1, datfrozenxid=0, datminmxid=1,
    dattablespace=DEFAULT_TABLESPACE_OID, datcollate="C", datctype="C", live=True,
)  # fmt: skip
def _pg_database(view: CatalogView) -> Iterator[Values]:
    yield {"oid": DATABASE_OID, "datname": DATABASE_NAME}
    session_database = getattr(view.session, "database", DATABASE_NAME)
    if session_database != DATABASE_NAME:
        yield {"oid": DATABASE_OID + 1, "datname": session_database}


def _role_rows(view: CatalogView) -> Iterator[Values]:
    """The roles as pg_roles shows them: a superuser may do everything."""
    for role in view.roles.values():
        yield {
            "oid": role.oid,
            "rolname": role.name,
            "rolsuper": role.superuser,
            "rolinherit": True,
            "rolcreaterole": role.superuser,
            "rolcreatedb": role.superuser,
            "rolcanlogin": role.login,
            "rolreplication": role.superuser,
            "rolbypassrls": role.superuser,
            "rolconnlimit": -1,
        }


_PG_ROLES = """rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool
    rolcanlogin:bool rolreplication:bool rolconnlimit:int4 rolpassword:text
    rolvaliduntil:timestamptz rolbypassrls:bool rolconfig:_text oid:oid"""
_PG_AUTHID = """oid:oid rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool
    rolcreatedb:bool rolcanlogin:bool rolreplication:bool rolbypassrls:bool
    rolconnlimit:int4 rolpassword:text rolvaliduntil:timestamptz"""
_PG_USER = """usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool
    usebypassrls:bool passwd:text valuntil:timestamptz useconfig:_text"""

catalog_table(_PG, "pg_roles", 12000, _PG_ROLES, reads_roles=True, rolpassword="********")(
    _role_rows
)
catalog_table(_PG, "pg_authid", 1260, _PG_AUTHID, reads_roles=True)(_role_rows)


def _user_rows(view: CatalogView) -> Iterator[Values]:
    for role in _role_rows(view):
        yield {
            "usename": role["rolname"],
            "usesysid": role["oid"],
            "usecreatedb": role["rolcreatedb"],
            "usesuper": role["rolsuper"],
            "userepl": role["rolreplication"],
            "usebypassrls": role["rolbypassrls"],
        }


catalog_table(_PG, "pg_user", 12014, _PG_USER, reads_roles=True, passwd="********")(_user_rows)
catalog_table(_PG, "pg_shadow", 12005, _PG_USER, reads_roles=True)(_user_rows)


@catalog_table(_PG, "pg_am", 2601, "oid:oid amname:name amhandler:regproc amtype:char")
def _pg_am(view: CatalogView) -> Iterator[Values]:
    yield {
        "oid": HEAP_AM_OID,
        "amname": "heap",
        "amhandler": PROCS["heap_tableam_handler"],
        "amtype": "t",
    }
    yield {"oid": BTREE_AM_OID, "amname": "btree", "amhandler": PROCS["bthandler"], "amtype": "i"}


_PG_COLLATION = """oid:oid collname:name collnamespace:oid collowner:oid collprovider:char
    collisdeterministic:bool collencoding:int4 collcollate:text collctype:text
    colliculocale:text collicurules:text collversion:text"""


@catalog_table(
    _PG, "pg_collation", 3456, _PG_COLLATION,
    collnamespace=C.PG_CATALOG_OID, collowner=SUPERUSER_OID, collisdeterministic=True,
    collencoding=-1,
)  # fmt: skip
def _pg_collation(view: CatalogView) -> Iterator[Values]:
    yield {"oid": DEFAULT_COLLATION_OID, "collname": "default", "collprovider": "d"}
    for oid, name in ((C_COLLATION_OID, "C"), (POSIX_COLLATION_OID, "POSIX")):
        yield {
            "oid": oid,
            "collname": name,
            "collprovider": "c",
            "collcollate": name,
            "collctype": name,
        }


@catalog_table(
    _PG, "pg_tablespace", 1213,
    "oid:oid spcname:name spcowner:oid spcacl:_aclitem spcoptions:_text",
    spcowner=SUPERUSER_OID,
)  # fmt: skip
def _pg_tablespace(view: CatalogView) -> Iterator[Values]:
    yield {"oid": DEFAULT_TABLESPACE_OID, "spcname": "pg_default"}
    yield {"oid": GLOBAL_TABLESPACE_OID, "spcname": "pg_global"}


_PG_PROC = """oid:oid proname:name pronamespace:oid proowner:oid prolang:oid procost:float4
    prorows:float4 provariadic:oid prosupport:regproc prokind:char prosecdef:bool
    proleakproof:bool proisstrict:bool proretset:bool provolatile:char proparallel:char
    pronargs:int2 pronargdefaults:int2 prorettype:oid proargtypes:oidvector
    proallargtypes:_oid proargmodes:_char proargnames:_text proargdefaults:pg_node_tree
    protrftypes:_oid prosrc:text probin:text prosqlbody:pg_node_tree proconfig:_text
    proacl:_aclitem"""


@catalog_table(
    _PG, "pg_proc", 1255, _PG_PROC,
    pronamespace=C.PG_CATALOG_OID, proowner=SUPERUSER_OID, prolang=12, procost=1.0,
    prorows=0.0, provariadic=0, prosupport=0, prokind="f", prosecdef=False,
    proleakproof=False, proisstrict=True, proretset=False, provolatile="i",
    proparallel="s", pronargs=1, pronargdefaults=0, prorettype=0, proargtypes=[0],
)  # fmt: skip
def _pg_proc(view: CatalogView) -> Iterator[Values]:
    for name, oid in PROCS.items():
        yield {"oid": oid, "proname": name, "prosrc": name}
    for function in view.functions.values():
        defaults = [d for d in function.arg_defaults if d is not None]
        names = function.param_names or function.arg_names
        source = function.source if function.source is not None else function.body
        yield {
            "oid": function.oid,
            "proname": function.name,
            "pronamespace": function.schema_oid,
            "proowner": role_oid(function.owner),
            "prolang": SQL_LANGUAGE_OID,
            "procost": 100.0,
            "prorows": 1000.0 if function.returns_set else 0.0,
            "proisstrict": function.strict,
            "proretset": function.returns_set,
            "provolatile": function.volatility,
            "proparallel": "u",
            "pronargs": len(function.arg_type_oids),
            "pronargdefaults": len(defaults),
            "prorettype": function.result_type_oid,
            "proargtypes": list(function.arg_type_oids),
            "proallargtypes": list(function.param_type_oids) or None,
            "proargmodes": list(function.param_modes) or None,
            "proargnames": list(names) if any(names) else None,
            "proargdefaults": ", ".join(expression_text(d) for d in defaults) or None,
            "prosrc": "" if function.standard_body else source,
            "prosqlbody": function.source if function.standard_body else None,
        }


@catalog_table(
    _PG, "pg_language", 2612,
    "oid:oid lanname:name lanowner:oid lanispl:bool lanpltrusted:bool lanplcallfoid:oid "
    "laninline:oid lanvalidator:oid lanacl:_aclitem",
    lanowner=SUPERUSER_OID, lanispl=False, lanplcallfoid=0, laninline=0,
)  # fmt: skip
def _pg_language(view: CatalogView) -> Iterator[Values]:
    # PostgreSQL's built-in languages, with the OIDs of their validator functions.
    yield {"oid": 12, "lanname": "internal", "lanpltrusted": False, "lanvalidator": 2246}
    yield {"oid": 13, "lanname": "c", "lanpltrusted": False, "lanvalidator": 2247}
    yield {"oid": SQL_LANGUAGE_OID, "lanname": "sql", "lanpltrusted": True, "lanvalidator": 2248}


_PG_SETTINGS = """name:text setting:text unit:text category:text short_desc:text
    extra_desc:text context:text vartype:text source:text min_val:text max_val:text
    enumvals:_text boot_val:text reset_val:text sourcefile:text sourceline:int4
    pending_restart:bool"""


#: pg_settings spells a few names in mixed case (SHOW accepts any case).
_SETTING_NAMES = {
    "timezone": "TimeZone",
    "datestyle": "DateStyle",
    "intervalstyle": "IntervalStyle",
}


@catalog_table(
    _PG, "pg_settings", 12104, _PG_SETTINGS,
    category="Client Connection Defaults", short_desc="", context="user", vartype="string",
    pending_restart=False, live=True,
)  # fmt: skip
def _pg_settings(view: CatalogView) -> Iterator[Values]:
    from tidesql.sql.session import DEFAULT_SETTINGS, READ_ONLY_SETTINGS

    session = view.session
    if session is None:
        return
    for name in sorted(session.settings):
        value = session.get_setting(name)
        boot = DEFAULT_SETTINGS.get(name, value)
        yield {
            "name": _SETTING_NAMES.get(name, name),
            "setting": value,
            "context": "internal" if name in READ_ONLY_SETTINGS else "user",
            "source": "default" if value == boot else "session",
            "boot_val": boot,
            "reset_val": boot,
        }


@catalog_table(
    _PG, "pg_tables", 12033,
    "schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool "
    "hasrules:bool hastriggers:bool rowsecurity:bool",
    hasrules=False, hastriggers=False, rowsecurity=False,
)  # fmt: skip
def _pg_tables(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind == "r":
            table = relation.table
            yield {
                "schemaname": view.schema_name(relation.namespace),
                "tablename": relation.name,
                "tableowner": relation.owner,
                "hasindexes": bool(table is not None and table.indexes),
            }


@catalog_table(
    _PG, "pg_indexes", 12043,
    "schemaname:name tablename:name indexname:name tablespace:name indexdef:text",
)  # fmt: skip
def _pg_indexes(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind == "i" and relation.table is not None:
            yield {
                "schemaname": view.schema_name(relation.namespace),
                "tablename": relation.table.name,
                "indexname": relation.name,
                "indexdef": view.index_definition(relation.oid),
            }


@catalog_table(
    _PG, "pg_views", 12028, "schemaname:name viewname:name viewowner:name definition:text"
)
def _pg_views(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind == "v" and relation.table is not None:
            yield {
                "schemaname": view.schema_name(relation.namespace),
                "viewname": relation.name,
                "viewowner": relation.owner,
                "definition": relation.table.view_sql,
            }


_PG_STAT_ACTIVITY = """datid:oid datname:name pid:int4 leader_pid:int4 usesysid:oid
    usename:name application_name:text client_addr:inet client_hostname:text
    client_port:int4 backend_start:timestamptz xact_start:timestamptz query_start:timestamptz
    state_change:timestamptz wait_event_type:text wait_event:text state:text
    backend_xid:xid backend_xmin:xid query_id:int8 query:text backend_type:text"""


@catalog_table(
    _PG, "pg_stat_activity", 12222, _PG_STAT_ACTIVITY,
    datid=DATABASE_OID, query="", backend_type="client backend", live=True,
)  # fmt: skip
def _pg_stat_activity(view: CatalogView) -> Iterator[Values]:
    session = view.session
    if session is None:
        return
    for pid, other in sorted(session.engine.sessions.items()):
        transaction = other.transaction
        if other is session:
            state = "active"
        elif other.in_block:
            state = "idle in transaction (aborted)" if other.failed else "idle in transaction"
        else:
            state = "idle"
        yield {
            "datname": other.database,
            "pid": pid,
            "usesysid": role_oid(other.user),
            "usename": other.user,
            "application_name": other.settings.get("application_name", ""),
            "xact_start": transaction.timestamp if transaction is not None else None,
            "state": state,
        }


_PG_PREPARED = """name:text statement:text prepare_time:timestamptz parameter_types:_regtype
    from_sql:bool generic_plans:int8 custom_plans:int8"""


@catalog_table(
    _PG, "pg_prepared_statements", 12095, _PG_PREPARED,
    from_sql=False, generic_plans=0, custom_plans=0, live=True,
)  # fmt: skip
def _pg_prepared_statements(view: CatalogView) -> Iterator[Values]:
    session = view.session
    if session is None:
        return
    for name, prepared in sorted(session.prepared.items()):
        yield {
            "name": name,
            "statement": prepared.sql,
            "parameter_types": [t.oid for t in prepared.param_types],
        }


@catalog_table(
    _PG, "pg_description", 2609, "objoid:oid classoid:oid objsubid:int4 description:text"
)
def _pg_description(view: CatalogView) -> Iterator[Values]:
    for (objoid, classoid, objsubid), description in view.descriptions.items():
        yield {
            "objoid": objoid,
            "classoid": classoid,
            "objsubid": objsubid,
            "description": description,
        }


_PG_STAT_USER_TABLES = """relid:oid schemaname:name relname:name seq_scan:int8
    last_seq_scan:timestamptz seq_tup_read:int8 idx_scan:int8 last_idx_scan:timestamptz
    idx_tup_fetch:int8 n_tup_ins:int8 n_tup_upd:int8 n_tup_del:int8 n_tup_hot_upd:int8
    n_tup_newpage_upd:int8 n_live_tup:int8 n_dead_tup:int8 n_mod_since_analyze:int8
    n_ins_since_vacuum:int8 last_vacuum:timestamptz last_autovacuum:timestamptz
    last_analyze:timestamptz last_autoanalyze:timestamptz vacuum_count:int8
    autovacuum_count:int8 analyze_count:int8 autoanalyze_count:int8"""

# Tables that exist so that client queries bind; tidesql has none of these objects.
for _schema, _name, _oid, _spec in (
    (_PG, "pg_shdescription", 2396, "objoid:oid classoid:oid description:text"),
    (_PG, "pg_enum", 3501, "oid:oid enumtypid:oid enumsortorder:float4 enumlabel:name"),
    (_PG, "pg_range", 3541, "rngtypid:oid rngsubtype:oid rngmultitypid:oid rngcollation:oid "
     "rngsubopc:oid rngcanonical:regproc rngsubdiff:regproc"),
    (_PG, "pg_inherits", 2611, "inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool"),
    (_PG, "pg_policy", 3256, "oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool "
     "polroles:_oid polqual:pg_node_tree polwithcheck:pg_node_tree"),
    (_PG, "pg_statistic_ext", 3381, "oid:oid stxrelid:oid stxname:name stxnamespace:oid "
     "stxowner:oid stxstattarget:int4 stxkeys:int2vector stxkind:_char stxexprs:pg_node_tree"),
    (_PG, "pg_publication", 6104, "oid:oid pubname:name pubowner:oid puballtables:bool "
     "pubinsert:bool pubupdate:bool pubdelete:bool pubtruncate:bool pubviaroot:bool"),
    (_PG, "pg_publication_rel", 6106, "oid:oid prpubid:oid prrelid:oid prqual:pg_node_tree "
     "prattrs:int2vector"),
    (_PG, "pg_publication_namespace", 6237, "oid:oid pnpubid:oid pnnspid:oid"),
    (_PG, "pg_foreign_table", 3118, "ftrelid:oid ftserver:oid ftoptions:_text"),
    (_PG, "pg_foreign_server", 1417, "oid:oid srvname:name srvowner:oid srvfdw:oid "
     "srvtype:text srvversion:text srvacl:_aclitem srvoptions:_text"),
    (_PG, "pg_foreign_data_wrapper", 2328, "oid:oid fdwname:name fdwowner:oid "
     "fdwhandler:oid fdwvalidator:oid fdwacl:_aclitem fdwoptions:_text"),
    (_PG, "pg_partitioned_table", 3350, "partrelid:oid partstrat:char partnatts:int2 "
     "partdefid:oid partattrs:int2vector partclass:oidvector partcollation:oidvector "
     "partexprs:pg_node_tree"),
    (_PG, "pg_trigger", 2620, "oid:oid tgrelid:oid tgparentid:oid tgname:name tgfoid:oid "
     "tgtype:int2 tgenabled:char tgisinternal:bool tgconstrrelid:oid tgconstrindid:oid "
     "tgconstraint:oid tgdeferrable:bool tginitdeferred:bool tgnargs:int2 tgattr:int2vector "
     "tgargs:bytea tgqual:pg_node_tree tgoldtable:name tgnewtable:name"),
    (_PG, "pg_rewrite", 2618, "oid:oid rulename:name ev_class:oid ev_type:char "
     "ev_enabled:char is_instead:bool ev_qual:pg_node_tree ev_action:pg_node_tree"),
    (_PG, "pg_matviews", 12038, "schemaname:name matviewname:name matviewowner:name "
     "tablespace:name hasindexes:bool ispopulated:bool definition:text"),
    (_PG, "pg_depend", 2608, "classid:oid objid:oid objsubid:int4 refclassid:oid "
     "refobjid:oid refobjsubid:int4 deptype:char"),
    (_PG, "pg_extension", 3079, "oid:oid extname:name extowner:oid extnamespace:oid "
     "extrelocatable:bool extversion:text extconfig:_oid extcondition:_text"),
    (_PG, "pg_available_extensions", 12081, "name:name default_version:text "
     "installed_version:text comment:text"),
    (_PG, "pg_locks", 12073, "locktype:text database:oid relation:oid page:int4 tuple:int2 "
     "virtualxid:text transactionid:xid classid:oid objid:oid objsubid:int2 "
     "virtualtransaction:text pid:int4 mode:text granted:bool fastpath:bool "
     "waitstart:timestamptz"),
    (_PG, "pg_auth_members", 1261, "oid:oid roleid:oid member:oid grantor:oid "
     "admin_option:bool inherit_option:bool set_option:bool"),
    (_PG, "pg_group", 12010, "groname:name grosysid:oid grolist:_oid"),
    (_PG, "pg_db_role_setting", 2964, "setdatabase:oid setrole:oid setconfig:_text"),
    (_PG, "pg_default_acl", 826, "oid:oid defaclrole:oid defaclnamespace:oid "
     "defaclobjtype:char defaclacl:_aclitem"),
    (_PG, "pg_init_privs", 3394, "objoid:oid classoid:oid objsubid:int4 privtype:char "
     "initprivs:_aclitem"),
    (_PG, "pg_seclabel", 3596, "objoid:oid classoid:oid objsubid:int4 provider:text label:text"),
    (_PG, "pg_event_trigger", 3466, "oid:oid evtname:name evtevent:name evtowner:oid "
     "evtfoid:oid evtenabled:char evttags:_text"),
    (_PG, "pg_opclass", 2616, "oid:oid opcmethod:oid opcname:name opcnamespace:oid "
     "opcowner:oid opcfamily:oid opcintype:oid opcdefault:bool opckeytype:oid"),
    (_PG, "pg_operator", 2617, "oid:oid oprname:name oprnamespace:oid oprowner:oid "
     "oprkind:char oprcanmerge:bool oprcanhash:bool oprleft:oid oprright:oid oprresult:oid "
     "oprcom:oid oprnegate:oid oprcode:regproc oprrest:regproc oprjoin:regproc"),
    (_PG, "pg_cast", 2605, "oid:oid castsource:oid casttarget:oid castfunc:oid "
     "castcontext:char castmethod:char"),
    (_PG, "pg_conversion", 2607, "oid:oid conname:name connamespace:oid conowner:oid "
     "conforencoding:int4 contoencoding:int4 conproc:regproc condefault:bool"),
    (_PG, "pg_aggregate", 2600, "aggfnoid:regproc aggkind:char aggnumdirectargs:int2 "
     "aggtransfn:regproc aggfinalfn:regproc aggcombinefn:regproc aggserialfn:regproc "
     "aggdeserialfn:regproc aggmtransfn:regproc aggminvtransfn:regproc aggmfinalfn:regproc "
     "aggfinalextra:bool aggmfinalextra:bool aggfinalmodify:char aggmfinalmodify:char "
     "aggsortop:oid aggtranstype:oid aggtransspace:int4 aggmtranstype:oid "
     "aggmtransspace:int4 agginitval:text aggminitval:text"),
    (_PG, "pg_stat_user_tables", 12161, _PG_STAT_USER_TABLES),
    (_PG, "pg_statio_user_tables", 12179, "relid:oid schemaname:name relname:name "
     "heap_blks_read:int8 heap_blks_hit:int8 idx_blks_read:int8 idx_blks_hit:int8 "
     "toast_blks_read:int8 toast_blks_hit:int8 tidx_blks_read:int8 tidx_blks_hit:int8"),
):  # fmt: skip
    empty_table(_schema, _name, _oid, _spec)
