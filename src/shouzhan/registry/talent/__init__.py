"""Talent records (人才档案): what a person keeps about their own work — field, titles, skill certificates,
the trainings they attended — and the training courses with their sessions, trainees and attendance.

The records are the registry's (a person's data, read by the rules as `person.*` facts and by the calculator);
the support a person applies for is the `talent` module's case types (docs/talent.md).
"""
