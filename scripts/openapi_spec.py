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
def body(name, media="application/json"): return {"required": True, "content": {media: {"schema": ref(name)}}}
def string(**kw): return {"type": "string", **kw}
def integer(**kw): return {"type": "integer", **kw}
uuid = string(format="uuid")
datetime = string(format="date-time")
BEARER = [{"bearerAuth": []}]

def op(summary, tag, responses, *, secure=False, request=None, params=None, optional_auth=False, media="application/json"):
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
    if request: o["requestBody"] = body(request, media)
    if params: o["parameters"] = params
    return o

def path_param(name): return {"name": name, "in": "path", "required": True, "schema": uuid}
def text_param(name, description, **kw): return {"name": name, "in": "path", "required": True, "schema": string(**kw), "description": description}
def query(name, schema, description): return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "KWD", "BHD"]
CAUSES = ["hunger", "humanitarian-relief", "health-and-wellbeing", "education", "environment", "animals",
          "childrens-rights", "arts-and-music", "community"]
paging = [query("page", integer(minimum=1, maximum=10000), "Page number, from 1"),
          query("perPage", integer(minimum=1, maximum=100), "Items per page (default 20)")]
np = path_param("nonprofitId")
STORY_MEDIA = ["image/jpeg", "image/png", "image/webp", "video/mp4", "video/webm", "video/quicktime"]

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
    "NonprofitProfileUpdate": {"type": "object", "additionalProperties": False,
        "description": "Only the fields sent change (null counts as not sent); the rules are the application's", "properties": {
        "description": string(maxLength=2000, description="An empty string clears it"),
        "website": string(minLength=1, maxLength=500),
        "causes": {"type": "array", "minItems": 1, "maxItems": 5, "items": string(enum=CAUSES), "description": "Replaces the causes"}}},
    "PayoutDetailsInput": {"type": "object", "additionalProperties": False, "required": ["accountHolder"],
        "description": "An IBAN, or a US routing and account number; not both", "properties": {
        "accountHolder": string(minLength=1, maxLength=70),
        "iban": string(minLength=15, maxLength=60, description="ISO 13616, spaces allowed; checked with mod 97"),
        "routingNumber": string(pattern="^\\s*[0-9]{9}\\s*$", description="ABA routing number (with its check digit)"),
        "accountNumber": string(pattern="^\\s*[0-9]{4,17}\\s*$", description="US bank account number")}},
    "PayoutDetails": {"type": "object", "required": ["accountHolder", "method", "masked", "updatedAt"], "properties": {
        "accountHolder": string(), "method": string(enum=["iban", "us_bank"]),
        "masked": string(description="Only the last 4 characters of the account, e.g. 'IBAN FR76 •••• 0189' or 'US •••• 6789'"),
        "updatedAt": datetime}},
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
    "Money": {"type": "object", "required": ["amount", "currency"], "properties": {
        "amount": integer(description="Whole minor units: 500 is 5.00 USD; JPY has none"), "currency": string(description="ISO 4217 code")}},
    "MoneyInput": {"type": "object", "required": ["amount", "currency"], "properties": {
        "amount": integer(minimum=1, maximum=1000000000000), "currency": string(enum=CURRENCIES)}},
    "FundraiserInput": {"type": "object", "additionalProperties": False, "required": ["nonprofitId", "title", "goal"], "properties": {
        "nonprofitId": uuid, "title": string(minLength=1, maxLength=120), "description": string(maxLength=5000),
        "goal": ref("MoneyInput"), "endsAt": string(description="Future date or date-time")}},
    "PublicDonation": {"type": "object", "required": ["id", "donor"], "properties": {
        "id": uuid, "donor": string(description="Display name, or 'Anonymous'"), "handle": string(), "amount": ref("Money"),
        "message": string(), "at": datetime}},
    "Fundraiser": {"type": "object", "required": ["id", "nonprofit", "owner", "title", "goal", "raised", "donors", "goalProgress", "createdAt", "recentDonations"],
        "properties": {"id": uuid, "nonprofit": {"type": "object", "required": ["id", "name"], "properties": {"id": uuid, "name": string()}},
        "owner": {"type": "object", "required": ["handle", "displayName"], "properties": {"handle": string(), "displayName": string()}},
        "title": string(), "description": string(), "goal": ref("Money"), "raised": ref("Money"), "donors": integer(minimum=0),
        "goalProgress": integer(), "endsAt": datetime, "createdAt": datetime,
        "recentDonations": {"type": "array", "items": ref("PublicDonation")}}},
    "DonationInput": {"type": "object", "additionalProperties": False, "required": ["amount", "paymentToken"], "properties": {
        "amount": ref("MoneyInput"), "paymentToken": string(minLength=1, maxLength=255, description="Sandbox: tok_visa, tok_chargeDeclined, tok_insufficientFunds, tok_timeout, tok_dispute"),
        "message": string(maxLength=280), "visibility": string(enum=["public", "anonymous", "hide-amount"]), "coverFees": {"type": "boolean"}}},
    "Donation": {"type": "object", "required": ["id", "fundraiserId", "nonprofitId", "status", "amount", "gift", "fee", "net", "refunded", "coverFees", "visibility", "dispute", "createdAt"],
        "properties": {"id": uuid, "fundraiserId": uuid, "nonprofitId": uuid, "status": string(enum=["pending", "succeeded", "declined", "failed"]),
        "amount": ref("Money"), "gift": ref("Money"), "fee": ref("Money"), "net": ref("Money"), "refunded": ref("Money"),
        "coverFees": {"type": "boolean"}, "message": string(), "visibility": string(enum=["public", "anonymous", "hide-amount"]),
        "dispute": string(enum=["none", "open", "won", "lost"]), "receiptNumber": string(), "failureCode": string(),
        "createdAt": datetime, "completedAt": datetime}},
    "DonationList": {"type": "object", "required": ["items", "page", "perPage", "total"], "properties": {
        "items": {"type": "array", "items": ref("Donation")}, "page": integer(), "perPage": integer(), "total": integer()}},
    "AccountSummary": {"type": "object", "required": ["id", "handle", "displayName"], "properties": {"id": uuid, "handle": string(), "displayName": string()}},
    "TeamDonationList": {"type": "object", "required": ["items", "page", "perPage", "total"], "properties": {
        "items": {"type": "array", "items": {"allOf": [ref("Donation"), {"type": "object", "required": ["donor"], "properties": {"donor": ref("AccountSummary")}}]}},
        "page": integer(), "perPage": integer(), "total": integer()}},
    "RefundInput": {"type": "object", "additionalProperties": False, "properties": {"amount": ref("MoneyInput"), "reason": string(maxLength=500)}},
    "Refund": {"type": "object", "required": ["id", "donationId", "amount", "status", "createdAt"], "properties": {
        "id": uuid, "donationId": uuid, "amount": ref("Money"), "status": string(enum=["succeeded"]), "createdAt": datetime}},
    "Receipt": {"type": "object", "required": ["number", "donationId", "nonprofit", "donor", "amount", "refunded", "kept", "dispute", "void", "date"], "properties": {
        "number": string(), "donationId": uuid, "donor": string(), "amount": ref("Money"),
        "refunded": {**ref("Money"), "description": "Refunds made (not those still waiting for the processor)"},
        "kept": {**ref("Money"), "description": "What the nonprofit keeps: the amount less refunds made and a lost dispute"},
        "dispute": string(enum=["none", "open", "won", "lost"]), "void": {"type": "boolean", "description": "Nothing is kept: not a receipt for tax"}, "date": datetime,
        "taxStatement": string(description="The nonprofit's country's statement; absent on a void receipt"), "nonprofit": {"type": "object", "required": ["id", "legalName", "registrationNumber", "country"], "properties": {
            "id": uuid, "legalName": string(), "registrationNumber": string(), "country": string()}}}},
    "Payout": {"type": "object", "required": ["id", "nonprofitId", "amount", "period", "createdAt"], "properties": {
        "id": uuid, "nonprofitId": uuid, "amount": ref("Money"), "period": string(), "createdAt": datetime}},
    "PayoutList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": ref("Payout")}}},
    "PayoutRun": {"type": "object", "additionalProperties": False, "properties": {"period": string(description="A day, YYYY-MM-DD, not after today; today (UTC) by default")}},
    "LiveInput": {"type": "object", "additionalProperties": False, "required": ["title"], "properties": {
        "title": string(minLength=1, maxLength=120), "description": string(maxLength=5000), "language": string(description="en, fr, it, ..."),
        "scheduledAt": string(description="Date-time of the planned start"), "playbackUrl": string(description="https HLS or embed address"),
        "fundraiser": {"type": "object", "additionalProperties": False, "required": ["nonprofitId", "goal"], "properties": {"nonprofitId": uuid, "goal": ref("MoneyInput")}},
        "ticket": {"type": "object", "additionalProperties": False, "required": ["price"], "properties": {"price": ref("MoneyInput"),
            "nonprofitId": {**uuid, "description": "A verified nonprofit that receives ticket revenue (default: the host)"}}}}},
    "Live": {"type": "object", "required": ["id", "host", "title", "language", "status", "createdAt"], "properties": {
        "id": uuid, "host": string(), "title": string(), "description": string(), "language": string(),
        "status": string(enum=["scheduled", "live", "ended", "cancelled"]), "scheduledAt": datetime, "startedAt": datetime, "endedAt": datetime,
        "playbackUrl": string(), "fundraiserId": uuid, "ticketPrice": ref("Money"), "canWatch": {"type": "boolean"}, "createdAt": datetime}},
    "CampaignInput": {"type": "object", "additionalProperties": False, "required": ["slug", "title", "startsAt", "endsAt"], "properties": {
        "slug": string(minLength=3, maxLength=41, description="givingszn or #GivingSzn"), "title": string(minLength=1, maxLength=120),
        "description": string(maxLength=5000), "startsAt": datetime, "endsAt": datetime,
        "nonprofitIds": {"type": "array", "maxItems": 500, "items": uuid}}},
    "CampaignLiveInput": {"type": "object", "additionalProperties": False, "required": ["liveId"], "properties": {"liveId": uuid}},
    "CampaignNonprofitInput": {"type": "object", "additionalProperties": False, "required": ["nonprofitId"], "properties": {"nonprofitId": uuid}},
    "Campaign": {"type": "object", "required": ["id", "slug", "title", "startsAt", "endsAt", "nonprofits", "program", "onNow", "raised"], "properties": {
        "id": uuid, "slug": string(), "title": string(), "description": string(), "startsAt": datetime, "endsAt": datetime,
        "nonprofits": {"type": "array", "items": {"type": "object", "properties": {"id": uuid, "name": string()}}},
        "program": {"type": "array", "items": ref("ProgramLive")}, "onNow": {"type": "array", "items": ref("ProgramLive")},
        "raised": {"type": "array", "items": ref("Money")}}},
    "ProgramLive": {"type": "object", "required": ["id", "title", "host", "status"], "properties": {
        "id": uuid, "title": string(), "host": string(), "status": string(), "scheduledAt": datetime, "startedAt": datetime, "fundraiserId": uuid}},
    "TicketInput": {"type": "object", "additionalProperties": False, "required": ["paymentToken"], "properties": {
        "paymentToken": string(minLength=1, maxLength=255, pattern="^[!-~]+$")}},
    "Ticket": {"type": "object", "required": ["id", "liveId", "price", "status", "createdAt"], "properties": {
        "id": uuid, "liveId": uuid, "holder": string(), "price": ref("Money"),
        "status": string(enum=["pending", "active", "failed", "refunded", "revoked"]), "createdAt": datetime}},
    "TicketList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": ref("Ticket")}}},
    "Cancelled": {"type": "object", "required": ["status", "refunded", "notYetRefunded"], "properties": {
        "status": string(), "refunded": integer(), "notYetRefunded": integer()}},
    "FeedPage": {"type": "object", "required": ["items", "next"], "properties": {"next": integer(), "items": {"type": "array", "items": {
        "type": "object", "required": ["seq", "kind", "at", "data"], "properties": {"seq": integer(), "kind": string(), "at": datetime,
        "data": {"type": "object"}}}}}},
    "FeedEvent": {"type": "object", "required": ["seq", "kind", "at", "data"], "properties": {"seq": integer(), "kind": string(), "at": datetime,
        "data": {"type": "object"}}},
    "ThanksInput": {"type": "object", "additionalProperties": False, "properties": {
        "donationId": uuid, "message": string(maxLength=280, description="Without donationId, thanks everyone")}},
    "SupporterList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"type": "object",
        "required": ["donationId", "donor", "messageHidden"], "properties": {"donationId": uuid, "donor": string(), "amount": ref("Money"),
        "message": string(), "messageHidden": {"type": "boolean"}, "at": datetime}}}}},
    "OverlayInput": {"type": "object", "additionalProperties": False, "properties": {
        "minAmount": integer(minimum=0, maximum=10000000000, description="Minor units; smaller gifts show without a name"),
        "showAmounts": {"type": "boolean"}, "rotateKey": {"type": "boolean"}}},
    "Overlay": {"type": "object", "required": ["url", "minAmount", "showAmounts"], "properties": {
        "url": string(description="For OBS's browser source; carries the key"), "minAmount": integer(), "showAmounts": {"type": "boolean"}}},
    "WebhookReceived": {"type": "object", "required": ["received"], "properties": {"received": {"type": "boolean"}}},
    "VideoUpload": {"type": "object", "additionalProperties": False, "required": ["file"], "properties": {
        "file": string(format="binary", contentMediaType="application/octet-stream",
                       description="The video's bytes: MP4, WebM or QuickTime, recognised by content (not by name or part type); at most GOODCAST_MAX_VIDEO_BYTES (100 MB)"),
        "caption": string(maxLength=2200, description="Text; its #hashtags and @mentions are picked out")}},
    "VideoChallenge": {"type": "object", "required": ["hashtag", "counted", "accrued"], "properties": {
        "hashtag": string(), "counted": {"type": "boolean", "description": "Whether the video counts towards this challenge"},
        "accrued": {"type": "array", "items": ref("Money")}}},
    "Video": {"type": "object", "required": ["id", "owner", "caption", "hashtags", "mentions", "container", "bytes", "mediaUrl", "views", "createdAt", "challenges"],
        "properties": {"id": uuid, "owner": string(description="The uploader's handle"), "caption": string(),
        "hashtags": {"type": "array", "items": string(description="As typed, without '#'")}, "mentions": {"type": "array", "items": string()},
        "container": string(enum=["mp4", "webm", "quicktime"]), "bytes": integer(minimum=0),
        "durationSeconds": {"type": "number", "minimum": 0}, "width": integer(minimum=0), "height": integer(minimum=0),
        "mediaUrl": string(description="GET /media/videos/{videoId}: the bytes, with Range support (see components.pathItems.MediaVideo)"),
        "posterUrl": string(description="GET /media/videos/{videoId}/poster.jpg (see components.pathItems.MediaPoster); absent when no poster was made"),
        "views": integer(minimum=0), "createdAt": datetime, "challenges": {"type": "array", "items": ref("VideoChallenge")}}},
    "VideoPage": {"type": "object", "required": ["items", "page", "perPage", "total"], "properties": {
        "items": {"type": "array", "items": ref("Video")}, "page": integer(), "perPage": integer(), "total": integer()}},
    "ViewInput": {"type": "object", "additionalProperties": False, "required": ["videoId", "viewerId", "at"], "properties": {
        "videoId": uuid, "viewerId": string(minLength=1, maxLength=128, pattern="^[!-~]+$", description="An account id or an anonymous device id"),
        "at": datetime}},
    "ViewBatch": {"type": "array", "minItems": 1, "maxItems": 1000, "items": ref("ViewInput")},
    "ViewsAccepted": {"type": "object", "required": ["accepted"], "properties": {"accepted": integer(minimum=0)}},
    "ChallengeInput": {"type": "object", "additionalProperties": False, "required": ["hashtag", "title", "startsAt", "endsAt", "branded"], "properties": {
        "hashtag": string(minLength=2, maxLength=101, description="With or without '#'"),
        "nonprofitId": {**uuid, "description": "The verified nonprofit behind a branded challenge"},
        "title": string(minLength=1, maxLength=120), "description": string(maxLength=5000), "rules": string(maxLength=5000),
        "startsAt": datetime, "endsAt": datetime, "effect": string(maxLength=60), "branded": {"type": "boolean"}}},
    "ChallengeStats": {"type": "object", "required": ["videos", "views", "participants", "followersGained", "pledged", "accrued"], "properties": {
        "videos": integer(minimum=0), "views": integer(minimum=0), "participants": integer(minimum=0), "followersGained": integer(minimum=0),
        "pledged": {"type": "array", "items": ref("Money")}, "accrued": {"type": "array", "items": ref("Money")}}},
    "ChallengePledge": {"type": "object", "required": ["id", "sponsor", "perVideo", "budget", "accrued", "status"], "properties": {
        "id": uuid, "sponsor": string(description="The sponsor's handle"), "perVideo": ref("Money"), "budget": ref("Money"), "accrued": ref("Money"),
        "status": string(enum=["active", "settled"])}},
    "Challenge": {"type": "object", "required": ["id", "hashtag", "title", "branded", "startsAt", "endsAt", "status", "promoted", "stats"], "properties": {
        "id": uuid, "hashtag": string(), "title": string(), "description": string(), "rules": string(), "branded": {"type": "boolean"},
        "nonprofit": {"type": "object", "required": ["id", "name"], "properties": {"id": uuid, "name": string()},
                      "description": "Absent when unbranded"},
        "effect": string(), "startsAt": datetime, "endsAt": datetime, "status": string(enum=["upcoming", "active", "ended"]),
        "promoted": {"type": "boolean"}, "stats": ref("ChallengeStats"),
        "pledges": {"type": "array", "items": ref("ChallengePledge"), "description": "Only on a single challenge, not in lists"}}},
    "ChallengePage": {"type": "object", "required": ["items", "page", "perPage", "total"], "properties": {
        "items": {"type": "array", "items": ref("Challenge")}, "page": integer(), "perPage": integer(), "total": integer()}},
    "PledgeInput": {"type": "object", "additionalProperties": False, "required": ["perVideo", "budget", "paymentToken"], "properties": {
        "perVideo": ref("MoneyInput"), "budget": ref("MoneyInput"),
        "paymentToken": string(minLength=1, maxLength=255, pattern="^[!-~]+$", description="Sandbox: tok_visa, tok_chargeDeclined, tok_insufficientFunds, tok_timeout")}},
    "Pledge": {"type": "object", "required": ["id", "challengeId", "sponsor", "perVideo", "budget", "accrued", "status", "createdAt"], "properties": {
        "id": uuid, "challengeId": uuid, "sponsor": string(description="The sponsor's handle"), "perVideo": ref("Money"), "budget": ref("Money"),
        "accrued": ref("Money"), "status": string(enum=["pending", "active", "failed", "settled"]), "createdAt": datetime}},
    "Settlement": {"type": "object", "required": ["settled", "returned"], "properties": {
        "settled": integer(minimum=0), "returned": {"type": "array", "items": ref("Money"), "description": "Unspent budget returned to sponsors"}}},
    "StoryUpload": {"type": "object", "additionalProperties": False, "required": ["media"], "properties": {
        "media": string(format="binary", contentMediaType="application/octet-stream",
                        description="A JPEG, PNG or WebP image (at most 10 MB), or an MP4, WebM or QuickTime video of at most 60 s (at most GOODCAST_MAX_VIDEO_BYTES, 100 MB); recognised by content (not by name or part type)"),
        "stickers": string(description="JSON text: an array of at most 5 sticker placements (see components.schemas.StickerPlacement), "
                                       "[{stickerId: uuid, x: 0..1, y: 0..1, scale: 0.1..5, rotation: -360..360, revealName?: boolean}]; "
                                       "each sticker must be the poster's own and its donation neither refunded nor disputed"),
        "highlight": string(enum=["true", "false"], description="Keep the story on the account after its 24 hours"),
        "shared": string(enum=["true", "false"], description="Default true: whether a story with a donation sticker joins the shared story of its fundraiser and campaign")}},
    "StickerPlacement": {"type": "object", "required": ["stickerId", "x", "y", "scale", "rotation"], "description": "One element of the 'stickers' part of POST /api/v1/stories", "properties": {
        "stickerId": uuid, "x": {"type": "number", "minimum": 0, "maximum": 1}, "y": {"type": "number", "minimum": 0, "maximum": 1},
        "scale": {"type": "number", "minimum": 0.1, "maximum": 5}, "rotation": {"type": "number", "minimum": -360, "maximum": 360},
        "revealName": {"type": "boolean", "description": "Show the poster's name on a sticker from an anonymous gift"}}},
    "StoryUpdate": {"type": "object", "additionalProperties": False, "properties": {"highlight": {"type": "boolean"}, "shared": {"type": "boolean"}}},
    "Sticker": {"type": "object", "required": ["id", "donationId", "nonprofit", "fundraiser", "anonymous", "available", "createdAt"], "properties": {
        "id": {**uuid, "description": "The sticker's id, the same as its donation's id"}, "donationId": uuid,
        "nonprofit": {"type": "object", "required": ["id", "name"], "properties": {"id": uuid, "name": string()}},
        "fundraiser": {"type": "object", "required": ["id", "title"], "properties": {"id": uuid, "title": string()}},
        "campaign": {"type": "object", "required": ["slug", "title"], "properties": {"slug": string(), "title": string()},
                     "description": "Absent when the fundraiser is in no campaign"},
        "anonymous": {"type": "boolean", "description": "The gift was anonymous"},
        "available": {"type": "boolean", "description": "False once the donation is refunded in full or disputed"}, "createdAt": datetime}},
    "StickerList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": ref("Sticker"), "description": "Newest first"}}},
    "PlacedSticker": {"type": "object", "required": ["nonprofit", "fundraiser", "donor", "anonymous", "x", "y", "scale", "rotation"], "properties": {
        "anonymous": {"type": "boolean", "description": "An anonymous gift whose donor did not reveal their name: donor names no one"},
        "stickerId": {**uuid, "description": "Only for the story's owner"},
        "nonprofit": {"type": "object", "required": ["id", "name"], "properties": {"id": uuid, "name": string()}},
        "fundraiser": {"type": "object", "required": ["id", "title"], "properties": {"id": uuid, "title": string()}},
        "donor": string(description="The poster's display name, or 'Anonymous'"),
        "x": {"type": "number", "minimum": 0, "maximum": 1}, "y": {"type": "number", "minimum": 0, "maximum": 1},
        "scale": {"type": "number", "minimum": 0.1, "maximum": 5}, "rotation": {"type": "number", "minimum": -360, "maximum": 360}}},
    "Story": {"type": "object", "required": ["id", "owner", "ownerDisplayName", "kind", "mediaType", "mediaUrl", "createdAt", "expiresAt", "highlight", "shared", "stickers"],
        "properties": {"id": uuid, "owner": string(description="The poster's handle"), "ownerDisplayName": string(),
        "kind": string(enum=["image", "video"]), "mediaType": string(enum=STORY_MEDIA),
        "mediaUrl": string(description="GET /media/stories/{storyId}: the bytes, with Range support (see components.pathItems.MediaStory)"),
        "durationSeconds": {"type": "number", "minimum": 0, "description": "Videos only"}, "createdAt": datetime, "expiresAt": datetime,
        "highlight": {"type": "boolean"}, "shared": {"type": "boolean"},
        "stickers": {"type": "array", "items": ref("PlacedSticker"), "description": "Stickers whose donation was refunded or disputed are left out"}}},
    "StoryList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": ref("Story"), "description": "Oldest first"}}},
    "StoryFeed": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array",
        "description": "Accounts with the newest story first", "items": {"type": "object", "required": ["account", "stories"], "properties": {
        "account": {"type": "object", "required": ["handle", "displayName"], "properties": {"handle": string(), "displayName": string()}},
        "stories": {"type": "array", "items": ref("Story"), "description": "Oldest first"}}}}}},
    "SharedStory": {"type": "object", "required": ["storyId", "donor", "kind", "mediaType", "mediaUrl", "createdAt", "sticker"], "properties": {
        "storyId": uuid, "poster": string(description="The poster's handle; absent when the gift was anonymous and the donor did not reveal their name"),
        "donor": string(description="Display name, or 'Anonymous'"), "kind": string(enum=["image", "video"]), "mediaType": string(enum=STORY_MEDIA),
        "mediaUrl": string(description="GET /media/stories/{storyId} (see components.pathItems.MediaStory)"), "createdAt": datetime,
        "sticker": ref("PlacedSticker")}},
    "SharedStoryPage": {"type": "object", "required": ["items", "page", "perPage", "total"], "properties": {
        "items": {"type": "array", "items": ref("SharedStory"), "description": "Newest first"}, "page": integer(), "perPage": integer(), "total": integer()}},
    "Health": {"type": "object", "required": ["status", "database"], "properties": {"status": string(enum=["ok"]), "database": string(enum=["sqlite", "postgresql"])}},
    "ProgramInput": {"type": "object", "additionalProperties": False, "required": ["slug", "title", "budget", "creatorDeadline"], "properties": {
        "slug": string(minLength=3, maxLength=41), "title": string(minLength=1, maxLength=120), "description": string(maxLength=5000),
        "budget": ref("MoneyInput"), "creatorDeadline": datetime, "unchosen": string(enum=["return", "default"]), "defaultNonprofitId": uuid}},
    "ProgramGrantInput": {"type": "object", "additionalProperties": False, "required": ["nonprofitId", "amount"], "properties": {
        "nonprofitId": uuid, "amount": integer(minimum=1, maximum=1000000000000, description="Minor units of the program's currency")}},
    "ProgramInvitationInput": {"type": "object", "additionalProperties": False, "required": ["handle", "amount"], "properties": {
        "handle": string(minLength=1, maxLength=31), "amount": integer(minimum=1, maximum=1000000000000)}},
    "ProgramChoiceInput": {"type": "object", "additionalProperties": False, "required": ["nonprofitId"], "properties": {"nonprofitId": uuid}},
    "ProgramInvitation": {"type": "object", "required": ["id", "program", "creator", "amount", "status", "deadline"], "properties": {
        "id": uuid, "program": string(), "creator": string(), "amount": ref("Money"),
        "status": string(enum=["invited", "given", "returned", "defaulted"]), "deadline": datetime}},
    "ProgramInvitationList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": ref("ProgramInvitation")}}},
    "Program": {"type": "object", "required": ["id", "slug", "title", "budget", "granted", "offeredToCreators", "unassigned", "creatorDeadline", "unchosen", "status", "grants"], "properties": {
        "id": uuid, "slug": string(), "title": string(), "description": string(), "budget": ref("Money"), "granted": ref("Money"),
        "offeredToCreators": ref("Money"), "unassigned": ref("Money"), "creatorDeadline": datetime, "unchosen": string(enum=["return", "default"]),
        "status": string(enum=["active", "closed"]), "grants": {"type": "array", "items": {"type": "object", "required": ["id", "nonprofit", "amount", "at"], "properties": {
            "id": uuid, "nonprofit": {"type": "object", "required": ["id", "name"], "properties": {"id": uuid, "name": string()}}, "amount": ref("Money"),
            "onBehalfOf": string(description="The creator who chose this nonprofit"), "at": datetime}}}}},
    "CreditGrantInput": {"type": "object", "additionalProperties": False, "required": ["credits"], "properties": {
        "credits": integer(minimum=1, maximum=1000000000, description="Whole ad credits: a unit of their own, never money")}},
    "PromotionInput": {"type": "object", "additionalProperties": False, "required": ["budget", "endsAt"], "properties": {
        "challenge": string(minLength=1, maxLength=101, description="The hashtag of one of the nonprofit's branded challenges"),
        "liveId": {**uuid, "description": "Or a live that raises money for the nonprofit"},
        "budget": integer(minimum=1, maximum=1000000000, description="Ad credits set aside; each impression shown costs the configured rate"),
        "startsAt": datetime, "endsAt": datetime}},
    "Promotion": {"type": "object", "required": ["id", "nonprofitId", "target", "budget", "spent", "impressions", "creditsPerImpression", "status", "startsAt", "endsAt", "createdAt"], "properties": {
        "id": uuid, "nonprofitId": uuid, "target": {"type": "object", "required": ["kind", "id", "name"], "properties": {
            "kind": string(enum=["challenge", "live"]), "id": uuid, "name": string()}},
        "budget": integer(), "spent": integer(), "impressions": integer(), "creditsPerImpression": integer(),
        "status": string(enum=["active", "stopped", "ended"]), "startsAt": datetime, "endsAt": datetime, "createdAt": datetime}},
    "AdCredits": {"type": "object", "required": ["nonprofitId", "balance", "promotions"], "properties": {
        "nonprofitId": uuid, "balance": integer(minimum=0), "promotions": {"type": "array", "items": ref("Promotion")}}},
    "AnalyticsScope": {"type": "object", "required": ["kind", "id", "title"], "properties": {
        "kind": string(enum=["nonprofit", "challenge", "live", "fundraiser"]), "id": uuid, "title": string()}},
    "AnalyticsMetric": {"type": "object", "required": ["metric", "series", "total", "previousTotal", "change", "personDays"], "properties": {
        "metric": string(enum=["views", "videos", "participants", "donations", "donors_new", "donors_returning", "followers_gained", "net"]),
        "currency": string(description="ISO 4217 code for money (values in minor units); absent for counts"),
        "series": {"type": "array", "items": integer(), "description": "One value per day of `days`"},
        "total": integer(), "previousTotal": integer(description="The same total over the previous period of the same length"),
        "change": integer(), "changePercent": string(description="One decimal, such as -33.3; absent when the previous total is 0"),
        "personDays": {"type": "boolean", "description": "The total sums people per day (someone on two days counts twice)"}}},
    "Analytics": {"type": "object", "required": ["nonprofit", "scope", "from", "to", "previousFrom", "previousTo", "days", "metrics"], "properties": {
        "nonprofit": ref("AnalyticsScope"), "scope": ref("AnalyticsScope"),
        "from": string(format="date"), "to": string(format="date"), "previousFrom": string(format="date"), "previousTo": string(format="date"),
        "days": {"type": "array", "items": string(format="date")}, "metrics": {"type": "array", "items": ref("AnalyticsMetric")},
        "items": {"type": "array", "description": "The nonprofit's challenges, lives and fundraisers with their totals (whole-nonprofit scope only)",
                  "items": {"type": "object", "required": ["kind", "id", "title", "totals"], "properties": {
                      "kind": string(enum=["challenge", "live", "fundraiser"]), "id": uuid, "title": string(),
                      "totals": {"type": "array", "items": {"type": "object", "required": ["metric", "total"], "properties": {
                          "metric": string(), "currency": string(), "total": integer()}}}}}},
        "rolledUpAt": {**datetime, "description": "When the figures were last brought up to date; absent before the first roll-up"}}},
}

