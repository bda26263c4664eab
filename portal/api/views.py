from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import selectors
from portal.api.permissions import ANY_SCOPE
from portal.api.serializers import ErrorSerializer, MeSerializer


class MeView(APIView):
    """The signed-in person (or the person an API token acts as, whatever its scopes)."""

    required_scopes = ANY_SCOPE

    @extend_schema(responses={200: MeSerializer, 401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(selectors.user_profile(request.user.pk)).data)
