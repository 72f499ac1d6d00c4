"""Django REST framework views returning Response objects by hand. The export
view's 401 has no challenge (DRF only adds one for its own NotAuthenticated)
and no log; the staff check is a correct 403. The session view logs and sets
a Bearer challenge on a token that failed verification, without
error="invalid_token"."""
import logging

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from .auth import TokenError, verify_session_token

logger = logging.getLogger(__name__)


class ExportView(APIView):
    def get(self, request):
        if request.auth is None:
            return Response({"detail": "Not authenticated"}, status=status.HTTP_401_UNAUTHORIZED)  # expect: require-www-authenticate, require-401-logging
        if not request.user.is_staff:
            return Response({"detail": "Staff only"}, status=status.HTTP_403_FORBIDDEN)
        return Response({"rows": []})


class SessionView(APIView):
    authentication_classes = []

    def get(self, request):
        try:
            claims = verify_session_token(request.headers.get("Authorization", ""))
        except TokenError:
            logger.warning("session token failed verification")
            response = Response({"detail": "Invalid or expired token"}, status=status.HTTP_401_UNAUTHORIZED)
            response["WWW-Authenticate"] = 'Bearer realm="api"'  # expect: bearer-error-code
            return response
        return Response(claims)
