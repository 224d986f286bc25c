"""The edge: the HTTP layers around the handlers, in the order of pipeline.py (health, access, validation...)."""
