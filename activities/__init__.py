"""Activities: thin adapters between workflows and the database, each side effect idempotent."""
