from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportRun
from .numbers import NUMBER_LOCALE_LABELS


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "GeoPackage, zipped Shapefile, GeoJSON, KML, CSV or Excel (.xlsx); EPSG:25832, EPSG:4326 "
            "or the CRS the file declares."
        ),
    )
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportRun.Kind.choices)
    layer = forms.CharField(
        label=_("Layer or sheet"), required=False, max_length=200, help_text=_("Only when the file has several.")
    )
    crs = forms.ChoiceField(
        label=_("Coordinates in a spreadsheet"),
        required=False,
        choices=[
            ("", _("Detect")),
            ("EPSG:25832", _("EPSG:25832 (UTM 32N, metres)")),
            ("EPSG:4326", _("EPSG:4326 (longitude/latitude)")),
        ],
    )
    number_locale = forms.ChoiceField(
        label=_("Numbers in the file"),
        required=False,
        choices=[("", _("Decide from each column")), *NUMBER_LOCALE_LABELS.items()],
        help_text=_("Only needed when a column holds nothing but values such as 12.000, which read two ways."),
    )
    mapping = forms.FileField(
        label=_("Column mapping (optional)"),
        required=False,
        help_text=_("YAML with columns, defaults and values sections; see the README."),
    )
