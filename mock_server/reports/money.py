"""Writing cents as an accountant reads them."""


def format_cents(cents: int) -> str:
    """``-123456`` -> ``(1,234.56)``; ``123456`` -> ``1,234.56``."""
    text = f"{abs(cents) // 100:,}.{abs(cents) % 100:02d}"
    return f"({text})" if cents < 0 else text
