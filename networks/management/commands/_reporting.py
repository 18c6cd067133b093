"""How the import commands report: counts, warnings (the first few), and the bad rows (the
first hundred, then how many more)."""

from django.core.management.base import CommandError

WARNINGS_SHOWN = 20


def report_failure(command, exc) -> None:
    for line in exc.lines():
        command.stderr.write(line)
    raise CommandError(str(exc))


def report_invalid(exc) -> None:
    """A value the parser let through but the register refuses (a postcode too long, say):
    the reason, not a traceback. Nothing was written: the import is one transaction."""
    reasons = "; ".join(exc.messages)
    raise CommandError(
        f"Nothing was imported: the register refused a value in the file ({reasons})."
    )


def report_outcome(command, outcome) -> None:
    for warning in outcome.warnings[:WARNINGS_SHOWN]:
        command.stdout.write(command.style.WARNING(f"Warning: {warning}"))
    hidden = len(outcome.warnings) - WARNINGS_SHOWN
    if hidden > 0:
        command.stdout.write(
            command.style.WARNING(
                f"... and {hidden} more warnings, kept with import record {outcome.record.pk}."
            )
        )
    changes = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in outcome.counts.items() if v)
    command.stdout.write(
        command.style.SUCCESS(
            f"Imported {outcome.record.file_name}: {changes or 'no changes, already up to date'}."
        )
    )
