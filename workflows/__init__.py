"""Temporal workflows. Modules here import only temporalio and the contracts in `models/`."""
