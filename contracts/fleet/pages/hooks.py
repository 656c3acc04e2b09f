def register() -> None:
    """Registrations made when the app is ready (filled in by this part)."""
