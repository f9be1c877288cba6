"""The writes of patrols (services/<section>.py), re-exported here."""

from shouzhan.patrols.services.data import checkpoint_code, frequency_load, patrols_data_load
from shouzhan.patrols.services.manage import frequency_publish, measure_update, patrol_review, warning_set
from shouzhan.patrols.services.record import patrol_record, track_clean

__all__ = [
    "checkpoint_code",
    "frequency_load",
    "frequency_publish",
    "measure_update",
    "patrol_record",
    "patrol_review",
    "patrols_data_load",
    "track_clean",
    "warning_set",
]
