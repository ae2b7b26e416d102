"""Webhooks through a transactional outbox: events written with their change, delivered by
``talent-service worker`` (see the README's "Webhooks" section)."""
