"""Presigned-style download URLs: signed, expiring, a fresh one per call, checked like S3.

The URL carries the package id, the file name, when it was signed, its lifetime and a nonce,
all covered by an HMAC. An expired URL or one with any part changed answers 403 with S3's
XML error body.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

DOWNLOAD_PREFIX = "/__files"


@dataclass(frozen=True)
class SignedLink:
    url: str
    expires_at: float


class LinkRefused(Exception):
    """The link cannot be honoured; ``code`` and ``message`` are S3's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def xml(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{self.message}</Message></Error>"
        ).encode()


def _amz_date(timestamp: float) -> str:
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y%m%dT%H%M%SZ")


SESSION_PARAMETER = "x-mock-session"  # ours: the session whose package the link names (signed)


class LinkSigner:
    def __init__(
        self,
        secret: bytes,
        base_url: Callable[[], str],
        lifetime_seconds: int,
        session: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._secret = secret
        self._base_url = base_url  # called per link: --public-url, or where the request came to
        self._lifetime = lifetime_seconds
        self._session = session  # the session the link is made in (x-mock-session), if any
        self._nonces = itertools.count(1)

    def _signature(self, path: str, date: str, expires: str, nonce: str, session: str) -> str:
        message = "\n".join((path, date, expires, nonce, session)).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    @staticmethod
    def path_for(package_id: str, filename: str) -> str:
        return f"{DOWNLOAD_PREFIX}/{quote(package_id, safe='')}/{quote(filename, safe='')}"

    def sign(self, package_id: str, filename: str, now: float) -> SignedLink:
        path = self.path_for(package_id, filename)
        date, expires, nonce = _amz_date(now), str(self._lifetime), f"{int(now)}-{next(self._nonces)}"
        session = self._session() or ""
        parameters = {"X-Amz-Date": date, "X-Amz-Expires": expires, "X-Amz-Nonce": nonce}
        if session:
            parameters[SESSION_PARAMETER] = session
        parameters["X-Amz-Signature"] = self._signature(path, date, expires, nonce, session)
        query = urlencode(parameters)
        return SignedLink(url=f"{self._base_url()}{path}?{query}", expires_at=int(now) + self._lifetime)

    def signed_session(self, path: str, query: dict[str, str]) -> str | None:
        """The session an authentic link names (None: the shared state); LinkRefused otherwise."""
        self._authentic(path, query)
        return query.get(SESSION_PARAMETER) or None

    def verify(self, path: str, query: dict[str, str], now: float) -> None:
        """Raise LinkRefused unless the link is authentic and unexpired at ``now``."""
        date, expires = self._authentic(path, query)
        signed_at = datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
        if now > signed_at + int(expires):
            raise LinkRefused("AccessDenied", "Request has expired")

    def _authentic(self, path: str, query: dict[str, str]) -> tuple[str, str]:
        try:
            date, expires, nonce, signature = (
                query["X-Amz-Date"],
                query["X-Amz-Expires"],
                query["X-Amz-Nonce"],
                query["X-Amz-Signature"],
            )
        except KeyError:
            raise LinkRefused(
                "AccessDenied",
                "Query-string authentication requires the X-Amz-Signature, X-Amz-Date and X-Amz-Expires parameters",
            ) from None
        expected = self._signature(path, date, expires, nonce, query.get(SESSION_PARAMETER, ""))
        if not hmac.compare_digest(signature, expected):
            raise LinkRefused(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        return date, expires
