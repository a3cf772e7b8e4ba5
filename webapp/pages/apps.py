from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "webapp.pages"
    label = "pages"
    verbose_name = "页面 Pages"

    def ready(self) -> None:
        # A task page's personal data is revealed through webapp.privacy (kind "task"): by holders of
        # the permission, and by the task's holder for its form's "x-reveal": "task-holder" fields.
        from webapp import privacy

        from .views import reveal_task

        privacy.register_revealer("task", reveal_task, grant=privacy.task_holder_grant)
