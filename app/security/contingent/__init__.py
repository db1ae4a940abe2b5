"""Row rules of the contingent: who reads and acts on transfer requests between schools
(``scope``) and the scoped look-ups behind the contingent forms' pickers (``lookups``)."""
