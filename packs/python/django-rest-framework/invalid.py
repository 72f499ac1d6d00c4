from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.response import Response
from rest_framework import status
from rest_framework.views import APIView


class ReportView(APIView):
    def get(self, request):
        if not request.auth:
            raise NotAuthenticated("sign in first")
        if request.auth.expired:
            raise AuthenticationFailed("token expired")
        return Response({"report": build_report(request.user)})


class ExportView(APIView):
    def get(self, request):
        if request.auth is None:
            return Response({"detail": "missing token"}, status=status.HTTP_401_UNAUTHORIZED)
        return Response(build_export(request.user))
