"""The study process: the school year's set-up (years, periods, subjects, rooms, classes,
enrolments, subgroups: ``setup``), the working curriculum (``curriculum``), calendar-thematic
plans (``plans``), the timetable with lessons, substitutions and cancellations
(``timetable``), the study-process reports (``reports``) and the pure rules with numbers in
them (``rules``)."""
