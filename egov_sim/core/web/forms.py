"""Reading a posted form with limits: the whole body, the number of parts and of files.

Starlette parses forms (python-multipart underneath); the body is read first with a cap, so an
oversized upload is refused after ``max_bytes`` rather than spooled to disk in full.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request


class FormTooLarge(Exception):
    pass


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    content_type: str
    content: bytes


async def read_form(request: Request, *, max_bytes: int = 1024 * 1024, max_files: int = 20,
                    max_fields: int = 200) -> tuple[FormData, list[Upload]]:
    """The form's fields and its uploaded files (read into memory, within ``max_bytes``)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FormTooLarge(f"the form is larger than {max_bytes} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise FormTooLarge(f"the form is larger than {max_bytes} bytes")
    sent = False

    async def replay():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    form = await Request(request.scope, replay).form(max_files=max_files, max_fields=max_fields,
                                                      max_part_size=max_bytes)
    uploads = []
    for field, value in form.multi_items():
        if isinstance(value, UploadFile):
            content = await value.read()
            await value.close()
            if value.filename or content:
                uploads.append(Upload(field, value.filename or "", value.content_type or
                                      "application/octet-stream", content))
    return form, uploads
