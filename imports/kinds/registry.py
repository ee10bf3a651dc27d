"""The kinds of import, by the name the command line and the upload form use."""

from .heat_sources import HeatSourcesImport
from .heating_networks import HeatingNetworksImport
from .partnerships import PartnershipsImport
from .sites import SitesImport
from .symbioses import SymbiosesImport

KINDS = {
    kind.name: kind
    for kind in (SitesImport(), PartnershipsImport(), SymbiosesImport(), HeatSourcesImport(), HeatingNetworksImport())
}
