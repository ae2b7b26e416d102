from talent_service.reference.enums import CenterStatus

# Centers that hold floor area in an enclave space: a rejected or closed center has left it.
OCCUPYING = (CenterStatus.pending, CenterStatus.accredited, CenterStatus.suspended)
