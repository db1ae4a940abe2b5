"""Pupils' files pages: the list of personal files, each file, its operations and its print
(``files``)."""
