"""The reception-session core: pure Python, no Flask and no database.

Recurrence with Vietnamese holidays, the legal rulebook, slot arithmetic, queue
ordering and waiting estimates, iCalendar building and identity validation.
Everything here takes plain values and returns plain values.
"""
