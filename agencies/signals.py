"""Hooks the directory exposes to apps that build on it.

`agencies` knows nothing about cases; `cases` listens here to tell staff when an import
changes the standing of agencies on their open cases.
"""

from django.dispatch import Signal

# Sent inside an import's transaction, after its changes are written.
# kwargs: run (AgreementImport), changes (list of AgreementChange: agreement_id, kind, after).
# Receivers return how many users they notified; the import records the sum.
directory_changed = Signal()

# Sent inside the transaction of every rebuild of the history (imports, merges, splits),
# after it is written. kwargs: agency_ids (agencies whose periods changed).
directory_rebuilt = Signal()
