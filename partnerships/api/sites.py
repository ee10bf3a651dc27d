"""The registry's energy sites with the tonnes their measures add, for the API: sites are the registry's,
the tonnes on them are this app's, so this app completes their list (as it completes their admin)."""

from rest_framework import serializers

from registry.api import serializers as registry_serializers
from registry.api import views as registry_views

from ..models.measures import with_reduction_potential

TONNES = {"max_digits": 14, "decimal_places": 2, "read_only": True}


class EnergySiteSerializer(registry_serializers.EnergySiteSerializer):
    committed_t = serializers.DecimalField(
        **TONNES, help_text="t CO2e/yr of the counted measures on the site in signed, active or completed partnerships."
    )
    pipeline_t = serializers.DecimalField(
        **TONNES, help_text="t CO2e/yr of the measures on the site in partnerships still in dialogue (the pipeline)."
    )

    class Meta(registry_serializers.EnergySiteSerializer.Meta):
        fields = (*registry_serializers.EnergySiteSerializer.Meta.fields, "committed_t", "pipeline_t")

    def to_representation(self, instance):
        if not hasattr(instance, "committed_t"):  # just created: not read through the list's queryset
            instance = with_reduction_potential(type(instance).objects.filter(pk=instance.pk)).get()
        return super().to_representation(instance)


class EnergySiteViewSet(registry_views.EnergySiteViewSet):
    serializer_class = EnergySiteSerializer

    def get_queryset(self):
        return with_reduction_potential(super().get_queryset())
