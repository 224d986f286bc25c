"""Renderings of a RunResult (run) and a TrafficResult (proxy, validate-har): console, JUnit XML, JSON
and a self-contained HTML page."""
