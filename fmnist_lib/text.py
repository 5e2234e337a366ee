"""How counts read in words, for every layer that writes a sentence: '1 seed', '4 seeds', never '4 seed(s)'."""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None) -> str:
    """'1 epoch', '2 epochs', '3 copies' (``many`` where the plural is not ``one`` + 's')."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def listed(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c': items in a sentence."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
