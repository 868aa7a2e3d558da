"""Pure SLA arithmetic: deadlines as functions of (profile, start, pauses). No I/O."""
