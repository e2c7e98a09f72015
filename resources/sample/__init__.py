"""Sample data as data: the word lists, countries and business profiles the sample-data
generator (``db.demo``) draws from."""
