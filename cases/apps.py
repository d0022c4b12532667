from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from agencies.signals import directory_changed, directory_rebuilt
        from cases.alerts import caseload_alerts_send
        from cases.services.events import events_directory_recheck

        # Caseload alerts react to imports; the directory itself never imports cases.
        directory_changed.connect(caseload_alerts_send, dispatch_uid="cases.caseload_alerts")
        # Stored snapshots stay as logged; events the rebuilt history reads differently are
        # flagged for their office's attorneys (cases:directory-queue).
        directory_rebuilt.connect(events_directory_recheck, dispatch_uid="cases.directory_recheck")
