"""The pure eligibility engine: facts, rules, evaluation, forecasts and population maths.

No database, no HTTP: nothing here imports sqlmodel, sqlalchemy, fastapi, starlette or
``talent_service.models`` (tests/eligibility/test_engine_is_pure.py checks it).
"""
