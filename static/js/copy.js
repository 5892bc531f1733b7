/* Respondents' links: a link's field selects the whole link when it gets focus, and a
   button beside it copies the link. Without JavaScript the read-only field still lets
   one select the link and copy it by hand. Loaded from this site only (CSP script-src
   'self'); the page carries no inline script. */
(function () {
  "use strict";
  var status = document.getElementById("copy-status");

  function copied(field, button) {
    button.textContent = field.dataset.copiedLabel;
    if (status) {
      status.textContent = field.dataset.copiedLabel + ": " + field.getAttribute("aria-label");
    }
    window.setTimeout(function () {
      button.textContent = field.dataset.copyLabel;
    }, 2000);
  }

  function copyByCommand(field, button) {
    field.focus();
    field.select();
    if (document.execCommand("copy")) {
      copied(field, button);
    }
  }

  document.querySelectorAll("input.copy-field").forEach(function (field) {
    // On focus by keyboard; a click would otherwise place the caret once the mouse is up.
    ["focus", "click"].forEach(function (kind) {
      field.addEventListener(kind, function () {
        field.select();
      });
    });
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small button-secondary copy-button";
    button.textContent = field.dataset.copyLabel;
    button.setAttribute("aria-label", field.dataset.copyLabel + ": " + field.getAttribute("aria-label"));
    button.addEventListener("click", function () {
      // The Clipboard API needs a secure context (HTTPS or this machine); elsewhere the
      // older copy command still works on the selected text.
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { copied(field, button); },
          function () { copyByCommand(field, button); }
        );
      } else {
        copyByCommand(field, button);
      }
    });
    field.insertAdjacentElement("afterend", button);
  });
})();
