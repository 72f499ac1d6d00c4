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
