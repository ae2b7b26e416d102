"""The tamper-evident audit log: who did what to which object, when, with what outcome."""
