"""The retention summary as files a bureau opens: CSV and an XLSX workbook, Chinese headers.

Pure functions of a ``SummaryRead``: the figures are the JSON summary's, never recomputed.
Rates are written as fractions (0.8125) with full precision; the workbook formats them as
percentages. A withheld or unidentified rate is an empty cell.

Names come from firms (a firm names itself when it registers), so text must stay data in the
spreadsheet that opens the file: workbook text cells are typed as strings, never formulas, and
CSV text that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) is prefixed with an apostrophe, as OWASP recommends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from talent_service.core import clock
from talent_service.core.clock import PROVINCE_TZ
from talent_service.retention.schemas import GroupBy, GroupRow, SummaryRead
from talent_service.retention.survival import MIN_GROUP_SIZE

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RATE_FORMAT = "0.0%"
SUMMARY_SHEET = "留存汇总 Summary"
ABOUT_SHEET = "说明 About"

GROUP_BY_LABELS: dict[GroupBy, tuple[str, str]] = {
    GroupBy.home_city: ("企业所在地市", "Firm's home city"),
    GroupBy.host_city: ("飞地中心所在地市", "Host city of the center"),
    GroupBy.region: ("企业所在区域", "Firm's home region"),
    GroupBy.firm: ("企业", "Firm"),
    GroupBy.center: ("飞地中心", "Enclave center"),
    GroupBy.education: ("学历", "Education"),
    GroupBy.hire_year: ("入职年份", "Hire year"),
    GroupBy.site: ("工作地点（飞地中心/企业本部）", "Site (enclave center / home site)"),
}
FIXED_HEADERS = (
    "分组代码",
    "分组",
    "英文名称",
    "人数",
    "离职",
    "在职(删失)",
    "是否隐藏(少于5人)",
    "中位在职天数",
)


def horizon_headers(months: int) -> tuple[str, str, str, str]:
    return (
        f"{months}个月留存率",
        f"{months}个月95%置信下限",
        f"{months}个月95%置信上限",
        f"{months}个月在险人数",
    )


def headers(summary: SummaryRead) -> list[str]:
    out = list(FIXED_HEADERS)
    for m in summary.horizons_months:
        out += horizon_headers(m)
    return out


def _cells(row: GroupRow) -> list[object]:
    label = row.label
    cells: list[object] = [
        label.key,
        label.display_zh,
        label.display_en,
        row.n,
        row.events,
        row.censored,
        "是" if row.suppressed else "否",
        row.median_tenure_days,
    ]
    for h in row.horizons:
        cells += [h.survival, h.ci_lower, h.ci_upper, h.at_risk]
    return cells


def _rows(summary: SummaryRead) -> Iterator[list[object]]:
    for row in summary.groups:
        yield _cells(row)
    yield _cells(summary.total)


def filename(summary: SummaryRead, extension: str) -> str:
    """ASCII, so that every client keeps it: retention-summary-<group>-<as of>.<ext>."""
    return f"retention-summary-{summary.group_by.value}-{summary.population.as_of}.{extension}"


def content_disposition(name: str) -> str:
    return f'attachment; filename="{name}"'


def summary_csv(summary: SummaryRead) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to show Chinese text."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers(summary))
    for cells in _rows(summary):
        # repr() of a float round-trips exactly: the file carries the JSON summary's numbers.
        writer.writerow([_csv_cell(c) for c in cells])
    return buffer.getvalue().encode("utf-8-sig")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs: an apostrophe before a formula's first sign."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_text(value)
    return repr(value) if isinstance(value, float) else value


def _cell(ws: Worksheet, value: object) -> WriteOnlyCell:
    """A workbook cell; text is typed as a string, so "=HYPERLINK(…)" stays text, not a formula."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _about_rows(summary: SummaryRead, generated_at: datetime) -> list[tuple[str, str, str]]:
    p = summary.population
    scope = p.scope
    if scope.level == "province":
        scope_zh, scope_en = "全省", "Whole province"
    elif scope.level == "city":
        scope_zh, scope_en = f"城市 {scope.city_code}", f"City {scope.city_code}"
    else:
        scope_zh, scope_en = f"企业 {scope.firm_id}", f"Firm {scope.firm_id}"
    filters = [
        (name, value)
        for name, value in (
            ("home_city_code", p.home_city_code),
            ("host_city_code", p.host_city_code),
            ("firm_id", p.firm_id),
            ("center_id", p.center_id),
            ("site", p.site.value if p.site else None),
        )
        if value is not None
    ]
    filters_text = ", ".join(f"{k}={v}" for k, v in filters) or "—"
    cohorts = ", ".join(str(y) for y in p.hire_years)
    by_zh, by_en = GROUP_BY_LABELS[summary.group_by]
    horizons = "、".join(f"{m}个月" for m in summary.horizons_months)
    horizons_en = ", ".join(f"{m} months" for m in summary.horizons_months)
    return [
        ("项目 Item", "说明（中文）", "Description (English)"),
        (
            "统计对象 Population",
            "经本项目招引人才的雇佣记录" if p.recruited_only else "全部雇佣记录（含非项目招引）",
            "Employment spells of talent recruited via the program"
            if p.recruited_only
            else "All employment spells (program recruits and others)",
        ),
        (
            "截至日期 As of",
            f"{p.as_of}：此后入职的记录不计入",
            f"{p.as_of}; spells hired later are excluded",
        ),
        ("入职年份 Hire cohorts", cohorts or "全部", cohorts or "All"),
        ("筛选条件 Filters", filters_text, filters_text),
        ("可见范围 Scope", scope_zh, scope_en),
        ("分组方式 Grouped by", by_zh, by_en),
        ("时点 Horizons", horizons, horizons_en),
        (
            "方法 Method",
            "Kaplan–Meier乘积极限法估计留存率（入职后仍在职的比例）；95%置信区间采用"
            "Greenwood方差的对数-对数变换",
            "Kaplan–Meier (product-limit) estimate of the share still employed after hire; "
            "95% confidence band from Greenwood's variance on the log-log scale",
        ),
        (
            "删失 Censoring",
            "截至日期仍在职、或离职日期晚于截至日期的记录，按截至日期删失：既不算留下也不算离开",
            "A spell still open on the as-of date, or whose departure falls after it, is "
            "censored at the as-of date: counted neither as stayed nor as left",
        ),
        (
            "月份换算 Months",
            "天数 = 月数 × 365 ÷ 12（向下取整）：12、24、36个月 = 365、730、1095天",
            "days = months × 365 // 12: 12, 24, 36 months = 365, 730, 1095 days",
        ),
        (
            "隐藏规则 Suppression",
            f"人数少于{MIN_GROUP_SIZE}人的分组只报告人数，不报告留存率和中位在职时间",
            f"Groups with fewer than {MIN_GROUP_SIZE} spells report counts only; rates and "
            "median tenure are withheld",
        ),
        (
            "空白留存率 Blank rates",
            "留存率为空：该分组被隐藏，或无人被跟踪到该时点（无法估计）",
            "A blank rate: the group is withheld, or nobody was followed that long "
            "(not identified)",
        ),
        (
            "生成时间 Generated",
            generated_at.isoformat(timespec="seconds"),
            generated_at.isoformat(timespec="seconds"),
        ),
    ]


