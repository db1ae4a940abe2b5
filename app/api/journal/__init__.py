"""The class journal over HTTP (issue 4): the grid, cells, fill down and lesson panel with the
read-only lesson, mark and attendance resources (``cells``), final grades (``finals``) and
a pupil's diary week (``diary``)."""
