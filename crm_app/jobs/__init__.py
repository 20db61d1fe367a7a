"""Background jobs on the Huey queue: `queue` (the instance and `after_commit`), the task
modules (`email`, `events`, `imports`, all imported by `tasks`) and `worker`, the process
`python -m crm_app.cli worker` runs.

Services import only `queue` and name the tasks they want run (`queue.after_commit`): the
task modules import the services, so this package imports none of them by itself.
"""