def summary_xlsx(summary: SummaryRead, generated_at: datetime | None = None) -> bytes:
    """A workbook: the summary sheet (header row, frozen pane, % formats) and an About sheet."""
    generated_at = generated_at or clock.now().astimezone(PROVINCE_TZ)
    wb = Workbook(write_only=True)
    ws: Worksheet = wb.create_sheet(SUMMARY_SHEET)
    ws.freeze_panes = "C2"  # header row and the group code/name stay in view
    head = headers(summary)
    widths = [12, 28, 28] + [11] * (len(head) - 3)
    for i, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    bold = Font(bold=True)
    header_cells = []
    for text in head:
        cell = _cell(ws, text)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header_cells.append(cell)
    ws.append(header_cells)
    first = len(FIXED_HEADERS)  # then four columns per horizon: rate, lower, upper, at risk
    horizons = range(len(summary.horizons_months))
    rate_columns = {first + 4 * j + k for j in horizons for k in range(3)}
    for cells in _rows(summary):
        out = []
        for i, value in enumerate(cells):
            cell = _cell(ws, value)
            if i in rate_columns:
                cell.number_format = RATE_FORMAT
            out.append(cell)
        ws.append(out)

    about: Worksheet = wb.create_sheet(ABOUT_SHEET)
    for i, width in enumerate((24, 60, 70)):
        about.column_dimensions[get_column_letter(i + 1)].width = width
    for n, row in enumerate(_about_rows(summary, generated_at)):
        cells = []
        for text in row:
            cell = _cell(about, text)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if n == 0:
                cell.font = bold
            cells.append(cell)
        about.append(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
