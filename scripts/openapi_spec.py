#!/usr/bin/env python3
"""Writes Sources/App/Resources/openapi.json, the API contract served at /openapi.json.

The document is kept as this compact Python source and generated once; the output is
committed. A Swift test checks that every routed API operation is documented and every
documented one is routed; schemathesis checks the answers against it in CI.
Run: python3 scripts/openapi_spec.py
"""
import json, pathlib

def ref(name): return {"$ref": f"#/components/schemas/{name}"}
def problem(description): return {"description": description, "content": {"application/problem+json": {"schema": ref("Problem")}}}
def ok(schema, description="OK"): return {"description": description, "content": {"application/json": {"schema": schema}}}
def body(name): return {"required": True, "content": {"application/json": {"schema": ref(name)}}}
def string(**kw): return {"type": "string", **kw}
def integer(**kw): return {"type": "integer", **kw}
uuid = string(format="uuid")
datetime = string(format="date-time")
BEARER = [{"bearerAuth": []}]

def op(summary, tag, responses, *, secure=False, request=None, params=None, optional_auth=False):
    r = {"400": problem("The body or a parameter could not be read"),
         "404": problem("No such resource, or not visible to the caller"),
         "4XX": problem("Another client error")}
    if request is not None:
        r.update({"413": problem("The body is too large"), "415": problem("The body is not JSON"), "422": problem("A value is not valid")})
    if secure or optional_auth:
        r["401"] = problem("Missing, wrong, expired or revoked bearer token")
    if secure:
        r["403"] = problem("The caller may not do this")
    r.update(responses)
    o = {"summary": summary, "tags": [tag], "responses": r}
    if secure: o["security"] = BEARER
    elif optional_auth: o["security"] = [{}, {"bearerAuth": []}]
    if request: o["requestBody"] = body(request)
    if params: o["parameters"] = params
    return o

def path_param(name): return {"name": name, "in": "path", "required": True, "schema": uuid}
def query(name, schema, description): return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

CAUSES = ["hunger", "humanitarian-relief", "health-and-wellbeing", "education", "environment", "animals",
          "childrens-rights", "arts-and-music", "community"]
paging = [query("page", integer(minimum=1, maximum=10000), "Page number, from 1"),
          query("perPage", integer(minimum=1, maximum=100), "Items per page (default 20)")]
np = path_param("nonprofitId")

