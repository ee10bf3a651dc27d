from .funding import ExternalFunding
from .international import InternationalPartnership
from .measures import Measure, RealisedReduction
from .partnerships import ClimatePartnership, PartnershipOrganisation, Sector
from .targets import Target

__all__ = [
    "ClimatePartnership",
    "PartnershipOrganisation",
    "Sector",
    "Measure",
    "RealisedReduction",
    "InternationalPartnership",
    "ExternalFunding",
    "Target",
]
