"""The reports app owns no data and writes nothing: its periods come from ``core.periods``
(presets, bounds, the period a user chose last), its figures from ``core.metrics``."""
