"""The demo data set's fixed names, places and plans (fictional, except the real wind turbines)."""

from datetime import date
from pathlib import Path

DEMO_LABEL = "Illustrative demo data (manage.py load_demo), not real agreements."
DEMO_PASSWORD = "demo"
# The demo users are this prefix and a role: demo-viewer, demo-editor, demo-administrator.
DEMO_USER_PREFIX = "demo-"
TURBINES = Path(__file__).parent / "aalborg_wind_turbines_ens.geojson"
TODAY = date(2026, 11, 1)  # fixed, so every run builds the same data set
AALBORG_CENTRE = (556_000, 6_322_900)  # EPSG:25832
RØRDAL_HARBOUR = (561_000, 6_323_300)

COMPANY_NAMES = [
    "Limfjord Cement",
    "Nordjysk Stålindustri",
    "Aalborg Havnelogistik",
    "Rørdal Kalkværk",
    "Nørresundby Emballage",
    "Vendsyssel Fødevarer",
    "Hals Skibsværft",
    "Svenstrup Maskinfabrik",
    "Gistrup Datacenter",
    "Storvorde Betonvarer",
    "Vodskov Træindustri",
    "Nibe Mejeri",
    "Aalborg Øst Køl & Frys",
    "Limfjordens Fiskeindustri",
    "Himmerland Glasværk",
    "Skalborg Trykkeri",
    "Sulsted Plastteknik",
    "Klarup Elektronik",
    "Vadum Møbelfabrik",
    "Aalborg Bryggeri og Malteri",
    "Nordkraft Servicecenter",
    "Hasseris Supermarkeder",
    "Frejlev Biler",
    "Aalborg Ren Vask",
]
FARM_NAMES = [
    "Lindholm Hovedgård",
    "Sønderholm Svinebrug",
    "Ellidshøj Kvæg",
    "Ferslev Mark",
    "Nøvling Økologi",
    "Kongerslev Planteavl",
    "Mou Kystgård",
    "Ulsted Mælkeproduktion",
    "Dokkedal Enge",
    "Gandrup Kvægbrug",
    "Hammer Bakker Gård",
    "Langholt Slagtesvin",
    "Tylstrup Kartofler",
    "Vester Hassing Mink og Mark",
    "Birkelse Planteavl",
    "Restrup Gods",
    "Vaarst Økokvæg",
    "Fjellerad Landbrug",
    "Romdrup Gårdbutik",
    "Oudrup Ådal",
]
# District heating supply areas (centre EPSG:25832, half width, half height, supply °C) and a transmission line.
HEATING_AREAS = [
    ("Aalborg by (demo)", (555_900, 6_322_600), 3_200, 2_200, 80),
    ("Nørresundby (demo)", (555_600, 6_325_600), 1_800, 1_000, 80),
    ("Nibe (demo)", (538_700, 6_315_700), 900, 700, 75),
    ("Hals (demo)", (579_600, 6_318_100), 800, 600, 75),
    ("Svenstrup (demo)", (551_700, 6_314_800), 800, 700, 70),
]
HEATING_LINE = (
    "Transmission line Aalborg Øst - Storvorde (demo)",
    [(559_100, 6_322_000), (563_000, 6_320_000), (566_900, 6_318_200)],
    85,
)
# Surplus-heat sources nobody has proposed yet: (name, company index, position, MWh/yr, °C)
HEAT_SOURCES = [
    ("Rørdal kiln bypass gas", 3, (561_400, 6_323_900), 60_000, 180),
    ("Gistrup data centre cooling water", 8, (561_000, 6_316_800), 35_000, 32),
    ("Vodskov sawmill dryer exhaust", 10, (562_100, 6_329_800), 6_500, 65),
    ("Hals shipyard compressors", 6, (580_900, 6_318_900), 2_400, 60),
    ("Nibe dairy refrigeration", 11, (539_300, 6_316_000), 3_800, 45),
    ("Storvorde concrete curing", 9, (567_300, 6_317_600), 1_900, 55),
    ("Hasseris supermarket CO2 cooling", 21, (553_600, 6_321_900), 900, 40),
    ("Svenstrup machine shop", 7, (551_000, 6_313_100), 1_200, 50),
]
UTILITY_NAMES = ["Aalborg Forsyning Varme", "Nordjysk Biogas Fællesanlæg", "Limfjord Power-to-X", "Aalborg CO2-Fangst"]

INDUSTRY_MEASURES = [
    ("energy_efficiency", "Energy efficiency in production", 40, 900),
    ("fuel_switch", "Natural gas to electricity and biomass", 200, 3_000),
    ("electrification", "Electrified process heat", 150, 1_800),
    ("surplus_heat", "Surplus heat to district heating", 300, 2_500),
    ("transport", "Electric trucks and forklifts", 20, 300),
    ("renewable_energy", "Rooftop and ground solar", 25, 450),
]
AGRICULTURE_MEASURES = [
    ("land_use", "Carbon-rich lowland soils taken out of production", 100, 1_500),
    ("feed_additive", "Methane-reducing feed additive", 40, 600),
    ("manure_handling", "Slurry cooling and acidification", 60, 800),
    ("biogas", "Manure to the biogas plant", 300, 2_000),
    ("energy_efficiency", "Energy efficiency in stables and drying", 15, 200),
]
SITE_PLAN = [  # type, count, planning statuses to cycle, capacity range, unit
    ("solar", 10, ["idea", "screening", "local_plan", "approved", "operating"], (5, 120), "MW"),
    ("biogas", 8, ["screening", "environmental_assessment", "under_construction", "operating"], (20, 120), "Nm3/yr"),
    ("co2_capture", 4, ["idea", "screening", "environmental_assessment"], (50_000, 400_000), "t/yr"),
    ("power_to_x", 4, ["idea", "screening", "local_plan"], (10, 300), "MW"),
    ("biochar", 4, ["idea", "approved", "operating"], (2_000, 20_000), "t/yr"),
    ("grass_protein", 4, ["screening", "under_construction", "operating"], (5_000, 40_000), "t/yr"),
    ("wind", 4, ["idea", "screening", "local_plan", "rejected"], (12, 60), "MW"),
    ("hydrogen_pipe", 3, ["idea", "screening"], (4, 30), "km"),
    ("co2_pipe", 3, ["idea", "screening"], (4, 30), "km"),
]
