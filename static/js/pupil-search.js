// Search the register: before each child select on the record form, a text box that narrows
// the select's options (hundreds of pupils in a real school) to those whose name or class
// matches what is typed. Without JavaScript the select works as before.
//
// Markup: a wrapper with data-sg-pupil-search around the select's form group. No inline
// script or style (the Content-Security-Policy allows neither): options are hidden with
// their `hidden` attribute.

let count = 0;

function words(text) {
  return text.toLocaleLowerCase("en-GB").split(/\s+/).filter(Boolean);
}

function formGroup(select) {
  count += 1;
  const id = `${select.id || `sg-pupil-search-${count}`}-search`;
  const group = document.createElement("div");
  group.className = "govuk-form-group sg-pupil-search";
  group.innerHTML = `
    <label class="govuk-label" for="${id}">Search the register</label>
    <div class="govuk-hint" id="${id}-hint">Type part of a name, a year group or a class to shorten the list below</div>
    <input class="govuk-input govuk-input--width-20" id="${id}" type="text" autocomplete="off" spellcheck="false" aria-describedby="${id}-hint ${id}-status" aria-controls="${select.id}">
    <p class="govuk-body-s sg-pupil-search__status" id="${id}-status" role="status"></p>`;
  return group;
}

function filter(select, query, status) {
  const wanted = words(query);
  let shown = 0;
  for (const option of select.options) {
    // The placeholder and the pupil already chosen stay, whatever is typed.
    const keep = !option.value || option.selected;
    const text = option.text.toLocaleLowerCase("en-GB");
    option.hidden = !keep && !wanted.every((word) => text.includes(word));
    if (option.value && !option.hidden) shown += 1;
  }
  status.textContent = wanted.length
    ? `${shown} ${shown === 1 ? "pupil matches" : "pupils match"}`
    : "";
}

export function initPupilSearch(scope = document) {
  for (const wrapper of scope.querySelectorAll("[data-sg-pupil-search]")) {
    const select = wrapper.querySelector("select");
    if (!select || wrapper.dataset.sgPupilSearchInit) continue;
    wrapper.dataset.sgPupilSearchInit = "";
    const group = formGroup(select);
    wrapper.prepend(group);
    const input = group.querySelector("input");
    const status = group.querySelector("[role=status]");
    input.addEventListener("input", () => filter(select, input.value, status));
    // Enter would submit the half-filled form: move on to the shortened list instead.
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        select.focus();
      }
    });
  }
}
