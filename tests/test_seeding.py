"""Random streams: the replica states are numpy SeedSequence children, bit for bit."""

import numpy as np
import pytest

from spinmem.seeding import child, stream_states

ROOTS = [
    (np.random.SeedSequence(3), ()),
    (np.random.SeedSequence(2026), (1,)),
    (np.random.SeedSequence(0), (2, 7)),
    (np.random.SeedSequence(2**127 + 12345), ()),
    (np.random.SeedSequence([1, 2**40, 5, 6, 7], spawn_key=(3, 2**33)), (0,)),
    (np.random.SeedSequence(np.array([9, 8], dtype=np.uint64), spawn_key=(4,)), ()),
]


@pytest.mark.parametrize(("root", "key"), ROOTS)
def test_stream_states_are_the_seed_sequence_children(root, key):
    """Row k equals child(root, *key, k).generate_state(4, uint64), computed by numpy
    one child at a time; entropy shorter and longer than the pool, words above
    2**32 in the entropy and the spawn key."""
    count = 300
    expected = np.array(
        [child(root, *key, k).generate_state(4, np.uint64) for k in range(count)]
    )
    assert np.array_equal(stream_states(root, count, *key), expected)


def test_too_many_streams_are_refused_before_allocating():
    with pytest.raises(ValueError, match="count must be < 2\\*\\*32"):
        stream_states(np.random.SeedSequence(1), 2**32)
