// A viewer's live page: gifts, the host's thanks, the goal bar and the viewer count, as they happen.
(function () {
  var list = document.getElementById("feed");
  if (!list || !window.GoodcastFeed) return;
  var feed = window.GoodcastFeed, el = feed.element;

  function add(item) {
    list.insertBefore(item, list.firstChild);
    var empty = document.getElementById("feed-empty");
    if (empty) empty.remove();
    while (list.children.length > 100) list.removeChild(list.lastChild);
  }

  feed.connect(list.getAttribute("data-feed-url"), {
    donation: function (data) {
      var item = el("li", "card feed-donation");
      item.setAttribute("data-donation-id", data.donationId);
      item.appendChild(el("strong", "", data.donor || ""));
      if (data.amount !== undefined) item.appendChild(el("span", "feed-amount", " " + feed.formatAmount(data.amount, data.currency)));
      if (data.message) item.appendChild(el("p", "prose feed-message", "\u201c" + data.message + "\u201d"));
      add(item);
    },
    thanks: function (data) {
      var item = el("li", "card feed-thanks");
      var who = list.getAttribute("data-host");
      item.appendChild(el("strong", "", "@" + who + " "));
      item.appendChild(el("span", "", data.everyone ? list.getAttribute("data-thanks-everyone") : "\u2192 " + data.donor));
      if (data.message) item.appendChild(el("p", "prose", data.message));
      add(item);
    },
    message_hidden: function (data) {
      var gift = list.querySelector('[data-donation-id="' + data.donationId + '"] .feed-message');
      if (gift) gift.remove();
    },
    total: function (data) {
      feed.showTotal(data, document.getElementById("raised"), document.getElementById("goal-progress"));
    },
    goal_reached: function () {
      var banner = document.getElementById("goal-reached");
      if (banner) banner.hidden = false;
    },
    viewers: function (data) {
      var count = document.getElementById("viewers");
      if (count) count.textContent = data.viewers;
    },
    live_started: function () { setStatus("live"); },
    live_ended: function () { setStatus("ended"); }
  });

  function setStatus(status) {
    var badge = document.getElementById("live-status");
    if (badge) badge.textContent = status;
  }
})();
