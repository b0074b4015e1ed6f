from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """LimitOffsetPagination that answers 400 to a malformed limit or offset instead of ignoring it."""

    max_limit = 500

    def _parse(self, request, name, minimum):
        raw = request.query_params.getlist(name)
        if not raw:
            return None
        if len(raw) > 1:
            raise ValidationError({name: ["Give this parameter once."]})
        try:
            value = int(raw[0])
        except ValueError:
            raise ValidationError({name: ["A whole number is required."]})
        if value < minimum:
            raise ValidationError({name: [f"Must be at least {minimum}."]})
        return value

    def get_limit(self, request):
        limit = self._parse(request, self.limit_query_param, 1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request):
        return self._parse(request, self.offset_query_param, 0) or 0

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        minimums = {self.limit_query_param: 1, self.offset_query_param: 0}
        for parameter in parameters:
            parameter["schema"]["minimum"] = minimums[parameter["name"]]
        return parameters
