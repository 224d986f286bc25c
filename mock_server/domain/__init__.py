"""The domain: packages and periods with their stores, lifecycle, clock, identities (no HTTP here)."""