fr = path_param("fundraiserId")
dn = path_param("donationId")
idem = {"name": "Idempotency-Key", "in": "header", "required": True, "schema": string(pattern="^[!-~]{1,255}$"),
        "description": "A unique value per attempt (a UUID): a retry with the same key and body replays the first answer"}
money_moved = {"402": problem("The card was declined"), "409": problem("Not possible in the current state, or the same key is in progress"),
               "503": problem("The processor did not answer: retry with the same Idempotency-Key")}
date_param = lambda name, d: query(name, string(), d + " (2026-11-30 or 2026-11-30T19:00:00Z)")
vid = path_param("videoId")
ht = text_param("hashtag", "With or without '#' (send it as %23), any case", minLength=1, maxLength=101)
st = path_param("storyId")
hd = text_param("handle", "An account's handle, with or without a leading '@'", minLength=1, maxLength=31)
slug = {"name": "slug", "in": "path", "required": True, "schema": string(maxLength=100)}
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
        {"200": ok(ref("Nonprofit"))}, optional_auth=True, params=[np]),
        "patch": op("Edit the profile: description, website, causes (owners, platform admins)", "nonprofits",
            {"200": ok(ref("Nonprofit"))}, secure=True, request="NonprofitProfileUpdate", params=[np])},
    "/api/v1/nonprofits/{nonprofitId}/payout-details": {
        "get": op("Where payouts go, masked (members, platform admins; 404 when none are set)", "nonprofits",
            {"200": ok(ref("PayoutDetails"))}, secure=True, params=[np]),
        "put": op("Set where payouts go: an IBAN or a US bank account (owners, platform admins); answered masked", "nonprofits",
            {"200": ok(ref("PayoutDetails"))}, secure=True, request="PayoutDetailsInput", params=[np])},
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
    "/api/v1/fundraisers": {"post": op("Start a fundraiser for a verified nonprofit", "fundraisers", {"201": ok(ref("Fundraiser"), "Created")},
        secure=True, request="FundraiserInput")},
    "/api/v1/fundraisers/{fundraiserId}": {"get": op("A fundraiser: goal, net raised (from the ledger), donors, recent donations", "fundraisers",
        {"200": ok(ref("Fundraiser"))}, optional_auth=True, params=[fr])},
    "/api/v1/fundraisers/{fundraiserId}/donations": {"post": op("Donate (idempotent)", "donations",
        {"201": ok(ref("Donation"), "Charged and recorded"), **money_moved}, secure=True, request="DonationInput", params=[fr, idem])},
    "/api/v1/donations/{donationId}": {"get": op("A donation (its donor, the nonprofit's team, admins)", "donations", {"200": ok(ref("Donation"))}, secure=True, params=[dn])},
    "/api/v1/donations/{donationId}/receipt": {"get": op("A succeeded donation's receipt", "donations", {"200": ok(ref("Receipt"))}, secure=True, params=[dn])},
    "/api/v1/donations/{donationId}/refunds": {"post": op("Refund all or part (the nonprofit's owners, admins; idempotent)", "donations",
        {"201": ok(ref("Refund"), "Refunded"), **money_moved}, secure=True, request="RefundInput", params=[dn, idem])},
    "/api/v1/me/donations": {"get": op("My donations, newest first", "donations", {"200": ok(ref("DonationList")), "422": problem("A parameter is not valid")},
        secure=True, params=paging)},
    "/api/v1/nonprofits/{nonprofitId}/donations": {"get": op("A nonprofit's donations with their donors, newest first (its team, admins)", "nonprofits",
        {"200": ok(ref("TeamDonationList")), "422": problem("A parameter is not valid")}, secure=True,
        params=[np, query("fundraiserId", uuid, "Only this fundraiser's"), query("status", string(enum=["pending", "succeeded", "declined", "failed"]), "Only donations in this state")] + paging)},
    "/api/v1/admin/payouts/run": {"post": op("Pay out every balance above the minimum, once per period (platform admins)", "admin",
        {"200": ok(ref("PayoutList"))}, secure=True, request="PayoutRun")},
    "/api/v1/nonprofits/{nonprofitId}/payouts": {"get": op("A nonprofit's payouts (owners, admins); its CSV statement with Accept: text/csv", "nonprofits",
        {"200": {"description": "Payouts", "content": {"application/json": {"schema": ref("PayoutList")}, "text/csv": {"schema": string()}}}},
        secure=True, params=[np])},
    "/api/v1/nonprofits/{nonprofitId}/analytics": {"get": op(
        "Daily figures from the roll-ups (members, platform admins): views, videos, participants, donations, donors new and returning, "
        "followers gained, net raised per currency, with totals and the change against the previous period; CSV with Accept: text/csv or format=csv",
        "nonprofits",
        {"200": {"description": "The figures", "content": {"application/json": {"schema": ref("Analytics")}, "text/csv": {"schema": string()}}},
         "404": problem("No such nonprofit, or the scope is not one of its own"), "422": problem("A parameter is not valid")},
        secure=True, params=[np, query("from", string(format="date"), "First day, UTC (default: 27 days before `to`)"),
                             query("to", string(format="date"), "Last day, included (default: today, UTC); at most 366 days in all"),
                             query("scope", string(), "challenge:<id>, live:<id> or fundraiser:<id> (default: the whole nonprofit)"),
                             query("format", string(enum=["json", "csv"]), "csv answers text/csv, as Accept: text/csv does")])},
    "/api/v1/lives": {"post": op("Create a live (optionally raising money for a verified nonprofit, or with a ticket price)", "lives",
        {"201": ok(ref("Live"), "Created")}, secure=True, request="LiveInput"),
        "get": op("Discover lives: on now, then coming up; lives promoted with ad credits first (each listing counts an impression)", "lives",
        {"200": ok({"type": "object", "required": ["items", "page", "perPage", "total"], "properties": {
            "items": {"type": "array", "items": {"type": "object", "required": ["live", "promoted"], "properties": {
                "live": ref("Live"), "promoted": {"type": "boolean"}}}},
            "page": integer(), "perPage": integer(), "total": integer()}}), "422": problem("A parameter is not valid")},
        optional_auth=True, params=paging)},
    "/api/v1/lives/{liveId}": {"get": op("A live", "lives", {"200": ok(ref("Live"))}, optional_auth=True, params=[path_param("liveId")])},
    "/api/v1/lives/{liveId}/start": {"post": op("Start the live (its host)", "lives", {"200": ok(ref("Live")), "409": problem("Not possible now")},
        secure=True, params=[path_param("liveId")])},
    "/api/v1/lives/{liveId}/end": {"post": op("End the live (its host)", "lives", {"200": ok(ref("Live")), "409": problem("Not possible now")},
        secure=True, params=[path_param("liveId")])},
    "/api/v1/lives/{liveId}/feed": {"get": op("The live's feed after a seq: JSON, Server-Sent Events with Accept: text/event-stream, or a WebSocket upgrade", "lives",
        {"200": {"description": "Events in order", "content": {"application/json": {"schema": ref("FeedPage")}, "text/event-stream": {"schema": string()}}},
         "403": problem("A paid-entry live: a ticket is required"), "422": problem("A parameter is not valid")},
        optional_auth=True, params=[path_param("liveId"), query("after", integer(minimum=0, maximum=2147483647), "Last seq seen (0 for all)"),
                                    query("key", string(maxLength=200), "The stream overlay's key")])},
    "/api/v1/campaigns": {"post": op("Create a campaign (platform admins)", "campaigns", {"201": ok(ref("Campaign"), "Created"),
        "409": problem("The slug is taken")}, secure=True, request="CampaignInput")},
    "/api/v1/campaigns/{slug}": {"get": op("A campaign: its program, what is on now, its total", "campaigns", {"200": ok(ref("Campaign"))},
        optional_auth=True, params=[{"name": "slug", "in": "path", "required": True, "schema": string(maxLength=100)}])},
    "/api/v1/campaigns/{slug}/lives": {"post": op("Put a scheduled live on the program (its host, admins)", "campaigns", {"200": ok(ref("Campaign"))},
        secure=True, request="CampaignLiveInput", params=[{"name": "slug", "in": "path", "required": True, "schema": string(maxLength=100)}])},
    "/api/v1/campaigns/{slug}/nonprofits": {"post": op("Add a participating nonprofit (platform admins)", "campaigns", {"200": ok(ref("Campaign"))},
        secure=True, request="CampaignNonprofitInput", params=[{"name": "slug", "in": "path", "required": True, "schema": string(maxLength=100)}])},
    "/api/v1/lives/{liveId}/tickets": {
        "post": op("Buy a ticket to a paid-entry live (idempotent)", "lives", {"201": ok(ref("Ticket"), "Paid"), **money_moved},
                   secure=True, request="TicketInput", params=[path_param("liveId"), idem]),
        "get": op("The live's tickets (the host)", "lives", {"200": ok(ref("TicketList"))}, secure=True, params=[path_param("liveId")])},
    "/api/v1/lives/{liveId}/tickets/{ticketId}/revoke": {"post": op("Revoke a ticket and refund it (the host)", "lives",
        {"200": ok(ref("Ticket")), "409": problem("Not an active ticket"), "503": problem("The processor did not refund: retry")},
        secure=True, params=[path_param("liveId"), path_param("ticketId")])},
    "/api/v1/lives/{liveId}/cancel": {"post": op("Cancel the live and refund every ticket (the host; safe to repeat)", "lives",
        {"200": ok(ref("Cancelled")), "409": problem("The live has ended")}, secure=True, params=[path_param("liveId")])},
    "/api/v1/lives/{liveId}/thanks": {"post": op("Thank a donor, or everyone (the host); viewers see it", "lives",
        {"201": ok(ref("FeedEvent"), "Sent")}, secure=True, request="ThanksInput", params=[path_param("liveId")])},
    "/api/v1/lives/{liveId}/donations/{donationId}/hide": {"post": op("Hide a donor's message everywhere (the host)", "lives",
        {"204": {"description": "Hidden"}}, secure=True, params=[path_param("liveId"), path_param("donationId")])},
    "/api/v1/lives/{liveId}/supporters": {"get": op("The live's supporters in the order they gave (the host)", "lives",
        {"200": ok(ref("SupporterList"))}, secure=True, params=[path_param("liveId")])},
    "/api/v1/lives/{liveId}/overlay": {
        "get": op("The stream overlay's address and settings (the host)", "lives", {"200": ok(ref("Overlay"))}, secure=True, params=[path_param("liveId")]),
        "put": op("Change the overlay's settings or key (the host)", "lives", {"200": ok(ref("Overlay"))}, secure=True, request="OverlayInput",
                  params=[path_param("liveId")])},
    "/api/v1/videos": {"post": op("Upload a video (multipart/form-data: a 'file' part and an optional 'caption' part)", "videos",
        {"201": ok(ref("Video"), "Uploaded"), "400": problem("Malformed multipart, or no 'file' part"),
         "413": problem("The video is larger than GOODCAST_MAX_VIDEO_BYTES (100 MB)"),
         "415": problem("The body is not multipart/form-data, or the file is not an MP4, WebM or QuickTime video"),
         "422": problem("The caption is too long")}, secure=True, request="VideoUpload", media="multipart/form-data")},
    "/api/v1/videos/{videoId}": {
        "get": op("A video (404 once deleted)", "videos", {"200": ok(ref("Video"))}, optional_auth=True, params=[vid]),
        "delete": op("Delete a video (its owner, platform admins)", "videos", {"204": {"description": "Deleted"}}, secure=True, params=[vid])},
    "/api/v1/views": {"post": op("Report views in a batch; counted asynchronously, once per video per viewer per UTC hour", "views",
        {"202": ok(ref("ViewsAccepted"), "Accepted for counting")}, optional_auth=True, request="ViewBatch")},
    "/api/v1/challenges": {
        "get": op("Challenges, promoted first (without their pledges)", "challenges", {"200": ok(ref("ChallengePage")), "422": problem("A filter is not valid")},
            params=[query("status", string(enum=["active", "upcoming", "ended"]), "Only challenges in this state"),
                    query("cause", string(enum=CAUSES), "Only challenges of nonprofits with this cause")] + paging),
        "post": op("Start a hashtag challenge (a verified nonprofit's member for a branded one, platform admins for an unbranded one)", "challenges",
            {"201": ok(ref("Challenge"), "Created"), "409": problem("The hashtag is used by a challenge whose window overlaps")},
            secure=True, request="ChallengeInput")},
    "/api/v1/challenges/{hashtag}": {"get": op("A challenge, with its stats and pledges", "challenges", {"200": ok(ref("Challenge"))}, params=[ht])},
    "/api/v1/challenges/{hashtag}/videos": {"get": op("The challenge's videos", "challenges", {"200": ok(ref("VideoPage")), "422": problem("A parameter is not valid")},
        params=[ht, query("sort", string(enum=["newest", "top"]), "Order: newest first, or most viewed first")] + paging)},
    "/api/v1/challenges/{hashtag}/pledges": {"post": op("Pledge an amount per video, up to a budget (idempotent)", "challenges",
        {"201": ok(ref("Pledge"), "Pledged"), **money_moved}, secure=True, request="PledgeInput", params=[ht, idem])},
    "/api/v1/challenges/{hashtag}/settle": {"post": op("Settle an ended challenge's pledges (platform admins)", "challenges",
        {"200": ok(ref("Settlement")), "409": problem("The challenge has not ended")}, secure=True, params=[ht])},
    "/api/v1/admin/nonprofits/{nonprofitId}/ad-credits": {"post": op("Grant ad credits to a verified nonprofit (platform admins, idempotent)", "promotions",
        {"201": ok(ref("AdCredits"), "Granted"), "409": problem("The same key is in progress")}, secure=True, request="CreditGrantInput", params=[np, idem])},
    "/api/v1/nonprofits/{nonprofitId}/ad-credits": {"get": op("The nonprofit's ad credits and promotions (its members, admins)", "promotions",
        {"200": ok(ref("AdCredits"))}, secure=True, params=[np])},
    "/api/v1/nonprofits/{nonprofitId}/promotions": {"post": op("Promote one of the nonprofit's challenges or lives with ad credits (its members)", "promotions",
        {"201": ok(ref("Promotion"), "Promoting"), "409": problem("Not enough ad credits, or the challenge or live is over")}, secure=True, request="PromotionInput", params=[np])},
    "/api/v1/promotions/{promotionId}": {"get": op("A promotion (the nonprofit's members, admins)", "promotions", {"200": ok(ref("Promotion"))},
        secure=True, params=[path_param("promotionId")])},
    "/api/v1/promotions/{promotionId}/stop": {"post": op("Stop a promotion: the unspent credits go back", "promotions", {"200": ok(ref("Promotion"))},
        secure=True, params=[path_param("promotionId")])},
    "/api/v1/admin/programs": {"post": op("Create a giving program, funded from the platform's funds (platform admins)", "programs",
        {"201": ok(ref("Program"), "Created"), "409": problem("The slug is taken")}, secure=True, request="ProgramInput")},
    "/api/v1/admin/programs/{slug}/grants": {"post": op("Grant part of a program to a verified nonprofit (platform admins, idempotent)", "programs",
        {"201": ok(ref("Program"), "Granted"), "409": problem("Not that much left, the program is closed, or the key is in progress")}, secure=True,
        request="ProgramGrantInput", params=[slug, idem])},
    "/api/v1/admin/programs/{slug}/invitations": {"post": op("Invite a creator to give a share on the program's behalf (platform admins)", "programs",
        {"201": ok(ref("ProgramInvitation"), "Invited"), "409": problem("Not that much left, invited already, or past the deadline")}, secure=True,
        request="ProgramInvitationInput", params=[slug])},
    "/api/v1/admin/programs/{slug}/close": {"post": op("Close after the deadline: unchosen shares return or go to the default nonprofit (platform admins)", "programs",
        {"200": ok(ref("Program")), "409": problem("Before the deadline")}, secure=True, params=[slug])},
    "/api/v1/programs/{slug}": {"get": op("A program and where its money went", "programs", {"200": ok(ref("Program"))}, params=[slug])},
    "/api/v1/programs/{slug}/choice": {"post": op("An invited creator gives their share to a verified nonprofit", "programs",
        {"200": ok(ref("ProgramInvitation")), "409": problem("Given already, or past the deadline")}, secure=True, request="ProgramChoiceInput", params=[slug])},
    "/api/v1/me/program-invitations": {"get": op("My invitations to give a program's share", "programs", {"200": ok(ref("ProgramInvitationList"))}, secure=True)},
    "/api/v1/stories": {"post": op("Post a story for 24 hours (multipart/form-data: a 'media' part, optional 'stickers', 'highlight' and 'shared' parts)", "stories",
        {"201": ok(ref("Story"), "Posted"), "400": problem("Malformed multipart, or no 'media' part"),
         "403": problem("A sticker is not the poster's own"), "409": problem("A sticker's donation was refunded or disputed"),
         "413": problem("The media is too large: images over 10 MB, videos over GOODCAST_MAX_VIDEO_BYTES (100 MB)"),
         "415": problem("The body is not multipart/form-data, or the media is not a JPEG, PNG or WebP image or an MP4, WebM or QuickTime video"),
         "422": problem("The stickers JSON or a value is not valid")}, secure=True, request="StoryUpload", media="multipart/form-data")},
    "/api/v1/stories/{storyId}": {
        "get": op("A story (404 once deleted, or expired and not a highlight; its owner still sees it)", "stories", {"200": ok(ref("Story"))},
            optional_auth=True, params=[st]),
        "put": op("Make a story a highlight or not, shared or not (its owner)", "stories", {"200": ok(ref("Story"))}, secure=True,
            request="StoryUpdate", params=[st]),
        "delete": op("Delete a story (its owner, platform admins)", "stories", {"204": {"description": "Deleted"}}, secure=True, params=[st])},
    "/api/v1/me/stickers": {"get": op("My 'I donated' stickers, newest first", "stories", {"200": ok(ref("StickerList"))}, secure=True)},
    "/api/v1/me/stories/feed": {"get": op("The visible stories of accounts I follow: the account with the newest story first, each account's stories oldest first",
        "stories", {"200": ok(ref("StoryFeed"))}, secure=True)},
    "/api/v1/accounts/{handle}/stories": {"get": op("An account's visible stories (last 24 hours) and highlights, oldest first", "stories",
        {"200": ok(ref("StoryList")), "404": problem("No account has this handle")}, optional_auth=True, params=[hd])},
    "/api/v1/accounts/{handle}/follow": {
        "post": op("Follow an account (idempotent)", "stories", {"200": ok(ref("Follow")), "409": problem("You cannot follow yourself")},
            secure=True, params=[hd]),
        "delete": op("Unfollow an account (idempotent)", "stories", {"200": ok(ref("Follow"))}, secure=True, params=[hd])},
    "/api/v1/fundraisers/{fundraiserId}/story": {"get": op("The fundraiser's shared donors' story, newest first", "stories",
        {"200": ok(ref("SharedStoryPage")), "404": problem("No such fundraiser"), "422": problem("A parameter is not valid")}, params=[fr] + paging)},
    "/api/v1/campaigns/{slug}/story": {"get": op("The campaign's shared donors' story, newest first", "stories",
        {"200": ok(ref("SharedStoryPage")), "404": problem("No such campaign"), "422": problem("A parameter is not valid")}, params=[slug] + paging)},
    "/api/v1/payments/webhooks/{processor}": {"post": {"summary": "The payment processor's signed events (Stripe-Signature)", "tags": ["payments"],
        "parameters": [{"name": "processor", "in": "path", "required": True, "schema": string()},
                       {"name": "Stripe-Signature", "in": "header", "required": False, "schema": string()}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": ok(ref("WebhookReceived")), "400": problem("Bad signature or not an event"), "404": problem("No such processor"),
                      "413": problem("Too large"), "4XX": problem("Another client error"),
                      "503": problem("The event's charge is not recorded yet: deliver it again later (Retry-After)")}}},
}

