"""One name for each thing: what the report calls the networks, the mechanisms and the profiles.

The seed paper calls its proposal "the modified model", "Modified (DSC + GAP)"
and "the lightweight network"; the report calls it *the light model* everywhere
(prose, tables, legends, axis labels) and says once what the seed calls it.
"""

from __future__ import annotations

from fmnist_lib.audit.claims import NETWORK_NAMES

LIGHT_MODEL_ALIASES = ("Modified (DSC + GAP)", "the modified model", "the lightweight network")


def network_name(key: str, capital: bool = False) -> str:
    """'CNN-3-128' or 'light model' for a record's model key; capitalised at the start of a sentence."""
    name = NETWORK_NAMES.get(key, key)
    return name[0].upper() + name[1:] if capital else name
