"""The mock's ids are the text uuid.UUID(version=4) would give for the same draw, so seeded ids
(fixtures, a session's packages) stay what they always were."""

from __future__ import annotations

import random
import uuid

from hypothesis import given
from hypothesis import strategies as st

from mock_server.domain.ids import uuid4_from


@given(st.integers())
def test_an_id_is_the_uuid4_text_of_the_same_draw(seed: int) -> None:
    ours, stdlib = random.Random(seed), random.Random(seed)
    for _ in range(20):
        text = uuid4_from(ours)
        assert text == str(uuid.UUID(int=stdlib.getrandbits(128), version=4))
        assert uuid.UUID(text).version == 4
