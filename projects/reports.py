"""Progress reports of a period, for the partnership or one cluster: XLSX (openpyxl,
write-only, one sheet per topic) and PDF (WeasyPrint, charts drawn here as inline SVG
because WeasyPrint runs no JavaScript).

Nothing holds a whole table: the spreadsheet rows come from database iterators and go
straight to a file on disk. The PDF carries aggregates and bounded lists (deliverables,
milestones, strategies) and at most PDF_EVENT_ROWS events; the spreadsheet has them all.
Both return the number of data rows they covered."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from clamtex.core.exports import safe_cell

from . import kpis, selectors
from .kpis import Period
from .models import LabelRecord, ReportRun

PDF_EVENT_ROWS = 60
CHUNK = 500


class ReportUnavailable(Exception):
    """The PDF engine (WeasyPrint or its system libraries) cannot be loaded."""


@dataclass
class Scope:
    run: ReportRun
    period: Period

    @property
    def project(self):
        return self.run.project

    @property
    def partnership(self):
        return self.run.project.partnership

    @property
    def cluster(self):
        return self.run.cluster

    @property
    def title(self) -> str:
        if self.cluster is not None:
            return _("%(cluster)s in %(project)s") % {
                "cluster": self.cluster.name,
                "project": self.project.acronym,
            }
        return f"{self.project.acronym} – {self.project.title}"


# --- Data (shared by both formats) ----------------------------------------------------------


def events_of(scope: Scope):
    from workshops.models import Event, Registration

    qs = kpis._events_held(scope.partnership, scope.cluster, scope.period)
    return (
        qs.annotate(
            participants=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.ATTENDED)
            )
        )
        .prefetch_related("organisers")
        .order_by("start", "pk")
        .only(*[f.name for f in Event._meta.concrete_fields if f.name != "description"])
    )


def events_by_kind(scope: Scope) -> list[dict]:
    from workshops.models import Event, Registration

    labels = dict(Event.Kind.choices)
    rows = (
        kpis._events_held(scope.partnership, scope.cluster, scope.period)
        .values("kind")
        .annotate(
            n=Count("id", distinct=True),
            participants=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.ATTENDED)
            ),
        )
        .order_by("kind")
    )
    return [{**row, "label": labels.get(row["kind"], row["kind"])} for row in rows]


def exchanges_of(scope: Scope):
    return (
        kpis._exchanges(scope.partnership, scope.cluster, scope.period)
        .select_related(
            "visitor_organisation",
            "host_organisation",
            "visitor_cluster",
            "host_cluster",
            "payment",
        )
        .order_by("created_at", "pk")
    )


def strategies_of(scope: Scope):
    return selectors.strategies_of(scope.project, scope.cluster)


def labels_of(scope: Scope):
    qs = LabelRecord.objects.filter(cluster__partnership=scope.partnership).select_related(
        "cluster"
    )
    if scope.cluster is not None:
        qs = qs.filter(cluster=scope.cluster)
    # The history up to the end of the period: the labels held then.
    return qs.filter(Q(awarded_on__isnull=True) | Q(awarded_on__lte=scope.period.end))


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}" if value == value.to_integral() else f"{value:.2f}"
    return str(value)


# --- SVG charts (for the PDF) -------------------------------------------------------------


def svg_kpi_bars(rows: list[kpis.KpiRow], width: int = 660) -> str:
    """Horizontal bars of each KPI's progress against its target (100 % line drawn)."""
    bar_h, gap, label_w, value_w = 16, 8, 80, 110
    plot_w = width - label_w - value_w
    height = len(rows) * (bar_h + gap) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
    ]
    for i, row in enumerate(rows):
        y = i * (bar_h + gap) + 4
        pct = row.percent or 0
        w = plot_w * min(pct, 150) / 150
        colour = "#2e7d32" if pct >= 100 else "#1d4e89"
        parts.append(
            f'<text x="0" y="{y + 12}" font-size="10" fill="#222">{escape(row.kpi.code)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{plot_w}" height="{bar_h}" fill="#eef1f5"/>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + plot_w + 6}" y="{y + 12}" font-size="10" fill="#222">'
            f"{escape(_fmt(row.cumulative))} / {escape(_fmt(row.kpi.target))} ({pct} %)</text>"
        )
    target_x = label_w + plot_w * 100 / 150
    parts.append(
        f'<line x1="{target_x:.1f}" y1="0" x2="{target_x:.1f}" y2="{height - 16}" '
        f'stroke="#c62828" stroke-dasharray="3,2"/>'
        f'<text x="{target_x - 20:.1f}" y="{height - 4}" font-size="9" fill="#c62828">'
        f"{escape(_('target'))}</text></svg>"
    )
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def svg_funnel(funnel: list[dict], width: int = 660) -> str:
    bar_h, gap, label_w = 18, 6, 130
    plot_w = width - label_w - 50
    top = max([stage["value"] for stage in funnel] + [1])
    height = len(funnel) * (bar_h + gap) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
    ]
    for i, stage in enumerate(funnel):
        y = i * (bar_h + gap)
        w = plot_w * stage["value"] / top
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="10" fill="#222">{escape(stage["label"])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#1d4e89"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 13}" font-size="10" fill="#222">'
            f"{stage['value']}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


# --- XLSX ----------------------------------------------------------------------------------

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
LATE_FONT = Font(color="C62828", bold=True)


class _Sheet:
    """A write-only sheet: bold header, set column widths, rows appended one by one."""

    def __init__(self, workbook: Workbook, title: str, columns: list[tuple[str, int]]):
        self.ws = workbook.create_sheet(title[:31])
        for i, (_label, width) in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "A2"
        self.ws.append([self._cell(label, font=BOLD, fill=HEADER_FILL) for label, _w in columns])
        self.rows = 0

    def _cell(self, value, font=None, fill=None, number_format=None):
        cell = WriteOnlyCell(self.ws, value=safe_cell(value))
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
        if number_format:
            cell.number_format = number_format
        return cell

    def row(self, values: Iterable, late: bool = False):
        cells = []
        for value in values:
            cell = self._cell(value, font=LATE_FONT if late else None)
            if hasattr(value, "year") and hasattr(value, "month"):
                cell.number_format = (
                    "yyyy-mm-dd" if not hasattr(value, "hour") else "yyyy-mm-dd hh:mm"
                )
            cells.append(cell)
        self.ws.append(cells)
        self.rows += 1

    def total(self, values: Iterable):
        self.ws.append([self._cell(v, font=BOLD) for v in values])

    def note(self, text: str):
        self.ws.append([])
        self.ws.append([self._cell(text)])


def _naive(dt):
    """Spreadsheets have no time zones: local time of the portal."""
    return timezone.localtime(dt).replace(tzinfo=None) if dt else None


def _num(value):
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def write_xlsx(scope: Scope, out, progress: Callable[[int], None]) -> int:
    run, period = scope.run, scope.period
    wb = Workbook(write_only=True)
    total_rows = 0

    summary = _Sheet(wb, _("Summary"), [(_("Item"), 28), (_("Value"), 70)])
    for label, value in [
        (_("Report"), scope.title),
        (_("Project"), f"{scope.project.acronym} – {scope.project.title}"),
        (_("Programme"), scope.project.programme),
        (_("Scope"), scope.cluster.name if scope.cluster else run.get_scope_display()),
        (_("Period"), f"{period.start:%Y-%m-%d} – {period.end:%Y-%m-%d}"),
        (_("Generated"), _naive(timezone.now())),
    ]:
        summary.row([label, value])

    progress(10)
    kpi_rows = kpis.kpi_table(scope.project, cluster=scope.cluster, period=period)
    sheet = _Sheet(
        wb,
        _("KPIs"),
        [
            (_("Code"), 10),
            (_("Indicator"), 44),
            (_("Unit"), 14),
            (_("Target"), 10),
            (_("In the period"), 14),
            (_("Cumulative"), 12),
            (_("% of target"), 12),
            (_("Source"), 22),
            (_("Note"), 50),
        ],
    )
    reached = 0
    for row in kpi_rows:
        reached += (row.percent or 0) >= 100
        sheet.row(
            [
                row.kpi.code,
                row.kpi.name,
                row.kpi.unit,
                _num(row.kpi.target),
                _num(row.value),
                _num(row.cumulative),
                row.percent,
                _("manual") if row.kpi.is_manual else row.kpi.source,
                row.note,
            ]
        )
    sheet.total(
        [
            _("Total"),
            _("%(n)d indicators, %(reached)d reached their target")
            % {"n": len(kpi_rows), "reached": reached},
        ]
    )
    total_rows += sheet.rows

    progress(30)
    sheet = _Sheet(
        wb,
        _("Deliverables"),
        [
            (_("WP"), 6),
            (_("Code"), 8),
            (_("Title"), 50),
            (_("Lead"), 14),
            (_("Due date"), 12),
            (_("Status"), 14),
            (_("Late"), 8),
            (_("Versions"), 10),
            (_("Approved by"), 24),
            (_("Approved"), 18),
        ],
    )
    late = versions = 0
    for d in selectors.deliverables_of(scope.project).iterator(chunk_size=CHUNK):
        lead = d.lead or d.work_package.lead
        late += d.is_late
        versions += d.version_count
        sheet.row(
            [
                d.work_package.number,
                d.code,
                d.title,
                lead.cluster.acronym if lead else "",
                d.due_date,
                d.get_status_display(),
                _("yes") if d.is_late else "",
                d.version_count,
                str(d.approved_by) if d.approved_by else "",
                _naive(d.approved_at),
            ],
            late=d.is_late,
        )
    sheet.total([_("Total"), sheet.rows, "", "", "", "", late, versions])
    total_rows += sheet.rows

    sheet = _Sheet(
        wb,
        _("Milestones"),
        [(_("Code"), 8), (_("Title"), 50), (_("Due date"), 12), (_("Achieved on"), 14)],
    )
    for m in selectors.milestones_of(scope.project).iterator(chunk_size=CHUNK):
        sheet.row([m.code, m.title, m.due_date, m.achieved_on], late=m.is_late)
    sheet.total([_("Total"), sheet.rows])
    total_rows += sheet.rows

    progress(50)
    sheet = _Sheet(
        wb,
        _("Events"),
        [
            (_("Start"), 17),
            (_("Title"), 50),
            (_("Kind"), 24),
            (_("Organisers"), 22),
            (_("City"), 16),
            (_("Participants"), 12),
        ],
    )
    participants = 0
    for event in events_of(scope).iterator(chunk_size=CHUNK):
        participants += event.participants
        sheet.row(
            [
                _naive(event.start),
                event.title,
                event.get_kind_display(),
                ", ".join(c.acronym for c in event.organisers.all()),
                event.city or _("online"),
                event.participants,
            ]
        )
    sheet.total([_("Total"), sheet.rows, "", "", "", participants])
    total_rows += sheet.rows

    progress(70)
    funnel = kpis.exchange_funnel(scope.partnership, scope.cluster, period)
    sheet = _Sheet(wb, _("ClusterXchange"), [(_("Stage"), 24), (_("Count"), 10)])
    for stage in funnel:
        sheet.row([stage["label"], stage["value"]])
    grants = kpis.grants_paid(scope.partnership, scope.cluster, period)
    sheet.row([_("Grants paid"), grants.value])
    sheet.row([_("Amount paid (€)"), _num(grants.extra["amount"])])
    if grants.note:
        sheet.note(grants.note)
    sheet = _Sheet(
        wb,
        _("Exchanges"),
        [
            (_("Created"), 17),
            (_("Visiting organisation"), 36),
            (_("VOP"), 10),
            (_("Host organisation"), 36),
            (_("HOP"), 10),
            (_("Status"), 18),
            (_("Paid (€)"), 10),
            (_("Paid on"), 12),
        ],
    )
    paid_total = Decimal("0")
    for ex in exchanges_of(scope).iterator(chunk_size=CHUNK):
        payment = getattr(ex, "payment", None)
        paid_total += payment.amount if payment else 0
        sheet.row(
            [
                _naive(ex.created_at),
                ex.visitor_organisation.legal_name,
                ex.visitor_cluster.acronym,
                ex.host_organisation.legal_name,
                # (a host of another partnership has no cluster on this portal)
                ex.host_cluster.acronym if ex.host_cluster_id else "",
                ex.get_status_display(),
                _num(payment.amount) if payment else None,
                payment.paid_on if payment else None,
            ]
        )
    sheet.total([_("Total"), sheet.rows, "", "", "", "", _num(paid_total)])
    total_rows += sheet.rows + len(funnel)

    progress(85)
    sheet = _Sheet(
        wb,
        _("Strategies"),
        [
            (_("Cluster"), 14),
            (_("Kind"), 12),
            (_("Title"), 50),
            (_("Versions"), 10),
            (_("Final version"), 16),
            (_("Actions done"), 14),
            (_("Actions"), 10),
        ],
    )
    done_total = actions_total = 0
    for doc in strategies_of(scope):
        final = next((v for v in doc.versions.all() if v.is_final), None)
        actions = list(doc.actions.all())
        done = sum(1 for a in actions if a.status == "done")
        done_total += done
        actions_total += len(actions)
        sheet.row(
            [
                doc.cluster.acronym if doc.cluster else _("Joint"),
                doc.get_kind_display(),
                doc.title,
                len(doc.versions.all()),
                _naive(final.uploaded_at).date() if final else None,
                done,
                len(actions),
            ]
        )
    sheet.total([_("Total"), sheet.rows, "", "", "", done_total, actions_total])
    total_rows += sheet.rows

    sheet = _Sheet(
        wb,
        _("Labels"),
        [
            (_("Cluster"), 14),
            (_("Label"), 10),
            (_("Benchmarking"), 14),
            (_("Awarded on"), 12),
            (_("Valid until"), 12),
        ],
    )
    for record in labels_of(scope).iterator(chunk_size=CHUNK):
        sheet.row(
            [
                record.cluster.acronym,
                record.get_label_display(),
                record.benchmarked_on,
                record.awarded_on,
                record.valid_until,
            ]
        )
    sheet.total([_("Total"), sheet.rows])
    total_rows += sheet.rows

    progress(95)
    wb.save(out)
    return total_rows


# --- PDF -----------------------------------------------------------------------------------


def pdf_context(scope: Scope) -> tuple[dict, int]:
    period = scope.period
    kpi_rows = kpis.kpi_table(scope.project, cluster=scope.cluster, period=period)
    deliverables = list(selectors.deliverables_of(scope.project))
    milestones = list(selectors.milestones_of(scope.project))
    funnel = kpis.exchange_funnel(scope.partnership, scope.cluster, period)
    events = list(events_of(scope)[: PDF_EVENT_ROWS + 1])
    more_events = len(events) > PDF_EVENT_ROWS
    events = events[:PDF_EVENT_ROWS]
    kinds = events_by_kind(scope)
    strategies = list(strategies_of(scope))
    for doc in strategies:
        doc.final = next((v for v in doc.versions.all() if v.is_final), None)
    labels = list(labels_of(scope))
    context = {
        "scope": scope,
        "run": scope.run,
        "project": scope.project,
        "cluster": scope.cluster,
        "period": period,
        "kpi_rows": kpi_rows,
        "kpi_chart": svg_kpi_bars(kpi_rows),
        "deliverables": deliverables,
        "late_count": sum(1 for d in deliverables if d.is_late),
        "milestones": milestones,
        "funnel": funnel,
        "funnel_chart": svg_funnel(funnel),
        "grants": kpis.grants_paid(scope.partnership, scope.cluster, period),
        "impact": kpis.impact_summary(scope.partnership, scope.cluster, period),
        "events": events,
        "more_events": more_events,
        "event_kinds": kinds,
        "event_totals": {
            "n": sum(k["n"] for k in kinds),
            "participants": sum(k["participants"] for k in kinds),
        },
        "strategies": strategies,
        "labels": labels,
        "generated": timezone.localtime(),
    }
    rows = (
        len(kpi_rows)
        + len(deliverables)
        + len(milestones)
        + len(funnel)
        + len(events)
        + len(strategies)
        + len(labels)
    )
    return context, rows


def write_pdf(scope: Scope, out, progress: Callable[[int], None]) -> int:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise ReportUnavailable(
            _("The PDF engine is not available on the server: %(error)s") % {"error": exc}
        ) from exc
    progress(10)
    context, rows = pdf_context(scope)
    progress(50)
    html = render_to_string("projects/report_pdf.html", context)
    progress(70)
    weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(out)
    progress(95)
    return rows


def write_report(run: ReportRun, out, *, progress: Callable[[int], None]) -> int:
    scope = Scope(run=run, period=Period(run.period_start, run.period_end))
    if run.format == ReportRun.Format.XLSX:
        return write_xlsx(scope, out, progress)
    return write_pdf(scope, out, progress)
