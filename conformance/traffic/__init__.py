"""Partners' side: validate a real integration's traffic against the contract.

``proxy.py`` sits between a client and an upstream and records every exchange; ``har.py``
reads the same exchanges from a HAR file; ``validator.py`` judges each one with openapi-core;
``coverage.py`` adds up what the traffic exercised; ``results.py`` keeps the verdict, which
``conformance.reporting`` renders as it does a run's.
"""
