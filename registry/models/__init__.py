from .heat import HeatingNetwork, HeatSource
from .organisations import Organisation, OrganisationSite
from .sites import EnergySite
from .symbioses import HeatSymbiosis

__all__ = ["Organisation", "OrganisationSite", "EnergySite", "HeatSymbiosis", "HeatSource", "HeatingNetwork"]
