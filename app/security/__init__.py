"""The access rules of every route and live event, and the table generated from them."""
