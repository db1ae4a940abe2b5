"""The class journal's services (issue 4): what a teacher types in a cell (``entry``), saving
cells and filling down (``write``), the lesson panel (``panel``), the grid's data (``grid``),
period and year grades computed (``compute``, with the policies' rules in ``grading``), read
(``queries``) and set (``commands``), temporary access grants (``grants``), a school's
journal settings (``settings``), the mark edit window (``edit_window``), the change history
report (``history``) and the pupils' diary (``diary``)."""
