"""Eligibility decisions: a question asked (check, verify), its facts read from the database,
the engine run, the answer signed and stored (or the stored one reused), and read back as each
caller may see it."""
