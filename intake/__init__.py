"""Intake (报修登记): a call becomes a service request or a hotline complaint — resolved
against the archive (`resolution`) and reserved once (`reservation`). The API, the
activities that open requests (rework, inspections) and `starter.py` all register here."""
