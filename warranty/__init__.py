"""Pure warranty and entitlement rules (三包), SPEC §4."""
