"""Search every table and view of `bi` for clear personal values and unkeyed hashes of them.

The forbidden tokens come from `core.customers`: the clear values (BSN, IBAN, names,
e-mail, phone, street, postcode, birth date in both formats) and the plain SHA-2/MD5
digests of BSN, IBAN and e-mail, the ones anybody can recompute without the key. Every
column of every relation in `bi` is cast to text (JSON is searched value by value) and
compared, case-insensitively, with the tokens. Whole-value equality, not substring
search: a 9-digit BSN occurs by chance inside millions of 64-character hex pseudonyms.
(For the same reason a BSN is searched with its leading zeros only: without them it
could equal an event or rental id.)
Findings name the relation, column and kind of value, never the value.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bike_pipeline.db.base import BI_SCHEMA

_HASHED = {
    "bsn": "c.bsn",
    "iban": "c.iban",
    "email": "lower(btrim(c.email))",
    "email_as_stored": "c.email",
}
_DIGESTS = {
    "sha256": "encode(sha256(convert_to({v}, 'UTF8')), 'hex')",
    "sha224": "encode(sha224(convert_to({v}, 'UTF8')), 'hex')",
    "sha512": "encode(sha512(convert_to({v}, 'UTF8')), 'hex')",
    "md5": "md5({v})",
}
_CLEAR = {
    "bsn": "c.bsn",
    "iban": "c.iban",
    "email": "c.email",
    "first_name": "c.first_name",
    "last_name": "c.last_name",
    "full_name": "c.first_name || ' ' || c.last_name",
    "phone": "c.phone",
    "street": "c.street",
    "address": "c.street || ' ' || c.house_number",
    "postcode": "c.postcode",
    "postcode_compact": "replace(c.postcode, ' ', '')",
    "date_of_birth": "c.date_of_birth::text",
    "date_of_birth_dump": "to_char(c.date_of_birth, 'DD-MM-YYYY')",
}


@dataclass(frozen=True)
class Finding:
    relation: str
    column: str
    kind: str
    rows: int

    def __str__(self) -> str:
        return (
            f"{self.relation}.{self.column}: {self.rows} value(s) equal to a customer's {self.kind}"
        )


def forbidden_tokens_sql() -> str:
    """SELECT (token, kind) of every forbidden value of every customer."""
    values = [f"({expr}, '{kind}')" for kind, expr in _CLEAR.items()]
    for field, expr in _HASHED.items():
        for digest, template in _DIGESTS.items():
            values.append(f"({template.format(v=expr)}, '{digest}({field})')")
    return (
        "SELECT lower(btrim(t.token)) AS token, t.kind FROM core.customers c "
        f"CROSS JOIN LATERAL (VALUES {', '.join(values)}) AS t(token, kind) "
        "WHERE t.token IS NOT NULL AND btrim(t.token) <> ''"
    )


def _relation_columns(conn: sa.Connection) -> dict[str, list[tuple[str, str]]]:
    rows = conn.execute(
        sa.text(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE n.nspname = :schema AND c.relkind IN ('r', 'v', 'm', 'p') "
            "ORDER BY c.relname, a.attnum"
        ),
        {"schema": BI_SCHEMA},
    )
    relations: dict[str, list[tuple[str, str]]] = {}
    for relation, column, type_name in rows:
        relations.setdefault(relation, []).append((column, type_name))
    return relations


def _column_findings_sql(relation: str, column: str, type_name: str) -> str:
    """(column, kind, rows) of one column's values equal to a forbidden token.

    The column's distinct values are looked up in the indexed token table: most columns
    hold few distinct values (types, bands, one pseudonym per customer), and the token
    table, a million rows for 50,000 customers, is never sorted or hashed again per
    column. JSON is searched value by value (every scalar at any depth).
    """
    source = f'{BI_SCHEMA}."{relation}" t'
    if type_name in ("json", "jsonb"):
        source += f" CROSS JOIN LATERAL jsonb_path_query(t.\"{column}\"::jsonb, 'strict $.**') AS j"
        atom = "j #>> '{}'"
        scalar_only = " WHERE jsonb_typeof(j) NOT IN ('object', 'array')"
    else:
        atom, scalar_only = f't."{column}"::text', ""
    return (
        f"SELECT '{column}' AS column_name, f.kind, sum(a.n)::bigint AS n FROM ("
        f"SELECT lower(btrim({atom})) AS atom, count(*) AS n FROM {source}{scalar_only} "
        "GROUP BY 1) AS a JOIN forbidden_tokens f ON f.token = a.atom GROUP BY f.kind"
    )


def find_personal_values_in_bi(engine: sa.Engine) -> list[Finding]:
    """Every (relation, column, kind) of `bi` holding a customer's clear value or plain hash."""
    findings: list[Finding] = []
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TEMPORARY TABLE forbidden_tokens ON COMMIT DROP AS "
                + forbidden_tokens_sql()
            )
        )
        conn.execute(sa.text("CREATE INDEX ON forbidden_tokens (token)"))
        conn.execute(sa.text("ANALYZE forbidden_tokens"))
        for relation, columns in _relation_columns(conn).items():
            per_column = " UNION ALL ".join(
                _column_findings_sql(relation, column, type_name) for column, type_name in columns
            )
            rows = conn.execute(sa.text(f"SELECT * FROM ({per_column}) AS found ORDER BY 1, 2"))
            findings.extend(
                Finding(f"{BI_SCHEMA}.{relation}", column, kind, count)
                for column, kind, count in rows
            )
    return findings
