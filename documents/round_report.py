"""The round report of an inspection round (巡检报告): every asset inspected with its
checklist result, the customer's one signature and the company's stamp. Like the service
report, the HTML is the document of record (its SHA-256 is stored when it is signed) and the
PDF is printed from it."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from PIL import Image

from documents.report import CJK_FONT, report_environment, signature_data_url
from models.actions import png_bytes
from models.errors import invalid_field
from models.inspection_rounds import InspectionRound


def printable(data: str, field: str) -> None:
    """A PNG whose every chunk checks, or a 422 naming `field`: a broken one kept would break
    the report's PDF later (WeasyPrint reads it whole; decoding alone passes it)."""
    try:
        with Image.open(io.BytesIO(png_bytes(data, field))) as image:
            image.verify()
    except (OSError, ValueError, SyntaxError, AttributeError) as error:
        raise invalid_field(field, f"is not a readable PNG image ({error})") from None


def render_round_html(
    found: InspectionRound,
    timezone: str,
    signer: str | None = None,
    signed_at: datetime | None = None,
    signature_png: str | None = None,
    typed_name: str | None = None,
    stamp_png: str | None = None,
) -> str:
    zone = ZoneInfo(timezone)

    def local(instant: datetime | None) -> str:
        return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M") if instant else "—"

    return (
        report_environment()
        .get_template("inspection_round.html")
        .render(
            r=found,
            local=local,
            font=CJK_FONT,
            timezone=timezone,
            signer=signer,
            signed_at=signed_at,
            signature=signature_data_url(signature_png),
            typed_name=typed_name,
            stamp=signature_data_url(stamp_png),
        )
    )
