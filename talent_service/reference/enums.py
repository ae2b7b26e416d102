"""Closed vocabularies shared by tables, schemas and rules.

Values are stable English slugs (they appear in the API and the database); Chinese and English
labels for display live in ``LABELS``.
"""

from __future__ import annotations

from enum import StrEnum


class Region(StrEnum):
    prd = "prd"
    east = "east"
    west = "west"
    north = "north"


class FirmTier(StrEnum):
    """Ordered lowest to highest; ``single_champion`` stands beside the ladder."""

    innovative_sme = "innovative_sme"
    provincial_specialized = "provincial_specialized"
    little_giant = "little_giant"
    key_little_giant = "key_little_giant"
    single_champion = "single_champion"


class CenterKind(StrEnum):
    rnd = "rnd"
    technology = "technology"
    engineering = "engineering"


class CenterStatus(StrEnum):
    pending = "pending"
    accredited = "accredited"
    rejected = "rejected"
    suspended = "suspended"
    closed = "closed"


class Education(StrEnum):
    below_bachelor = "below_bachelor"
    bachelor = "bachelor"
    master = "master"
    doctor = "doctor"


class TitleLevel(StrEnum):
    none = "none"
    junior = "junior"
    intermediate = "intermediate"
    associate_senior = "associate_senior"
    senior = "senior"


class Sex(StrEnum):
    male = "male"
    female = "female"


class DepartureReason(StrEnum):
    resigned = "resigned"
    dismissed = "dismissed"
    contract_ended = "contract_ended"
    transferred = "transferred"
    retired = "retired"
    deceased = "deceased"
    other = "other"


class DeclaredFact(StrEnum):
    """A fact about a person that someone declares with a date and others may verify."""

    education = "education"
    professional_title = "title"  # not `title`: that would shadow str.title
    hukou_city = "hukou_city"


class Verification(StrEnum):
    """Where a declaration stands: as declared, verified by an authority, or rejected by one."""

    declared = "declared"
    verified = "verified"
    rejected = "rejected"


class Source(StrEnum):
    """Who asserted a fact: a firm, a city bureau, the province, a machine client, or the
    migration that carried over what the registry held before facts were dated."""

    firm = "firm"
    bureau = "bureau"
    province = "province"
    client = "client"
    migration = "migration"


class HouseholdRelation(StrEnum):
    """How a household member is related to the talent."""

    child = "child"
    other = "other"


class SchoolStage(StrEnum):
    """Stage of schooling a child is in or applying for, youngest first."""

    kindergarten = "kindergarten"
    primary = "primary"
    junior_secondary = "junior_secondary"
    senior_secondary = "senior_secondary"


class TierState(StrEnum):
    """A tier certificate: submitted by its firm, then approved or rejected by the province."""

    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"


class SignUpState(StrEnum):
    """A firm's sign-up: pending until its home city's bureau (or the province) decides."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Role(StrEnum):
    province = "province"
    bureau = "bureau"
    firm = "firm"
    client = "client"


class Benefit(StrEnum):
    hukou = "hukou"
    social_insurance = "social_insurance"
    education = "education"
    professional_title = "title"  # not `title`: that would shadow str.title


class Side(StrEnum):
    """Which side of the program a policy's city is: the PRD host or the firm's home city."""

    host = "host"
    home = "home"


class PolicyStatus(StrEnum):
    draft = "draft"
    published = "published"


class Outcome(StrEnum):
    eligible = "eligible"
    ineligible = "ineligible"
    undetermined = "undetermined"
