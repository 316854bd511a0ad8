"""The replication engine's compiled loop: the tick rules of `engine.py` drawn the fast way.

Same rules, same knobs, same distributions as the canonical engine, but only what can happen
is drawn and nothing is materialised as events:

- Bernoulli trials over a list (subscribe, want a bike) draw the gaps between successes
  (geometric) when the probability is small, so a tick of the calibrated scenario costs its
  few events rather than one draw per customer; at large probabilities one uniform each.
- A rental's length is drawn once, when it starts, from the distribution the per-tick drop
  hazard implies (the literal rule's table, or a lognormal ride), and the bike waits in the
  bucket of the tick it comes back: a drop check per open rental per tick is not needed.
- Bikes in repair wait in the bucket of the tick they are ready again.
- Available bikes are kept per station in a pool (swap-remove), so a random bike at a station
  is one draw.
- Counts go straight into the per-tick columns of `reporting.series.TickSeries`.

The canonical engine stays the definition of the rules for persisted runs (exact resume,
pinned event hashes); `bike_pipeline_tests/simulation/test_fast_engine_equivalence.py` proves
this one draws the same model. Column indices are `COUNT_INDEX` / `EURO_INDEX` in
`fast_engine.py`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from bike_pipeline.simulation.fast_random import uniform

AVAILABLE, RENTED, IN_REPAIR, TOTALLED = 0, 1, 2, 3
NEVER = -(10**9)
RETRY_WINDOW_TICKS = 3
TICK_MINUTES = 20
TICKS_PER_WEEK = 7 * 72
# Bernoulli trials below this probability draw geometric gaps instead of one uniform each.
SKIP_BELOW = 0.2

# Count columns (same order as reporting.series.COUNT_COLUMNS).
(
    C_SUBSCRIBED,
    C_INSURED,
    C_RENTED,
    C_DROPPED,
    C_REPAIRS,
    C_REPAIRS_PAID,
    C_TOTALLED,
    C_REFUSED,
    C_REPLACED,
    C_RENTAL_HOURS,
    C_BOUGHT,
    C_LOST,
    C_HELD_TICKS,
    C_DROPPED_HOURS,
    C_CHURNED,
    C_CHURNED_INSURED,
    C_MOVES,
) = range(17)
E_LOST_BIKE, E_REPLACED_BIKE, E_BOUGHT_BIKE = range(3)


@njit(cache=True)
def _below(rng: np.ndarray, m: int) -> int:
    """A uniform integer in [0, m)."""
    return min(int(uniform(rng) * m), m - 1)


@njit(cache=True)
def _bernoulli_positions(rng: np.ndarray, length: int, p: float, out: np.ndarray) -> int:
    """Positions in [0, length) that succeed with probability p each, ascending, into `out`;
    returns how many."""
    found = 0
    if p <= 0.0 or length == 0:
        return 0
    if p >= SKIP_BELOW:
        for i in range(length):
            out[found] = i
            found += uniform(rng) < p
        return found
    log_q = math.log1p(-p)
    i = -1
    while True:
        i += 1 + int(math.floor(math.log(1.0 - uniform(rng)) / log_q))
        if i >= length:
            return found
        out[found] = i
        found += 1


@njit(cache=True)
def _grow(a: np.ndarray, size: int) -> np.ndarray:
    if size <= len(a):
        return a
    bigger = np.empty(max(size, 2 * len(a)), a.dtype)
    bigger[: len(a)] = a
    return bigger


@njit(cache=True)
def _grow_pools(pool: np.ndarray, width: int) -> np.ndarray:
    if width <= pool.shape[1]:
        return pool
    bigger = np.empty((pool.shape[0], max(width, 2 * pool.shape[1])), pool.dtype)
    bigger[:, : pool.shape[1]] = pool
    return bigger


@njit(cache=True)
def _to_pool(pool: np.ndarray, pool_count: np.ndarray, station: int, bike: int) -> np.ndarray:
    """`bike` available at `station`: appended to its pool (widened when full); returns the
    pool, a new array when it had to grow."""
    if pool_count[station] == pool.shape[1]:
        pool = _grow_pools(pool, pool_count[station] + 1)
    pool[station, pool_count[station]] = bike
    pool_count[station] += 1
    return pool


@njit(cache=True)
def _ride(
    rng: np.ndarray,
    lognormal: bool,
    ln_mu: float,
    ln_sigma: float,
    length_cum: np.ndarray,
    horizon: int,
) -> tuple[int, int]:
    """(ticks until the drop, minutes held) of a new rental; ticks > horizon: not within it.
    A lognormal ride of D minutes ends in tick ceil(D / 20) after its start, held ceil(D)
    whole minutes within that tick (`ride_duration.py`)."""
    if lognormal:
        radius = math.sqrt(-2.0 * math.log(1.0 - uniform(rng)))
        normal = radius * math.cos(2.0 * math.pi * uniform(rng))
        minutes = math.exp(ln_mu + ln_sigma * normal)
        if minutes > TICK_MINUTES * (horizon + 1.0):
            return horizon + 1, 0
        k = max(1, int(math.ceil(minutes / TICK_MINUTES)))
        upper = k * TICK_MINUTES
        whole = int(math.ceil(minutes))
        return k, min(max(whole, max(upper - TICK_MINUTES + 1, 1)), upper)
    k = int(np.searchsorted(length_cum, uniform(rng), side="right")) + 1
    return k, k * TICK_MINUTES


@njit(cache=True)
def week_below(counts: np.ndarray, rush: np.ndarray, t: int, stop_below: float) -> bool:
    """Whether the week ending with tick t kept a rush-hour service level (from intentions)
    below `stop_below` (negative: never)."""
    if stop_below < 0.0:
        return False
    rented = 0
    lost = 0
    for u in range(t + 1 - TICKS_PER_WEEK, t + 1):
        if rush[u]:
            rented += counts[C_RENTED, u]
            lost += counts[C_LOST, u]
    return rented + lost > 0 and rented < stop_below * (rented + lost)


@njit(cache=True)
def charge_open_rentals(
    counts: np.ndarray, status: np.ndarray, rent_start: np.ndarray, ticks_run: int
) -> None:
    """Rentals still open at the end are charged their started hours so far."""
    if ticks_run <= 0:
        return
    for b in range(len(status)):
        if status[b] == RENTED:
            minutes = (ticks_run - rent_start[b]) * TICK_MINUTES
            counts[C_RENTAL_HOURS, ticks_run - 1] += max(1, (minutes + 59) // 60)


@njit(cache=True, nogil=True)
def run_replication(
    rng: np.ndarray,
    ticks: int,
    registered: np.ndarray,
    insured: np.ndarray,
    subscribe_from: np.ndarray,
    home: np.ndarray,
    bike_status_in: np.ndarray,
    bike_ready_in: np.ndarray,
    bike_station_in: np.ndarray,
    bike_loss_in: np.ndarray,
    bike_new_in: np.ndarray,
    evaluate_all: bool,
    sample_low: int,
    sample_high: int,
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
    balk_ticks: int,
    churn_p: float,
    stations: int,
    dest_cum: np.ndarray,
    station_shares: np.ndarray,
    rebalancing_moves: int,
    p_rent: np.ndarray,
    rush: np.ndarray,
    rebalancing_tick: np.ndarray,
    buy_per_week: int,
    mix_price: float,
    stop_below: float,
    counts: np.ndarray,
    euros: np.ndarray,
    stockouts: np.ndarray,
) -> int:
    """Simulate `ticks` ticks, drawing from the xoshiro state `rng`, into `counts`
    (17 x ticks), `euros` (3 x ticks) and `stockouts` (per station; zeros when `stations` is
    0, no station model: one pool). Returns the ticks run (fewer after a week below
    `stop_below`; a negative `stop_below` never stops). `balk_ticks` 0: refused customers
    retry. The customer and bike arrays passed in are not modified."""
    n = len(registered)
    reg = registered.copy()
    ins = insured.copy()
    # The tick each customer became insured (-1: in the world at tick 0); a churned customer
    # counts as insured when insured before the tick (`replicate`'s `insured_before`).
    churned = np.zeros(n, np.bool_)
    holding = np.zeros(n, np.bool_)
    last_refused = np.full(n, NEVER, np.int64)
    streak_start = np.zeros(n, np.int64)
    rent_from = np.zeros(n, np.int64)

    # Bikes: status, station, values, and the rental each holds (one open rental per bike).
    nb = len(bike_status_in)
    status = bike_status_in.copy()
    station = bike_station_in.copy() if stations else np.zeros(nb, np.int64)
    loss = bike_loss_in.copy()
    new_price = bike_new_in.copy()
    rent_customer = np.full(nb, -1, np.int64)
    rent_start = np.zeros(nb, np.int64)
    rent_minutes = np.zeros(nb, np.int64)
    next_in_bucket = np.full(nb, -1, np.int64)
    drop_head = np.full(ticks + 1, -1, np.int64)
    ready_head = np.full(ticks + 1, -1, np.int64)

    pools_n = max(stations, 1)
    pool_count = np.zeros(pools_n, np.int64)
    for b in range(nb):
        if status[b] == AVAILABLE:
            pool_count[station[b]] += 1
    pool = np.empty((pools_n, max(8, int(pool_count.max()) * 2)), np.int64)
    pool_count[:] = 0
    for b in range(nb):
        if status[b] == AVAILABLE:
            s = station[b]
            pool[s, pool_count[s]] = b
            pool_count[s] += 1
        elif status[b] == IN_REPAIR:
            ready = max(bike_ready_in[b], 0)
            if ready < ticks:
                next_in_bucket[b] = ready_head[ready]
                ready_head[ready] = b

    # Customer lists (evaluate all): not yet registered; registered and holding no bike.
    unreg = np.empty(n, np.int64)
    unreg_n = 0
    idle = np.empty(n, np.int64)
    idle_pos = np.full(n, -1, np.int64)
    idle_n = 0
    if evaluate_all:
        for c in range(n):
            if reg[c]:
                idle[idle_n] = c
                idle_pos[c] = idle_n
                idle_n += 1
            else:
                unreg[unreg_n] = c
                unreg_n += 1
    order = np.arange(n)  # a permutation, partially reshuffled for each tick's sample

    hits = np.empty(n, np.int64)
    wanting = np.empty(n, np.int64)
    ticks_run = ticks

    for t in range(ticks):
        # Repairs finished at the start of the tick.
        b = ready_head[t]
        while b >= 0:
            following = next_in_bucket[b]
            status[b] = AVAILABLE
            s = station[b]
            pool = _to_pool(pool, pool_count, s, b)
            b = following

        # Who is evaluated in rules 1 and 3.
        sample_n = 0
        if not evaluate_all:
            k = min(sample_low + _below(rng, sample_high - sample_low + 1), n)
            for i in range(k):
                j = i + _below(rng, n - i)
                order[i], order[j] = order[j], order[i]
            sample_n = k

        # Rule 1: subscribe (and insure).
        if evaluate_all:
            found = _bernoulli_positions(rng, unreg_n, p_subscribe, hits)
            for h in range(found - 1, -1, -1):
                c = unreg[hits[h]]
                if subscribe_from[c] > t:
                    continue
                unreg_n -= 1
                unreg[hits[h]] = unreg[unreg_n]
                reg[c] = True
                counts[C_SUBSCRIBED, t] += 1
                if uniform(rng) < p_insure:
                    ins[c] = True
                    counts[C_INSURED, t] += 1
                if not holding[c]:
                    idle[idle_n] = c
                    idle_pos[c] = idle_n
                    idle_n += 1
        else:
            for i in range(sample_n):
                c = order[i]
                if reg[c] or churned[c] or subscribe_from[c] > t:
                    continue
                if uniform(rng) < p_subscribe:
                    reg[c] = True
                    counts[C_SUBSCRIBED, t] += 1
                    if uniform(rng) < p_insure:
                        ins[c] = True
                        counts[C_INSURED, t] += 1

        # Rule 2: the rentals due back this tick.
        b = drop_head[t]
        while b >= 0:
            following = next_in_bucket[b]
            c = rent_customer[b]
            minutes = rent_minutes[b]
            counts[C_DROPPED, t] += 1
            hours = max(1, (minutes + 59) // 60)
            counts[C_RENTAL_HOURS, t] += hours
            counts[C_DROPPED_HOURS, t] += hours
            counts[C_HELD_TICKS, t] += (minutes + TICK_MINUTES - 1) // TICK_MINUTES
            holding[c] = False
            rent_customer[b] = -1
            if evaluate_all and reg[c]:
                idle[idle_n] = c
                idle_pos[c] = idle_n
                idle_n += 1
            origin = station[b]
            if stations:
                row = dest_cum[origin]
                station[b] = min(
                    int(np.searchsorted(row, uniform(rng), side="right")), stations - 1
                )
            outcome = uniform(rng)
            if outcome < p_totalled:
                status[b] = TOTALLED
                counts[C_TOTALLED, t] += 1
                euros[E_LOST_BIKE, t] += loss[b]
                if replace_totalled:
                    fresh = nb
                    nb += 1
                    if nb > len(status):
                        status = _grow(status, nb)
                        station = _grow(station, nb)
                        loss = _grow(loss, nb)
                        new_price = _grow(new_price, nb)
                        rent_customer = _grow(rent_customer, nb)
                        rent_start = _grow(rent_start, nb)
                        rent_minutes = _grow(rent_minutes, nb)
                        next_in_bucket = _grow(next_in_bucket, nb)
                    status[fresh] = AVAILABLE
                    station[fresh] = station[b]
                    loss[fresh] = 0.0
                    new_price[fresh] = new_price[b]
                    rent_customer[fresh] = -1
                    counts[C_REPLACED, t] += 1
                    euros[E_REPLACED_BIKE, t] += new_price[b]
                    s = station[fresh]
                    pool = _to_pool(pool, pool_count, s, fresh)
            elif outcome < p_totalled + p_repair:
                status[b] = IN_REPAIR
                counts[C_REPAIRS, t] += 1
                if not ins[c]:
                    counts[C_REPAIRS_PAID, t] += 1
                ready = t + turnaround
                if ready < ticks:
                    next_in_bucket[b] = ready_head[ready]
                    ready_head[ready] = b
            else:
                status[b] = AVAILABLE
                s = station[b]
                pool = _to_pool(pool, pool_count, s, b)
            b = following

        # Rule 3: who wants a bike, in random order; served at their station while it lasts.
        w = 0
        p = p_rent[t]
        if evaluate_all:
            found = _bernoulli_positions(rng, idle_n, p, hits)
            for h in range(found):
                c = idle[hits[h]]
                if balk_ticks and rent_from[c] > t:
                    continue
                wanting[w] = c
                w += 1
        else:
            for i in range(sample_n):
                c = order[i]
                if not reg[c] or holding[c] or (balk_ticks and rent_from[c] > t):
                    continue
                if uniform(rng) < p:
                    wanting[w] = c
                    w += 1
        # Who comes first when bikes run short: a random order (with one pool only the
        # first `stock` places matter, so only those are drawn).
        shuffled = w if stations else min(w, pool_count[0])
        for i in range(shuffled):
            j = i + _below(rng, w - i)
            wanting[i], wanting[j] = wanting[j], wanting[i]
        refused_n = 0
        for i in range(w):
            c = wanting[i]
            s = home[c] if stations else 0
            if pool_count[s] > 0:
                j = _below(rng, pool_count[s])
                b = pool[s, j]
                pool_count[s] -= 1
                pool[s, j] = pool[s, pool_count[s]]
                status[b] = RENTED
                holding[c] = True
                rent_customer[b] = c
                rent_start[b] = t
                counts[C_RENTED, t] += 1
                if t - last_refused[c] <= RETRY_WINDOW_TICKS:
                    counts[C_LOST, streak_start[c]] -= 1
                last_refused[c] = NEVER
                if evaluate_all:
                    moved = idle[idle_n - 1]
                    idle[idle_pos[c]] = moved
                    idle_pos[moved] = idle_pos[c]
                    idle_pos[c] = -1
                    idle_n -= 1
                k, minutes = _ride(rng, lognormal, ln_mu, ln_sigma, length_cum, ticks)
                rent_minutes[b] = minutes
                if t + k < ticks:
                    next_in_bucket[b] = drop_head[t + k]
                    drop_head[t + k] = b
            else:
                counts[C_REFUSED, t] += 1
                if stations:
                    stockouts[s] += 1
                if t - last_refused[c] > RETRY_WINDOW_TICKS:
                    streak_start[c] = t
                    counts[C_LOST, t] += 1
                last_refused[c] = t
                if balk_ticks:
                    rent_from[c] = t + 1 + balk_ticks
                wanting[refused_n] = c  # the refused, in place, for churn
                refused_n += 1

        # Churn: a refused subscriber cancels.
        if churn_p > 0.0:
            for i in range(refused_n):
                if uniform(rng) < churn_p:
                    c = wanting[i]
                    counts[C_CHURNED, t] += 1
                    if ins[c]:
                        counts[C_CHURNED_INSURED, t] += 1
                    reg[c] = False
                    ins[c] = False
                    churned[c] = True
                    if evaluate_all:
                        moved = idle[idle_n - 1]
                        idle[idle_pos[c]] = moved
                        idle_pos[moved] = idle_pos[c]
                        idle_pos[c] = -1
                        idle_n -= 1

        # Nightly rebalancing: from the largest surplus over the demand share to the
        # largest shortfall, the lowest-numbered available bike at a time.
        if stations and rebalancing_moves and rebalancing_tick[t]:
            total = 0.0
            for s in range(stations):
                total += pool_count[s]
            stock = pool_count.astype(np.float64)
            moves = 0
            for _ in range(rebalancing_moves):
                source, sink = 0, 0
                best, worst = -np.inf, np.inf
                for s in range(stations):
                    surplus = stock[s] - station_shares[s] * total
                    if surplus > best:
                        best, source = surplus, s
                    if surplus < worst:
                        worst, sink = surplus, s
                if stock[source] < 1 or best - worst <= 1:
                    break
                stock[source] -= 1
                stock[sink] += 1
                lowest = 0
                for j in range(1, pool_count[source]):
                    if pool[source, j] < pool[source, lowest]:
                        lowest = j
                b = pool[source, lowest]
                pool_count[source] -= 1
                pool[source, lowest] = pool[source, pool_count[source]]
                station[b] = sink
                pool = _to_pool(pool, pool_count, sink, b)
                moves += 1
            counts[C_MOVES, t] = moves

        # End of a week: the purchase policy, then the early stop.
        if (t + 1) % TICKS_PER_WEEK == 0:
            if buy_per_week and t + 1 < ticks:
                first = nb
                nb += buy_per_week
                if nb > len(status):
                    status = _grow(status, nb)
                    station = _grow(station, nb)
                    loss = _grow(loss, nb)
                    new_price = _grow(new_price, nb)
                    rent_customer = _grow(rent_customer, nb)
                    rent_start = _grow(rent_start, nb)
                    rent_minutes = _grow(rent_minutes, nb)
                    next_in_bucket = _grow(next_in_bucket, nb)
                for i in range(buy_per_week):
                    fresh = first + i
                    s = i % stations if stations else 0
                    status[fresh] = AVAILABLE
                    station[fresh] = s
                    loss[fresh] = 0.0
                    new_price[fresh] = mix_price
                    rent_customer[fresh] = -1
                    pool = _to_pool(pool, pool_count, s, fresh)
                counts[C_BOUGHT, t] = buy_per_week
                euros[E_BOUGHT_BIKE, t] = buy_per_week * mix_price
            if week_below(counts, rush, t, stop_below):
                ticks_run = t + 1
                break

    charge_open_rentals(counts, status[:nb], rent_start, ticks_run)
    return ticks_run
