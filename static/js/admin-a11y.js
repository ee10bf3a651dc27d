// Select2, the admin's autocomplete widget, names its combobox by the chosen value alone, and gives the value
// a role=textbox with no name at all, which is empty when nothing is chosen (axe aria-input-field-name,
// WCAG 4.1.2). Here the combobox is named by the field's label followed by the value, and the value is text.
"use strict";
{
  // The element that names the field: its <label>, or in a tabular inline (no label, only the column
  // header) a hidden span with the field's aria-label.
  const nameOf = (select) => {
    const label = select.labels && select.labels[0];
    if (label) {
      label.id ||= `${select.id}-label`;
      return label.id;
    }
    const name = document.createElement("span");
    name.id = `${select.id}-name`;
    name.hidden = true;
    name.textContent = select.getAttribute("aria-label") || "";
    select.parentElement.append(name);
    return name.id;
  };

  const nameSelect2 = (root) => {
    root.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const value = document.getElementById(`select2-${select.id}-container`);
      if (!value || select.dataset.named) return; // not set up (the empty inline form), or done already
      select.dataset.named = "true";
      value.removeAttribute("role");
      value.removeAttribute("aria-readonly");
      value.closest(".select2-selection").setAttribute("aria-labelledby", `${nameOf(select)} ${value.id}`);
    });
  };

  // autocomplete.js sets Select2 up in a jQuery ready callback; this (deferred) script runs after it, so its
  // callback comes after that one. A new inline row gets Select2 in a listener that may run after this one.
  if (window.django && window.django.jQuery) window.django.jQuery(() => nameSelect2(document));
  document.addEventListener("formset:added", (event) => setTimeout(() => nameSelect2(event.target)));
}
