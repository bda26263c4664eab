"""The demo fleet's data: the 14 device models, what each kind of department carries,
and where the repair and return cases stop."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from devices.choices import DeviceCategory, FaultCategory, ReturnReason, WipeMethod

TAG = "NVK"  # asset tags NVK-00001...: the demo fleet's natural key
FLEET_SIZE = 280
P, L = DeviceCategory.PHONE, DeviceCategory.LAPTOP


@dataclass(frozen=True)
class Spec:
    key: str
    manufacturer: str
    name: str
    category: str
    os: str
    year: int
    co2e: Decimal
    partner: str
    price: int
    serial: str
    tac: str  # the first 8 IMEI digits; "" for a device without a mobile radio


# key | manufacturer | model | category | OS | released | embodied CO2e kg | repair partner |
# price NOK | serial number prefix | IMEI type allocation code
MODEL_TABLE = """
xcover7    | Samsung   | Galaxy XCover7             | phone     | Android    | 2024 | 49  | Nordic Repair AS           | 4290  | R5CX | 35162811
a55        | Samsung   | Galaxy A55 5G              | phone     | Android    | 2024 | 55  | Nordic Repair AS           | 4990  | R5CY | 35394917
xcoverpro  | Samsung   | Galaxy XCover Pro          | phone     | Android    | 2020 | 58  | Nordic Repair AS           | 5490  | R58N | 35412311
se3        | Apple     | iPhone SE (3rd generation) | phone     | iOS        | 2022 | 46  | Fjordtech Apple-service AS | 5990  | F4GZ | 35696437
iphone15   | Apple     | iPhone 15                  | phone     | iOS        | 2023 | 56  | Fjordtech Apple-service AS | 10990 | G7QD | 35837418
iphone11   | Apple     | iPhone 11                  | phone     | iOS        | 2019 | 72  | Fjordtech Apple-service AS | 7990  | F2LZ | 35325011
tc22       | Zebra     | TC22 mobile computer       | phone     | Android    | 2023 | 61  | Zebra OneCare depot        | 8990  | 2318 |
ipad10     | Apple     | iPad (10th generation)     | tablet    | iPadOS     | 2022 | 79  | Fjordtech Apple-service AS | 7990  | H9XW | 35474818
tabactive5 | Samsung   | Galaxy Tab Active5         | tablet    | Android    | 2024 | 96  | Nordic Repair AS           | 7490  | R52W | 35098127
surfacego4 | Microsoft | Surface Go 4               | tablet    | Windows 11 | 2023 | 118 | Microsoft business repair  | 7990  | 0F3  |
t14g5      | Lenovo    | ThinkPad T14 Gen 5         | laptop    | Windows 11 | 2024 | 298 | Lenovo depot service       | 16990 | PF5  |
t14g1      | Lenovo    | ThinkPad T14 Gen 1         | laptop    | Windows 11 | 2020 | 332 | Lenovo depot service       | 14490 | PF2  |
evolve2    | Jabra     | Evolve2 65 headset         | accessory |            | 2020 | 8   | Nordic Repair AS           | 2190  | EV2  |
cradle     | Zebra     | TC22 charging cradle       | accessory |            | 2023 | 6   | Zebra OneCare depot        | 990   | CR1  |
"""  # noqa: E501


def _spec(line: str) -> Spec:
    key, maker, name, category, os, year, co2e, partner, price, serial, tac = (
        cell.strip() for cell in line.split("|")
    )
    return Spec(
        key, maker, name, category, os, int(year), Decimal(co2e), partner, int(price), serial, tac
    )  # noqa: E501


SPECS = [_spec(line) for line in MODEL_TABLE.strip().splitlines()]
# What each kind of department carries: (phone models, second devices).
CARE = {"home-nursing", "home-nursing-north", "home-nursing-south", "elder-care", "solbakken"}
KITS = {
    "care": (["xcover7", "xcover7", "xcoverpro"], ["ipad10", "tabactive5"]),
    "school": (["se3", "iphone11"], ["t14g5", "t14g1", "surfacego4", "ipad10"]),
    "field": (["xcover7", "xcoverpro"], ["tc22", "cradle"]),
    "office": (["iphone15", "a55", "se3"], ["t14g5", "t14g1", "evolve2"]),
}
PERSONA_KIT = {
    "employee": ["xcover7", "ipad10"],
    "manager": ["iphone15", "t14g5"],
    "appowner": ["xcover7", "t14g5"],
    "reviewer": ["iphone15", "t14g5"],
    "logistics": ["a55", "t14g5", "evolve2"],
    "trainer": ["se3", "surfacego4"],
    "admin": ["iphone15", "t14g5"],
}
# Repair cases: where each stops, the fault, and whether a loaner goes out.
REPAIR_STOPS = (
    ["reported"] * 3
    + ["triaged"] * 2
    + ["in_transit"] * 3
    + ["at_repair_partner"] * 3
    + ["repaired"] * 2
    + ["replaced"] * 2
    + ["beyond_repair"] * 2
    + ["returned_to_user"] * 3
    + ["closed"] * 10
    + ["cancelled"]
)
FAULTS = [
    (FaultCategory.SCREEN, "Dropped it on the pavement; the screen is cracked across."),
    (FaultCategory.BATTERY, "The battery runs flat before lunch and the back is bulging."),
    (FaultCategory.WATER, "Got soaked in the rain on a home visit; it will not start."),
    (FaultCategory.SOFTWARE, "Stuck on the start-up logo after the last update."),
    (FaultCategory.OTHER, "The charging port is loose; it only charges at an angle."),
    (FaultCategory.SCREEN, "The touch screen does not react in the lower third."),
]
# Return cases: reason and where each stops (closed ones were disposed of first).
RETURN_STOPS = [
    ("requested", ReturnReason.UPGRADE, None),
    ("requested", ReturnReason.NO_LONGER_NEEDED, None),
    ("in_transit", ReturnReason.UPGRADE, None),
    ("in_transit", ReturnReason.BROKEN, None),
    ("received", ReturnReason.UPGRADE, None),
    ("received", ReturnReason.LEAVING, None),
    ("wiped", ReturnReason.UPGRADE, None),
    ("wiped", ReturnReason.BROKEN, None),
    ("redeployed", ReturnReason.NO_LONGER_NEEDED, None),
    ("refurbished", ReturnReason.UPGRADE, None),
    ("recycled", ReturnReason.BROKEN, None),
    *[("closed", ReturnReason.UPGRADE, "recycled")] * 22,
    *[("closed", ReturnReason.LEAVING, "redeployed")] * 8,
    *[("closed", ReturnReason.NO_LONGER_NEEDED, "refurbished")] * 6,
    ("cancelled", ReturnReason.NO_LONGER_NEEDED, None),
]
CARRIERS = ["Bring", "PostNord", "DHL Express"]
ACCESSORIES = {"evolve2", "cradle"}
OLD = ["iphone11", "xcoverpro", "t14g1"]  # what is recycled or refurbished after years
NEWER = ["se3", "a55", "xcover7", "ipad10", "t14g5"]
# (laptop?, recycled?) -> how the data is wiped
WIPE_FOR = {
    (False, False): WipeMethod.MDM_REMOTE,
    (False, True): WipeMethod.PHYSICAL_DESTRUCTION,
    (True, False): WipeMethod.CERTIFIED_ERASURE,
    (True, True): WipeMethod.PHYSICAL_DESTRUCTION,
}
