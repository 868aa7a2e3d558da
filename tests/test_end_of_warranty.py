"""End-of-warranty inspections (P9, P17): the day as exact dates on the office calendar and as
a property, and the daily run on the Temporal dev server registering each inspection once."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from temporalio.client import Client

from db.profiles import store_profile
from db.session import SessionFactory, transaction
from db.tables import Asset, Customer, ServiceRequestRow
from models.intake import SERVICE_TIMEZONE
from models.schedules import END_OF_WARRANTY_WORKFLOW
from tests.sla_fixtures import OFFICE, STANDARD
from tests.workflow_helpers import TASK_QUEUE, eventually
from warranty.end_of_warranty import inspection_day, is_due
from warranty.entitlement import add_months


def test_the_day_counts_working_days_back_past_holidays_and_weekends() -> None:
    # Thursday 8 October 2026: 7, 6, 5 October, then over the weekend and the holidays of
    # 1–2 October to 30 and 29 September.
    assert inspection_day(OFFICE, date(2026, 10, 8), 5) == date(2026, 9, 29)
    assert inspection_day(OFFICE, date(2026, 10, 8), 1) == date(2026, 10, 7)
    # Monday 14 December: Friday the 11th is one working day before it.
    assert inspection_day(OFFICE, date(2026, 12, 14), 1) == date(2026, 12, 11)
    assert not is_due(date(2026, 9, 28), OFFICE, date(2026, 10, 8), 5)
    assert is_due(date(2026, 9, 29), OFFICE, date(2026, 10, 8), 5)
    assert is_due(date(2026, 10, 3), OFFICE, date(2026, 10, 8), 5)  # a missed run made up
    assert is_due(date(2026, 10, 8), OFFICE, date(2026, 10, 8), 5)
    assert not is_due(date(2026, 10, 9), OFFICE, date(2026, 10, 8), 5)  # too late: it ended


@given(st.dates(date(2026, 1, 10), date(2030, 12, 31)), st.integers(1, 30))
def test_exactly_that_many_working_days_lie_between_the_day_and_the_end(
    end: date, days: int
) -> None:
    day = inspection_day(OFFICE, end, days)
    assert OFFICE.is_working_date(day) and day < end
    between = [day + timedelta(n) for n in range((end - day).days)]
    assert sum(OFFICE.is_working_date(d) for d in between) == days


async def test_the_daily_run_registers_each_inspection_once(
    dev_client: Client, sessions: SessionFactory
) -> None:
    tag = secrets.token_hex(3).upper()
    profile = STANDARD.model_copy(
        update={
            "name": f"eow-{tag.lower()}",
            "end_of_warranty": STANDARD.end_of_warranty.model_copy(
                update={"working_days_before": 10}
            ),
        }
    )
    today = datetime.now(ZoneInfo(SERVICE_TIMEZONE)).date()
    customer = f"EW{tag}"

    def invoiced(warranty_left: int) -> date:
        """An invoice date whose 12-month warranty ends `warranty_left` days from today."""
        end = today + timedelta(days=warranty_left)
        return add_months(end + timedelta(days=1), -12)

    soon, later, gone = (f"{customer}-{n}" for n in ("SOON", "LATER", "GONE"))
    with transaction(sessions) as session:
        store_profile(session, profile)
        session.add(
            Customer(id=customer, name=customer, region="qingdao", sla_profile=profile.name)
        )
        session.flush()
        for serial, left in ((soon, 5), (later, 90), (gone, 5)):
            session.add(
                Asset(
                    serial=serial,
                    model="DS-2CD",
                    category="camera",
                    customer_id=customer,
                    invoice_date=invoiced(left),
                    warranty={"start_basis": "invoice", "months": 12},
                )
            )
        session.flush()
        session.add(
            Asset(
                serial=f"{customer}-NEW",
                model="DS-2CD",
                category="camera",
                customer_id=customer,
                invoice_date=today,
                warranty={"start_basis": "invoice", "months": 12},
            )
        )
        session.flush()
        replaced = session.get(Asset, gone)
        assert replaced is not None
        replaced.replaced_by, replaced.replaced_on = f"{customer}-NEW", today

    async def run() -> list[str]:
        return await dev_client.execute_workflow(
            END_OF_WARRANTY_WORKFLOW,
            id=f"end-of-warranty-test-{tag}-{secrets.token_hex(2)}",
            task_queue=TASK_QUEUE,
            result_type=list[str],
        )

    first = await run()

    def inspections() -> list[ServiceRequestRow]:
        with sessions() as session:
            query = select(ServiceRequestRow).where(ServiceRequestRow.customer_id == customer)
            return list(session.scalars(query))

    (row,) = await eventually(inspections)
    assert row.number in first and row.asset_serial == soon
    assert row.type == "inspection" and row.state["fault_code"] == "END_OF_WARRANTY"
    assert "End-of-warranty inspection: the warranty ends" in row.state["description"]
    assert not set(await run()) & {row.number}  # the next day's run finds it registered
    assert [r.number for r in inspections()] == [row.number]
