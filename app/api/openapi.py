"""/api/v1/openapi.json: the OpenAPI 3 description of every API route."""

from __future__ import annotations

from flask import jsonify

from . import bp
from .helpers import OPENAPI_PATHS, document

_ERROR = {"type": "object", "required": ["error", "message"],
          "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                         "errors": {"type": "object",
                                    "additionalProperties": {"type": "string"}}}}


def build_spec() -> dict:
    responses = {f"E{code}": {"description": text, "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for code, text in (("400", "Bad request"), ("401", "Unauthorized"),
                           ("403", "Forbidden"), ("404", "Not found"), ("409", "Conflict"),
                           ("413", "Too large (uploads: 10 MB a file; any request: 12 MB)"),
                           ("422", "Validation error"), ("429", "Rate limited"))}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Tiếp công dân trực tuyến API", "version": "1.0.0"},
        "servers": [{"url": "/api/v1"}],
        "paths": dict(sorted(OPENAPI_PATHS.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": _ERROR},
            "responses": responses,
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())


document("/openapi.json", "get", "This document")
