"""SQLite storage: one connection, explicit transactions, one repository module per aggregate."""

from storage.db import Database, Tx

__all__ = ["Database", "Tx"]
