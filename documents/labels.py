"""What the codes of a service request mean to a customer: 中文 with English beside.

Customer-facing documents and pages (the service report, the signing and quote pages) show
these labels, never the raw codes of the API. One table per kind of code, all here, so every
page says the same thing; `label(kind, code)` falls back to the code itself for a value no
table knows yet (a new region, a category added by the admin).
"""

from __future__ import annotations

from collections.abc import Mapping

#: The request's `type`.
REQUEST_TYPE = {
    "repair": "维修 Repair",
    "return_exchange": "退换货 Return / exchange",
    "complaint": "投诉 Complaint",
    "inspection": "巡检 Inspection",
    "revisit_visit": "上门回访 Revisit visit",
}
#: How the request reached us (`channel`).
CHANNEL = {
    "phone": "电话 Phone",
    "web": "网站 Web",
    "email": "电子邮件 Email",
    "wechat": "微信 WeChat",
    "fax": "传真 Fax",
    "letter": "信函 Letter",
    "visit": "来访 Walk-in",
}
#: `entitlement.status` (三包).
WARRANTY = {
    "in_warranty": "保修期内 In warranty",
    "out_of_warranty": "已过保修期 Out of warranty",
    "rework": "返修（免费）Rework (free of charge)",
}
#: `entitlement.remedies`.
REMEDY = {
    "return": "退货 Return",
    "exchange": "换货 Exchange",
    "repair": "维修 Repair",
    "replacement": "更换 Replacement",
    "paid_repair": "付费维修 Paid repair",
    "rework": "免费返修 Free rework",
}
#: `diagnosis.outcome`.
DIAGNOSIS = {
    "resolved_remotely": "远程解决 Resolved remotely",
    "needs_onsite": "需上门服务 On-site visit needed",
}
#: `diagnosis.exclusion`: what makes in-warranty work chargeable.
EXCLUSION = {
    "human_damage": "人为损坏 Human damage",
    "unauthorised_disassembly": "私自拆机 Unauthorised disassembly",
    "misuse": "使用不当 Misuse",
    "force_majeure": "不可抗力 Force majeure",
}
#: `repair.result`.
REPAIR_RESULT = {
    "fixed": "已修复 Fixed",
    "needs_parts": "等待配件 Waiting for parts",
    "needs_factory_repair": "返厂维修 Factory repair",
    "replace": "更换整机 Unit replaced",
}
#: The request's `outcome`.
OUTCOME = {
    "fixed": "已修复 Fixed",
    "visited": "已回访 Visited",
    "returned": "已退货 Returned",
    "exchanged": "已换货 Exchanged",
    "replaced": "已更换 Replaced",
    "resolved_remotely": "远程解决 Resolved remotely",
    "declined": "客户拒绝报价 Quote declined",
    "closed_without_signature": "未经客户签字关闭 Closed without the customer's signature",
    "cancelled": "已取消 Cancelled",
}
#: A quote line's `kind`.
QUOTE_LINE = {
    "part": "配件 Part",
    "labour": "人工 Labour",
    "travel": "差旅 Travel",
}
#: `quote.status`.
QUOTE_STATUS = {
    "proposed": "待客户确认 Awaiting approval",
    "approved": "客户已同意 Approved",
    "declined": "客户已拒绝 Declined",
}
#: The service-level clocks.
CLOCK = {
    "response": "响应 Response",
    "diagnosis": "方案 Diagnosis",
    "arrival": "到场 Arrival",
    "resolution": "修复 Resolution",
    "signature": "签字 Signature",
    "parts_ship": "备件发出 Spare shipped",
    "parts_return": "故障件寄回 Faulty part back",
}
#: A clock's `status`.
CLOCK_STATUS = {
    "not_started": "未开始 Not started",
    "running": "进行中 Running",
    "paused": "已暂停 Paused",
    "met": "达标 Met",
    "breached": "超时 Breached",
    "cancelled": "已取消 Cancelled",
}
#: The request's `stage`.
STAGE = {
    "registered": "已登记 Registered",
    "diagnosing": "诊断中 Diagnosing",
    "awaiting_approval": "待确认报价 Awaiting quote approval",
    "awaiting_dispatch": "待派工 Awaiting dispatch",
    "dispatched": "已派工 Dispatched",
    "on_site": "现场服务中 On site",
    "awaiting_parts": "等待配件 Awaiting parts",
    "awaiting_signature": "待客户签字 Awaiting signature",
    "closed": "已关闭 Closed",
    "following_up": "回访中 Following up",
    "completed": "已完成 Completed",
    "cancelled": "已取消 Cancelled",
}
#: `signature.method`.
SIGNATURE_METHOD = {
    "drawn": "手写签名 Drawn signature",
    "typed": "键入姓名 Typed name",
}
#: How the customer's signature reached us (the acting person's `via`).
SIGNED_THROUGH = {
    "signing_link": "签字链接 signing link",
    "api_key": "客户密钥 customer key",
    "inspection_round": "巡检轮次签字 the inspection round's signature",
    "starter": "演示 demo",
}
#: The acting person's `role`.
ROLE = {
    "intake": "客服 Intake",
    "support": "远程工程师 Support engineer",
    "dispatcher": "调度 Dispatcher",
    "engineer": "现场工程师 Field engineer",
    "customer": "客户 Customer",
    "revisit": "回访员 Revisit agent",
    "supervisor": "主管 Supervisor",
    "manager": "经理 Manager",
    "admin": "管理员 Administrator",
}
#: Regions of the demo archive; other regions show as written.
REGION = {
    "qingdao": "青岛 Qingdao",
    "jinan": "济南 Jinan",
}
#: Asset categories of the demo archive; others show as written.
CATEGORY = {
    "camera": "摄像机 Camera",
    "display": "显示屏 Display",
    "audio": "音响 Audio",
}
#: The request's SLA status on lists and boards.
SLA_STATUS = {
    "on_track": "正常 On track",
    "at_risk": "预警 At risk",
    "breached": "超时 Breached",
    "paused": "暂停 Paused",
}
#: The actions of the lifecycle table, as the staff's buttons say them.
ACTION = {
    "acknowledge": "受理 Acknowledge",
    "diagnose": "诊断 Diagnose",
    "choose_remedy": "选择三包处理 Choose remedy",
    "quote": "报价 Quote",
    "approve_quote": "同意报价 Approve quote",
    "decline_quote": "拒绝报价 Decline quote",
    "assign": "派工 Assign",
    "schedule_visit": "预约上门 Schedule visit",
    "check_in": "到场签到 Check in",
    "report_repair": "提交维修报告 Report repair",
    "parts_shipped": "备件发出 Parts shipped",
    "parts_arrived": "配件到货 Parts arrived",
    "faulty_part_returned": "故障件寄回 Faulty part returned",
    "sign": "客户签字 Sign",
    "refuse_signature": "拒绝签字 Refuse signature",
    "override_close": "主管关闭 Close without signature",
    "rework": "返工 Rework",
    "pause": "暂停计时 Pause",
    "resume": "恢复计时 Resume",
    "record_revisit": "记录回访 Record revisit",
    "record_visit": "记录上门回访 Record visit",
    "cancel": "取消 Cancel",
    "change_severity": "调整级别 Change severity",
    "escalate": "客户升级 Escalate",
}
#: What a timeline entry (`kind`) records.
EVENT = {
    "registered": "登记 Registered",
    "stage_changed": "阶段变更 Stage changed",
    "assigned": "派工 Assigned",
    "reassigned": "改派 Reassigned",
    "visit_scheduled": "预约上门 Visit scheduled",
    "clock_met": "时限达成 Clock met",
    "clock_breached": "时限超时 Clock breached",
    "escalated": "升级 Escalated",
    "paused": "暂停计时 Paused",
    "resumed": "恢复计时 Resumed",
    "severity_changed": "级别调整 Severity changed",
    "exclusion_found": "发现除外责任 Exclusion found",
    "unit_replaced": "整机更换 Unit replaced",
    "components_replaced": "部件更换 Components replaced",
    "customer_escalated": "客户要求升级 Customer escalated",
    "parts_shipped": "备件发出 Parts shipped",
    "faulty_part_returned": "故障件寄回 Faulty part returned",
    "loaner_issued": "借出备用机 Loaner issued",
    "loaner_returned": "归还备用机 Loaner returned",
    "signature_refused": "拒绝签字 Signature refused",
    "complaint": "投诉 Complaint",
    "revisit_recorded": "回访记录 Revisit recorded",
    "visit_recorded": "上门回访记录 Visit recorded",
    "remedy_chosen": "三包处理选定 Remedy chosen",
    "hidden_fault_found": "发现隐患 Hidden fault found",
    "revisit_unreachable": "回访未接通 Revisit unreachable",
    "notification_queued": "通知已排队 Notice queued",
    "notification_dropped": "通知未发 Notice dropped",
}

TABLES: Mapping[str, Mapping[str, str]] = {
    "request_type": REQUEST_TYPE,
    "channel": CHANNEL,
    "warranty": WARRANTY,
    "remedy": REMEDY,
    "diagnosis": DIAGNOSIS,
    "exclusion": EXCLUSION,
    "repair_result": REPAIR_RESULT,
    "outcome": OUTCOME,
    "quote_line": QUOTE_LINE,
    "quote_status": QUOTE_STATUS,
    "clock": CLOCK,
    "clock_status": CLOCK_STATUS,
    "stage": STAGE,
    "signature_method": SIGNATURE_METHOD,
    "signed_through": SIGNED_THROUGH,
    "role": ROLE,
    "region": REGION,
    "category": CATEGORY,
    "sla_status": SLA_STATUS,
    "action": ACTION,
    "event": EVENT,
}


def label(kind: str, code: object) -> str:
    """The bilingual label of `code` in the table `kind`; the code itself when unknown.

    Also a Jinja filter: `{{ s.channel | label("channel") }}`."""
    if code is None:
        return "—"
    text = str(code)
    return TABLES[kind].get(text, text)
