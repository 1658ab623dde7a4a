"""OpenAPI post-processing: every operation documents the error answers of the contract
(DESIGN.md §10): 400 field messages, 401, 403, 404, 409 and 429."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "detail (a message) and code; a 400 adds one list of messages per field",
    "properties": {"detail": {}, "code": {"type": "string"}},
    "additionalProperties": True,
}

ERRORS = {
    "400": "输入有误（按字段给出原因）",
    "401": "未登录或令牌无效",
    "403": "无权执行此操作",
    "404": "不存在或不在管辖范围内",
    "409": "状态已变化，操作冲突",
    "429": "请求过于频繁或账号已锁定",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
