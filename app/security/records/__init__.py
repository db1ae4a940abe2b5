"""The records office's row rules: who reads which staff files (``scope``)."""
