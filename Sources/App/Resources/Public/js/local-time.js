// Times are sent in UTC; each <time data-local> is rewritten in the viewer's own time zone.
(function () {
  var lang = document.documentElement.lang || undefined;
  document.querySelectorAll("time[data-local]").forEach(function (node) {
    var date = new Date(node.getAttribute("datetime"));
    if (isNaN(date)) return;
    var options = node.getAttribute("data-local") === "date"
      ? { dateStyle: "long" }
      : { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
    try {
      node.textContent = new Intl.DateTimeFormat(lang, options).format(date);
    } catch (e) { /* keep the UTC text */ }
  });
})();
