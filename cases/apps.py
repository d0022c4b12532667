from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from agencies.signals import directory_changed
        from cases.alerts import caseload_alerts_send

        # Caseload alerts react to imports; the directory itself never imports cases.
        directory_changed.connect(caseload_alerts_send, dispatch_uid="cases.caseload_alerts")
