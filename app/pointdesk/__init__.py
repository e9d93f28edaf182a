"""The desk of a reception point's operator (/diem-cau): the citizens expected at the
point, checking them in, and booking on a citizen's behalf (the commune one-stop desk)."""
