"""Social prescribing: the community directory, referrals, contacts, outcomes and the audit log.

Models holding personal data list their identifying fields in PERSONAL_DATA_FIELDS so they can
be scrubbed from copies of the database and kept out of logs and commissioner-facing pages.

Callers import from here, never from the submodules, which are imported in the order their
models were first declared (the admin and the scrubber list them in that order).
"""

# In declaration order, not sorted (see above).
# isort: off
from .fields import NHSNumberField, NHSNumberFormField
from .directory import REVIEW_INTERVAL_DAYS, Organisation, Service, Taxonomy, TaxonomyTerm
from .referrals import (
    ALLOWED_TRANSITIONS,
    ENDED_STATUSES,
    OPEN_STATUSES,
    SNOMED_LABELS,
    SNOMED_REFERRAL_ACCEPTED,
    SNOMED_REFERRAL_DECLINED,
    Contact,
    OnwardReferral,
    ReferenceItem,
    Referral,
    ReferralReason,
    ReferralSource,
    ReferralStatusChange,
    Status,
)
from .outcomes import ONS4_FIELDS, CaseStudy, Instrument, OutcomeMeasurement
from .audit import AuditEvent, AuditEventQuerySet
# isort: on

__all__ = [
    "ALLOWED_TRANSITIONS",
    "ENDED_STATUSES",
    "ONS4_FIELDS",
    "OPEN_STATUSES",
    "REVIEW_INTERVAL_DAYS",
    "SNOMED_LABELS",
    "SNOMED_REFERRAL_ACCEPTED",
    "SNOMED_REFERRAL_DECLINED",
    "AuditEvent",
    "AuditEventQuerySet",
    "CaseStudy",
    "Contact",
    "Instrument",
    "NHSNumberField",
    "NHSNumberFormField",
    "OnwardReferral",
    "Organisation",
    "OutcomeMeasurement",
    "ReferenceItem",
    "Referral",
    "ReferralReason",
    "ReferralSource",
    "ReferralStatusChange",
    "Service",
    "Status",
    "Taxonomy",
    "TaxonomyTerm",
]
