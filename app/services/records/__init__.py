"""The records office's services: staff files, events and courses (``staff``), the staff
import (``staff_import``), staff reports (``staff_reports``), lessons left without a teacher
by an absence (``substitutes``) and strict-report blanks with issued documents
(``blanks``)."""
