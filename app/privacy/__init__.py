"""Personal data of citizens: download, deletion on request, retention (Decree 13/2023)."""
