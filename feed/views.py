"""The import API: POST a batch, GET its report. JSON only; see README "The core system feed"."""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import AuditContext, client_ip
from ebok.forms import parse_id

from .authentication import ApiKeyAuthentication, HasScope, PerClientRateThrottle
from .importer.runner import Item, run_batch
from .models import ApiClient, ImportBatch
from .schema import BatchReport, Record


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class FeedView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [PerClientRateThrottle]


def _read_json_body(request) -> dict:
    """The body, read no further than the limit (a chunked body has no Content-Length)."""
    limit = settings.FEED_MAX_BODY_BYTES
    too_large = PayloadTooLarge(_("Treść żądania przekracza %(limit)s bajtów.") % {"limit": limit})
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large
    if request.content_type != "application/json":
        raise exceptions.UnsupportedMediaType(request.content_type)
    body = request._request.read(limit + 1)
    if len(body) > limit:
        raise too_large
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        message = _("Treść nie jest poprawnym JSON-em: %(e)s") % {"e": error}
        raise exceptions.ParseError(message) from None
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise exceptions.ParseError(_('Oczekiwano obiektu {"records": [...]}.'))
    if len(data["records"]) > settings.FEED_MAX_RECORDS:
        raise PayloadTooLarge(
            _("Paczka może mieć najwyżej %(n)s rekordów.") % {"n": settings.FEED_MAX_RECORDS}
        )
    return data


def batch_report(batch: ImportBatch, companies: dict[str, str] | None = None) -> dict:
    return {
        "batch": batch.pk,
        "status": batch.status,
        "records": batch.records,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "rejected": batch.rejected,
        "counts": batch.counts,
        "companies": companies or {},
        "errors": batch.errors,
        "reconciliation": [
            {
                "company": line.company.external_id or line.company.client_number,
                "as_of": line.as_of.isoformat(),
                "core_balance": str(line.core_balance),
                "portal_balance": str(line.portal_balance),
                "difference": str(line.difference),
                "mismatch": line.mismatch,
            }
            for line in batch.reconciliation.select_related("company").order_by("id")
        ],
    }


STATUS_CODES = {
    ImportBatch.Status.APPLIED: status.HTTP_200_OK,
    ImportBatch.Status.PARTIAL: status.HTTP_207_MULTI_STATUS,
    ImportBatch.Status.REJECTED: status.HTTP_422_UNPROCESSABLE_ENTITY,
}


class BatchCreateView(FeedView):
    required_scope = ApiClient.Scope.IMPORT

    @extend_schema(
        operation_id="batch_import",
        summary="Import a batch of records (all or nothing per company)",
        request=inline_serializer("Batch", {"records": serializers.ListField(child=Record)}),
        responses={
            200: BatchReport,
            207: OpenApiResponse(BatchReport, "some companies rejected"),
            413: OpenApiResponse(description="body or record count over the limit"),
            422: OpenApiResponse(BatchReport, "every company rejected"),
        },
    )
    def post(self, request):
        ip = client_ip(request._request)
        try:
            data = _read_json_body(request)
        except exceptions.APIException as error:  # refused before any record: logged too
            ImportBatch.objects.create(
                source=ImportBatch.Source.API,
                client=request.auth,
                ip=ip,
                status=ImportBatch.Status.REJECTED,
                finished_at=timezone.now(),
                message=str(error.detail)[:300],
            )
            raise
        batch = ImportBatch.objects.create(
            source=ImportBatch.Source.API, client=request.auth, ip=ip
        )
        audit = AuditContext(ip=ip, user_agent=request.headers.get("User-Agent", "")[:300])
        # One group per company wherever its records stand in the list.
        items = [Item(position=i, raw=raw) for i, raw in enumerate(data["records"])]
        first = {}
        for item in items:
            first.setdefault(item.company_key, len(first))
        items.sort(key=lambda item: first[item.company_key])
        batch, run = run_batch(batch=batch, items=items, audit=audit)
        return Response(batch_report(batch, run.companies), status=STATUS_CODES[batch.status])


class BatchDetailView(FeedView):
    required_scope = (ApiClient.Scope.IMPORT, ApiClient.Scope.REPORTS)

    @extend_schema(operation_id="batch_report", responses={200: BatchReport})
    def get(self, request, pk: int):
        batches = ImportBatch.objects.all()
        if request.auth.scope == ApiClient.Scope.IMPORT:
            batches = batches.filter(client=request.auth)  # an importer sees its own batches
        batch_id = parse_id(pk)  # an id beyond the column's range is simply not there
        if batch_id is None:
            raise Http404
        return Response(batch_report(get_object_or_404(batches, pk=batch_id)))
