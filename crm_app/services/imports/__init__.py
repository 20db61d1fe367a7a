"""CSV import: upload → map → preview → policy → import → summary → undo.

The rules are save_contact's (services/contacts.py) — the same validation, the same
matching (external reference, then email, then phone), the same skip/fill/overwrite
policy with member-typed values protected, automations as a `Manually created contact`
with the importing member as creator — applied to whole chunks of rows at a time:

- `rows.clean_row` validates one row like contacts.clean_input but keeps every cell's error.
- `batch.Batch.apply` matches a chunk with one query per key (IN ...), replays the rows in file
  order against those contacts in memory (so duplicates inside the file merge exactly as
  save_contact called row by row would), decides the automations of all created contacts
  at once (automations.apply_on_create_many: rules read once, round-robin turns under the
  rule lock), then inserts plain values — contacts, values, timeline entries, undo records —
  with executemany (SQLite) or COPY (PostgreSQL). No ORM objects per row.

A run has two passes. `check` reads the file, validates every row and spools the cleaned
rows to a temporary file; invalid rows go to the error CSV. When the run is
all-or-nothing and a row is invalid, it stops there: nothing was written. `write` then
applies the spooled rows, WRITE_ROWS per transaction that also advances the job's
`processed`, so progress survives a page reload. A failure in the middle undoes what the
earlier chunks wrote. `undo_import` removes created contacts and restores updated ones.

Contacts a run creates are inserted with `archived` NULL, which no list, count, board or
export matches (they all filter `archived = <bool>`), and become ordinary contacts once every
row is written (`run._finish_created`: one UPDATE per WRITE_ROWS contacts, the last one in the
transaction that marks the job done): an unfinished run never shows its contacts as imported.

Every transaction of a run also stamps the job's `heartbeat_at`, and the job names the
process running it (`runner`, "host:pid"). A run whose process died (a restart, a crash) is
found by `recovery.recover_stalled` — when the worker starts, every minute (crm_app/jobs/imports.py)
and in the CLI's `migrate` — right away when its process was on this host and is gone,
otherwise once it has not stamped for STALL_SECONDS; the job is then treated like a failure
midway: what its chunks wrote is undone and it is marked failed. A run that was only slow
notices at its next chunk (it reads the job under lock) and stops.

Runs happen on the job worker: `run.start_import` queues the job and names the task
`RUN_TASK`, enqueued once the caller commits; a queued job whose task was lost is queued
again by `recovery.requeue_waiting` (the same periodic job).

The package, by step: common (statuses, storage, job lookup), upload (store the file,
suggest and check a mapping), rows (clean one row), previews, batch (match and merge a
chunk) and writer (insert it), run (the two passes), recovery (dead runs), undo, history.
Callers use the names re-exported here.
"""

from crm_app.services.imports.batch import import_origin, save_contacts_batch
from crm_app.services.imports.common import ACTIVE, EXTRA_TARGETS, IGNORE, RESOURCE, job_dto
from crm_app.services.imports.history import (
    error_file,
    get_job,
    list_jobs,
    remove_agent_files,
    template_csv,
)
from crm_app.services.imports.previews import (
    PREVIEW_PROBLEM_ROWS,
    PREVIEW_ROWS,
    PREVIEW_SCAN_ROWS,
    column_samples,
    preview,
)
from crm_app.services.imports.recovery import (
    RUN_TASK,
    STALL_SECONDS,
    recover_interrupted,
    recover_stalled,
    requeue_waiting,
    stalled_jobs,
    waiting_jobs,
)
from crm_app.services.imports.rows import clean_row, fast_email
from crm_app.services.imports.run import (
    WRITE_ROWS,
    import_file,
    run_import,
    start_import,
)
from crm_app.services.imports.undo import undo_import
from crm_app.services.imports.upload import (
    clean_mapping,
    create_field_for_column,
    create_job,
    mapping_targets,
    suggest_mapping,
    targets,
)

__all__ = [
    "ACTIVE",
    "EXTRA_TARGETS",
    "IGNORE",
    "PREVIEW_PROBLEM_ROWS",
    "PREVIEW_ROWS",
    "PREVIEW_SCAN_ROWS",
    "RESOURCE",
    "RUN_TASK",
    "STALL_SECONDS",
    "requeue_waiting",
    "waiting_jobs",
    "WRITE_ROWS",
    "clean_mapping",
    "clean_row",
    "column_samples",
    "create_field_for_column",
    "create_job",
    "error_file",
    "fast_email",
    "get_job",
    "import_file",
    "import_origin",
    "job_dto",
    "list_jobs",
    "mapping_targets",
    "preview",
    "recover_interrupted",
    "remove_agent_files",
    "recover_stalled",
    "run_import",
    "save_contacts_batch",
    "stalled_jobs",
    "start_import",
    "suggest_mapping",
    "targets",
    "template_csv",
    "undo_import",
]
