// The host's dashboard: supporters in order as they give, each with "thank" and "hide message"
// (forms cloned from a template that carries the page's CSRF token), the total and the viewers.
(function () {
  var table = document.getElementById("supporters");
  var template = document.getElementById("supporter-row");
  if (!table || !template || !window.GoodcastFeed) return;
  var feed = window.GoodcastFeed;

  feed.connect(table.getAttribute("data-feed-url"), {
    donation: function (data) {
      if (table.querySelector('[data-donation-id="' + data.donationId + '"]')) return;
      var row = template.content.firstElementChild.cloneNode(true);
      row.setAttribute("data-donation-id", data.donationId);
      row.querySelector(".donor").textContent = data.donor || "";
      row.querySelector(".amount").textContent = data.amount !== undefined ? feed.formatAmount(data.amount, data.currency) : "\u2014";
      row.querySelector(".message").textContent = data.message || "";
      row.querySelectorAll("input[name=donationId]").forEach(function (input) { input.value = data.donationId; });
      if (!data.message) row.querySelector(".hide-form").remove();
      table.querySelector("tbody").appendChild(row);
      var empty = document.getElementById("no-supporters");
      if (empty) empty.remove();
    },
    message_hidden: function (data) {
      var row = table.querySelector('[data-donation-id="' + data.donationId + '"]');
      if (!row) return;
      row.querySelector(".message").textContent = table.getAttribute("data-hidden-label");
      var form = row.querySelector(".hide-form");
      if (form) form.remove();
    },
    total: function (data) { feed.showTotal(data, document.getElementById("raised"), document.getElementById("goal-progress")); },
    viewers: function (data) {
      var count = document.getElementById("viewers");
      if (count) count.textContent = data.viewers;
    }
  });
})();
