"""What a locked-out login sees: JSON for the API, a plain Chinese page for the web."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

LOCKED_MESSAGE = "登录失败次数过多，账号已临时锁定，请{minutes}分钟后再试。"


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = LOCKED_MESSAGE.format(minutes=minutes)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    return HttpResponse(
        f"<!doctype html><html lang='zh-hans'><meta charset='utf-8'><title>账号已锁定</title>"
        f"<body><h1>账号已锁定</h1><p>{message}</p></body></html>",
        status=429,
    )
