// The story viewer: stickers at their exact place (the page's classes round it to a tenth),
// arrow keys for the previous and next story, Escape to close, and a question before deleting.
(function () {
  document.querySelectorAll("[data-sticker][data-x]").forEach(function (node) {
    node.style.setProperty("--x", node.getAttribute("data-x"));
    node.style.setProperty("--y", node.getAttribute("data-y"));
    node.style.setProperty("--s", node.getAttribute("data-scale"));
    node.style.setProperty("--r", node.getAttribute("data-rotation"));
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName)) return;
    var id = { ArrowRight: "story-next", ArrowLeft: "story-prev", Escape: "story-close" }[event.key];
    var link = id && document.getElementById(id);
    if (link) window.location.href = link.href;
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
