"""Notification channels, one module each (email, teams, rest_hook, outbox_file), behind one
small interface (`delivery.Sender`): a pure payload builder plus a sender that says whether a
failure is worth retrying. `message` is what every channel renders; `identifiers` is the
last check that no payload carries anything that could identify a person."""
