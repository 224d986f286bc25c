"""Renderings of a RunResult: console, JUnit XML, JSON and a self-contained HTML page."""
