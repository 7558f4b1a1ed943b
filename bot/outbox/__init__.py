"""The durable outbox: its sender, pace, quiet hours, handed-over replies and operator command."""
