"""The records of a whole population as columns, independent of the as-of date (pure).

``policies.population_source.load_columns`` reads them from the database; ``population_layout``
lays them out as of a date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from talent_service.eligibility.engine.tiers import TierRecord
from talent_service.reference.enums import DeclaredFact, Verification

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
NO_EFFECTIVE = -(2**62)  # a declaration's NULL effective date: since before the records
FACTS = (DeclaredFact.education, DeclaredFact.professional_title, DeclaredFact.hukou_city)
STATES = (Verification.declared, Verification.verified)  # codes 0 and 1; rejected is not read


@dataclass(frozen=True, eq=False)
class Columns:
    """What the facts of a population rest on, as arrays, independent of the as-of date."""

    talent_ids: IntArray  # ascending
    birth_day: IntArray
    is_foreign: BoolArray
    # spells, by id
    spell_id: IntArray
    spell_talent: IntArray  # index into talent_ids
    hired: IntArray
    departed: IntArray
    firm_id: IntArray
    firm_home: npt.NDArray[np.str_]
    center_id: IntArray
    center_host: npt.NDArray[np.str_]
    si_city: npt.NDArray[np.str_]
    key_post: BoolArray
    recruited: BoolArray
    # the spells' centers' status events, by center, effective date, id
    event_center: IntArray
    event_day: IntArray
    event_status: IntArray
    tiers: dict[int, list[TierRecord]]  # firm id -> approved periods
    # declarations (rejected ones left out), by person, fact, then the rule's rank
    claim_group: IntArray  # talent index * 3 + index into FACTS
    claim_id: IntArray
    claim_corrects: IntArray  # -1: corrects none
    claim_effective: IntArray  # NO_EFFECTIVE when NULL
    claim_state: IntArray  # index into STATES
    claim_value: npt.NDArray[np.object_]

    @property
    def n(self) -> int:
        return len(self.talent_ids)
