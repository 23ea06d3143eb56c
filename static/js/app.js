// Starts GOV.UK Frontend's components (error summary focus, radios, notification banners,
// service navigation menu, ...) and our own enhancements. Every page works without it.
import { initAll } from "../govuk/govuk-frontend.min.js";
import { initPupilPicker } from "./pupil-picker.js";
import { initReportStatus } from "./report-status.js";

initAll();
initPupilPicker();
initReportStatus();
