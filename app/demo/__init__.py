"""The demo network that ``flask kundelik demo`` (and ``make run`` on an empty database)
builds: ``network`` (organisations, people, logins; it calls the others in order),
``study`` (school-year set-up, timetable, lessons), ``pupils`` (personal files, parents,
consents), ``contingent`` (orders and movements), ``journal`` (a quarter of the journal) and
``grades`` (period grades). Every builder acts for the system on purpose (``system_scope()``).
"""
