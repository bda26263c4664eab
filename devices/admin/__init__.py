"""The logistics desk in the admin: the fleet, and the repair and return cases.

Devices and cases are read-only here. Every change of state or holder is a small form on
the change page that posts to its own URL and runs a service: the case actions through
the one table of `devices.actions`, the hand-out through `services.assign_device`. A
refusal (`DomainError`) becomes an error message, the page is shown again with the form
and the service's status (409 when someone else acted first), and nothing is changed.

The package: `common` (the DeskAdmin base with its posted forms, and the timeline),
`fleet` (device models and devices, with their list filters), `cases` (repair and return
cases) and `imports` (the CSV import of devices). Importing them registers their admins.
"""

from __future__ import annotations

from devices.admin.cases import CaseAdmin, RepairCaseAdmin, ReturnCaseAdmin
from devices.admin.common import DeskAdmin
from devices.admin.fleet import DeviceAdmin, DeviceModelAdmin
from devices.admin.imports import DeviceImportAdmin

__all__ = [
    "CaseAdmin",
    "DeskAdmin",
    "DeviceAdmin",
    "DeviceImportAdmin",
    "DeviceModelAdmin",
    "RepairCaseAdmin",
    "ReturnCaseAdmin",
]
