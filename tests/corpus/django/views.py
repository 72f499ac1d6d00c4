"""Django function views for a mobile client. The profile view returns a bare
401 JsonResponse; the invoices view answers 403 to anonymous users and 401 to
users lacking a permission (swapped); the token view is correct: it logs and
sets WWW-Authenticate on the response before returning it."""
import logging

from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.http import require_GET

from .models import Invoice

logger = logging.getLogger(__name__)


@require_GET
def profile(request):
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Authentication required"}, status=401)  # expect: require-www-authenticate, require-401-logging
    return JsonResponse({"username": request.user.username})


def invoices(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden("You must be logged in")  # expect: prefer-401-for-authentication
    if not request.user.has_perm("billing.view_invoice"):
        logger.info("invoice access denied for %s", request.user.pk)
        return HttpResponse("Unauthorized", status=401)  # expect: prefer-403-for-authorization
    data = list(Invoice.objects.filter(owner=request.user).values("id", "total"))
    return JsonResponse({"invoices": data})


def api_token_view(request):
    token = request.headers.get("Authorization", "").removeprefix("Token ")
    if not token:
        logger.info("api: missing token")
        response = JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
        response["WWW-Authenticate"] = 'Token realm="api"'
        return response
    return JsonResponse({"token": token[:4]})
