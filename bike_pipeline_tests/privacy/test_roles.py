"""Each role reads exactly its schemas; PostgreSQL refuses the rest with SQLSTATE 42501."""

import multiprocessing
import threading
import uuid
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

import pytest
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.db.engine import create_schema
from bike_pipeline.db.roles import ROLE_SCHEMAS, ensure_roles
from bike_pipeline.db.scratch import scratch_database

INSUFFICIENT_PRIVILEGE = "42501"
WORKERS = 6
RELATIONS = {
    "core": "core.customers",
    "bi": "bi.events",
    "bi_view": "bi.top_riders",
    "analytics": "analytics.customers",
}
ALLOWED = {
    "bi_reader": {"bi", "bi_view"},
    "analyst": {"analytics"},
    "data_engineer": {"core", "bi", "bi_view", "analytics"},
}


@pytest.fixture
def with_roles(engine: sa.Engine) -> sa.Engine:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE OR REPLACE VIEW bi.top_riders AS SELECT 1 AS x"))
    ensure_roles(engine)
    return engine


def _select_as(engine: sa.Engine, role: str, relation: str) -> str | None:
    """None when the SELECT works, else the SQLSTATE."""
    with engine.connect() as conn:
        conn.execute(sa.text(f"SET ROLE {role}"))
        try:
            conn.execute(sa.text(f"SELECT * FROM {relation} LIMIT 1")).all()
            return None
        except sa.exc.DBAPIError as error:
            return error.orig.pgcode
        finally:
            conn.rollback()


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_reads_exactly_its_schemas(with_roles: sa.Engine, role: str) -> None:
    outcome = {name: _select_as(with_roles, role, rel) for name, rel in RELATIONS.items()}
    assert outcome == {
        name: None if name in ALLOWED[role] else INSUFFICIENT_PRIVILEGE for name in RELATIONS
    }


def test_tables_created_later_follow_the_default_privileges(with_roles: sa.Engine) -> None:
    with with_roles.begin() as conn:
        conn.execute(sa.text("CREATE TABLE bi.later (x int)"))
        conn.execute(sa.text("CREATE TABLE analytics.later (x int)"))
    assert _select_as(with_roles, "bi_reader", "bi.later") is None
    assert _select_as(with_roles, "bi_reader", "analytics.later") == INSUFFICIENT_PRIVILEGE
    assert _select_as(with_roles, "analyst", "analytics.later") is None
    assert _select_as(with_roles, "analyst", "bi.later") == INSUFFICIENT_PRIVILEGE


def test_roles_are_created_idempotently_and_race_safely(engine: sa.Engine) -> None:
    suffix = uuid.uuid4().hex[:8]
    roles = {f"t_reader_{suffix}": ("bi",), f"t_analyst_{suffix}": ("analytics",)}
    errors: list[BaseException] = []

    def create() -> None:
        try:
            ensure_roles(engine, roles)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=create) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ensure_roles(engine, roles)
        assert errors == []
        with engine.connect() as conn:
            found = conn.execute(
                sa.text("SELECT count(*) FROM pg_roles WHERE rolname = ANY(:names)"),
                {"names": list(roles)},
            ).scalar_one()
        assert found == 2
    finally:
        with engine.begin() as conn:
            for role in roles:
                conn.execute(sa.text(f"DROP OWNED BY {role}"))
                conn.execute(sa.text(f"DROP ROLE {role}"))


def test_the_contract_roles_are_the_three_of_section_4() -> None:
    assert {r: set(s) for r, s in ROLE_SCHEMAS.items()} == {
        "bi_reader": {"bi"},
        "analyst": {"analytics"},
        "data_engineer": {"core", "bi", "analytics"},
    }


def _set_up_then_work(url: str, worker: int, start: Barrier, errors: Queue) -> None:
    """One process: create the schema (roles included), then what a privacy step does:
    even workers TRUNCATE analytics.customers (the analytics refresh), odd ones ensure
    the roles (both assets do afterwards)."""
    engine = sa.create_engine(url)
    try:
        start.wait()
        create_schema(engine)
        for _ in range(15):
            if worker % 2:
                ensure_roles(engine)
            else:
                with engine.begin() as conn:
                    conn.execute(sa.text("TRUNCATE analytics.customers"))
        errors.put(None)
    except BaseException as error:
        errors.put(f"worker {worker}: {error}")
    finally:
        engine.dispose()


def test_role_setup_from_parallel_processes_on_a_fresh_database(
    servers: services.ServiceUrls,
) -> None:
    """The first `privacy_tables` run failed 3 of 3 times on a fresh cluster with "tuple
    concurrently updated" (GRANT beside TRUNCATE in parallel step processes)."""
    with scratch_database(servers.database_url, "t_roles") as url:  # no schema, no grants
        context = multiprocessing.get_context("spawn")
        start, errors = context.Barrier(WORKERS), context.Queue()
        workers = [
            context.Process(target=_set_up_then_work, args=(url, n, start, errors))
            for n in range(WORKERS)
        ]
        try:
            for process in workers:
                process.start()
            outcomes = [errors.get(timeout=120) for _ in workers]
            for process in workers:
                process.join(timeout=30)
            assert outcomes == [None] * WORKERS
            engine = sa.create_engine(url)
            with engine.begin() as conn:
                conn.execute(sa.text("CREATE OR REPLACE VIEW bi.top_riders AS SELECT 1 AS x"))
            for role, allowed in ALLOWED.items():
                outcome = {name: _select_as(engine, role, rel) for name, rel in RELATIONS.items()}
                assert outcome == {
                    name: None if name in allowed else INSUFFICIENT_PRIVILEGE for name in RELATIONS
                }, role
            engine.dispose()
        finally:
            for process in workers:
                process.kill()


def test_a_database_set_up_is_only_read_again(engine: sa.Engine) -> None:
    """No catalog row is rewritten by a second setup (so it cannot collide with anything)."""
    with engine.begin() as conn:
        before = conn.execute(sa.text(_CATALOG_VERSIONS)).all()
    ensure_roles(engine)
    create_schema(engine)
    with engine.begin() as conn:
        assert conn.execute(sa.text(_CATALOG_VERSIONS)).all() == before


_CATALOG_VERSIONS = """
SELECT 'class', c.oid::regclass::text, c.xmin::text FROM pg_class AS c
  JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname IN ('core', 'bi', 'analytics')
UNION ALL SELECT 'namespace', nspname, xmin::text FROM pg_namespace
UNION ALL SELECT 'default_acl', defaclnamespace::regnamespace::text, xmin::text FROM pg_default_acl
ORDER BY 1, 2
"""
