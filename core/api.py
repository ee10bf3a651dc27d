"""What every API endpoint shares: model rules on write, archive on delete, ETag and If-Match."""

import copy
import json
from collections.abc import Mapping

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .versions import conflict_message, record_etag, version_from_etag, what_changed_since


class YearFilter(django_filters.NumberFilter):
    """A whole year within reason: ?year_signed=5e16 is a 400, not an overflow deep in the date code."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def exception_handler(exc, context):
    """DRF's, plus a body over the upload limit as a JSON 413 that names the limit (Django's is an HTML 400)."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            _("The request body is larger than the limit of %(limit)s bytes; send files through the import page.")
            % {"limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}"}
        )
    return drf_exception_handler(exc, context)


GEOJSON_MEMBERS = {"type", "geometry", "properties", "id", "bbox", "notes"}  # "notes": our replies' own member
FORM_MEMBERS = {"csrfmiddlewaretoken", "_content_type", "_content"}  # the browsable API's form
EMPTY = (None, "", [], {})


class ModelRulesMixin:
    """Run the model's own full_clean() on write, so the API enforces exactly what the admin does.

    A field the serializer does not write (unknown, or read-only) is refused by name: DRF's default
    of ignoring it answered 201 while dropping what the client meant to store. A read-only field sent
    back as the API shows it (the browsable API's form, a script that GETs, edits and PUTs) changes
    nothing, so it passes.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            self._refuse_unwritable(data)
        return super().to_internal_value(data)

    def _sent(self, data) -> dict:
        """The fields the body names, with their values, as the serializer's field names."""
        geo_field = getattr(self.Meta, "geo_field", None)
        if geo_field and isinstance(data.get("properties"), Mapping):
            sent = {**{k: v for k, v in data.items() if k not in GEOJSON_MEMBERS}, **data["properties"]}
            return {**sent, **({geo_field: data["geometry"]} if "geometry" in data else {})}
        return {k: v for k, v in data.items() if k not in FORM_MEMBERS}

    def _shown(self) -> dict:
        """The record as the API shows it, in JSON terms (flattened for a GeoJSON Feature)."""
        from rest_framework.renderers import JSONRenderer

        if self.instance is None or isinstance(self.instance, list | tuple):
            return {}
        shown = json.loads(JSONRenderer().render(self.to_representation(self.instance)))
        if getattr(self.Meta, "geo_field", None) and isinstance(shown.get("properties"), dict):
            return {**shown["properties"], "id": shown.get("id")}
        return shown

    def _refuse_unwritable(self, data) -> None:
        errors, shown = {}, None
        for name, value in sorted(self._sent(data).items()):
            field = self.fields.get(name)
            if field is None:
                errors[name] = [_("Unknown field: nothing is stored under this name.")]
            elif field.read_only:
                shown = self._shown() if shown is None else shown
                if value == shown.get(name, None) or (self.instance is None and value in EMPTY):
                    continue  # sent back as shown: nothing to store, nothing lost
                hint = f"{name.removesuffix('s')}_ids"
                errors[name] = [
                    _("This field is read-only; to set it, send %(field)s.") % {"field": hint}
                    if hint in self.fields and not self.fields[hint].read_only
                    else _("This field is read-only and cannot be written.")
                ]
        if errors:
            raise serializers.ValidationError(errors)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        many_to_many = {f.name for f in self.Meta.model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(instance, name, value)
        plain = [f.name for f in self.Meta.model._meta.concrete_fields if not f.is_relation]
        before = {name: getattr(instance, name) for name in plain}
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
            )
        # the model may have normalised values (CVR spelling, geometry transformed to storage CRS)
        for name in attrs:
            if name not in many_to_many:
                attrs[name] = getattr(instance, name)
        # or filled some in (the date a move implies)
        for name in plain:
            if name not in attrs and getattr(instance, name) != before[name]:
                attrs[name] = getattr(instance, name)
        return attrs


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


class ArchiveViewSet(viewsets.ModelViewSet):
    """DELETE archives (nothing is lost); ?archived=true lists the archive too; POST …/restore/ brings it back.

    Every record carries an ETag; a write with If-Match is refused with 412 (saying who changed what)
    when the record changed since, checked under a row lock so two simultaneous writes cannot both win.
    """

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = record_etag(self.get_object())
        return response

    def _write_with_precondition(self, write, request, *args, **kwargs):
        with transaction.atomic():
            found = self.get_object()  # 404 for unknown or malformed ids, before anything else
            locked = type(found).objects.select_for_update().get(pk=found.pk)
            expected = request.headers.get("If-Match")
            if expected and expected.strip() != "*" and expected.strip() != record_etag(locked):
                details = what_changed_since(locked, version_from_etag(expected))
                raise PreconditionFailed(
                    {"detail": conflict_message(details), **details, "current_etag": record_etag(locked)}
                )
            response = write(request, *args, **kwargs)
        if response.status_code < 300:
            locked.refresh_from_db()
            response["ETag"] = record_etag(locked)
        return response

    def update(self, request, *args, **kwargs):
        return self._write_with_precondition(super().update, request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        return self._write_with_precondition(super().destroy, request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        wants_archive = self.request.query_params.get("archived", "").lower() in {"true", "1", "yes", "only"}
        if self.action == "list" and not wants_archive:
            return queryset.filter(archived_at__isnull=True)
        if self.request.query_params.get("archived", "").lower() == "only":
            return queryset.filter(archived_at__isnull=False)
        return queryset

    def perform_destroy(self, instance):
        instance.archive()

    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None, format=None):
        instance = self.get_object()
        instance.restore()
        return Response(self.get_serializer(instance).data, status=status.HTTP_200_OK)
