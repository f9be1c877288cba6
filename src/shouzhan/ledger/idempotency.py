"""Idempotency-Key for the API's writes: a retried request gets the first answer and writes nothing twice.

The key row is inserted in the same transaction as the write it guards. A concurrent retry
waits on the unique index until the first commits, then replays its stored answer; if the
first failed, its key rolled back with it and the retry runs afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja.errors import HttpError

from shouzhan.ledger.models import IdempotencyKey

HEADER = "Idempotency-Key"


def run_once(request: HttpRequest, payload: Any, work: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return work()
    if len(key) > 200:
        raise HttpError(422, "Idempotency-Key too long (max 200) / 幂等键过长（最多200个字符）")
    digest = hashlib.sha256(
        json.dumps({"path": request.path, "body": payload}, sort_keys=True, default=str).encode()
    ).hexdigest()
    user_id = int(request.user.pk or 0)

    def replay(stored: IdempotencyKey) -> tuple[int, Any]:
        if stored.request_hash != digest or stored.endpoint != request.path:
            raise HttpError(
                422, "Idempotency-Key reused for a different request / 幂等键已用于另一个不同的请求"
            )
        return stored.status, stored.body

    stored = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
    if stored is not None:
        return replay(stored)
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                user_id=user_id, key=key, endpoint=request.path, request_hash=digest, status=0, body={}
            )
            status, body = work()
            row.status, row.body = status, json.loads(json.dumps(body, default=str))
            row.save(update_fields=["status", "body"])
            return status, body
    except IntegrityError:
        stored = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
        if stored is None:
            raise
        return replay(stored)
