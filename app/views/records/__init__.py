"""The records office's pages: staff files and their parts (``staff``), the operations on
them (``staff_ops``), staff reports (``reports``) and strict-report blanks with issued
documents (``blanks``)."""
