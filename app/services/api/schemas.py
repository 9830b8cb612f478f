"""JSON shapes of the public API (/api/v1), as documented in the OpenAPI schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints


class ProvinceRef(BaseModel):
    """A province by slug and name; `now_in` names the current province of a former one."""

    slug: str
    name: str
    code: str | None = None
    now_in: str | None = Field(default=None, description="Current province slug if this one was merged")


class ProductProvinces(BaseModel):
    """Where a product is now and where it was certified."""

    current: ProvinceRef
    at_certification: list[ProvinceRef]


class ProductHit(BaseModel):
    """One search result."""

    slug: str
    name: str
    url: str
    group: str
    level: str = Field(description="The level shown: the highest with a certificate valid today; when "
                                   "none is valid, the highest ever certified (`status` says it isn't valid)")
    levels: list[str]
    years: list[int]
    province: ProductProvinces
    producer: str
    status: str = Field(description="valid | expired | revoked at that level, as of today in Vietnam")
    valid_until: date | None = Field(description="Valid: the last day of unbroken validity at that level; "
                                                 "expired: the day it ended; revoked: null")
    image: str | None = Field(description="URL of a 640-px JPEG of the cover photo")


class ProductSearchResponse(BaseModel):
    """A page of search results with disjunctive facet counts."""

    total: int
    page: int
    per_page: int
    hits: list[ProductHit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    notice: str | None = None


class CertificateOut(BaseModel):
    """A certificate with its status on the day asked about."""

    code: str
    number: str | None
    level: str
    level_label: str
    issued_on: date
    valid_until: date
    status: str
    status_label: str
    revoked_on: date | None
    revoked_reason: str | None
    score: float | None
    province: ProvinceRef = Field(description="Province at certification")
    decision_number: str | None = Field(description="Number of the decision the certificate rests on, as "
                                                     "printed (e.g. 123/QĐ-SCT); null when not known")
    decision_date: date | None = Field(description="Date of that decision; null when not known")
    decision_signer: str | None = Field(description="The office that signed the decision (e.g. Sở Công "
                                                    "Thương Thừa Thiên Huế, Bộ Công Thương); null when not "
                                                    "recorded")
    decision_url: str | None = Field(description="Absolute URL of the decision's PDF; null when none was "
                                                 "uploaded")
    updated_at: datetime = Field(description="When this certificate's record last changed (UTC)")
    verify_url: str
    product_slug: str
    product_name: str


class ProducerOut(BaseModel):
    """A producer with its published contacts."""

    slug: str
    name: str
    legal_form: str | None
    address: str | None
    phone: str | None
    email: str | None
    website: str | None
    province: ProvinceRef


class ImageOut(BaseModel):
    """A product photo in several widths."""

    alt: str
    width: int
    height: int
    urls: dict[str, str] = Field(description="'<width>.<format>' → URL")


class ProductOut(BaseModel):
    """A product with its producer, photos and certificates."""

    slug: str
    name: str
    url: str
    group: str
    group_label: str
    description: str | None
    level: str | None
    status: str
    province: ProvinceRef
    producer: ProducerOut
    images: list[ImageOut]
    certificates: list[CertificateOut]
    updated_at: datetime = Field(description="When the product's record last changed (UTC): the product, its "
                                             "producer or any of its certificates, as `updated_since` counts")


class CertificateList(BaseModel):
    """Certificates sharing one printed number (there may be several)."""

    number: str
    on: date
    certificates: list[CertificateOut]


class FieldProblem(BaseModel):
    """One parameter the request got wrong."""

    field: str
    message: str


class ApiError(BaseModel):
    """Every error answer of the API: a Vietnamese message, the parameter at fault when there is one,
    and per-parameter problems for malformed requests (declared so clients can rely on the shape)."""

    detail: str
    field: str | None = Field(default=None, description="The query parameter at fault")
    errors: list[FieldProblem] | None = Field(default=None, description="Each malformed parameter")


CheckItem = Annotated[str, StringConstraints(max_length=200)]


class CheckRequest(BaseModel):
    """A list to check: codes, printed numbers or product names, mixed freely."""

    items: list[CheckItem] = Field(min_length=1, max_length=5000,
                                   description="1 to 5,000 verification codes, printed certificate numbers "
                                               "or product names (each at most 200 characters)")


class CheckCandidate(BaseModel):
    """One product or certificate an ambiguous item could mean."""

    product: str
    product_slug: str
    producer: str
    code: str
    number: str | None
    status: str = Field(description="valid | expired | revoked, as of today in Vietnam")


class CheckResult(BaseModel):
    """One item's answer, as the verification page gives it for the same text."""

    input: str
    status: str = Field(description="valid | expired | revoked | not_found | ambiguous, as of today in "
                                    "Vietnam. "
                                    "A certificate expiring soon is `valid` with `days_left` ≤ 90; "
                                    "`ambiguous`: several products or certificates fit, see `candidates`")
    matched_by: str | None = Field(description="code | number | name (exact product name, diacritics "
                                               "optional) | null when not found")
    code: str | None = Field(description="Verification code as printed (XXXX-XXXX)")
    number: str | None = Field(description="Printed certificate number")
    product: str | None
    product_slug: str | None
    producer: str | None
    level: str | None
    valid_until: date | None
    days_left: int | None = Field(description="Days from today (Vietnam) to valid_until; negative once "
                                              "expired")
    revoked_on: date | None
    revoked_reason: str | None
    candidates: list[CheckCandidate] = Field(description="For `ambiguous`: the first five that fit")


class CheckResponse(BaseModel):
    """Every item's answer, in the order of the items."""

    results: list[CheckResult]
