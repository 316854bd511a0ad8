"""Where the CSV records of a block of bytes start and end, quote-aware and vectorised.

Most records are one physical line. A line with an odd number of quote characters
either opens a quoted field running over several lines (closed by the next such line)
or has a stray quote. Only those rare odd lines are paired in a Python loop; everything
else is NumPy over the positions of newlines, quotes and commas.

A quote is in place when it opens a field (after a comma or at the record start),
closes one (before a comma or the record end), or is doubled inside a quoted field
(RFC 4180). A record with a quote out of place is malformed and stays one line long,
so a stray quote never swallows the rows after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NL, CR, QUOTE, COMMA = 10, 13, 34, 44


@dataclass(frozen=True)
class RecordSplit:
    starts: np.ndarray  # byte offset of each record
    ends: np.ndarray  # byte offset after its last field (line end without CR)
    first_lines: np.ndarray  # index of each record's first physical line in the block
    malformed: np.ndarray  # bool per record: quotes out of place
    fields: np.ndarray  # field count per record (commas outside quotes + 1)
    consumed: int  # bytes of the block covered by complete records
    multiline: bool  # a quoted field holds a newline somewhere


def misplaced_quotes(arr: np.ndarray, quotes: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Per quote: out of place? `rank` is its index among its record's quotes."""
    if len(quotes) == 0:
        return np.zeros(0, bool)
    size = len(arr)
    previous = np.where(quotes > 0, arr[np.maximum(quotes - 1, 0)], NL)
    following = np.where(quotes + 1 < size, arr[np.minimum(quotes + 1, size - 1)], NL)
    after_quote = np.zeros(len(quotes), bool)
    after_quote[1:] = (quotes[1:] == quotes[:-1] + 1) & (rank[1:] > 0)
    before_quote = np.zeros(len(quotes), bool)
    before_quote[:-1] = (quotes[:-1] + 1 == quotes[1:]) & (rank[1:] > 0)
    opens_well = (previous == COMMA) | (previous == NL) | after_quote
    closes_well = (following == COMMA) | (following == NL) | (following == CR) | before_quote
    return np.where((rank & 1) == 0, ~opens_well, ~closes_well)


def _span_is_well_quoted(arr: np.ndarray, quotes: np.ndarray) -> bool:
    return not misplaced_quotes(arr, quotes, np.arange(len(quotes))).any()


def _field_counts(
    arr: np.ndarray,
    quotes: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    q_start: np.ndarray,
    q_end: np.ndarray,
) -> np.ndarray:
    """Commas outside quotes + 1, per record; only records holding quotes need the parity."""
    commas = np.flatnonzero(arr == COMMA)
    first, last = np.searchsorted(commas, starts), np.searchsorted(commas, ends)
    fields = last - first + 1
    quoted = np.flatnonzero(q_end > q_start)
    if len(quoted) == 0:
        return fields
    counts = last[quoted] - first[quoted]
    owner = np.repeat(quoted, counts)
    offsets = np.repeat(first[quoted] - (np.cumsum(counts) - counts), counts)
    inner = commas[np.arange(int(counts.sum())) + offsets]
    inside = ((np.searchsorted(quotes, inner) - q_start[owner]) & 1) == 1
    return fields - np.bincount(owner[inside], minlength=len(fields))


def split_records(arr: np.ndarray, final: bool, max_record: int) -> RecordSplit | None:
    """The complete records of `arr` (a block starting at a record start), or None if none.

    Without `final`, the bytes after the last complete record are left for the next
    block; an unclosed quoted field longer than `max_record` bytes is declared malformed
    instead, which bounds the memory a stray quote can cost.
    """
    newlines = np.flatnonzero(arr == NL)
    line_ends = newlines
    if final and len(arr) and (len(newlines) == 0 or newlines[-1] != len(arr) - 1):
        line_ends = np.append(newlines, len(arr))
    if len(line_ends) == 0:
        return None
    line_starts = np.concatenate([[0], line_ends[:-1] + 1])
    quotes = np.flatnonzero(arr == QUOTE)
    q_first = np.searchsorted(quotes, line_starts)
    q_counts = np.searchsorted(quotes, line_ends) - q_first

    record_end = np.ones(len(line_ends), bool)  # does a record end with this line?
    lonely = np.zeros(len(line_ends), bool)  # odd line that is malformed on its own
    cut = len(line_ends)
    odd = np.flatnonzero(q_counts & 1).tolist()
    k = 0
    while k < len(odd):
        i = odd[k]
        if k + 1 < len(odd):
            j = odd[k + 1]
            span = quotes[q_first[i] : q_first[j] + q_counts[j]]
            if _span_is_well_quoted(arr, span):
                record_end[i:j] = False
                k += 2
                continue
        elif not final and len(arr) - line_starts[i] <= max_record:
            cut = i  # the record may close in the next block
            break
        lonely[i] = True
        k += 1
    if cut == 0:
        return None

    ends_mask = record_end[:cut]
    last_lines = np.flatnonzero(ends_mask)
    first_lines = np.concatenate([[0], last_lines[:-1] + 1])
    starts = line_starts[first_lines]
    ends = line_ends[last_lines]
    consumed = int(ends[-1]) + 1 if ends[-1] < len(arr) else len(arr)
    ends = ends - ((ends > starts) & (arr[np.maximum(ends - 1, 0)] == CR))

    # quotes out of place, ranked within their record
    q_start = np.searchsorted(quotes, starts)
    q_end = np.searchsorted(quotes, ends)
    owner = np.searchsorted(starts, quotes[: q_end[-1]], side="right") - 1
    rank = np.arange(len(owner)) - q_start[owner]
    bad_quote = misplaced_quotes(arr, quotes[: len(owner)], rank)
    malformed = np.zeros(len(starts), bool)
    malformed[owner[bad_quote]] = True
    malformed |= lonely[first_lines]
    malformed |= ((q_end - q_start) & 1) == 1

    fields = _field_counts(arr[:consumed], quotes, starts, ends, q_start, q_end)
    return RecordSplit(
        starts=starts,
        ends=ends,
        first_lines=first_lines,
        malformed=malformed,
        fields=fields,
        consumed=consumed,
        multiline=bool((~ends_mask).any()),
    )
