"""Writes for the Network Contract DES streams and their dated rates: national figures that only
national administrators change (pcn_admin.access, EDIT_RATES), each change kept in history.

A rate a finalised batch has paid with is locked: StreamRate.save refuses any change to its
stream, amount or dates, whatever the route, so a paid figure can always be explained.
"""

from django.db import transaction

from ..models import PaymentStream, StreamRate


def _save_with_history(instance, by, reason: str) -> None:
    instance._history_user = by  # simple_history reads this outside a request
    if reason:
        instance._change_reason = reason
    instance.save()


@transaction.atomic
def stream_save(*, stream: PaymentStream, by, reason: str = "") -> PaymentStream:
    """Add a payment stream or correct its name, description, order or reported columns."""
    stream.full_clean()
    _save_with_history(stream, by, reason)
    return stream


@transaction.atomic
def stream_rate_save(*, rate: StreamRate, by, reason: str = "") -> StreamRate:
    """Add a stream's rate or correct one not yet used by a finalised batch. A locked rate
    refuses (StreamRate.save): add a new rate from a later date instead."""
    rate.full_clean()
    _save_with_history(rate, by, reason)
    return rate
