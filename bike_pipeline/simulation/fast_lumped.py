"""The replication engine for scenarios whose customers are interchangeable (`full`).

When every customer is evaluated each tick with one pool of bikes, no stations, no balking
and no churn, registered customers without a bike differ only in what the trip-intention
count needs: whether they are insured, how many ticks ago they were last refused (1, 2, 3,
or longer: a fresh intention) and, within a refusal streak, when the streak started. The
customers are then counted per cell (ticks since the last refusal, the week and rush-or-not
of the streak's start, insured) instead of one by one: each tick a cell's wanting customers
are one binomial draw, the customers served a multivariate hypergeometric draw over the
cells (who comes first is a random order, so the served are a uniform subset of the
wanting), and the rest move cell. That is the same Markov chain as the customer-level loop,
at a few dozen draws per tick instead of one per customer: at 10,000 customers refused
every tick once the fleet is gone, this is what makes six months take milliseconds.

The one thing kept coarser: a streak served after refusals takes its lost intention back in
the first tick of the week and rush-hour class its streak started in, not its exact tick.
Every figure built on lost intentions (totals, rush-hour service level, the worst week's
rush-hour service level) sums them by week and rush hour, so their distribution is exactly
the customer-level one (`test_fast_engine_equivalence.py`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from bike_pipeline.simulation.fast_kernel import (
    AVAILABLE,
    C_BOUGHT,
    C_DROPPED,
    C_DROPPED_HOURS,
    C_HELD_TICKS,
    C_INSURED,
    C_LOST,
    C_REFUSED,
    C_RENTAL_HOURS,
    C_RENTED,
    C_REPAIRS,
    C_REPAIRS_PAID,
    C_REPLACED,
    C_SUBSCRIBED,
    C_TOTALLED,
    E_BOUGHT_BIKE,
    E_LOST_BIKE,
    E_REPLACED_BIKE,
    IN_REPAIR,
    RENTED,
    TICK_MINUTES,
    TICKS_PER_WEEK,
    TOTALLED,
    _below,
    _bernoulli_positions,
    _grow,
    _ride,
    charge_open_rentals,
    week_below,
)
from bike_pipeline.simulation.fast_random import uniform


@njit(cache=True)
def _binomial(rng: np.ndarray, n: int, p: float) -> int:
    """Binomial(n, p): a uniform per trial up to a few dozen trials, else numba's
    (NumPy's algorithms, its generator seeded once per replication)."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if n <= 32:
        found = 0
        for _ in range(n):
            found += uniform(rng) < p
        return found
    return np.random.binomial(n, p)


@njit(cache=True)
def _good_among(rng: np.ndarray, good: int, total: int, draws: int) -> int:
    """How many of `draws` items drawn without replacement from `total` are among `good`."""
    found = 0
    for i in range(draws):
        if uniform(rng) * (total - i) < good - found:
            found += 1
    return found


@njit(cache=True)
def _hypergeometric(rng: np.ndarray, good: int, bad: int, sample: int) -> int:
    """Hypergeometric(good, bad, sample), exact, in min(good, bad, sample, rest) draws: by
    the distribution's symmetries (count in the smaller of the sample and the rest, in the
    smaller class, and good-in-sample ~ sample-in-good)."""
    total = good + bad
    if sample <= 0 or good <= 0:
        return 0
    if bad <= 0:
        return min(good, sample)
    if sample >= total:
        return good
    draws, rest = sample, False
    if draws > total - draws:
        draws, rest = total - draws, True
    kind, other = good, False
    if kind > total - kind:
        kind, other = total - kind, True
    found = (
        _good_among(rng, draws, total, kind)
        if kind < draws
        else _good_among(rng, kind, total, draws)
    )
    if other:
        found = draws - found
    if rest:
        found = good - found
    return found


@njit(cache=True, nogil=True)
def run_lumped(
    rng: np.ndarray,
    numpy_seed: int,
    ticks: int,
    registered: np.ndarray,
    insured: np.ndarray,
    subscribe_from: np.ndarray,
    bike_status_in: np.ndarray,
    bike_ready_in: np.ndarray,
    bike_loss_in: np.ndarray,
    bike_new_in: np.ndarray,
    p_subscribe: float,
    p_insure: float,
    p_totalled: float,
    p_repair: float,
    turnaround: int,
    replace_totalled: bool,
    lognormal: bool,
    ln_mu: float,
    ln_sigma: float,
    length_cum: np.ndarray,
    hazard: np.ndarray,
    p_rent: np.ndarray,
    rush: np.ndarray,
    buy_per_week: int,
    mix_price: float,
    stop_below: float,
    counts: np.ndarray,
    euros: np.ndarray,
) -> int:
    """As `fast_kernel.run_replication` for a scenario evaluating every customer with one
    pool, no balking and no churn (customers interchangeable but for the cells above)."""
    np.random.seed(numpy_seed)
    n = len(registered)
    weeks = ticks // TICKS_PER_WEEK + 1
    buckets = 2 * weeks
    # First tick of each (week, rush) class: where a served streak takes its intention back.
    first_tick = np.full(buckets, -1, np.int64)
    for t in range(ticks):
        b = 2 * (t // TICKS_PER_WEEK) + (1 if rush[t] else 0)
        if first_tick[b] < 0:
            first_tick[b] = t
    # Idle registered customers: fresh[insured]; act[ticks since refused - 1, bucket, ins].
    fresh = np.zeros(2, np.int64)
    act = np.zeros((3, buckets, 2), np.int64)
    want_fresh = np.zeros(2, np.int64)
    want_act = np.zeros((3, buckets, 2), np.int64)
    lowest_bucket = buckets
    unreg = np.empty(n, np.int64)
    unreg_n = 0
    for c in range(n):
        if registered[c]:
            fresh[1 if insured[c] else 0] += 1
        else:
            unreg[unreg_n] = c
            unreg_n += 1

    nb = len(bike_status_in)
    status = bike_status_in.copy()
    loss = bike_loss_in.copy()
    new_price = bike_new_in.copy()
    rent_insured = np.zeros(nb, np.int64)
    rent_start = np.zeros(nb, np.int64)
    rent_minutes = np.zeros(nb, np.int64)
    next_in_bucket = np.full(nb, -1, np.int64)
    drop_head = np.full(ticks + 1, -1, np.int64)
    ready_head = np.full(ticks + 1, -1, np.int64)
    pool = np.empty(max(8, 2 * nb), np.int64)
    pool_n = 0
    # Generic bikes (bought for this world: no loss when totalled, replaced at the mix
    # price) are interchangeable too: counted, not tracked, when the drop rule is the
    # literal table and the run has no early stop (their open rentals are charged at the
    # horizon when they start). Per drop tick: due rentals by insured, their hours and ticks held.
    generic = stop_below < 0.0 and not lognormal
    g_pool = 0
    g_due = np.zeros((2, ticks + 1), np.int64)
    g_hours = np.zeros(ticks + 1, np.int64)
    g_held = np.zeros(ticks + 1, np.int64)
    g_ready = np.zeros(ticks + 1, np.int64)
    g_open_hours = 0
    served_ins = np.zeros(2, np.int64)
    for b in range(nb):
        if generic and loss[b] == 0.0 and new_price[b] == mix_price:
            if status[b] == AVAILABLE:
                g_pool += 1
            elif status[b] == IN_REPAIR and max(bike_ready_in[b], 0) < ticks:
                g_ready[max(bike_ready_in[b], 0)] += 1
            continue
        if status[b] == AVAILABLE:
            pool[pool_n] = b
            pool_n += 1
        elif status[b] == IN_REPAIR:
            ready = max(bike_ready_in[b], 0)
            if ready < ticks:
                next_in_bucket[b] = ready_head[ready]
                ready_head[ready] = b

    hits = np.empty(max(n, 1), np.int64)
    ticks_run = ticks
    for t in range(ticks):
        b = ready_head[t]
        while b >= 0:
            following = next_in_bucket[b]
            status[b] = AVAILABLE
            pool = _grow(pool, pool_n + 1)
            pool[pool_n] = b
            pool_n += 1
            b = following
        g_pool += g_ready[t]

        # Rule 1: the not yet registered, one by one (their birthdays differ).
        found = _bernoulli_positions(rng, unreg_n, p_subscribe, hits)
        for h in range(found - 1, -1, -1):
            c = unreg[hits[h]]
            if subscribe_from[c] > t:
                continue
            unreg_n -= 1
            unreg[hits[h]] = unreg[unreg_n]
            counts[C_SUBSCRIBED, t] += 1
            if uniform(rng) < p_insure:
                counts[C_INSURED, t] += 1
                fresh[1] += 1
            else:
                fresh[0] += 1

        # Rule 2: the rentals due back; their customers are fresh again.
        b = drop_head[t]
        while b >= 0:
            following = next_in_bucket[b]
            minutes = rent_minutes[b]
            counts[C_DROPPED, t] += 1
            hours = max(1, (minutes + 59) // 60)
            counts[C_RENTAL_HOURS, t] += hours
            counts[C_DROPPED_HOURS, t] += hours
            counts[C_HELD_TICKS, t] += (minutes + TICK_MINUTES - 1) // TICK_MINUTES
            ins = rent_insured[b]
            fresh[ins] += 1
            outcome = uniform(rng)
            if outcome < p_totalled:
                status[b] = TOTALLED
                counts[C_TOTALLED, t] += 1
                euros[E_LOST_BIKE, t] += loss[b]
                if replace_totalled and generic and new_price[b] == mix_price:
                    g_pool += 1
                    counts[C_REPLACED, t] += 1
                    euros[E_REPLACED_BIKE, t] += mix_price
                elif replace_totalled:
                    fresh_bike = nb
                    nb += 1
                    if nb > len(status):
                        status = _grow(status, nb)
                        loss = _grow(loss, nb)
                        new_price = _grow(new_price, nb)
                        rent_insured = _grow(rent_insured, nb)
                        rent_start = _grow(rent_start, nb)
                        rent_minutes = _grow(rent_minutes, nb)
                        next_in_bucket = _grow(next_in_bucket, nb)
                    status[fresh_bike] = AVAILABLE
                    loss[fresh_bike] = 0.0
                    new_price[fresh_bike] = new_price[b]
                    counts[C_REPLACED, t] += 1
                    euros[E_REPLACED_BIKE, t] += new_price[b]
                    pool = _grow(pool, pool_n + 1)
                    pool[pool_n] = fresh_bike
                    pool_n += 1
            elif outcome < p_totalled + p_repair:
                status[b] = IN_REPAIR
                counts[C_REPAIRS, t] += 1
                if ins == 0:
                    counts[C_REPAIRS_PAID, t] += 1
                ready = t + turnaround
                if ready < ticks:
                    next_in_bucket[b] = ready_head[ready]
                    ready_head[ready] = b
            else:
                status[b] = AVAILABLE
                pool = _grow(pool, pool_n + 1)
                pool[pool_n] = b
                pool_n += 1
            b = following
        for ins in range(2):
            due = g_due[ins, t]
            if due == 0:
                continue
            totalled = _binomial(rng, due, p_totalled)
            repairs = _binomial(rng, due - totalled, p_repair / (1.0 - p_totalled))
            counts[C_DROPPED, t] += due
            counts[C_TOTALLED, t] += totalled
            counts[C_REPAIRS, t] += repairs
            if ins == 0:
                counts[C_REPAIRS_PAID, t] += repairs
            fresh[ins] += due
            g_pool += due - totalled - repairs
            if t + turnaround < ticks:
                g_ready[t + turnaround] += repairs
            if replace_totalled:
                g_pool += totalled
                counts[C_REPLACED, t] += totalled
                euros[E_REPLACED_BIKE, t] += totalled * mix_price
        counts[C_RENTAL_HOURS, t] += g_hours[t]
        counts[C_DROPPED_HOURS, t] += g_hours[t]
        counts[C_HELD_TICKS, t] += g_held[t]

        # Rule 3, per cell: who wants a bike, who of them is served, where the rest go.
        p = p_rent[t]
        now_bucket = 2 * (t // TICKS_PER_WEEK) + (1 if rush[t] else 0)
        top_bucket = 2 * (t // TICKS_PER_WEEK) + 1  # rush and not alternate within a week
        wanting = 0
        for ins in range(2):
            want_fresh[ins] = _binomial(rng, fresh[ins], p)
            wanting += want_fresh[ins]
        for a in range(3):
            for bk in range(lowest_bucket, top_bucket + 1):
                for ins in range(2):
                    want_act[a, bk, ins] = _binomial(rng, act[a, bk, ins], p)
                    wanting += want_act[a, bk, ins]
        to_serve = min(wanting, pool_n + g_pool)
        served_ins[:] = 0
        left = wanting
        refused = wanting - to_serve
        counts[C_REFUSED, t] = refused
        new_streaks = np.zeros(2, np.int64)
        for ins in range(2):
            w = want_fresh[ins]
            served = _hypergeometric(rng, w, left - w, to_serve)
            left -= w
            to_serve -= served
            fresh[ins] -= w
            new_streaks[ins] = w - served
            counts[C_LOST, t] += w - served
            served_ins[ins] += served
            counts[C_RENTED, t] += served
        # Ages move on: 3 -> fresh, 2 -> 3, 1 -> 2; the refused join age 1 (their streak).
        for a in range(2, -1, -1):
            for bk in range(lowest_bucket, top_bucket + 1):
                for ins in range(2):
                    cell = act[a, bk, ins]
                    if cell == 0:
                        continue
                    w = want_act[a, bk, ins]
                    served = _hypergeometric(rng, w, left - w, to_serve)
                    left -= w
                    to_serve -= served
                    if served:
                        counts[C_LOST, first_tick[bk]] -= served
                        counts[C_RENTED, t] += served
                        served_ins[ins] += served
                    stay = cell - w
                    act[a, bk, ins] = 0
                    if a == 2:
                        fresh[ins] += stay
                    else:
                        act[a + 1, bk, ins] += stay
                    want_act[a, bk, ins] = w - served  # refused, joining age 1 below
        for bk in range(lowest_bucket, top_bucket + 1):
            for ins in range(2):
                refused_here = want_act[0, bk, ins] + want_act[1, bk, ins] + want_act[2, bk, ins]
                act[0, bk, ins] += refused_here
                want_act[0, bk, ins] = 0
                want_act[1, bk, ins] = 0
                want_act[2, bk, ins] = 0
        for ins in range(2):
            act[0, now_bucket, ins] += new_streaks[ins]
        # The served get random bikes of the pool: how many are tracked ones, and which of
        # the served (insured or not) get those, are hypergeometric.
        total_served = served_ins[0] + served_ins[1]
        tracked = _hypergeometric(rng, pool_n, g_pool, total_served)
        tracked_insured = _hypergeometric(rng, served_ins[1], served_ins[0], tracked)
        for ins in range(2):
            mine = tracked_insured if ins else tracked - tracked_insured
            for _ in range(mine):
                _rent_one(rng, t, ticks, ins, pool, pool_n, status, rent_insured, rent_start,
                          rent_minutes, next_in_bucket, drop_head, lognormal, ln_mu, ln_sigma,
                          length_cum)  # fmt: skip
                pool_n -= 1
            g_open_hours += _schedule(rng, served_ins[ins] - mine, ins, t, ticks, hazard,
                                      g_due, g_hours, g_held)  # fmt: skip
        g_pool -= total_served - tracked
        lowest_bucket = min(lowest_bucket, now_bucket)
        while lowest_bucket < top_bucket and act[:, lowest_bucket, :].sum() == 0:
            lowest_bucket += 1

        if (t + 1) % TICKS_PER_WEEK == 0:
            if buy_per_week and t + 1 < ticks:
                if generic:
                    g_pool += buy_per_week
                first = nb
                nb += 0 if generic else buy_per_week
                if nb > len(status):
                    status = _grow(status, nb)
                    loss = _grow(loss, nb)
                    new_price = _grow(new_price, nb)
                    rent_insured = _grow(rent_insured, nb)
                    rent_start = _grow(rent_start, nb)
                    rent_minutes = _grow(rent_minutes, nb)
                    next_in_bucket = _grow(next_in_bucket, nb)
                for i in range(buy_per_week if not generic else 0):
                    status[first + i] = AVAILABLE
                    loss[first + i] = 0.0
                    new_price[first + i] = mix_price
                    pool = _grow(pool, pool_n + 1)
                    pool[pool_n] = first + i
                    pool_n += 1
                counts[C_BOUGHT, t] = buy_per_week
                euros[E_BOUGHT_BIKE, t] = buy_per_week * mix_price
            if week_below(counts, rush, t, stop_below):
                ticks_run = t + 1
                break

    if ticks_run > 0:
        counts[C_RENTAL_HOURS, ticks_run - 1] += g_open_hours
    charge_open_rentals(counts, status[:nb], rent_start, ticks_run)
    return ticks_run


@njit(cache=True)
def _schedule(
    rng: np.ndarray,
    rentals: int,
    ins: int,
    t: int,
    ticks: int,
    hazard: np.ndarray,
    due: np.ndarray,
    hours: np.ndarray,
    held: np.ndarray,
) -> int:
    """Book `rentals` generic rentals started at tick t on the ticks they come back: after k
    ticks, a binomial draw with the drop rule's hazard of the k-th check from those still
    out. Returns the started hours to charge at the horizon for those still out then."""
    k = 1
    while rentals > 0:
        if t + k >= ticks:
            held = (ticks - t) * TICK_MINUTES
            return rentals * max(1, (held + 59) // 60)
        back = _binomial(rng, rentals, hazard[k - 1])
        if back:
            due[ins, t + k] += back
            hours[t + k] += back * max(1, (k * TICK_MINUTES + 59) // 60)
            held[t + k] += back * k
            rentals -= back
        k += 1
    return 0


@njit(cache=True)
def _rent_one(
    rng: np.ndarray,
    t: int,
    ticks: int,
    ins: int,
    pool: np.ndarray,
    pool_n: int,
    status: np.ndarray,
    rent_insured: np.ndarray,
    rent_start: np.ndarray,
    rent_minutes: np.ndarray,
    next_in_bucket: np.ndarray,
    drop_head: np.ndarray,
    lognormal: bool,
    ln_mu: float,
    ln_sigma: float,
    length_cum: np.ndarray,
) -> None:
    """A random bike of the pool (of `pool_n`) to a customer (insured or not) at tick t; the
    caller shrinks the pool by one."""
    j = _below(rng, pool_n)
    b = pool[j]
    pool[j] = pool[pool_n - 1]
    status[b] = RENTED
    rent_insured[b] = ins
    rent_start[b] = t
    k, minutes = _ride(rng, lognormal, ln_mu, ln_sigma, length_cum, ticks)
    rent_minutes[b] = minutes
    if t + k < ticks:
        next_in_bucket[b] = drop_head[t + k]
        drop_head[t + k] = b
