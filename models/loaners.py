"""The loaner pool (备用机): spare units lent while a customer's equipment is repaired, each of an
asset category and a class (P19, P21: "不低于原机", at least equal to the original; ranks count
as `AssetRecord.capability_rank` does). The admin keeps the pool; the workflow lends and takes
back (`activities/loaners.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from models.archive import CapabilityRank, ShortName
from models.common import Identifier

#: What the admin sets: a unit to lend, or one out of the pool for good. `issued` is the
#: system's, while a request has the unit.
WrittenStatus = Literal["available", "retired"]
LoanerStatus = Literal["available", "issued", "retired"]
#: What a unit's view adds to its record: shown, never written through the record.
READ_ONLY = frozenset({"issued_to", "issued_at"})


class LoanerUnitRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    serial: Identifier
    model: ShortName
    category: Identifier
    #: 1 the plainest; a unit is lent for an asset of its category and at most its rank.
    rank: CapabilityRank = 1
    status: WrittenStatus = "available"

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        # A unit read back and written unchanged (the admin page's form, a client's GET→PUT).
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in READ_ONLY}
        return data


class LoanerUnitView(BaseModel):
    """A unit as the pool shows it: its record, and the request that has it now."""

    serial: str
    model: str
    category: str
    rank: int
    status: LoanerStatus
    issued_to: str | None = None
    issued_at: datetime | None = None
