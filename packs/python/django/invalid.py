from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse


def export(request):
    key = request.headers.get("X-Api-Key")
    if not key:
        return JsonResponse({"error": "missing api key"}, status=401)
    account = find_account(key)
    if account is None:
        return HttpResponse("unknown api key", status=401)
    return JsonResponse(account.export())


def dashboard(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden("sign in first")
    return render_dashboard(request.user)


def invoices(request):
    if request.user.is_anonymous:
        raise PermissionDenied("no session")
    return list_invoices(request.user)
