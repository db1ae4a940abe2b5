"""Pupils' files services: the personal file, its parents and achievements (``files``) and
the pupils-with-parents XLSX import (``importing``, with its look-ups and its bulk writing)."""
