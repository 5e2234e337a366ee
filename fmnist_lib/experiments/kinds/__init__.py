"""One module per kind of experiment. Each declares its ``KINDS``: config, record name, compute function,
role, dependencies, the chapters that show it and how its records become mechanism curves. The registry
(``experiments.registry``) discovers them; nothing else lists them.
"""
