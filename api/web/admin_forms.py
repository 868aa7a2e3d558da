"""The admin pages' forms: the fields of each archive record and how each is listed, read and
saved through the API's own route functions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from api import archive as routes
from api import loaner_pool as loaners
from api.context import AppContext
from api.web.forms import Field, Part, Rows
from documents import labels
from identity.web_sessions import SignedIn
from models.archive import AssetRecord, CustomerRecord, EngineerRecord, Page
from models.lifecycle import Role
from models.loaners import LoanerUnitRecord
from models.service_plan import MONTHS, SCHEDULE_KINDS

#: A page of the archive at a time is plenty to pick from; the API pages through the rest.
LISTED = 200


@dataclass(frozen=True)
class Entity:
    """One kind of archive record on the admin pages."""

    name: str
    title: str
    model: type[BaseModel]
    key: str
    fields: tuple[Part, ...]
    #: Columns of the overview's table: (field, heading).
    columns: tuple[tuple[str, str], ...]
    list_all: Callable[[AppContext, SignedIn], Awaitable[Page[Any]]]
    get: Callable[[AppContext, SignedIn, str], Awaitable[BaseModel]]
    create: Callable[[AppContext, SignedIn, Any], Awaitable[BaseModel]]
    replace: Callable[[AppContext, SignedIn, str, Any], Awaitable[BaseModel]]
    #: What the form does not show and an edit keeps as stored, as dotted paths (a legacy
    #: system's repairs, components' own warranty terms).
    kept: tuple[str, ...] = ()
    blank: Mapping[str, str] = field(default_factory=dict)

    def key_of(self, record: BaseModel) -> str:
        return str(getattr(record, self.key))


CONTACT = (Field("name", "姓名 Name"), Field("phone", "电话 Phone"))
CUSTOMER = Entity(
    "customers",
    "客户 Customers",
    CustomerRecord,
    "id",
    (
        Field("id", "客户编号 Id", required=True),
        Field("name", "名称 Name", required=True),
        Field("region", "区域 Region", required=True),
        Field("sla_profile", "SLA 方案 SLA profile"),
        Field("key_account", "重点客户 Key account", "checkbox"),
        Field("email", "邮箱 Email"),
        Field("address", "地址 Address"),
        Field("contact.name", "联系人 Contact"),
        Field("contact.phone", "联系电话 Contact's phone"),
        Rows("contacts", "其他联系人 Further contacts", CONTACT, count=2),
        Rows(
            "sites",
            "服务地点 Sites",
            (
                Field("id", "编号 Id"),
                Field("name", "名称 Name"),
                Field("address", "地址 Address"),
                Field("region", "区域 Region"),
            ),
            count=2,
        ),
    ),
    (
        ("id", "编号 Id"),
        ("name", "名称 Name"),
        ("region", "区域 Region"),
        ("sla_profile", "SLA"),
        ("key_account", "重点 Key"),
    ),
    lambda ctx, web: routes.list_customers(ctx, web.who, None, 1, LISTED),
    lambda ctx, web, key: routes.get_customer(key, ctx, web.who),
    lambda ctx, web, body: routes.create_customer(body, ctx, web.who),
    lambda ctx, web, key, body: routes.replace_customer(key, body, ctx, web.who),
    blank={"sla_profile": "standard"},
)
ASSET = Entity(
    "assets",
    "设备 Assets",
    AssetRecord,
    "serial",
    (
        Field("serial", "序列号 Serial", required=True),
        Field("model", "型号 Model", required=True),
        Field("category", "类别 Category", required=True, hint="camera, display, audio…"),
        Field("customer_id", "客户编号 Customer id", required=True),
        Field("site_id", "地点编号 Site id"),
        Field("invoice_date", "发票日期 Invoice date", "date"),
        Field("acceptance_date", "验收日期 Acceptance date", "date"),
        Field("main_equipment", "主设备 Main equipment", "yesno"),
        Field(
            "warranty.start_basis",
            "保修起算 Warranty starts",
            "select",
            choices={
                "invoice": "发票日期 Invoice date",
                "acceptance_next_day": "验收次日 Day after acceptance",
            },
        ),
        Field("warranty.months", "保修月数 Warranty months", "number"),
        Field("warranty.repair_warranty_months", "维修保修月数 Repair warranty months", "number"),
        Field("manufacture_date", "出厂日期 Manufactured", "date"),
        Field("purpose", "用途 Purpose"),
        Field(
            "maintenance_interval_months",
            "保养周期（月） Maintenance every (months)",
            "number",
            hint="留空：无定期保养 empty: no periodic maintenance",
        ),
        Field(
            "capability_rank",
            "档次 Capability rank (1–10)",
            "number",
            hint="备用机不低于此档次 loaners at least this rank",
        ),
    ),
    (
        ("serial", "序列号 Serial"),
        ("model", "型号 Model"),
        ("category", "类别 Category"),
        ("customer_id", "客户 Customer"),
        ("invoice_date", "发票 Invoice"),
    ),
    lambda ctx, web: routes.list_assets(ctx, web.who, None, None, 1, LISTED),
    lambda ctx, web, key: routes.get_asset(key, ctx, web.who),
    lambda ctx, web, body: routes.create_asset(body, ctx, web.who),
    lambda ctx, web, key, body: routes.replace_asset(key, body, ctx, web.who),
    kept=("repairs", "warranty.components", "warranty.inherited_end", "warranty.fitted_components"),
)
ENGINEER = Entity(
    "engineers",
    "工程师 Engineers",
    EngineerRecord,
    "id",
    (
        Field("id", "工号 Id", required=True),
        Field("name", "姓名 Name", required=True),
        Field("phone", "电话 Phone"),
        Field("skills", "技能 Skills (categories)", "csv", hint="camera, display"),
        Field("regions", "区域 Regions", "csv", hint="qingdao, jinan"),
        Field("on_duty", "在岗 On duty", "yesno"),
    ),
    (
        ("id", "工号 Id"),
        ("name", "姓名 Name"),
        ("skills", "技能 Skills"),
        ("regions", "区域 Regions"),
        ("on_duty", "在岗 On duty"),
    ),
    lambda ctx, web: routes.list_engineers(ctx, web.who, None, None, None, 1, LISTED),
    lambda ctx, web, key: routes.get_engineer(key, ctx, web.who),
    lambda ctx, web, body: routes.create_engineer(body, ctx, web.who),
    lambda ctx, web, key, body: routes.replace_engineer(key, body, ctx, web.who),
)
LOANER = Entity(
    "loaner-units",
    "备用机 Loaner units",
    LoanerUnitRecord,
    "serial",
    (
        Field("serial", "序列号 Serial", required=True),
        Field("model", "型号 Model", required=True),
        Field("category", "类别 Category", required=True, hint="camera, display, audio…"),
        Field(
            "rank",
            "档次 Rank (1–10)",
            "number",
            hint="借给不高于此档次的设备 lent for units up to this rank",
        ),
        Field(
            "status",
            "状态 Status",
            "select",
            choices={"available": "可借 Available", "retired": "停用 Retired"},
        ),
    ),
    (
        ("serial", "序列号 Serial"),
        ("model", "型号 Model"),
        ("category", "类别 Category"),
        ("rank", "档次 Rank"),
        ("status", "状态 Status"),
        ("issued_to", "借出给 Lent to"),
    ),
    lambda ctx, web: loaners.list_loaner_units(ctx, web.who, None, None, 1, LISTED),
    lambda ctx, web, key: loaners.get_loaner_unit(key, ctx, web.who),
    lambda ctx, web, body: loaners.create_loaner_unit(body, ctx, web.who),
    lambda ctx, web, key, body: loaners.replace_loaner_unit(key, body, ctx, web.who),
    blank={"rank": "1", "status": "available"},
)
ENTITIES = {e.name: e for e in (CUSTOMER, ASSET, ENGINEER, LOANER)}

KEY_FIELDS: tuple[Part, ...] = (
    Field(
        "role",
        "角色 Role",
        "select",
        required=True,
        choices={r.value: labels.ROLE[r.value] for r in Role},
    ),
    Field("name", "姓名 Person"),
    Field("engineer_id", "工程师工号 Engineer id (engineer keys)"),
    Field("customer_id", "客户编号 Customer id (customer keys)"),
    Field("contact", "客户联系人 Customer's contact"),
    Field("expires_at", "到期 Expires", "datetime"),
)
PASSWORD_FIELDS: tuple[Part, ...] = (
    Field("login", "登录名 Login", required=True),
    Field("password", "密码 Password (≥ 10)", "password", required=True),
)
#: One price of the list (`PUT /v1/price-list/{kind}/{code}`): a code already listed is changed.
PRICE_FIELDS: tuple[Part, ...] = (
    Field("kind", "类别 Kind", "select", required=True, choices=labels.QUOTE_LINE),
    Field(
        "code",
        "编号 Code",
        required=True,
        hint=(
            "配件号 part number · 人工：设备类别或 * labour: category or * · "
            "差旅：区域 travel: region"
        ),
    ),
    Field("description", "说明 Description", required=True),
    Field("unit_price", "单价 Unit price (CNY)", "number", required=True),
)
#: What an edit of a schedule changes (`PUT /v1/schedules/{sid}`).
TIMING_FIELDS: tuple[Part, ...] = (
    Field("every", "周期 Every", "select", required=True, choices={k: k for k in MONTHS}),
    Field("day_of_month", "日 Day of month", "number"),
    Field("hour", "时 Hour", "number"),
    Field("note", "备注 Note"),
)
SCHEDULE_FIELDS: tuple[Part, ...] = (
    Field("kind", "类型 Kind", "select", required=True, choices={k: k for k in SCHEDULE_KINDS}),
    Field("customer_id", "客户编号 Customer id", required=True),
    Field("asset_serial", "设备序列号 Asset serial", required=True),
    *TIMING_FIELDS,
)
