"""Tallies: periods, the count against targets, the chat text, the files and the command line."""