schemas = {
    "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
        "type": string(description="Stable URI of the problem type, e.g. /problems/validation-failed"),
        "title": string(), "status": integer(), "detail": string(description="What was wrong with this request"),
        "instance": string(), "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"],
            "properties": {"field": string(), "message": string()}}}}},
    "SignUp": {"type": "object", "additionalProperties": False, "required": ["handle", "email", "password"], "properties": {
        "handle": string(minLength=3, maxLength=30, pattern="^@?[A-Za-z0-9][A-Za-z0-9_.]*$"),
        "email": string(format="email", maxLength=254), "password": string(minLength=10, maxLength=72),
        "displayName": string(maxLength=50)}},
    "SignIn": {"type": "object", "additionalProperties": False, "required": ["password"], "properties": {
        "handle": string(maxLength=254), "email": string(maxLength=254), "login": string(maxLength=254), "password": string(maxLength=200)}},
    "PublicAccount": {"type": "object", "required": ["id", "handle", "displayName"], "properties": {
        "id": uuid, "handle": string(), "displayName": string()}},
    "Me": {"type": "object", "required": ["id", "handle", "email", "displayName", "role", "createdAt"], "properties": {
        "id": uuid, "handle": string(), "email": string(), "displayName": string(),
        "role": string(enum=["member", "platform-admin"]), "createdAt": datetime}},
    "Session": {"type": "object", "required": ["token", "tokenId", "expiresAt", "account"], "properties": {
        "token": string(description="Bearer token; send as 'Authorization: Bearer <token>'"), "tokenId": uuid,
        "expiresAt": datetime, "account": ref("Me")}},
    "Token": {"type": "object", "required": ["id", "kind", "createdAt", "expiresAt", "current"], "properties": {
        "id": uuid, "kind": string(enum=["api", "session"]), "createdAt": datetime, "expiresAt": datetime, "current": {"type": "boolean"}}},
    "TokenList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": ref("Token")}}},
    "NonprofitApplication": {"type": "object", "additionalProperties": False,
        "required": ["name", "country", "registrationNumber", "causes", "website"], "properties": {
        "name": string(minLength=1, maxLength=120), "country": string(pattern="^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2"),
        "registrationNumber": string(minLength=1, maxLength=64),
        "causes": {"type": "array", "minItems": 1, "maxItems": 5, "items": string(enum=CAUSES)},
        "website": string(minLength=1, maxLength=500), "description": string(maxLength=2000)}},
    "Nonprofit": {"type": "object", "required": ["id", "name", "country", "registrationNumber", "website", "causes", "status", "followers", "createdAt"],
        "properties": {"id": uuid, "name": string(), "country": string(), "registrationNumber": string(), "website": string(),
        "description": string(), "causes": {"type": "array", "items": string(enum=CAUSES)},
        "status": string(enum=["pending", "verified", "rejected"]),
        "rejectionReason": string(description="Only for the nonprofit's members and platform admins"),
        "followers": integer(minimum=0), "createdAt": datetime, "reviewedAt": datetime}},
    "NonprofitPage": {"type": "object", "required": ["items", "page", "perPage", "total"], "properties": {
        "items": {"type": "array", "items": ref("Nonprofit")}, "page": integer(), "perPage": integer(), "total": integer()}},
    "MyNonprofits": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
        "type": "object", "required": ["nonprofit", "role"], "properties": {"nonprofit": ref("Nonprofit"), "role": string(enum=["owner", "member"])}}}}},
    "Member": {"type": "object", "required": ["accountId", "handle", "displayName", "role", "addedAt"], "properties": {
        "accountId": uuid, "handle": string(), "displayName": string(), "role": string(enum=["owner", "member"]), "addedAt": datetime}},
    "MemberList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": ref("Member")}}},
    "AddMember": {"type": "object", "additionalProperties": False, "required": ["handle"], "properties": {
        "handle": string(maxLength=31), "role": string(enum=["owner", "member"])}},
    "Reject": {"type": "object", "additionalProperties": False, "required": ["reason"], "properties": {"reason": string(minLength=1, maxLength=1000)}},
    "Follow": {"type": "object", "required": ["following", "followers"], "properties": {"following": {"type": "boolean"}, "followers": integer(minimum=0)}},
    "FollowerStats": {"type": "object", "required": ["followers", "gained", "lost", "from", "to"], "properties": {
        "followers": integer(minimum=0), "gained": integer(minimum=0), "lost": integer(minimum=0), "from": datetime, "to": datetime}},
    "CauseList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": string(enum=CAUSES)}}},
    "Health": {"type": "object", "required": ["status", "database"], "properties": {"status": string(enum=["ok"]), "database": string(enum=["sqlite", "postgresql"])}},
}

