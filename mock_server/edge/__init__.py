"""The edge: the HTTP pipeline around the handlers (health, access, validation, errors, generations), in the order of edge/pipeline.py."""
