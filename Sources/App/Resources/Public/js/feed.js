// The live donor feed: Server-Sent Events from /api/v1/lives/{id}/feed. EventSource
// reconnects by itself and resumes with Last-Event-ID, so no gift is missed or shown twice.
(function () {
  var list = document.getElementById("feed");
  if (!list || !window.EventSource) return;
  var seen = {};
  var source = new EventSource(list.getAttribute("data-feed-url"));
  source.addEventListener("donation", function (message) {
    var event = JSON.parse(message.data);
    if (seen[event.seq]) return;
    seen[event.seq] = true;
    var data = event.data || {};
    var item = document.createElement("li");
    item.className = "card feed-donation";
    var who = document.createElement("strong");
    who.textContent = data.donor || "";
    item.appendChild(who);
    if (data.amount !== undefined) {
      var amount = document.createElement("span");
      amount.className = "feed-amount";
      amount.textContent = " " + formatAmount(data.amount, data.currency);
      item.appendChild(amount);
    }
    if (data.message) {
      var text = document.createElement("p");
      text.className = "prose";
      text.textContent = "\u201c" + data.message + "\u201d";
      item.appendChild(text);
    }
    list.insertBefore(item, list.firstChild);
    var empty = document.getElementById("feed-empty");
    if (empty) empty.remove();
  });

  function formatAmount(minor, currency) {
    var digits = { JPY: 0, KWD: 3, BHD: 3 }[currency];
    if (digits === undefined) digits = 2;
    try {
      return new Intl.NumberFormat(document.documentElement.lang, { style: "currency", currency: currency }).format(minor / Math.pow(10, digits));
    } catch (e) {
      return (minor / Math.pow(10, digits)).toFixed(digits) + " " + currency;
    }
  }
})();
