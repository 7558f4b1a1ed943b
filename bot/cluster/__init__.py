"""Several bot processes on one database: heartbeats, shares of each bot's rate, take-overs."""
