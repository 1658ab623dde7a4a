"""The API's JSON parser with limits: a body too large or nested too deep, carrying NUL or
another control character in a string, or a number no float holds (NaN, Infinity, 1e400), is a
400 (ParseError), never a RecursionError, an OverflowError or a database error further in."""

import json
import math

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .middleware import CONTROL

MAX_DEPTH = 16


def _check(value, depth=0):
    """Walk the parsed document iteratively enough for MAX_DEPTH; ParseError on a breach."""
    if depth > MAX_DEPTH:
        raise ParseError(f"JSON 嵌套不得超过 {MAX_DEPTH} 层。")
    if isinstance(value, str):
        if CONTROL.search(value):
            raise ParseError("JSON 字符串含有不允许的控制字符。")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


class BoundedJSONParser(JSONParser):
    """JSON bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE bytes and MAX_DEPTH levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(f"请求体不得超过 {limit} 字节。")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(
                raw.decode(encoding), parse_constant=_refuse_constant, parse_float=_finite_float
            )
        except RecursionError:
            raise ParseError(f"JSON 嵌套不得超过 {MAX_DEPTH} 层。")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON 格式错误：{exc}")
        _check(data)
        return data


def _refuse_constant(name):
    raise ValueError(f"{name} 不是合法的 JSON 数值")


def _finite_float(text):
    """A JSON number with a fraction or an exponent; 1e400 would be inf, refused like Infinity."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} 超出数值范围")
    return value
