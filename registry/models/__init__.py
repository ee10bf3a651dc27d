from .common import ArchivableModel, ArchivableQuerySet
from .organisations import Organisation, OrganisationSite
from .heat import HeatingNetwork, HeatSource
from .sites import EnergySite
from .symbioses import HeatSymbiosis

__all__ = [
    "ArchivableModel", "ArchivableQuerySet", "Organisation", "OrganisationSite", "EnergySite", "HeatSymbiosis",
    "HeatSource", "HeatingNetwork",
]
