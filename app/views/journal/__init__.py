"""The class journal's pages (issue 4): the section picker and the grid (``grid``), access
grants and journal settings (``admin``), a section's period grades (``finals``), the change
history report (``history``), and the diary with the summary sheet (``diary``)."""
