"""CRM → Contacts → Import CSV: the wizard (upload → map → preview → options → import).

The job lives in the database (services/imports.py): the browser holds only its id and
display copies. A reload finds the job again (`?job=<id>&step=<step>` in the address, or the
member's running import) and shows the step it was at, with the mapping the preview
remembered on the job; progress comes from the job row, which the background run advances
chunk by chunk.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from crm_app import routes
from crm_app.services import imports as import_service
from crm_app.services.errors import ServiceError
from crm_app.state.base import AppState, shows_errors
from crm_app.state.dto import Choice, pick, pick_all
from crm_app.state.imports.run import ERROR_CHOICES, RunAndHistory

IGNORE = "__ignore__"
NEW_FIELD = "__new__"
STEPS = ["upload", "map", "preview", "policy", "import"]


@dataclasses.dataclass
class PreviewColumn:
    """A mapped column of the preview: the contact field it fills and the file's header."""

    header: str = ""
    field: str = ""


@dataclasses.dataclass
class PreviewCell:
    value: str = ""
    error: str = ""


@dataclasses.dataclass
class PreviewRow:
    """A row of the file as it will be imported: its number, its cells in the order of the
    columns (each with its problem, if any) and a problem of the whole row."""

    row: int = 0
    valid: bool = True
    error: str = ""
    cells: list[PreviewCell] = dataclasses.field(default_factory=list)


def _preview_row(data: dict) -> PreviewRow:
    row = pick(PreviewRow, data)
    row.cells = pick_all(PreviewCell, data.get("cells") or [])
    return row


