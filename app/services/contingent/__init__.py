"""The contingent: orders (``orders``), pupils' movements between classes and schools
(``movements``), the promotion to the next academic year (``promotion``), transfer requests
between schools (``requests``) and the two books (``reports``)."""
