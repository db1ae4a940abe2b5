"""Study-process pages: the shared base view and fields (``base``), the school year's set-up
(``setup``), the working curriculum (``curriculum``), calendar-thematic plans (``plans``), the
timetable and dated lessons (``timetable``) and the study-process reports (``reports``)."""
