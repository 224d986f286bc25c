"""How the mock draws the ids it makes: version-4 UUIDs from a seeded generator."""

from __future__ import annotations

import random

# uuid.UUID(version=4): the variant bits 10, the version nibble 4.
_CLEAR_VERSION = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_VERSION_4 = (0x8000 << 48) | (4 << 76)


def uuid4_from(rng: random.Random) -> str:
    """The text ``str(uuid.UUID(int=rng.getrandbits(128), version=4))`` gives, formatted here
    without building the object (every create draws one)."""
    h = f"{rng.getrandbits(128) & _CLEAR_VERSION | _VERSION_4:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
