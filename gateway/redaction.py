"""Secrets out of the journal: the sender's password, tokens and keys are never stored in clear.

A ШЭП body carries the sender's ``requestInfo/sender/password`` and may carry other secrets
(a consent ``kdpToken``, an ``accessToken``, a PIN). The journal keeps both bodies as they were
on the wire **except** for these: the text of every element (or attribute) named like a secret
is replaced by ``***`` before the row is stored, and again when a stored body is read (rows
written before this module existed are redacted by the journal's migration).

The bodies are edited as bytes, not parsed and re-serialised, so everything else stays byte for
byte what the client sent (namespaces, whitespace, comments, character references). Escaped
XML inside ``data`` (``&lt;password&gt;…&lt;/password&gt;``) and CDATA are redacted too. A
redacted request no longer verifies against its transport signature; the verdict is journaled.
"""

from __future__ import annotations

import re

REDACTED = "***"
SECRET_NAMES = (r"pass(?:word|wd)?|secret|[A-Za-z]*token|pin|pincode|apikey|api_key|credentials?"
                r"|privatekey|private_key|[A-Za-z]*Password|[A-Za-z]*Secret")
"""Local names (whole, case-insensitive) of elements and attributes whose text is a secret:
``password``, ``kdpToken``, ``accessToken``, ``clientSecret``, ``pin``…"""
PUBLIC_NAMES = ("BinarySecurityToken",)
"""Named like a secret but public: a WS-Security ``BinarySecurityToken`` is the signer's X.509
certificate, which the journal keeps so that the signer of a request stays on record."""

_PUBLIC = "|".join(PUBLIC_NAMES)
_NAME = rf"(?:[A-Za-z_][\w.-]*:)?(?i:(?!(?:{_PUBLIC})(?![\w.-]))(?:{SECRET_NAMES}))"
_ELEMENT = re.compile(
    rb"(<(" + _NAME.encode() + rb")(?:\s[^<>]*)?>)"        # <ns:password attr="…">
    rb"((?:<!\[CDATA\[.*?\]\]>|<!--.*?-->|[^<])+?)"      # text, CDATA, comments
    rb"(</\2\s*>)", re.S)
_ESCAPED = re.compile(
    rb"(&lt;(" + _NAME.encode() + rb")(?:\s(?:(?!&[lg]t;).)*)?&gt;)"
    rb"((?:(?!&lt;).)+?)"
    rb"(&lt;/\2\s*&gt;)", re.S)
_ATTRIBUTE = re.compile(rb"(\s" + _NAME.encode() + rb"\s*=\s*)(\"[^\"]*\"|'[^']*')")
_TAG = re.compile(rb"<[A-Za-z_][^<>]*>")
_KEYWORDS = (b"pass", b"secret", b"token", b"pin", b"apikey", b"api_key", b"credential", b"private")
"""Every secret name holds one of these (lowercase): found with ``bytes.find``, so a body that
names no secret costs a few microseconds, and one that does only a look at each mention (no
separate "any keyword?" pass: nearly every ШЭП request names its sender's password)."""
_SECRET_LOCAL = re.compile(rf"(?i:{SECRET_NAMES})".encode())
_PUBLIC_LOCAL = frozenset(name.lower().encode() for name in PUBLIC_NAMES)
_NAME_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_.-:")
_SPACE = frozenset(b" \t\r\n")


class _Unusual(Exception):
    """CDATA, a comment or markup inside a secret: left to the regular expressions."""


def redact(body: bytes | None) -> bytes | None:
    """``body`` with the text of every secret-named element and attribute replaced by ``***``."""
    if not body:
        return body
    low = body.lower()  # ASCII only: offsets stay those of ``body``
    spans: list[tuple[int, int]] = []
    try:
        for keyword in _KEYWORDS:
            at = low.find(keyword)
            while at != -1:
                span = _secret_at(low, at, len(keyword))
                if span is not None and span[0] < span[1]:
                    spans.append(span)
                at = low.find(keyword, at + len(keyword))
    except _Unusual:
        return _redact_by_expressions(body)
    if not spans:
        return body
    out, last = [], 0
    for start, end in sorted(set(spans)):
        if start < last:
            continue
        out += [body[last:start], REDACTED.encode()]
        last = end
    out.append(body[last:])
    return b"".join(out)


def _secret_at(low: bytes, at: int, length: int) -> tuple[int, int] | None:
    """The span of the secret value when the keyword at ``at`` is part of a secret's name."""
    start, end = at, at + length
    while start > 0 and low[start - 1] in _NAME_CHARS:
        start -= 1
    while end < len(low) and low[end] in _NAME_CHARS:
        end += 1
    name = low[start:end]
    local = name.rpartition(b":")[2]
    if local in _PUBLIC_LOCAL or not _SECRET_LOCAL.fullmatch(local):
        return None
    if low[start - 1:start] == b"<":                        # <password …>value</password>
        return _between(low, name, end, b">", b"<", b"</")
    if low[start - 4:start] == b"&lt;":                     # escaped XML inside data
        return _between(low, name, end, b"&gt;", b"&lt;", b"&lt;/")
    if start > 0 and low[start - 1] in _SPACE and low.rfind(b"<", 0, start) > low.rfind(b">", 0, start):
        i = end                                             # an attribute: name = "value"
        while i < len(low) and low[i] in _SPACE:
            i += 1
        if low[i:i + 1] != b"=":
            return None
        i += 1
        while i < len(low) and low[i] in _SPACE:
            i += 1
        quote = low[i:i + 1]
        if quote not in (b'"', b"'"):
            return None
        close = low.find(quote, i + 1)
        return (i + 1, close) if close != -1 else None
    return None


def _between(low: bytes, name: bytes, after: int, gt: bytes, lt: bytes, closing: bytes):
    """The text between a start tag (its name ends at ``after``) and its end tag."""
    tag_end = low.find(gt, after)
    if tag_end == -1 or low[tag_end - 1:tag_end] == b"/":
        return None                                          # <password/>: nothing to hide
    value = tag_end + len(gt)
    close = low.find(closing + name, value)
    if close == -1:
        return None
    if lt in low[value:close]:
        raise _Unusual
    if not low[value:close].strip():
        return None
    return value, close


def _redact_by_expressions(body: bytes) -> bytes:
    out = _ELEMENT.sub(_keep_tags, body)
    if b"&lt;" in out:
        out = _ESCAPED.sub(_keep_tags, out)
    if _ATTRIBUTE.search(out) is not None:
        out = _TAG.sub(_attributes, out)
    return out


def _keep_tags(match: re.Match[bytes]) -> bytes:
    return match.group(1) + REDACTED.encode() + match.group(4)


def _attributes(tag: re.Match[bytes]) -> bytes:
    text = tag.group(0)
    return _ATTRIBUTE.sub(lambda m: m.group(1) + m.group(2)[:1] + REDACTED.encode() + m.group(2)[:1], text)


def has_secret(body: bytes | None) -> bool:
    """Whether ``body`` still holds a secret in clear (what :func:`redact` would change)."""
    return redact(body) != body
