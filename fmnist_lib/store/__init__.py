"""The run store: records keyed by their config, written atomically, read through a typed model,
with the provenance of each and fingerprints of the code that computed it. Only this package
knows where records live.
"""
