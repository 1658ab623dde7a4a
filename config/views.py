"""Error pages: JSON under /api/, the Chinese HTML pages elsewhere."""

from django.http import JsonResponse
from django.views import defaults


def _wants_json(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "未找到。", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"detail": "服务器内部错误。", "code": "server_error"}, status=500)
    return defaults.server_error(request)


def bad_request(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "请求无效。", "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "无权访问。", "code": "permission_denied"}, status=403)
    return defaults.permission_denied(request, exception)
