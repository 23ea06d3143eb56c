// A report being prepared (templates/oversight/report_status.html): ask the server every few
// seconds whether it is ready, and put the answer in place of the page's own, in a polite
// live region, until it is ready or has failed. Without JavaScript the page has a button to
// ask again. No inline script or style (the Content-Security-Policy allows neither).

const EVERY_MS = 2000;
const GIVE_UP_AFTER = 150; // tries: five minutes, then the button is still there

export function initReportStatus(scope = document) {
  for (const region of scope.querySelectorAll("[data-sg-report-status][data-preparing]")) {
    let tries = 0;
    const ask = async () => {
      tries += 1;
      try {
        const response = await fetch(region.dataset.url, {
          credentials: "same-origin",
          redirect: "manual",
          headers: { Accept: "text/html" },
        });
        if (response.ok) {
          const html = await response.text();
          const answer = document.createElement("template");
          answer.innerHTML = html;
          if (answer.content.querySelector("[data-sg-finished]")) {
            region.replaceChildren(answer.content);
            const title = region.querySelector("h2");
            if (title) document.title = `${title.textContent} – Safeguard`;
            return;
          }
        }
      } catch {
        // The network failed for a moment: ask again.
      }
      if (tries < GIVE_UP_AFTER) setTimeout(ask, EVERY_MS);
    };
    setTimeout(ask, EVERY_MS);
  }
}
