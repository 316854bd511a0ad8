"""Rules shared by both files: required text, length limits, fixed value sets, ids."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bike_pipeline.ingest.vector_checks import positive_int
from bike_pipeline.ingest.verdicts import Verdicts, as_mask


def required_text(verdicts: Verdicts, values: pa.Array, column: str, max_length: int) -> None:
    verdicts.fail(pc.equal(values, ""), f"{column}: required but empty")
    optional_text(verdicts, values, column, max_length)


def optional_text(verdicts: Verdicts, values: pa.Array, column: str, max_length: int) -> None:
    verdicts.fail(
        pc.greater(pc.utf8_length(values), max_length),
        f"{column}: longer than {max_length} characters",
    )


def one_of(verdicts: Verdicts, values: pa.Array, column: str, allowed: tuple[str, ...]) -> None:
    verdicts.fail(
        pc.invert(pc.is_in(values, value_set=pa.array(allowed))),
        f"{column}: not one of {', '.join(value or '(empty)' for value in allowed)}",
    )


def identifier(verdicts: Verdicts, values: pa.Array, column: str) -> pa.Array:
    """A positive integer id (fits PostgreSQL's integer); invalid rows get 0."""
    numbers, ok = positive_int(values)
    verdicts.fail(~ok, f"{column}: not a positive integer")
    return pa.array(np.where(ok, numbers, 0).astype(np.int32))


def matches(verdicts: Verdicts, values: pa.Array, pattern: str, reason: str) -> np.ndarray:
    ok = as_mask(pc.match_substring_regex(values, pattern))
    verdicts.fail(~ok, reason)
    return ok
