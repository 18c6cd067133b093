"""One register row at a time: the admin's forms, the API and the admin's spreadsheet imports.

A create takes the unsaved row its caller built (a form or serializer fills one in); an update
takes the row and the fields to change. Each runs in one transaction with its history row.
"""

from django.db import transaction

from ..models import (
    PCN,
    ClinicalDirector,
    Commissioner,
    ListSize,
    Membership,
    NetworkAgreement,
    Practice,
)


def _apply(row, changes: dict) -> None:
    fields = row._meta.concrete_fields
    known = {f.name for f in fields} | {f.attname for f in fields}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise TypeError(f"{type(row).__name__} has no field {', '.join(unknown)}.")
    for name, value in changes.items():
        setattr(row, name, value)


def _save(row, *, by):
    row.full_clean()
    row._history_user = by  # simple-history reads this outside a request (tokens, commands)
    row.save()
    return row


@transaction.atomic
def commissioner_create(*, commissioner: Commissioner, by) -> Commissioner:
    return _save(commissioner, by=by)


@transaction.atomic
def commissioner_update(*, commissioner: Commissioner, by, **changes) -> Commissioner:
    _apply(commissioner, changes)
    return _save(commissioner, by=by)


@transaction.atomic
def practice_create(*, practice: Practice, by) -> Practice:
    return _save(practice, by=by)


@transaction.atomic
def practice_update(*, practice: Practice, by, **changes) -> Practice:
    _apply(practice, changes)
    return _save(practice, by=by)


@transaction.atomic
def pcn_create(*, pcn: PCN, by) -> PCN:
    return _save(pcn, by=by)


@transaction.atomic
def pcn_update(*, pcn: PCN, by, **changes) -> PCN:
    _apply(pcn, changes)
    return _save(pcn, by=by)


@transaction.atomic
def membership_create(*, membership: Membership, by) -> Membership:
    return _save(membership, by=by)


@transaction.atomic
def membership_update(*, membership: Membership, by, **changes) -> Membership:
    _apply(membership, changes)
    return _save(membership, by=by)


@transaction.atomic
def list_size_create(*, list_size: ListSize, by) -> ListSize:
    return _save(list_size, by=by)


@transaction.atomic
def list_size_update(*, list_size: ListSize, by, **changes) -> ListSize:
    _apply(list_size, changes)
    return _save(list_size, by=by)


@transaction.atomic
def clinical_director_create(*, director: ClinicalDirector, by) -> ClinicalDirector:
    return _save(director, by=by)


@transaction.atomic
def clinical_director_update(*, director: ClinicalDirector, by, **changes) -> ClinicalDirector:
    _apply(director, changes)
    return _save(director, by=by)


@transaction.atomic
def agreement_create(*, agreement: NetworkAgreement, by, core_members=None) -> NetworkAgreement:
    _save(agreement, by=by)
    if core_members is not None:
        agreement.core_members.set(core_members)  # its history row names `by` too
    return agreement


@transaction.atomic
def agreement_update(
    *, agreement: NetworkAgreement, by, core_members=None, **changes
) -> NetworkAgreement:
    _apply(agreement, changes)
    _save(agreement, by=by)
    if core_members is not None:
        agreement.core_members.set(core_members)
    return agreement


@transaction.atomic
def register_row_delete(*, row, by) -> None:
    """Delete one register row (the edge lets only superusers): its history keeps a last copy
    naming who. A row that others depend on is PROTECTed and raises ProtectedError."""
    row._history_user = by
    row.delete()
