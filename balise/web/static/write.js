// The live check of the writing page: as the member types, ask the server for the gate's verdict
// and show it (reasons with their clause, the words concerned highlighted, X's weighted length),
// and keep the previews of the post up to date (the server's text, what X would cut, the photos
// chosen, read as data: addresses: the page's CSP allows no other). Text only through
// textContent: nothing typed is ever read as HTML.
"use strict";
(function () {
  const form = document.getElementById("ecrire");
  const panel = document.getElementById("verification");
  if (!form || !panel) { return; }
  const text = form.elements.namedItem("texte");
  const verdict = document.getElementById("verdict");
  const reasons = document.getElementById("motifs");
  const marked = document.getElementById("passages");
  const xLength = document.getElementById("longueur-x");
  const previews = document.querySelectorAll("[data-apercu]");
  const photos = form.elements.namedItem("photos");
  let timer = null;

  function highlighted(source, spans) {
    marked.replaceChildren();
    let at = 0;
    spans.sort((a, b) => a[0] - b[0]).forEach(([start, end]) => {
      if (start < at) { return; }
      marked.append(document.createTextNode(source.slice(at, start)));
      const mark = document.createElement("mark");
      mark.textContent = source.slice(start, end);
      marked.append(mark);
      at = end;
    });
    marked.append(document.createTextNode(source.slice(at)));
  }

  function show(answer, source) {
    verdict.textContent = answer.label;
    verdict.className = "card " + (answer.verdict === "approved" ? "ok" : "problem");
    reasons.replaceChildren();
    answer.reasons.forEach((reason) => {
      const item = document.createElement("li");
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = reason.code;
      item.append(code, document.createTextNode(" : " + reason.message + " "));
      const clause = document.createElement("span");
      clause.className = "small";
      clause.textContent = "(" + reason.clause + ")";
      item.append(clause);
      reasons.append(item);
    });
    highlighted(source, answer.reasons.filter((r) => r.span).map((r) => r.span));
    xLength.textContent = answer.x_label;
    answer.previews.forEach(showPreview);
  }

  function part(preview, name) { return preview.querySelector('[data-partie="' + name + '"]'); }

  function showPreview(shown) {
    const preview = document.querySelector('[data-apercu="' + shown.platform + '"]');
    if (!preview) { return; }
    part(preview, "text").textContent = shown.text;
    [part(preview, "cut"), part(preview, "cut-note")].forEach((element) => {
      if (element) { element.hidden = !shown.cut; }
    });
    part(preview, "cut").textContent = shown.cut;
    const link = part(preview, "link");
    if (link) { link.textContent = shown.link || ""; link.hidden = !shown.link; }
    const length = part(preview, "length");
    if (length) { length.textContent = shown.length; }
  }

  function showPhotos() {
    previews.forEach((preview) => { part(preview, "photos").replaceChildren(); });
    Array.from(photos.files).slice(0, 4).forEach((file) => {
      const reader = new FileReader();
      reader.addEventListener("load", () => {
        previews.forEach((preview) => {
          const box = part(preview, "photos");
          const image = document.createElement("img");
          image.src = String(reader.result);
          image.alt = box.dataset.alt.replace("{name}", file.name);
          box.append(image);
        });
      });
      reader.readAsDataURL(file);
    });
  }

  function check() {
    const data = new FormData(form);
    const source = String(data.get("texte") || "");
    fetch(form.dataset.verifier, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((answer) => { if (answer) { show(answer, source); } })
      .catch(() => { verdict.textContent = panel.dataset.horsLigne; });
  }

  panel.hidden = false;
  if (photos) { photos.addEventListener("change", showPhotos); }
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 300); });
  if (text && text.value) { check(); }
})();
