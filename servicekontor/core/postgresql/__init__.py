"""Django's PostgreSQL backend with two fewer round trips per short transaction (decision 0092).

`ENGINE = "servicekontor.core.postgresql"` (config/settings.py sets it for a postgres URL).
"""
