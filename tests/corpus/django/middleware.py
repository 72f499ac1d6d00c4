"""Django middleware authenticating /api/ requests by token. A missing header
gets an empty 403; a bad token gets a 401 that interpolates the exception
text, with no challenge and no log."""
from django.http import HttpResponse, JsonResponse

from .tokens import TokenError, verify_token


class TokenAuthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            header = request.META.get("HTTP_AUTHORIZATION")
            if header is None:
                return HttpResponse(status=403)  # expect: prefer-401-for-authentication
            try:
                request.api_user = verify_token(header.split()[-1])
            except TokenError as exc:
                return JsonResponse({"error": f"invalid token: {exc}"}, status=401)  # expect: require-www-authenticate, require-401-logging, no-error-detail-in-401
        return self.get_response(request)
