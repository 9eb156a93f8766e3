"""One redaction for every text that leaves the process: error messages, log lines, eval JSON, status output.

Secrets reach such texts in three ways, and each has a rule here:

- an endpoint echoes the request (``Authorization: Bearer sk-…`` inside a 401 message);
- a key is written into a URL (``https://user:key@host/v1``, ``…/v1?api-key=…``, ``?key=``, ``?token=``);
- a configured secret (``ASSISTANT_LLM_API_KEY`` …) that looks like nothing in particular is quoted somewhere.

``redact(text)`` applies all of them; ``redact_url(url)`` is the same for a URL shown on its own;
``redact_data(obj)`` walks JSON-ready data. The replacement is ``***`` so the shape of the text stays readable.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit, urlunsplit

MASK = "***"

# Authorization / Proxy-Authorization values, as a header line, a JSON/dict entry or a bare "Bearer x".
_AUTH_VALUE = re.compile(
    r"(?i)((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?\s*(?:(?:bearer|basic|token|bot)\s+)?)[^\s\"',;}\]]+"
)
_BEARER = re.compile(r"(?i)\b((?:bearer|basic)\s+)[A-Za-z0-9._~+/=\-]{6,}")
# Keys in the shape the common providers hand out: sk-…, sk-proj-…, sk-ant-…, and the like.
_KEY_LIKE = re.compile(r"\b(?:sk|rk|pk)-[A-Za-z0-9_\-]{8,}")
# Header or JSON entries named like a secret: "api-key: …", "x-api-key": "…", "password=…".
_NAMED_SECRET = re.compile(
    r"(?i)((?:x-)?(?:api[-_]?key|access[-_]?token|auth[-_]?token|secret|password)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&}\]]+"
)
# user:password@ in any URL, and secret-named query parameters.
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@:]*:[^/\s@]*@")
_URL_USER = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@:]+@")
_QUERY_SECRET = re.compile(
    r"(?i)([?&;](?:api[-_]?key|apikey|key|token|access[-_]?token|auth|sig|signature|secret|password|code)=)[^&\s#\"']+"
)
_SECRET_QUERY_NAMES = {"api-key", "api_key", "apikey", "key", "token", "access-token", "access_token", "auth",
                       "sig", "signature", "secret", "password", "code"}


def configured_secrets() -> list[str]:
    """The secret values in the process settings (keys, tokens, the UI password), longest first."""
    try:
        from assistant.settings import get_settings

        s = get_settings()
    except Exception:  # settings that do not validate must not stop an error from being shown
        return []
    values = [s.llm.api_key, s.embedding.api_key, s.judge.api_key, s.chroma.auth_token, s.ui.password]
    found = {v.get_secret_value() for v in values if v is not None}
    return sorted((v for v in found if len(v) >= 4), key=len, reverse=True)


def redact(text: object, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret it may carry replaced by ``***`` (see the module doc for what counts)."""
    out = "" if text is None else str(text)
    if not out:
        return out
    for value in [*secrets, *configured_secrets()]:
        if value and len(value) >= 4:
            out = out.replace(value, MASK)
    out = _URL_USERINFO.sub(rf"\1{MASK}@", out)
    out = _URL_USER.sub(rf"\1{MASK}@", out)
    out = _QUERY_SECRET.sub(rf"\1{MASK}", out)
    out = _AUTH_VALUE.sub(rf"\1{MASK}", out)
    out = _BEARER.sub(rf"\1{MASK}", out)
    out = _NAMED_SECRET.sub(rf"\1{MASK}", out)
    out = _KEY_LIKE.sub(MASK, out)
    return out


def redact_url(url: str | None) -> str:
    """A URL fit to show: user info and secret-named query values masked, everything else kept."""
    if not url:
        return url or ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = "&".join(f"{k}={MASK if k.lower() in _SECRET_QUERY_NAMES else v}" for k, v in pairs)
    return redact(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def redact_data(data):
    """JSON-ready data (dicts, lists, strings, numbers) with every string redacted; keys are kept."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {k: redact_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [redact_data(v) for v in data]
    return data


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's final message (httpx logs request URLs at INFO/DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            # The traceback text is built from the exception later; mask it now into exc_text.
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = redact(formatted), None
        return True


def redact_logging() -> None:
    """Mask secrets in every line the root logger's handlers write (call after logging is configured)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
