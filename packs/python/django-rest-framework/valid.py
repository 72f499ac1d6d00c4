import logging

from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class ReportView(APIView):
    def get(self, request):
        if not request.auth:
            logger.info("report requested without credentials")
            raise NotAuthenticated("sign in first")
        if not request.user.has_perm("reports.view"):
            raise PermissionDenied("cannot view reports")
        return Response({"report": build_report(request.user)})


class ExportView(APIView):
    def get(self, request):
        if request.auth is None:
            logger.info("export requested without a token")
            return Response(
                {"detail": "missing token"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="exports"'},
            )
        return Response(build_export(request.user))
