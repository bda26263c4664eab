"""The demo plan carried out step by step through `devices.services`, each step at its
own time under `portal.demo.clock.DemoClock`."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from devices import services
from devices.choices import FaultCategory, ReturnReason
from devices.demo.data import CARRIERS, WIPE_FOR, L
from devices.demo.plan import Plan, RepairPlan, ReturnPlan
from portal.demo.clock import DAY, DemoClock
from portal.models import User


class Act:
    """The plan carried out through `devices.services`, as the desk and the staff do it,
    each step on its own day: devices handed out soon after purchase, closed cases
    finished weeks or months ago, open ones moving in the last days."""

    def __init__(self, plan: Plan):
        self.plan, self.fleet = plan, plan.fleet
        self.clock = DemoClock(plan.rng)
        self.desk = User.objects.get(username="logistics")
        self.admin = User.objects.get(username="admin")
        self.manager = plan.people["manager"]
        self.handed_out: dict[int, datetime.datetime] = {}

    def hand_out(self) -> None:
        for person, device in self.plan.held:
            bought = datetime.datetime.combine(
                device.purchase_date, datetime.time(12), tzinfo=timezone.get_current_timezone()
            )
            when = self.clock.working_hours(bought + DAY * self.plan.rng.randint(1, 6))
            with self.clock.at(min(when, self.clock.now - 3 * DAY)) as when:
                services.assign_device(by=self.desk, device_id=device.pk, user_id=person.pk)
            self.handed_out[device.pk] = when

    def employees_cracked_screen(self) -> None:
        employee = self.plan.people["employee"]
        phone = self.plan.kit["employee"][0]
        case: list = []

        def report():
            case.append(
                services.report_fault(
                    by=employee,
                    device_id=phone.pk,
                    category=FaultCategory.SCREEN,
                    description="Dropped it getting out of the car; the screen is cracked "
                    "and the lower corner no longer reacts to touch.",
                    data_backed_up=True,
                )
            )

        def triage():
            services.triage_case(
                by=self.desk, case_id=case[0].pk, comment="Screen swap, no data loss."
            )
            services.lend_loaner(
                by=self.desk, case_id=case[0].pk, loaner_id=self.plan.employee_loaner.pk
            )

        days = (self.clock.now - 2 * DAY, self.clock.now - DAY)  # reported, triaged
        self.clock.run([report, triage], [self.clock.working_hours(day) for day in days])

    def repair(self, plan: RepairPlan) -> None:
        reporter = plan.holder
        if self.manager.department_id == plan.holder.department_id and plan.stop == "closed":
            reporter = self.manager  # the manager reports for one of their nurses
        category, description = plan.fault
        case: list = []

        def report():
            case.append(
                services.report_fault(
                    by=reporter,
                    device_id=plan.device.pk,
                    category=category,
                    description=description,
                    data_backed_up=category != FaultCategory.WATER,
                )
            )

        steps = [report, *self._repair_steps(lambda: case[0].pk, plan)]
        times = self.clock.schedule(
            len(steps), after=self.handed_out[plan.device.pk], finished=plan.stop == "closed"
        )
        self.clock.run(steps, times)

    def _repair_steps(self, case_id, plan: RepairPlan) -> list:
        """The desk's steps after the report, up to where the plan stops."""
        desk = self.desk

        def triage():
            services.triage_case(by=desk, case_id=case_id())
            if plan.loaner is not None:
                services.lend_loaner(by=desk, case_id=case_id(), loaner_id=plan.loaner.pk)

        def ship():
            services.ship_case(
                by=desk,
                case_id=case_id(),
                carrier=CARRIERS[case_id() % len(CARRIERS)],
                tracking_number=f"70{7_301_000_000_000 + case_id() * 7919}",
            )

        steps = [
            ("triaged", triage),
            ("in_transit", ship),
            ("at_repair_partner", lambda: services.case_at_partner(by=desk, case_id=case_id())),
            (plan.outcome, lambda: self._outcome(case_id(), plan)),
            ("returned_to_user", lambda: services.return_to_user(by=desk, case_id=case_id())),
            ("closed", lambda: services.close_case(by=desk, case_id=case_id())),
        ]
        if plan.stop == "reported":
            return []
        if plan.stop == "cancelled":  # the holder rings the desk: the charger was to blame
            return [
                triage,
                lambda: services.cancel_repair_case(
                    by=desk,
                    case_id=case_id(),
                    reason="The holder called: it was the charger, not the device.",
                ),
            ]
        # an outcome stop ("replaced", ...) is the plan's outcome, so it is in the list
        done = [state for state, _step in steps].index(plan.stop)
        return [step for _state, step in steps[: done + 1]]

    def _outcome(self, case_id: int, plan: RepairPlan) -> None:
        warranty = bool(plan.device.warranty_end and plan.device.warranty_end >= self.fleet.today)
        services.record_outcome(
            by=self.desk,
            case_id=case_id,
            outcome=plan.outcome,
            cost=Decimal(0) if warranty else Decimal(890 + 450 * (case_id % 4)),
            warranty_covered=warranty,
            replacement_id=plan.replacement.pk if plan.replacement else None,
            comment={
                "repaired": "Repaired by the partner; tested and cleaned.",
                "replaced": "Not worth repairing: replaced from stock.",
                "beyond_repair": "The main board is damaged; the partner cannot repair it.",
            }[plan.outcome],
        )

    def give_back(self, plan: ReturnPlan, number: int) -> None:
        """The return walked up to where the plan stops, a redeployed device handed out
        again, each step on its own day."""
        case: list = []
        steps = self._return_steps(plan, number, case)
        if plan.stop == "cancelled":  # the holder keeps the device after all
            todo = [
                steps[0][1],
                lambda: services.cancel_return(
                    by=plan.holder, case_id=case[0].pk, reason="Still needed for night shifts."
                ),
            ]
        else:
            done = [state for state, _step in steps].index(plan.stop)
            todo = [step for _state, step in steps[: done + 1]]
        disposal = plan.disposal or plan.stop
        if disposal == "redeployed" and self.plan.redeploy_to:
            person = self.plan.redeploy_to.pop()
            todo.append(
                lambda: services.assign_device(
                    by=self.desk, device_id=plan.device.pk, user_id=person.pk
                )
            )
        times = self.clock.schedule(
            len(todo), after=self.handed_out[plan.device.pk], finished=plan.stop == "closed"
        )
        self.clock.run(todo, times)

    def _return_steps(self, plan: ReturnPlan, number: int, case: list) -> list:
        """(state, step) of a whole return; `case` receives the case the first step opens."""
        desk = self.desk
        laptop = plan.device.model.category == L
        disposal = plan.disposal or plan.stop

        def request():
            case.append(
                services.request_return(
                    by=plan.holder, device_id=plan.device.pk, reason=plan.reason
                )
            )

        def wipe():
            services.record_wipe(
                by=desk if number % 3 else self.admin,
                case_id=case[0].pk,
                method=WIPE_FOR[(laptop, disposal == "recycled")],
                certificate=f"WC-{self.fleet.today.year}-{case[0].pk:05d}",
            )

        def ship():
            services.ship_return(by=plan.holder, case_id=case[0].pk, comment="Sent with Bring.")

        steps = [("requested", request)]
        if number % 2 or plan.stop == "in_transit":  # the others are handed in at the desk
            steps.append(("in_transit", ship))
        return [
            *steps,
            ("received", lambda: services.receive_return(by=desk, case_id=case[0].pk)),
            ("wiped", wipe),
            (
                disposal,
                lambda: services.dispose_return(by=desk, case_id=case[0].pk, outcome=disposal),
            ),
            ("closed", lambda: services.close_return(by=desk, case_id=case[0].pk)),
        ]

    def leaver_leaves(self) -> None:
        """The manager asks for the leaver's phone back; then the account is deactivated
        while both devices are still out, so the desk's queue shows them."""
        phone = self.plan.leavers_devices[0]
        with self.clock.at(self.clock.working_hours(self.clock.now - 3 * DAY)):
            services.request_return(
                by=self.manager, device_id=phone.pk, reason=ReturnReason.LEAVING
            )
        User.objects.filter(pk=self.plan.leaver.pk).update(is_active=False)
