import numpy as np

from bike_pipeline.generate.dutch_numbers import (
    BsnStream,
    IbanMaker,
    bsn_check_digits,
    iban_check_digits,
)
from bike_pipeline.generate.pools import BANKS
from bike_pipeline.ingest.identifiers import complete_bsn, is_valid_bsn, is_valid_iban, make_iban


def test_check_digits_agree_with_the_scalar_rule() -> None:
    prefixes = np.random.default_rng(0).integers(0, 10**8, size=5000)
    for prefix, check in zip(prefixes.tolist(), bsn_check_digits(prefixes).tolist(), strict=True):
        expected = complete_bsn(f"{prefix:08d}")
        if check == 10:
            assert expected is None
        elif prefix or check:
            assert expected == f"{prefix:08d}{check}"


def test_bsn_stream_gives_distinct_valid_bsns_with_leading_zeros() -> None:
    stream = BsnStream(np.random.default_rng(5))
    bsns = np.concatenate([stream.take(30_000), stream.take(1), stream.take(20_000)])
    texts = [f"{b:09d}" for b in bsns.tolist()]
    assert all(is_valid_bsn(t) for t in texts)
    assert len(set(texts)) == len(texts) == 50_001
    assert sum(t.startswith("0") for t in texts) > 0


def test_iban_check_digits_agree_with_make_iban() -> None:
    rng = np.random.default_rng(1)
    accounts = rng.integers(0, 10**10, size=2000)
    for bank in BANKS:
        remainder = int("".join(str(int(ch, 36)) for ch in bank)) % 97
        checks = iban_check_digits(np.full(accounts.size, remainder), accounts)
        for account, check in zip(accounts.tolist(), checks.tolist(), strict=True):
            assert f"NL{check:02d}{bank}{account:010d}" == make_iban(bank, f"{account:010d}")


def test_drawn_ibans_are_valid_and_use_every_bank() -> None:
    maker = IbanMaker(tuple(BANKS), tuple(BANKS.values()))
    ibans = maker.draw(np.random.default_rng(2), 20_000)
    assert all(is_valid_iban(iban) for iban in ibans)
    assert {iban[4:8] for iban in ibans} == set(BANKS)
