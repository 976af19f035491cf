// The live feed for pages: Server-Sent Events from /api/v1/lives/{id}/feed. EventSource
// reconnects by itself and resumes with Last-Event-ID; events already handled (by seq) are
// skipped, so a reconnect never shows a gift twice or a total older than the one on screen.
window.GoodcastFeed = (function () {
  var kinds = ["donation", "total", "goal_reached", "thanks", "message_hidden", "refund", "live_started", "live_ended", "viewers", "resync"];

  function connect(url, handlers) {
    if (!window.EventSource) return null;
    var last = 0;
    var source = new EventSource(url);
    kinds.forEach(function (kind) {
      source.addEventListener(kind, function (message) {
        var event = JSON.parse(message.data);
        if (event.seq !== undefined) {
          if (event.seq <= last) return;
          last = event.seq;
        }
        if (handlers[kind]) handlers[kind](event.data || {}, event);
      });
    });
    return source;
  }

  function formatAmount(minor, currency) {
    var digits = { JPY: 0, KWD: 3, BHD: 3 }[currency];
    if (digits === undefined) digits = 2;
    try {
      return new Intl.NumberFormat(document.documentElement.lang, { style: "currency", currency: currency }).format(minor / Math.pow(10, digits));
    } catch (e) {
      return (minor / Math.pow(10, digits)).toFixed(digits) + " " + currency;
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A total only ever replaces an older one: the goal bar never steps back because of a reconnect.
  function showTotal(data, raisedNode, progressNode) {
    if (raisedNode) raisedNode.textContent = formatAmount(data.raised, data.currency);
    if (progressNode) progressNode.value = Math.min(100, data.goalProgress || 0);
  }

  return { connect: connect, formatAmount: formatAmount, element: element, showTotal: showTotal };
})();
