// A report being prepared (templates/oversight/report_status.html): ask the server every few
// seconds whether it is ready, and put the answer in place of the page's own, in a polite
// live region, until it is ready or has failed. Without JavaScript the page has a button to
// ask again. No inline script or style (the Content-Security-Policy allows neither).

const EVERY_MS = 2000;
const GIVE_UP_AFTER = 150; // tries: five minutes, then the page says so (the button stays)

export function initReportStatus(scope = document) {
  for (const region of scope.querySelectorAll("[data-sg-report-status][data-preparing]")) {
    let tries = 0;
    const say = (text) => {
      const note = document.createElement("p");
      note.className = "govuk-body";
      note.textContent = text;
      region.append(note);
    };
    const ask = async () => {
      tries += 1;
      let response;
      try {
        response = await fetch(region.dataset.url, {
          credentials: "same-origin",
          redirect: "manual",
          headers: { Accept: "text/html" },
        });
      } catch {
        response = null; // the network failed for a moment: ask again
      }
      if (response && !response.ok) {
        // Signed out, or no longer allowed: the button asks the server as a page would.
        say("This page has stopped checking. Use the button to check whether it is ready.");
        return;
      }
      if (response) {
        const answer = document.createElement("template");
        answer.innerHTML = await response.text();
        if (answer.content.querySelector("[data-sg-finished]")) {
          region.replaceChildren(answer.content);
          const title = region.querySelector("h2");
          if (title) document.title = `${title.textContent} – Safeguard`;
          return;
        }
      }
      if (tries < GIVE_UP_AFTER) {
        setTimeout(ask, EVERY_MS);
      } else {
        say("It is taking longer than usual. Use the button to check again later.");
      }
    };
    setTimeout(ask, EVERY_MS);
  }
}
