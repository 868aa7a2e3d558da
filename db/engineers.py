"""Engineers as the dispatch rules see them (`models.activity_io.EngineerInfo`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.tables import Engineer
from models.activity_io import EngineerInfo


def engineer_info(engineer: Engineer) -> EngineerInfo:
    return EngineerInfo(
        id=engineer.id,
        name=engineer.name,
        on_duty=engineer.on_duty,
        skills=list(engineer.skills),
        regions=list(engineer.regions),
        phone=engineer.phone,
    )


def find_engineer(session: Session, engineer_id: str) -> EngineerInfo | None:
    engineer = session.get(Engineer, engineer_id)
    return engineer_info(engineer) if engineer is not None else None
