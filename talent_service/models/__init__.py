"""Every table, imported in one place: one metadata for Alembic, no import-order surprises."""

from talent_service.models.audit_checkpoint import AuditCheckpoint
from talent_service.models.audit_entry import AuditEntry
from talent_service.models.audit_head import AuditHead
from talent_service.models.auth_throttle import AuthThrottle
from talent_service.models.base import NAMING_CONVENTION
from talent_service.models.center import Center
from talent_service.models.center_status_event import CenterStatusEvent
from talent_service.models.city import City
from talent_service.models.client import Client
from talent_service.models.decision import Decision
from talent_service.models.declaration import Declaration
from talent_service.models.employment import Employment
from talent_service.models.enclave import Enclave
from talent_service.models.enclave_partner import EnclavePartner
from talent_service.models.firm import Firm
from talent_service.models.firm_sign_up_event import FirmSignUpEvent
from talent_service.models.firm_tier import FirmTierPeriod
from talent_service.models.household_member import HouseholdMember
from talent_service.models.idempotency_key import IdempotencyKey
from talent_service.models.policy import Policy
from talent_service.models.policy_parameter import PolicyParameter
from talent_service.models.policy_version import PolicyVersion
from talent_service.models.revoked_token import RevokedToken
from talent_service.models.supplied_fact import SuppliedFact
from talent_service.models.talent import Talent
from talent_service.models.talent_firm import TalentFirm
from talent_service.models.user import User
from talent_service.models.webhook_delivery import WebhookDelivery
from talent_service.models.webhook_event import WebhookEvent
from talent_service.models.webhook_sequence import WebhookSequence
from talent_service.models.webhook_subscription import WebhookSubscription

__all__ = [
    "NAMING_CONVENTION",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditHead",
    "AuthThrottle",
    "Center",
    "CenterStatusEvent",
    "City",
    "Client",
    "Decision",
    "Declaration",
    "Employment",
    "Enclave",
    "EnclavePartner",
    "Firm",
    "FirmSignUpEvent",
    "FirmTierPeriod",
    "IdempotencyKey",
    "HouseholdMember",
    "Policy",
    "PolicyParameter",
    "PolicyVersion",
    "RevokedToken",
    "SuppliedFact",
    "Talent",
    "TalentFirm",
    "User",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSequence",
    "WebhookSubscription",
]
