"""English: day before month, as in British and international English."""

DAY_FORMAT = "l j F"  # Monday 30 November
SHORT_DAY_FORMAT = "D j M"  # Mon 30 Nov
DAY_TIME_FORMAT = "l j F, H:i"  # Monday 30 November, 10:00
SHORT_DAY_TIME_FORMAT = "D j M, H:i"  # Mon 30 Nov, 10:00
FULL_DATETIME_FORMAT = "l j F Y, H:i"  # Monday 30 November 2026, 10:00
