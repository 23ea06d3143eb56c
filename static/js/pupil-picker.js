// Find a pupil as you type: each pupil picker (templates/components/pupil_picker.html) asks
// the server for the pupils matching what is typed (concerns.views.pupil_search) and shows
// them as radios, without reloading the page. The register itself never comes to the page.
// Without JavaScript the picker's "Find" button submits the form, which comes back with the
// matches and everything typed.
//
// No inline script or style (the Content-Security-Policy allows neither): the fragment is
// plain markup from our own origin.

const WAIT_MS = 250; // after the last key, before asking
const SHORTEST = 2; // characters typed before asking

export function initPupilPicker(scope = document) {
  for (const picker of scope.querySelectorAll("[data-sg-pupil-picker]")) {
    const input = picker.querySelector("input[type=search]");
    const find = picker.querySelector("button[name=find]");
    const matches = picker.querySelector(".sg-pupil-picker__matches");
    if (!input || !find || !matches || "sgPupilPickerInit" in picker.dataset) continue;
    picker.dataset.sgPupilPickerInit = "";
    let timer;
    let pending;

    // Whether the matches came; false if the server answered otherwise (signed out, say).
    const search = async () => {
      const query = input.value.trim();
      if (query.length < SHORTEST) {
        matches.replaceChildren();
        return true;
      }
      pending?.abort();
      pending = new AbortController();
      const url = new URL(picker.dataset.searchUrl, window.location.href);
      url.searchParams.set("q", query);
      url.searchParams.set("field", picker.dataset.field);
      url.searchParams.set("id", input.id);
      try {
        const response = await fetch(url, {
          signal: pending.signal,
          credentials: "same-origin",
          // A session that has ended answers with a redirect to sign in: not matches.
          redirect: "manual",
          headers: { Accept: "text/html" },
        });
        if (!response.ok) return false;
        matches.innerHTML = await response.text();
        return true;
      } catch (error) {
        if (error.name !== "AbortError") throw error;
        return true;
      }
    };
    // "Find", or Enter: search here; if that fails, send the form with "Find" as the
    // server expects without JavaScript (it keeps what was typed through a sign-in).
    const findNow = async () => {
      clearTimeout(timer);
      if (!(await search())) find.form.requestSubmit(find);
    };

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, WAIT_MS);
    });
    // Enter, or "Find", searches here rather than sending the half-filled form.
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      findNow();
    });
    find.addEventListener("click", (event) => {
      event.preventDefault();
      findNow();
    });
  }
}
