"""The rulebook as data: the legal rules in force on a date, editable by the administrator."""
