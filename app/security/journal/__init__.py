"""The class journal's row rules (issue 4): who reads and writes which section, lesson, cell,
grade, grant and diary (``scope``), the FAB filters wrapping them for the pages and REST
resources (``filters``) and the scoped look-ups of the journal's forms (``lookups``)."""
