"""Pupils' files row rules: who reads the general and the sensitive parts of a pupil's
personal file and who writes its characterisation (``scope``)."""
