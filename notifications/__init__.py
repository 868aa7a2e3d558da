"""Notifications (SPEC §5): an outbox of messages rendered from Jinja2 templates, each sent once
per idempotency key by a log sender (the default) or an SMTP sender.

- `rendering`: the templates (`templates/notifications/`) and the data keys each kind uses;
- `recipients`: role names (customer, assigned, dispatcher, …) to addresses;
- `message`: the outgoing message and its RFC 5322 form (Message-ID from the key);
- `senders`: the log and SMTP senders, and which SMTP failures are permanent;
- `outbox`: the `notifications` rows' states (insert once, claim with a lease, finish);
- `delivery`: the whole of one delivery, which the `queue_notification` activity runs.
"""
