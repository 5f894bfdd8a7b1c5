"""Listeners, one module per kind; each ``register(app, deps)`` adds its own."""
