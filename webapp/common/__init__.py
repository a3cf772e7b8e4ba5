"""What every web app shares and no app owns: engine errors as pages (errors), request parameters
read safely (params), how engine records read on pages and in the audit review (display), the
masked-value-aware completing of a task (actions), the read-only admin (admin), list pages' filter
bars (filters, rendered by templates/common/filter_bar.html), and the commands
that set up and serve the whole site (management/commands: anju_setup, anju_run).

Everything here but the two commands sits below the apps: it imports no app. The commands are the
site's own: anju_setup loads every app's demo, and nothing imports it (pyproject.toml,
[tool.importlinter], says so).
"""
