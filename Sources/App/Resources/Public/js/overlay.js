// The stream overlay (OBS browser source): an alert per gift and the goal bar. Gifts below the
// host's minimum show without the donor's name; amounts show only if the host wants them.
(function () {
  var root = document.getElementById("overlay");
  if (!root || !window.GoodcastFeed) return;
  var feed = window.GoodcastFeed, el = feed.element;
  var minimum = parseInt(root.getAttribute("data-min-amount"), 10) || 0;
  var showAmounts = root.getAttribute("data-show-amounts") === "true";
  var alerts = document.getElementById("alerts");

  function alert(text, detail) {
    var item = el("div", "alert");
    item.appendChild(el("strong", "", text));
    if (detail) item.appendChild(el("span", "", " " + detail));
    alerts.appendChild(item);
    setTimeout(function () { item.remove(); }, 8000);
  }

  feed.connect(root.getAttribute("data-feed-url"), {
    donation: function (data) {
      var named = data.amount === undefined || data.amount >= minimum;
      var amount = showAmounts && data.amount !== undefined ? feed.formatAmount(data.amount, data.currency) : "";
      alert(named ? data.donor : root.getAttribute("data-someone"), amount);
    },
    thanks: function (data) { if (data.everyone) alert(root.getAttribute("data-thanks-everyone"), data.message || ""); },
    total: function (data) { feed.showTotal(data, document.getElementById("raised"), document.getElementById("goal-progress")); },
    goal_reached: function () { alert(root.getAttribute("data-goal-reached"), ""); }
  });
})();
