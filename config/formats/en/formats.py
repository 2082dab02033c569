"""English: day before month and a 24-hour clock, as in British and international English.

Swedish users read the English pages too: no US month-first dates ("11/02/2026", "Sept. 14,
2026") and no "a.m."/"p.m.". Django's own names are set here as well, so a date shown without
a named format (`{{ day }}`, `|date`, `date_format(day, "SHORT_DATE_FORMAT")`) reads the same.
"""

DATE_FORMAT = "j F Y"  # 30 November 2026
DATETIME_FORMAT = "j F Y H:i"  # 30 November 2026 10:00
TIME_FORMAT = "H:i"  # 10:00
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-11-30
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-11-30 10:00
MONTH_DAY_FORMAT = "j F"  # 30 November
YEAR_MONTH_FORMAT = "F Y"  # November 2026
FIRST_DAY_OF_WEEK = 1  # Monday

DAY_FORMAT = "l j F"  # Monday 30 November
SHORT_DAY_FORMAT = "D j M"  # Mon 30 Nov
DAY_TIME_FORMAT = "l j F, H:i"  # Monday 30 November, 10:00
SHORT_DAY_TIME_FORMAT = "D j M, H:i"  # Mon 30 Nov, 10:00
FULL_DATETIME_FORMAT = "l j F Y, H:i"  # Monday 30 November 2026, 10:00