def media_item(summary, types, missing, param=vid, tag="videos"):
    """A ranged file answer outside /api/v1. Kept in components.pathItems, not in paths: the route test
    (OperationsTests.documentMatchesRoutes) compares every documented path with the /api routes only."""
    binary = {mt: {"schema": string(contentMediaType=mt, format="binary")} for mt in types}
    ranges = {"Accept-Ranges": {"schema": string(enum=["bytes"])}, "Content-Length": {"schema": integer(minimum=0)}}
    return {"parameters": [param], "get": {"summary": summary, "tags": [tag],
        "parameters": [{"name": "Range", "in": "header", "required": False, "schema": string(), "description": "One byte range, e.g. bytes=0-1023"}],
        "responses": {"200": {"description": "The whole file", "headers": ranges, "content": binary},
                      "206": {"description": "The range asked for", "headers": {**ranges, "Content-Range": {"required": True, "schema": string()}}, "content": binary},
                      "404": problem(missing),
                      "416": {**problem("The range is not satisfiable"), "headers": {"Content-Range": {"schema": string(description="bytes */<size>")}}}}}}
path_items = {"MediaVideo": media_item("A video's bytes (GET /media/videos/{videoId})", ["video/mp4", "video/webm", "video/quicktime"],
                             "No such video, or it was deleted"),
              "MediaPoster": media_item("A video's poster (GET /media/videos/{videoId}/poster.jpg; 404 when ffmpeg was not there to make one)", ["image/jpeg"],
                              "No such video, or no poster was made"),
              "MediaStory": media_item("A story's bytes (GET /media/stories/{storyId}; visible stories only)", STORY_MEDIA,
                             "No such story, or it was deleted, or it expired and is not a highlight", param=st, tag="stories")}

document = {
    "openapi": "3.1.0",
    "info": {"title": "Goodcast", "version": "0.1.0",
             "description": "The 'for good' layer of a short-video and live-streaming community. Errors are RFC 9457 problem+json."},
    "servers": [{"url": "/"}],
    "paths": paths,
    "components": {"schemas": schemas, "pathItems": path_items, "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
}
out = pathlib.Path(__file__).resolve().parent.parent / "Sources/App/Resources/openapi.json"
out.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
print(f"wrote {out}")