date_param = lambda name, d: query(name, string(), d + " (2026-11-30 or 2026-11-30T19:00:00Z)")
paths = {
    "/healthz": {"get": {"summary": "Is the service and its database up?", "tags": ["operations"], "responses": {
        "200": ok(ref("Health")), "503": problem("The database is not answering")}}},
    "/metrics": {"get": {"summary": "Prometheus metrics", "tags": ["operations"], "responses": {
        "200": {"description": "Prometheus text format", "content": {"text/plain": {"schema": string()}}}}}},
    "/openapi.json": {"get": {"summary": "This document", "tags": ["operations"], "responses": {
        "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/api/v1/accounts": {"post": op("Sign up", "accounts", {"201": ok(ref("Me"), "Created"), "409": problem("Handle or email taken")}, request="SignUp")},
    "/api/v1/sessions": {"post": op("Sign in: get a bearer token", "accounts", {"201": ok(ref("Session"), "Signed in"),
        "401": problem("No account matches"), "429": problem("Too many attempts; see Retry-After")}, request="SignIn")},
    "/api/v1/sessions/current": {"delete": op("Sign out: revoke this token", "accounts", {"204": {"description": "Revoked"}}, secure=True)},
    "/api/v1/me": {"get": op("Who am I", "accounts", {"200": ok(ref("Me"))}, secure=True)},
    "/api/v1/me/tokens": {"get": op("My live tokens", "accounts", {"200": ok(ref("TokenList"))}, secure=True)},
    "/api/v1/me/tokens/{tokenId}": {"delete": op("Revoke one of my tokens", "accounts", {"204": {"description": "Revoked"}},
        secure=True, params=[path_param("tokenId")])},
    "/api/v1/me/nonprofits": {"get": op("Nonprofits I belong to, with their status", "nonprofits", {"200": ok(ref("MyNonprofits"))}, secure=True)},
    "/api/v1/causes": {"get": op("The fixed list of causes", "nonprofits", {"200": ok(ref("CauseList"))})},
    "/api/v1/nonprofits": {
        "get": op("Directory of verified nonprofits", "nonprofits", {"200": ok(ref("NonprofitPage")), "422": problem("A filter is not valid")},
            optional_auth=True, params=[query("q", string(maxLength=100), "Part of the name"), query("cause", string(enum=CAUSES), "Cause"),
                    query("country", string(pattern="^[A-Za-z]{2}$"), "ISO 3166-1 alpha-2 country")] + paging),
        "post": op("Apply as a nonprofit (the caller becomes its owner)", "nonprofits", {"201": ok(ref("Nonprofit"), "Applied; pending verification"),
            "409": problem("This registration number has already applied")}, secure=True, request="NonprofitApplication")},
    "/api/v1/nonprofits/{nonprofitId}": {"get": op("A nonprofit (pending and rejected ones only to their team and admins)", "nonprofits",
        {"200": ok(ref("Nonprofit"))}, optional_auth=True, params=[np])},
    "/api/v1/nonprofits/{nonprofitId}/members": {
        "get": op("The nonprofit's team (members only)", "nonprofits", {"200": ok(ref("MemberList"))}, secure=True, params=[np]),
        "post": op("Add a member (owners only)", "nonprofits", {"201": ok(ref("Member"), "Added"), "409": problem("Already a member")},
            secure=True, request="AddMember", params=[np])},
    "/api/v1/nonprofits/{nonprofitId}/members/{accountId}": {"delete": op("Remove a member (owners; or leave)", "nonprofits",
        {"204": {"description": "Removed"}, "409": problem("The last owner cannot be removed")}, secure=True, params=[np, path_param("accountId")])},
    "/api/v1/nonprofits/{nonprofitId}/follow": {
        "post": op("Follow (idempotent)", "nonprofits", {"200": ok(ref("Follow")), "409": problem("Not verified")}, secure=True, params=[np]),
        "delete": op("Unfollow (idempotent)", "nonprofits", {"200": ok(ref("Follow")), "409": problem("Not verified")}, secure=True, params=[np])},
    "/api/v1/nonprofits/{nonprofitId}/followers": {"get": op("Followers now, and gained and lost over a period (members only)", "nonprofits",
        {"200": ok(ref("FollowerStats")), "422": problem("A date is not valid")}, secure=True,
        params=[np, date_param("from", "Start, inclusive; default 30 days before 'to'"), date_param("to", "End, exclusive; default now")])},
    "/api/v1/admin/nonprofits": {"get": op("Review queue (platform admins)", "admin", {"200": ok(ref("NonprofitPage")), "422": problem("A filter is not valid")},
        secure=True, params=[query("status", string(enum=["pending", "verified", "rejected"]), "Default pending")] + paging)},
    "/api/v1/admin/nonprofits/{nonprofitId}/verify": {"post": op("Verify a nonprofit (platform admins)", "admin", {"200": ok(ref("Nonprofit"))}, secure=True, params=[np])},
    "/api/v1/admin/nonprofits/{nonprofitId}/reject": {"post": op("Reject with a reason (platform admins)", "admin", {"200": ok(ref("Nonprofit"))},
        secure=True, request="Reject", params=[np])},
}

document = {
    "openapi": "3.1.0",
    "info": {"title": "Goodcast", "version": "0.1.0",
             "description": "The 'for good' layer of a short-video and live-streaming community. Errors are RFC 9457 problem+json."},
    "servers": [{"url": "/"}],
    "paths": paths,
    "components": {"schemas": schemas, "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
}
out = pathlib.Path(__file__).resolve().parent.parent / "Sources/App/Resources/openapi.json"
out.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
print(f"wrote {out}")
