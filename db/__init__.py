"""SQLAlchemy persistence: the customer archive, SLA profiles, API keys, read model, timeline."""
