"""The console at ``/__mock/ui``: plain HTML, CSS and JavaScript over the control API.

No build step: the files in ``ui/`` are served as they are, read once at start. Only
those files are served (a name is looked up, never joined into a path).
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response

FILES = Path(__file__).with_name("ui")
MEDIA_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript"}


class Console:
    def __init__(self, folder: Path = FILES) -> None:
        self._files = {path.name: path.read_bytes() for path in folder.iterdir() if path.suffix in MEDIA_TYPES}

    def page(self) -> Response:
        return self.asset("index.html")

    def asset(self, name: str) -> Response:
        content = self._files.get(name)
        if content is None:
            return Response(b'{"detail":"Not Found"}', status_code=404, media_type="application/json")
        return Response(
            content,
            media_type=MEDIA_TYPES[Path(name).suffix] + "; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )
