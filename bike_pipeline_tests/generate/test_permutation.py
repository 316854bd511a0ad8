import numpy as np

from bike_pipeline.generate.permutation import SIZE, Permutation


def test_distinct_inputs_give_distinct_outputs_in_range() -> None:
    permutation = Permutation(np.random.default_rng(7))
    indices = np.concatenate([np.arange(500_000), np.arange(SIZE - 500_000, SIZE)])
    outputs = permutation(indices)
    assert outputs.min() >= 0 and outputs.max() < SIZE
    assert np.unique(outputs).size == indices.size


def test_same_seed_same_permutation_other_seed_another() -> None:
    indices = np.arange(1000)
    first = Permutation(np.random.default_rng(1))(indices)
    assert np.array_equal(first, Permutation(np.random.default_rng(1))(indices))
    assert not np.array_equal(first, Permutation(np.random.default_rng(2))(indices))


def test_consecutive_indices_do_not_give_consecutive_outputs() -> None:
    outputs = Permutation(np.random.default_rng(3))(np.arange(10_000))
    assert np.mean(np.abs(np.diff(outputs)) == 1) < 0.01
