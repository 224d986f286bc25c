"""The installed import names of the repo's contract and fixtures folders.

``openapi`` and ``fixtures`` are names other distributions install too (PyPI's ``fixtures``
is in many test suites), so the wheel never installs them at the top level: the code imports
``dayzero_mock_kit.openapi`` and ``dayzero_mock_kit.fixtures``, which are symlinks to the
repo's top-level ``openapi/`` and ``fixtures/`` (a checkout and the wheel see the same files).
"""
