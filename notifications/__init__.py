"""Notifications (SPEC §5): an outbox of messages rendered from Jinja2 templates, each sent once
per idempotency key: by email, through a log sender (the default) or an SMTP sender, and, for
the kinds with an SMS text, by SMS too, through a log sender (the default) or an HTTP provider.

- `rendering`: the templates (`templates/notifications/`) and the data keys each kind uses;
- `recipients`: role names (customer, assigned, dispatcher, …) to addresses or mobiles;
- `mobiles`: mainland mobile numbers behind the archive's spelling of a phone;
- `message`: the outgoing email and its RFC 5322 form (Message-ID from the key);
- `senders`: the log and SMTP senders, and which SMTP failures are permanent;
- `sms_senders`: the log and HTTP SMS senders, and which provider replies are permanent;
- `outbox`: the `notifications` rows' channels and states (insert once, claim with a lease,
  finish);
- `delivery`: the whole of one delivery, which the `queue_notification` activity runs.
"""
