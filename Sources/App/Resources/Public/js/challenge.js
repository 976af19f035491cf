// A challenge page keeps its stats and pledge meter current: every 5 s it reads the challenge
// from the API and rewrites the numbers in place (no reload, so a half-typed caption survives).
(function () {
  var page = document.getElementById("challenge");
  if (!page || !window.fetch) return;
  var url = page.getAttribute("data-refresh-url");
  var lang = document.documentElement.lang;

  // The same rules as the server's MoneyFormat, so a refreshed amount reads exactly as the page's.
  function formatMoney(minor, exponent, symbol) {
    var style = lang === "fr" ? [",", "\u202F", false] : lang === "it" ? [",", ".", false] : [".", ",", true];
    var negative = minor < 0, magnitude = Math.abs(minor), per = Math.pow(10, exponent);
    var text = String(Math.floor(magnitude / per)).replace(/\B(?=(\d{3})+(?!\d))/g, style[1]);
    if (exponent > 0) {
      var fraction = String(magnitude % per);
      text += style[0] + "0".repeat(exponent - fraction.length) + fraction;
    }
    text = style[2] ? symbol + text : text + "\u00A0" + symbol;
    return (negative ? "-" : "") + text;
  }

  function setText(id, value) {
    var node = document.getElementById(id);
    if (node && node.textContent !== String(value)) node.textContent = value;
  }

  function show(challenge) {
    var stats = challenge.stats || {};
    setText("stat-videos", stats.videos);
    setText("stat-views", stats.views);
    setText("stat-participants", stats.participants);
    setText("stat-followers", stats.followersGained);
    (challenge.pledges || []).forEach(function (pledge) {
      var id = String(pledge.id).toLowerCase();
      var row = document.getElementById("pledge-" + id);
      if (!row) return;
      var exponent = Number(row.getAttribute("data-exponent")), symbol = row.getAttribute("data-symbol");
      setText("pledge-" + id + "-accrued", formatMoney(pledge.accrued.amount, exponent, symbol));
      var bar = document.getElementById("pledge-" + id + "-bar");
      if (bar) { bar.max = pledge.budget.amount; bar.value = pledge.accrued.amount; }
    });
  }

  function refresh() {
    if (document.hidden) return;
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (challenge) { if (challenge) show(challenge); })
      .catch(function () { /* the next tick tries again */ });
  }

  setInterval(refresh, 5000);
})();
