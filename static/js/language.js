// The language menu switches as soon as a language is chosen (a script file: the CSP allows no inline handlers).
"use strict";
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) event.target.form.submit();
});
