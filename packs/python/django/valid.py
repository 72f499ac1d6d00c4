import logging

from django.core.exceptions import PermissionDenied
from django.http import (
    HttpResponse,
    HttpResponseForbidden,
    JsonResponse,
    StreamingHttpResponse,
)

logger = logging.getLogger(__name__)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="exports"'}


def export(request):
    key = request.headers.get("X-Api-Key")
    if not key:
        logger.info("export refused: no api key")
        return JsonResponse({"error": "missing api key"}, status=401, headers=CHALLENGE)
    account = find_account(key)
    if account is None:
        logger.info("export refused: unknown api key")
        return StreamingHttpResponse(iter(["unknown api key"]), status=401, headers=CHALLENGE)
    if not account.can_export:
        raise PermissionDenied("exports are not enabled for this account")
    return JsonResponse(account.export())


def settings_page(request):
    if not request.user.is_staff:
        return HttpResponseForbidden("staff only")
    return render_settings(request.user)


def basic_download(request):
    if "HTTP_AUTHORIZATION" not in request.META:
        logger.info("download refused: no credentials")
        response = HttpResponse("authentication required", status=401)
        response["WWW-Authenticate"] = 'Basic realm="downloads"'
        return response
    return serve_download(request)
