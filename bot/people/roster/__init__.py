"""The roster: a commune's force listed in advance from a file, and printed code sheets.

- rows: one row on its own (header, name, role, phone, date joined);
- placing: each row's unit, and who is already listed;
- importing: `antt-bot roster import`, all or nothing;
- sheet and pdf: `antt-bot roster sheet`, the codes to hand out;
- cli: the two commands.
"""
