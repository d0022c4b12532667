"""The audit writer for pages and API views that show lists of client data, and for
requests of ids the user may not see (see audit.reads)."""

from audit.reads import ID_KWARGS, LISTS, audit_denied, audit_list_read


class ReadAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        user = getattr(request, "user", None)  # a token user once DRF has authenticated
        if match is None or user is None or not user.is_authenticated:
            return response
        if response.status_code == 404:
            object_id = next((match.kwargs[k] for k in ID_KWARGS if k in match.kwargs), None)
            if object_id is not None:
                audit_denied(request, match.view_name, str(object_id))
        elif (
            response.status_code == 200
            and request.method in ("GET", "HEAD")
            and match.view_name in LISTS
        ):
            audit_list_read(request, response, match.view_name)
        return response
