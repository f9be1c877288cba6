"""The assets API's shapes: every text bounded by core.limits, pages by PageLimit/PageOffset."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from shouzhan.core.limits import (
    PAGE_DEFAULT,
    Key,
    LongText,
    PageLimit,
    PageOffset,
    QueryText,
    ShortText,
    Text,
)


class AssetWorkFilters(Schema):
    mine: bool = Field(False, description="Only your enterprises' works")
    enterprise_id: int | None = None
    kind: Key = ""
    q: QueryText = Field("", description="Words in the title")
    limit: PageLimit = PAGE_DEFAULT
    offset: PageOffset = 0


class AssetWorkOut(Schema):
    id: int
    enterprise_id: int
    holder: str
    kind: str
    kind_label: str
    title: str
    description: str
    dci: str
    parent_id: int | None
    episode_no: int | None
    published: bool
    versions: int
    version: int = Field(description="Send it back as expected_version to change the work")
    created_at: dt.datetime


class AssetWorkPage(Schema):
    count: int
    items: list[AssetWorkOut]


class AssetVersionOut(Schema):
    code: str = Field(description="The certificate's public code, e.g. SZ-7KQ2-M9XD-PA")
    number: int
    filename: str = Field(description="Empty for a work you see but do not hold")
    note: str
    sha256: str
    size: int
    format: str
    media: str
    duration_ms: int | None
    stamp_state: str
    stamp_state_label: str
    stamped_at: dt.datetime | None
    tsa: str
    tsa_serial: str
    prints_state: str
    prints_state_label: str
    created_at: dt.datetime


class AssetWorkDetailOut(AssetWorkOut):
    versions: list[AssetVersionOut]  # type: ignore[assignment]


class AssetWorkIn(Schema):
    enterprise_id: int
    kind: Key
    title: ShortText
    description: LongText = ""
    dci: Key = ""
    parent: int | None = Field(None, description="The series an episode belongs to")
    episode_no: int | None = Field(None, ge=1, le=10_000)


class AssetWorkPatch(Schema):
    expected_version: int
    kind: Key | None = None
    title: ShortText | None = None
    description: LongText | None = None
    dci: Key | None = None
    parent: int | None = None
    episode_no: int | None = Field(None, ge=1, le=10_000)


class WorkPublishIn(Schema):
    published: bool


class AssetProvenanceIn(Schema):
    target_code: Key
    source_code: Key
    relation: Key = Field(description="trained_on | derived_from | uses")
    note: Text = ""


class AssetVerificationOut(Schema):
    found: bool
    sha256: str
    code: str = ""
    version: int | None = None
    title: str = Field("", description="Empty for an unpublished work: only its registration is disclosed")
    holder: str = ""
    kind_label: str = ""
    registered_at: dt.datetime | None = None
    stamped_at: dt.datetime | None = None
    tsa: str = ""
    tsa_serial: str = ""
    token_ok: bool | None = None
    message: str = ""
