"""Swedish: lower-case month abbreviations ("30 nov"), and "kl." before a time of day."""

DAY_FORMAT = "l j F"  # måndag 30 november
SHORT_DAY_FORMAT = "D j b"  # mån 30 nov
DAY_TIME_FORMAT = r"l j F \k\l. H:i"  # måndag 30 november kl. 10:00
SHORT_DAY_TIME_FORMAT = r"D j b \k\l. H:i"  # mån 30 nov kl. 10:00
FULL_DATETIME_FORMAT = r"l j F Y \k\l. H:i"  # måndag 30 november 2026 kl. 10:00
