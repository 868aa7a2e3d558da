"""Pydantic contracts shared by the API, the workflows and the activities (no I/O here)."""