class ImportState(RunAndHistory, AppState):
    step: str = "upload"
    agent_key: str = ""  # the routed agent's id, for links
    job_id: int = 0
    filename: str = ""
    file_facts: str = ""  # "UTF-8 · Semicolon · 120 rows"
    upload_error: str = ""
    uploading: bool = False

    headers: list[str] = []
    mapping: dict[str, str] = {}  # header -> target value (IGNORE for none)
    samples: dict[str, str] = {}  # header -> first values
    targets: list[Choice] = []  # id: the target's value
    mapping_error: str = ""

    new_field_open: bool = False
    new_field_header: str = ""
    new_field_error: str = ""
    new_field_type: str = "Text"

    preview_columns: list[PreviewColumn] = []
    preview_rows: list[PreviewRow] = []
    count_valid: int = 0
    count_invalid: int = 0
    count_duplicates: int = 0
    count_existing: int = 0
    count_scanned: int = 0
    count_total: int = 0
    preview_filter: str = "all"  # all | problems

    policy: str = "fill"
    errors_choice: str = ""  # "" until the member picks one of ERROR_CHOICES

    # ------------------------------------------------------------------ computed

    @rx.var
    def error_href(self) -> str:
        if not self.agent_key or not self.job_id:
            return ""
        return routes.API_IMPORT_ERRORS.format(agent_id=self.agent_key, job_id=self.job_id)

    @rx.var
    def template_href(self) -> str:
        return routes.API_IMPORT_TEMPLATE.format(agent_id=self.agent_key) if self.agent_key else ""

    @rx.var
    def contacts_href(self) -> str:
        return routes.agent_path(routes.CONTACTS, self.agent_key or "0")

    @rx.var
    def step_index(self) -> int:
        return STEPS.index(self.step) if self.step in STEPS else 0

    @rx.var
    def shown_rows(self) -> list[PreviewRow]:
        if self.preview_filter == "problems":
            return [r for r in self.preview_rows if not r.valid]
        return self.preview_rows

    @rx.var
    def problems_label(self) -> str:
        n, scanned = self.count_invalid, self.count_scanned
        if n == 0:
            return f"No problems found in {scanned:,} row{'s' if scanned != 1 else ''}"
        return f"{n:,} row{'s have' if n != 1 else ' has'} problems"

    @rx.var
    def problems_hidden(self) -> int:
        """Rows with problems beyond those the preview lists (the error report has them all)."""
        return max(0, self.count_invalid - sum(1 for r in self.preview_rows if not r.valid))

    # ------------------------------------------------------------------ loading

    def _job_param(self) -> int:
        raw = self.router.url.query_parameters.get("job", "")
        return int(raw) if raw.isdigit() else 0

    def _step_param(self) -> str:
        raw = self.router.url.query_parameters.get("step", "")
        return raw if raw in ("preview", "policy") else ""

    def _address(self):
        """The wizard's place in the address bar, so a reload comes back to it."""
        query = f"?job={self.job_id}" if self.job_id else ""
        if query and self.step in ("preview", "policy") and self.status in ("", "uploaded"):
            query += f"&step={self.step}"
        return rx.call_script(
            f"window.history.replaceState(null, '', window.location.pathname + '{query}')"
        )

    @rx.event
    @shows_errors
    def load_page(self):
        redirect = self.load_shell()
        if redirect is not None:
            return redirect
        self._reset_wizard()
        self.agent_key = str(self.route_agent_id() or "")
        with self.unit() as (session, actor):  # a run whose server stopped shows as failed
            import_service.recover_interrupted(session, actor, self.route_agent_id())
        with self.unit(read_only=True) as (session, actor):
            agent_id = self.route_agent_id()
            self._load_history(session, actor, agent_id)
            job_id = self._job_param() or next(
                (
                    h.id
                    for h in self.history
                    if h.status in import_service.ACTIVE and h.user_id == actor.user_id
                ),
                0,
            )
            if job_id:
                job = import_service.get_job(session, actor, agent_id, job_id)
                self._show_job(session, actor, agent_id, job)
            else:
                self.targets = self._targets(session, actor, agent_id)
        if self.step == "map" and self._step_param():
            with self.unit() as (session, actor):  # back to the preview (or options) it was at
                self._preview(session, actor)
            self.step = self._step_param()
        if self.running:
            return ImportState.poll

    def _reset_wizard(self) -> None:
        self.step, self.job_id, self.filename, self.file_facts, self.upload_error = (
            "upload",
            0,
            "",
            "",
            "",
        )
        self.headers, self.mapping, self.samples, self.mapping_error = [], {}, {}, ""
        self.preview_columns, self.preview_rows, self.preview_filter, self.errors_choice = (
            [],
            [],
            "all",
            "",
        )
        self.status, self.message, self.polling, self.confirm_undo_id = "", "", False, 0
        self.processed = self.total = self.created = self.updated = self.skipped = self.failed = 0

    def _targets(self, session, actor, agent_id) -> list[Choice]:
        targets = import_service.mapping_targets(session, actor, agent_id)
        return [Choice(t["value"], t["label"]) for t in targets]

    def _show_job(self, session, actor, agent_id, job: dict) -> None:
        self.job_id = job["id"]
        self.filename = job["filename"]
        self.file_facts = (
            f"{job['encoding'].upper().replace('-SIG', ' with BOM').replace('CP1252', 'Windows-1252')}"
            f" · {job['delimiter']} separated · {job['total']:,} rows"
            + ("" if job["has_header"] else " · no header row")
        )
        self.headers = job["headers"]
        self.mapping = {h: (job["mapping"].get(h) or IGNORE) for h in job["headers"]}
        self.policy = job["policy"]
        started = job["status"] != "uploaded"
        self.errors_choice = (
            ("valid_only" if job["valid_only"] else "all_or_nothing") if started else ""
        )
        self._copy_progress(job)
        self.targets = self._targets(session, actor, agent_id)
        if job["status"] == "uploaded":
            self.step = "map"
            self._load_samples(session, actor, agent_id)
        else:
            self.step = "import"

    def _load_samples(self, session, actor, agent_id) -> None:
        self.samples = import_service.column_samples(session, actor, agent_id, self.job_id)

    # ------------------------------------------------------------------ upload

    @rx.event
    @shows_errors
    async def upload(self, files: list[rx.UploadFile]):
        self.upload_error = ""
        if not files:
            return
        upload = files[0]
        try:
            with self.unit() as (session, actor):
                agent_id = self.route_agent_id()
                job = import_service.create_job(
                    session,
                    actor,
                    agent_id,
                    upload.name or "contacts.csv",
                    upload.file,
                    declared_size=getattr(upload, "size", None),
                )
                session.flush()
                self._show_job(session, actor, agent_id, job)
        except ServiceError as error:
            if error.field == "file":
                self.upload_error = error.message
            raise
        return self._address()

    # ------------------------------------------------------------------ mapping

    @rx.event
    def set_mapping(self, header: str, value: str):
        if header not in self.headers:
            return
        if value == NEW_FIELD:
            self.new_field_header = header
            self.new_field_type = "Text"
            self.new_field_error = ""
            self.new_field_open = True
            return
        if value != IGNORE and value not in {t.id for t in self.targets}:
            return
        self.mapping = {**self.mapping, header: value}
        self.mapping_error = ""

    @rx.event
    def set_new_field_type(self, value: str):
        self.new_field_type = value

    @rx.event
    def close_new_field(self, _open: bool = False):
        self.new_field_open = False

    @rx.event
    @shows_errors(fields="new_field_error")
    def create_field(self, form: dict):
        label = str(form.get("label", "")).strip()
        options = [
            o.strip()
            for o in str(form.get("options", "")).replace("\n", ",").split(",")
            if o.strip()
        ]
        with self.unit() as (session, actor):
            agent_id = self.route_agent_id()
            made = import_service.create_field_for_column(
                session, actor, agent_id, label=label, type=self.new_field_type, options=options
            )
            session.flush()
            self.targets = self._targets(session, actor, agent_id)
        self.mapping = {**self.mapping, self.new_field_header: made["key"]}
        self.new_field_open = False
        return rx.toast.success(f"Custom field “{made['label']}” created")

    def _service_mapping(self) -> dict[str, str]:
        return {h: ("" if v == IGNORE else v) for h, v in self.mapping.items()}

    @rx.event
    @shows_errors(fields="mapping_error")
    def to_preview(self):
        with self.unit() as (session, actor):
            self._preview(session, actor)
        self.step = "preview"
        return self._address()

    def _preview(self, session, actor) -> None:
        view = import_service.preview(
            session, actor, self.route_agent_id(), self.job_id, self._service_mapping()
        )
        self.preview_columns = pick_all(PreviewColumn, view["columns"])
        self.preview_rows = [_preview_row(r) for r in view["rows"]]
        self.count_valid, self.count_invalid = view["valid"], view["invalid"]
        self.count_duplicates, self.count_existing = view["duplicates"], view["existing"]
        self.count_scanned, self.count_total = view["scanned"], view["total"]
        self.preview_filter = "problems" if view["invalid"] else "all"

    @rx.event
    def set_preview_filter(self, value: str | list[str]):
        if value in ("all", "problems"):
            self.preview_filter = value

    @rx.event
    def go_to(self, step: str):
        if step in ("map", "preview", "policy") and self.status in ("", "uploaded") and self.job_id:
            self.step = step
            return self._address()
        if step == "upload":
            self._reset_wizard()
            return self._address()

    @rx.event
    def set_policy(self, value: str):
        if value in ("skip", "fill", "overwrite"):
            self.policy = value

    @rx.event
    def set_errors_choice(self, value: str):
        if value in ERROR_CHOICES:
            self.errors_choice = value
