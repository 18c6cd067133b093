"""Writes to the networks register: every route (admin, API, spreadsheet and national-file
imports, commands) changes the register through these functions, so each change is validated
and its history row names who made it (`by`), even outside a request.

The national-file imports are in imports.py, one row at a time in register.py and the nominated
payees in payees.py; callers import from here, never from the submodules.
"""

from .imports import BATCH, ImportOutcome, epcn_import, import_record_create, list_sizes_import
from .payees import (
    nominated_payee_check,
    nominated_payee_create,
    nominated_payee_set,
    nominated_payee_update,
)
from .register import (
    agreement_create,
    agreement_update,
    clinical_director_create,
    clinical_director_update,
    commissioner_create,
    commissioner_update,
    list_size_create,
    list_size_update,
    membership_create,
    membership_update,
    pcn_create,
    pcn_update,
    practice_create,
    practice_update,
    register_row_delete,
)

__all__ = [
    "BATCH",
    "ImportOutcome",
    "agreement_create",
    "agreement_update",
    "clinical_director_create",
    "clinical_director_update",
    "commissioner_create",
    "commissioner_update",
    "epcn_import",
    "import_record_create",
    "list_size_create",
    "list_size_update",
    "list_sizes_import",
    "membership_create",
    "membership_update",
    "nominated_payee_check",
    "nominated_payee_create",
    "nominated_payee_set",
    "nominated_payee_update",
    "pcn_create",
    "pcn_update",
    "practice_create",
    "practice_update",
    "register_row_delete",
]
