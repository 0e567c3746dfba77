"""Site views of the ticket desk."""

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tickets import selectors


@never_cache
@require_GET
def attachment_download(request: HttpRequest, attachment_id: str) -> FileResponse:
    """Serve an attachment to someone allowed to see its ticket, always as a download.

    `Content-Disposition: attachment` and `nosniff` keep a browser from rendering an upload
    inline, so even a file that slipped past the type check cannot run in our origin.
    Anyone else gets the same 404 as for a file that does not exist.
    """
    attachment = selectors.attachment_get(user=request.user, attachment_id=attachment_id)
    if attachment is None:
        raise Http404("No such attachment.")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
