"""What a ticket attachment may be: sniffed from its bytes, never trusted from its name."""

import hashlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat

# Screenshots and statements. No SVG (it can carry script), no office files (macros).
ALLOWED_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


@dataclass(frozen=True)
class CheckedUpload:
    file: File
    name: str
    content_type: str
    size: int
    sha256: str


def check_upload(upload: File) -> CheckedUpload:
    """Validate one upload; raise ValidationError with a message the customer understands."""
    name = (upload.name or "attachment").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    size = upload.size or 0
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            "%(name)s is %(size)s; attachments may be at most %(limit)s.",
            code="attachment_too_large",
            params={
                "name": name,
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            },
        )
    if size == 0:
        raise ValidationError("%(name)s is empty.", code="attachment_empty", params={"name": name})
    upload.seek(0)
    digest = hashlib.sha256()
    head = b""
    for chunk in upload.chunks():
        if not head:
            head = chunk[:8192]
        digest.update(chunk)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            "%(name)s is not a PNG, JPEG, GIF or WebP image or a PDF document "
            "(its content was checked, not its name).",
            code="attachment_type",
            params={"name": name},
        )
    return CheckedUpload(
        file=upload, name=name, content_type=kind.mime, size=size, sha256=digest.hexdigest()
    )


def check_uploads(uploads: list[File] | tuple[File, ...]) -> list[CheckedUpload]:
    if len(uploads) > settings.ATTACHMENTS_PER_MESSAGE:
        raise ValidationError(
            "At most %(limit)d attachments per message.",
            code="too_many_attachments",
            params={"limit": settings.ATTACHMENTS_PER_MESSAGE},
        )
    return [check_upload(upload) for upload in uploads]
