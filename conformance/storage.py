"""Where the kit keeps its caches: never in the folder it is run from.

Schemathesis writes ``.schemathesis/`` and Hypothesis ``.hypothesis/`` into the current
directory by default; run from a user's repository or a CI workspace, that litters their tree.
The kit points both at one directory instead: ``--cache-dir`` (default: the user cache
directory, ``~/.cache/dayzero-conformance`` on Linux), or a temporary directory removed after
the run when no cache directory is set. Failing examples are kept in the example database
there, so a second run replays them first; ``--seed`` replays the whole generation.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from platformdirs import user_cache_dir

APP_NAME = "dayzero-conformance"


def default_cache_dir() -> Path:
    """The user cache directory of the kit (platform conventions, XDG on Linux)."""
    return Path(user_cache_dir(APP_NAME, appauthor=False))


@contextmanager
def kit_storage(cache_dir: Path | None) -> Iterator[Path]:
    """The directory of one run's caches; Hypothesis' home points there for the run's duration."""
    # Imported here: the pytest plugin imports this module in every session of the environment.
    from hypothesis.configuration import set_hypothesis_home_dir

    with tempfile.TemporaryDirectory(prefix=f"{APP_NAME}-") as temporary:
        directory = cache_dir if cache_dir is not None else Path(temporary)
        directory.mkdir(parents=True, exist_ok=True)
        set_hypothesis_home_dir(directory / "hypothesis")
        try:
            yield directory
        finally:
            set_hypothesis_home_dir(None)  # back to Hypothesis' default for the rest of the process
