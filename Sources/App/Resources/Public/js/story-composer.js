// The story composer: a live preview of the chosen file with the sticker where the donor taps
// or clicks, sized and turned by the sliders. The placement goes into the chosen sticker's
// `stickers` value on submit; without this script that value is the default spot.
(function () {
  var form = document.getElementById("story-form");
  if (!form) return;
  var stage = document.getElementById("story-stage");
  var image = document.getElementById("preview-image");
  var video = document.getElementById("preview-video");
  var file = document.getElementById("story-file");
  var sticker = document.getElementById("sticker-preview");
  var x = document.getElementById("sticker-x"), y = document.getElementById("sticker-y");
  var scale = document.getElementById("sticker-scale"), rotation = document.getElementById("sticker-rotation");
  var reveal = document.getElementById("reveal-name"), revealRow = document.getElementById("reveal-row");
  var objectUrl = null;
  document.getElementById("placement").hidden = false;

  function chosen() {
    var radio = form.querySelector('input[name="stickers"]:checked');
    return radio && radio.getAttribute("data-sticker-id") ? radio : null;
  }

  function clamp(value) { return Math.min(1, Math.max(0, value)); }

  function place() {
    sticker.style.setProperty("--x", x.value);
    sticker.style.setProperty("--y", y.value);
    sticker.style.setProperty("--s", scale.value);
    sticker.style.setProperty("--r", rotation.value);
  }

  function describe() {
    var radio = chosen();
    var anonymous = !!radio && radio.hasAttribute("data-anonymous");
    sticker.hidden = !radio;
    revealRow.hidden = !anonymous;
    if (!radio) return;
    sticker.querySelector(".sticker-nonprofit").textContent = radio.getAttribute("data-nonprofit");
    sticker.querySelector(".sticker-donor").textContent =
      anonymous && !reveal.checked ? form.getAttribute("data-anonymous") : form.getAttribute("data-donor");
  }

  function moveTo(newX, newY) {
    x.value = clamp(newX).toFixed(4);
    y.value = clamp(newY).toFixed(4);
    place();
  }

  file.addEventListener("change", function () {
    var chosenFile = file.files && file.files[0];
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = chosenFile ? URL.createObjectURL(chosenFile) : null;
    var isVideo = !!chosenFile && /^video\//.test(chosenFile.type);
    image.hidden = !chosenFile || isVideo;
    video.hidden = !isVideo;
    if (isVideo) { video.src = objectUrl; image.removeAttribute("src"); }
    else if (chosenFile) { image.src = objectUrl; video.removeAttribute("src"); }
    stage.classList.toggle("empty", !chosenFile);
  });

  stage.addEventListener("click", function (event) {
    var box = stage.getBoundingClientRect();
    moveTo((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
  });

  // The keyboard moves the sticker too, a twentieth of the picture a press.
  stage.addEventListener("keydown", function (event) {
    var step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
    if (!step) return;
    event.preventDefault();
    moveTo(Number(x.value) + step[0] * 0.05, Number(y.value) + step[1] * 0.05);
  });

  scale.addEventListener("input", place);
  rotation.addEventListener("input", place);
  form.addEventListener("change", function (event) {
    if (event.target.name === "stickers" || event.target === reveal) describe();
  });

  form.addEventListener("submit", function () {
    var radio = chosen();
    if (!radio) return;
    var placed = { stickerId: radio.getAttribute("data-sticker-id"), x: Number(x.value), y: Number(y.value),
                   scale: Number(scale.value), rotation: Number(rotation.value) };
    if (radio.hasAttribute("data-anonymous")) placed.revealName = reveal.checked;
    radio.value = JSON.stringify([placed]);
  });

  place();
  describe();
})();
