// Progressive enhancement for the photo upload form: drop files onto the drop zone and see
// which files are chosen. Without this script the plain file input does the same job.
(function () {
  "use strict";
  function listNames(input, output) {
    var names = Array.prototype.map.call(input.files || [], function (file) { return file.name; });
    output.textContent = names.length ? "Đã chọn " + names.length + " tệp: " + names.join(", ") : "";
  }
  function enhance(zone) {
    var input = zone.querySelector("input[type=file]");
    var output = zone.querySelector("[data-photo-files]");
    if (!input || !output || typeof DataTransfer === "undefined") { return; }
    var tip = document.createElement("p");
    tip.className = "photo-drop__hint";
    tip.textContent = "Hoặc kéo và thả ảnh vào khung này.";
    input.insertAdjacentElement("afterend", tip);
    input.addEventListener("change", function () { listNames(input, output); });
    // Files chosen before this deferred script ran (a quick first choice) are listed too.
    listNames(input, output);
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("photo-drop--over");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("photo-drop--over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      input.files = event.dataTransfer.files;
      listNames(input, output);
    });
  }
  document.querySelectorAll("[data-photo-drop]").forEach(enhance);
})();
