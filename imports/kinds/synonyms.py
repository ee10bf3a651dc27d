"""The values people write for our choices, beyond their codes and English or Danish labels.

Keys are compared normalised (imports.columns.normalise: lower case, æ/ø/å spelt out, underscores).
"""

# Energy sites
SITE_TYPE_SYNONYMS = {
    "vind": "wind",
    "vindmoelle": "wind",
    "vindmoeller": "wind",
    "vindkraft": "wind",
    "vindkraftanlaeg": "wind",
    "wind_turbine": "wind",
    "wind_turbines": "wind",
    "windturbine": "wind",
    "vindpark": "wind",
    "sol": "solar",
    "solcelle": "solar",
    "solceller": "solar",
    "solcellepark": "solar",
    "solcelleanlaeg": "solar",
    "pv": "solar",
    "solar_pv": "solar",
    "solar_park": "solar",
    "solpark": "solar",
    "biogasanlaeg": "biogas",
    "co2_fangst": "co2_capture",
    "ccs": "co2_capture",
    "carbon_capture": "co2_capture",
    "co2_fangst_og_lagring": "co2_capture",
    "ptx": "power_to_x",
    "p2x": "power_to_x",
    "power_to_x": "power_to_x",
    "biokul": "biochar",
    "pyrolyse": "biochar",
    "pyrolysis": "biochar",
    "graesprotein": "grass_protein",
    "brintroer": "hydrogen_pipe",
    "brintledning": "hydrogen_pipe",
    "hydrogen_pipeline": "hydrogen_pipe",
    "co2_roer": "co2_pipe",
    "co2_ledning": "co2_pipe",
    "co2_pipeline": "co2_pipe",
}
PLANNING_STATUS_SYNONYMS = {
    "ide": "idea",
    "screening": "screening",
    "lokalplan": "local_plan",
    "miljoevurdering": "environmental_assessment",
    "vvm": "environmental_assessment",
    "godkendt": "approved",
    "vedtaget": "approved",
    "under_opfoerelse": "under_construction",
    "i_drift": "operating",
    "drift": "operating",
    "in_operation": "operating",
    "existing": "operating",
    "eksisterende": "operating",
    "afvist": "rejected",
    "planned": "idea",
    "planlagt": "idea",
}

# Partnerships, their organisations and measures
SECTOR_SYNONYMS = {
    "industri": "industry",
    "erhverv": "industry",
    "virksomhed": "industry",
    "company": "industry",
    "landbrug": "agriculture",
    "farm": "agriculture",
    "jordbrug": "agriculture",
}
PARTNERSHIP_STATUS_SYNONYMS = {
    "dialog": "dialogue",
    "i_dialog": "dialogue",
    "underskrevet": "signed",
    "indgaaet": "signed",
    "aktiv": "active",
    "afsluttet": "completed",
    "gennemfoert": "completed",
    "annulleret": "cancelled",
    "opsagt": "cancelled",
    "canceled": "cancelled",
}
MEASURE_TYPE_SYNONYMS = {
    "energieffektivisering": "energy_efficiency",
    "energibesparelse": "energy_efficiency",
    "braendselsskift": "fuel_switch",
    "elektrificering": "electrification",
    "overskudsvarme": "surplus_heat",
    "vedvarende_energi": "renewable_energy",
    "ve": "renewable_energy",
    "co2_fangst": "carbon_capture",
    "lavbundsjord": "land_use",
    "udtagning_af_lavbundsjord": "land_use",
    "arealanvendelse": "land_use",
    "foderadditiv": "feed_additive",
    "fodertilsaetning": "feed_additive",
    "gylle": "manure_handling",
    "gyllehaandtering": "manure_handling",
    "biokul": "biochar",
    "transport": "transport",
    "andet": "other",
}
METHOD_SYNONYMS = {
    "beregnet": "calculated",
    "standardfaktor": "standard_factor",
    "standardfaktorer": "standard_factor",
    "maalt": "measured",
    "maaling": "measured",
    "skoen": "expert_estimate",
    "ekspertskoen": "expert_estimate",
    "estimate": "expert_estimate",
    "estimat": "expert_estimate",
}
ORGANISATION_KIND_SYNONYMS = {
    "virksomhed": "company",
    "landbrug": "farm",
    "bedrift": "farm",
    "forsyning": "utility",
    "offentlig": "public",
    "andet": "other",
}

# Heat: symbioses, and the networks they (and heating networks) feed
SYMBIOSIS_STATUS_SYNONYMS = {
    "ide": "idea",
    "forundersoegelse": "feasibility",
    "aftalt": "agreed",
    "under_opfoerelse": "under_construction",
    "i_drift": "operating",
    "annulleret": "cancelled",
    "canceled": "cancelled",
}
NETWORK_KIND_SYNONYMS = {
    "fjernvarme": "heating",
    "district_heating": "heating",
    "fjernkoeling": "cooling",
    "district_cooling": "cooling",
}
