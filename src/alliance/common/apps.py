from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "alliance.common"
    label = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from django.tasks.signals import task_finished, task_started

        from alliance.common import requestid

        # a task runs under the request id it was queued with (alliance.common.requestid)
        task_started.connect(requestid.task_started, dispatch_uid="alliance-request-id-start")
        task_finished.connect(requestid.task_finished, dispatch_uid="alliance-request-id-end")
