/* Scoped AJAX selects: ask the server for matches page by page (Select2 4, vendored by FAB). */
$(function () {
  $("select.kd-ajax-select").each(function () {
    var el = $(this);
    el.select2({
      theme: "bootstrap",
      allowClear: true,
      placeholder: el.data("placeholder") || "",
      width: "100%",
      ajax: {
        url: el.data("endpoint"),
        dataType: "json",
        delay: 250,
        data: function (p) { return {q: p.term || "", page: p.page || 1}; },
        processResults: function (d) { return {results: d.results, pagination: {more: d.more}}; }
      }
    });
  });
});
