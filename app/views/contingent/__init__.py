"""Contingent pages: the orders and movements lists (``lists``), the movement forms
(``movements``), transfer requests between schools (``requests``) and the books (``books``);
``common`` holds what they share."""
