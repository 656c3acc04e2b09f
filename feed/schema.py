"""What drf-spectacular needs to describe the API: the key scheme and the batch's shape."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from .records import KINDS


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "feed.authentication.ApiKeyAuthentication"
    name = "coreSystemKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A per-system API key issued by staff in admin (shown once).",
        }


Record = PolymorphicProxySerializer(
    component_name="Record",
    serializers=dict(KINDS),
    resource_type_field_name="kind",
    many=False,
)


class BatchRequest(serializers.Serializer):
    records = serializers.ListField(child=serializers.DictField())


class RecordErrorOut(serializers.Serializer):
    record = serializers.IntegerField(help_text="index in `records` (API) or line (file)")
    company = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    external_id = serializers.CharField()
    path = serializers.CharField(help_text="field path in the record, e.g. `lines[1].net`")
    message = serializers.CharField()


class ReconciliationOut(serializers.Serializer):
    company = serializers.CharField()
    as_of = serializers.DateField()
    core_balance = serializers.DecimalField(max_digits=16, decimal_places=2)
    portal_balance = serializers.DecimalField(max_digits=16, decimal_places=2)
    difference = serializers.DecimalField(max_digits=16, decimal_places=2)
    mismatch = serializers.BooleanField()


class BatchReport(serializers.Serializer):
    batch = serializers.IntegerField()
    status = serializers.CharField(help_text="applied, partial, rejected or failed")
    records = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    companies = serializers.DictField(child=serializers.CharField())
    errors = RecordErrorOut(many=True)
    reconciliation = ReconciliationOut(many=True)
